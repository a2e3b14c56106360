"""Time to serialise DCAT catalog pages: our tgn_dcat_ap profile against stock euro_dcat_ap_3.

Usage: dcat_serialise.py [--quick] [--cprofile FORMAT]

The catalog endpoint builds one RDFSerializer per page of 100 datasets and serialises it to
RDF/XML, JSON-LD or Turtle. This script does the same on realistic, in-memory dataset dicts
(1,000 and 5,000 datasets; 1,000 only with --quick), for both profiles in the same run, and
prints seconds, MB and the ratio ours / stock per format and size. It also sweeps the Turtle
page size, because rdflib's Turtle serialiser grows faster than linearly with the page.

It needs the test database (test.ini, ``ckan_tgn_test``) with its tables: ``make test`` once.
It creates three organisations there if they are missing (the publishers the profiles look
up); the datasets themselves are never stored.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import logging
import pstats
import random
import statistics
import sys
import time
import tracemalloc
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.tgn.lib.context import site_user_context

ROOT = Path(__file__).resolve().parents[1]
INI = ROOT / "test.ini"
PROFILES = {"ours": "tgn_dcat_ap", "stock": "euro_dcat_ap_3"}
FORMATS = {"xml": "RDF/XML", "json-ld": "JSON-LD", "turtle": "Turtle"}
SUFFIX = {"xml": "xml", "json-ld": "jsonld", "turtle": "ttl"}
# Turtle first, through serialize_catalog; RDF/XML last, as it may bind new prefixes (ns1...).
ORDER = ("turtle", "json-ld", "xml")
PAGE = 100
SWEEP_PAGES = (50, 100, 200, 400)
SEED = 82

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
ACCESS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
SCHEMAS = "https://schema.data.gouv.fr/schemas/"
DELIBERATIONS = SCHEMAS + "scdl/deliberations/2.1.5/schema.json"
SUBVENTIONS = SCHEMAS + "scdl/subventions/2.1.1/schema.json"
BUDGET = SCHEMAS + "scdl/budget/0.8.1/schema.json"

# The publishers: the benchmark's own names, so they never collide with the suite's fixtures.
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "name": "bench-ca-grand-montauban",
        "title": "CA Grand Montauban",
        "territory_kind": "epci",
        "epci_nature": "CA",
        "siren": "248200099",
        "website": "https://www.montauban.com/",
    },
    {
        "name": "bench-cc-terres-des-confluences",
        "title": "CC Terres des Confluences",
        "territory_kind": "epci",
        "epci_nature": "CC",
        "siren": "200066322",
    },
    {
        "name": "bench-departement-82",
        "title": "Département de Tarn-et-Garonne",
        "territory_kind": "departement",
        "siren": "228200010",
    },
]
# Territories each publisher's datasets cover (the département's outline is the largest).
TERRITORIES = {
    "bench-ca-grand-montauban": [["82121", "248200099"], ["248200099"], ["82121"]],
    "bench-cc-terres-des-confluences": [["200066322"], ["82112"], ["82112", "200066322"]],
    "bench-departement-82": [["82"], ["82"], []],
}
# (title, themes, frequency, table schema or "", resource formats) of typical datasets.
TOPICS: list[tuple[str, list[str], str, str, list[str]]] = [
    ("Délibérations du conseil", ["GOVE"], "MONTHLY", DELIBERATIONS, ["CSV"]),
    ("Subventions aux associations", ["SOCI", "ECON"], "ANNUAL", SUBVENTIONS, ["CSV", "XLSX"]),
    ("Budget primitif", ["ECON", "GOVE"], "ANNUAL", BUDGET, ["CSV", "XLSX"]),
    ("Comptages routiers", ["TRAN"], "MONTHLY", "", ["CSV", "GEOJSON"]),
    ("Équipements sportifs", ["SOCI", "REGI"], "IRREG", "", ["GEOJSON", "CSV"]),
    ("Collecte des déchets", ["ENVI"], "QUARTERLY", "", ["CSV"]),
    ("Tiers-lieux numériques", ["TECH", "REGI"], "ANNUAL", "", ["CSV", "GEOJSON", "XLSX"]),
    ("Qualité de l'eau", ["ENVI", "HEAL"], "MONTHLY", "", ["CSV"]),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"CSV": "text/csv", "XLSX": XLSX, "GEOJSON": "application/geo+json"}
EXTENSION = {"CSV": "csv", "XLSX": "xlsx", "GEOJSON": "geojson"}
_TEXT = (
    "données ouvertes collectivité territoire conseil commune intercommunalité service public "
    "mise à jour annuelle fichier publié format ouvert réutilisation libre licence schéma "
    "national producteur agents habitants équipements budget voirie environnement"
)
WORDS = _TEXT.split()


# --- setup ------------------------------------------------------------------------------------
def ensure_organisations() -> list[dict[str, Any]]:
    """The three publishers, created once: the profiles call organization_show on them."""
    context = {**site_user_context(), "ignore_auth": True}
    orgs = []
    for spec in ORGANISATIONS:
        try:
            org = tk.get_action("organization_show")(dict(context), {"id": spec["name"]})
        except tk.ObjectNotFound:
            org = tk.get_action("organization_create")(dict(context), dict(spec))
        orgs.append(org)
    return orgs


def prepare(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Publishers in the database and n datasets in memory, checked on one page.

    The test suite empties this database whenever it runs: if that happens during the
    set-up, it is tried again. Once checked, the run no longer reads the database (the
    organisations stay in ckanext-dcat's cache); Solr still answers one query a page, the
    catalog's dct:modified, as on the site.
    """
    import sqlalchemy.exc
    from ckan import model

    problem = ""
    for _attempt in range(3):
        try:
            orgs = ensure_organisations()
        except sqlalchemy.exc.ProgrammingError as e:
            model.Session.rollback()
            problem = (
                f"The test database has no tables ({e.orig}): run `make test` once first "
                "(or the suite was resetting it: try again)."
            )
            time.sleep(2)
            continue
        datasets = make_datasets(n, orgs)
        problem = check(orgs, datasets)
        if not problem:
            return orgs, datasets
        time.sleep(2)
    sys.exit(problem)


