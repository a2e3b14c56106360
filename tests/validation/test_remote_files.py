"""Validation of linked tables: fetched from the test server, refused when private or too big.

Tables and the schema catalogue (../shared's copy of schema.data.gouv.fr) are served by a
test server on 127.0.0.1 (tests/helpers/table_server.py).
"""

from __future__ import annotations

import pytest

from ckanext.tgn.lib import table_schemas
from tests.helpers.tables import (
    DELIBERATIONS,
    SUBVENTIONS,
    VALID_CSV,
    csv_bytes,
    deliberation,
    subvention,
)
from tests.helpers.validation import api_report, link, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestRemoteFiles:
    def test_a_url_served_on_the_test_server(self, app, agent, make_dataset, validation, served):
        served["files"]["subventions.csv"] = csv_bytes(
            [subvention(1), subvention(2, nature="subvention")]
        )
        dataset = make_dataset(owner_org=agent["org"]["id"])
        url = f"{validation['server']}/files/subventions.csv"
        resource = link(app, agent, dataset["id"], url, SUBVENTIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "invalide"
        assert [(e["type"], e["row"], e["column"]) for e in report["errors"]] == [
            ("constraint-error", 3, "nature")
        ]
        assert "n'est pas une valeur autorisée" in report["errors"][0]["message"]
        assert "/files/subventions.csv" in served["requests"]

    def test_private_addresses_are_refused_by_default(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config
    ):
        served["files"]["t.csv"] = VALID_CSV
        dataset = make_dataset(owner_org=agent["org"]["id"])
        # The catalogue lives on the test server too: cache it before closing the door.
        table_schemas.resolve(DELIBERATIONS)
        monkeypatch.setitem(ckan_config, "ckanext.tgn.validation.allow_private_addresses", False)
        served["requests"].clear()
        resource = link(
            app, agent, dataset["id"], f"{validation['server']}/files/t.csv", DELIBERATIONS
        )
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "pas sur le web public (réseau privé)" in report["message_text"]
        assert served["requests"] == []  # never asked

    @pytest.mark.parametrize(
        "path,settings,words",
        [
            ("/status/404", {}, "erreur 404"),
            ("/slow/3", {"ckanext.tgn.validation.read_timeout": 1}, "n'a pas répondu à temps"),
            ("/files/big.csv", {"ckanext.tgn.validation.max_size": 2000}, "plus de 2 ko"),
        ],
    )
    def test_download_limits(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config,
        path, settings, words,
    ):  # fmt: skip
        served["files"]["big.csv"] = csv_bytes([deliberation(n) for n in range(1, 40)])
        for key, value in settings.items():
            monkeypatch.setitem(ckan_config, key, value)
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = link(app, agent, dataset["id"], validation["server"] + path, DELIBERATIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur"
        assert words in report["message_text"]

    def test_an_upload_over_the_size_limit(
        self, app, agent, make_dataset, validation, monkeypatch, ckan_config
    ):
        monkeypatch.setitem(ckan_config, "ckanext.tgn.validation.max_size", 1000)
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur" and "plus de 1 ko" in report["message_text"]
