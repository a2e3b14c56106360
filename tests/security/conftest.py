"""Fixtures of the exposure tests: one organisation's datasets in every state, and who asks."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

from tests.helpers import data


def datasets_in_every_state() -> dict[str, Any]:
    """An organisation with a public, a private, a draft and a deleted dataset (one resource
    each); its editor and read-only member, an editor of another organisation, a sysadmin."""
    org = data.organisation(title="EPCI des données cachées")
    editor = data.member(org, "editor")
    other = data.organisation(title="Autre EPCI")
    resource = [{"url": "https://example.org/table.csv", "name": "Table"}]
    # Created by the editor: CKAN hides the site user's own activity from streams.
    by_editor = {"owner_org": org["id"], "resources": resource, "user": editor["user"]}
    datasets = {
        "public": data.dataset(**by_editor),
        "private": data.dataset(private=True, **by_editor),
        "draft": data.dataset(state="draft", **by_editor),
        "deleted": data.dataset(**by_editor),
    }
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=datasets["deleted"]["id"])
    return {
        "org": org,
        "datasets": datasets,
        "editor": editor,
        "member": data.member(org, "member"),
        "stranger": data.member(other, "editor"),
        "sysadmin": {"user": sysadmin, "headers": data.api_headers(sysadmin)},
    }


@pytest.fixture(scope="module")
def hidden(shared_stack) -> dict[str, Any]:
    """The same, once for a module whose tests only read or are refused."""
    return datasets_in_every_state()
