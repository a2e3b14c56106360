"""DCAT sources end to end: a partner's catalog served on 127.0.0.1, synced from a source
file, harvested in this process on the real services."""

from __future__ import annotations

from ckan.plugins import toolkit as tk
from rdflib import URIRef
from rdflib.namespace import SKOS

from ckanext.tgn.lib import refdata
from tests.helpers import data, shacl
from tests.helpers.catalog_server import Answer
from tests.helpers.crawl import crawl
from tests.helpers.crawl import datasets as datasets_of
from tests.helpers.harvest import FREQUENCY, THEME, as_format, catalog_ttl, dataset_ttl
from tests.helpers.udata import harvest_with_udata

ETALAB_PDF = "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"


def two_pages(partner, first_format="turtle", second_format="xml", count=(3, 2)):
    base = partner.base
    page1 = catalog_ttl(
        [dataset_ttl(n, base) for n in range(1, count[0] + 1)],
        page=f"{base}/catalog.ttl",
        next_page=f"{base}/catalog.ttl?page=2",
    )
    page2 = catalog_ttl(
        [dataset_ttl(n, base) for n in range(count[0] + 1, sum(count) + 1)],
        page=f"{base}/catalog.ttl?page=2",
    )
    types = {
        "turtle": "text/turtle",
        "xml": "application/rdf+xml",
        "json-ld": "application/ld+json",
    }
    for path, page, fmt in (
        ("/catalog.ttl", page1, first_format),
        ("/catalog.ttl?page=2", page2, second_format),
    ):
        body = page if fmt == "turtle" else as_format(page, fmt)
        partner.serve(path, Answer(body, types[fmt]))


class TestTwoPages:
    def test_every_record_lands_mapped_in_the_source_organisation(self, partner):
        two_pages(partner)
        partner.add("partenaire")
        status = partner.run("partenaire")
        datasets = partner.datasets("partenaire")
        assert [d["title"] for d in datasets] == [f"Jeu numéro {n}" for n in range(1, 6)]
        first = datasets[0]
        assert first["owner_org"] == partner.org["id"]
        assert first["license_id"] == "lov2"
        assert first["theme"] == [THEME + "ENVI"]
        assert first["frequency"] == FREQUENCY + "MONTHLY"
        assert first["territories"] == ["82121"]
        assert first["contact_email"] == "sig@partenaire.test"
        assert first["harvest_uri"] == f"{partner.base}/datasets/jeu-1"
        assert [r["url"] for r in first["resources"]] == [f"{partner.base}/files/jeu-1.csv"]
        assert status["last_job"]["counts"] == {"added": 5}
        assert partner.requests() == ["GET /catalog.ttl", "GET /catalog.ttl?page=2"]

    def test_a_second_run_changes_nothing_and_keeps_ids(self, partner):
        two_pages(partner)
        partner.add("partenaire")
        partner.run("partenaire")
        before = {
            d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]])
            for d in partner.datasets()
        }
        status = partner.run("partenaire")
        after = {
            d["id"]: (d["metadata_modified"], [r["id"] for r in d["resources"]])
            for d in partner.datasets()
        }
        assert after == before
        assert status["last_job"]["counts"] == {"not modified": 5}


def one_page(partner, datasets, path="/catalog.ttl", **answer):
    base = partner.base
    partner.serve(path, Answer(catalog_ttl(datasets, page=f"{base}{path}"), **answer))


def last_errors(status):
    job = status["last_job"]
    return job["gather_errors"] + job["object_errors"]


