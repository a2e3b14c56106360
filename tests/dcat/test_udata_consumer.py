"""data.gouv.fr's own harvester code reads our feed: nothing skipped, nothing degraded.

udata (data.gouv.fr's platform) is installed by `make install` in its own virtualenv,
.cache/udata-venv; scripts/udata_check.py runs its DCAT backend in dry-run mode over the
feed that our endpoints served to the test app.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from tests.helpers.crawl import PER_PAGE, crawl
from tests.helpers.udata import harvest_file_with_udata, harvest_with_udata

# The platform is only read: built once for the module (shared_platform, shared_app).
pytestmark = pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)


def test_udata_harvests_every_public_dataset_with_all_its_metadata(
    shared_app, shared_platform, tmp_path
):
    graph, _ = crawl(shared_app, "http://127.0.0.1:5000/catalog.ttl")

    code, lines, stderr = harvest_with_udata(graph, tmp_path)

    summary = lines[-1]["summary"]
    items = {item["remote_id"]: item for item in lines[:-1] if item.get("type") == "dataset"}
    assert code == 0, (summary, stderr[-2000:])
    assert summary["job_status"] == "done"
    assert set(items) == {d["id"] for d in shared_platform["public"].values()}
    for item in items.values():
        assert item["status"] == "done", item
        assert item["degraded"] == [] and item["errors"] == [], item
        assert item["frequency"], item["title"]

    montauban = items[shared_platform["public"]["montauban-0"]["id"]]
    assert montauban["license"] == "lov2"
    assert "gouvernement-et-secteur-public" in montauban["tags"]  # the theme, by its label
    assert montauban["temporal"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert montauban["spatial"]["geometry"] == "MultiPolygon"
    assert montauban["schema"]["name"] == "scdl/deliberations"
    (resource,) = montauban["resources"]
    assert resource["url"] == "https://www.montauban.com/deliberations-2022.csv"
    assert (resource["format"], resource["mime"]) == ("csv", "text/csv")
    assert resource["schema"] == {"url": None, "name": "scdl/deliberations", "version": "2.1.5"}

    moissac = items[shared_platform["public"]["moissac-0"]["id"]]
    assert moissac["license"] == "odc-odbl"
    assert moissac["frequency"] == "annual"
    assert {r["format"] for r in moissac["resources"]} == {"xlsx", "json"}
    assert items[shared_platform["public"]["budget"]["id"]]["license"] == "cc-by"
    routes = items[shared_platform["public"]["routes"]["id"]]
    assert "hvd" in routes["tags"]


@pytest.mark.parametrize("suffix", ["ttl", "xml", "jsonld"])
def test_udata_harvests_our_cached_pages_as_served(
    shared_app, shared_platform, tmp_path, monkeypatch, suffix
):
    """The bytes of a warm cached page, unchanged (one page holds the whole catalog here)."""
    monkeypatch.setitem(tk.config, "ckanext.dcat.datasets_per_page", 100)
    shared_app.get(f"/catalog.{suffix}")  # renders and stores every fragment
    feed = tmp_path / f"catalog.{suffix}"
    feed.write_bytes(shared_app.get(f"/catalog.{suffix}").get_data())

    code, lines, stderr = harvest_file_with_udata(feed)

    items = [item for item in lines[:-1] if item.get("type") == "dataset"]
    assert code == 0, (lines[-1:], stderr[-2000:])
    assert {item["remote_id"] for item in items} == {
        d["id"] for d in shared_platform["public"].values()
    }
    assert all(i["status"] == "done" and i["degraded"] == [] for i in items), items
