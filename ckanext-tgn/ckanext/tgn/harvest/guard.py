"""Every document a harvester reads: fetched through the platform's guarded client, then
checked before any parser sees it.

The upstream harvesters fetch with plain ``requests`` (no timeout, redirects to any host,
local paths read with ``open()``) and hand anything to rdflib or lxml. Here a document comes
only from an allowed host over http(s), within the source's limits, and is refused when it
declares a DTD (external entities, entity expansion) or, in JSON-LD, a remote context (which
rdflib would fetch outside this guard).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.tgn.lib import http

from .sources import Limits

ALLOW_PRIVATE = "ckanext.tgn.harvest.allow_private_addresses"

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
# Media types -> rdflib parser names.
RDF_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
}
_SUFFIXES = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
_FETCH_TEXTS = {
    "scheme": "adresse refusée : seules les adresses http:// et https:// sont moissonnées",
    "bad-url": "adresse invalide",
    "dns": "serveur inconnu ou adresse non publique (réseau interne refusé)",
    "private-address": "serveur inconnu ou adresse non publique (réseau interne refusé)",
    "host-not-allowed": "serveur hors de la liste allowed_hosts de la source",
    "redirects": "trop de redirections",
    "http-status": "le serveur a répondu par une erreur HTTP",
    "too-large": "document trop volumineux",
    "timeout": "le serveur n'a pas répondu à temps",
    "time-limit": "téléchargement trop long, arrêté",
    "connection": "serveur injoignable",
}


class DocumentRefused(Exception):
    """Why a document was not read: a short French sentence for the job's report."""


@dataclass(frozen=True)
class Document:
    url: str
    text: str
    media_type: str


def fetch_text(url: str, limits: Limits, hosts: frozenset[str], accept: str) -> Document:
    """Fetch ``url`` and decode it (charset from the header, else the XML declaration)."""
    try:
        body, said = http.fetch_document(
            url,
            max_size=limits.max_document_bytes,
            timeouts=(limits.connect_timeout, limits.read_timeout),
            allow_private=tk.config[ALLOW_PRIVATE],
            time_limit=limits.deadline,
            allowed_hosts=hosts,
            max_redirects=3,
            accept=accept,
        )
    except http.FetchError as e:
        raise DocumentRefused(fetch_text_of(e, url)) from e
    content_type = str(said.get("content_type") or "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    return Document(str(said["url"]), decode(body, content_type), media_type)


def fetch_text_of(error: http.FetchError, url: str) -> str:
    text = _FETCH_TEXTS.get(error.code, "téléchargement impossible")
    if error.code == "http-status":
        text += f" {error.params.get('status')}"
    if error.code == "too-large":
        text += f" (plus de {error.params.get('limit', 0) // 1_000_000 or 1} Mo)"
    return f"{text} : {error.params.get('url') or url}"


def decode(body: bytes, content_type: str) -> str:
    declared = _CHARSET.search(content_type)
    xml_declared = _XML_DECLARATION.match(body[:200])
    encoding = (
        declared.group(1)
        if declared
        else xml_declared.group(1).decode("ascii")
        if xml_declared
        else "utf-8"
    )
    if body.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8", body[3:]
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise DocumentRefused(
            f"document illisible : il n'est pas encodé en {encoding} comme il le déclare"
        ) from None


def refuse_dtd(text: str) -> None:
    """XML with a DTD is never parsed: external entities (XXE) and entity expansion."""
    if _DTD.search(text[:1_000_000].encode("utf-8", "replace")) or "<!ENTITY" in text:
        raise DocumentRefused(
            "document XML refusé : il déclare une DTD ou des entités (<!DOCTYPE, <!ENTITY), "
            "ce qu'un catalogue n'a pas besoin de faire"
        )


def rdf_format(document: Document, declared: str) -> str:
    """The rdflib format: the source file's ``format``, else the media type, else the suffix."""
    if declared != "auto":
        return declared
    if document.media_type in ("text/html", "application/xhtml+xml"):
        raise DocumentRefused(
            "le serveur a renvoyé une page HTML, pas un catalogue RDF : vérifiez l'adresse"
        )
    if document.media_type in RDF_MEDIA_TYPES:
        return RDF_MEDIA_TYPES[document.media_type]
    path = document.url.split("?", 1)[0].lower()
    for suffix, name in _SUFFIXES.items():
        if path.endswith(suffix):
            return name
    start = document.text.lstrip()[:1]
    return "json-ld" if start in ("{", "[") else "xml" if start == "<" else "turtle"


def check_rdf(text: str, fmt: str) -> None:
    """Refuse what the parser must never see (raises DocumentRefused)."""
    if fmt in ("xml", "pretty-xml"):
        refuse_dtd(text)
    elif fmt == "json-ld":
        try:
            data = json.loads(text)
        except RecursionError:
            raise DocumentRefused("document JSON-LD refusé : imbrication trop profonde") from None
        except ValueError as e:
            raise DocumentRefused(f"document JSON-LD illisible : {e}") from None
        if _remote_context(data):
            raise DocumentRefused(
                "document JSON-LD refusé : son @context (ou @import) est une adresse à "
                "télécharger ; seuls les contextes écrits dans le document sont acceptés"
            )


def _remote_context(data: Any, depth: int = 0) -> bool:
    """Whether any ``@context`` anywhere names a document (a string) or ``@import``s one."""
    if depth > 200:
        return True  # deeper than any catalog: refuse rather than walk on
    if isinstance(data, list):
        return any(_remote_context(item, depth + 1) for item in data)
    if not isinstance(data, dict):
        return False
    for key, value in data.items():
        if key == "@context":
            contexts = value if isinstance(value, list) else [value]
            for context in contexts:
                if isinstance(context, str):
                    return True
                if isinstance(context, dict) and "@import" in context:
                    return True
        if key == "@import":
            return True
        if isinstance(value, (dict, list)) and _remote_context(value, depth + 1):
            return True
    return False
