"""Fixtures shared by the suite. CKAN's own pytest plugin (--ckan-ini=test.ini) provides
clean_db, clean_index, with_plugins, app, cli and the factories."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from ckan.tests import factories, helpers

from ckanext.tgn.lib import siren

_serial = itertools.count(10_000)


def valid_siren(prefix: str = "99") -> str:
    """A SIREN with a right Luhn check digit, different at each call."""
    return siren.with_check_digit(f"{prefix}{next(_serial):06d}"[:8])


@pytest.fixture
def tgn_db(clean_db, migrate_db_for):
    """A clean database with the tables of the plugins that bring their own migrations.

    CKAN's clean_db rebuilds only the core tables; harvest's come from its migrations.
    """
    migrate_db_for("harvest")
    migrate_db_for("activity")
    migrate_db_for("tgn_validation")


THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

# The fields our dataset schema requires, filled as an agent would.
COMPLETE_DATASET = {
    "notes": "Liste des délibérations du conseil communautaire.",
    "theme": [THEME + "GOVE"],
    "frequency": FREQUENCY + "MONTHLY",
    "contact_name": "Service des assemblées",
    "contact_email": "assemblees@exemple.fr",
}


@pytest.fixture
def make_dataset():
    """Create a dataset valid for our schema; fields given override the defaults."""

    def make(**fields: Any) -> dict[str, Any]:
        return factories.Dataset(**{**COMPLETE_DATASET, **fields})

    return make


@pytest.fixture
def make_org():
    """Create an organisation that satisfies our schema (kind and SIREN are required)."""

    def make(**fields: Any) -> dict[str, Any]:
        defaults = {"territory_kind": "epci", "epci_nature": "CC", "siren": valid_siren()}
        return factories.Organization(**{**defaults, **fields})

    return make


@pytest.fixture
def agent(make_org):
    """An editor of one organisation, with an API token, as a collectivité's agent."""
    org = make_org()
    user = factories.User()
    helpers.call_action(
        "organization_member_create", id=org["id"], username=user["name"], role="editor"
    )
    token = factories.APIToken(user=user["name"])["token"]
    return {"org": org, "user": user, "headers": {"Authorization": token}}


DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"


@pytest.fixture
def platform(make_org, make_dataset):
    """Three collectivités, eight public datasets, and the ones that must never show."""
    montauban = make_org(
        name="ca-grand-montauban", title="CA Grand Montauban", siren="248200099", epci_nature="CA"
    )
    moissac = make_org(name="cc-terres-des-confluences", title="CC Terres des Confluences")
    departement = make_org(
        name="departement-82", title="Département de Tarn-et-Garonne", territory_kind="departement"
    )
    public = {}
    for i in range(4):
        public[f"montauban-{i}"] = make_dataset(
            name=f"montauban-{i}",
            title=f"Délibérations {2022 + i}",
            owner_org=montauban["id"],
            territories=["82121", "248200099"],
            temporal_start=f"{2022 + i}-01-01",
            temporal_end=f"{2022 + i}-12-31",
            conforms_to=DELIBERATIONS,
            tags=[{"name": "délibérations"}],
            resources=[
                {
                    "url": f"https://www.montauban.com/deliberations-{2022 + i}.csv",
                    "name": f"Délibérations {2022 + i}",
                    "size": 2048 + i,
                    "conforms_to": DELIBERATIONS,
                }
            ],
        )
    for i in range(2):
        public[f"moissac-{i}"] = make_dataset(
            name=f"moissac-{i}",
            title=f"Subventions aux associations {2024 + i}",
            owner_org=moissac["id"],
            license_id="odc-odbl",
            theme=["SOCI", "ECON"],
            frequency="ANNUAL",
            territories=["82112"],
            resources=[
                {"url": f"https://www.moissac.fr/subventions-{i}.xlsx", "conforms_to": SUBVENTIONS},
                {"url": f"https://www.moissac.fr/subventions-{i}.json"},
            ],
        )
    public["routes"] = make_dataset(
        name="routes-departementales",
        title="Comptages routiers",
        owner_org=departement["id"],
        theme=["TRAN"],
        hvd_category="c_b79e35eb",
        territories=["82"],
        language=["FRA", "OCI"],
        resources=[{"url": "https://data.ledepartement82.fr/comptages.geojson"}],
    )
    public["budget"] = make_dataset(
        name="budget-departement",
        title="Budget primitif",
        owner_org=departement["id"],
        theme=["ECON", "GOVE"],
        license_id="cc-by",
        resources=[{"url": "https://data.ledepartement82.fr/budget.ods"}],
    )
    hidden = {
        "private": make_dataset(name="prive", owner_org=montauban["id"], private=True),
        "draft": make_dataset(name="brouillon", owner_org=montauban["id"], state="draft"),
        "deleted": make_dataset(name="supprime", owner_org=moissac["id"]),
    }
    helpers.call_action(
        "package_delete", {"user": factories.Sysadmin()["name"]}, id=hidden["deleted"]["id"]
    )
    return {
        "orgs": {"montauban": montauban, "moissac": moissac, "departement": departement},
        "public": public,
        "hidden": hidden,
    }
