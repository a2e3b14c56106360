"""The platform under load, served as in production (gunicorn and its sync workers), against
stock CKAN on the same stored datasets in the same run.

Usage: http_load.py [--datasets 5000] [--clients 10,50] [--seconds 20] [--fresh]
                    [--only ours|stock] [--workers N] [--kinds dataset,search]

Set-up (bench/http_load.ini: a database, DataStore, Redis database and Solr site of its own,
created by scripts/services.sh): ``--datasets`` realistic public datasets (bench/dcat_crawl.py's
generator: three EPCI organisations, themes, territories with their outlines, three resources
each, 1 % private, draft and deleted decoys) stored through ``package_create`` with Solr
committing once at the end (a later run reuses them when the count matches, ``--fresh`` stores
them again); at every run, what is missing of the DCAT descriptions and of the pages' schema.org
documents is prepared (``ckan tgn dcat warm``), as the scheduler does when it starts.

Then, for ours (bench/http_load.ini) and stock (bench/http_load_stock.ini: plugins ``activity
dcat``, ckanext-dcat's euro_dcat_ap_3 profile, no scheming), each in turn alone on the
machine: gunicorn as docker/Dockerfile runs it (docker/wsgi.py, the image's number of workers
unless --workers), warmed, then for
each number of clients and each page kind, that many closed-loop clients (each sends its next
request when the last one answered) for ``--seconds``, each request a new connection as
gunicorn's sync workers want. Page kinds: the home page; a search with a facet filter (a word
of the catalog and an organisation, a format or a tag, rotating); a dataset page and a
resource page (rotating over every stored dataset: no page is asked twice in a row); a page
of the DCAT catalog in Turtle (rotating over every page). Prints per kind and run: requests,
requests a second, p50 / p95 / p99 in ms, errors (anything but a 200, or no answer within
30 s), and the ratio of our p95 to stock's; then the targets (dataset page p95 < 300 ms and
search p95 < 500 ms at 10 clients, no error at 50).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OURS_INI = BENCH / "http_load.ini"
STOCK_INI = BENCH / "http_load_stock.ini"
PORT = 5077
VENV_BIN = ROOT / ".venv" / "bin"
SEED = 82
WORDS = ("budget", "subventions", "déchets", "eau", "délibérations", "routiers", "sportifs")
TIMEOUT = 30.0
LOG = ROOT / ".local" / "logs" / "http_load-gunicorn.log"


# --- the stored catalog ---------------------------------------------------------------------------
def prepare(datasets: int, fresh: bool) -> dict[str, Any]:
    """The stored datasets (made once), and what the clients ask for: dataset names, resource
    ids, organisation names, tags, catalog pages."""
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    warnings.simplefilter("ignore")
    config = load_config(str(OURS_INI))
    config["ckan.search.solr_commit"] = "false"  # one commit after the loading
    app = make_app(config)
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    from bench_db import reset_database  # bench/, beside this file
    from dcat_crawl import store_catalog, stored_count

    with flask_app.test_request_context():
        if fresh or _count(stored_count) != datasets:
            reset_database()
            started = time.perf_counter()
            print(f"storing {datasets} datasets (a few minutes)...", flush=True)
            store_catalog(datasets)
            from ckan.lib.search.common import make_connection

            make_connection().commit()
            print(f"stored {datasets} datasets in {time.perf_counter() - started:.0f} s")
        else:
            print(f"reusing the {datasets} stored datasets (--fresh to store them again)")
        # As the scheduler does when it starts: what is missing or stale is prepared (the
        # DCAT fragments, the pages' schema.org documents in Redis); the rest is kept.
        warm = time.perf_counter()
        subprocess.run(
            [VENV_BIN / "ckan", "-c", OURS_INI, "tgn", "dcat", "warm"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"DCAT and schema.org descriptions prepared in {time.perf_counter() - warm:.0f} s")
        public = (
            model.Session.query(model.Package)
            .filter(model.Package.state == "active", model.Package.private.is_(False))
            .filter(model.Package.type == "dataset")
        )
        names = [p.name for p in public]
        resources = [
            (p.name, r.id)
            for p in public.limit(2000)
            for r in p.resources_all
            if r.state == "active"
        ]
        orgs = [g.name for g in model.Session.query(model.Group).filter_by(is_organization=True)]
        tags = [t.name for t in model.Session.query(model.Tag).limit(30)]
        model.Session.remove()
    return {"names": names, "resources": resources, "orgs": orgs, "tags": tags}


def _count(stored_count: Any) -> int:
    """Datasets stored by an earlier run; none in a database never set up."""
    from ckan import model
    from sqlalchemy.exc import ProgrammingError

    try:
        return stored_count()
    except ProgrammingError:
        model.Session.rollback()
        return 0


def page_kinds(catalog: dict[str, Any]) -> dict[str, list[str]]:
    """For each kind of page, the paths the clients go through in turn."""
    rng = random.Random(SEED)
    names = list(catalog["names"])
    rng.shuffle(names)
    resources = list(catalog["resources"])
    rng.shuffle(resources)
    searches = []
    for number in range(300):
        word = quote(WORDS[number % len(WORDS)])
        facet = (
            f"organization={catalog['orgs'][number % len(catalog['orgs'])]}",
            "res_format=CSV",
            f"tags={quote(catalog['tags'][number % len(catalog['tags'])])}",
        )[number % 3]
        searches.append(f"/dataset/?q={word}&{facet}&page={1 + number % 3}")
    pages = -(-len(names) // 100)
    catalog_pages = [f"/catalog.ttl?page={1 + n % pages}" for n in range(pages)]
    rng.shuffle(catalog_pages)
    return {
        "home": ["/"],
        "search": searches,
        "dataset": [f"/dataset/{n}" for n in names],
        "resource": [f"/dataset/{n}/resource/{r}" for n, r in resources],
        "catalog": catalog_pages,
    }


# --- the server -----------------------------------------------------------------------------------
def start_server(ini: Path, workers: int) -> subprocess.Popen:
    """gunicorn as the production image runs it, answering once every worker is ready."""
    env = dict(os.environ, CKAN_INI=str(ini))
    LOG.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            VENV_BIN / "gunicorn",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT / "docker"),
            "wsgi:application",
        ],
        env=env,
        start_new_session=True,
        stdout=LOG.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            status, _ = get("/api/3/action/status_show")
            if status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up ({ini.name})")
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not answer within 120 s")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def get(path: str) -> tuple[int, int]:
    """One request on a new connection: status and body size."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


