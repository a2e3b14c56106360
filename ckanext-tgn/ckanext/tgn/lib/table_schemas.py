"""Where a resource's Table Schema comes from: the national catalogue, an upload, or a URL.

schema.data.gouv.fr URLs are looked up in the catalogue (configurable, cached in Redis,
last good copy kept when the catalogue is down) and fetched from beside it, so a mirror of
the site (the tests serve ../shared's copy on 127.0.0.1) stands in for the real one. A
Table Schema JSON uploaded as a resource of the platform is read from storage, not over
HTTP. Any other http(s) URL is fetched under the same limits as data files.

In the core package because two plugins read schemas: tgn_validation checks tables against
them, tgn_preview fills the DataStore's data dictionary from them. The limits are the
validation plugin's options (``ckanext.tgn.validation.*``): callers need it loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, cast
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import uploader
from ckan.lib.redis import connect_to_redis

from ckanext.tgn.lib.http import FetchError, fetch_bytes
from ckanext.tgn.lib.problems import Problem

CANONICAL_BASE = "https://schema.data.gouv.fr/schemas/"
_MAX_SCHEMA_BYTES = 5 * 1024 * 1024
_CACHE_PREFIX = "tgn:validation:"
_OWN_DOWNLOAD = re.compile(r"/dataset/[^/]+/resource/(?P<id>[0-9a-f-]{36})/download(/|$)")


class SchemaProblem(Problem):
    """The schema could not be had."""

    prefix = "schema-"


def schema_url_of(resource: model.Resource) -> str | None:
    """The Table Schema address a resource's table is checked against (its ``conforms_to``)."""
    value = (resource.extras or {}).get("conforms_to")
    return str(value).strip() if value else None


def catalog_url() -> str:
    return tk.config["ckanext.tgn.validation.schema_catalog_url"]


def _limits() -> dict[str, Any]:
    return {
        "max_size": _MAX_SCHEMA_BYTES,
        "timeouts": (
            tk.config["ckanext.tgn.validation.connect_timeout"],
            tk.config["ckanext.tgn.validation.read_timeout"],
        ),
        "allow_private": tk.config["ckanext.tgn.validation.allow_private_addresses"],
    }


def _cached_json(url: str, *, keep_last: bool) -> Any:
    """JSON at ``url`` through Redis: fresh for the TTL; the last good copy if ``keep_last``."""
    redis = connect_to_redis()
    key = _CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()
    # redis-py types every reply as the async client's too (Awaitable | Any): ours are bytes.
    fresh = cast("bytes | None", redis.get(key))
    if fresh is not None:
        return json.loads(fresh)
    try:
        body = fetch_bytes(url, **_limits())
        data = json.loads(body)
    except FetchError as e:
        last = cast("bytes | None", redis.get(key + ":last")) if keep_last else None
        if last is not None:
            return json.loads(last)
        raise SchemaProblem("unreachable", **{**e.params, "url": url, "reason": e.code}) from e
    except ValueError as e:
        raise SchemaProblem("not-json", url=url) from e
    text = json.dumps(data)
    redis.set(key, text, ex=max(1, tk.config["ckanext.tgn.validation.schema_cache_ttl"]))
    if keep_last:
        redis.set(key + ":last", text)
    return data


def catalog() -> dict[str, Any]:
    """The national catalogue (schemas.json); SchemaProblem("catalog-unreachable") if none."""
    url = catalog_url()
    try:
        data = _cached_json(url, keep_last=True)
    except SchemaProblem as e:
        raise SchemaProblem("catalog-unreachable", url=url, reason=e.params.get("reason")) from e
    if not isinstance(data, dict) or not isinstance(data.get("schemas"), list):
        raise SchemaProblem("catalog-malformed", url=url)
    return data


def _catalog_entry(schema_url: str) -> dict[str, Any]:
    for entry in catalog()["schemas"]:
        for version in entry.get("versions") or []:
            if version.get("schema_url") == schema_url:
                return entry
    raise SchemaProblem("unknown-schema", url=schema_url)


def _mirrored(schema_url: str) -> str:
    """The canonical URL's place beside the configured catalogue."""
    base = catalog_url().rsplit("/", 1)[0] + "/"
    return base + schema_url[len(CANONICAL_BASE) :]


def _uploaded_schema(resource_id: str, owner_org: str | None) -> Any:
    resource = model.Resource.get(resource_id)
    package = resource.package if resource else None
    if not resource or resource.state != "active" or not package or package.state != "active":
        raise SchemaProblem("uploaded-schema-missing", id=resource_id)
    if package.private and package.owner_org != owner_org:
        # Another organisation's private file is not ours to read.
        raise SchemaProblem("uploaded-schema-missing", id=resource_id)
    if resource.url_type != "upload":
        raise SchemaProblem("uploaded-schema-missing", id=resource_id)
    path = uploader.get_resource_uploader({"id": resource_id}).get_path(resource_id)
    try:
        with open(path, "rb") as f:
            body = f.read(_MAX_SCHEMA_BYTES + 1)
    except OSError as e:
        raise SchemaProblem("uploaded-schema-missing", id=resource_id) from e
    if len(body) > _MAX_SCHEMA_BYTES:
        raise SchemaProblem("too-large", url=resource.url)
    try:
        return json.loads(body)
    except ValueError as e:
        raise SchemaProblem("not-json", url=resource.url) from e


def _own_upload_id(url: str) -> str | None:
    site = urlsplit(tk.config["ckan.site_url"])
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    match = _OWN_DOWNLOAD.search(parts.path)
    return match["id"] if match else None


def resolve(schema_url: str, owner_org: str | None = None) -> dict[str, Any]:
    """The Table Schema descriptor behind a resource's ``conforms_to`` (SchemaProblem if not)."""
    if schema_url.startswith(CANONICAL_BASE):
        entry = _catalog_entry(schema_url)
        if entry.get("schema_type") != "tableschema":
            raise SchemaProblem("not-a-table-schema", url=schema_url)
        descriptor = _cached_json(_mirrored(schema_url), keep_last=True)
    elif upload_id := _own_upload_id(schema_url):
        descriptor = _uploaded_schema(upload_id, owner_org)
    else:
        descriptor = _cached_json(schema_url, keep_last=False)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise SchemaProblem("not-a-table-schema", url=schema_url)
    return descriptor
