"""Fixtures of the harvest tests: a partner's catalog server, its source files, an
organisation of the 82 to receive the datasets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ckanext.tgn.lib import refdata
from tests.helpers import catalog_server, data
from tests.helpers.harvest import OTHER, PARTNER, Partner, resolver


@pytest.fixture
def catalog() -> Iterator[dict]:
    state = catalog_server.fresh_state()
    with catalog_server.serving() as url:
        state["port"] = int(url.rsplit(":", 1)[1])
        yield state


@pytest.fixture
def partner(
    with_plugins, tgn_db, clean_index, catalog, tmp_path, monkeypatch, ckan_config, request
) -> Iterator[Partner]:
    """An EPCI's organisation, an empty folder of source files, the partner's server."""
    monkeypatch.setattr(socket, "getaddrinfo", resolver())
    monkeypatch.setitem(ckan_config, "ckanext.tgn.harvest.sources_directory", str(tmp_path))
    monkeypatch.setitem(ckan_config, "ckanext.tgn.harvest.allow_private_addresses", True)
    epci = refdata.epcis()[0]
    org = data.organisation(name="cc-partenaire", title=epci["name"], siren=epci["siren"])
    yield Partner(tmp_path, f"http://{PARTNER}:{catalog['port']}", org, catalog)
    # Every test: the harvesters asked the partner's server only for what the test serves,
    # and never the other host (a test that expects a miss says so with a marker).
    if request.node.get_closest_marker("unserved_requests_expected") is None:
        routes = catalog["routes"]
        unserved = [
            r
            for r in catalog["requests"]
            if r.split(" ", 1)[1] not in routes
            and r.split(" ", 1)[1].split("?", 1)[0] not in routes
        ]
        assert unserved == [], f"requests the test did not expect: {unserved}"
    assert OTHER not in catalog.get("hosts", []), "the other host was contacted"
