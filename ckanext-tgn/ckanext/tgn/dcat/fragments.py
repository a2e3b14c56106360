"""One dataset's DCAT description, rendered once and kept as ready-to-join text.

The ``tgn_dcat_ap`` profile runs on the dataset alone, in a graph of its own; its triples are
split into the dataset's *fragment* (the dataset, its distributions and every blank node they
reach) and *shared blocks* (the concepts, territories, publishers, licences… that many datasets
point at, stored once under the hash of their content). Each part is serialised by pyoxigraph
(tens of times faster than rdflib's serialisers, same triples) in the three formats under one
fixed prefix map, without its document wrapper, so that a catalog page is the concatenation of
its header, its catalog block, its fragments and its shared blocks, each shared block once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ckanext.dcat.processors import HYDRA
from ckanext.dcat.profiles.base import DCAT, DCT, FOAF
from ckanext.dcat.profiles.base import namespaces as UPSTREAM_NAMESPACES
from ckanext.dcat.profiles.euro_dcat_ap_2 import ELI
from ckanext.tgn.lib import refdata, vocab

from . import profiles
from .serializer import Serializer

# Bumped whenever what a fragment holds or how it is cut changes: every stored one is then stale.
LAYOUT = "1"
# The stored formats: column -> pyoxigraph format (catalog.FORMATS maps URL suffixes to them).
_OX_FORMAT = {
    "ttl": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
COLUMNS = tuple(_OX_FORMAT)

PREFIXES: dict[str, str] = {
    **{prefix: str(ns) for prefix, ns in UPSTREAM_NAMESPACES.items()},
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": str(HYDRA),
    "eli": str(ELI),
}

# Descriptions many datasets point at: kept once per page, by content, out of the fragments.
SHARED_TYPES = frozenset(
    {
        SKOS.Concept,
        SKOS.ConceptScheme,
        DCT.Location,
        FOAF.Agent,
        DCT.LicenseDocument,
        DCT.Standard,
        DCT.MediaType,
        ELI.LegalResource,
    }
)


class Unrenderable(Exception):
    """A description pyoxigraph cannot write (an IRI it refuses): the page is built uncached."""


@dataclass
class Block:
    """A shared description: the hash of its triples and its text per column."""

    key: str
    bodies: dict[str, str]


@dataclass
class Fragment:
    """One dataset's own triples as text per column, and what it must be served with."""

    package_id: str
    uri: str
    revision: dt.datetime
    indexed: str
    valid_until: dt.date | None
    shared: list[str]
    bodies: dict[str, str]
    blocks: list[Block] = field(default_factory=list)


def _write(triples: list[Any], rdf_format: ox.RdfFormat) -> str:
    output = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    assert output is not None  # no file given: the bytes are returned
    return output.decode()


# --- the parts of a page ----------------------------------------------------------------------
def _strip(column: str, text: str) -> str:
    """A serialisation without its document wrapper (prefixes, XML root, JSON array)."""
    if column == "ttl":
        lines = text.splitlines(keepends=True)
        start = 0
        while start < len(lines) and lines[start].startswith("@prefix "):
            start += 1
        return "".join(lines[start:])
    if column == "rdfxml":
        head, foot = wrapper("rdfxml")
        if not text.startswith(head) or not text.rstrip().endswith(foot.strip()):
            raise Unrenderable("unexpected RDF/XML root")
        return text[len(head) : text.rstrip().rfind(foot.strip())]
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise Unrenderable("unexpected JSON-LD document")
    return inner[1:-1].strip()


@cache
def wrapper(column: str) -> tuple[str, str]:
    """What opens and closes a document in ``column``, around the joined parts."""
    if column == "ttl":
        probe = _write(
            [ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode(str(RDF.type)), ox.NamedNode("urn:y"))],
            ox.RdfFormat.TURTLE,
        )
        header = "".join(line for line in probe.splitlines(True) if line.startswith("@prefix "))
        return header, ""
    if column == "rdfxml":
        empty = _write([], ox.RdfFormat.RDF_XML)
        end = empty.index(">", empty.index("<rdf:RDF")) + 1
        return empty[:end], "\n</rdf:RDF>\n"
    return "[", "]\n"


def join(column: str, parts: Iterable[str]) -> str:
    """A whole document from stripped parts."""
    head, foot = wrapper(column)
    bodies = [part for part in parts if part.strip()]
    if column == "jsonld":
        return head + ",\n".join(bodies) + foot
    return head + "".join(part if part.endswith("\n") else part + "\n" for part in bodies) + foot


def _term(term: Any) -> Any:
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise Unrenderable(f"unknown term {term!r}")


def serialise(
    triples: Iterable[tuple[Any, Any, Any]], columns: Iterable[str] = COLUMNS
) -> dict[str, str]:
    """rdflib triples as stripped text in each of ``columns`` (all three by default)."""
    try:
        converted = [ox.Triple(_term(s), _term(p), _term(o)) for s, p, o in triples]
        return {column: _strip(column, _write(converted, _OX_FORMAT[column])) for column in columns}
    except (ValueError, SyntaxError) as error:  # an IRI or a language tag pyoxigraph refuses
        raise Unrenderable(str(error)) from error


# --- rendering one dataset --------------------------------------------------------------------
def _block_key(triples: list[tuple[Any, Any, Any]]) -> str:
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:40]


