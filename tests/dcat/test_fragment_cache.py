"""Catalog pages joined from cached fragments: the same triples as the uncached profile, and
never a stale or non-public fragment, whatever changed and however it changed.

Each page is fetched through the web app as a harvester does, with the cache cold (emptied),
warm (filled by the cold crawl) and switched off (``ckanext.tgn.dcat.cache = false``: the
profile runs on every dataset and rdflib writes the page, as ckanext-dcat does); the three
parsed graphs must be isomorphic, page by page.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import rdflib
import sqlalchemy as sa
import yaml
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers
from freezegun import freeze_time
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from ckanext.tgn.dcat import catalog, fragments, store
from ckanext.tgn.lib import vocab
from tests.helpers.crawl import HYDRA, PER_PAGE, RDFLIB, SITE, dataset_uri, datasets
from tests.helpers.data import dataset, organisation

pytestmark = pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)

SUFFIXES = ("ttl", "xml", "jsonld")


def pages(app, path: str) -> list[str]:
    """Every page's body, following hydra:next from ``path``."""
    bodies, url = [], SITE + path
    suffix = path.split("?")[0].rsplit(".", 1)[1]
    while url:
        response = app.get(url.removeprefix(SITE))
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
        bodies.append(body)
        nexts = list(parse(body, suffix).objects(None, HYDRA.next))
        url = str(nexts[0]) if nexts else None
    return bodies


def parse(body: str, suffix: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=RDFLIB[suffix])


def fragment_rows() -> list[Any]:
    model.Session.remove()
    rows = model.Session.execute(sa.select(store.fragment_table)).fetchall()
    model.Session.remove()
    return rows


def uncached(app, path: str, monkeypatch) -> list[str]:
    with monkeypatch.context() as m:
        m.setitem(tk.config, "ckanext.tgn.dcat.cache", False)
        return pages(app, path)


def clear_cache() -> None:
    model.Session.remove()
    store.clear()
    model.Session.remove()


def assert_same_triples(app, path: str, monkeypatch) -> list[rdflib.Graph]:
    """Cold, warm and uncached crawls of ``path``: page by page the same graph."""
    suffix = path.split("?")[0].rsplit(".", 1)[1]
    clear_cache()
    cold = pages(app, path)
    warm = pages(app, path)
    reference = uncached(app, path, monkeypatch)
    assert len(cold) == len(warm) == len(reference)
    graphs = []
    for number, (c, w, r) in enumerate(zip(cold, warm, reference, strict=True), 1):
        expected = parse(r, suffix)
        assert isomorphic(parse(c, suffix), expected), (path, number, "cold")
        assert isomorphic(parse(w, suffix), expected), (path, number, "warm")
        graphs.append(expected)
    return graphs


def crawl_datasets(app, path: str) -> set:
    suffix = path.split("?")[0].rsplit(".", 1)[1]
    found: set = set()
    for body in pages(app, path):
        found |= datasets(parse(body, suffix))
    return found


def every_format(app, path_without_suffix: str) -> list[set]:
    return [crawl_datasets(app, f"{path_without_suffix}.{s}") for s in SUFFIXES]


def sysadmin() -> dict[str, Any]:
    return {"user": factories.Sysadmin()["name"]}


