"""The followers' number on a dataset page, counted by the portal in one query: the same
number CKAN's helper gives (active accounts only), as followers come and go."""

from __future__ import annotations

import re

import pytest
from ckan import model
from ckan.tests import factories, helpers

from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


def _followers(app, name: str) -> str:
    page = app.get(f"/dataset/{name}").get_data(as_text=True)
    box = page.split('id="package-info"', 1)[1].split("</section>", 1)[0]
    found = re.search(r"<dt>Abonnés</dt>\s*<dd>(.*?)</dd>", box, re.S)
    assert found, box
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_followers_number_counts_active_followers(app):
    dataset = data.dataset(name="budget", owner_org=data.organisation()["id"])
    other = data.dataset(name="autre", owner_org=dataset["owner_org"])
    assert _followers(app, "budget") == "0"
    fans = [factories.User(), factories.User()]
    for fan in fans:
        helpers.call_action("follow_dataset", {"user": fan["name"]}, id=dataset["id"])
    assert _followers(app, "budget") == "2"
    assert _followers(app, "autre") == "0"  # another dataset's followers are its own
    user = model.User.get(fans[1]["id"])
    assert user
    user.state = model.State.DELETED
    model.Session.commit()
    assert _followers(app, "budget") == "1"  # as CKAN counts: a deleted account follows nothing
    assert helpers.call_action("dataset_follower_count", id=dataset["id"]) == 1
    helpers.call_action("unfollow_dataset", {"user": fans[0]["name"]}, id=dataset["id"])
    assert _followers(app, "budget") == "0"
    assert other["id"]
