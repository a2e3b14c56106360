"""An editor of one EPCI can never create, update, move or delete another organisation's
dataset (the CKAN authorisation our organisations rely on).

Every attempt here is refused, so nothing is written: the two organisations, the editor and
their datasets are created once for the module (``shared_setting``). That the editor can
publish in its own organisation is in test_territories.py.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("shared_app")


class TestEditorsStayInTheirOrganisation:
    """An editor of one EPCI can never create, update, move or delete another's dataset."""

    def test_cannot_create_in_another_organisation(self, shared_setting):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "package_create",
                shared_setting["editor"],
                name="intrus",
                owner_org=shared_setting["theirs"]["id"],
            )

    def test_cannot_update_another_organisations_dataset(self, shared_setting):
        their = shared_setting["their_dataset"]
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "package_patch", shared_setting["editor"], id=their["id"], title="Pirate"
            )
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "package_update", shared_setting["editor"], **{**their, "title": "Pirate"}
            )
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "resource_patch",
                shared_setting["editor"],
                id=their["resources"][0]["id"],
                url="https://pirate.example/x.csv",
            )
        assert helpers.call_action("package_show", id=their["id"])["title"] == their["title"]

    # CKAN refuses a move as a validation error of owner_org rather than NotAuthorized.
    def test_cannot_move_a_dataset_into_another_organisation(self, shared_setting):
        mine = shared_setting["my_dataset"]
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            helpers.call_action(
                "package_patch",
                shared_setting["editor"],
                id=mine["id"],
                owner_org=shared_setting["theirs"]["id"],
            )
        assert (
            helpers.call_action("package_show", id=mine["id"])["owner_org"]
            == shared_setting["mine"]["id"]
        )

    def test_cannot_move_another_organisations_dataset_into_its_own(self, shared_setting):
        their = shared_setting["their_dataset"]
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            helpers.call_action(
                "package_patch",
                shared_setting["editor"],
                id=their["id"],
                owner_org=shared_setting["mine"]["id"],
            )
        assert (
            helpers.call_action("package_show", id=their["id"])["owner_org"]
            == (shared_setting["theirs"]["id"])
        )

    def test_cannot_delete_another_organisations_dataset_or_resource(self, shared_setting):
        their = shared_setting["their_dataset"]
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("package_delete", shared_setting["editor"], id=their["id"])
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "resource_delete", shared_setting["editor"], id=their["resources"][0]["id"]
            )
        assert helpers.call_action("package_show", id=their["id"])["state"] == "active"
