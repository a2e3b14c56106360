"""The worker's side: check one resource's table, store the outcome, apply the policy.

The job takes ids, reads everything again, and writes back only if its token is still the
report's: a job superseded by a newer change, or delivered twice, changes nothing.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import uploader

from ckanext.tgn.lib import http, signals, table_schemas
from ckanext.tgn.lib.problems import Problem

from . import engine
from .engine import status
from .policy import apply_policy
from .reports import ValidationReport, utcnow

log = logging.getLogger(__name__)


def _local_table(resource: model.Resource, folder: Path, deadline: float) -> Path:
    """The file to validate: the upload in storage, or the URL downloaded under limits."""
    max_size = tk.config["ckanext.tgn.validation.max_size"]
    if resource.url_type == "upload":
        path = Path(uploader.get_resource_uploader({"id": resource.id}).get_path(resource.id))
        if not path.is_file():
            raise Problem("upload-missing")
        if path.stat().st_size > max_size:
            raise Problem("too-large", size=path.stat().st_size, limit=max_size)
        return path
    target = folder / "table"
    http.save(
        resource.url or "",
        target,
        max_size=max_size,
        connect_timeout=tk.config["ckanext.tgn.validation.connect_timeout"],
        read_timeout=tk.config["ckanext.tgn.validation.read_timeout"],
        deadline=deadline,
        allow_private=tk.config["ckanext.tgn.validation.allow_private_addresses"],
    )
    return target


def validate_resource(resource: model.Resource, schema_url: str) -> engine.Outcome:
    """Everything between a resource and its outcome; never raises."""
    time_limit = tk.config["ckanext.tgn.validation.time_limit"]
    deadline = time.monotonic() + time_limit
    try:
        descriptor = table_schemas.resolve(schema_url, resource.package.owner_org)
        with tempfile.TemporaryDirectory(prefix="tgn-validation-") as folder:
            path = _local_table(resource, Path(folder), deadline)
            return engine.validate_table(
                path,
                descriptor,
                error_limit=tk.config["ckanext.tgn.validation.error_limit"],
                time_limit=max(1.0, deadline - time.monotonic()),
            )
    except Problem as e:
        return engine.failure(e.report_code, **e.params)
    except Exception:
        log.exception("Validation of resource %s failed", resource.id)
        return engine.failure("internal")


def _claim(resource_id: str, token: str, expected: tuple[str, ...] = ()) -> ValidationReport | None:
    """The report row, read afresh and locked, if this job is still the one asked for.

    CKAN's session keeps objects across commits (``expire_on_commit=False``): without
    ``populate_existing`` a long job would compare its token with a copy from before it ran.
    ``expected`` limits the statuses the row may be in (a job delivered twice runs once).
    """
    report = (
        model.Session.query(ValidationReport)
        .filter(ValidationReport.resource_id == resource_id)
        .with_for_update()
        .populate_existing()
        .one_or_none()
    )
    if report is None or report.token != token or (expected and report.status not in expected):
        model.Session.rollback()
        return None
    return report


def _record(report: ValidationReport, outcome: engine.Outcome) -> None:
    report.status = outcome.status
    report.finished = utcnow()
    report.error_count = outcome.error_count
    report.truncated = outcome.truncated
    report.outcome = json.dumps(outcome.to_dict(), ensure_ascii=False, default=str)


def run_validation(resource_id: str, token: str) -> None:
    """The worker's entry point: validate one resource, store the report, apply the policy."""
    report = _claim(resource_id, token, expected=(status.PENDING,))
    if report is None:
        log.info("Validation of %s superseded, withdrawn or already done", resource_id)
        return
    report.status = status.RUNNING
    report.started = utcnow()
    model.Session.commit()

    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        outcome = engine.failure("resource-missing")
    else:
        schema_url = report.schema_url or ""
        outcome = (
            validate_resource(resource, schema_url) if schema_url else engine.failure("no-schema")
        )

    model.Session.expire_all()  # what the job loaded may have changed while it ran
    report = _claim(resource_id, token, expected=(status.RUNNING,))
    if report is None:
        log.info("Validation of %s superseded while it ran: result dropped", resource_id)
        return
    _record(report, outcome)
    package_id = report.package_id
    model.Session.commit()
    log.info("Validation of %s: %s (%s errors)", resource_id, outcome.status, outcome.error_count)
    apply_policy(package_id)
    signals.validation_finished().send(resource_id, status=outcome.status)


def job_failed(job: Any, connection: Any, kind: Any, value: Any, traceback: Any) -> None:
    """rq's failure callback: a job killed or crashed leaves "erreur", not "en cours"."""
    resource_id, token = job.args
    model.Session.rollback()
    report = _claim(resource_id, token, expected=(status.PENDING, status.RUNNING))
    if report is None:
        return
    timed_out = kind is not None and kind.__name__ == "JobTimeoutException"
    outcome = engine.failure(
        "time-limit" if timed_out else "internal",
        seconds=tk.config["ckanext.tgn.validation.time_limit"],
    )
    _record(report, outcome)
    model.Session.commit()
    log.error("Validation job of %s failed: %s", resource_id, value)
