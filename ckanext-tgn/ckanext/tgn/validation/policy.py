"""The publication policy: keep a dataset private while one of its tables is invalid.

Only privacy changes, through CKAN's bulk actions (no re-validation of the dataset's
metadata); nothing is ever deleted. A dataset made private here is made public again once
its tables are valid, never one an agent made private. The package row is read afresh and
locked, so an agent's own change of privacy is never overwritten.
"""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.tgn.lib.context import site_user_context
from ckanext.tgn.lib.table_schemas import schema_url_of
from ckanext.tgn.lib.validation_policy import POLICIES, POLICY_FIELD, PRIVATE

from .engine import status
from .reports import ValidationReport

log = logging.getLogger(__name__)

# A dataset kept private stays so until its tables are found valid, not merely checked again
# (pending), nor unverifiable (a server down, a file too large).
HELD_STATUSES = (status.INVALID, status.ERROR, status.PENDING, status.RUNNING)


def policy_of(owner_org: str | None) -> str:
    """The organisation's choice, or the site's default."""
    default = tk.config["ckanext.tgn.validation.default_policy"]
    group = model.Group.get(owner_org) if owner_org else None
    chosen = (group.extras or {}).get(POLICY_FIELD) if group else None
    return chosen if chosen in POLICIES else default


def _bulk(action: str, package: model.Package) -> None:
    """CKAN's bulk privacy action on this one dataset, as the site user: only privacy
    changes (no re-validation of the dataset's metadata), the search index follows."""
    bulk = {"datasets": [package.id], "org_id": package.owner_org}
    tk.get_action(action)(site_user_context(), bulk)


def _hide(package: model.Package, invalid: list[ValidationReport]) -> None:
    """Make a public dataset private because of these invalid reports."""
    # Flag first, in its own commit, so a failure below never leaves a dataset we hid
    # without the flag that will publish it again.
    for report in invalid:
        report.made_private = True
    model.Session.commit()
    try:
        _bulk("bulk_update_private", package)
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


def _release(package: model.Package, held: list[ValidationReport]) -> bool:
    """Publish again a dataset this policy made private; False if that failed."""
    if package.private:
        try:
            _bulk("bulk_update_public", package)
        except Exception:
            log.exception("Could not publish dataset %s again", package.name)
            model.Session.rollback()
            return False
        log.info("Dataset %s published again: its resources are valid", package.name)
    for report in held:
        report.made_private = False
    return True


def _locked_package(package_id: str) -> model.Package | None:
    model.Session.expire_all()  # nothing from before: every read below comes from the database
    return (
        model.Session.query(model.Package)
        .filter(model.Package.id == package_id)
        .with_for_update()
        .one_or_none()
    )


def apply_policy(package_id: str) -> None:
    """Hide, keep hidden or publish again one dataset, as its organisation's rule says."""
    package = _locked_package(package_id)
    if package is None or package.state != "active" or not package.owner_org:
        model.Session.rollback()
        return
    active = {r.id: r for r in package.resources if r.state == "active"}
    every = ValidationReport.for_package(package_id)
    orphans = [
        r for r in every if r.resource_id not in active or not schema_url_of(active[r.resource_id])
    ]
    invalid = [r for r in every if r not in orphans and r.status == status.INVALID]
    held = [r for r in every if r.made_private]
    policy = policy_of(package.owner_org)

    if policy == PRIVATE and invalid:
        if package.private:
            model.Session.rollback()  # private already: by the agent, or by an earlier run
            return
        _hide(package, invalid)
        return

    keep_holding = policy == PRIVATE and any(
        r.status in HELD_STATUSES for r in held if r not in orphans
    )
    if held and not keep_holding and not _release(package, held):
        return
    if not keep_holding:
        for report in orphans:
            model.Session.delete(report)
    model.Session.commit()


def apply_policy_job(package_id: str) -> None:
    """The worker's entry point for a policy decision alone (no table to check)."""
    apply_policy(package_id)
