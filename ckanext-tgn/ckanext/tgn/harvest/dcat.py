"""``tgn_dcat``: ckanext-dcat's RDF harvester, with the platform's guards and mapping.

Overrides, each small and ending in upstream's own method: the fetch (guarded client, page
budget, visited pages, documents checked before parsing), the parser (upstream's, handing
on what our mapping reads from the graph), the record key (namespaced by source), the
deletion (our policy), the import (our mapping, then upstream's create or update).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import ckan.model as model
import ckan.plugins as p
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS, SKOS

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import RDFParser
from ckanext.harvest.model import HarvestGatherError, HarvestObject

from . import guard
from .base import GuardedHarvester
from .policy import PolicyMissing, SourcePolicy
from .records import Prepared, Record, RecordRefused, RecordSkipped, prepare

log = logging.getLogger(__name__)

TYPE = "tgn_dcat"
RAW = "__tgn_record"
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, */*;q=0.1"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS_IDENTIFIER = URIRef("http://www.w3.org/ns/adms#identifier")
LOCN_NAME = URIRef("http://www.w3.org/ns/locn#geographicName")
_LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, LOCN_NAME)


def _texts(graph: Any, node: Any) -> list[str]:
    """A node as text: its URI and its labels, or the literal itself."""
    if isinstance(node, Literal):
        return [str(node)]
    texts = [str(node)] if isinstance(node, URIRef) else []
    for predicate in _LABELS:
        texts.extend(str(label) for label in graph.objects(node, predicate))
    return texts


def record_values(graph: Any, ref: Any) -> dict[str, Any]:
    """What the mapping needs and upstream's parse drops (unknown licences, labels...)."""

    def all_of(predicate: Any, subject: Any = ref) -> list[str]:
        return [t for node in graph.objects(subject, predicate) for t in _texts(graph, node)]

    licences = all_of(DCTERMS.license) + all_of(DCTERMS.rights)
    for distribution in graph.objects(ref, DCAT.distribution):
        licences += all_of(DCTERMS.license, distribution)
    identifiers = [str(i) for i in graph.objects(ref, DCTERMS.identifier)]
    for node in graph.objects(ref, ADMS_IDENTIFIER):
        identifiers += [str(node), *(str(n) for n in graph.objects(node, SKOS.notation))]
    name, email = "", ""
    for contact in graph.objects(ref, DCAT.contactPoint):
        name = name or str(graph.value(contact, URIRef(VCARD + "fn")) or "")
        email = email or str(graph.value(contact, URIRef(VCARD + "hasEmail")) or "")
    frequency = all_of(DCTERMS.accrualPeriodicity)
    return {
        "uri": str(ref) if isinstance(ref, URIRef) else "",
        "identifiers": identifiers,
        "landing_page": next((str(o) for o in graph.objects(ref, DCAT.landingPage)), ""),
        "licences": licences,
        "themes": all_of(DCAT.theme),
        "frequency": frequency[0] if frequency else "",
        "languages": all_of(DCTERMS.language),
        "places": all_of(DCTERMS.spatial),
        "contact_name": name,
        "contact_email": email,
        "keywords": [str(k) for k in graph.objects(ref, DCAT.keyword)],
    }


class _RecordParser(RDFParser):
    """Upstream's parser; each dataset also carries the graph's raw values, and the
    source's dataset limit is applied across pages."""

    def __init__(self, graph: Any, harvester: TgnDcatHarvester) -> None:
        super().__init__()
        self.g = graph
        self._harvester = harvester

    def datasets(self) -> Any:
        refs = list(self._datasets())
        for ref, dataset in zip(refs, super().datasets(), strict=True):
            if not self._harvester._take_one():
                return
            dataset[RAW] = record_values(self.g, ref)
            yield dataset


