"""Running one source now, in this process, and previewing a source without writing.

``ckan harvester run-test`` prompts on stdin and then schedules every other due source;
staff need neither. ``run_now`` runs gather, fetch and import for one source only, with
progress; ``check`` reads and maps the first records of a source (a file not registered yet
included) and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.harvest import queue
from ckanext.harvest.logic.action.create import HarvestJobExists
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.tgn.lib.context import site_user_context

from .logic.action import organizations_by_siren, source_status, sources_directory
from .policy import SourcePolicy, config_of
from .sources import SourceError, load

Echo = Callable[[str], None]


class RunRefused(Exception):
    """A French reason why the command cannot go on."""


def find_source(name: str) -> HarvestSource:
    pkg = model.Package.get(name)
    source = HarvestSource.get(pkg.id) if pkg is not None and pkg.type == "harvest" else None
    if source is None:
        raise RunRefused(
            f"aucune source « {name} » : déclarez-la dans harvest_configs/ puis lancez "
            "« ckan tgn harvest sync »"
        )
    return source


def run_now(name: str, echo: Echo) -> dict[str, Any]:
    """Gather, fetch and import one source here and now; its status afterwards."""
    source = find_source(name)
    if not source.active:
        raise RunRefused(f"la source « {name} » est désactivée (active: false ou fichier retiré)")
    context = site_user_context()
    try:
        job_dict = tk.get_action("harvest_job_create")(
            context.copy(), {"source_id": source.id, "run": False}
        )
    except HarvestJobExists:
        raise RunRefused(
            f"un moissonnage de « {name} » est déjà en attente ou en cours : voyez "
            f"« ckan tgn harvest status {name} »"
        ) from None
    job = HarvestJob.get(job_dict["id"])
    assert job is not None  # just created
    job.status = "Running"
    job.save()
    harvester = queue.get_harvester(source.type)
    echo(f"Lecture du catalogue {source.url} …")
    ids = queue.gather_stage(harvester, job) or []
    echo(f"{len(ids)} enregistrement(s) à traiter.")
    for number, object_id in enumerate(ids, 1):
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        if number % 50 == 0 or number == len(ids):
            echo(f"  {number}/{len(ids)}")
    tk.get_action("harvest_jobs_run")(context.copy(), {"source_id": source.id})
    return source_status(source)


def _organization(siren: str) -> model.Group:
    org = organizations_by_siren().get(siren)
    if org is None:
        raise RunRefused(f"aucune organisation de la plateforme n'a le SIREN {siren}")
    return org


def check(ref: str, limit: int) -> Iterator[tuple[str, str, Any]]:
    """Up to ``limit`` records of a source (its name or a file), mapped but not stored:
    ("ok", key, Prepared), ("refusé", key, reason) or ("ignoré", key, reason)."""
    path = Path(ref)
    if not path.is_file():
        path = sources_directory() / f"{ref}.yaml"
    if not path.is_file():
        raise RunRefused(f"ni fichier {ref}, ni source déclarée « {ref} » dans harvest_configs/")
    try:
        source = load(path)
    except SourceError as e:
        raise RunRefused(str(e)) from None
    org = _organization(source.siren)
    policy = SourcePolicy.from_config(
        config_of(source),
        organization_title=org.title or "",
        organization_email=org.extras.get("contact_email", ""),
    )
    preview = getattr(queue.get_harvester(source.harvest_type), "preview", None)
    if preview is None:
        raise RunRefused(f"le moissonneur {source.harvest_type} n'est pas activé (ckan.plugins)")
    yield from preview(policy, source.url, org.id, limit)
