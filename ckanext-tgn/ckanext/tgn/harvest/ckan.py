"""``tgn_ckan``: ckanext-harvest's CKAN harvester, with the platform's guards and mapping.

Upstream's harvester (ckanext-harvest 1.6.3) fetches without timeout and stores error pages
as content, keeps the remote id as the local id (a remote record carrying a local dataset's
id would take it over), can follow the remote organisation, and never deletes anything.
Kept from upstream: the ``package_search`` paging (``_search_for_datasets``: 100 rows,
``sort=id asc``, duplicates dropped), under our fetch (``_get_content``). Ours: the gather
(always complete, so that a vanished dataset is seen as such; our guids, our filters, our
deletion policy) and the import (our mapping, then ``package_create``/``package_update``).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context

from ckanext.harvest.harvesters.ckanharvester import (
    CKANHarvester,
    ContentFetchError,
    SearchError,
)
from ckanext.harvest.model import HarvestObject

from . import guard, mapping
from .base import GuardedHarvester
from .policy import PolicyMissing, SourcePolicy
from .records import Prepared, Record, RecordRefused, RecordSkipped, prepare

log = logging.getLogger(__name__)

TYPE = "tgn_ckan"
ACCEPT = "application/json, */*;q=0.1"
ROWS = 100  # upstream's page size (``_search_for_datasets``)
# Local ids are uuid5(NAMESPACE, "<source id>:<remote id>"): stable, never a remote id.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ckanext-tgn:harvest:ckan")
# What ``_get_content`` answers once the budget is spent or the last page read: upstream's
# paging ends on an empty page.
EMPTY_PAGE = json.dumps({"success": True, "result": {"count": 0, "results": []}})
_PLACE_KEYS = ("spatial_uri", "territories", "territory", "spatial_text")
_KEPT_AS_IS = ("version", "temporal_start", "temporal_end", "hvd_category", "access_rights")


def local_id(guid: str) -> str:
    """The local id of a harvested record (its guid is ``<source id>:<remote id>``)."""
    return str(uuid.uuid5(NAMESPACE, guid))


def _texts(value: Any) -> list[str]:
    """A remote field as texts: a list, a JSON list in a string (ckanext-dcat's extras), a
    comma-free text, or dicts naming a concept (uri, name, title)."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return _texts(json.loads(text))
            except ValueError:
                pass
        return [text] if text else []
    if isinstance(value, dict):
        for key in ("uri", "title", "display_name", "name", "label"):
            if isinstance(value.get(key), str) and value[key].strip():
                return [value[key].strip()]
        return []
    if isinstance(value, list):
        return [text for item in value[:200] for text in _texts(item)]
    return [str(value)]


def _first(*values: Any) -> str:
    for value in values:
        texts = _texts(value)
        if texts:
            return texts[0]
    return ""


def _extras(remote: dict[str, Any]) -> dict[str, Any]:
    extras = remote.get("extras")
    if not isinstance(extras, list):
        return {}
    return {
        str(e["key"]): e.get("value")
        for e in extras
        if isinstance(e, dict) and isinstance(e.get("key"), str)
    }


def _themes(remote: dict[str, Any], extras: dict[str, Any], policy: SourcePolicy) -> list[str]:
    """The ``theme`` field (DCAT-AP portals); else the groups, and the tags that name a
    theme (other tags are keywords, not unknown themes to warn about)."""
    explicit = _texts(remote.get("theme")) or _texts(extras.get("theme"))
    if explicit:
        return explicit
    groups = [
        _first(g.get("title"), g.get("name"))
        for g in remote.get("groups") or []
        if isinstance(g, dict)
    ]
    tags = [t for t in _tags(remote) if mapping.theme_uris([t], policy.theme_map)[0]]
    return [g for g in groups if g] + tags


def _tags(remote: dict[str, Any]) -> list[str]:
    return [
        _first(t.get("display_name"), t.get("name")) if isinstance(t, dict) else str(t)
        for t in remote.get("tags") or []
    ]


def _resources(remote: dict[str, Any], source_key: str) -> list[dict[str, Any]]:
    """Remote resources; their ids namespaced like the dataset's (a remote resource id must
    not reach a local resource)."""
    out = []
    for resource in remote.get("resources") or []:
        if not isinstance(resource, dict):
            continue
        kept = {
            key: resource.get(key)
            for key in (
                "url",
                "name",
                "description",
                "format",
                "mimetype",
                "size",
                "uri",
                "conforms_to",
            )
            if resource.get(key) not in (None, "")
        }
        if resource.get("id"):
            kept["id"] = local_id(f"{source_key}:{remote.get('id')}:{resource['id']}")
        out.append(kept)
    return out


def record_of(
    remote: dict[str, Any], *, source_key: str, base_url: str, policy: SourcePolicy
) -> Record:
    """A remote CKAN dataset (``package_search`` form) as a record for ``prepare``."""
    extras = _extras(remote)
    remote_id = str(remote.get("id") or "")
    package: dict[str, Any] = {
        "title": remote.get("title") or remote.get("name") or "",
        "notes": remote.get("notes") or "",
        "issued": remote.get("issued") or extras.get("issued") or remote.get("metadata_created"),
        "modified": remote.get("modified")
        or extras.get("modified")
        or remote.get("metadata_modified"),
        "resources": _resources(remote, source_key),
    }
    if isinstance(remote.get("name"), str):
        package["name"] = remote["name"]
    for key in _KEPT_AS_IS:
        if isinstance(remote.get(key), str) and remote[key]:
            package[key] = remote[key]
    conforms = _texts(remote.get("conforms_to"))
    if conforms:
        package["conforms_to"] = conforms[0]
    spatial = remote.get("spatial") or extras.get("spatial")
    if spatial:
        package["spatial"] = spatial
    places = [p for key in _PLACE_KEYS for p in _texts(remote.get(key)) + _texts(extras.get(key))]
    name = remote.get("name") or remote_id
    return Record(
        package=package,
        uri=_first(remote.get("uri"), extras.get("uri")) or f"{base_url}/dataset/{remote_id}",
        identifiers=[
            i
            for i in (
                _first(remote.get("identifier")),
                _first(extras.get("identifier")),
                _first(extras.get("guid")),
            )
            if i
        ],
        landing_page=_first(remote.get("url"), remote.get("landing_page"))
        or f"{base_url}/dataset/{name}",
        licences=[
            t
            for t in (
                _first(remote.get("license_url")),
                _first(remote.get("license_title")),
                _first(remote.get("license_id")),
                _first(extras.get("license")),
                _first(extras.get("licence")),
            )
            if t
        ],
        themes=_themes(remote, extras, policy),
        frequency=_first(
            remote.get("frequency"),
            extras.get("frequency"),
            extras.get("accrual_periodicity"),
            extras.get("update_frequency"),
        ),
        languages=_texts(remote.get("language")) or _texts(extras.get("language")),
        places=places,
        contact_name=_first(
            remote.get("contact_name"),
            extras.get("contact_name"),
            remote.get("maintainer"),
            remote.get("author"),
        ),
        contact_email=_first(
            remote.get("contact_email"),
            extras.get("contact_email"),
            remote.get("maintainer_email"),
            remote.get("author_email"),
        ),
        keywords=_tags(remote),
    )


def kept(remote: list[dict[str, Any]], policy: SourcePolicy) -> list[dict[str, Any]]:
    """The remote datasets this source takes: datasets only (not harvest sources and other
    types), within ``filters.include_ids``/``exclude_ids`` (ids or names)."""
    include = set(policy.filters.get("include_ids") or [])
    exclude = set(policy.filters.get("exclude_ids") or [])
    out = []
    for pkg in remote:
        if pkg.get("type") not in (None, "", "dataset"):
            continue
        keys = {pkg.get("id"), pkg.get("name")}
        if (include and not keys & include) or keys & exclude:
            continue
        out.append(pkg)
    return out


@dataclass(frozen=True)
class Page:
    results: list[dict[str, Any]]
    count: int | None


def read_page(text: str, number: int) -> Page:
    """A ``package_search`` answer, checked (raises DocumentRefused): upstream would store
    an HTML error page whole, or stop on a KeyError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise guard.DocumentRefused(f"page {number} : réponse JSON trop imbriquée") from None
    except ValueError:
        start = mapping.clip(" ".join(text.split()), 80)
        raise guard.DocumentRefused(
            f"page {number} : le portail n'a pas répondu en JSON (début : « {start} ») : "
            "vérifiez l'adresse de la source (la racine du portail CKAN)"
        ) from None
    result = data.get("result") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("success") is not True
        or not isinstance(result, dict)
    ):
        said = data.get("error") if isinstance(data, dict) else None
        raise guard.DocumentRefused(
            f"page {number} : le portail a refusé la recherche"
            + (f" ({mapping.clip(json.dumps(said, ensure_ascii=False), 200)})" if said else "")
        )
    results = result.get("results")
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] for r in results
    ):
        raise guard.DocumentRefused(
            f"page {number} : réponse inattendue (result.results n'est pas une liste de jeux "
            "avec un id)"
        )
    count = result.get("count")
    return Page(results, count if isinstance(count, int) else None)


def _by_id(package_id: str) -> model.Package | None:
    """By id only: ``Package.get`` falls back to the name, and anyone may name a dataset
    like the (predictable) local id of a harvested one."""
    return model.Session.query(model.Package).filter(model.Package.id == package_id).first()


class TgnCkanHarvester(GuardedHarvester, CKANHarvester):
    """Another CKAN portal, through its action API."""

    _policy_now: SourcePolicy | None = None
    _job: Any = None
    _pages = 0
    _done = False
    _fetch_error: str | None = None
    _read: list[dict[str, Any]]
    _read_ids: set[str]

    def info(self) -> dict[str, str]:
        return {
            "name": TYPE,
            "title": "Portail CKAN (plateforme Tarn-et-Garonne)",
            "description": (
                "Portail CKAN lu par son API, par le moissonneur protégé de la plateforme."
            ),
        }

    def validate_config(self, config: str | None) -> str | None:
        return self._checked_config(config)

    # --- gather ----------------------------------------------------------------------------
    def _start(self, policy: SourcePolicy | None, job: Any) -> None:
        self._incomplete, self._policy_now, self._job = False, policy, job
        self._pages, self._done, self._fetch_error = 0, False, None
        self._read, self._read_ids = [], set()

    def gather_stage(self, harvest_job: Any) -> list[str]:
        """Every remote dataset, every time (upstream's "changed since the last job" mode
        would make the unchanged ones look vanished; sources are small); then our deletion
        policy, which upstream lacks. Errors end the job, never the consumer."""
        self._start(None, harvest_job)
        try:
            return self._gather(harvest_job)
        except Exception as e:  # the gather consumer must survive anything
            log.exception("CKAN gather failed")
            model.Session.rollback()
            self._gather_error(
                f"moissonnage interrompu ({type(e).__name__}) : {e}"[:500], harvest_job
            )
            return [
                o.id
                for o in model.Session.query(HarvestObject.id).filter_by(
                    harvest_job_id=harvest_job.id
                )
            ]
        finally:
            self._policy_now = None

    def _gather(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            policy = self._policy(source)
        except PolicyMissing as e:
            self._gather_error(str(e), harvest_job)
            return []
        self._start(policy, harvest_job)
        base_url = source.url.rstrip("/")
        organization = policy.filters.get("organization")
        try:
            remote = self._search_for_datasets(
                base_url, [f"organization:{organization}"] if organization else None
            )
        except SearchError as e:
            # The pages read before the failure are imported; nothing is withdrawn.
            self._gather_error(
                self._fetch_error or f"recherche impossible : {e}"[:500], harvest_job
            )
            remote = list(self._read)
        records = kept(remote, policy)[: policy.limits.max_datasets]
        if not records and not self._incomplete:
            if remote:
                said = (
                    f"aucun des {len(remote)} jeux du portail ne passe les filtres de la source "
                    "(filters.include_ids, exclude_ids)"
                )
            else:
                said = f"le portail {base_url} n'a renvoyé aucun jeu de données" + (
                    f" pour l'organisation « {organization} » (filters.organization)"
                    if organization
                    else ""
                )
            self._gather_error(
                f"{said} : rien n'a été retiré ; vérifiez le portail et le fichier de la source",
                harvest_job,
            )
        ids, guids = [], []
        for pkg in records:
            guid = f"{source.id}:{pkg['id']}"
            obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(pkg))
            obj.save()
            ids.append(obj.id)
            guids.append(guid)
        ids.extend(self._mark_datasets_for_deletion(guids, harvest_job))
        if not self._incomplete:
            self._delete_expired(harvest_job)
        return ids

    def _get_content(self, url: str) -> str:
        """Upstream's fetch, through our guard (hosts, timeouts, size; an HTTP error is an
        error, not content), within the page and dataset budgets; each page is checked, and
        kept so that a later failure still imports what was read."""
        policy = self._policy_now
        if policy is None:  # remote groups or organisations: never asked for
            raise ContentFetchError("requête hors moissonnage refusée")
        if self._done:
            return EMPTY_PAGE
        number = self._pages + 1
        if number > policy.limits.max_pages:
            self._gather_error(
                f"plus de {policy.limits.max_pages} pages (limits.max_pages) : arrêt", self._job
            )
            self._done = True
            return EMPTY_PAGE
        self._pages = number
        try:
            try:
                document = guard.fetch_text(url, policy.limits, policy.allowed_hosts, ACCEPT)
            except guard.DocumentRefused as e:
                raise guard.DocumentRefused(f"page {number} : {e}") from e
            page = read_page(document.text, number)
            if page.results and all(r["id"] in self._read_ids for r in page.results):
                raise guard.DocumentRefused(
                    f"boucle de pagination : la page {number} redonne des jeux déjà lus ({url})"
                )
        except guard.DocumentRefused as e:
            self._fetch_error = str(e)
            raise ContentFetchError(str(e)) from e
        self._take(page, url, policy)
        return document.text

    def _take(self, page: Page, url: str, policy: SourcePolicy) -> None:
        for pkg in page.results:
            if pkg["id"] not in self._read_ids:
                self._read_ids.add(pkg["id"])
                self._read.append(pkg)
        query = parse_qs(urlsplit(url).query)
        start = int((query.get("start") or ["0"])[0])
        rows = int((query.get("rows") or [str(ROWS)])[0])
        more = len(page.results) >= rows or (
            page.count is not None and start + len(page.results) < page.count
        )
        maximum = policy.limits.max_datasets
        if len(self._read) > maximum or (len(self._read) == maximum and more):
            self._gather_error(
                f"le portail a plus de {policy.limits.max_datasets} jeux "
                "(limits.max_datasets) : les suivants ne sont pas lus",
                self._job,
            )
            self._done = True
        elif len(page.results) < rows:
            if more:
                # The portal caps the rows (ckan.search.rows_max): upstream's next start
                # would skip datasets, which would then look vanished.
                self._gather_error(
                    f"le portail renvoie {len(page.results)} jeux par page au lieu des {rows} "
                    "demandés : la pagination en sauterait, lecture arrêtée",
                    self._job,
                )
            self._done = True  # a short page is the last: no empty page to ask for

    # --- import ----------------------------------------------------------------------------
    def import_stage(self, harvest_object: Any) -> Any:
        return self._import_safely(harvest_object, self._import)

    def _import(self, harvest_object: Any) -> Any:
        status = next((e.value for e in harvest_object.extras if e.key == "status"), None)
        if status == "delete":
            return self._withdraw(harvest_object)
        try:
            remote = json.loads(harvest_object.content or "")
            if not isinstance(remote, dict):
                raise ValueError
        except ValueError:
            self._save_object_error("contenu du jeu illisible", harvest_object, "Import")
            return False
        source = harvest_object.source
        record = record_of(
            remote,
            source_key=source.id,
            base_url=source.url.rstrip("/"),
            policy=self._policy(source),
        )
        prepared = self._prepare_object(harvest_object, record)
        if not isinstance(prepared, Prepared):
            return prepared
        return self._store(harvest_object, prepared.package)

    def _store(self, harvest_object: Any, package: dict[str, Any]) -> bool:
        """``package_create``/``package_update`` as the harvest user, in upstream's order
        (this object current, flushed, then the dataset written, so that the index gets the
        harvest ids). Not upstream's ``_create_or_update_package``: it finds the dataset by
        its id site-wide, skips updates by the remote's clock, writes with the core schema
        and records English error dumps; ``_prepare_object`` has already decided."""
        if "id" not in package:
            package["id"] = local_id(harvest_object.guid)
            stored = _by_id(package["id"])
            if stored is not None:  # deleted after its grace period, back again
                package["name"], package["state"] = stored.name, "active"
        exists = _by_id(package["id"]) is not None
        if not exists:
            package["name"] = self._gen_new_name(package.get("name") or package["title"])
        context: Context = {"user": self._get_user_name(), "ignore_auth": True}
        model.Session.query(HarvestObject).filter(
            HarvestObject.guid == harvest_object.guid,
            HarvestObject.current == True,  # noqa: E712 - SQL
        ).update({"current": False}, False)
        harvest_object.current = True
        harvest_object.package_id = package["id"]
        harvest_object.add()
        try:
            if exists:
                tk.get_action("package_update")(context, package)
            else:
                model.Session.execute(
                    sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED")
                )
                model.Session.flush()
                tk.get_action("package_create")(context, package)
        except tk.ValidationError as e:
            model.Session.rollback()
            verb = "mise à jour refusée" if exists else "refusé"
            summary = mapping.clip(str(e.error_summary), 500)
            self._save_object_error(
                f"{verb} par le schéma de la plateforme : {summary}",
                harvest_object,
                "Import",
            )
            return False
        model.Session.commit()
        return True

    # --- preview (ckan tgn harvest check) ---------------------------------------------------
    def preview(
        self, policy: SourcePolicy, url: str, owner_org: str, limit: int
    ) -> Iterator[tuple[str, str, Any]]:
        """The first ``limit`` records read and mapped as a job would, nothing stored
        (raises DocumentRefused when the portal cannot be read)."""
        base_url = url.rstrip("/")
        organization = policy.filters.get("organization")
        params = {"rows": str(ROWS), "start": "0", "sort": "id asc"}
        if organization:
            params["fq"] = f"organization:{organization}"
        count = 0
        for number in range(1, policy.limits.max_pages + 1):
            page_url = base_url + self._get_search_api_offset() + "?" + urlencode(params)
            document = guard.fetch_text(page_url, policy.limits, policy.allowed_hosts, ACCEPT)
            page = read_page(document.text, number)
            for remote in kept(page.results, policy):
                if count >= limit:
                    return
                count += 1
                key = str(remote.get("name") or remote["id"])
                try:
                    prepared = prepare(
                        record_of(remote, source_key=policy.name, base_url=base_url, policy=policy),
                        policy=policy,
                        owner_org=owner_org,
                        guid=f"{policy.name}:{remote['id']}",
                        existing=None,
                    )
                except RecordRefused as e:
                    yield "refusé", key, str(e)
                except RecordSkipped as e:
                    yield "ignoré", key, str(e)
                else:
                    yield "ok", key, prepared
            if len(page.results) < ROWS or count >= limit:
                return
            params["start"] = str(int(params["start"]) + ROWS)
