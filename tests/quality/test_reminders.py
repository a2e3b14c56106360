"""Update reminders through a real SMTP server started here on 127.0.0.1 (aiosmtpd): the
editors of a late dataset's organisation get one French e-mail per due date, with the link to
update it; nobody else; a mail server that is down makes the next run try again."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

from ckanext.tgn.quality import reminders
from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

FREQ = data.FREQUENCY


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
pytestmark = [
    pytestmark,
    pytest.mark.ckan_config("smtp.server", f"127.0.0.1:{PORT}"),
    pytest.mark.ckan_config("smtp.mail_from", "donnees@tarnetgaronne-numerique.fr"),
]


@pytest.fixture
def french(app):
    """A request of the app, as the CLI runs its commands in one (the site's language)."""
    with app.flask_app.test_request_context():
        yield


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def _body(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode(message.get_content_charset() or "utf-8")


@pytest.fixture
def org() -> dict[str, Any]:
    """An editor and an administrator with e-mail, a read-only member; a late dataset and
    one updated on time."""
    org = data.organisation(title="CC du Quercy vert")
    editor = factories.User(name="agent-redacteur", email="redacteur@quercy.fr")
    admin = factories.User(name="agent-admin", email="admin@quercy.fr")
    member = factories.User(name="agent-lecteur", email="lecteur@quercy.fr")
    for user, role in ((editor, "editor"), (admin, "admin"), (member, "member")):
        data.member(org, role, user)
    today = dt.date.today()
    late = data.dataset(
        name="subventions-en-retard", title="Subventions aux associations", owner_org=org["id"],
        frequency=FREQ + "MONTHLY", modified=(today - dt.timedelta(days=90)).isoformat(),
    )  # fmt: skip
    data.dataset(
        name="budget-a-jour", owner_org=org["id"], frequency=FREQ + "ANNUAL",
        modified=today.isoformat(),
    )  # fmt: skip
    return {"org": org, "late": late}


def test_the_editors_get_one_french_reminder_per_due_date(french, inbox, org):
    first = reminders.send_all()

    assert (first.late, first.sent) == (1, 1)
    # The editor and the administrator; never the read-only member.
    assert sorted(m["To"].split("<")[-1].rstrip(">") for m in inbox.messages) == [
        "admin@quercy.fr", "redacteur@quercy.fr",
    ]  # fmt: skip
    message = inbox.messages[0]
    assert "Subventions aux associations" in str(email.header.make_header(
        email.header.decode_header(message["Subject"])
    ))  # fmt: skip
    body = _body(message)
    due = (dt.date.today() - dt.timedelta(days=90) + dt.timedelta(days=31)).strftime("%d/%m/%Y")
    assert f"devait être mis à jour avant le {due}" in body
    assert "http://127.0.0.1:5000/dataset/edit/subventions-en-retard" in body

    again = reminders.send_all()

    assert (again.late, again.sent, again.already) == (1, 0, 1)
    assert len(inbox.messages) == 2


def test_an_update_starts_a_new_period(french, inbox, org):
    reminders.send_all()
    staff = factories.Sysadmin()
    helpers.call_action(
        "package_patch", {"user": staff["name"]}, id=org["late"]["id"],
        modified=dt.date.today().isoformat(),
    )  # fmt: skip

    assert reminders.send_all().late == 0
    later = reminders.send_all(now=dt.datetime.now() + dt.timedelta(days=40))

    assert later.sent == 1
    assert len(inbox.messages) == 4


def test_a_mail_server_down_is_tried_again_next_run(french, org):
    down = reminders.send_all()  # no server listens on the port

    assert (down.sent, down.failed) == (0, 1)
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        assert reminders.send_all().sent == 1
    finally:
        controller.stop()
    assert len(box.messages) == 2


def test_the_cli_says_what_it_did(inbox, org, cli):
    result = cli.invoke(ckan_cli, ["tgn", "quality", "remind"])

    assert result.exit_code == 0, result.output
    assert "subventions-en-retard : rappel envoyé à 2 éditeur(s)" in result.output
    assert "1 jeu(x) de données en retard : 1 rappel(s) envoyé(s)" in result.output


def test_each_organisation_hears_of_its_own_datasets_only(french, inbox, org):
    other = data.organisation(title="CC voisine")
    neighbour = factories.User(name="agent-voisin", email="voisin@voisine.fr")
    data.member(other, "editor", neighbour)
    today = dt.date.today()
    data.dataset(
        name="prive-en-retard", owner_org=other["id"], private=True, frequency=FREQ + "WEEKLY",
        modified=(today - dt.timedelta(days=30)).isoformat(),
    )  # fmt: skip
    gone = data.dataset(
        name="supprime-en-retard", owner_org=other["id"], frequency=FREQ + "WEEKLY",
        modified=(today - dt.timedelta(days=30)).isoformat(),
    )  # fmt: skip
    helpers.call_action("package_delete", {"user": factories.Sysadmin()["name"]}, id=gone["id"])

    outcome = reminders.send_all()

    # The private late dataset is reminded to its own editor; the deleted one to nobody.
    assert (outcome.late, outcome.sent) == (2, 2)
    to = {m["To"].split("<")[-1].rstrip(">"): m for m in inbox.messages}
    assert set(to) == {"admin@quercy.fr", "redacteur@quercy.fr", "voisin@voisine.fr"}
    assert "prive-en-retard" in _body(to["voisin@voisine.fr"])
    assert "subventions-en-retard" not in _body(to["voisin@voisine.fr"])


class Refusing(Inbox):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 Transaction failed"


def test_a_server_that_refuses_the_mail_is_tried_again_next_run(french, org):
    controller = Controller(Refusing(), hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        refused = reminders.send_all()
    finally:
        controller.stop()

    assert (refused.sent, refused.failed) == (0, 1)
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        assert reminders.send_all().sent == 1
    finally:
        controller.stop()