class TestMapping:
    def test_an_opendatasoft_export_is_made_valid_for_our_schema(self, partner):
        base = partner.base
        record = dataset_ttl(
            1,
            base,
            description=(
                'dct:description "<p>Les <b>relevés</b> de la rivière.'
                '<script>alert(1)</script></p><p onclick=\\"x()\\">Suite</p>"'
            ),
            theme=f"dcat:theme <{base}/explore/?refine.theme=Environnement>",
            frequency=f"dct:accrualPeriodicity <{base}/En%20continu>",
            keyword='dcat:keyword "qualité d\'eau", "rivières, lacs"',
            dist_licence=ETALAB_PDF,
            extra=(
                f'<{base}/explore/?refine.theme=Environnement> skos:prefLabel "Environnement" .\n'
            ),
        ).replace(
            "dct:identifier",
            "dct:language <http://id.loc.gov/vocabulary/iso639-1/fr> ;\n    dct:identifier",
        )
        one_page(partner, [record])
        partner.add("ods")
        partner.run("ods")
        (dataset,) = partner.datasets("ods")
        assert dataset["license_id"] == "lov2"
        assert dataset["frequency"] == FREQUENCY + "UPDATE_CONT"
        assert dataset["theme"] == [THEME + "ENVI"]
        assert dataset["language"] == [
            "http://publications.europa.eu/resource/authority/language/FRA"
        ]
        assert "script" not in dataset["notes"] and "alert" not in dataset["notes"]
        assert "onclick" not in dataset["notes"]
        assert "**relevés**" in dataset["notes"]
        assert sorted(t["name"] for t in dataset["tags"]) == ["qualité d eau", "rivières lacs"]

    def test_an_unknown_licence_is_an_error_never_licence_ouverte(self, partner):
        base = partner.base
        one_page(partner, [dataset_ttl(1, base, dist_licence="https://exemple.test/odbl-maison")])
        partner.add("inconnue")
        status = partner.run("inconnue")
        assert partner.datasets("inconnue") == []
        (error,) = last_errors(status)
        assert "licence inconnue (« https://exemple.test/odbl-maison »)" in error

    def test_an_explicit_default_licence_is_used_when_the_record_has_none_known(self, partner):
        base = partner.base
        one_page(partner, [dataset_ttl(1, base, dist_licence=None)])
        partner.add("par-defaut", mapping={"licence": {"default": "odc-odbl"}})
        partner.run("par-defaut")
        assert [d["license_id"] for d in partner.datasets("par-defaut")] == ["odc-odbl"]

    def test_hostile_fields_are_cleaned_and_the_record_still_imports(self, partner, app):
        base = partner.base
        hostile = dataset_ttl(
            1,
            base,
            title=f'dct:title "{"Très long titre " * 7000}"',
            modified='dct:modified "2999-01-01"',
            distribution=(
                f"dcat:distribution <{base}/d/js>, <{base}/d/file>, <{base}/datasets/jeu-1/csv>"
            ),
            extra=(
                f'<{base}/d/js> a dcat:Distribution ; dct:title "piège" ;'
                " dcat:accessURL <javascript:alert(1)> .\n"
                f'<{base}/d/file> a dcat:Distribution ; dct:title "local" ;'
                " dcat:accessURL <file:///etc/passwd> .\n"
            ),
        )
        script_uri = dataset_ttl(2, base, uri="javascript:alert(document.cookie)")
        one_page(partner, [hostile, script_uri])
        partner.add("hostile")
        status = partner.run("hostile")
        datasets = partner.datasets("hostile")
        assert len(datasets) == 2, last_errors(status)
        scripted = next(d for d in datasets if d["title"] == "Jeu numéro 2")
        assert scripted["harvest_uri"] == ""  # shown as a link: http(s) only
        assert "javascript:" not in app.get(f"/dataset/{scripted['name']}").body
        long = next(d for d in datasets if d["title"].startswith("Très"))
        assert len(long["title"]) <= 300
        assert not long.get("modified")
        assert [r["url"] for r in long["resources"]] == [f"{base}/files/jeu-1.csv"]
        page = app.get(f"/dataset/{long['name']}").body
        feed = app.get(f"/organization/{partner.org['name']}/catalog.ttl").body
        for text in (page, feed):
            assert "javascript:" not in text and "file:///" not in text

    def test_a_licence_staff_fixed_is_kept_when_the_source_licence_is_unknown(self, partner):
        base = partner.base
        one_page(partner, [dataset_ttl(1, base)])
        partner.add("licence", mapping={"keep_local": ["license_id"]})
        partner.run("licence")
        (dataset,) = partner.datasets("licence")
        editor = data.member(partner.org, "editor")
        tk.get_action("package_patch")(
            {"user": editor["user"]["name"]}, {"id": dataset["id"], "license_id": "cc-by"}
        )
        one_page(partner, [dataset_ttl(1, base, dist_licence="https://exemple.test/licence")])
        status = partner.run("licence")
        assert last_errors(status) == []
        (after,) = partner.datasets("licence")
        assert after["license_id"] == "cc-by"

    def test_staff_edits_of_kept_fields_survive_a_reharvest(self, partner):
        base = partner.base
        one_page(partner, [dataset_ttl(1, base)])
        partner.add("garde", mapping={"keep_local": ["theme"]})
        partner.run("garde")
        (dataset,) = partner.datasets("garde")
        editor = data.member(partner.org, "editor")
        tk.get_action("package_patch")(
            {"user": editor["user"]["name"]},
            {"id": dataset["id"], "theme": [THEME + "TRAN"], "guid": "volé"},
        )
        one_page(partner, [dataset_ttl(1, base, title='dct:title "Nouveau titre"')])
        partner.run("garde")
        (after,) = partner.datasets("garde")
        assert (after["id"], after["title"], after["theme"]) == (
            dataset["id"],
            "Nouveau titre",
            [THEME + "TRAN"],
        )
        assert after["guid"] == dataset["guid"]  # the staff edit did not lose the harvest key