def _coverage(codes: tuple[str, ...], cache: dict[tuple[str, ...], str]) -> str:
    """ckanext-spatial's ``spatial`` field as our validator stores it: the union's GeoJSON."""
    from ckanext.tgn.lib import refdata

    if codes not in cache:
        cache[codes] = json.dumps(refdata.coverage_geometry(list(codes)), separators=(",", ":"))
    return cache[codes]


def make_datasets(n: int, orgs: list[dict[str, Any]], seed: int = SEED) -> list[dict[str, Any]]:
    """n package_show-like dicts valid for our schema, the same for a given seed."""
    rng = random.Random(seed)
    coverage: dict[tuple[str, ...], str] = {}
    start = datetime(2023, 1, 2, 9, 0, 0)
    datasets = []
    for i in range(n):
        org = orgs[i % len(orgs)]
        title, themes, frequency, schema, formats = TOPICS[rng.randrange(len(TOPICS))]
        year = 2015 + rng.randrange(11)
        created = start + timedelta(minutes=37 * i)
        modified = created + timedelta(days=rng.randrange(400))
        codes = tuple(rng.choice(TERRITORIES[org["name"]]))
        dataset_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        licence = rng.choices(["lov2", "odc-odbl", "cc-by"], weights=[7, 2, 1])[0]
        tags = sorted({rng.choice(WORDS) for _ in range(rng.randint(2, 5))})
        resources = []
        for position, fmt in enumerate(formats[: rng.randint(1, len(formats))]):
            resource_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            resources.append(
                {
                    "id": resource_id,
                    "package_id": dataset_id,
                    "position": position,
                    "name": f"{title} {year}",
                    "description": f"{title} {year}, fichier {fmt}.",
                    "url": f"https://data.example.fr/{org['name']}/{i}-{position}.{EXTENSION[fmt]}",
                    "url_type": None,
                    "format": fmt,
                    "mimetype": MEDIA[fmt],
                    "size": rng.randint(2_000, 30_000_000),
                    "conforms_to": schema if fmt == "CSV" else "",
                    "created": created.isoformat(),
                    "last_modified": modified.isoformat(),
                    "metadata_modified": modified.isoformat(),
                    "state": "active",
                }
            )
        dataset = {
            "id": dataset_id,
            "type": "dataset",
            "name": f"{org['name'].removeprefix('bench-')}-{i:05d}",
            "title": f"{title} {year} ({org['title']})",
            "notes": " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 90))) + ".",
            "state": "active",
            "private": False,
            "metadata_created": created.isoformat(),
            "metadata_modified": modified.isoformat(),
            "owner_org": org["id"],
            "organization": {
                "id": org["id"],
                "name": org["name"],
                "title": org["title"],
                "type": "organization",
                "is_organization": True,
                "state": "active",
                "description": "",
                "image_url": "",
                "approval_status": "approved",
                "created": org.get("created"),
            },
            "license_id": licence,
            "theme": [THEME + t for t in themes],
            "frequency": FREQUENCY + frequency,
            "language": [LANGUAGE + "FRA"] + ([LANGUAGE + "OCI"] if i % 17 == 0 else []),
            "access_rights": ACCESS,
            "hvd_category": "http://data.europa.eu/bna/c_b79e35eb" if i % 29 == 0 else "",
            "temporal_start": f"{year}-01-01",
            "temporal_end": f"{year}-12-31",
            "territories": list(codes),
            "spatial": _coverage(codes, coverage) if codes else "",
            "contact_name": "Service des données",
            "contact_email": f"donnees@{org['name']}.example.fr",
            "conforms_to": schema,
            "version": f"{year}.1" if i % 5 == 0 else "",
            "url": f"https://www.example.fr/donnees/{i}" if i % 7 == 0 else "",
            "tags": [
                {"name": t, "display_name": t, "state": "active", "vocabulary_id": None}
                for t in tags
            ],
            "num_tags": len(tags),
            "resources": resources,
            "num_resources": len(resources),
            "extras": [],
            "groups": [],
        }
        # An optional field left blank is absent from package_show, not an empty string.
        datasets.append({k: v for k, v in dataset.items() if v != ""})
        for resource in resources:
            if not resource["conforms_to"]:
                del resource["conforms_to"]
    return datasets


