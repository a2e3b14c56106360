"""Update reminders: an e-mail to an organisation's editors when one of its datasets is late
against its declared frequency, once per due date (a new update starts a new period).

Run by ``ckan tgn quality remind`` (daily, from the scheduler); e-mail goes through CKAN's
mailer and its ``smtp.*`` settings. A reminder is recorded only once at least one editor
got it, so a mail server that is down makes the next run try again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import mailer

from . import indexing, score

log = logging.getLogger(__name__)

# Our own metadata (not CKAN's): CKAN's table resets must not create or drop it; the
# migration makes the table.
metadata = sa.MetaData()
reminder_table = sa.Table(
    "tgn_quality_reminder",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("due", sa.Date, primary_key=True),
    sa.Column("sent", sa.DateTime, nullable=False),
    sa.Column("recipients", sa.Integer, nullable=False),
)


@dataclass
class Outcome:
    late: int = 0
    sent: int = 0
    already: int = 0
    without_editor: int = 0
    failed: int = 0


def _late_datasets(now: dt.datetime) -> list[tuple[model.Package, dt.date]]:
    """Active datasets (private ones too: the reminder goes to their own editors) whose
    due date has passed, with that date."""
    late = []
    query = model.Session.query(model.Package).filter(
        model.Package.type == "dataset", model.Package.state == "active"
    )
    for package in query.order_by(model.Package.name):
        extras = package.extras  # scheming keeps our fields there
        dataset = {
            "frequency": extras.get("frequency"),
            "modified": extras.get("modified"),
            "metadata_modified": package.metadata_modified.isoformat(),
        }
        due = score.next_update(dataset, now.date())
        if due is not None and (due - now).days < -1:
            late.append((package, due.date()))
    return late


def _editors(package: model.Package) -> list[model.User]:
    """The organisation's editors and administrators who have an e-mail address."""
    if not package.owner_org:
        return []
    rows = (
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == package.owner_org,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(["editor", "admin"]),
            model.User.state == "active",
        )
        .order_by(model.User.name)
    )
    return [user for user in rows if user.email]


def _already(package_id: str, due: dt.date) -> bool:
    found = model.Session.execute(
        sa.select(reminder_table.c.package_id).where(
            reminder_table.c.package_id == package_id, reminder_table.c.due == due
        )
    ).first()
    return found is not None


def message(package: model.Package, due: dt.date) -> tuple[str, str]:
    """Subject and body, in French through our catalogue."""
    title = package.title or package.name
    edit = tk.url_for("dataset.edit", id=package.name, _external=True)
    subject = tk._("Dataset to update: {title}").format(title=title)
    body = tk._(
        "Hello,\n\nThe dataset « {title} » was due to be updated by {due}, at the frequency "
        "declared for it. Please publish its new data, or correct its update frequency if it "
        "changes less often:\n\n{edit}\n\nThis reminder is sent once for this due date.\n\n"
        "-- \nThe open data platform of Tarn-et-Garonne"
    ).format(title=title, due=due.strftime("%d/%m/%Y"), edit=edit)
    return subject, body


def send_all(
    now: dt.datetime | None = None, progress: Callable[[str], Any] | None = None
) -> Outcome:
    """Remind every late dataset's editors once for its due date."""
    now = now or indexing.now()
    outcome = Outcome()
    for package, due in _late_datasets(now):
        outcome.late += 1
        if _already(package.id, due):
            outcome.already += 1
            continue
        editors = _editors(package)
        if not editors:
            outcome.without_editor += 1
            continue
        subject, body = message(package, due)
        reached = 0
        for user in editors:
            try:
                mailer.mail_recipient(user.display_name, cast(str, user.email), subject, body)
                reached += 1
            except mailer.MailerException:
                log.warning("reminder for %s not sent to %s", package.name, user.name)
        if not reached:
            outcome.failed += 1
            continue
        model.Session.execute(
            reminder_table.insert().values(
                package_id=package.id, due=due, sent=now, recipients=reached
            )
        )
        model.Session.commit()
        outcome.sent += 1
        if progress:
            progress(
                tk._("{name}: reminder sent to {count} editor(s)").format(
                    name=package.name, count=reached
                )
            )
    return outcome