class TestOwnership:
    def test_our_own_datasets_coming_back_are_skipped_and_the_others_kept_out_of_our_feed(
        self, partner, app
    ):
        base = partner.base
        ours = dataset_ttl(1, base, uri="http://127.0.0.1:5000/dataset/deliberations-2025")
        one_page(partner, [ours, dataset_ttl(2, base)])
        partner.add("datagouv", datagouv={"expose": False, "reason": "déjà sur data.gouv.fr"})
        status = partner.run("datagouv")
        datasets = partner.datasets("datagouv")
        assert [d["title"] for d in datasets] == ["Jeu numéro 2"]
        assert datasets[0]["datagouv_expose"] == "false"
        assert status["last_job"]["skipped_count"] == 1
        assert "ignoré pour éviter une boucle" in status["last_job"]["skipped"][0]
        feed = app.get(f"/organization/{partner.org['name']}/catalog.ttl").body
        assert "Jeu numéro 2" not in feed
        assert app.get(f"/dataset/{datasets[0]['name']}").status_code == 200

    def test_a_second_source_with_the_same_records_takes_nothing(self, partner):
        base = partner.base
        one_page(partner, [dataset_ttl(1, base)])
        other = data.organisation(name="autre-epci", siren=refdata.epcis()[1]["siren"])
        partner.add("premiere")
        partner.run("premiere")
        partner.add("seconde", "/catalog.ttl?copie", organization={"siren": other["siren"]})
        partner.serve("/catalog.ttl?copie", partner.state["routes"]["/catalog.ttl"])
        status = partner.run("seconde")
        (dataset,) = partner.datasets()
        assert (dataset["harvest_source_name"], dataset["owner_org"]) == (
            "premiere",
            partner.org["id"],
        )
        assert "déjà moissonné par la source « premiere »" in status["last_job"]["skipped"][0]

    def test_a_record_claiming_another_publisher_lands_in_the_source_organisation(self, partner):
        base = partner.base
        other = data.organisation(name="autre-epci", siren=refdata.epcis()[1]["siren"])
        record = dataset_ttl(
            1,
            base,
            extra=(
                f"<{base}/datasets/jeu-1> dct:publisher "
                f'[ a foaf:Agent ; foaf:name "{other["title"]}" ] .\n'
            ),
        )
        one_page(partner, [record])
        partner.add("editeur")
        partner.run("editeur")
        assert [d["owner_org"] for d in partner.datasets("editeur")] == [partner.org["id"]]

    def test_a_record_cannot_reach_a_hand_made_dataset(self, partner):
        local = data.dataset(owner_org=partner.org["id"], title="Fait main")
        record = dataset_ttl(
            1, partner.base, identifier=f'dct:identifier "{local["id"]}"', uri=local["id"]
        )
        one_page(partner, [record])
        partner.add("collision")
        partner.run("collision")
        kept = tk.get_action("package_show")({"ignore_auth": True}, {"id": local["id"]})
        assert (kept["title"], kept.get("guid")) == ("Fait main", None)
        assert [d["title"] for d in partner.datasets("collision")] == ["Jeu numéro 1"]


class TestInOurFeed:
    def test_a_harvested_dataset_is_as_complete_in_our_feed_as_a_hand_made_one(
        self, partner, app, tmp_path
    ):
        """The DCAT tests apply: zero SHACL violations, and data.gouv.fr's own harvester
        takes it whole; the dataset page says where it comes from."""
        base = partner.base
        files = "https://donnees.exemple.fr/fichiers"  # udata refuses the reserved .test domain
        one_page(
            partner,
            [
                dataset_ttl(1, base, dist_url=f"{files}/jeu-1.csv"),
                dataset_ttl(2, base, spatial=None, dist_url=f"{files}/jeu-2.csv"),
            ],
        )
        partner.add("expose", mapping={"territories": {"default": ["82"]}})
        partner.run("expose")
        catalog = f"http://127.0.0.1:5000/organization/{partner.org['name']}/catalog.ttl"
        graph, _ = crawl(app, catalog)
        assert len(datasets_of(graph)) == 2
        assert shacl.violations(graph) == []
        adms = URIRef("http://www.w3.org/ns/adms#identifier")
        notations = {str(graph.value(node, SKOS.notation)) for node in graph.objects(None, adms)}
        assert notations == {f"{base}/datasets/jeu-1", f"{base}/datasets/jeu-2"}
        code, lines, stderr = harvest_with_udata(graph, tmp_path)
        items = [item for item in lines[:-1] if item.get("type") == "dataset"]
        assert code == 0, (lines[-1], items, stderr[-2000:])
        assert sorted(i["title"] for i in items) == ["Jeu numéro 1", "Jeu numéro 2"]
        for item in items:
            assert item["status"] == "done" and item["degraded"] == [] and item["errors"] == []
            assert item["license"] == "lov2" and item["frequency"] == "monthly"
        # data.gouv.fr keys them by our id, not by the upstream URI beside it.
        assert {i["remote_id"] for i in items} == {d["id"] for d in partner.datasets("expose")}
        (dataset, _) = partner.datasets("expose")
        page = app.get(f"/dataset/{dataset['name']}").body
        assert "Moissonné depuis" in page and f'href="{base}/datasets/jeu-1"' in page