# --- measuring --------------------------------------------------------------------------------
def _pages(datasets: list[dict[str, Any]], size: int) -> Iterator[tuple[int, list[dict]]]:
    for start in range(0, len(datasets), size):
        yield start // size + 1, datasets[start : start + size]


def _paging(number: int, size: int, count: int, fmt: str) -> dict[str, Any]:
    """The Hydra block of the endpoint's page ``number`` (absolute URLs)."""
    url = f"{tk.config['ckan.site_url'].rstrip('/')}/catalog.{SUFFIX[fmt]}?page="
    last = max(1, -(-count // size))
    info = {"count": count, "items_per_page": size, "current": url + str(number)}
    info.update(first=url + "1", last=url + str(last))
    if number < last:
        info["next"] = url + str(number + 1)
    if number > 1:
        info["previous"] = url + str(number - 1)
    return info


@dataclass
class Page:
    graph: float  # seconds building the graph (profiles, and the catalog's Solr query)
    seconds: dict[str, float]  # seconds in rdflib's serialiser, by format
    outputs: dict[str, str]


def serialise_page(
    profile: str,
    page: list[dict],
    formats: tuple[str, ...] = ORDER,
    number: int = 1,
    count: int | None = None,
    peaks: dict[str, int] | None = None,
) -> Page:
    """One page as the endpoint makes it, its graph then serialised to each of ``formats``.

    The first format goes through ``serialize_catalog`` exactly as a request does. Building
    the same graph again for each format would only repeat the same work (the graph does not
    depend on the format), so the others reuse it, each from an empty prefix cache (the
    namespace manager's, which a request starts without). With ``peaks``, records the peak
    traced memory of building and of each serialisation (tracemalloc must be running).
    """
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.dcat.utils import url_to_rdflib_format

    serializer = RDFSerializer(profiles=[profile])
    rdflib_serialize = serializer.g.serialize
    spent = [0.0]

    def timed(*args: Any, format: str, **kwargs: Any) -> Any:  # rdflib names it format
        if peaks is not None:
            peaks.setdefault("graph", tracemalloc.get_traced_memory()[1])
            tracemalloc.reset_peak()
        t0 = time.perf_counter()
        out = rdflib_serialize(*args, format=format, **kwargs)
        spent[0] = time.perf_counter() - t0
        return out

    serializer.g.serialize = timed  # type: ignore[method-assign]
    first = formats[0]
    paging = _paging(number, len(page), count or len(page), first)
    t0 = time.perf_counter()
    outputs = {first: serializer.serialize_catalog({}, page, _format=first, pagination_info=paging)}
    graph = time.perf_counter() - t0 - spent[0]
    seconds = {first: spent[0]}
    for fmt in formats:
        if fmt != first:
            serializer.g.namespace_manager.reset()
            # ckanext-dcat's own mapping: the endpoint's "xml" is rdflib's "pretty-xml".
            outputs[fmt] = timed(format=url_to_rdflib_format(fmt))
            seconds[fmt] = spent[0]
        if peaks is not None:
            peaks[fmt] = tracemalloc.get_traced_memory()[1]
    return Page(graph, seconds, outputs)


@dataclass
class Run:
    graph: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)  # rdflib only, by format
    size: dict[str, int] = field(default_factory=dict)  # bytes produced (UTF-8), by format
    # graph + rdflib of each page, by format, over every run: paired with the other profile's
    pages: dict[str, list[float]] = field(default_factory=dict)

    def total(self, fmt: str) -> float:
        """What serving the pages in this format costs: the graph, then rdflib."""
        return self.graph + self.seconds[fmt]


def run_catalog(
    datasets: list[dict], size: int = PAGE, labels: tuple[str, ...] = tuple(PROFILES), **kw: Any
) -> dict[str, Run]:
    """Every page, as a harvester crawls them; the profiles take turns on each page, so that
    the other jobs of the machine slow them alike."""
    runs = {label: Run() for label in labels}
    gc.collect()
    for number, page in _pages(datasets, size):
        order = labels if number % 2 else labels[::-1]
        for label in order:
            result = serialise_page(PROFILES[label], page, number=number, count=len(datasets), **kw)
            run = runs[label]
            run.graph += result.graph
            for fmt, out in result.outputs.items():
                run.seconds[fmt] = run.seconds.get(fmt, 0.0) + result.seconds[fmt]
                run.pages.setdefault(fmt, []).append(result.graph + result.seconds[fmt])
                run.size[fmt] = run.size.get(fmt, 0) + len(out.encode("utf-8"))
    return runs


def best_of(repeats: int, measure: Callable[[], dict[str, Run]]) -> dict[str, Run]:
    """Each figure at its lowest over a few runs: the least disturbed by other jobs."""
    results = [measure() for _ in range(repeats)]
    best = {}
    for label in results[0]:
        runs = [r[label] for r in results]
        best[label] = Run(
            graph=min(r.graph for r in runs),
            seconds={f: min(r.seconds[f] for r in runs) for f in runs[0].seconds},
            size=runs[0].size,
            pages={f: [t for r in runs for t in r.pages[f]] for f in runs[0].pages},
        )
    return best


def page_peaks(profile: str, page: list[dict]) -> dict[str, float]:
    """Peak traced Python memory (MiB) of one page: tracemalloc is slow, so never timed."""
    peaks: dict[str, int] = {}
    gc.collect()
    tracemalloc.start()
    try:
        serialise_page(profile, page, peaks=peaks)
    finally:
        tracemalloc.stop()
    return {k: v / 2**20 for k, v in peaks.items()}


# --- checks and report ------------------------------------------------------------------------
def check(orgs: list[dict[str, Any]], datasets: list[dict]) -> str:
    """A page per profile parsed back: every dataset there, every publisher looked up. And the
    graph reused across formats gives what a fresh request gives (within the page URLs).

    Also warms up what a running site has after its first page: vocabularies, reference
    data, entry points and ckanext-dcat's organisation cache (process-wide).
    """
    import rdflib
    from ckanext.dcat.profiles.base import RDFProfile
    from rdflib.namespace import DCAT, DCTERMS, RDF

    page = datasets[:PAGE]
    for label, profile in PROFILES.items():
        out = serialise_page(profile, page).outputs
        graph = rdflib.Graph().parse(data=out["turtle"], format="turtle")
        found = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
        publishers = {str(o) for o in graph.objects(None, DCTERMS.publisher)}
        if found != len(page) or len(publishers) < len(orgs):
            return f"check failed for {label}: {found} datasets, publishers {publishers}"
        small = datasets[:20]
        reused = serialise_page(profile, small).outputs
        for fmt in ORDER:
            fresh = serialise_page(profile, small, formats=(fmt,)).outputs[fmt]
            if abs(len(fresh) - len(reused[fmt])) > 0.01 * len(fresh):
                return f"{label} {fmt}: {len(reused[fmt])} chars reused, {len(fresh)} fresh"
    missing = [o["name"] for o in orgs if o["id"] not in RDFProfile._org_cache]
    if missing:
        return f"organisations not found during the check (test DB reset?): {missing}"
    return ""


def report(results: dict[int, dict[str, Run]], repeats: dict[int, int]) -> None:
    print(f"\nCatalog pages of {PAGE} datasets; figures are the best of the runs shown.")
    print("Serving a page in a format costs building its graph plus rdflib's serialiser:")
    header = f"{'datasets':>8} {'profile':<7} {'runs':>4} {'graph s':>8} " + " ".join(
        f"{name + ' s':>10} {'MB':>6}" for name in FORMATS.values()
    )
    print(header)
    print("-" * len(header))
    for n, by_label in results.items():
        for label, r in by_label.items():
            cells = " ".join(f"{r.seconds[f]:10.2f} {r.size[f] / 1e6:6.1f}" for f in FORMATS)
            print(f"{n:>8} {label:<7} {repeats[n]:>4} {r.graph:8.2f} {cells}")
    print("\nTotal per format (graph + rdflib), seconds and ms per page:")
    print(f"{'datasets':>8} {'profile':<7} " + " ".join(f"{n:>16}" for n in FORMATS.values()))
    for n, by_label in results.items():
        pages = -(-n // PAGE)
        for label, r in by_label.items():
            cells = [f"{r.total(f):7.2f} {1000 * r.total(f) / pages:6.0f}ms" for f in FORMATS]
            print(f"{n:>8} {label:<7} " + " ".join(f"{c:>16}" for c in cells))
    print("\nRatio ours / stock: total time (rdflib time alone; MB produced):")
    print(f"{'datasets':>8} " + " ".join(f"{n:>26}" for n in FORMATS.values()))
    for n, by_label in results.items():
        ours, stock = by_label["ours"], by_label["stock"]
        cells = [
            f"{ours.total(f) / stock.total(f):.2f}x ({ours.seconds[f] / stock.seconds[f]:.2f}x; "
            f"{ours.size[f] / stock.size[f]:.2f}x MB)"
            for f in FORMATS
        ]
        print(f"{n:>8} " + " ".join(f"{c:>26}" for c in cells))
    print("\nMedian of the per-page ratios ours / stock (each page is timed with both profiles")
    print("back to back, so this is the least sensitive to the machine's other jobs):")
    print(f"{'datasets':>8} " + " ".join(f"{n:>10}" for n in FORMATS.values()) + "  graph alone")
    for n, by_label in results.items():
        ours, stock = by_label["ours"], by_label["stock"]
        medians = [
            statistics.median(o / s for o, s in zip(ours.pages[f], stock.pages[f], strict=True))
            for f in FORMATS
        ]
        cells = " ".join(f"{m:>9.2f}x" for m in medians)
        print(f"{n:>8} {cells}  {ours.graph / stock.graph:10.2f}x (sum of the best runs)")


def print_peaks(datasets: list[dict]) -> None:
    print(f"\nPeak traced Python memory of one page of {PAGE} (tracemalloc, untimed), MiB:")
    print(f"{'profile':<7} {'graph':>8} " + " ".join(f"{n:>8}" for n in FORMATS.values()))
    for label, profile in PROFILES.items():
        peaks = page_peaks(profile, datasets[:PAGE])
        cells = " ".join(f"{peaks[f]:8.1f}" for f in FORMATS)
        print(f"{label:<7} {peaks['graph']:8.1f} {cells}")


def sweep(datasets: list[dict], label: str, repeats: int) -> None:
    """Turtle time per dataset by page size: the reason pages stay at 100."""
    n = len(datasets)
    print(f"\nTurtle page-size sweep, {label} profile, {n} datasets (best of {repeats}):")
    print(f"{'page':>5} {'pages':>5} {'ms/dataset':>10} {'rdflib ms/ds':>12} {'graph ms/ds':>11}")
    for size in SWEEP_PAGES:
        r = best_of(
            repeats, lambda s=size: run_catalog(datasets, s, (label,), formats=("turtle",))
        )[label]
        print(
            f"{size:>5} {-(-n // size):>5} {1000 * r.total('turtle') / n:10.2f} "
            f"{1000 * r.seconds['turtle'] / n:12.2f} {1000 * r.graph / n:11.2f}"
        )


def profile_page(datasets: list[dict], fmt: str) -> None:
    """cProfile of one page per profile: where the time of a page goes."""
    for label, profile in PROFILES.items():
        profiler = cProfile.Profile()
        profiler.enable()
        serialise_page(profile, datasets[:PAGE], formats=(fmt,))
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(35)
        print(f"\n=== cProfile, one {FORMATS[fmt]} page of {PAGE}, {label} ({profile}) ===")
        print(stream.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 datasets only (~2 min)")
    parser.add_argument(
        "--cprofile", choices=list(FORMATS), help="also print a cProfile of one page per profile"
    )
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    warnings.simplefilter("ignore")  # rdflib's ConjunctiveGraph deprecation, once per page
    app = make_app(load_config(str(INI)))
    logging.disable(logging.WARNING)
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    with flask_app.test_request_context():
        sizes = [1000] if args.quick else [1000, 5000]
        repeats = {1000: 1, 5000: 1} if args.quick else {1000: 2, 5000: 1}
        t0 = time.perf_counter()
        _orgs, datasets = prepare(max(sizes))
        resources = statistics.mean(d["num_resources"] for d in datasets)
        print(
            f"{len(datasets)} datasets in memory, {resources:.1f} resources each; "
            f"{PROFILES['ours']} (ours) against {PROFILES['stock']} (stock)"
        )
        results = {}
        for n in sizes:
            results[n] = best_of(repeats[n], lambda n=n: run_catalog(datasets[:n]))
            print(f"  measured {n} datasets", file=sys.stderr)
        report(results, repeats)
        print_peaks(datasets)
        sweep(datasets[: 400 if args.quick else 800], "ours", 1 if args.quick else 2)
        if args.cprofile:
            profile_page(datasets, args.cprofile)
        print(f"\n(run took {time.perf_counter() - t0:.0f} s, set-up included)")


if __name__ == "__main__":
    main()
