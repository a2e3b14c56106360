"""Actions of the harvest plugin: register the sources from their files, report on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.harvest.model import (
    HarvestGatherError,
    HarvestJob,
    HarvestObject,
    HarvestObjectError,
    HarvestObjectExtra,
    HarvestSource,
)

from ..base import french
from ..policy import CONFIG_KEY, config_of
from ..sources import Source, load_directory

__all__ = ["tgn_harvest_status", "tgn_harvest_sync"]

# The fields of a source that sync compares and writes.
COMPARED = ("title", "notes", "url", "source_type", "frequency", "config", "owner_org", "active")
MAX_ERRORS_SHOWN = 5


def sources_directory() -> Path:
    configured = tk.config["ckanext.tgn.harvest.sources_directory"]
    if not configured:
        raise tk.ValidationError(
            {"directory": ["ckanext.tgn.harvest.sources_directory n'est pas configuré."]}
        )
    directory = Path(configured)
    if not directory.is_dir():
        raise tk.ValidationError({"directory": [f"dossier introuvable : {directory}"]})
    return directory


def organizations_by_siren() -> dict[str, model.Group]:
    rows = (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization == True, model.Group.state == "active")  # noqa: E712
        .all()
    )
    return {org.extras["siren"]: org for org in rows if org.extras.get("siren")}


def _registered() -> dict[str, tuple[model.Package, HarvestSource]]:
    rows = (
        model.Session.query(model.Package, HarvestSource)
        .join(HarvestSource, HarvestSource.id == model.Package.id)
        .filter(model.Package.type == "harvest")
        .all()
    )
    return {pkg.name: (pkg, source) for pkg, source in rows}


def _managed(source: HarvestSource) -> bool:
    try:
        return CONFIG_KEY in json.loads(str(source.config or "{}"))
    except ValueError:
        return False


def _current(pkg: model.Package, source: HarvestSource) -> dict[str, Any]:
    return {
        "title": pkg.title,
        "notes": pkg.notes or "",
        "url": source.url,
        "source_type": source.type,
        "frequency": source.frequency,
        "config": source.config,
        "owner_org": pkg.owner_org,
        "active": bool(source.active) and pkg.state == "active",
    }


def _wanted(source: Source, org: model.Group) -> dict[str, Any]:
    return {
        "title": source.title,
        "notes": source.description,
        "url": source.url,
        "source_type": source.harvest_type,
        "frequency": source.frequency,
        "config": config_of(source),
        "owner_org": org.id,
        "active": source.active,
    }


def _write(context: Context, name: str, wanted: dict[str, Any], id: str | None) -> None:
    data = {k: v for k, v in wanted.items() if k != "active"}
    data.update(name=name, state="active" if wanted["active"] else "deleted")
    if id is None:
        first = {k: v for k, v in data.items() if k != "state"}
        created = tk.get_action("harvest_source_create")(context.copy(), first)
        id = created["id"]
        if wanted["active"]:
            return
    tk.get_action("harvest_source_update")(context.copy(), {**data, "id": id})


def tgn_harvest_sync(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create, update or deactivate the harvest sources from the files of
    ``ckanext.tgn.harvest.sources_directory``.

    A bad file is reported and the others applied; a source whose file is gone is
    deactivated (its datasets stay); a source no file ever described is left alone.

    :param dry_run: report what would change, change nothing (default false)
    :type dry_run: bool
    :rtype: dict with the lists created, updated, unchanged, deactivated, unmanaged, errors
    """
    tk.check_access("tgn_harvest_sync", context, data_dict)
    dry_run = tk.asbool(data_dict.get("dry_run", False))
    sources, problems = load_directory(sources_directory())
    report: dict[str, list[dict[str, Any]]] = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "deactivated": [],
        "unmanaged": [],
        "errors": [{"file": e.file, "error": str(e)} for e in problems],
    }
    organizations = organizations_by_siren()
    registered = _registered()
    for source in sources:
        org = organizations.get(source.siren)
        entry = {"name": source.name, "file": source.file}
        if org is None:
            report["errors"].append(
                {
                    **entry,
                    "error": f"{source.file} : champ « organization.siren » : aucune organisation "
                    f"de la plateforme n'a le SIREN {source.siren} (voyez « ckan tgn "
                    "territories sync » ou corrigez le numéro).",
                }
            )
            continue
        wanted = _wanted(source, org)
        found = registered.get(source.name)
        if found is not None and not _managed(found[1]):
            report["errors"].append(
                {
                    **entry,
                    "error": f"{source.file} : champ « name » : une source « {source.name} » "
                    "créée à la main existe déjà ; choisissez un autre nom.",
                }
            )
            continue
        current = _current(*found) if found else None
        changed = [k for k in COMPARED if current is None or current[k] != wanted[k]]
        if not changed:
            report["unchanged"].append(entry)
            continue
        if not dry_run:
            try:
                _write(context, source.name, wanted, found[0].id if found else None)
            except tk.ValidationError as e:
                report["errors"].append({**entry, "error": f"{source.file} : {e.error_summary}"})
                continue
        report["created" if found is None else "updated"].append({**entry, "fields": changed})
    named = {s.name for s in sources} | {e.file.rsplit(".", 1)[0] for e in problems}
    for name, (pkg, harvest_source) in sorted(registered.items()):
        if not _managed(harvest_source):
            report["unmanaged"].append({"name": name})
        elif name not in named and harvest_source.active and pkg.state == "active":
            if not dry_run:
                current = _current(pkg, harvest_source)
                _write(context, name, {**current, "active": False}, pkg.id)
            report["deactivated"].append({"name": name})
    return report


