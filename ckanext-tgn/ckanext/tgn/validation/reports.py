"""The validation report table (created by this plugin's migration, never at start-up).

One row per resource: the latest validation asked for, its state and outcome. ``token``
names the job that may write the row, so a job superseded by a newer change exits
without overwriting the newer report; ``fingerprint`` is what was validated (file, URL,
schema), so re-saving a dataset does not enqueue the same work again.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, cast

import sqlalchemy as sa
from ckan import model
from sqlalchemy.orm import Mapped, declarative_base

metadata = sa.MetaData()
Base = declarative_base(metadata=metadata)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class ValidationReport(Base):
    __tablename__ = "tgn_validation_report"

    # sqlalchemy2-stubs type a declarative column as the Column itself, not the value an
    # instance holds (SQLAlchemy 1.4 leaves that to its mypy plugin): the casts say it.
    resource_id = cast("Mapped[str]", sa.Column(sa.UnicodeText, primary_key=True))
    package_id = cast("Mapped[str]", sa.Column(sa.UnicodeText, nullable=False, index=True))
    status = cast("Mapped[str]", sa.Column(sa.UnicodeText, nullable=False))
    token = cast("Mapped[str]", sa.Column(sa.UnicodeText, nullable=False))
    fingerprint = cast("Mapped[str]", sa.Column(sa.UnicodeText, nullable=False))
    schema_url = cast("Mapped[str | None]", sa.Column(sa.UnicodeText))
    requested = cast("Mapped[datetime.datetime]", sa.Column(sa.DateTime, nullable=False))
    started = cast("Mapped[datetime.datetime | None]", sa.Column(sa.DateTime))
    finished = cast("Mapped[datetime.datetime | None]", sa.Column(sa.DateTime))
    error_count = cast("Mapped[int]", sa.Column(sa.Integer, nullable=False, default=0))
    truncated = cast("Mapped[bool]", sa.Column(sa.Boolean, nullable=False, default=False))
    made_private = cast("Mapped[bool]", sa.Column(sa.Boolean, nullable=False, default=False))
    outcome = cast("Mapped[str | None]", sa.Column(sa.UnicodeText))

    @classmethod
    def get(cls, resource_id: str) -> ValidationReport | None:
        return model.Session.get(cls, resource_id)

    @classmethod
    def for_package(cls, package_id: str) -> list[ValidationReport]:
        return list(model.Session.query(cls).filter(cls.package_id == package_id))

    def outcome_dict(self) -> dict[str, Any]:
        return json.loads(self.outcome) if self.outcome else {}

    def as_dict(self) -> dict[str, Any]:
        """The report as the API gives it (wording added by the action)."""
        outcome = self.outcome_dict()

        def iso(value: datetime.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "resource_id": self.resource_id,
            "package_id": self.package_id,
            "status": self.status,
            "schema_url": self.schema_url,
            "requested": iso(self.requested),
            "started": iso(self.started),
            "finished": iso(self.finished),
            "error_count": self.error_count,
            "truncated": self.truncated,
            "made_private": self.made_private,
            "counts": outcome.get("counts", {}),
            "errors": outcome.get("errors", []),
            "warnings": outcome.get("warnings", []),
            "unchecked": outcome.get("unchecked", []),
            "info": outcome.get("info", {}),
            "message": outcome.get("message"),
        }
