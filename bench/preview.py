"""How long an uploaded table takes to be previewable: upload, validation, DataStore load,
first page of the preview, a filtered query of the data API.

Usage: preview.py [--rows 100000] [--baseline 1000]

The platform is served for real on the test services (``ckan run`` and ``ckan jobs worker``
subprocesses, tests/helpers/live.py) on a reset test database. Two délibérations tables are
uploaded by an editor through the API: the baseline (``--baseline`` rows) and the measured
one (``--rows``), both claiming the national schema, so each goes through validation before
xloader loads it, as on the platform. Printed per table: size, upload seconds, validation
seconds, load seconds (report finished to ``datastore_active``), total to a previewable
table, the preview's first page (the DataTables view's own query) and a ``datastore_search``
with a filter and a sort; then the ratios of the measured table to the baseline, per table
and per row.

Never run it while a ``pytest --ckan-ini`` is running: it waits for one to end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.helpers: the live site, the table server, the rows

from bench_db import reset_database, wait_for_tests  # noqa: E402  (bench/, beside this file)

from tests.helpers import live, table_server  # noqa: E402
from tests.helpers.tables import DELIBERATIONS, csv_bytes, deliberation  # noqa: E402

INI = ROOT / "test.ini"


def _until(what: str, check, timeout: float = 1800) -> float:
    """Seconds until ``check()`` is true (polled every 0.2 s)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def _call(site: str, headers: dict[str, str], action: str, **params: Any) -> dict[str, Any]:
    response = requests.post(f"{site}/api/3/action/{action}", json=params, headers=headers,
                             timeout=600)  # fmt: skip
    response.raise_for_status()
    return response.json()["result"]


def measure(site: str, headers: dict[str, str], dataset_id: str, rows: int) -> dict[str, float]:
    body = csv_bytes([deliberation(n % 1000 + 1, DELIB_ID=f"DEL-{n:06d}") for n in range(rows)])
    start = time.perf_counter()
    response = requests.post(
        f"{site}/api/3/action/resource_create",
        data={"package_id": dataset_id, "name": f"{rows} lignes", "format": "CSV",
              "conforms_to": DELIBERATIONS},
        files={"upload": ("deliberations.csv", body, "text/csv")}, headers=headers, timeout=600,
    )  # fmt: skip
    response.raise_for_status()
    resource_id = response.json()["result"]["id"]
    upload = time.perf_counter() - start

    def report() -> dict[str, Any] | None:
        shown = requests.post(f"{site}/api/3/action/tgn_validation_show", json={"id": resource_id},
                              headers=headers, timeout=60).json().get("result") or {}  # fmt: skip
        return shown if shown.get("status") in ("valide", "invalide", "erreur") else None

    validated = upload + _until("the validation", report)
    if (status := report()["status"]) != "valide":  # type: ignore[index]
        raise SystemExit(f"the table was found {status}")

    def preview_view() -> str | None:
        """The DataTables view, once the table is loaded and the view made: previewable."""
        if not _call(site, headers, "resource_show", id=resource_id).get("datastore_active"):
            return None
        views = _call(site, headers, "resource_view_list", id=resource_id)
        return next((v["id"] for v in views if v["view_type"] == "datatables_view"), None)

    loaded = validated + _until("the DataStore load and its view", preview_view)
    view_id = preview_view()
    start = time.perf_counter()
    page = requests.post(f"{site}/datatables/ajax/{view_id}", data={
        "draw": "1", "start": "0", "length": "20", "search[value]": "",
        "order[0][column]": "0", "order[0][dir]": "asc",
        "columns[0][data]": "_id", "columns[0][searchable]": "true",
    }, headers=headers, timeout=120)  # fmt: skip
    page.raise_for_status()
    first_page = time.perf_counter() - start
    assert page.json()["recordsTotal"] == rows, page.text[:300]
    start = time.perf_counter()
    found = _call(site, headers, "datastore_search", resource_id=resource_id,
                  filters={"DELIB_ID": f"DEL-{rows - 1:06d}"}, sort="DELIB_DATE desc")  # fmt: skip
    query = time.perf_counter() - start
    assert found["total"] == 1
    return {
        "MB": len(body) / 1e6, "upload": upload, "validation": validated - upload,
        "load": loaded - validated, "previewable": loaded, "first page": first_page,
        "filtered query": query,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.tests import factories

    from tests.conftest import clean_datastore
    from tests.helpers import data

    wait_for_tests()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    app = make_app(load_config(str(INI)))
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    with flask_app.test_request_context(), table_server.serving() as tables:
        reset_database()
        clean_datastore()
        robot = factories.Sysadmin(name="xloader-robot")
        settings = {
            "ckanext.xloader.api_token": factories.APIToken(user=robot["name"])["token"],
            "ckanext.tgn.validation.schema_catalog_url": f"{tables}/sdgf/schemas.json",
            "ckanext.tgn.validation.allow_private_addresses": True,
        }
        agent = data.agent()
        dataset = data.dataset(owner_org=agent["org"]["id"])
        try:
            with live.serving(Path(tempfile.mkdtemp(prefix="bench-preview-")), settings) as site:
                runs = {n: measure(site.url, agent["headers"], dataset["id"], n)
                        for n in (args.baseline, args.rows)}  # fmt: skip
        finally:
            reset_database()
            clean_datastore()
    keys = list(runs[args.rows])
    print(f"{'rows':>8} " + " ".join(f"{k:>15}" for k in keys))
    for n, run in runs.items():
        print(f"{n:>8} " + " ".join(f"{run[k]:>14.2f}{'' if k == 'MB' else 's'}" for k in keys))
    base, big = runs[args.baseline], runs[args.rows]
    scale = args.rows / args.baseline
    print(f"\nratio {args.rows} / {args.baseline} rows (x{scale:.0f} the rows):")
    for k in keys[1:]:
        ratio = big[k] / base[k]
        print(f"  {k:>15}: x{ratio:.1f} per table, x{ratio / scale:.2f} per row")
    print(f"\n(run took {time.perf_counter() - t0:.0f} s, set-up included)")


if __name__ == "__main__":
    main()
