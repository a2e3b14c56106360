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
from sqlalchemy.exc import SQLAlchemyError

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


@dataclass(frozen=True)
class Late:
    """A late dataset, as plain values (the session's objects expire at each commit)."""

    id: str
    name: str
    title: str
    owner_org: str
    due: dt.date


def _late_datasets(now: dt.datetime) -> list[Late]:
    """Active datasets (private ones too: the reminder goes to their own editors) whose
    due date has passed, with that date."""
    extra = model.PackageExtra
    fields = (
        model.Session.query(extra.package_id, extra.key, extra.value)
        .join(model.Package, model.Package.id == extra.package_id)
        .filter(model.Package.type == "dataset", model.Package.state == "active")
        .filter(extra.key.in_(["frequency", "modified"]), extra.state == "active")
    )
    extras: dict[str, dict[str, str]] = {}
    for package_id, key, value in fields:
        extras.setdefault(package_id, {})[key] = value
    packages = (
        model.Session.query(
            model.Package.id, model.Package.name, model.Package.title,
            model.Package.owner_org, model.Package.metadata_modified,
        )
        .filter(model.Package.type == "dataset", model.Package.state == "active")
        .filter(model.Package.id.in_(list(extras)))
        .order_by(model.Package.name)
    )  # fmt: skip
    late = []
    for package_id, name, title, owner_org, modified in packages:
        dataset = {**extras[package_id], "metadata_modified": modified.isoformat()}
        due = score.next_update(dataset, now.date())
        if due is not None and (due - now).days < -1:
            late.append(Late(package_id, name, title or name, owner_org or "", due.date()))
    return late


def _editors(owner_org: str) -> list[tuple[str, str]]:
    """Name and address of the organisation's editors and administrators who have one."""
    if not owner_org:
        return []
    rows = (
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == owner_org,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(["editor", "admin"]),
            model.User.state == "active",
        )
        .order_by(model.User.name)
    )
    return [(user.display_name, cast(str, user.email)) for user in rows if user.email]


def _already(package_id: str, due: dt.date) -> bool:
    found = model.Session.execute(
        sa.select(reminder_table.c.package_id).where(
            reminder_table.c.package_id == package_id, reminder_table.c.due == due
        )
    ).first()
    return found is not None


def message(late: Late) -> tuple[str, str]:
    """Subject and body, in French through our catalogue."""
    title, due = late.title, late.due
    edit = tk.url_for("dataset.edit", id=late.name, _external=True)
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
    for late in _late_datasets(now):
        outcome.late += 1
        if _already(late.id, late.due):
            outcome.already += 1
            continue
        editors = _editors(late.owner_org)
        if not editors:
            outcome.without_editor += 1
            continue
        subject, body = message(late)
        reached = 0
        for name, address in editors:
            try:
                mailer.mail_recipient(name, address, subject, body)
                reached += 1
            except Exception:  # any failure of the mail server: the others still go
                log.warning("reminder for %s not sent to %s", late.name, address, exc_info=True)
        if not reached:
            outcome.failed += 1
            continue
        try:
            model.Session.execute(
                reminder_table.insert().values(
                    package_id=late.id, due=late.due, sent=now, recipients=reached
                )
            )
            model.Session.commit()
        except SQLAlchemyError:
            model.Session.rollback()
            log.exception("reminder for %s sent but not recorded", late.name)
            outcome.failed += 1
            continue
        outcome.sent += 1
        if progress:
            progress(
                tk._("{name}: reminder sent to {count} editor(s)").format(
                    name=late.name, count=reached
                )
            )
    return outcome