class TgnDcatHarvester(GuardedHarvester, DCATRDFHarvester):
    """DCAT catalogs (Turtle, RDF/XML, JSON-LD, Hydra pages): OpenDataSoft, data.gouv.fr..."""

    p.implements(IDCATRDFHarvester, inherit=True)

    _policy_now: SourcePolicy | None = None
    _visited: set[str]
    _taken = 0
    _prepared: dict[str, Any] | None = None
    _job: Any = None

    def info(self) -> dict[str, str]:
        return {
            "name": TYPE,
            "title": "Catalogue DCAT (plateforme Tarn-et-Garonne)",
            "description": "Catalogue DCAT en RDF, lu par le moissonneur protégé de la plateforme.",
        }

    def validate_config(self, source_config: str | None) -> str | None:
        return self._checked_config(source_config)

    # --- gather ----------------------------------------------------------------------------
    def gather_stage(self, harvest_job: Any) -> list[str]:
        self._incomplete, self._visited, self._taken = False, set(), 0
        self._seen_pages: set[str] = set()
        self._started = time.monotonic()
        self._job = harvest_job
        try:
            self._policy_now = self._policy(harvest_job.source)
        except PolicyMissing as e:
            self._gather_error(str(e), harvest_job)
            return []
        try:
            ids = super().gather_stage(harvest_job) or []
        except Exception as e:  # a parser crash must end this job, not the consumer
            log.exception("DCAT gather failed")
            self._gather_error(f"catalogue illisible ({type(e).__name__}) : {e}"[:500], harvest_job)
            ids = []
        if model.Session.query(HarvestGatherError).filter_by(harvest_job_id=harvest_job.id).count():
            self._incomplete = True  # upstream recorded an error of its own (a parse error)
        if not ids:
            # Upstream returns nothing when a later page fails: import the pages read.
            if model.Session.query(HarvestObject).filter_by(harvest_job_id=harvest_job.id).count():
                self._incomplete = True
            ids = [
                o.id
                for o in model.Session.query(HarvestObject.id).filter_by(
                    harvest_job_id=harvest_job.id, state="WAITING"
                )
            ]
        if not self._incomplete:
            self._delete_expired(harvest_job)
        return ids

    def _take_one(self) -> bool:
        assert self._policy_now is not None
        self._taken += 1
        if self._taken > self._policy_now.limits.max_datasets:
            if self._taken == self._policy_now.limits.max_datasets + 1:
                self._gather_error(
                    f"le catalogue a plus de {self._policy_now.limits.max_datasets} jeux "
                    "(limits.max_datasets) : les suivants ne sont pas lus",
                    self._job,
                )
            return False
        return True

    def _get_content_and_type(
        self, url: str, harvest_job: Any, page: int = 1, content_type: str | None = None
    ) -> tuple[str | None, str | None]:
        policy = self._policy_now
        assert policy is not None
        number = len(self._visited) + 1
        if url in self._visited:
            self._gather_error(
                f"boucle de pagination : la page suivante ({url}) a déjà été lue", harvest_job
            )
            return None, None
        if number > policy.limits.max_pages:
            self._gather_error(
                f"plus de {policy.limits.max_pages} pages (limits.max_pages) : arrêt", harvest_job
            )
            return None, None
        if time.monotonic() - self._started > policy.limits.job_deadline:
            self._gather_error(
                f"moissonnage plus long que {policy.limits.job_deadline:g} s "
                f"(limits.job_deadline_s) : arrêt avant la page {number}",
                harvest_job,
            )
            return None, None
        self._visited.add(url)
        try:
            document = guard.fetch_text(url, policy.limits, policy.allowed_hosts, ACCEPT)
            rdf_format = guard.rdf_format(document, policy.rdf_format)
            guard.check_rdf(document.text, rdf_format)
        except guard.DocumentRefused as e:
            self._gather_error(f"page {number} : {e}", harvest_job)
            return None, None
        # A server that ignores the page parameter sends page 1 again under another URL:
        # upstream would stop there as if the catalog were complete.
        digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
        if digest in self._seen_pages:
            self._gather_error(
                f"boucle de pagination : la page {number} ({url}) répète une page déjà lue",
                harvest_job,
            )
            return None, None
        self._seen_pages.add(digest)
        return document.text, rdf_format

    # IDCATRDFHarvester
    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        if harvest_job.source.type != TYPE or rdf_parser is None:
            return rdf_parser, []
        return _RecordParser(rdf_parser.g, self), []

    def _get_guid(self, dataset_dict: dict[str, Any], source_url: str | None = None) -> Any:
        """``<source id>:<upstream key>``: a record never reaches another source's dataset
        or a hand-made one."""
        upstream = super()._get_guid(dataset_dict, source_url=source_url)
        return f"{self._job.source.id}:{upstream}" if upstream else None

    # --- import ----------------------------------------------------------------------------
    def import_stage(self, harvest_object: Any) -> Any:
        return self._import_safely(harvest_object, self._import)

    def _import(self, harvest_object: Any) -> Any:
        if self._get_object_extra(harvest_object, "status") == "delete":
            return self._withdraw(harvest_object)
        try:
            dataset = json.loads(harvest_object.content or "")
        except ValueError:
            return super().import_stage(harvest_object)  # upstream records the error
        raw = dataset.pop(RAW, {})
        prepared = self._prepare_object(harvest_object, Record(package=dataset, **raw))
        if not isinstance(prepared, Prepared):
            return prepared
        self._prepared = prepared.package
        try:
            return super().import_stage(harvest_object)
        finally:
            self._prepared = None

    def modify_package_dict(
        self, package_dict: dict[str, Any], dcat_dict: dict[str, Any], harvest_object: Any
    ) -> dict[str, Any]:
        return self._prepared if self._prepared is not None else package_dict

    # --- preview (ckan tgn harvest check) ---------------------------------------------------
    def preview(self, policy: SourcePolicy, url: str, owner_org: str, limit: int) -> Any:
        """The first ``limit`` records read and mapped as a job would, nothing stored."""
        self._policy_now, self._taken, self._job = policy, 0, None
        visited: set[str] = set()
        count = 0
        next_url: str | None = url
        while next_url and count < limit:
            if next_url in visited or len(visited) >= policy.limits.max_pages:
                yield "refusé", next_url, "boucle de pagination ou trop de pages : arrêt"
                return
            visited.add(next_url)
            document = guard.fetch_text(next_url, policy.limits, policy.allowed_hosts, ACCEPT)
            rdf_format = guard.rdf_format(document, policy.rdf_format)
            guard.check_rdf(document.text, rdf_format)
            parser = RDFParser()
            parser.parse(document.text, _format=rdf_format)
            for dataset in _RecordParser(parser.g, self).datasets():
                if count >= limit:
                    return
                count += 1
                raw = dataset.pop(RAW)
                key = raw.get("uri") or str(dataset.get("title"))
                try:
                    prepared = prepare(
                        Record(package=dataset, **raw),
                        policy=policy,
                        owner_org=owner_org,
                        guid=key,
                        existing=None,
                    )
                except RecordRefused as e:
                    yield "refusé", key, str(e)
                except RecordSkipped as e:
                    yield "ignoré", key, str(e)
                else:
                    yield "ok", key, prepared
            next_url = parser.next_page()
