"""The foundation: our plugins load beside the upstream ones on a real CKAN stack.

Every test here talks to the real services that scripts/services.sh starts: PostgreSQL
(the action API), Solr (package_search, spatial search), Redis (background jobs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pytest
from ckan.lib import jobs
from ckan.tests import factories, helpers

from tests.helpers.paths import ROOT

WORKER_PATH = ROOT / "tests" / "helpers" / "worker"  # tgn_test_jobs.py

TGN_PLUGINS = ["tgn_territories", "tgn_schema", "tgn_dcat", "tgn_validation", "tgn_security"]
UPSTREAM_PLUGINS = [
    "scheming_datasets",
    "scheming_organizations",
    "dcat",
    "harvest",
    "spatial_metadata",
    "spatial_query",
]

# A small square around Montauban (lon, lat), in GeoJSON as ckanext-spatial expects it.
MONTAUBAN = {
    "type": "Polygon",
    "coordinates": [[[1.30, 43.98], [1.40, 43.98], [1.40, 44.06], [1.30, 44.06], [1.30, 43.98]]],
}

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _search(**params):
    return helpers.call_action("package_search", **params)


def test_our_plugins_load_with_the_upstream_stack():
    for name in TGN_PLUGINS + UPSTREAM_PLUGINS:
        assert p.plugin_loaded(name), f"{name} is not loaded"
    # Each of ours is the class its entry point names, and declares its config options.
    for name in TGN_PLUGINS:
        plugin = p.get_plugin(name)
        assert type(plugin).__module__ == f"ckanext.tgn.{name.removeprefix('tgn_')}.plugin"
        assert p.IConfigDeclaration.implemented_by(type(plugin))


def test_scheming_uses_our_schemas():
    schema = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    assert schema["about"] == "Jeux de données publiés par les collectivités de Tarn-et-Garonne"
    org_schema = helpers.call_action("scheming_organization_schema_show", type="organization")
    assert "siren" in [f["field_name"] for f in org_schema["fields"]]


def test_created_dataset_is_found_by_text_search_then_gone_when_deleted(make_org, make_dataset):
    org = make_org()
    word = "tgn" + uuid.uuid4().hex[:8]
    dataset = make_dataset(
        owner_org=org["id"],
        title="Inventaire des pigeonniers du Quercy",
        notes=f"Patrimoine bâti rural, fiche {word}",
    )
    other = make_dataset(owner_org=org["id"], title="Budget primitif")

    found = _search(q=word)
    assert found["count"] == 1
    assert found["results"][0]["id"] == dataset["id"]
    # Solr's text analysis is in play (plural indexed, singular and upper case found).
    assert _search(q="PIGEONNIER")["count"] == 1
    assert _search(fq=f"organization:{org['name']}")["count"] == 2

    admin = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": admin["name"]}, id=dataset["id"])
    assert _search(q=word)["count"] == 0
    assert [d["id"] for d in _search(fq=f"organization:{org['name']}")["results"]] == [other["id"]]


def test_spatial_search_uses_the_solr_bbox_fields(make_org, make_dataset):
    org = make_org()
    inside = make_dataset(owner_org=org["id"], spatial=json.dumps(MONTAUBAN))
    make_dataset(owner_org=org["id"])  # no coverage: never matches a bbox

    around_montauban = _search(extras={"ext_bbox": "1.2,43.9,1.5,44.1"})
    assert [d["id"] for d in around_montauban["results"]] == [inside["id"]]
    in_brittany = _search(extras={"ext_bbox": "-4.5,47.5,-3.5,48.5"})
    assert in_brittany["count"] == 0


def test_background_job_runs_in_a_real_worker(tmp_path):
    queue = jobs.get_queue()
    queue.empty()
    marker = tmp_path / "marker.txt"
    token = uuid.uuid4().hex
    job = tk.enqueue_job("tgn_test_jobs.write_marker", [str(marker), token], title="test")
    assert job.get_status() == "queued"
    assert not marker.exists()

    # CKAN puts its own package folder first on sys.path (so `tests` there is ckan.tests):
    # the job module is found by a name of its own, from a folder that holds only it.
    env = dict(os.environ, PYTHONPATH=str(WORKER_PATH))
    ckan_cli = Path(sys.executable).with_name("ckan")
    result = subprocess.run(
        [str(ckan_cli), "-c", str(ROOT / "test.ini"), "jobs", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert marker.read_text(encoding="utf-8") == token
    assert queue.count == 0


def test_catalog_turtle_lists_the_dataset(app, make_org, make_dataset):
    org = make_org()
    dataset = make_dataset(owner_org=org["id"], title="Horaires des déchèteries")

    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    body = response.get_data(as_text=True)
    assert "dcat:Catalog" in body
    assert f"/dataset/{dataset['id']}" in body
    assert "Horaires des déchèteries" in body


def test_dataset_page_renders(app, make_org, make_dataset):
    org = make_org()
    dataset = make_dataset(owner_org=org["id"], title="Horaires des piscines")

    response = app.get(f"/dataset/{dataset['name']}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Horaires des piscines" in body
    assert org["title"] in body
