"""Asking for validations: report rows written with the dataset, jobs queued at its commit.

A request writes the report row ("en attente", a fresh token) in the caller's transaction;
the job is put on the Redis queue only once that transaction commits, so a worker never
looks for a row that is not there yet, and a rolled-back change enqueues nothing.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search import SearchIndexError

from ckanext.tgn.lib.table_schemas import schema_url_of
from ckanext.tgn.lib.validation_policy import PRIVATE

from .engine import status
from .job import job_failed, run_validation
from .policy import apply_policy_job, policy_of
from .reports import ValidationReport, utcnow

log = logging.getLogger(__name__)

_JOBS_KEY = "tgn_validation_jobs"


@dataclass(frozen=True)
class QueuedJob:
    """A job asked for in the current transaction; it leaves for Redis when that commits."""

    function: Callable[..., None]
    args: list[str]
    title: str
    rq_kwargs: dict[str, Any] = field(default_factory=dict)


def _ask(job: QueuedJob) -> None:
    model.Session.info.setdefault(_JOBS_KEY, []).append(job)


def _validation_job(resource_id: str, token: str) -> QueuedJob:
    return QueuedJob(
        run_validation,
        [resource_id, token],
        f"tgn validation {resource_id}",
        {
            # A backstop: the job stops itself at time_limit (download included).
            "timeout": tk.config["ckanext.tgn.validation.time_limit"] + 120,
            "on_failure": job_failed,
        },
    )


def _policy_job(package_id: str) -> QueuedJob:
    return QueuedJob(apply_policy_job, [package_id], f"tgn policy {package_id}")


def fingerprint(resource: model.Resource, schema_url: str) -> str:
    """What a validation depends on: a change of any of these asks for a new one."""
    return json.dumps(
        [resource.url, resource.url_type, str(resource.last_modified), resource.size, schema_url]
    )


def request(
    resource: model.Resource, schema_url: str, report: ValidationReport | None = None
) -> ValidationReport:
    """Record a pending validation of ``resource`` (its report, if the caller has it); the
    job is queued when this commits."""
    report = report or ValidationReport.get(resource.id)
    if report is None:
        report = ValidationReport(resource_id=resource.id, made_private=False)
        model.Session.add(report)
    report.package_id = resource.package_id
    report.status = status.PENDING
    report.token = uuid.uuid4().hex
    report.fingerprint = fingerprint(resource, schema_url)
    report.schema_url = schema_url
    report.requested = utcnow()
    report.started = report.finished = None
    report.error_count = 0
    report.truncated = False
    report.outcome = None
    _ask(_validation_job(resource.id, report.token))
    return report


def is_stuck(report: ValidationReport) -> bool:
    """A report left "en attente"/"en cours" well past the job's limit: its job died
    (worker killed, Redis emptied), so nothing will ever close it."""
    if report.status not in (status.PENDING, status.RUNNING):
        return False
    limit = tk.config["ckanext.tgn.validation.time_limit"] + 300
    since = report.started or report.requested
    return (utcnow() - since).total_seconds() > limit


def sync_package(package_id: str) -> None:
    """After a dataset is saved: validate what changed, forget reports of what is gone.

    Runs inside the dataset's transaction, in a savepoint: a problem here (the table
    missing because the migration was not applied, say) is logged and never stops an
    agent's save.
    """
    try:
        with model.Session.begin_nested():
            _sync_package(package_id)
    except SearchIndexError:
        # Releasing a savepoint runs CKAN's commit hooks, so the dataset is indexed here:
        # Solr's refusal is the save's failure (CKAN refuses the save), not ours to hide.
        raise
    except Exception:
        log.exception("Validation bookkeeping failed for dataset %s", package_id)


def _sync_package(package_id: str) -> None:
    package = model.Package.get(package_id)
    if package is None:
        return
    active = {r.id: r for r in package.resources if r.state == "active"}
    released = False
    reports = ValidationReport.for_package(package_id)
    by_resource = {r.resource_id: r for r in reports}
    for report in reports:
        resource = active.get(report.resource_id)
        if resource is None or not schema_url_of(resource):
            if report.made_private:
                # Kept until the policy job has made the dataset public again.
                released = True
            else:
                model.Session.delete(report)
    for resource in active.values():
        schema_url = schema_url_of(resource)
        if not schema_url:
            continue
        report = by_resource.get(resource.id)
        if (
            report is None
            or report.fingerprint != fingerprint(resource, schema_url)
            or is_stuck(report)
        ):
            request(resource, schema_url, report)
    # Same objects as above: those asked again just now are "en attente", not "invalide".
    invalid = any(r.status == status.INVALID and r.resource_id in active for r in reports)
    published_while_held = (
        invalid and not package.private and policy_of(package.owner_org) == PRIVATE
    )
    if released or published_while_held:
        # The resource that kept the dataset private is gone, or someone published the
        # dataset while a resource is still invalid: the policy job decides again.
        _ask(_policy_job(package_id))


def enqueue_committed(session: Any) -> None:
    """SQLAlchemy ``after_commit``: queue the jobs asked for in the committed transaction.

    SQLAlchemy also fires this when a savepoint is released (``sync_package`` uses one):
    only the outermost commit makes the rows visible to a worker.
    """
    if session.in_nested_transaction():
        return
    for job in session.info.pop(_JOBS_KEY, None) or []:
        try:
            tk.enqueue_job(job.function, job.args, title=job.title, rq_kwargs=job.rq_kwargs)
        except Exception:  # Redis down: the report stays "en attente", re-run will queue it
            log.exception("Could not queue %s", job.title)


def forget_jobs(session: Any, *args: Any) -> None:
    """SQLAlchemy ``after_rollback``: nothing of a rolled-back transaction is queued.

    A savepoint rolled back leaves the outer transaction's requests in place (a job whose
    row was rolled back finds no row and exits).
    """
    if not session.in_nested_transaction():
        session.info.pop(_JOBS_KEY, None)
