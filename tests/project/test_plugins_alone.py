"""The schemas need only ``tgn_schema``: the other tgn_* plugins can be switched off.

Every validator and choices helper that ``schemas/*.yaml`` names is registered by
``tgn_schema``, so a site without territories, DCAT or validation still loads the forms and
saves complete records (the static side is in tests/test_architecture.py).
"""

from __future__ import annotations

import json

import ckan.plugins as p
import pytest
from ckan.tests import factories, helpers

ALONE = "scheming_datasets scheming_organizations tgn_schema"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", ALONE),
    # CKAN's core tables only: the plugins that bring migrations are off.
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def test_no_other_tgn_plugin_is_loaded():
    assert p.plugin_loaded("tgn_schema")
    for name in ("tgn_territories", "tgn_dcat", "tgn_validation"):
        assert not p.plugin_loaded(name)


def test_an_organisation_and_a_dataset_are_validated_by_tgn_schema_alone(make_org, make_dataset):
    org = make_org(siren="200 061 257", territory_kind="syndicat-mixte", epci_nature="")
    assert org["siren"] == "200061257"  # tgn_siren ran
    dataset = make_dataset(owner_org=org["id"], territories=["82121"], theme=["GOVE"])
    assert dataset["territories"] == ["82121"]
    assert json.loads(dataset["spatial"])["type"] in ("Polygon", "MultiPolygon")
    assert dataset["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/GOVE"]


def test_a_bad_siren_is_still_refused_in_french(app):
    """Through the HTTP API, as staff would meet it (the site speaks French)."""
    staff = factories.Sysadmin()
    token = factories.APIToken(user=staff["name"])["token"]
    response = app.post(
        "/api/3/action/organization_create",
        json={"name": "cc-cle-fausse", "territory_kind": "epci", "siren": "200061258"},
        headers={"Authorization": token},
        status=409,
    )
    assert "clé de contrôle incorrecte" in response.json["error"]["siren"][0]
    assert not helpers.call_action("organization_list")


def test_the_policy_field_is_still_kept_for_staff(make_org):
    org = make_org(validation_policy="private")
    shown = helpers.call_action("organization_show", id=org["id"])
    assert shown["validation_policy"] == "private"
