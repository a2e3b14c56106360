"""A full crawl of the DCAT catalog, page by page, as data.gouv.fr does it: ours with the
fragment cache cold and warm, against stock ckanext-dcat on the same stored datasets.

Usage: dcat_crawl.py [--datasets 5000] [--reuse] [--keep] [--formats ttl,xml,jsonld]

Set-up, on the test services of test.ini: the test database is reset (as the suite's tgn_db
fixture does, with the tgn_dcat migration), then ``--datasets`` realistic public datasets are
stored through ``package_create`` in three organisations (the EPCIs Grand Montauban, Terres
des Confluences and Lomagne, with their SIREN): title, description, two themes, frequency, a period,
contact, keywords, one or two territories of the organisation (each with its real outline),
three resources; plus 1 % of private, draft and deleted decoys. ``--reuse`` keeps what a
previous ``--keep`` run stored when it is the same size.

Then the real WSGI app (``make_app``, every middleware) answers every page of:
- stock (interleaved page by page with ours cold, so that the machine's load weighs on both
  alike): ckanext-dcat's own endpoint (moved to ``/stock/catalog.{_format}`` for this process)
  with its ``euro_dcat_ap_3`` profile (``?profiles=euro_dcat_ap_3``), its order and paging;
- ours cold: ``/catalog.{format}`` right after ``ckan tgn dcat clear`` (every fragment is
  rendered and stored by the crawl itself);
- ours warm: the same crawl again.
Per format: total seconds, page p50 / p95, MB served, ratios against stock; then checks that
the speed does not come from serving less (triples and datasets of the warm crawl, no decoy,
two pages isomorphic with the uncached profile's), one edit re-rendering exactly one
fragment, the cache's size per dataset and the peak traced memory of one page per mode.

Never run it while a ``pytest --ckan-ini`` is running: it waits for one to end.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

from bench_db import reset_database, wait_for_tests  # bench/, beside this file

ROOT = Path(__file__).resolve().parents[1]
INI = ROOT / "test.ini"
MB = 1024 * 1024
SEED = 82
EPCIS = ("248200099", "200066322", "248200065")  # Grand Montauban, Terres des Confluences, Lomagne
PER_PAGE = 100
SUFFIXES = ("ttl", "xml", "jsonld")
RDFLIB = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld"}
THEMES = ("GOVE", "ECON", "SOCI", "TRAN", "ENVI", "REGI", "EDUC", "HEAL", "AGRI", "ENER")
FREQUENCIES = ("MONTHLY", "ANNUAL", "QUARTERLY", "IRREG", "WEEKLY")
TOPICS = (
    "Délibérations du conseil",
    "Subventions aux associations",
    "Budget primitif",
    "Comptages routiers",
    "Équipements sportifs",
    "Collecte des déchets",
    "Qualité de l'eau",
    "Parcelles cadastrales",
)
WORDS = (  # noqa: SIM905 (a sentence is easier to read than a list of words)
    "données ouvertes collectivité territoire conseil commune intercommunalité service public "
    "mise à jour fichier publié format ouvert réutilisation libre schéma national producteur "
    "agents habitants équipements budget voirie environnement relevés période année"
).split()
FORMATS = (("CSV", "text/csv"), ("JSON", "application/json"), ("PDF", "application/pdf"))


# --- the stored catalog ---------------------------------------------------------------------------
def _dataset(number: int, org: dict[str, Any], epci: dict[str, Any], rng: random.Random) -> dict:
    topic = TOPICS[number % len(TOPICS)]
    year = 2015 + number % 10
    places = [epci["siren"]] if rng.random() < 0.4 else rng.sample(epci["members"], 1)
    if rng.random() < 0.3:
        places.append(rng.choice(epci["members"]))
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
        for _ in range(3)
    ]
    slug = f"jeu-{number:05d}"
    return {
        "name": slug,
        "title": f"{topic} {year} (lot {number})",
        "notes": f"{topic} ({year}). " + " ".join(sentences),
        "owner_org": org["id"],
        "theme": rng.sample(THEMES, 2),
        "frequency": FREQUENCIES[number % len(FREQUENCIES)],
        "temporal_start": f"{year}-01-01",
        "temporal_end": f"{year}-12-31",
        "territories": sorted(set(places)),
        "language": ["FRA"],
        "contact_name": "Service des données",
        "contact_email": f"donnees{number % 7}@exemple.fr",
        "license_id": "lov2" if number % 5 else "odc-odbl",
        "tags": [{"name": w} for w in rng.sample([w for w in WORDS if len(w) > 2], 3)]
        + [{"name": str(year)}],
        "url": f"https://www.exemple.fr/donnees/{slug}",
        "resources": [
            {
                "url": f"https://www.exemple.fr/fichiers/{slug}.{fmt.lower()}",
                "name": f"{topic} {year} ({fmt})",
                "description": f"Fichier {fmt} du jeu {number}.",
                "format": fmt,
                "mimetype": media,
                "size": rng.randint(2_000, 9_000_000),
            }
            for fmt, media in FORMATS
        ],
    }


def store_catalog(count: int) -> dict[str, Any]:
    """``count`` public datasets and 1 % of each kind of decoy, created as an agent would."""
    import ckan.plugins.toolkit as tk

    from ckanext.tgn.lib import refdata
    from ckanext.tgn.lib.context import site_user_context

    rng = random.Random(SEED)
    orgs, epcis = [], []
    for siren in EPCIS:
        epci = refdata.epci(siren)
        assert epci is not None, siren
        epcis.append(epci)
        orgs.append(
            tk.get_action("organization_create")(
                site_user_context(),
                {
                    "name": refdata.slug(epci["name"]),
                    "title": epci["name"],
                    "territory_kind": "epci",
                    "epci_nature": epci["nature"],
                    "siren": siren,
                },
            )
        )
    create = tk.get_action("package_create")
    started = time.perf_counter()
    decoys: dict[str, list[str]] = {"private": [], "draft": [], "deleted": []}
    every = max(1, count // 100)
    for number in range(count):
        data = _dataset(number, orgs[number % 3], epcis[number % 3], rng)
        create(site_user_context(), data)
        if number % every == 0:
            for kind in decoys:
                decoy = _dataset(count + len(decoys[kind]) * 3 + len(kind), orgs[0], epcis[0], rng)
                decoy["name"] = f"leurre-{kind}-{len(decoys[kind])}"
                decoy["private"] = kind == "private"
                if kind == "draft":
                    decoy["state"] = "draft"
                made = create(site_user_context(), decoy)
                if kind == "deleted":
                    tk.get_action("package_delete")(site_user_context(), {"id": made["id"]})
                decoys[kind].append(made["id"])
        if (number + 1) % 500 == 0:
            rate = (number + 1) / (time.perf_counter() - started)
            print(f"  {number + 1}/{count} jeux enregistrés ({rate:.1f}/s)", flush=True)
    return {"orgs": orgs, "decoys": [i for ids in decoys.values() for i in ids]}


def stored_count() -> int:
    from ckan import model

    return (
        model.Session.query(model.Package)
        .filter(model.Package.state == "active", model.Package.private.is_(False))
        .count()
    )


# --- crawling -------------------------------------------------------------------------------------
class Crawl:
    def __init__(self, label: str, suffix: str) -> None:
        self.label, self.suffix = label, suffix
        self.times: list[float] = []
        self.bytes = 0
        self.bodies: list[bytes] = []

    @property
    def total(self) -> float:
        return sum(self.times)

    def p(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fetch(client: Any, into: Crawl, url: str, keep: bool = False) -> None:
    """One page, timed, into ``into``; anything but a 200 stops the benchmark."""
    t0 = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    into.times.append(time.perf_counter() - t0)
    assert response.status_code == 200, (into.label, url, response.status_code, body[:300])
    into.bytes += len(body)
    if keep:
        into.bodies.append(body)


def crawl(client: Any, label: str, path: str, suffix: str, pages: int, keep: bool) -> Crawl:
    result = Crawl(label, suffix)
    separator = "&" if "?" in path else "?"
    for page in range(1, pages + 1):
        fetch(client, result, f"{path}{separator}page={page}", keep)
    return result


def interleaved(client: Any, suffix: str, pages: int) -> tuple[Crawl, Crawl]:
    """Stock and ours cold, page after page in turn, so that the machine's load weighs on
    both alike (ours cold right after the cache was emptied)."""
    from ckanext.tgn.dcat import store

    store.clear()
    stock, cold = Crawl("stock", suffix), Crawl("ours cold", suffix)
    for page in range(1, pages + 1):
        fetch(client, stock, f"/stock/catalog.{suffix}?profiles=euro_dcat_ap_3&page={page}")
        fetch(client, cold, f"/catalog.{suffix}?page={page}")
    return stock, cold


def traced_peak(client: Any, url: str) -> float:
    tracemalloc.start()
    client.get(url).get_data()
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return peak


def checks(client: Any, warm: Crawl, decoys: list[str], datasets: int) -> list[str]:
    """What the warm crawl served, and two pages compared with the uncached profile's."""
    import ckan.plugins.toolkit as tk
    import rdflib
    from rdflib.compare import isomorphic
    from rdflib.namespace import DCAT, RDF

    graph = rdflib.Graph()
    for body in warm.bodies:
        graph.parse(data=body, format=RDFLIB[warm.suffix])
    found = {str(s).rsplit("/", 1)[1] for s in graph.subjects(RDF.type, DCAT.Dataset)}
    lines = [
        f"{warm.suffix}: warm crawl {len(graph)} triples, {len(found)} datasets "
        f"(expected {datasets}), decoys served: {len(found & set(decoys))}"
    ]
    for page in (1, len(warm.bodies) // 2 + 1):
        url = f"/catalog.{warm.suffix}?page={page}"
        tk.config["ckanext.tgn.dcat.cache"] = False
        try:
            uncached = client.get(url).get_data()
        finally:
            tk.config["ckanext.tgn.dcat.cache"] = True
        same = isomorphic(
            rdflib.Graph().parse(data=warm.bodies[page - 1], format=RDFLIB[warm.suffix]),
            rdflib.Graph().parse(data=uncached, format=RDFLIB[warm.suffix]),
        )
        lines.append(f"{warm.suffix}: page {page} isomorphic with the uncached profile: {same}")
    return lines


def one_edit(client: Any) -> str:
    """After a warm crawl, one package_patch: how many fragments the next crawl renders."""
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    from ckanext.tgn.dcat import store
    from ckanext.tgn.lib.context import site_user_context

    def rendered() -> dict[str, Any]:
        model.Session.remove()
        rows = model.Session.execute(
            sa.select(store.fragment_table.c.package_id, store.fragment_table.c.rendered)
        )
        return dict(rows.fetchall())

    before = rendered()
    tk.get_action("package_patch")(site_user_context(), {"id": "jeu-00042", "notes": "Corrigé."})
    pages = -(-stored_count() // PER_PAGE)
    crawl(client, "after edit", "/catalog.ttl", "ttl", pages, keep=False)
    after = rendered()
    changed = [i for i in after if after[i] != before.get(i)]
    return f"one package_patch, then a full Turtle crawl: {len(changed)} fragment(s) rendered"


def cache_size() -> str:
    import sqlalchemy as sa
    from ckan import model

    model.Session.remove()
    total = model.Session.execute(
        sa.text("SELECT pg_total_relation_size('tgn_dcat_fragment')")
    ).scalar()
    shared = model.Session.execute(
        sa.text("SELECT pg_total_relation_size('tgn_dcat_shared')")
    ).scalar()
    rows = model.Session.execute(sa.text("SELECT count(*) FROM tgn_dcat_fragment")).scalar()
    per = (total or 0) / max(1, rows or 0) / 3 / 1024
    return (
        f"cache: {rows} fragments, {(total or 0) / MB:.1f} MB (+{(shared or 0) / MB:.1f} MB of "
        f"shared blocks) after TOAST, {per:.1f} kB per dataset and format"
    )


def report(results: list[tuple[Crawl, Crawl, Crawl]]) -> None:
    print("\nformat  crawl       pages  total s   p50 ms   p95 ms     MB   ratio to stock")
    for stock, cold, warm in results:
        for c in (stock, cold, warm):
            ratio = c.total / stock.total if stock.total else 0
            print(
                f"{c.suffix:<7} {c.label:<10} {len(c.times):>6} {c.total:>8.1f} "
                f"{c.p(0.5) * 1000:>8.0f} {c.p(0.95) * 1000:>8.0f} {c.bytes / MB:>6.1f}   "
                f"{ratio:.3f}x"
            )
    print("\nmust hold: warm <= 0.10 x stock, warm p95 <= 200 ms, cold <= 1.1 x stock")
    for stock, cold, warm in results:
        print(
            f"  {warm.suffix}: warm/stock {warm.total / stock.total:.3f} "
            f"({'ok' if warm.total <= 0.10 * stock.total else 'MISSED'}), "
            f"warm p95 {warm.p(0.95) * 1000:.0f} ms "
            f"({'ok' if warm.p(0.95) <= 0.2 else 'MISSED'}), "
            f"cold/stock {cold.total / stock.total:.3f} "
            f"({'ok' if cold.total <= 1.1 * stock.total else 'MISSED'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true", help="keep a --keep run's datasets")
    parser.add_argument("--keep", action="store_true", help="leave the datasets stored")
    parser.add_argument("--formats", default=",".join(SUFFIXES))
    args = parser.parse_args()
    suffixes = [s for s in args.formats.split(",") if s]

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    wait_for_tests()
    t0 = time.perf_counter()
    warnings.simplefilter("ignore")
    config = load_config(str(INI))
    config["ckanext.dcat.catalog_endpoint"] = "/stock/catalog.{_format}"
    config["ckanext.dcat.datasets_per_page"] = str(PER_PAGE)
    config["ckanext.tgn.dcat.render_on_write"] = "false"  # the cold crawl renders them all
    app = make_app(config)
    logging.disable(logging.WARNING)
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    client = Client(app)

    from ckan import model

    from ckanext.tgn.dcat import store

    with flask_app.test_request_context():
        if args.reuse and stored_count() == args.datasets:
            print(f"reusing the {args.datasets} datasets stored by a previous --keep run")
            decoys = [
                p.id
                for p in model.Session.query(model.Package).filter(
                    model.Package.name.like("leurre-%")
                )
            ]
        else:
            reset_database()
            t1 = time.perf_counter()
            stored = store_catalog(args.datasets)
            decoys = stored["decoys"]
            print(f"stored {args.datasets} datasets in {time.perf_counter() - t1:.0f} s")
        model.Session.remove()
        pages = -(-stored_count() // PER_PAGE)
        print(f"{stored_count()} public datasets, {pages} pages of {PER_PAGE}, formats {suffixes}")

        results, lines = [], []
        peaks: dict[str, float] = {}
        for suffix in suffixes:
            stock, cold = interleaved(client, suffix, pages)
            warm = crawl(client, "ours warm", f"/catalog.{suffix}", suffix, pages, keep=True)
            print(
                f"  {suffix}: stock {stock.total:.1f} s, cold {cold.total:.1f} s, "
                f"warm {warm.total:.1f} s",
                flush=True,
            )
            results.append((stock, cold, warm))
            lines += checks(client, warm, decoys, stored_count())
            warm.bodies = []
            middle = f"page={pages // 2 + 1}"
            peaks[f"{suffix} stock"] = traced_peak(
                client, f"/stock/catalog.{suffix}?profiles=euro_dcat_ap_3&{middle}"
            )
            peaks[f"{suffix} warm"] = traced_peak(client, f"/catalog.{suffix}?{middle}")
            store.clear()
            peaks[f"{suffix} cold"] = traced_peak(client, f"/catalog.{suffix}?{middle}")
        report(results)
        print()
        for line in lines:
            print(line)
        print(
            "peak traced memory of one page (MB): "
            + ", ".join(f"{k} {v:.1f}" for k, v in peaks.items())
        )
        crawl(client, "warm-up", f"/catalog.{suffixes[0]}", suffixes[0], pages, keep=False)
        print(one_edit(client))
        print(cache_size())
        if not args.keep:
            reset_database()
    print(f"\n(run took {time.perf_counter() - t0:.0f} s, set-up included)")


if __name__ == "__main__":
    main()
