"""The Table Schema of a resource: the national catalogue, reached over HTTP and cached in Redis."""

from __future__ import annotations

import pytest
from ckan.lib.redis import connect_to_redis

from tests.helpers.tables import DELIBERATIONS, VALID_CSV
from tests.helpers.validation import api_report, upload, work

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestSchemaCatalogue:
    def test_unreachable_catalogue_is_a_clear_error(
        self, app, agent, make_dataset, validation, monkeypatch, ckan_config
    ):
        monkeypatch.setitem(
            ckan_config, "ckanext.tgn.validation.schema_catalog_url", "http://127.0.0.1:9/s.json"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        work(resource["id"])
        report = api_report(app, resource["id"])
        assert report["status"] == "erreur"
        assert (
            "catalogue des schémas (http://127.0.0.1:9/s.json) est injoignable"
            in (report["message_text"])
        )

    def test_catalogue_and_schema_are_cached(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config
    ):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        first = upload(app, agent, dataset["id"], VALID_CSV, "a.csv", DELIBERATIONS)
        work(first["id"])
        assert served["requests"].count("/sdgf/schemas.json") == 1
        second = upload(app, agent, dataset["id"], VALID_CSV, "b.csv", DELIBERATIONS)
        work(second["id"])
        assert served["requests"].count("/sdgf/schemas.json") == 1  # from Redis
        # Expired and the catalogue down: the last good copy still serves.
        redis = connect_to_redis()
        for key in redis.scan_iter("tgn:validation:*"):
            if not key.endswith(b":last"):
                redis.delete(key)
        served["catalog_down"] = True
        third = upload(app, agent, dataset["id"], VALID_CSV, "c.csv", DELIBERATIONS)
        work(third["id"])
        assert api_report(app, third["id"])["status"] == "valide"
        assert served["requests"].count("/sdgf/schemas.json") == 2