def split(graph: Graph, dataset_ref: URIRef) -> tuple[list[Any], list[list[Any]]]:
    """The dataset's own triples, and the shared descriptions, one list of triples each."""
    by_subject: dict[Any, list[Any]] = {}
    for triple in graph:
        by_subject.setdefault(triple[0], []).append(triple)
    own = {dataset_ref, *graph.objects(dataset_ref, DCAT.distribution)}
    fragment: list[Any] = []
    shared: list[list[Any]] = []
    for subject, triples in by_subject.items():
        if (
            isinstance(subject, URIRef)
            and subject not in own
            and any(p == RDF.type and o in SHARED_TYPES for _, p, o in triples)
            # blank nodes are unique to one rendering: not shareable by content
            and not any(isinstance(o, BNode) for _, _, o in triples)
        ):
            shared.append(sorted(triples))
        else:
            fragment.extend(triples)
    return fragment, sorted(shared, key=lambda triples: str(triples[0][0]))


class _Graph(Graph):
    """A graph that ignores prefix bindings: pyoxigraph writes it under ``PREFIXES``, and
    rdflib's namespace bookkeeping is a tenth of a dataset's rendering time otherwise."""

    def bind(self, *args: Any, **kwargs: Any) -> None:
        return None


class Renderer(Serializer):
    """ckanext-dcat's serializer, run on one dataset at a time into a graph of its own.

    One per request (profiles are loaded once for all the datasets it renders); the
    organisations it looks up are shared by those datasets, as on an uncached page.
    """

    def __init__(self, known_blocks: Iterable[str] = ()) -> None:
        super().__init__()
        self._organizations: dict[str, dict[str, Any]] = {}
        self._known = set(known_blocks)

    def render(self, dataset_dict: dict[str, Any], indexed: str) -> Fragment:
        """``dataset_dict`` as the search index holds it, at its version ``indexed``."""
        self.g = _Graph(bind_namespaces="none")
        profiles.share_organizations(self.g, self._organizations)
        dataset_ref = self.graph_from_dataset(dataset_dict)
        own, shared = split(self.g, dataset_ref)
        keys, blocks = [], []
        for triples in shared:
            key = _block_key(triples)
            keys.append(key)
            if key not in self._known:
                blocks.append(Block(key, serialise(triples)))
                self._known.add(key)
        due = profiles.due_date(self.g)
        return Fragment(
            package_id=dataset_dict["id"],
            uri=str(dataset_ref),
            revision=dt.datetime.fromisoformat(dataset_dict["metadata_modified"]),
            indexed=indexed,
            valid_until=due - dt.timedelta(days=1) if due else None,
            shared=keys,
            bodies=serialise(own),
            blocks=blocks,
        )


# --- what every fragment depends on besides its dataset and organisation ------------------------
# The configuration the profiles read (ckanext-dcat's own options included).
_CONFIG = (
    "ckan.site_url",
    "ckanext.dcat.base_uri",
    "ckanext.dcat.rdf.profiles",
    "ckanext.dcat.compatibility_mode",
    "ckanext.dcat.expose_subcatalogs",
    "ckanext.dcat.output_spatial_format",
    "ckanext.dcat.resource.inherit.license",
    "scheming.dataset_schemas",
    "scheming.presets",
)
_LIBRARIES = ("ckanext-tgn", "ckan", "ckanext-dcat", "ckanext-scheming", "rdflib", "pyoxigraph")
_VOCABULARIES = tuple(sorted(path.stem for path in vocab.DIRECTORY.glob("*.yaml")))


def _code_digest() -> str:
    """The code this process runs: the dcat plugin's and the core's modules, the schemas, and
    the versions of the libraries that write or read the description (shapely writes the
    outlines). Read at import, so a process started before a deployment keeps its own."""
    tgn = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(LAYOUT.encode())
    files: list[Any] = sorted(
        [*tgn.joinpath("dcat").glob("*.py"), *tgn.joinpath("lib").glob("*.py")]
    )
    schemas = resources.files("ckanext.tgn.schemas")  # schemas/, shipped as this package
    files += sorted((f for f in schemas.iterdir() if f.name.endswith(".yaml")), key=str)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in (*_LIBRARIES, "shapely"):
        digest.update(f"{name}={version(name)}".encode() + b"\0")
    return digest.hexdigest()


_CODE_DIGEST = _code_digest()
_generation: tuple[tuple[Any, ...], str, tuple[Any, ...]] | None = None


def _data() -> tuple[Any, ...]:
    """The reference data as loaded now (a reload gives new objects, hence a new generation)."""
    return (
        *(vocab.vocabulary(name) for name in _VOCABULARIES),
        vocab.licences(),
        refdata.territories(),
        refdata.reference(),
    )


def generation() -> str:
    """A hash of everything a fragment depends on but its dataset and its organisation: code
    and library versions, configuration, vocabularies, licences and territories."""
    global _generation
    data = _data()
    key = (tuple(id(item) for item in data), tuple(str(tk.config.get(k)) for k in _CONFIG))
    current = _generation
    if current is None or current[0] != key:
        digest = hashlib.sha256(_CODE_DIGEST.encode())
        for part in (
            *key[1],
            *(repr(item) for item in data),
            json.dumps([refdata.geometry(code) for code in sorted(refdata.territories())]),
        ):
            digest.update(part.encode() + b"\0")
        # The objects stay referenced with the key, so their ids cannot be reused meanwhile.
        current = _generation = (key, digest.hexdigest()[:32], data)
    return current[1]