# --- same triples ---------------------------------------------------------------------------
class TestSameTriples:
    @pytest.mark.parametrize("suffix", SUFFIXES)
    @pytest.mark.parametrize(
        "path",
        [
            "/catalog.{s}",
            "/organization/ca-grand-montauban/catalog.{s}",
            "/catalog.{s}?q=Délibérations",
            "/catalog.{s}?modified_since=2020-01-01",
        ],
    )
    def test_cached_pages_are_the_uncached_pages(
        self, shared_app, shared_platform, monkeypatch, path, suffix
    ):
        graphs = assert_same_triples(shared_app, path.format(s=suffix), monkeypatch)
        assert graphs and all(len(g) > 20 for g in graphs)

    def test_the_warm_crawl_renders_nothing_and_serves_every_public_dataset(
        self, shared_app, shared_platform
    ):
        clear_cache()
        pages(shared_app, "/catalog.ttl")
        rendered = {row.package_id: row.rendered for row in fragment_rows()}
        found = crawl_datasets(shared_app, "/catalog.ttl")

        assert set(rendered) == {d["id"] for d in shared_platform["public"].values()}
        assert {row.package_id: row.rendered for row in fragment_rows()} == rendered
        assert found == {dataset_uri(d) for d in shared_platform["public"].values()}

    def test_blank_node_labels_are_never_shared_by_two_fragments(self, shared_app, shared_platform):
        clear_cache()
        pages(shared_app, "/catalog.ttl")
        labels: dict[str, str] = {}
        for row in fragment_rows():
            for column in fragments.COLUMNS:
                text = getattr(row, column)
                found = set(re.findall(r'_:(N[0-9a-f]{32})|nodeID="(N[0-9a-f]{32})"', text))
                for label in {a or b for a, b in found}:
                    assert labels.setdefault(label, row.package_id) == row.package_id
        assert labels  # periods and contact points are blank nodes

    def test_a_territory_outline_is_written_once_per_page(self, shared_app, shared_platform):
        clear_cache()
        body = pages(shared_app, "/organization/ca-grand-montauban/catalog.ttl")[0]
        # Three datasets of the page share Montauban and its EPCI, each with its outline.
        commune = "<http://id.insee.fr/geo/commune/82121>"
        assert len(re.findall(f"^{commune} ", body, flags=re.MULTILINE)) == 1
        assert body.count(commune) == 4  # described once, then an object of each dataset
        assert body.count("POLYGON") == 2  # the commune's and the EPCI's outlines

    def test_each_prefix_is_declared_once_per_page(self, shared_app, shared_platform):
        for body in pages(shared_app, "/catalog.ttl"):
            declared = re.findall(r"^@prefix (\w*):", body, flags=re.MULTILINE)
            assert len(declared) == len(set(declared)) > 10
            assert "@prefix" not in body[body.index("\n<") :]

    @pytest.mark.parametrize("organization", [None, "ca-grand-montauban"])
    def test_database_membership_is_the_search_membership_on_every_page(
        self, shared_app, shared_platform, organization
    ):
        org_id = shared_platform["orgs"]["montauban"]["id"] if organization else None
        extra = [f'owner_org:"{org_id}"'] if org_id else []
        with shared_app.flask_app.test_request_context():
            total = store.count(catalog.CATALOG_TYPE, org_id)
            for page in range(1, total // PER_PAGE + 2):
                solr = catalog.public_search({}, extra, page)
                ids = store.page_ids(catalog.CATALOG_TYPE, org_id, PER_PAGE, (page - 1) * PER_PAGE)
                assert ids == [d["id"] for d in solr["results"]]
                assert total == solr["count"]
        model.Session.remove()


@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")
class TestGeneratedCatalog:
    def test_a_generated_catalog_is_the_same_cached_or_not(self, app, monkeypatch):
        orgs = [
            organisation(name="ca-grand-montauban", title="CA Grand Montauban"),
            organisation(name="cc-lomagne", title="CC de la Lomagne tarn-et-garonnaise"),
        ]
        themes = ["GOVE", "ECON", "TRAN", "SOCI", "ENVI", "EDUC"]
        territories = [["82121"], ["82112", "82"], ["248200099"], []]
        for i in range(18):
            dataset(
                name=f"jeu-{i}",
                title=f"Jeu {i} — « données » & <tests>",
                owner_org=orgs[i % 2]["id"],
                theme=[themes[i % 6], themes[(i + 1) % 6]],
                territories=territories[i % 4],
                temporal_start=f"{2000 + i}-01-01" if i % 3 else None,
                language=["FRA"] if i % 2 else ["FRA", "OCI"],
                hvd_category="c_b79e35eb" if i % 5 == 0 else None,
                tags=[{"name": f"mot-{i % 4}"}, {"name": "commun"}],
                resources=[
                    {
                        "url": f"https://exemple.fr/{i}/données_{r}.csv?a=1&b=2",
                        "name": f"Fichier {r}",
                    }
                    for r in range(i % 3 + 1)
                ],
            )
        for suffix in SUFFIXES:
            graphs = assert_same_triples(app, f"/catalog.{suffix}", monkeypatch)
            assert len(graphs) == 18 // PER_PAGE
            union = rdflib.Graph()
            for graph in graphs:
                union += graph
            assert len(datasets(union)) == 18


# --- never stale, never private -------------------------------------------------------------
@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")
class TestNeverStale:
    def test_an_edit_is_served_at_once(self, app, platform):
        every_format(app, "/catalog")  # warm
        target = platform["public"]["moissac-0"]
        helpers.call_action(
            "package_patch", sysadmin(), id=target["id"], title="Subventions (corrigé)"
        )
        for suffix in SUFFIXES:
            graph = rdflib.Graph()
            for body in pages(app, f"/catalog.{suffix}"):
                graph += parse(body, suffix)
            titles = {str(t) for t in graph.objects(dataset_uri(target), DCTERMS.title)}
            assert titles == {"Subventions (corrigé)"}, suffix

    def test_a_renamed_organisation_is_renamed_in_every_fragment(self, app, platform):
        every_format(app, "/catalog")
        org = platform["orgs"]["moissac"]
        helpers.call_action(
            "organization_patch", sysadmin(), id=org["id"], name="cc-nouveau", title="CC Nouveau"
        )
        old = f"{SITE}/organization/cc-terres-des-confluences"
        for suffix in SUFFIXES:
            bodies = pages(app, f"/catalog.{suffix}")
            assert not any(old in body or "Terres des Confluences" in body for body in bodies)
            full = rdflib.Graph()
            for body in bodies:
                full += parse(body, suffix)
            publisher = rdflib.URIRef(f"{SITE}/organization/cc-nouveau")
            for key in ("moissac-0", "moissac-1"):
                uri = dataset_uri(platform["public"][key])
                assert set(full.objects(uri, DCTERMS.publisher)) == {publisher}
            assert set(full.objects(publisher, FOAF.name)) == {rdflib.Literal("CC Nouveau")}

    def test_bulk_private_and_delete_leave_every_page_at_once(self, app, platform):
        public = platform["public"]
        everyone = {dataset_uri(d) for d in public.values()}
        assert every_format(app, "/catalog") == [everyone] * 3  # warm
        org = platform["orgs"]["montauban"]
        made_private = [public["montauban-0"]["id"], public["montauban-2"]["id"]]
        helpers.call_action(
            "bulk_update_private", sysadmin(), datasets=made_private, org_id=org["id"]
        )
        deleted = [public["routes"]["id"]]
        helpers.call_action(
            "bulk_update_delete",
            sysadmin(),
            datasets=deleted,
            org_id=platform["orgs"]["departement"]["id"],
        )
        gone = {rdflib.URIRef(f"{SITE}/dataset/{i}") for i in made_private + deleted}

        assert every_format(app, "/catalog") == [everyone - gone] * 3
        org_catalog = every_format(app, "/organization/ca-grand-montauban/catalog")
        montauban = {dataset_uri(public[f"montauban-{i}"]) for i in (1, 3)}
        assert org_catalog == [montauban] * 3
        body = app.get("/catalog.ttl?page=1").get_data(as_text=True)
        total = next(parse(body, "ttl").objects(None, HYDRA.totalItems))
        assert int(total) == len(everyone) - 3

        helpers.call_action(
            "bulk_update_public", sysadmin(), datasets=made_private, org_id=org["id"]
        )
        assert every_format(app, "/catalog") == [everyone - gone | montauban_all(public)] * 3

    def test_private_draft_deleted_and_purged_datasets_never_show(self, app, platform):
        public = platform["public"]
        every_format(app, "/catalog")
        helpers.call_action("package_patch", sysadmin(), id=public["budget"]["id"], private=True)
        helpers.call_action("package_delete", sysadmin(), id=public["moissac-1"]["id"])
        helpers.call_action("dataset_purge", sysadmin(), id=public["moissac-0"]["id"])
        expected = {
            dataset_uri(d)
            for key, d in public.items()
            if key not in ("budget", "moissac-1", "moissac-0")
        }
        assert every_format(app, "/catalog") == [expected] * 3
        assert every_format(app, "/organization/cc-terres-des-confluences/catalog") == [set()] * 3
        for key in ("budget", "moissac-1", "moissac-0"):
            for suffix in SUFFIXES:
                for body in pages(app, f"/catalog.{suffix}"):
                    assert public[key]["id"] not in body

    def test_a_changed_vocabulary_label_is_served_at_once(
        self, app, platform, tmp_path, monkeypatch
    ):
        every_format(app, "/catalog")
        copy = tmp_path / "vocabularies"
        shutil.copytree(vocab.DIRECTORY, copy)
        themes = yaml.safe_load((copy / "data-theme.yaml").read_text(encoding="utf-8"))
        concept = next(c for c in themes["concepts"] if c["code"] == "SOCI")
        old_label, concept["fr"] = concept["fr"], "Société et cohésion (nouveau libellé)"
        (copy / "data-theme.yaml").write_text(yaml.safe_dump(themes, allow_unicode=True))
        monkeypatch.setattr(vocab, "DIRECTORY", copy)
        vocab.vocabulary.cache_clear()
        try:
            for suffix in SUFFIXES:
                graph = rdflib.Graph()
                for body in pages(app, f"/catalog.{suffix}"):
                    graph += parse(body, suffix)
                soci = rdflib.URIRef(vocab.vocabulary("data-theme").lookup("SOCI").uri)
                assert set(graph.objects(soci, SKOS.prefLabel)) == {
                    rdflib.Literal("Société et cohésion (nouveau libellé)", lang="fr")
                }, suffix
                assert rdflib.Literal(old_label, lang="fr") not in set(graph.objects())
        finally:
            monkeypatch.undo()
            vocab.vocabulary.cache_clear()

    def test_a_modified_date_in_the_future_appears_on_its_day(self, app, platform):
        target = platform["public"]["budget"]
        helpers.call_action("package_patch", sysadmin(), id=target["id"], modified="2031-06-15")
        uri = dataset_uri(target)

        def modified() -> set[str]:
            graph = rdflib.Graph()
            for body in pages(app, "/catalog.ttl"):
                graph += parse(body, "ttl")
            return {str(v) for v in graph.objects(uri, DCTERMS.modified)}

        with freeze_time("2031-06-14"):
            before = modified()  # rendered and stored, the future date left out
            assert "2031-06-15" not in {v[:10] for v in before} and before
            assert modified() == before  # served from the cache the same day
        with freeze_time("2031-06-15"):
            assert {v[:10] for v in modified()} == {"2031-06-15"}

    def test_a_fragment_whose_shared_block_is_gone_is_rendered_again(self, app, platform):
        pages(app, "/catalog.ttl")
        model.Session.execute(store.shared_table.delete())
        model.Session.commit()
        store.forget_memory()
        graph = rdflib.Graph()
        for body in pages(app, "/catalog.ttl"):
            graph += parse(body, "ttl")
        commune = rdflib.URIRef("http://id.insee.fr/geo/commune/82121")
        assert (commune, RDF.type, DCTERMS.Location) in graph

    def test_a_save_that_changes_nothing_is_not_rendered_again_until_a_real_change(
        self, app, platform
    ):
        target = platform["public"]["moissac-1"]
        # On a site with the DataStore, package_show adds defaults to each resource (the
        # DataStore's datastore_active, xloader's datastore_contains_all_records_of_source_file)
        # that the first patch of a dataset stores: that first save does change it. Only the
        # saves after it change nothing.
        helpers.call_action("package_patch", sysadmin(), id=target["id"], title=target["title"])
        pages(app, "/catalog.ttl")
        before = {row.package_id: row.rendered for row in fragment_rows()}
        # CKAN moves metadata_modified in the database but skips reindexing an unchanged
        # dataset: the index still holds the version the fragment was rendered from.
        helpers.call_action("package_patch", sysadmin(), id=target["id"], title=target["title"])
        pages(app, "/catalog.ttl")
        assert {row.package_id: row.rendered for row in fragment_rows()} == before

        helpers.call_action("package_patch", sysadmin(), id=target["id"], title="Nouveau titre")
        graph = rdflib.Graph()
        for body in pages(app, "/catalog.ttl"):
            graph += parse(body, "ttl")
        after = {row.package_id: row.rendered for row in fragment_rows()}
        assert [i for i in after if after[i] != before[i]] == [target["id"]]
        assert set(graph.objects(dataset_uri(target), DCTERMS.title)) == {
            rdflib.Literal("Nouveau titre")
        }

    def test_a_reindexed_dataset_is_rendered_again_from_its_new_index_version(self, app, platform):
        from ckan.lib import search

        target = platform["public"]["routes"]
        pages(app, "/catalog.ttl")
        before = {row.package_id: row.rendered for row in fragment_rows()}
        search.rebuild(target["id"])  # as `ckan search-index rebuild` does, date unchanged
        pages(app, "/catalog.ttl")
        after = {row.package_id: row.rendered for row in fragment_rows()}
        assert [i for i in after if after[i] != before[i]] == [target["id"]]

    def test_without_the_cache_tables_the_catalog_still_answers_uncached(self, app, platform):
        expected = {dataset_uri(d) for d in platform["public"].values()}
        model.Session.execute(sa.text("ALTER TABLE tgn_dcat_fragment RENAME TO tgn_dcat_away"))
        model.Session.commit()
        try:
            assert every_format(app, "/catalog") == [expected] * 3
        finally:
            model.Session.remove()
            model.Session.execute(sa.text("ALTER TABLE tgn_dcat_away RENAME TO tgn_dcat_fragment"))
            model.Session.commit()

    def test_only_the_edited_dataset_is_rendered_again(self, app, platform):
        pages(app, "/catalog.xml")
        before = {row.package_id: row.rendered for row in fragment_rows()}
        target = platform["public"]["montauban-1"]
        helpers.call_action("package_patch", sysadmin(), id=target["id"], notes="Mis à jour.")
        pages(app, "/catalog.xml")
        after = {row.package_id: row.rendered for row in fragment_rows()}

        assert set(after) == set(before)
        assert [i for i in after if after[i] != before[i]] == [target["id"]]


def montauban_all(public: dict[str, Any]) -> set:
    return {dataset_uri(public[f"montauban-{i}"]) for i in (0, 2)}


# --- commands and the job after a save ------------------------------------------------------
@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")
class TestCommands:
    def test_warm_renders_what_is_missing_once_and_reports_progress(self, cli, platform):
        first = cli.invoke(ckan_cli, ["tgn", "dcat", "warm"])
        assert first.exit_code == 0, first.output
        assert "8/8 jeux traités" in first.output
        assert "8 description(s) préparée(s) ; 8 jeu(x) dans les catalogues" in first.output
        again = cli.invoke(ckan_cli, ["tgn", "dcat", "warm"])
        assert "0 description(s) préparée(s)" in again.output

        status = cli.invoke(ckan_cli, ["tgn", "dcat", "status"])
        assert "Descriptions à jour : 8" in status.output
        assert "À préparer : 0" in status.output

        helpers.call_action(
            "organization_patch", sysadmin(), id=platform["orgs"]["moissac"]["id"], title="CC X"
        )
        status = cli.invoke(ckan_cli, ["tgn", "dcat", "status"])
        assert "À préparer : 2" in status.output  # the organisation's two datasets

        cleared = cli.invoke(ckan_cli, ["tgn", "dcat", "clear", "--yes"])
        assert "Cache vidé : 8 description(s)" in cleared.output
        assert fragment_rows() == []

    def test_warm_of_an_unknown_organisation_is_refused(self, cli, platform):
        result = cli.invoke(ckan_cli, ["tgn", "dcat", "warm", "--organization", "inconnue"])
        assert result.exit_code != 0
        assert "Organisation introuvable : inconnue" in result.output

    def test_prune_removes_what_no_catalog_lists(self, cli, app, platform):
        pages(app, "/catalog.ttl")
        helpers.call_action(
            "bulk_update_private",
            sysadmin(),
            datasets=[platform["public"]["budget"]["id"]],
            org_id=platform["orgs"]["departement"]["id"],
        )
        result = cli.invoke(ckan_cli, ["tgn", "dcat", "prune"])
        assert result.output.startswith("1 description(s)")
        assert platform["public"]["budget"]["id"] not in {r.package_id for r in fragment_rows()}


@pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")
class TestRenderOnWrite:
    @pytest.mark.ckan_config("ckanext.tgn.dcat.render_on_write", True)
    def test_a_save_queues_a_job_that_renders_the_fragment(self, app, platform):
        from ckan.lib import jobs as ckan_jobs

        queue = ckan_jobs.get_queue()
        queue.empty()
        target = platform["public"]["routes"]
        helpers.call_action("package_patch", sysadmin(), id=target["id"], notes="Nouveau.")
        queued = queue.jobs
        assert [job.args for job in queued] == [[[target["id"]]]]

        worker = ckan_jobs.Worker()
        worker.work(burst=True)
        rows = {row.package_id: row for row in fragment_rows()}
        assert set(rows) == {target["id"]}
        stored = model.Session.get(model.Package, target["id"])
        assert stored is not None and rows[target["id"]].revision == stored.metadata_modified
        model.Session.remove()
        # The next crawl serves it without rendering it again.
        rendered = rows[target["id"]].rendered
        pages(app, "/organization/departement-82/catalog.ttl")
        assert {r.package_id: r.rendered for r in fragment_rows()}[target["id"]] == rendered


@pytest.mark.unit
class TestSerialise:
    def test_an_iri_oxigraph_refuses_makes_the_page_uncached(self):
        with pytest.raises(fragments.Unrenderable):
            fragments.serialise(
                [(rdflib.URIRef("http://a b"), RDF.type, rdflib.URIRef("http://x/y"))]
            )

    def test_joined_parts_parse_as_one_document_in_each_format(self):
        one = rdflib.URIRef("http://exemple.fr/dataset/1")
        two = rdflib.URIRef("http://exemple.fr/dataset/2")
        period = rdflib.BNode()
        parts = {
            column: [
                fragments.serialise(
                    [(one, RDF.type, DCAT.Dataset), (one, DCTERMS.temporal, period)]
                )[column],
                fragments.serialise([(two, DCTERMS.title, rdflib.Literal("Été", lang="fr"))])[
                    column
                ],
            ]
            for column in fragments.COLUMNS
        }
        for column, suffix in (("ttl", "ttl"), ("rdfxml", "xml"), ("jsonld", "jsonld")):
            graph = parse(fragments.join(column, parts[column]), suffix)
            assert len(graph) == 3
            assert (two, DCTERMS.title, rdflib.Literal("Été", lang="fr")) in graph

    def test_a_dataset_keeps_its_blank_nodes_and_shares_its_concepts_and_places(self):
        graph = rdflib.Graph()
        dataset_ref = rdflib.URIRef("http://exemple.fr/dataset/1")
        distribution = rdflib.URIRef("http://exemple.fr/dataset/1/resource/2")
        theme = rdflib.URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
        place = rdflib.URIRef("http://id.insee.fr/geo/commune/82121")
        contact, page = rdflib.BNode(), rdflib.URIRef("https://exemple.fr/page")
        for triple in [
            (dataset_ref, RDF.type, DCAT.Dataset),
            (dataset_ref, DCAT.distribution, distribution),
            (dataset_ref, DCAT.theme, theme),
            (dataset_ref, DCTERMS.spatial, place),
            (dataset_ref, DCAT.contactPoint, contact),
            (dataset_ref, DCAT.landingPage, page),
            (contact, RDF.type, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#Kind")),
            (distribution, RDF.type, DCAT.Distribution),
            (theme, RDF.type, SKOS.Concept),
            (theme, SKOS.prefLabel, rdflib.Literal("Gouvernement", lang="fr")),
            (place, RDF.type, DCTERMS.Location),
            (page, RDF.type, FOAF.Document),
        ]:
            graph.add(triple)

        own, shared = fragments.split(graph, dataset_ref)

        assert {s for s, _, _ in own} == {dataset_ref, distribution, contact, page}
        assert [sorted({s for s, _, _ in block}) for block in shared] == [[place], [theme]]
        assert len(own) + sum(len(b) for b in shared) == len(graph)
