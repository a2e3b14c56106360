"""Template helpers: badges and reports for resource, dataset and organisation pages."""

from __future__ import annotations

import contextlib
import datetime
import zoneinfo
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.tgn.lib.validation_policy import POLICY_FIELD

from . import messages
from .engine.status import ERROR, INVALID, PENDING, RUNNING, VALID
from .reports import ValidationReport

_BADGE_CLASSES = {
    PENDING: "secondary",
    RUNNING: "info",
    VALID: "success",
    INVALID: "danger",
    ERROR: "warning",
}


def tgn_validation_report(resource_id: str) -> dict[str, Any] | None:
    """The worded report of a resource the page already shows, or None."""
    report = ValidationReport.get(resource_id)
    return messages.worded(report.as_dict()) if report else None


def tgn_validation_badge(resource_id: str) -> dict[str, str] | None:
    """Status and label of one resource's report, for its line on the dataset page."""
    report = ValidationReport.get(resource_id)
    if report is None:
        return None
    return {"status": report.status, "label": messages.status_label(report.status)}


def tgn_validation_when(iso: str | None) -> str:
    """A report's UTC timestamp as the site shows times (``ckan.display_timezone``)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso).replace(tzinfo=datetime.timezone.utc)
    zone = tk.config.get("ckan.display_timezone") or "UTC"
    if zone != "server":
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            moment = moment.astimezone(zoneinfo.ZoneInfo(zone))
    else:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")


def tgn_validation_badge_class(status: str | None) -> str:
    return _BADGE_CLASSES.get(status or "", "secondary")


def tgn_validation_groups(report: dict[str, Any], per_type: int = 20) -> list[dict[str, Any]]:
    """The report's errors grouped by type, most frequent first, a few examples each."""
    groups: dict[str, dict[str, Any]] = {}
    for entry in report.get("counts_labelled", []):
        groups[entry["type"]] = dict(entry, errors=[])
    for error in report.get("errors", []):
        group = groups.setdefault(
            error["type"],
            {"type": error["type"], "title": error.get("title"), "count": 0, "errors": []},
        )
        if len(group["errors"]) < per_type:
            group["errors"].append(error)
    return list(groups.values())


def tgn_validation_can_run(resource_id: str) -> bool:
    try:
        tk.check_access("tgn_validation_run", {"user": tk.g.user}, {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def tgn_validation_org_problems(org_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The organisation's resources whose validation failed, that the visitor may see."""
    rows = (
        model.Session.query(ValidationReport, model.Resource, model.Package)
        .join(model.Resource, model.Resource.id == ValidationReport.resource_id)
        .join(model.Package, model.Package.id == ValidationReport.package_id)
        .filter(model.Package.owner_org == org_id)
        .filter(model.Package.state == "active")
        .filter(model.Resource.state == "active")
        .filter(ValidationReport.status.in_([INVALID, ERROR]))
        .order_by(model.Package.title, model.Resource.position)
        .limit(limit * 4)
    )
    problems: list[dict[str, Any]] = []
    for report, resource, package in rows:
        if package.private:
            try:
                tk.check_access("package_show", {"user": tk.g.user}, {"id": package.id})
            except (tk.NotAuthorized, tk.ObjectNotFound):
                continue
        problems.append(
            {
                "package_name": package.name,
                "package_title": package.title or package.name,
                "package_type": package.type,
                "resource_id": resource.id,
                "resource_name": resource.name or tk._("Unnamed resource"),
                "status": report.status,
                "label": messages.status_label(report.status),
                "error_count": report.error_count,
                "truncated": report.truncated,
                "private": package.private,
            }
        )
        if len(problems) >= limit:
            break
    return problems


def tgn_validation_policy_label(org: dict[str, Any]) -> str:
    policy = org.get(POLICY_FIELD) or tk.config["ckanext.tgn.validation.default_policy"]
    if policy == "private":
        return tk._("a dataset with an invalid resource stays private until it is fixed")
    return tk._("invalid resources are published with a warning")
