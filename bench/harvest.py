"""Time and memory to harvest a DCAT catalog: our tgn_dcat against stock dcat_rdf.

Usage: harvest.py [--datasets 2000] [--pages 20] [--no-stock] [--tracemalloc] [--cprofile]
                  [--keep]

A stub partner server on 127.0.0.1 (tests/helpers/catalog_server.py, reached as
``catalogue.bench.test`` through the tests' resolver) serves a DCAT catalog of ``--datasets``
realistic datasets in ``--pages`` Turtle pages linked by ``hydra:next`` (title, HTML
description, publisher, one or two themes, frequency, a commune or EPCI of the 82, contact,
keywords, dates, landing page, three distributions with their licence). Then, in this
process, on the test services of test.ini:

- ours: a source file in a temporary folder, registered by the real ``tgn_harvest_sync``,
  run twice by ``runner.run_now`` (gather, fetch and import here, as ``ckan tgn harvest run``
  does): the first run creates every dataset, the second finds nothing changed (checked:
  every record "not modified");
- stock: ckanext-dcat's ``DCATRDFHarvester`` (type ``dcat_rdf``; the ``dcat_rdf_harvester``
  plugin is added to ``ckan.plugins`` for this process only, the platform does not load it)
  on the same catalog, a source created by ``harvest_source_create`` as the site user in a
  second organisation, run twice by the same ``run_now``. It may refuse records on our
  schema: its errors are counted and the first one printed.

Prints, per harvester and run: records read, datasets stored, errors, seconds, records per
second, peak memory; then the ratios ours / stock. Peak memory is the growth of the
process's resident set during the run (its high-water mark reset before the run through
/proc/self/clear_refs; the growth of ru_maxrss where that is not possible); ``--tracemalloc``
adds the peak of Python's traced allocations (slower: the times are then not comparable with
a run without it).

The test database is reset before and after the run, as the suite's ``tgn_db`` fixture does
(bench_db.py: tables rebuilt, the harvest, activity, tgn_validation and tgn_dcat migrations
applied, the Solr core emptied): it works from any state the suite leaves, and the suite
resets it again for each test. Never run it while a ``pytest --ckan-ini`` is running: it
waits for one to end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import random
import resource
import socket
import sys
import tempfile
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.helpers: the stub server and the .test resolver

from bench_db import reset_database, wait_for_tests  # noqa: E402  (bench/, beside this file)

from tests.helpers import catalog_server  # noqa: E402
from tests.helpers.harvest import PREFIXES, resolver  # noqa: E402

INI = ROOT / "test.ini"
HOST = "catalogue.bench.test"
OURS_SOURCE = "bench-harvest-tgn"
STOCK_SOURCE = "bench-harvest-stock"
STOCK_PLUGIN = "dcat_rdf_harvester"
SEED = 82
MB = 1024 * 1024

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/FRA"
LOV2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
ODBL = "http://opendatacommons.org/licenses/odbl/summary/"
INSEE = "http://id.insee.fr/geo/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (format, file-type code, media type, extension)
FORMATS = {
    "CSV": ("CSV", "text/csv", "csv"),
    "XLSX": ("XLSX", XLSX, "xlsx"),
    "GEOJSON": ("GEOJSON", "application/geo+json", "geojson"),
    "JSON": ("JSON", "application/json", "json"),
    "PDF": ("PDF", "application/pdf", "pdf"),
}
# (title, themes, frequency, keywords, three distribution formats) of typical datasets.
TOPICS: list[tuple[str, list[str], str, list[str], list[str]]] = [
    ("Délibérations du conseil", ["GOVE"], "MONTHLY", ["délibérations", "conseil"],
     ["CSV", "JSON", "PDF"]),
    ("Subventions aux associations", ["SOCI", "ECON"], "ANNUAL",
     ["subventions", "associations"], ["CSV", "XLSX", "JSON"]),
    ("Budget primitif", ["ECON", "GOVE"], "ANNUAL", ["budget", "finances"],
     ["CSV", "XLSX", "PDF"]),
    ("Comptages routiers", ["TRAN"], "MONTHLY", ["trafic", "voirie"],
     ["CSV", "GEOJSON", "JSON"]),
    ("Équipements sportifs", ["SOCI", "REGI"], "IRREG", ["sport", "équipements"],
     ["GEOJSON", "CSV", "XLSX"]),
    ("Collecte des déchets", ["ENVI"], "QUARTERLY", ["déchets", "collecte"],
     ["CSV", "GEOJSON", "PDF"]),
    ("Qualité de l'eau", ["ENVI", "HEAL"], "MONTHLY", ["eau", "qualité de l'eau"],
     ["CSV", "JSON", "PDF"]),
    ("Parcelles cadastrales", ["REGI"], "ANNUAL", ["cadastre", "foncier"],
     ["GEOJSON", "CSV", "JSON"]),
]  # fmt: skip
_TEXT = (
    "données ouvertes collectivité territoire conseil commune intercommunalité service public "
    "mise à jour fichier publié format ouvert réutilisation libre schéma national producteur "
    "agents habitants équipements budget voirie environnement relevés période année"
)
WORDS = _TEXT.split()


# --- the partner's catalog -------------------------------------------------------------------
def _ttl(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _places(rng: random.Random) -> list[str]:
    """One commune or EPCI of the 82, as id.insee.fr URIs."""
    from ckanext.tgn.lib import refdata

    epci = rng.choice(refdata.epcis())
    if rng.random() < 0.4:
        return [f"{INSEE}intercommunalite/{epci['siren']}"]
    return [f"{INSEE}commune/{rng.choice(epci['members'])}"]


def dataset_ttl(number: int, base: str, rng: random.Random) -> str:
    """One realistic dcat:Dataset with three distributions, in Turtle."""
    title, themes, frequency, keywords, formats = TOPICS[number % len(TOPICS)]
    year = 2015 + number % 10
    slug = f"jeu-{number:05d}"
    uri = f"{base}/datasets/{slug}"
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
        for _ in range(3)
    ]
    description = f"<p>{title} ({year}).</p><p>{' '.join(sentences)}</p>"
    places = ", ".join(f"<{p}>" for p in _places(rng))
    licence = LOV2 if number % 5 else ODBL
    distributions = [f"{uri}/{fmt.lower()}" for fmt in formats]
    body = [
        f"dct:title {_ttl(f'{title} {year} (lot {number})')}@fr",
        f"dct:description {_ttl(description)}@fr",
        f"dct:identifier {_ttl(slug)}",
        "dcat:theme " + ", ".join(f"<{THEME}{t}>" for t in themes),
        f"dct:accrualPeriodicity <{FREQUENCY}{frequency}>",
        f"dct:spatial {places}",
        f"dct:language <{LANGUAGE}>",
        "dcat:keyword " + ", ".join(_ttl(k) for k in [*keywords, str(year)]),
        f'dct:issued "{year}-01-15"^^<http://www.w3.org/2001/XMLSchema#date>',
        f'dct:modified "{year}-{1 + number % 12:02d}-28"^^<http://www.w3.org/2001/XMLSchema#date>',
        f"dcat:landingPage <{base}/explore/{slug}>",
        f"dct:publisher [ a foaf:Organization ; foaf:name {_ttl('Service données partenaire')} ]",
        "dcat:contactPoint [ a vcard:Kind ; vcard:fn "
        f"{_ttl('Service SIG')} ; vcard:hasEmail <mailto:sig{number % 7}@partenaire.test> ]",
        "dcat:distribution " + ", ".join(f"<{d}>" for d in distributions),
    ]
    text = f"<{uri}> a dcat:Dataset ;\n    " + " ;\n    ".join(body) + " .\n"
    for dist, fmt in zip(distributions, formats, strict=True):
        code, media, ext = FORMATS[fmt]
        url = f"{base}/files/{slug}.{ext}"
        text += (
            f"<{dist}> a dcat:Distribution ;\n"
            f"    dct:title {_ttl(f'{title} {year} ({fmt})')} ;\n"
            f"    dct:description {_ttl(f'Fichier {fmt} du jeu {number}.')} ;\n"
            f"    dcat:accessURL <{url}> ;\n"
            f"    dcat:downloadURL <{url}> ;\n"
            f"    dct:format <{FILE_TYPE}{code}> ;\n"
            f"    dcat:mediaType <https://www.iana.org/assignments/media-types/{media}> ;\n"
            f'    dcat:byteSize "{rng.randint(2_000, 9_000_000)}"^^'
            "<http://www.w3.org/2001/XMLSchema#decimal> ;\n"
            f"    dct:license <{licence}> .\n"
        )
    return text + "\n"


def catalog_pages(base: str, datasets: int, pages: int) -> dict[str, str]:
    """Path -> Turtle page, the first at /catalog.ttl, the others at ?page=N."""
    rng = random.Random(SEED)
    size = -(-datasets // pages)
    out: dict[str, str] = {}
    for page in range(1, pages + 1):
        numbers = range((page - 1) * size + 1, min(page * size, datasets) + 1)
        path = "/catalog.ttl" if page == 1 else f"/catalog.ttl?page={page}"
        view = ""
        if page < pages:
            view = (
                f"<{base}{path}> a hydra:PartialCollectionView ;\n"
                f"    hydra:next <{base}/catalog.ttl?page={page + 1}> ;\n"
                f'    hydra:totalItems "{datasets}" .\n'
            )
        out[path] = (
            PREFIXES
            + f'<{base}/catalog> a dcat:Catalog ; dct:title "Catalogue du partenaire" .\n'
            + view
            + "".join(dataset_ttl(n, base, rng) for n in numbers)
        )
    return out


# --- the test services -------------------------------------------------------------------------
def organisation(epci: dict[str, Any], name: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    from ckanext.tgn.lib.context import site_user_context

    return tk.get_action("organization_create")(
        site_user_context(),
        {
            "name": name,
            "title": epci["name"],
            "territory_kind": "epci",
            "epci_nature": epci["nature"],
            "siren": epci["siren"],
        },
    )


# --- measuring ---------------------------------------------------------------------------------
def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class Meter:
    """Seconds and peak memory of one run."""

    def __init__(self, traced: bool) -> None:
        self.traced = traced
        self.seconds = 0.0
        self.rss_mb = 0.0
        self.traced_mb: float | None = None
        self.how = ""

    def __enter__(self) -> Meter:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            self._rss0, self.how = _status_kb("VmRSS"), "VmHWM"
        except OSError:
            self._rss0, self.how = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "maxrss"
        if self.traced:
            tracemalloc.start()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        if self.traced:
            self.traced_mb = tracemalloc.get_traced_memory()[1] / MB
            tracemalloc.stop()
        if self.how == "VmHWM":
            peak = _status_kb("VmHWM")
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.rss_mb = (peak - self._rss0) / 1024


@dataclass
class Run:
    harvester: str
    run: str
    counts: dict[str, int]
    stored: int
    errors: int
    first_error: str
    meter: Meter

    @property
    def records(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float:
        return self.records / self.meter.seconds if self.meter.seconds else 0.0


def harvest(harvester: str, run: str, source: str, traced: bool, profile: bool = False) -> Run:
    from ckan import model
    from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

    from ckanext.tgn.harvest import runner

    model.Session.remove()

    def echo(line: str) -> None:
        if not line.startswith("  ") or line.strip().split("/")[0].endswith("00"):
            print(f"  [{harvester} {run}] {line.strip()}", file=sys.stderr)

    profiler = cProfile.Profile() if profile else None
    with Meter(traced) as meter:
        if profiler:
            profiler.enable()
        status = runner.run_now(source, echo)
        if profiler:
            profiler.disable()
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(f"\ncProfile of {harvester} {run} (times inflated by the profiler):")
        print(out.getvalue())
    job = status["last_job"]
    errors = (
        model.Session.query(HarvestObjectError)
        .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
        .filter(HarvestObject.harvest_job_id == job["id"])
        .count()
        + model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job["id"]).count()
    )
    first = job["gather_errors"][0] if job["gather_errors"] else ""
    if not first:
        row = (
            model.Session.query(HarvestObjectError.message, HarvestObject.guid)
            .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
            .filter(HarvestObject.harvest_job_id == job["id"])
            .order_by(HarvestObjectError.created)
            .first()
        )
        first = f"{row[1]}: {row[0].split(' / Traceback', 1)[0][:800]}" if row else ""
    return Run(harvester, run, job["counts"], status["datasets"], errors, first, meter)


def run_ours(
    base: str, directory: Path, datasets: int, pages: int, traced: bool, profile: bool
) -> list[Run]:
    import ckan.plugins.toolkit as tk

    from ckanext.tgn.lib import refdata
    from ckanext.tgn.lib.context import site_user_context

    epci = refdata.epcis()[0]
    organisation(epci, "bench-harvest-ours")
    source = {
        "name": OURS_SOURCE,
        "title": "Catalogue du partenaire (banc)",
        "type": "dcat",
        "url": f"{base}/catalog.ttl",
        "organization": {"siren": epci["siren"]},
        "schedule": "manual",
        "datagouv": {"expose": True},
        "limits": {"max_datasets": max(5000, datasets), "max_pages": max(100, pages)},
    }
    (directory / f"{OURS_SOURCE}.yaml").write_text(
        yaml.safe_dump(source, allow_unicode=True), encoding="utf-8"
    )
    report = tk.get_action("tgn_harvest_sync")(site_user_context(), {})
    assert not report["errors"] and report["created"], report
    first = harvest("ours", "first", OURS_SOURCE, traced, profile)
    second = harvest("ours", "second", OURS_SOURCE, traced, profile)
    assert first.counts == {"added": datasets}, f"first run of ours: {first.counts}"
    assert second.counts == {"not modified": datasets}, f"second run of ours: {second.counts}"
    return [first, second]


def run_stock(base: str, traced: bool) -> list[Run]:
    import ckan.plugins.toolkit as tk

    from ckanext.tgn.lib import refdata
    from ckanext.tgn.lib.context import site_user_context

    org = organisation(refdata.epcis()[1], "bench-harvest-stock")
    tk.get_action("harvest_source_create")(
        site_user_context(),
        {
            "name": STOCK_SOURCE,
            "title": "Catalogue du partenaire (banc, moissonneur de ckanext-dcat)",
            "url": f"{base}/catalog.ttl",
            "source_type": "dcat_rdf",
            "frequency": "MANUAL",
            "owner_org": org["id"],
        },
    )
    return [harvest("stock", run, STOCK_SOURCE, traced) for run in ("first", "second")]


# --- report ------------------------------------------------------------------------------------
def report(runs: list[Run], traced: bool) -> None:
    how = runs[0].meter.how
    peak = "peak MB" if how == "VmHWM" else "maxrss+MB"
    header = f"{'harvester':<10}{'run':<8}{'records':>8}{'stored':>8}{'errors':>8}"
    header += f"{'seconds':>9}{'rec/s':>8}{'ms/rec':>8}{peak:>10}"
    if traced:
        header += f"{'traced MB':>10}"
    print("\n" + header)
    for r in runs:
        ms = 1000 * r.meter.seconds / r.records if r.records else float("nan")
        line = f"{r.harvester:<10}{r.run:<8}{r.records:>8}{r.stored:>8}{r.errors:>8}"
        line += f"{r.meter.seconds:>9.1f}{r.rate:>8.1f}{ms:>8.1f}{r.meter.rss_mb:>10.1f}"
        if traced and r.meter.traced_mb is not None:
            line += f"{r.meter.traced_mb:>10.1f}"
        print(line)
    for r in runs:
        print(f"  {r.harvester} {r.run}: {json.dumps(r.counts, ensure_ascii=False)}")
    for r in runs:
        if r.first_error:
            print(f"  first error of {r.harvester} {r.run} ({r.errors} errors): {r.first_error}")
    ours = {r.run: r for r in runs if r.harvester == "ours"}
    stock = {r.run: r for r in runs if r.harvester == "stock"}
    if stock:
        print("\nours / stock (time per record; memory):")
        for run in ("first", "second"):
            o, s = ours[run], stock[run]
            per_o, per_s = o.meter.seconds / o.records, s.meter.seconds / max(s.records, 1)
            line = f"  {run:<7} time per record {per_o / per_s:5.2f}x"
            line += f"   whole run {o.meter.seconds / s.meter.seconds:5.2f}x"
            if s.meter.rss_mb > 0:
                line += f"   peak memory {o.meter.rss_mb / s.meter.rss_mb:5.2f}x"
            if traced and o.meter.traced_mb and s.meter.traced_mb:
                line += f"   traced {o.meter.traced_mb / s.meter.traced_mb:5.2f}x"
            print(line)
        if stock["first"].stored < stock["first"].records:
            print(
                f"  (stock stored {stock['first'].stored} of {stock['first'].records} records: "
                "its times are those of refusing the rest, not of storing them)"
            )
    print(
        "\npeak memory: "
        + (
            "growth of the resident set during the run (VmHWM reset before it)"
            if how == "VmHWM"
            else "growth of ru_maxrss during the run (0 when an earlier run went higher)"
        )
        + (
            "; traced: tracemalloc's peak of the run (its overhead is in the times)"
            if traced
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=2000, help="datasets in the catalog")
    parser.add_argument("--pages", type=int, default=20, help="Turtle pages they are served in")
    parser.add_argument("--no-stock", action="store_true", help="ours only")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="print a cProfile of both runs of ours"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the harvested datasets in the test database"
    )
    args = parser.parse_args()
    if not 1 <= args.pages <= args.datasets:
        parser.error("--pages must be between 1 and --datasets")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    wait_for_tests()
    t0 = time.perf_counter()
    warnings.simplefilter("ignore")
    directory = Path(tempfile.mkdtemp(prefix="bench-harvest-"))
    config = load_config(str(INI))
    if not args.no_stock:
        config["ckan.plugins"] = f"{config['ckan.plugins']} {STOCK_PLUGIN}"
    config["ckanext.tgn.harvest.sources_directory"] = str(directory)
    config["ckanext.tgn.harvest.allow_private_addresses"] = "true"
    app = make_app(config)
    logging.disable(logging.WARNING)
    socket.getaddrinfo = resolver()  # *.test -> 127.0.0.1, as in the harvest tests
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    state = catalog_server.fresh_state()
    with flask_app.test_request_context(), catalog_server.serving() as url:
        base = f"http://{HOST}:{url.rsplit(':', 1)[1]}"
        pages = catalog_pages(base, args.datasets, args.pages)
        for path, body in pages.items():
            state["routes"][path] = catalog_server.Answer(body, "text/turtle; charset=utf-8")
        size = sum(len(b.encode()) for b in pages.values()) / MB
        print(
            f"catalog: {args.datasets} datasets (3 distributions each) in {args.pages} Turtle "
            f"pages, {size:.1f} MB; tgn_dcat (ours) against dcat_rdf (ckanext-dcat, stock)"
        )
        reset_database()
        try:
            runs = run_ours(
                base, directory, args.datasets, args.pages, args.tracemalloc, args.cprofile
            )
            if not args.no_stock:
                runs += run_stock(base, args.tracemalloc)
            report(runs, args.tracemalloc)
        finally:
            if not args.keep:
                reset_database()
            for file in directory.iterdir():
                file.unlink()
            directory.rmdir()
    print(f"\n(run took {time.perf_counter() - t0:.0f} s, set-up included)")


if __name__ == "__main__":
    main()
