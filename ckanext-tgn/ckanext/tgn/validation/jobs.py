"""Asking for a validation, running it on the worker, and the per-organisation policy.

A request writes the report row ("en attente", a fresh token) in the caller's transaction;
the job is put on the Redis queue only once that transaction commits, so a worker never
looks for a row that is not there yet, and a rolled-back change enqueues nothing. The job
takes ids, reads everything again, and writes back only if its token is still current.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import uploader

from . import engine, fetch, schemas
from . import model as m
from .problems import Problem

log = logging.getLogger(__name__)

_JOBS_KEY = "tgn_validation_jobs"
POLICY_FIELD = "validation_policy"
POLICIES = ("warn", "private")


# --- what a resource is validated against, and when -------------------------------------


def schema_url_of(resource: model.Resource) -> str | None:
    value = (resource.extras or {}).get("conforms_to")
    return str(value).strip() if value else None


def fingerprint(resource: model.Resource, schema_url: str) -> str:
    """What a validation depends on: a change of any of these asks for a new one."""
    return json.dumps(
        [resource.url, resource.url_type, str(resource.last_modified), resource.size, schema_url]
    )


def request(resource: model.Resource, schema_url: str) -> m.ValidationReport:
    """Record a pending validation of ``resource``; the job is queued when this commits."""
    report = m.ValidationReport.get(resource.id)
    if report is None:
        report = m.ValidationReport(resource_id=resource.id, made_private=False)
        model.Session.add(report)
    report.package_id = resource.package_id
    report.status = m.PENDING
    report.token = uuid.uuid4().hex
    report.fingerprint = fingerprint(resource, schema_url)
    report.schema_url = schema_url
    report.requested = m.utcnow()
    report.started = report.finished = None
    report.error_count = 0
    report.truncated = False
    report.outcome = None
    model.Session.info.setdefault(_JOBS_KEY, []).append((resource.id, report.token))
    return report


def is_stuck(report: m.ValidationReport) -> bool:
    """A report left "en attente"/"en cours" well past the job's limit: its job died
    (worker killed, Redis emptied), so nothing will ever close it."""
    if report.status not in (m.PENDING, m.RUNNING):
        return False
    limit = tk.config["ckanext.tgn.validation.time_limit"] + 300
    since = report.started or report.requested
    return (m.utcnow() - since).total_seconds() > limit


def sync_package(package_id: str) -> None:
    """After a dataset is saved: validate what changed, forget reports of what is gone.

    Runs inside the dataset's transaction, in a savepoint: a problem here (the table
    missing because the migration was not applied, say) is logged and never stops an
    agent's save.
    """
    try:
        with model.Session.begin_nested():
            _sync_package(package_id)
    except Exception:
        log.exception("Validation bookkeeping failed for dataset %s", package_id)


def _sync_package(package_id: str) -> None:
    package = model.Package.get(package_id)
    if package is None:
        return
    active = {r.id: r for r in package.resources if r.state == "active"}
    released = False
    reports = m.ValidationReport.for_package(package_id)
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
        report = m.ValidationReport.get(resource.id)
        if (
            report is None
            or report.fingerprint != fingerprint(resource, schema_url)
            or is_stuck(report)
        ):
            request(resource, schema_url)
    # Same objects as above: those asked again just now are "en attente", not "invalide".
    invalid = any(r.status == m.INVALID and r.resource_id in active for r in reports)
    published_while_held = (
        invalid and not package.private and policy_of(package.owner_org) == "private"
    )
    if released or published_while_held:
        # The resource that kept the dataset private is gone, or someone published the
        # dataset while a resource is still invalid: the policy job decides again.
        model.Session.info.setdefault(_JOBS_KEY, []).append((None, package_id))


def enqueue_committed(session: Any) -> None:
    """SQLAlchemy ``after_commit``: queue the jobs asked for in the committed transaction.

    SQLAlchemy also fires this when a savepoint is released (``sync_package`` uses one):
    only the outermost commit makes the rows visible to a worker.
    """
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_JOBS_KEY, None)
    for resource_id, token in pending or []:
        try:
            if resource_id is None:
                tk.enqueue_job(apply_policy_job, [token], title=f"tgn policy {token}")
            else:
                tk.enqueue_job(
                    run_validation,
                    [resource_id, token],
                    title=f"tgn validation {resource_id}",
                    rq_kwargs={
                        # A backstop: the job stops itself at time_limit (download included).
                        "timeout": tk.config["ckanext.tgn.validation.time_limit"] + 120,
                        "on_failure": job_failed,
                    },
                )
        except Exception:  # Redis down: the report stays "en attente", re-run will queue it
            log.exception("Could not queue the validation of %s", resource_id)


def forget_jobs(session: Any, *args: Any) -> None:
    """SQLAlchemy ``after_rollback``: nothing of a rolled-back transaction is queued.

    A savepoint rolled back leaves the outer transaction's requests in place (a job whose
    row was rolled back finds no row and exits).
    """
    if not session.in_nested_transaction():
        session.info.pop(_JOBS_KEY, None)


# --- the job ------------------------------------------------------------------------------


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
    fetch.save(
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
        descriptor = schemas.resolve(schema_url, resource.package.owner_org)
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


def _claim(
    resource_id: str, token: str, expected: tuple[str, ...] = ()
) -> m.ValidationReport | None:
    """The report row, read afresh and locked, if this job is still the one asked for.

    CKAN's session keeps objects across commits (``expire_on_commit=False``): without
    ``populate_existing`` a long job would compare its token with a copy from before it ran.
    ``expected`` limits the statuses the row may be in (a job delivered twice runs once).
    """
    report = (
        model.Session.query(m.ValidationReport)
        .filter(m.ValidationReport.resource_id == resource_id)
        .with_for_update()
        .populate_existing()
        .one_or_none()
    )
    if report is None or report.token != token or (expected and report.status not in expected):
        model.Session.rollback()
        return None
    return report


def _record(report: m.ValidationReport, outcome: engine.Outcome) -> None:
    report.status = outcome.status
    report.finished = m.utcnow()
    report.error_count = outcome.error_count
    report.truncated = outcome.truncated
    report.outcome = json.dumps(outcome.to_dict(), ensure_ascii=False, default=str)


def run_validation(resource_id: str, token: str) -> None:
    """The worker's entry point: validate one resource, store the report, apply the policy."""
    report = _claim(resource_id, token, expected=(m.PENDING,))
    if report is None:
        log.info("Validation of %s superseded, withdrawn or already done", resource_id)
        return
    report.status = m.RUNNING
    report.started = m.utcnow()
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
    report = _claim(resource_id, token, expected=(m.RUNNING,))
    if report is None:
        log.info("Validation of %s superseded while it ran: result dropped", resource_id)
        return
    _record(report, outcome)
    package_id = report.package_id
    model.Session.commit()
    log.info("Validation of %s: %s (%s errors)", resource_id, outcome.status, outcome.error_count)
    apply_policy(package_id)


