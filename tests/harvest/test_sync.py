"""``ckan tgn harvest sync|check|status|run`` as staff type them, on the real services."""

from __future__ import annotations

from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestObject, HarvestSource

from tests.helpers import data
from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import catalog_ttl, dataset_ttl


def harvest(cli, *args):
    return cli.invoke(ckan_cli, ["tgn", "harvest", *args])


def sources() -> dict[str, HarvestSource]:
    rows = model.Session.query(model.Package, HarvestSource).join(
        HarvestSource, HarvestSource.id == model.Package.id
    )
    return {pkg.name: source for pkg, source in rows}


class TestSync:
    def test_twice_then_nothing_to_change(self, partner, cli):
        partner.source_file("cc-a")
        partner.source_file("cc-b", "/b.ttl", schedule="daily")
        first = harvest(cli, "sync")
        assert first.exit_code == 0, first.output
        assert "créée        cc-a" in first.output and "créée        cc-b" in first.output
        assert {n: (s.type, s.frequency, s.active) for n, s in sources().items()} == {
            "cc-a": ("tgn_dcat", "WEEKLY", True),
            "cc-b": ("tgn_dcat", "DAILY", True),
        }
        second = harvest(cli, "sync")
        assert second.exit_code == 0
        assert second.output.strip().endswith("Aucun changement.")

    def test_an_edited_file_updates_and_a_removed_file_deactivates(self, partner, cli):
        partner.source_file("cc-a")
        partner.source_file("cc-b", "/b.ttl")
        harvest(cli, "sync")
        partner.source_file("cc-a", schedule="monthly")
        (partner.directory / "cc-b.yaml").unlink()
        dry = harvest(cli, "sync", "--dry-run")
        assert "mise à jour  cc-a  (champs : frequency)" in dry.output
        assert "désactivée   cc-b" in dry.output
        assert "rien n'a été modifié" in dry.output
        assert (sources()["cc-a"].frequency, sources()["cc-b"].active) == ("WEEKLY", True)
        real = harvest(cli, "sync")
        assert real.exit_code == 0
        model.Session.expire_all()
        assert (sources()["cc-a"].frequency, sources()["cc-b"].active) == ("MONTHLY", False)
        assert harvest(cli, "sync").output.strip().endswith("Aucun changement.")
        partner.source_file("cc-b", "/b.ttl")  # back: the same source, active again
        assert "mise à jour  cc-b  (champs : active)" in harvest(cli, "sync").output
        model.Session.expire_all()
        assert sources()["cc-b"].active is True

    def test_bad_files_are_reported_and_the_others_applied(self, partner, cli):
        partner.source_file("cc-a")
        (partner.directory / "cc-casse.yaml").write_text("name: [", encoding="utf-8")
        partner.source_file("cc-inconnue", "/x.ttl", organization={"siren": data.valid_siren()})
        partner.source_file("cc-fichier", url="file:///etc/passwd")
        result = harvest(cli, "sync")
        assert result.exit_code == 1
        assert "créée        cc-a" in result.output
        assert "cc-casse.yaml : fichier : YAML illisible" in result.output
        assert "aucune organisation de la plateforme n'a le SIREN" in result.output
        assert "cc-fichier.yaml : champ « url »" in result.output
        assert set(sources()) == {"cc-a"}

    def test_a_source_row_written_by_hand_is_refused_at_fetch(self, partner, cli):
        """Not through a file: the harvester refuses a config it did not get from sync."""
        partner.add("cc-a")
        source = sources()["cc-a"]
        source.url = "file:///etc/passwd"
        source.config = '{"rdf_format": "xml"}'
        model.Session.commit()
        status = partner.run("cc-a")
        errors = status["last_job"]["gather_errors"]
        assert errors and "source non déclarée par un fichier" in errors[0]
        assert partner.requests() == []

    def test_upstream_harvester_types_are_not_offered(self, partner):
        types = {
            h["name"] for h in tk.get_action("harvesters_info_show")({"ignore_auth": True}, {})
        }
        assert types == {"tgn_dcat", "tgn_csw", "tgn_ckan"}


