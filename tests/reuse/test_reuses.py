"""Reuses: recorded through the form with checked datasets, listed on the datasets they use,
never in the dataset search, the dataset counts or the DCAT feed, never shown while private or
deleted. Through the web app and the action API, on the real database and Solr."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from ckan.tests import factories, helpers
from pyld import jsonld

from tests.helpers import data

SCHEMAS = "ckanext.tgn.schemas:dataset.yaml ckanext.tgn.schemas:reuse.yaml"

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMAS),
    pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index"),
]


REUSE = {
    "type": "reuse",
    "title": "Carte des délibérations",
    "notes": "Une carte interactive des délibérations du Grand Montauban.",
    "reuse_type": "visualization",
    "url": "https://www.exemple.fr/carte",
    "author": "Association Données 82",
}


def reuse(**fields: Any) -> dict[str, Any]:
    """A reuse valid for schemas/reuse.yaml, created through the action API (as a sysadmin)."""
    return factories.Dataset(**{**REUSE, **fields})


def delete(dataset: dict[str, Any]) -> None:
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=dataset["id"])


def refusal(app, headers: dict[str, str], **fields: Any) -> dict[str, list[str]]:
    """The errors of a reuse created through the HTTP API (in the site's French)."""
    response = app.post(
        "/api/3/action/package_create", json={**REUSE, **fields}, headers=headers, status=409
    )
    return response.json["error"]


@pytest.fixture
def published() -> dict[str, Any]:
    """An organisation, its editor, a public dataset, a private one, and another
    organisation's private dataset."""
    org = data.organisation(title="CA Grand Montauban")
    editor = data.member(org, "editor")
    other = data.organisation(title="CC Terres des Confluences")
    return {
        "org": org,
        "editor": editor,
        "public": data.dataset(name="deliberations", title="Délibérations", owner_org=org["id"]),
        "own_private": data.dataset(name="brouillon-interne", owner_org=org["id"], private=True),
        "other_private": data.dataset(name="secret-voisin", owner_org=other["id"], private=True),
    }


def _form(org_id: str, datasets: str) -> dict[str, str]:
    return {
        "title": "Appli des délibérations",
        "name": "appli-deliberations",
        "notes": "Une application mobile qui suit les délibérations.",
        "reuse_type": "application",
        "url": "https://appli.exemple.fr",
        "author": "Jeanne Martin",
        "datasets": datasets,
        "owner_org": org_id,
        "private": "False",
        "save": "go-metadata",
        "_ckan_phase": "dataset_new_1",
    }


class TestForm:
    def test_a_reuse_is_recorded_with_the_datasets_it_uses(self, app, published):
        form = _form(published["org"]["id"], "deliberations")
        response = app.post("/reuse/new", data=form, headers=published["editor"]["headers"])
        assert response.status_code == 200
        stored = helpers.call_action("package_show", id="appli-deliberations")
        assert stored["type"] == "reuse" and stored["state"] == "active"
        assert stored["datasets"] == [published["public"]["id"]]
        assert stored["reuse_type"] == "application"

    def test_the_form_speaks_french(self, app, published):
        page = app.get("/reuse/new", headers=published["editor"]["headers"]).get_data(as_text=True)
        for text in ("Jeux de données utilisés", "Type de réutilisation", "Article de presse",
                     "Enregistrer la réutilisation"):  # fmt: skip
            assert text in html.unescape(page)
        assert "Next: Add Data" not in page and "ajouter des données" not in page.lower()

    @pytest.mark.parametrize(
        ("datasets", "message"),
        [
            ("", "Indiquez au moins un jeu de données de la plateforme"),
            ("jeu-inconnu", "Aucun jeu de données « jeu-inconnu » sur la plateforme"),
            # another organisation's private dataset is named as unknown: it is not revealed
            ("secret-voisin", "Aucun jeu de données « secret-voisin » sur la plateforme"),
            ("brouillon-interne", "Le jeu de données « brouillon-interne » n'est pas publié"),
        ],
    )
    def test_a_missing_unknown_or_private_dataset_is_refused_in_french(
        self, app, published, datasets, message
    ):
        form = _form(published["org"]["id"], datasets)
        response = app.post("/reuse/new", data=form, headers=published["editor"]["headers"])
        assert message in html.unescape(response.get_data(as_text=True))
        assert not helpers.call_action("package_search", fq="+dataset_type:reuse")["count"]

    def test_a_reuse_cannot_use_a_reuse_or_a_deleted_dataset(self, app, published):
        org, headers = published["org"]["id"], published["editor"]["headers"]
        first = reuse(owner_org=org, datasets=[published["public"]["id"]])
        gone = data.dataset(owner_org=org)
        delete(gone)
        errors = refusal(app, headers, name="autre", owner_org=org, datasets=[first["name"]])
        assert "n'est pas un jeu de données" in errors["datasets"][0]
        errors = refusal(app, headers, name="autre", owner_org=org, datasets=[gone["id"]])
        assert "Aucun jeu de données" in errors["datasets"][0]
        # the API says it in French too, for a dataset the agent may not read
        errors = refusal(app, headers, name="autre", owner_org=org, datasets="secret-voisin")
        assert errors["datasets"] == [
            "Aucun jeu de données « secret-voisin » sur la plateforme : indiquez son nom ou "
            "l'adresse de sa page."
        ]

    def test_datasets_are_given_by_name_or_page_address_and_stored_by_id(self, published):
        second = data.dataset(name="budget", owner_org=published["org"]["id"])
        made = reuse(
            owner_org=published["org"]["id"],
            datasets="deliberations, http://127.0.0.1:5000/dataset/budget",
        )
        assert made["datasets"] == [published["public"]["id"], second["id"]]

    def test_a_dataset_page_of_another_site_is_not_one_of_ours(self, app, published):
        """Only this platform's page addresses name its datasets."""
        data.dataset(name="budget", owner_org=published["org"]["id"])
        errors = refusal(
            app, published["editor"]["headers"], owner_org=published["org"]["id"],
            datasets="https://autre-portail.fr/dataset/budget",
        )  # fmt: skip
        assert "« https://autre-portail.fr/dataset/budget »" in errors["datasets"][0]

    def test_the_reuse_address_and_image_must_be_safe(self, app, published):
        for field, value, message in (
            ("url", "javascript:alert(1)", "doit commencer par http:// ou https://"),
            ("image_url", "http://www.exemple.fr/apercu.png", "doit commencer par https://"),
        ):
            errors = refusal(
                app, published["editor"]["headers"], owner_org=published["org"]["id"],
                datasets=["deliberations"], **{field: value},
            )  # fmt: skip
            assert message in errors[field][0]


class TestListing:
    @pytest.fixture
    def reuses(self, published) -> dict[str, Any]:
        org, used = published["org"]["id"], [published["public"]["id"]]
        made = {
            "public": reuse(
                name="carte-publique", title="Carte publique", owner_org=org, datasets=used,
                image_url="https://www.exemple.fr/carte.png",
            ),
            "private": reuse(name="carte-privee", title="Carte privée", owner_org=org,
                             datasets=used, private=True),
            "deleted": reuse(name="carte-supprimee", title="Carte supprimée", owner_org=org,
                             datasets=used),
        }  # fmt: skip
        delete(made["deleted"])
        return made

    def test_the_dataset_page_lists_its_public_reuses_only(self, app, published, reuses):
        page = html.unescape(app.get("/dataset/deliberations").get_data(as_text=True))
        assert 'id="reutilisations"' in page and "Réutilisations" in page
        assert "Carte publique" in page and "Visualisation" in page
        assert 'href="/reuse/carte-publique"' in page
        assert 'href="https://www.exemple.fr/carte"' in page
        assert 'src="https://www.exemple.fr/carte.png"' in page
        assert "Carte privée" not in page and "Carte supprimée" not in page
        # not even to the organisation's editor, who may read the private reuse
        page = app.get("/dataset/deliberations", headers=published["editor"]["headers"])
        assert "Carte privée" not in page.get_data(as_text=True)

    def test_a_dataset_without_reuses_says_so(self, app, published):
        page = html.unescape(app.get("/dataset/deliberations").get_data(as_text=True))
        assert "Aucune réutilisation de ce jeu de données n'a encore été enregistrée." in page

    def test_reuses_are_not_in_the_dataset_search_nor_its_counts(self, app, published, reuses):
        page = app.get("/dataset/").get_data(as_text=True)
        assert "Carte publique" not in page and "Délibérations" in page
        found = helpers.call_action("package_search", q="Carte")
        assert found["count"] == 0
        everything = helpers.call_action("package_search", include_private=True)
        assert {d["type"] for d in everything["results"]} == {"dataset"}
        org = helpers.call_action("organization_show", id=published["org"]["id"])
        assert org["package_count"] == 1  # the public dataset; not the reuse
        assert helpers.call_action("package_search", fq="+dataset_type:reuse")["count"] == 1

    def test_the_reuses_page_reads_in_french(self, app, published, reuses):
        page = html.unescape(app.get("/reuse/").get_data(as_text=True))
        assert "1 réutilisation trouvée" in page
        assert "Carte publique" in page and "Carte privée" not in page
        assert "Rechercher des réutilisations" in page

    def test_the_reuses_page_has_an_empty_state(self, app):
        page = html.unescape(app.get("/reuse/").get_data(as_text=True))
        assert "Aucune réutilisation n'a encore été enregistrée." in page
        assert "Aucune réutilisation trouvée" in page

    def test_the_reuse_page_shows_the_public_datasets_it_uses(self, app, published, reuses):
        page = html.unescape(app.get("/reuse/carte-publique").get_data(as_text=True))
        assert "Jeux de données utilisés" in page and 'href="/dataset/deliberations"' in page
        sysadmin = factories.Sysadmin()
        helpers.call_action(
            "package_patch", {"user": sysadmin["name"]}, id="deliberations", private=True
        )
        page = html.unescape(app.get("/reuse/carte-publique").get_data(as_text=True))
        assert 'href="/dataset/deliberations"' not in page
        assert "Aucun des jeux de données qu'utilisait cette réutilisation n'est publié" in page

    def test_a_private_reuse_page_is_not_found_for_the_public(self, app, reuses):
        app.get("/reuse/carte-privee", status=404)
        app.get("/reuse/carte-supprimee", status=404)

    def test_reuses_are_not_in_the_dcat_catalog(self, app, published, reuses):
        body = app.get("/catalog.ttl").get_data(as_text=True)
        assert "Délibérations" in body
        assert "Carte publique" not in body and "carte-publique" not in body

    def test_the_reuse_page_is_a_creative_work_in_json_ld(self, app, published, reuses):
        page = app.get("/reuse/carte-publique").get_data(as_text=True)
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert script is not None
        nodes = jsonld.flatten(json.loads(script.group(1)))
        work = next(n for n in nodes if "http://schema.org/CreativeWork" in n.get("@type", []))
        assert "http://schema.org/Dataset" not in work["@type"]
        based_on = [v["@id"] for v in work["http://schema.org/isBasedOn"]]
        assert based_on == ["http://127.0.0.1:5000/dataset/deliberations"]