def _when(value: Any) -> str | None:
    """A job time as text (ckanext-harvest stores some as datetimes, some as strings)."""
    if not value:
        return None
    return (
        value.isoformat(sep=" ", timespec="seconds")
        if hasattr(value, "isoformat")
        else str(value)[:19]
    )


def source_status(source: HarvestSource) -> dict[str, Any]:
    """A source's last job with its counts and first errors (French), and its next run."""
    pkg = model.Package.get(str(source.id))
    job = (
        model.Session.query(HarvestJob)
        .filter_by(source_id=source.id)
        .order_by(HarvestJob.created.desc())
        .first()
    )
    out: dict[str, Any] = {
        "name": pkg.name if pkg else source.id,
        "title": source.title,
        "type": source.type,
        "active": bool(source.active),
        "frequency": source.frequency,
        "next_run": _when(source.next_run),
        "datasets": model.Session.query(HarvestObject.package_id)
        .join(model.Package, model.Package.id == HarvestObject.package_id)
        .filter(HarvestObject.harvest_source_id == source.id, HarvestObject.current == True)  # noqa: E712
        .filter(model.Package.state == "active")
        .count(),
        "last_job": None,
    }
    if job is None:
        return out
    counts: dict[str, int] = {}
    for (status,) in model.Session.query(HarvestObject.report_status).filter_by(
        harvest_job_id=job.id
    ):
        counts[status or "en attente"] = counts.get(status or "en attente", 0) + 1
    skipped = (
        model.Session.query(HarvestObjectExtra)
        .join(HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id)
        .filter(HarvestObject.harvest_job_id == job.id, HarvestObjectExtra.key == "tgn_skipped")
        .all()
    )
    gather = [
        french(e.message)
        for e in model.Session.query(HarvestGatherError)
        .filter_by(harvest_job_id=job.id)
        .order_by(HarvestGatherError.created)
        .limit(MAX_ERRORS_SHOWN)
    ]
    objects = [
        f"{o.guid.split(':', 1)[-1]} : {french(e.message)}"
        for e, o in model.Session.query(HarvestObjectError, HarvestObject)
        .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
        .filter(HarvestObject.harvest_job_id == job.id)
        .order_by(HarvestObjectError.created)
        .limit(MAX_ERRORS_SHOWN)
    ]
    out["last_job"] = {
        "id": job.id,
        "status": job.status,
        "created": _when(job.created),
        "finished": _when(job.finished),
        "counts": counts,
        "skipped": [json.loads(x.value) for x in skipped[:MAX_ERRORS_SHOWN]],
        "skipped_count": len(skipped),
        "gather_errors": gather,
        "object_errors": objects,
    }
    return out


@tk.side_effect_free
def tgn_harvest_status(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The registered sources' state: last job, counts, first errors, next run.

    :param name: one source's name (default: every source)
    :type name: string
    """
    tk.check_access("tgn_harvest_status", context, data_dict)
    registered = _registered()
    name = data_dict.get("name")
    if name:
        if name not in registered:
            raise tk.ObjectNotFound(f"aucune source « {name} »")
        registered = {name: registered[name]}
    return [source_status(source) for _, (pkg, source) in sorted(registered.items())]
