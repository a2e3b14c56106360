"""Fixtures of the territory tests."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

from tests.helpers import data


def _two_organisations_and_an_editor() -> dict[str, Any]:
    mine = data.organisation(title="Mon EPCI")
    theirs = data.organisation(title="Autre EPCI")
    editor = factories.User()
    helpers.call_action(
        "organization_member_create",
        {"ignore_auth": True},
        id=mine["id"],
        username=editor["name"],
        role="editor",
    )
    return {
        "editor": {"user": editor["name"], "ignore_auth": False},
        "mine": mine,
        "theirs": theirs,
        "my_dataset": data.dataset(owner_org=mine["id"]),
        "their_dataset": data.dataset(
            owner_org=theirs["id"], resources=[{"url": "https://example.org/a.csv"}]
        ),
    }


@pytest.fixture
def setting(with_plugins, tgn_db, clean_index) -> dict[str, Any]:
    """Two EPCI, an editor of the first, a dataset in each, for a test that writes."""
    return _two_organisations_and_an_editor()


@pytest.fixture(scope="module")
def shared_setting(shared_stack) -> dict[str, Any]:
    """The same, created once for a module of tests that are all refused."""
    return _two_organisations_and_an_editor()
