"""What our three harvesters share on top of their upstream classes: the source's policy,
French job errors, and the deletion policy (withdraw, never after an incomplete run, never
more than a fraction at once, delete after the grace period).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, cast

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy.orm import aliased

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.harvest.model import (
    HarvestGatherError,
    HarvestObject,
    HarvestObjectError,
    HarvestObjectExtra,
)
from ckanext.tgn.lib.context import site_user_context

from .policy import PolicyMissing, SourcePolicy
from .records import Prepared, Record, RecordRefused, RecordSkipped, prepare

log = logging.getLogger(__name__)

MAX_GATHER_ERRORS = 20
WITHDRAWN = "harvest_withdrawn_at"
# The English messages of ckanext-harvest, -dcat and -spatial, as staff read them (in
# `status` and on ckanext-harvest's job pages).
UPSTREAM_WORDS = (
    ("Error parsing the RDF file:", "catalogue RDF illisible :"),
    ("Create validation Error:", "refusé par le schéma de la plateforme :"),
    ("Update validation Error:", "mise à jour refusée par le schéma de la plateforme :"),
    ("Validation Error:", "refusé par le schéma de la plateforme :"),
    ("Error importing dataset", "erreur à l'import du jeu"),
    ("Error when processsing dataset:", "erreur à la lecture d'un jeu :"),
    ("Could not get a unique identifier for dataset", "jeu sans identifiant ni adresse"),
    ("Error parsing ISO document", "fiche ISO 19139 illisible"),
    ("Could not extract reference date", "date de la fiche (gmd:dateStamp) illisible"),
    ("Object ", "fiche déjà moissonnée par un autre objet : "),
    ("Empty content for object", "contenu vide"),
    ("Could not parse content for object", "contenu illisible"),
    ("RDFHarvester plugin error:", "erreur du moissonneur :"),
)


def french(message: str) -> str:
    """An upstream message in French, without the traceback or record dump it may carry."""
    for english, translated in UPSTREAM_WORDS:
        if message.startswith(english):
            message = translated + message[len(english) :]
            break
    for cut in (" / Traceback", "\nTraceback"):
        message = message.split(cut, 1)[0]
    message = message.strip()
    return message if len(message) <= 1000 else message[:999] + "…"


class GuardedHarvester:
    """Mixed into each harvester class, before its upstream class."""

    _incomplete: bool = False

    # --- the source ------------------------------------------------------------------------
    def _policy(self, source: Any) -> SourcePolicy:
        org = model.Group.get(self._owner_org(source)) if self._owner_org(source) else None
        return SourcePolicy.from_config(
            source.config,
            organization_title=(org.title or "") if org else "",
            organization_email=(org.extras.get("contact_email", "") if org else ""),
        )

    def _owner_org(self, source: Any) -> str:
        pkg = model.Package.get(source.id)
        return pkg.owner_org if pkg and pkg.owner_org else ""

    @staticmethod
    def _checked_config(config: str | None) -> str | None:
        """Only configs written by ``ckan tgn harvest sync`` (the upstream keys are refused):
        each harvester's ``validate_config`` (upstream's names differ) returns this."""
        SourcePolicy.from_config(config)
        return config

    # --- reporting -------------------------------------------------------------------------
    def _save_gather_error(self, message: str, job: Any) -> None:
        HarvestGatherError.create(french(message), job)

    def _save_object_error(
        self, message: str, obj: Any, stage: str = "Fetch", line: Any = None
    ) -> None:
        HarvestObjectError.create(french(message), obj, stage, line)

    def _gather_error(self, message: str, job: Any, *, incomplete: bool = True) -> None:
        """A French error on the job; an incomplete gather never withdraws anything."""
        if incomplete:
            self._incomplete = True
        if job is None:  # a preview: the caller reports
            log.info("harvest preview: %s", message)
            return
        count = model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id).count()
        if count < MAX_GATHER_ERRORS:
            HarvestGatherError(message=message[:2000], job=job).save()
        log.warning("harvest job %s: %s", job.id, message)

    @staticmethod
    def _note(harvest_object: Any, key: str, value: Any) -> None:
        harvest_object.extras.append(
            HarvestObjectExtra(key=key, value=json.dumps(value, ensure_ascii=False))
        )

    # --- import ----------------------------------------------------------------------------
    def _import_safely(self, harvest_object: Any, store: Callable[[Any], Any]) -> Any:
        """One record's import failing ends that record, never the fetch consumer (which
        ckanext-harvest does not protect): the error is recorded in French."""
        try:
            return store(harvest_object)
        except Exception as e:
            log.exception("harvest import failed")
            model.Session.rollback()
            self._save_object_error(
                f"erreur à l'import du jeu ({type(e).__name__}) : {str(e)[:300]}",
                harvest_object,
                "Import",
            )
            return False

    def _prepare_object(self, harvest_object: Any, record: Record) -> Prepared | str | bool:
        """Our policy on one record; else the import stage's answer, the reason recorded:
        False (refused: an error) or "unchanged" (skipped on purpose)."""
        source = harvest_object.source
        try:
            policy = self._policy(source)
            existing = self._existing(harvest_object.guid)
            if existing is None and self._deleted_here(harvest_object.guid):
                raise RecordSkipped(
                    "supprimé sur la plateforme par l'équipe : ignoré (restaurez le jeu, ou "
                    "retirez-le du catalogue d'origine)"
                )
            prepared = prepare(
                record,
                policy=policy,
                owner_org=self._owner_org(source),
                guid=harvest_object.guid,
                existing=existing,
            )
        except (RecordRefused, PolicyMissing) as e:
            self._save_object_error(str(e), harvest_object, "Import")
            return False
        except RecordSkipped as e:
            self._note(harvest_object, "tgn_skipped", str(e))
            harvest_object.current = False
            harvest_object.save()
            return "unchanged"
        if prepared.warnings:
            self._note(harvest_object, "tgn_warnings", prepared.warnings)
            harvest_object.save()
        if existing:
            prepared.package["id"] = existing["id"]
            prepared.package["name"] = existing["name"]
            if self._same(existing, prepared.package):
                return self._keep_unchanged(harvest_object, existing["id"])
        return prepared

    @staticmethod
    def _same(existing: dict[str, Any], package: dict[str, Any]) -> bool:
        """Whether storing ``package`` would change nothing (re-harvests are then free and
        leave no activity)."""
        for key, value in package.items():
            if key in ("resources", "tags", "id", "name"):
                continue
            stored = existing.get(key)
            if (stored in (None, "", []) and value in (None, "", [])) or stored == value:
                continue
            return False
        tags = sorted(t["name"] for t in existing.get("tags", []))
        if tags != sorted(t["name"] for t in package.get("tags", [])):
            return False

        stored, wanted = existing.get("resources", []), package.get("resources", [])
        if len(stored) != len(wanted):
            return False
        for have, want in zip(stored, wanted, strict=True):
            for key in ("url", "name", "description", "format", "conforms_to"):
                # A blank format is guessed on save: the stored guess is not a change.
                if key == "format" and not want.get(key):
                    continue
                if (have.get(key) or "") != (want.get(key) or ""):
                    return False
        return True

    def _keep_unchanged(self, harvest_object: Any, package_id: str) -> str:
        """This object becomes the record's current one; the dataset is not written."""
        model.Session.query(HarvestObject).filter(
            HarvestObject.guid == harvest_object.guid,
            HarvestObject.current == True,  # noqa: E712 - SQL
        ).update({"current": False}, False)
        harvest_object.current = True
        harvest_object.package_id = package_id
        harvest_object.save()
        return "unchanged"

    def _get_existing_dataset(self, guid: str) -> dict[str, Any] | None:
        """ckanext-dcat's lookup asks package_show as nobody: a withdrawn (private) dataset
        would not be found and would be created again. Ask as the site user."""
        return self._existing(guid)

    def _deleted_here(self, guid: str) -> bool:
        """Whether staff deleted this record's dataset (not the grace period: that one
        carries its withdrawal date); a reharvest must not bring it back."""
        rows = (
            model.Session.query(model.Package)
            .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
            .filter(model.PackageExtra.key == "guid", model.PackageExtra.value == guid)
            .filter(model.Package.state == "deleted")
            .all()
        )
        return any(not pkg.extras.get(WITHDRAWN) for pkg in rows)

    def _existing(self, guid: str) -> dict[str, Any] | None:
        row = (
            model.Session.query(model.Package.id)
            .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
            .filter(model.PackageExtra.key == "guid", model.PackageExtra.value == guid)
            .filter(model.Package.state == "active")
            .first()
        )
        if row is None:
            return None
        return tk.get_action("package_show")(site_user_context(), {"id": row[0]})

    # --- deletion policy -------------------------------------------------------------------
    def _current(self, job: Any) -> dict[str, str]:
        query = model.Session.query(HarvestObject.guid, HarvestObject.package_id).filter(
            HarvestObject.current == True,  # noqa: E712 - SQL
            HarvestObject.harvest_source_id == job.source.id,
        )
        return {guid: package_id for guid, package_id in query}

    def _deletion_allowed(self, guids_in_source: list[str], job: Any) -> bool:
        """Whether the datasets gone from the source may be withdrawn by this run."""
        policy = self._policy(job.source)
        if policy.deletion["policy"] == "keep" or self._incomplete:
            return False
        current = self._current(job)
        gone = set(current) - set(guids_in_source)
        if not gone:
            return False
        fraction = float(policy.deletion["max_fraction"])
        if len(gone) > fraction * len(current):
            self._gather_error(
                f"{len(gone)} jeux sur {len(current)} ont disparu du catalogue "
                f"({100 * len(gone) // max(len(current), 1)} %), plus que la limite de "
                f"{fraction:.0%} de la source : aucun n'a été retiré. Vérifiez le catalogue "
                "d'origine (panne, filtre changé) ; si la disparition est voulue, relevez "
                "deletion.max_fraction le temps d'un moissonnage.",
                job,
            )
            return False
        return True

    def _mark_datasets_for_deletion(self, guids_in_source: list[str], harvest_job: Any) -> Any:
        """The objects of the datasets gone from the source, under our policy; made by
        ckanext-dcat's own step (one object per guid, ``status`` extra "delete"), which the
        CSW and CKAN harvesters reuse as it is."""
        if not self._deletion_allowed(guids_in_source, harvest_job):
            return []
        return DCATRDFHarvester._mark_datasets_for_deletion(
            cast(Any, self), guids_in_source, harvest_job
        )

    def _withdraw(self, harvest_object: Any) -> bool:
        """A dataset gone from its source: private and marked, deleted after the grace period."""
        package_id = harvest_object.package_id
        context = site_user_context()
        try:
            dataset = tk.get_action("package_show")(context, {"id": package_id})
        except tk.ObjectNotFound:
            return True
        if not dataset.get(WITHDRAWN):
            tk.get_action("package_patch")(
                context,
                {"id": package_id, "private": True, WITHDRAWN: dt.date.today().isoformat()},
            )
        return True

    def _delete_expired(self, job: Any) -> None:
        """Withdrawn datasets of this source past the grace period are deleted, except those
        whose record this very run read again (they are being restored)."""
        policy = self._policy(job.source)
        if policy.deletion["policy"] == "keep":
            return
        read_again = {
            guid
            for (guid,) in model.Session.query(HarvestObject.guid).filter(
                HarvestObject.harvest_job_id == job.id
            )
        }
        grace = dt.timedelta(days=float(policy.deletion.get("grace_days", 14)))
        withdrawn_at, source, key = (aliased(model.PackageExtra) for _ in range(3))
        rows = (
            model.Session.query(model.Package.id, withdrawn_at.value, key.value)
            .join(withdrawn_at, withdrawn_at.package_id == model.Package.id)
            .join(source, source.package_id == model.Package.id)
            .outerjoin(key, (key.package_id == model.Package.id) & (key.key == "guid"))
            .filter(withdrawn_at.key == WITHDRAWN, withdrawn_at.value != "")
            .filter(source.key == "harvest_source_name", source.value == policy.name)
            .filter(model.Package.state == "active")
            .all()
        )
        for package_id, withdrawn, guid in rows:
            if guid in read_again:
                continue
            try:
                since = dt.date.fromisoformat(withdrawn)
            except ValueError:
                continue
            if dt.date.today() - since >= grace:
                tk.get_action("package_delete")(site_user_context(), {"id": package_id})
