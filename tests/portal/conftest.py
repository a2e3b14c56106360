"""The portal's fixture: the territories synced, datasets public and hidden, a checked table.

Built once per module through the action API and the real validation job; the tests only
read it (shared_app checks that they leave it as they found it).
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from tests.helpers import data
from tests.helpers.table_server import fresh_state
from tests.helpers.tables import DELIBERATIONS, VALID_CSV
from tests.helpers.validation import upload, work

GRAND_MONTAUBAN = "248200099"
TERRES_DES_CONFLUENCES = "200066322"
THEME = data.THEME
FREQUENCY = data.FREQUENCY


def _org_names_by_siren() -> dict[str, str]:
    names = {}
    for name in helpers.call_action("organization_list"):
        org = helpers.call_action("organization_show", id=name)
        names[org["siren"]] = org["name"]
    return names


@pytest.fixture(scope="module")
def portal(shared_stack, table_server) -> dict[str, Any]:
    """Ten EPCI (synced), four public datasets, and a private, a draft and a deleted one."""
    sysadmin = factories.Sysadmin()
    helpers.call_action("tgn_territories_sync", {"user": sysadmin["name"]})
    orgs = _org_names_by_siren()
    montauban, confluences = orgs[GRAND_MONTAUBAN], orgs[TERRES_DES_CONFLUENCES]
    departement = orgs["228200010"]
    editor = data.member({"id": montauban}, "editor")

    public = {
        "deliberations": data.dataset(
            name="deliberations-montauban",
            title="Délibérations du conseil communautaire",
            owner_org=montauban,
            notes="Les délibérations du conseil communautaire du Grand Montauban, "
            "publiées après chaque séance, au format du Socle commun des données locales.",
            tags=[{"name": "délibérations"}],
            territories=["248200099"],
            temporal_start="2022-01-01",
            temporal_end="2024-12-31",
            modified="2025-01-15",
        ),
        "budget": data.dataset(
            name="budget-montauban",
            title="Budget primitif",
            owner_org=montauban,
            theme=[THEME + "ECON", THEME + "GOVE"],
            frequency=FREQUENCY + "ANNUAL",
            license_id="odc-odbl",
        ),
        "subventions": data.dataset(
            name="subventions-confluences", title="Subventions", owner_org=confluences
        ),
        "routes": data.dataset(
            name="comptages-routiers",
            title="Comptages routiers",
            owner_org=departement,
            theme=[THEME + "TRAN"],
            hvd_category="c_b79e35eb",
            territories=["82"],
            resources=[
                {
                    "name": "Carte des comptages",
                    "format": "WMS_SRVC",
                    "url": "https://geo.example.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities",
                }
            ],
        ),
    }
    hidden = {
        "private": data.dataset(
            name="prive-montauban", owner_org=montauban, private=True, theme=[THEME + "HEAL"]
        ),
        "draft": data.dataset(
            name="brouillon-montauban", owner_org=montauban, state="draft", theme=[THEME + "HEAL"]
        ),
        "deleted": data.dataset(
            name="supprime-confluences", owner_org=confluences, theme=[THEME + "HEAL"]
        ),
    }
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=hidden["deleted"]["id"])

    # One checked table in a public dataset, one in the private dataset (must not count).
    redis = connect_to_redis()
    for key in redis.scan_iter("tgn:validation:*"):
        redis.delete(key)
    fresh_state()
    app = shared_stack
    settings = {
        "ckanext.tgn.validation.schema_catalog_url": f"{table_server}/sdgf/schemas.json",
        "ckanext.tgn.validation.allow_private_addresses": True,
    }
    from ckan.common import config

    saved = {key: config.get(key) for key in settings}
    config.update(settings)
    try:
        checked = upload(
            app, editor, public["deliberations"]["id"], VALID_CSV, "deliberations.csv",
            DELIBERATIONS, description="Délibérations de 2022 à 2024.",
        )  # fmt: skip
        work(checked["id"])
        hidden_table = upload(
            app, editor, hidden["private"]["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS
        )
        work(hidden_table["id"])
    finally:
        config.update(saved)
    helpers.call_action("job_clear", {"ignore_auth": True})
    return {
        "orgs": orgs,
        "montauban": montauban,
        "confluences": confluences,
        "departement": departement,
        "public": public,
        "hidden": hidden,
        "checked_resource": checked,
    }
