"""The records the tests create: complete datasets, organisations, the published platform.

Built through CKAN's factories (the action API), so the schemas' validators run on them.
Fixtures in the conftest files wrap these builders.
"""

from __future__ import annotations

import itertools
from typing import Any

from ckan import model
from ckan.tests import factories, helpers

from ckanext.tgn.lib import siren
from tests.helpers.tables import DELIBERATIONS, SUBVENTIONS

_serial = itertools.count(10_000)


def valid_siren(prefix: str = "99") -> str:
    """A SIREN with a right Luhn check digit, different at each call."""
    return siren.with_check_digit(f"{prefix}{next(_serial):06d}"[:8])


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


# Free text of test users and organisations, shown on their pages: French, as on the portal
# (Faker's English words would be taken for untranslated interface text by the browser tests).
FRENCH_TEXT = "Données publiques de la collectivité."


def dataset(**fields: Any) -> dict[str, Any]:
    """A dataset valid for our schema; fields given override the defaults."""
    return factories.Dataset(**{**COMPLETE_DATASET, **fields})


def organisation(**fields: Any) -> dict[str, Any]:
    """An organisation that satisfies our schema (kind and SIREN are required)."""
    defaults = {
        "territory_kind": "epci",
        "epci_nature": "CC",
        "siren": valid_siren(),
        "description": FRENCH_TEXT,  # CKAN's factory writes English lorem ipsum
    }
    return factories.Organization(**{**defaults, **fields})


def api_headers(user: dict[str, Any]) -> dict[str, str]:
    """The Authorization header of a new API token of this user."""
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def member(org: dict[str, Any], role: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
    """A user (new unless given) with this role in the organisation, and API headers."""
    user = user or factories.User(about=FRENCH_TEXT)
    helpers.call_action(
        "organization_member_create", id=org["id"], username=user["name"], role=role
    )
    return {"user": user, "headers": api_headers(user)}


def agent() -> dict[str, Any]:
    """An editor of one organisation, with an API token, as a collectivité's agent."""
    org = organisation()
    return {"org": org, **member(org, "editor")}


def stored_state() -> list[tuple]:
    """Every dataset, organisation, user and membership as stored, down to the last change:
    what a test that only reads must leave as it found."""
    model.Session.remove()
    queries = [
        model.Session.query(
            model.Package.id,
            model.Package.metadata_modified,
            model.Package.state,
            model.Package.private,
            model.Package.owner_org,
        ),
        model.Session.query(model.Group.id, model.Group.title, model.Group.state),
        model.Session.query(model.User.id, model.User.state, model.User.sysadmin),
        model.Session.query(
            model.Member.group_id, model.Member.table_id, model.Member.capacity, model.Member.state
        ),
    ]
    state = [sorted(tuple(row) for row in query.all()) for query in queries]
    model.Session.remove()
    return state


def build_platform() -> dict[str, Any]:
    """Three collectivités, eight public datasets, and the ones that must never show.

    Also a sysadmin's API token, for the tests that check what even a sysadmin cannot see.
    """
    montauban = organisation(
        name="ca-grand-montauban", title="CA Grand Montauban", siren="248200099", epci_nature="CA"
    )
    moissac = organisation(name="cc-terres-des-confluences", title="CC Terres des Confluences")
    departement = organisation(
        name="departement-82", title="Département de Tarn-et-Garonne", territory_kind="departement"
    )
    public = {}
    for i in range(4):
        public[f"montauban-{i}"] = dataset(
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
        public[f"moissac-{i}"] = dataset(
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
    public["routes"] = dataset(
        name="routes-departementales",
        title="Comptages routiers",
        owner_org=departement["id"],
        theme=["TRAN"],
        hvd_category="c_b79e35eb",
        territories=["82"],
        language=["FRA", "OCI"],
        resources=[{"url": "https://data.ledepartement82.fr/comptages.geojson"}],
    )
    public["budget"] = dataset(
        name="budget-departement",
        title="Budget primitif",
        owner_org=departement["id"],
        theme=["ECON", "GOVE"],
        license_id="cc-by",
        resources=[{"url": "https://data.ledepartement82.fr/budget.ods"}],
    )
    hidden = {
        "private": dataset(name="prive", owner_org=montauban["id"], private=True),
        "draft": dataset(name="brouillon", owner_org=montauban["id"], state="draft"),
        "deleted": dataset(name="supprime", owner_org=moissac["id"]),
    }
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=hidden["deleted"]["id"])
    return {
        "orgs": {"montauban": montauban, "moissac": moissac, "departement": departement},
        "public": public,
        "hidden": hidden,
        "sysadmin_token": factories.APIToken(user=sysadmin["name"])["token"],
    }