def job_failed(job: Any, connection: Any, kind: Any, value: Any, traceback: Any) -> None:
    """rq's failure callback: a job killed or crashed leaves "erreur", not "en cours"."""
    resource_id, token = job.args
    model.Session.rollback()
    report = _claim(resource_id, token, expected=(m.PENDING, m.RUNNING))
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


# --- publication policy ------------------------------------------------------------------


def policy_of(owner_org: str | None) -> str:
    """The organisation's choice, or the site's default."""
    default = tk.config["ckanext.tgn.validation.default_policy"]
    group = model.Group.get(owner_org) if owner_org else None
    chosen = (group.extras or {}).get(POLICY_FIELD) if group else None
    return chosen if chosen in POLICIES else default


def _held_statuses() -> tuple[str, ...]:
    """A dataset kept private stays so until its resources are found valid, not merely
    checked again (pending), nor unverifiable (a server down, a file too large)."""
    return (m.INVALID, m.ERROR, m.PENDING, m.RUNNING)


def apply_policy(package_id: str) -> None:
    """Keep a dataset private while a resource is invalid, if its organisation wants that.

    Only privacy changes, through CKAN's bulk actions (no re-validation of the dataset's
    metadata); nothing is deleted. A dataset made private here is made public again once
    its resources are valid, never one an agent made private. The package row is read
    afresh and locked, so an agent's own change of privacy is never overwritten.
    """
    model.Session.expire_all()  # nothing from before: every read below comes from the database
    package = (
        model.Session.query(model.Package)
        .filter(model.Package.id == package_id)
        .with_for_update()
        .one_or_none()
    )
    if package is None or package.state != "active" or not package.owner_org:
        model.Session.rollback()
        return
    active = {r.id: r for r in package.resources if r.state == "active"}
    every = m.ValidationReport.for_package(package_id)
    orphans = [
        r for r in every if r.resource_id not in active or not schema_url_of(active[r.resource_id])
    ]
    reports = [r for r in every if r not in orphans]
    invalid = [r for r in reports if r.status == m.INVALID]
    held = [r for r in every if r.made_private]
    policy = policy_of(package.owner_org)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"ignore_auth": True, "user": site_user["name"]}
    bulk = {"datasets": [package.id], "org_id": package.owner_org}

    if policy == "private" and invalid:
        if package.private:
            model.Session.rollback()  # private already: by the agent, or by an earlier run
            return
        # Flag first, in its own commit, so a failure below never leaves a dataset we
        # hid without the flag that will publish it again.
        for report in invalid:
            report.made_private = True
        model.Session.commit()
        try:
            tk.get_action("bulk_update_private")(context, bulk)
        except Exception:
            # The bulk action commits the database before Solr: if Solr failed, put the
            # database back so both say "public"; the next run tries again.
            log.exception("Could not make dataset %s private", package.name)
            model.Session.rollback()
            model.Session.query(model.Package).filter(model.Package.id == package.id).update(
                {"private": False}, synchronize_session=False
            )
            for report in invalid:
                report.made_private = False
            model.Session.commit()
            return
        log.info("Dataset %s kept private: invalid resource", package.name)
        return

    keep_holding = policy == "private" and any(
        r.status in _held_statuses() for r in held if r not in orphans
    )
    if held and not keep_holding:
        if package.private:
            try:
                tk.get_action("bulk_update_public")(context, bulk)
            except Exception:
                log.exception("Could not publish dataset %s again", package.name)
                model.Session.rollback()
                return
            log.info("Dataset %s published again: its resources are valid", package.name)
        for report in held:
            report.made_private = False
    if not keep_holding:
        for report in orphans:
            model.Session.delete(report)
    model.Session.commit()


def apply_policy_job(package_id: str) -> None:
    apply_policy(package_id)
