"""schema.org JSON-LD of dataset pages (ckanext-dcat's structured_data), with our fields.

Builds on ckanext-dcat's SchemaOrgProfile: ``super()`` first (given the dataset without the
fields we write instead), then one small method per field where upstream reads field names
we do not have (``spatial_uri``, ``publisher_*``) or writes what search engines misread (a
language URI as ``inLanguage``, the union outline as one polygon, a period with an open end
as a date-time). The licence is upstream's: CKAN's ``license_url``, from our licence list.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles import SchemaOrgProfile
from ckanext.dcat.profiles.base import SCHEMA
from ckanext.dcat.utils import resource_uri
from ckanext.tgn.lib import refdata, vocab
from ckanext.tgn.lib.datasets import public_datasets
from ckanext.tgn.lib.jsonlist import as_list

from .profiles import territory_uri

_ORGANIZATION = sa.text(
    """SELECT g.name, g.title, e.key, e.value FROM "group" g
    LEFT JOIN group_extra e ON e.group_id = g.id AND e.state = 'active'
        AND e.key IN ('website', 'siren')
    WHERE g.id = :id"""
)


def organization(org_id: str) -> dict[str, str] | None:
    """Name, title, site and SIREN of the organisation as stored now (scheming keeps its
    fields as group extras, shown as stored), in one query: ``organization_show`` built the
    whole organisation (members, validation by the schema) for four values, a tenth of a
    dataset page."""
    rows = model.Session.execute(_ORGANIZATION, {"id": org_id}).all()
    if not rows:
        return None
    found = {"name": rows[0][0], "title": rows[0][1] or ""}
    found.update({key: value for _, _, key, value in rows if key})
    return found


def _site_url(path: str) -> str:
    return f"{tk.config['ckan.site_url'].rstrip('/')}{path}"


class TgnSchemaOrgProfile(SchemaOrgProfile):
    """schema.org Dataset of Tarn-et-Garonne Numérique (Google Dataset Search)."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        if dataset_dict.get("type") == "reuse":  # the structured_data template is on every type
            self._reuse(dataset_dict, dataset_ref)
            return
        super().graph_from_dataset(self._for_upstream(dataset_dict), dataset_ref)
        self.g.add((dataset_ref, SCHEMA.isAccessibleForFree, Literal(True)))
        self._spatial_coverage(dataset_dict, dataset_ref)
        self._temporal_coverage(dataset_dict, dataset_ref)
        self._themes(dataset_dict, dataset_ref)
        self._languages(dataset_dict, dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        for resource in dataset_dict.get("resources", []):
            self._distribution(resource)

    @staticmethod
    def _for_upstream(dataset_dict: dict[str, Any]) -> dict[str, Any]:
        """The dataset without what our methods write instead: the organisation (publisher
        and creator), the period, and the union outline when the territories are named."""
        left_out = {"organization", "temporal_start", "temporal_end"}
        if any(territory_uri(code) for code in as_list(dataset_dict.get("territories"))):
            left_out.add("spatial")
        return {k: v for k, v in dataset_dict.items() if k not in left_out}

    def _spatial_coverage(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Each territory as a named schema:Place with its INSEE URI."""
        # Without a known territory, upstream's place from `spatial` (the API alone) stays.
        for code in as_list(dataset_dict.get("territories")):
            territory, ref = refdata.territory(code), territory_uri(code)
            if territory is None or ref is None:
                continue
            self.g.add((dataset_ref, SCHEMA.spatialCoverage, ref))
            self.g.add((ref, RDF.type, SCHEMA.Place))
            self.g.add((ref, SCHEMA.name, Literal(territory.name)))
            self.g.add((ref, SCHEMA.identifier, Literal(code)))

    def _temporal_coverage(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """An ISO 8601 interval of dates; an open end written ``..`` (schema.org's form)."""
        start, end = dataset_dict.get("temporal_start"), dataset_dict.get("temporal_end")
        if start or end:
            interval = f"{start or '..'}/{end or '..'}"
            self.g.add((dataset_ref, SCHEMA.temporalCoverage, Literal(interval)))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The EU themes' French labels, beside the keywords."""
        themes = vocab.vocabulary("data-theme")
        for uri in as_list(dataset_dict.get("theme")):
            concept = themes.by_uri(uri) or themes.lookup(uri)
            if concept is not None:
                self.g.add((dataset_ref, SCHEMA.keywords, Literal(concept.fr)))

    def _languages(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Language codes (``fr``) instead of the EU authority's URIs."""
        self.g.remove((dataset_ref, SCHEMA.inLanguage, None))
        languages = vocab.vocabulary("language")
        for uri in as_list(dataset_dict.get("language")):
            concept = languages.by_uri(uri) or languages.lookup(uri)
            if concept is None:
                continue
            short = next((a for a in concept.extra.get("aliases", []) if len(a) == 2), None)
            self.g.add((dataset_ref, SCHEMA.inLanguage, Literal(short or concept.code.lower())))

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The organisation as publisher and creator: its page, name, SIREN and the
        dataset's contact point (upstream, given no organisation, writes neither)."""
        org = dataset_dict.get("organization")
        full = organization(org["id"]) if org else None
        if full is None:
            return
        ref = URIRef(_site_url(f"/organization/{full['name']}"))
        self.g.add((ref, RDF.type, SCHEMA.Organization))
        self.g.add((ref, SCHEMA.name, Literal(full.get("title") or full["name"])))
        self.g.add((ref, SCHEMA.url, Literal(full.get("website") or str(ref))))
        if full.get("siren"):
            self.g.add((ref, SCHEMA.identifier, Literal(full["siren"])))
        if dataset_dict.get("contact_email") or dataset_dict.get("contact_name"):
            contact = BNode()
            self.g.add((ref, SCHEMA.contactPoint, contact))
            self.g.add((contact, RDF.type, SCHEMA.ContactPoint))
            self.g.add((contact, SCHEMA.contactType, Literal("customer service")))
            for field, predicate in (
                ("contact_name", SCHEMA.name),
                ("contact_email", SCHEMA.email),
            ):
                if dataset_dict.get(field):
                    self.g.add((contact, predicate, Literal(dataset_dict[field])))
        self.g.add((dataset_ref, SCHEMA.publisher, ref))
        self.g.add((dataset_ref, SCHEMA.creator, ref))

    def _distribution(self, resource: dict[str, Any]) -> None:
        """A file's address as contentUrl, its format as a media type when known."""
        ref = URIRef(resource_uri(resource))
        self.g.remove((ref, SCHEMA.url, None))
        self.g.remove((ref, SCHEMA.contentUrl, None))
        if resource.get("url"):
            self.g.add((ref, SCHEMA.contentUrl, Literal(resource["url"])))
        if resource.get("mimetype"):
            self.g.remove((ref, SCHEMA.encodingFormat, None))
            self.g.add((ref, SCHEMA.encodingFormat, Literal(resource["mimetype"])))

    def _reuse(self, reuse: dict[str, Any], reuse_ref: URIRef) -> None:
        """A reuse's page: a schema:CreativeWork based on the public datasets it uses."""
        self.g.namespace_manager.bind("schema", SCHEMA, replace=True)
        self.g.add((reuse_ref, RDF.type, SCHEMA.CreativeWork))
        self.g.add((reuse_ref, SCHEMA.name, Literal(reuse.get("title") or reuse["name"])))
        if reuse.get("notes"):
            self.g.add((reuse_ref, SCHEMA.description, Literal(reuse["notes"])))
        if reuse.get("url"):
            self.g.add((reuse_ref, SCHEMA.url, Literal(reuse["url"])))
        if reuse.get("author"):
            author = BNode()
            self.g.add((reuse_ref, SCHEMA.author, author))
            self.g.add((author, RDF.type, SCHEMA.Organization))
            self.g.add((author, SCHEMA.name, Literal(reuse["author"])))
        for dataset in public_datasets(as_list(reuse.get("datasets"))):
            self.g.add(
                (reuse_ref, SCHEMA.isBasedOn, URIRef(_site_url(f"/dataset/{dataset['name']}")))
            )
