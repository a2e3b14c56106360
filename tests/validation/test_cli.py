"""`ckan tgn validation`: run now and show, as staff use it on the server."""

from __future__ import annotations

import pytest

from tests.helpers.tables import DELIBERATIONS, INVALID_CSV

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestCommandLine:
    def test_run_now_and_show(self, cli, agent, make_dataset, validation, served):
        from ckan.cli.cli import ckan

        served["files"]["a.csv"] = INVALID_CSV
        dataset = make_dataset(
            owner_org=agent["org"]["id"],
            resources=[
                {"url": f"{validation['server']}/files/a.csv", "conforms_to": DELIBERATIONS}
            ],
        )
        resource_id = dataset["resources"][0]["id"]
        result = cli.invoke(
            ckan, ["tgn", "validation", "run", "--now", "--dataset", dataset["name"]]
        )
        assert result.exit_code == 0, result.output
        assert f"[1/1] {resource_id} : invalide (2 erreur(s))" in result.output
        shown = cli.invoke(ckan, ["tgn", "validation", "show", resource_id])
        assert "Numéro SIRET invalide : 1" in shown.output
        missing = cli.invoke(ckan, ["tgn", "validation", "run", "pas-une-ressource"])
        assert missing.exit_code != 0 and "Ressource introuvable" in missing.output