# --- the load -------------------------------------------------------------------------------------
@dataclass
class Run:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.times)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def load(paths: list[str], clients: int, seconds: float) -> Run:
    """``clients`` closed-loop clients for ``seconds``, sharing one rotation of ``paths``."""
    run = Run()
    lock = threading.Lock()
    position = [0]
    stop_at = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop_at:
            with lock:
                path = paths[position[0] % len(paths)]
                position[0] += 1
            started = time.perf_counter()
            try:
                status, _ = get(path)
                error = None if status == 200 else f"{status} {path}"
            except OSError as exc:
                error = f"{type(exc).__name__} {path}"
            elapsed = time.perf_counter() - started
            with lock:
                run.times.append(elapsed)
                if error:
                    run.errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def production_workers() -> int:
    """gunicorn's --workers in the production image's command (docker/Dockerfile)."""
    found = re.search(r'"--workers", "(\d+)"', (ROOT / "docker" / "Dockerfile").read_text())
    if not found:
        raise SystemExit("docker/Dockerfile: no gunicorn --workers in its CMD")
    return int(found.group(1))


def measure(
    label: str,
    ini: Path,
    kinds: dict[str, list[str]],
    clients: list[int],
    seconds: float,
    workers: int,
) -> dict[tuple[int, str], Run]:
    process = start_server(ini, workers=workers)
    try:
        for paths in kinds.values():  # every worker loads its templates and caches
            load(paths[:30], clients=3, seconds=3)
        results = {}
        for count in clients:
            for kind, paths in kinds.items():
                run = load(paths, count, seconds)
                results[(count, kind)] = run
                print(
                    f"  {label:5} {count:3} clients {kind:8} {len(run.times):5} req "
                    f"{len(run.times) / run.seconds:6.1f}/s  p50 {run.p(0.5):6.0f}  "
                    f"p95 {run.p(0.95):6.0f}  p99 {run.p(0.99):6.0f} ms  "
                    f"errors {len(run.errors)}"
                    + (f" (first: {run.errors[0]})" if run.errors else ""),
                    flush=True,
                )
        return results
    finally:
        stop_server(process)


def report(
    ours: dict[tuple[int, str], Run], stock: dict[tuple[int, str], Run], clients: list[int]
) -> None:
    head = "clients  page      ours p50/p95/p99 ms   req/s   stock p50/p95/p99 ms   req/s"
    print(f"\n{head}  p95 ratio")
    for (count, kind), run in ours.items():
        base = stock[(count, kind)]
        print(
            f"{count:7}  {kind:8}  {run.p(0.5):5.0f} {run.p(0.95):5.0f} {run.p(0.99):5.0f}"
            f"  {len(run.times) / run.seconds:8.1f}   {base.p(0.5):5.0f} {base.p(0.95):5.0f} "
            f"{base.p(0.99):5.0f}  {len(base.times) / base.seconds:8.1f}  "
            f"{run.p(0.95) / base.p(0.95):6.2f}"
            + (f"  errors ours {len(run.errors)} stock {len(base.errors)}")
        )
    print()
    if 10 in clients and {"dataset", "search"} <= {kind for _, kind in ours}:
        dataset, search = ours[(10, "dataset")].p(0.95), ours[(10, "search")].p(0.95)
        print(f"target dataset page p95 < 300 ms at 10 clients: {dataset:.0f} ms")
        print(f"target search p95 < 500 ms at 10 clients: {search:.0f} ms")
    if 50 in clients:
        errors = sum(len(run.errors) for (count, _), run in ours.items() if count == 50)
        print(f"target no error at 50 clients: {errors} error(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--clients", default="10,50")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--fresh", action="store_true", help="store the datasets again")
    parser.add_argument("--only", choices=("ours", "stock"), help="measure one side only")
    parser.add_argument(
        "--workers", type=int, default=production_workers(), help="default: docker/Dockerfile's"
    )
    parser.add_argument("--kinds", help="comma-separated page kinds (default: all five)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",") if c]
    t0 = time.perf_counter()
    catalog = prepare(args.datasets, args.fresh)
    kinds = page_kinds(catalog)
    if args.kinds:
        kinds = {kind: kinds[kind] for kind in args.kinds.split(",")}
    print(
        f"{len(catalog['names'])} public datasets; gunicorn {args.workers} workers on "
        f"{os.cpu_count()} cores;"
        f" {args.seconds:.0f} s per page kind and number of clients",
        flush=True,
    )
    results = {}
    for label, ini in (("ours", OURS_INI), ("stock", STOCK_INI)):
        if args.only in (None, label):
            results[label] = measure(label, ini, kinds, clients, args.seconds, args.workers)
    if len(results) == 2:
        report(results["ours"], results["stock"], clients)
    print(f"\n(run took {time.perf_counter() - t0:.0f} s, set-up included)")


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    main()
