"""Fixtures of the validation tests on the platform."""

from __future__ import annotations

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers


@pytest.fixture
def validation(ckan_config, monkeypatch, table_server, served):
    """Validation pointed at the test server (private addresses allowed), clean cache/queue."""
    settings = {
        "ckanext.tgn.validation.schema_catalog_url": f"{table_server}/sdgf/schemas.json",
        "ckanext.tgn.validation.allow_private_addresses": True,
        "ckanext.tgn.validation.connect_timeout": 5,
        "ckanext.tgn.validation.read_timeout": 5,
    }
    for key, value in settings.items():
        monkeypatch.setitem(ckan_config, key, value)
    redis = connect_to_redis()
    for key in redis.scan_iter("tgn:validation:*"):
        redis.delete(key)
    helpers.call_action("job_clear", {"ignore_auth": True})
    return {"server": table_server, "settings": settings}


@pytest.fixture
def staff():
    """A sysadmin's context, as the syndicate's staff act."""
    return {"user": factories.Sysadmin()["name"]}
