"""The controlled vocabularies of the schemas, read from the data files in ``vocabularies/``.

Each list lives once, as data: the form choices, the validators and the DCAT output
all read it from here. Adding a concept is one line in its YAML file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from .jsonlist import as_list

DIRECTORY = Path(__file__).with_name("vocabularies")
OTHER_SCHEMA = "__other__"  # the form's "autre schéma" choice


@dataclass(frozen=True)
class Concept:
    uri: str
    code: str
    fr: str
    en: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Vocabulary:
    name: str
    scheme: str
    labels: dict[str, str]
    concepts: tuple[Concept, ...]

    def by_uri(self, uri: str) -> Concept | None:
        return self._by_uri.get(uri)

    def lookup(self, value: str) -> Concept | None:
        """A concept by URI, by code or by label (case-insensitive): what users type."""
        return self._by_name.get(value.strip().casefold())

    # Indexes built on first use (the DCAT profile looks concepts up for every dataset and
    # file); the first concept in file order wins, as a scan of the list would.
    @cached_property
    def _by_uri(self) -> dict[str, Concept]:
        index: dict[str, Concept] = {}
        for concept in self.concepts:
            index.setdefault(concept.uri, concept)
        return index

    @cached_property
    def _by_name(self) -> dict[str, Concept]:
        index: dict[str, Concept] = {}
        for concept in self.concepts:
            for name in (concept.uri, concept.code, concept.fr):
                index.setdefault(name.casefold(), concept)
        return index


@cache
def vocabulary(name: str) -> Vocabulary:
    with (DIRECTORY / f"{name}.yaml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    base = data.get("uri_base", data["scheme"].rstrip("/") + "/")
    concepts = tuple(
        Concept(
            uri=base + c["code"],
            code=c["code"],
            fr=c["fr"],
            en=c["en"],
            extra={k: v for k, v in c.items() if k not in ("code", "fr", "en")},
        )
        for c in data["concepts"]
    )
    return Vocabulary(name, data["scheme"], data["labels"], concepts)


# OGC services an agent links to (…/wms, …?SERVICE=WMS&REQUEST=GetCapabilities): their EU
# file types.
_OGC_SERVICES = {"wms": "WMS_SRVC", "wfs": "WFS_SRVC"}


def file_type_for_name(name: str) -> Concept | None:
    """The file type of a file name or URL: an OGC service's link (``SERVICE=WMS`` or a path
    ending in ``/wms``) by its service, else by the extension (``.csv`` -> CSV)."""
    service = _ogc_service(name)
    if service:
        return vocabulary("file-type").lookup(service)
    path = name.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if "." not in path.rsplit("/", 1)[-1]:
        return None
    extension = path.rsplit(".", 1)[-1].casefold()
    for concept in vocabulary("file-type").concepts:
        if extension in concept.extra.get("extensions", []):
            return concept
    return None


def _ogc_service(url: str) -> str | None:
    try:
        parts = urlsplit(url.split("#", 1)[0])
    except ValueError:
        return None
    for key, value in parse_qsl(parts.query):
        if key.casefold() == "service" and value.casefold() in _OGC_SERVICES:
            return _OGC_SERVICES[value.casefold()]
    return _OGC_SERVICES.get(parts.path.rstrip("/").rsplit("/", 1)[-1].casefold())


@cache
def licences() -> list[dict[str, Any]]:
    """The closed list of licences (CKAN's licence format, ids as on data.gouv.fr)."""
    with (DIRECTORY / "licences.json").open(encoding="utf-8") as f:
        return json.load(f)


def licences_file() -> Path:
    return DIRECTORY / "licences.json"


@cache
def table_schemas() -> list[dict[str, Any]]:
    """Table Schemas of schema.data.gouv.fr, each with its versions' exact URLs."""
    with (DIRECTORY / "table-schemas.json").open(encoding="utf-8") as f:
        return json.load(f)["schemas"]


@cache
def table_schema_urls() -> dict[str, str]:
    """Versioned schema URL -> "Title (version)", for choices and validation."""
    return {
        v["url"]: f"{s['title']} ({v['version']})" for s in table_schemas() for v in s["versions"]
    }


@cache
def _schema_names() -> dict[str, str]:
    """Versioned URL of a national Table Schema -> its name (``scdl/deliberations``)."""
    return {v["url"]: s["name"] for s in table_schemas() for v in s["versions"]}


def schema_keys(dataset: dict[str, Any]) -> list[str]:
    """The schemas the dataset or its files follow: a national schema by name (every version
    together), another one by its URL (the form stores an "other schema" as its URL)."""
    holders = [dataset, *(dataset.get("resources") or [])]
    urls = {url for holder in holders for url in as_list(holder.get("conforms_to")) if url}
    return sorted({_schema_names().get(url, url) for url in urls})
