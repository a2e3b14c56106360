"""schema.org JSON-LD of dataset pages (structured_data with the tgn_schemaorg profile): valid
JSON in the page, our fields mapped (territories by name, period, themes, licence, publisher,
files), never for a dataset the visitor may not read."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from ckan.tests import factories
from pyld import jsonld

from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

S = "http://schema.org/"
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(page: str) -> list[dict[str, Any]]:
    """The nodes of the page's one JSON-LD script, flattened (full property names, lists)."""
    scripts = _SCRIPT.findall(page)
    assert len(scripts) == 1
    document = json.loads(scripts[0])  # valid JSON, or this fails
    return jsonld.flatten(document)  # the context is inline: nothing is fetched


def node(nodes: list[dict[str, Any]], node_id: str) -> dict[str, Any]:
    return next(n for n in nodes if n["@id"] == node_id)


def values(item: dict[str, Any], prop: str) -> list[Any]:
    return [v.get("@value", v.get("@id")) for v in item.get(S + prop, [])]


@pytest.fixture
def dataset() -> dict[str, Any]:
    org = data.organisation(
        name="ca-grand-montauban", title="CA Grand Montauban", siren="248200099", epci_nature="CA"
    )
    return data.dataset(
        name="deliberations-2024",
        title="Délibérations 2024",
        owner_org=org["id"],
        territories=["82121", "248200099"],
        temporal_start="2024-01-01",
        temporal_end="2024-12-31",
        theme=["GOVE"],
        tags=[{"name": "conseil"}],
        resources=[
            {"url": "https://www.montauban.com/deliberations-2024.csv", "name": "Table 2024"}
        ],
    )


def test_the_dataset_page_describes_our_fields(app, dataset):
    nodes = json_ld(app.get("/dataset/deliberations-2024").get_data(as_text=True))
    described = next(n for n in nodes if S + "Dataset" in n.get("@type", []))
    assert values(described, "name") == ["Délibérations 2024"]
    # territories by name, with their INSEE URIs
    places = [node(nodes, ref) for ref in values(described, "spatialCoverage")]
    assert sorted(p["@id"] for p in places) == [
        "http://id.insee.fr/geo/commune/82121",
        "http://id.insee.fr/geo/intercommunalite/248200099",
    ]
    assert sorted(values(p, "name")[0] for p in places) == [
        "CA Grand Montauban",
        "Montauban",
    ]
    assert values(described, "temporalCoverage") == ["2024-01-01/2024-12-31"]
    assert {"conseil", "Gouvernement et secteur public"} <= set(values(described, "keywords"))
    assert values(described, "inLanguage") == ["fr"]
    assert values(described, "license") == [
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    ]
    publisher = node(nodes, values(described, "publisher")[0])
    assert publisher["@id"] == "http://127.0.0.1:5000/organization/ca-grand-montauban"
    assert values(publisher, "name") == ["CA Grand Montauban"]
    assert values(publisher, "identifier") == ["248200099"]
    contact = node(nodes, values(publisher, "contactPoint")[0])
    assert values(contact, "email") == ["assemblees@exemple.fr"]
    # The organisation is described once, as publisher and creator (no second node of it).
    organisations = [n for n in nodes if "http://schema.org/Organization" in n.get("@type", [])]
    assert [n["@id"] for n in organisations] == [publisher["@id"]]
    assert values(described, "creator") == [publisher["@id"]]
    assert len(values(publisher, "contactPoint")) == 1
    files = [node(nodes, ref) for ref in values(described, "distribution")]
    assert len(files) == 1
    assert values(files[0], "contentUrl") == ["https://www.montauban.com/deliberations-2024.csv"]
    assert values(files[0], "encodingFormat") == ["text/csv"]
    assert values(files[0], "name") == ["Table 2024"]


def test_an_open_period_is_an_open_interval(app, dataset):
    sysadmin = factories.Sysadmin()
    app.post(
        "/api/3/action/package_patch",
        json={"id": dataset["id"], "temporal_end": ""},
        headers=data.api_headers(sysadmin),
    )
    nodes = json_ld(app.get("/dataset/deliberations-2024").get_data(as_text=True))
    described = next(n for n in nodes if S + "Dataset" in n.get("@type", []))
    assert values(described, "temporalCoverage") == ["2024-01-01/.."]


def test_the_publisher_is_the_organisation_as_it_is_now(app, dataset):
    """Its site, and a new title at once (the dataset itself is not saved again)."""
    sysadmin = factories.Sysadmin()
    response = app.post(
        "/api/3/action/organization_patch",
        json={
            "id": dataset["owner_org"],
            "title": "Grand Montauban",
            "website": "https://www.montauban.com",
        },
        headers=data.api_headers(sysadmin),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    nodes = json_ld(app.get("/dataset/deliberations-2024").get_data(as_text=True))
    described = next(n for n in nodes if S + "Dataset" in n.get("@type", []))
    publisher = node(nodes, values(described, "publisher")[0])
    assert values(publisher, "name") == ["Grand Montauban"]
    assert values(publisher, "url") == ["https://www.montauban.com"]
    assert values(publisher, "identifier") == ["248200099"]


def test_a_private_dataset_has_no_json_ld_for_the_public(app, dataset):
    hidden = data.dataset(name="prive", owner_org=dataset["owner_org"], private=True)
    response = app.get(f"/dataset/{hidden['name']}", status=404)
    assert "application/ld+json" not in response.get_data(as_text=True)
    assert "prive" not in "".join(_SCRIPT.findall(response.get_data(as_text=True)))


def test_the_page_writes_what_ckanext_dcat_s_helper_writes(app, dataset):
    """Our helper (profiles looked up once per process) changes the speed, not the document:
    the page's script is byte for byte what upstream's structured_data helper returns."""
    from ckan.plugins import toolkit as tk
    from ckanext.dcat.helpers import structured_data

    page = app.get("/dataset/deliberations-2024").get_data(as_text=True)
    with app.flask_app.test_request_context():
        pkg = tk.get_action("package_show")({}, {"id": dataset["id"]})
        upstream = structured_data(pkg)

    # Blank nodes get new random names in each document.
    def same(text: str) -> str:
        return re.sub(r"_:N[0-9a-f]{32}", "_:b", text.strip())

    assert same(_SCRIPT.findall(page)[0]) == same(upstream)


def test_serializers_share_the_profile_classes_upstream_found():
    from ckanext.dcat.processors import RDFSerializer

    from ckanext.tgn.dcat.serializer import Serializer

    first, second = Serializer(profiles=["tgn_schemaorg"]), Serializer(profiles=["tgn_schemaorg"])
    upstream = RDFSerializer(profiles=["tgn_schemaorg"])
    assert first._profiles == second._profiles == upstream._profiles
    assert first._profiles is not second._profiles  # a copy: one serializer cannot change another's
    with pytest.raises(Exception, match="Unknown RDF profiles: inconnu"):
        Serializer(profiles=["inconnu"])
