"""The schema.org JSON-LD of dataset pages, kept in Redis under a digest of what it is made
of, and prepared ahead by ``ckan tgn dcat warm`` and the job that follows each save.

Building the document (ckanext-dcat's serializer, rdflib's JSON-LD writer) is a sixth of a
dataset page. A stored document is used only when its digest matches the one computed for
this very page: the dataset as this visitor is shown it, its organisation as stored now, the
generation of code, configuration and reference data of the DCAT fragments, the structured
data profiles and the page's language. Anything else renders it again; so a stored document
is never stale, and one visitor is never shown a document built for another's view. Reuses
are never stored (theirs names the datasets that are public today), nor private or draft
datasets. Without Redis, pages render it as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

import ckan.plugins.toolkit as tk
import simplejson
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from . import fragments, schemaorg
from .serializer import Serializer

log = logging.getLogger(__name__)

TTL = 30 * 24 * 3600  # a document nobody asked for in a month is dropped by Redis


def _profiles() -> list[str]:
    return tk.aslist(tk.config.get("ckanext.dcat.structured_data.profiles") or "schemaorg")


def render(pkg: dict[str, Any]) -> str:
    """The JSON-LD as ckanext-dcat's ``structured_data`` helper writes it (same profiles
    option, same formatting, HTML-safe inside <script>)."""
    output = Serializer(profiles=_profiles()).serialize_dataset(pkg, _format="jsonld")
    return simplejson.dumps(
        simplejson.loads(output),
        sort_keys=True,
        indent=4,
        separators=(",", ": "),
        cls=simplejson.JSONEncoderForHTML,
    )


def _storable(pkg: dict[str, Any]) -> bool:
    return (
        pkg.get("type") == "dataset"
        and bool(pkg.get("id"))
        and not pkg.get("private")
        and pkg.get("state", "active") == "active"
    )


def _key(package_id: str, lang: str) -> str:
    return f"{tk.config['ckan.site_id']}:tgn_schemaorg:{lang}:{package_id}"


# Set on the dataset by CKAN's page itself (preview buttons), never part of the document.
_VIEW_RESOURCE_KEYS = frozenset({"has_views"})


def _without_view_keys(pkg: dict[str, Any]) -> dict[str, Any]:
    resources = [
        {k: v for k, v in resource.items() if k not in _VIEW_RESOURCE_KEYS}
        for resource in pkg.get("resources") or []
    ]
    return {**pkg, "resources": resources}


def digest(pkg: dict[str, Any], lang: str) -> str:
    """Everything the document is made of, hashed."""
    org = pkg.get("organization") or {}
    parts = [
        fragments.generation(),
        _profiles(),
        lang,
        schemaorg.organization(org["id"]) if org.get("id") else None,
        _without_view_keys(pkg),
    ]
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def site_language() -> str:
    """The language warm and the job after a save prepare documents in."""
    return tk.config["ckan.locale_default"]


def _stored(pkg: dict[str, Any], lang: str) -> tuple[str, str, str | None]:
    """The dataset's key, the digest its page wants, and the stored document if it matches
    (raises RedisError when Redis does not answer)."""
    key, wanted = _key(pkg["id"], lang), digest(pkg, lang)
    value = cast("bytes | None", connect_to_redis().get(key))
    found, _, body = value.decode().partition("\n") if value else ("", "", "")
    return key, wanted, body if found == wanted else None


def _store(key: str, wanted: str, body: str) -> None:
    connect_to_redis().set(key, f"{wanted}\n{body}", ex=TTL)


def document(pkg: dict[str, Any], lang: str) -> str:
    """The page's JSON-LD: the stored one when its digest matches, else rendered (and
    stored for the next visitor when the dataset is public)."""
    if not _storable(pkg):
        return render(pkg)
    try:
        key, wanted, body = _stored(pkg, lang)
    except RedisError:
        log.debug("schema.org: Redis unavailable, rendered", exc_info=True)
        return render(pkg)
    if body is not None:
        return body
    body = render(pkg)
    try:
        _store(key, wanted, body)
    except RedisError:
        log.debug("schema.org: document not stored", exc_info=True)
    return body


def clear() -> int:
    """Remove every stored document of this site; how many were removed."""
    redis = connect_to_redis()
    keys = list(redis.scan_iter(match=f"{tk.config['ckan.site_id']}:tgn_schemaorg:*", count=500))
    for start in range(0, len(keys), 500):
        redis.delete(*keys[start : start + 500])
    return len(keys)


def prepare(package_ids: Sequence[str], force: bool = False) -> int:
    """Store, in the site's language, the documents of the public ones of ``package_ids`` as
    an anonymous visitor's page shows them (``warm``, and the job after a save); the number
    rendered (those stored and still matching are skipped, unless ``force``)."""
    lang, rendered = site_language(), 0
    for package_id in package_ids:
        try:
            pkg = tk.get_action("package_show")({"for_view": True, "user": ""}, {"id": package_id})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        if not _storable(pkg):
            continue
        try:
            key, wanted, body = _stored(pkg, lang)
            if body is not None and not force:
                continue
            _store(key, wanted, render(pkg))
        except RedisError:
            log.warning("schema.org: Redis unavailable, documents not prepared", exc_info=True)
            return rendered
        rendered += 1
    return rendered


_PUBLIC_DATASETS = sa.text(
    """SELECT id FROM package
    WHERE state = 'active' AND NOT coalesce(private, false) AND type = 'dataset'
        AND (CAST(:org AS text) IS NULL OR owner_org = :org)
    ORDER BY id"""
)


def prepare_all(
    organization: str | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 100,
) -> tuple[int, int]:
    """Every public dataset's document (``prepare``), by batches: (rendered, public)."""
    ids = [row[0] for row in model.Session.execute(_PUBLIC_DATASETS, {"org": organization})]
    rendered = 0
    for start in range(0, len(ids), batch):
        rendered += prepare(ids[start : start + batch], force)
        model.Session.remove()  # a long warm holds no growing session
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return rendered, len(ids)