class TestRights:
    def test_an_organisation_editor_can_neither_create_nor_run_a_source(self, partner):
        partner.add("cc-a")
        editor = factories.User()
        helpers.call_action(
            "organization_member_create",
            id=partner.org["id"],
            username=editor["name"],
            role="admin",
        )
        context = {"user": editor["name"], "ignore_auth": False}
        source_id = sources()["cc-a"].id
        refused = [
            (
                "harvest_source_create",
                {
                    "name": "x",
                    "url": "http://a.test/",
                    "source_type": "tgn_dcat",
                    "owner_org": partner.org["id"],
                },
            ),
            (
                "package_create",
                {
                    "type": "harvest",
                    "name": "y",
                    "url": "http://a.test/",
                    "source_type": "tgn_dcat",
                    "owner_org": partner.org["id"],
                },
            ),
            ("harvest_source_update", {"id": source_id}),
            ("package_patch", {"id": source_id, "url": "http://ailleurs.test/"}),
            ("harvest_job_create", {"source_id": source_id}),
            ("harvest_source_clear", {"id": source_id}),
            ("package_delete", {"id": source_id}),
            ("bulk_update_delete", {"datasets": [source_id], "org_id": partner.org["id"]}),
            ("bulk_update_private", {"datasets": [source_id], "org_id": partner.org["id"]}),
            ("harvest_object_list", {}),
            ("tgn_harvest_sync", {}),
            ("tgn_harvest_status", {}),
        ]
        for action, data_dict in refused:
            try:
                tk.get_action(action)(context.copy(), data_dict)
            except tk.NotAuthorized:
                continue
            raise AssertionError(f"{action} allowed to an organisation admin")
        assert sources()["cc-a"].url.startswith(partner.base)
        assert sources()["cc-a"].active is True

    def test_nobody_but_staff_reads_the_raw_harvested_records(self, partner, app):
        """Stock ckanext-harvest serves any record's raw content (a withdrawn, private
        dataset's included) at /dataset/harvest_object/<dataset id>."""
        base = partner.base
        partner.serve(
            "/catalog.ttl", Answer(catalog_ttl([dataset_ttl(1, base)], page=f"{base}/catalog.ttl"))
        )
        partner.add("cc-a")
        partner.run("cc-a")
        (dataset,) = partner.datasets("cc-a")
        page = app.get(f"/dataset/harvest_object/{dataset['id']}", status=403)
        assert "Jeu numéro 1" not in page.body
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200


class TestCheckAndStatus:
    def test_check_reads_and_maps_records_and_writes_nothing(self, partner, cli):
        base = partner.base
        partner.serve(
            "/catalog.ttl",
            Answer(
                catalog_ttl(
                    [dataset_ttl(n, base) for n in range(1, 51)], page=f"{base}/catalog.ttl"
                )
            ),
        )
        partner.source_file("cc-a")
        before = model.Session.query(model.Package).count()
        result = harvest(cli, "check", "cc-a", "--limit", "20")
        assert result.exit_code == 0, result.output
        assert result.output.count("OK      ") == 20
        assert "licence     : lov2" in result.output
        assert "20 enregistrement(s) lu(s) : 20 convertible(s)" in result.output
        assert model.Session.query(model.Package).count() == before
        assert model.Session.query(HarvestObject).count() == 0
        assert sources() == {}  # not even registered

    def test_status_says_what_the_last_run_did(self, partner, cli):
        base = partner.base
        partner.serve(
            "/catalog.ttl",
            Answer(
                catalog_ttl(
                    [
                        dataset_ttl(1, base),
                        dataset_ttl(
                            2,
                            base,
                            licence=None,
                            dist_licence="https://exemple.test/licence-maison",
                        ),
                    ],
                    page=f"{base}/catalog.ttl",
                )
            ),
        )
        partner.add("cc-a")
        run = harvest(cli, "run", "cc-a", "--now")
        assert run.exit_code == 0, run.output
        status = harvest(cli, "status", "cc-a")
        assert "jeux moissonnés : 1" in status.output
        assert "résultat : 1 ajoutés, 1 en erreur" in status.output
        assert "licence inconnue (« https://exemple.test/licence-maison »)" in status.output
