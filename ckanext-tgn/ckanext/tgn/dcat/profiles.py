"""The ``tgn_dcat_ap`` RDF profile: DCAT-AP 3 as data.gouv.fr's harvester reads it.

Builds on ckanext-dcat's EuropeanDCATAP3Profile: ``super()`` first, then one small method per
concern. Where a method removes what upstream wrote for a property before writing its own,
a comment says why upstream's triples do not suit udata (data.gouv.fr's DCAT backend) or
the DCAT-AP 3.0.1 shapes; everything else upstream writes is kept as it is.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import ckan.plugins.toolkit as tk
import shapely
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from shapely.geometry import shape

from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import (
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    GSP,
    LOCN,
    SCHEMA,
    SPDX,
    VCARD,
    CleanedURIRef,
)
from ckanext.dcat.profiles.euro_dcat_ap_2 import ELI
from ckanext.dcat.utils import resource_uri
from ckanext.tgn.lib import refdata, vocab
from ckanext.tgn.lib.jsonlist import as_list

HVD_LEGISLATION = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
IANA = "https://www.iana.org/assignments/media-types/"
INSEE_GEO = "http://id.insee.fr/geo/"
SIREN_URI = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
WKT_DECIMALS = 5

# Organisations looked up once per document (a page of a catalog), then forgotten with it.
_ORGANIZATIONS: WeakKeyDictionary[Graph, dict[str, dict[str, Any]]] = WeakKeyDictionary()
# The first day a graph's description stops being right (a dct:modified left out because it
# was in the future will then be due): what a cached rendering must not outlive.
_DUE: WeakKeyDictionary[Graph, dt.date] = WeakKeyDictionary()
# The organisation's own fields only: no dataset count (a Solr search per organisation and
# page), members, groups, tags or followers, none of which a publisher needs.
_JUST_THE_ORG = {
    "include_dataset_count": False,
    "include_users": False,
    "include_groups": False,
    "include_tags": False,
    "include_followers": False,
}

# Range classes DCAT-AP 3 gives to each controlled property, added beside skos:Concept.
_RANGE = {
    "data-theme": SKOS.Concept,
    "hvd-category": SKOS.Concept,
    "frequency": DCT.Frequency,
    "language": DCT.LinguisticSystem,
    "access-right": DCT.RightsStatement,
    "file-type": DCT.MediaTypeOrExtent,
}


# Fields upstream would describe only for the methods below to remove what it wrote (a
# period is rewritten whole): spared, they save a tenth of a dataset's rendering.
_REWRITTEN = frozenset({"temporal_start", "temporal_end"})

# A concept's triples, built once per vocabulary object (a reloaded vocabulary is a new one).
_CONCEPTS: dict[int, tuple[vocab.Vocabulary, dict[str, Any]]] = {}


def _concept_triples(
    vocabulary: vocab.Vocabulary, value: str
) -> tuple[URIRef, tuple[tuple[Any, Any, Any], ...]] | None:
    """The concept ``value`` (URI, code or label) names and the triples that describe it."""
    held = _CONCEPTS.get(id(vocabulary))
    if held is None or held[0] is not vocabulary:
        held = _CONCEPTS[id(vocabulary)] = (vocabulary, {})
    cache = held[1]
    if value not in cache:
        concept = vocabulary.by_uri(value) or vocabulary.lookup(value)
        if concept is None:
            cache[value] = None
        else:
            ref, scheme = URIRef(concept.uri), URIRef(vocabulary.scheme)
            cache[value] = (
                ref,
                (
                    (ref, RDF.type, SKOS.Concept),
                    (ref, RDF.type, _RANGE[vocabulary.name]),
                    # French only: udata turns a theme into a tag from its label in its language.
                    (ref, SKOS.prefLabel, Literal(concept.fr, lang="fr")),
                    (ref, SKOS.inScheme, scheme),
                    (scheme, RDF.type, SKOS.ConceptScheme),
                    (scheme, DCT.title, Literal(vocabulary.labels["fr"], lang="fr")),
                ),
            )
    return cache[value]


def territory_uri(code: str) -> URIRef | None:
    """The INSEE URI of a commune or the département, the INSEE URI of an EPCI by SIREN."""
    territory = refdata.territory(code)
    if territory is None:
        return None
    path = {
        refdata.KIND_COMMUNE: "commune",
        refdata.KIND_EPCI: "intercommunalite",
        refdata.KIND_DEPARTEMENT: "departement",
    }[territory.kind]
    return URIRef(f"{INSEE_GEO}{path}/{code}")


def share_organizations(graph: Graph, organizations: dict[str, dict[str, Any]]) -> None:
    """Let ``graph`` use (and fill) organisations already looked up for the same request."""
    _ORGANIZATIONS[graph] = organizations


def due_date(graph: Graph) -> dt.date | None:
    """The first day on which ``graph``'s datasets would be described differently, if any."""
    return _DUE.get(graph)


@cache
def _territory_wkt(code: str) -> str | None:
    """A territory's outline as WKT, computed once per process (the outlines are data files)."""
    geometry = refdata.geometry(code)
    if geometry is None:
        return None
    return shapely.to_wkt(shape(geometry), rounding_precision=WKT_DECIMALS, trim=True)


class TgnDCATAPProfile(EuropeanDCATAP3Profile):
    """French DCAT-AP 3 profile of Tarn-et-Garonne Numérique (data.gouv.fr, DCAT-AP 3.0.1)."""

    # --- dataset -------------------------------------------------------------------------
    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        # With territories, the outline is written per territory below: spare upstream the
        # GeoJSON-to-WKT conversion of `spatial` (a third of its time, per bench/).
        upstream = {k: v for k, v in dataset_dict.items() if k not in _REWRITTEN}
        if dataset_dict.get("territories"):
            upstream.pop("spatial", None)
        # The same for what upstream would write from a file's URL (a quoted URIRef each).
        upstream["resources"] = [
            {k: v for k, v in resource.items() if k != "url"}
            for resource in dataset_dict.get("resources", [])
        ]
        # A harvested dataset keeps its identity upstream as an adms:identifier (as
        # data.gouv.fr does for what it harvests); upstream writes alternate_identifier so.
        if dataset_dict.get("harvest_uri") and not dataset_dict.get("alternate_identifier"):
            upstream = {**upstream, "alternate_identifier": [dataset_dict["harvest_uri"]]}
        super().graph_from_dataset(upstream, dataset_ref)
        self._identifier(dataset_dict, dataset_ref)
        self._licence(dataset_dict, dataset_ref)
        self._controlled(dataset_ref, DCAT.theme, dataset_dict.get("theme"), "data-theme")
        self._controlled(
            dataset_ref, DCT.accrualPeriodicity, dataset_dict.get("frequency"), "frequency"
        )
        self._controlled(dataset_ref, DCT.language, dataset_dict.get("language"), "language")
        self._controlled(
            dataset_ref, DCT.accessRights, dataset_dict.get("access_rights"), "access-right"
        )
        self._hvd(dataset_dict, dataset_ref)
        self._temporal(dataset_dict, dataset_ref)
        self._territories(dataset_dict, dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        self._conforms_to(dataset_ref, dataset_dict.get("conforms_to"))
        self._modified(dataset_dict, dataset_ref)
        self._contact_point(dataset_ref)
        for resource in dataset_dict.get("resources", []):
            self._distribution(dataset_dict, resource)

    def _identifier(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The dataset id: unique on the platform and never changed by an edit."""
        # Upstream prefers an `identifier` or `guid` field (a harvested record's) to the id.
        self.g.remove((dataset_ref, DCT.identifier, None))
        self.g.add((dataset_ref, DCT.identifier, Literal(dataset_dict["id"])))

    def _licence_ref(self, dataset_dict: dict[str, Any]) -> URIRef | None:
        licence = next(
            (lic for lic in vocab.licences() if lic["id"] == dataset_dict.get("license_id")), None
        )
        if licence is None:
            return None
        ref = URIRef(licence["url"])
        self.g.add((ref, RDF.type, DCT.LicenseDocument))
        self.g.add((ref, DCT.title, Literal(licence["title"], lang="fr")))
        return ref

    def _licence(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """A dataset-level dct:license with the URL data.gouv.fr matches."""
        # Upstream writes none here, or CKAN's license_url: not always data.gouv.fr's URL.
        self.g.remove((dataset_ref, DCT.license, None))
        ref = self._licence_ref(dataset_dict)
        if ref is not None:
            self.g.add((dataset_ref, DCT.license, ref))

    def _concept(self, uri: str, vocabulary_name: str) -> URIRef | None:
        """A vocabulary concept described in the graph: labels, scheme and range class."""
        found = _concept_triples(vocab.vocabulary(vocabulary_name), uri)
        if found is None:
            return None
        ref, triples = found
        if triples[3] in self.g:  # (ref, skos:inScheme, scheme)
            return ref  # already described for another dataset or distribution of the page
        for triple in triples:
            self.g.add(triple)
        return ref

    def _controlled(self, subject: URIRef, predicate: URIRef, value: Any, name: str) -> None:
        """The field's concepts of our vocabulary, each described once in the document."""
        # Upstream writes any stored value as it is (the catalog's language as the literal
        # locale "fr"); only concepts of our vocabularies, as URIs, stay.
        self.g.remove((subject, predicate, None))
        for uri in as_list(value):
            ref = self._concept(uri, name)
            if ref is not None:
                self.g.add((subject, predicate, ref))

    def _hvd(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """HVD category with the regulation it comes from, as DCAT-AP HVD requires."""
        self._controlled(
            dataset_ref, DCATAP.hvdCategory, dataset_dict.get("hvd_category"), "hvd-category"
        )
        if dataset_dict.get("hvd_category"):
            self.g.add((dataset_ref, DCATAP.applicableLegislation, HVD_LEGISLATION))
            # Also a theme: data.gouv.fr tags a dataset "hvd" from its themes only.
            for category in self.g.objects(dataset_ref, DCATAP.hvdCategory):
                self.g.add((dataset_ref, DCAT.theme, category))
            self.g.add((HVD_LEGISLATION, RDF.type, ELI.LegalResource))

    def _temporal(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """dct:PeriodOfTime with dcat:startDate / dcat:endDate (DCAT-AP 3 and udata)."""
        # Upstream leaves a second period (schema:endDate) beside its own when only the end
        # is given: one period, written here.
        for period in list(self.g.objects(dataset_ref, DCT.temporal)):
            self.g.remove((period, None, None))
        self.g.remove((dataset_ref, DCT.temporal, None))
        start, end = dataset_dict.get("temporal_start"), dataset_dict.get("temporal_end")
        if not (start or end):
            return
        period = BNode()
        self.g.add((dataset_ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self.g.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
        if end:
            self.g.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))

    def _territories(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Each territory as its INSEE URI, a dct:Location with its outline as WKT.

        The outline is a ``gsp:wktLiteral`` under ``locn:geometry`` (GeoDCAT-AP), the form
        udata and ckanext-dcat's parser read; ckanext-dcat 2.4.4 may write the predicate
        ``locn:Geometry``, which nobody reads, so it is renamed here.
        """
        for node in list(self.g.objects(dataset_ref, DCT.spatial)):
            for _, _, wkt in list(self.g.triples((node, LOCN.Geometry, None))):
                self.g.remove((node, LOCN.Geometry, wkt))
                self.g.add((node, LOCN.geometry, wkt))
        codes = as_list(dataset_dict.get("territories"))
        if not codes:
            return
        # Upstream's blank location holds the union outline; ours are named territories.
        for node in list(self.g.objects(dataset_ref, DCT.spatial)):
            self.g.remove((node, None, None))
        self.g.remove((dataset_ref, DCT.spatial, None))
        for code in codes:
            ref, wkt_text = territory_uri(code), _territory_wkt(code)
            if ref is None or wkt_text is None:
                continue
            self.g.add((dataset_ref, DCT.spatial, ref))
            if (ref, RDF.type, DCT.Location) in self.g:
                continue  # already described for another dataset of the page
            territory = refdata.territory(code)
            assert territory is not None  # territory_uri found it
            self.g.add((ref, RDF.type, DCT.Location))
            self.g.add((ref, SKOS.prefLabel, Literal(territory.name, lang="fr")))
            self.g.add((ref, DCT.identifier, Literal(code)))
            wkt = Literal(wkt_text, datatype=GSP.wktLiteral)
            self.g.add((ref, LOCN.geometry, wkt))

    def _agent(self, org: dict[str, Any]) -> URIRef:
        """A publisher as foaf:Agent: its page on the platform, name and SIREN."""
        ref = URIRef(f"{tk.config['ckan.site_url'].rstrip('/')}/organization/{org['name']}")
        self.g.add((ref, RDF.type, FOAF.Agent))
        self.g.add((ref, FOAF.name, Literal(org.get("title") or org["name"])))
        if org.get("siren"):
            self.g.add((ref, DCT.identifier, Literal(org["siren"])))
        homepage = org.get("website") or (SIREN_URI + org["siren"] if org.get("siren") else None)
        if homepage:
            page = CleanedURIRef(homepage)
            self.g.add((ref, FOAF.homepage, page))
            self.g.add((page, RDF.type, FOAF.Document))
        return ref

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        org = dataset_dict.get("organization")
        if not org:
            return
        # One lookup per organisation and per document (ckanext-dcat's own _org_cache lives
        # as long as the process, so a renamed organisation would keep its old name).
        cache = _ORGANIZATIONS.setdefault(self.g, {})
        full = cache.get(org["id"])
        if full is None:
            try:
                full = tk.get_action("organization_show")(
                    {"ignore_auth": True}, _JUST_THE_ORG | {"id": org["id"]}
                )
            except tk.ObjectNotFound:
                return  # an index older than the database: keep the rest of the dataset
            cache[org["id"]] = full
        # Upstream's publisher (publisher_* fields or the organisation) has no SIREN.
        for old in list(self.g.objects(dataset_ref, DCT.publisher)):
            self.g.remove((old, None, None))
        self.g.remove((dataset_ref, DCT.publisher, None))
        self.g.add((dataset_ref, DCT.publisher, self._agent(full)))

    def _contact_point(self, dataset_ref: URIRef) -> None:
        """vcard:Kind, the class DCAT-AP 3 gives to a contact point, beside its subclass."""
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))
            for email in self.g.objects(contact, VCARD.hasEmail):
                self.g.add((email, RDF.type, RDFS.Resource))  # the HVD shapes ask for it

    def _conforms_to(self, subject: URIRef, value: Any) -> None:
        """Exactly one dct:conformsTo: the versioned schema URL itself."""
        # Upstream reads the field as a list (split on commas); ours is one URL, typed.
        self.g.remove((subject, DCT.conformsTo, None))
        urls = as_list(value)
        if urls:
            ref = CleanedURIRef(urls[0])
            self.g.add((subject, DCT.conformsTo, ref))
            self.g.add((ref, RDF.type, DCT.Standard))

    def _modified(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Never a dct:modified in the future: harvesters would keep re-fetching."""
        today = dt.date.today().isoformat()
        for value in list(self.g.objects(dataset_ref, DCT.modified)):
            if str(value)[:10] > today:
                self.g.remove((dataset_ref, DCT.modified, value))
                self._due(str(value)[:10])
        if not list(self.g.objects(dataset_ref, DCT.modified)):
            modified = (dataset_dict.get("metadata_modified") or "")[:10]
            if modified:
                self.g.add((dataset_ref, DCT.modified, Literal(modified, datatype=XSD.date)))

    def _due(self, day: str) -> None:
        try:
            due = dt.date.fromisoformat(day)
        except ValueError:
            return
        if self.g not in _DUE or due < _DUE[self.g]:
            _DUE[self.g] = due

    def _distribution(self, dataset_dict: dict[str, Any], resource: dict[str, Any]) -> None:
        ref = URIRef(resource_uri(resource))
        url = CleanedURIRef(resource["url"]) if resource.get("url") else None
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            # Upstream writes accessURL only (downloadURL from a download_url field); udata
            # and the HVD shapes want both on every file.
            self.g.remove((ref, predicate, None))
            if url is not None:
                self.g.add((ref, predicate, url))
                self.g.add((url, RDF.type, RDFS.Resource))  # the HVD shapes ask for it
        self._controlled(ref, DCT["format"], resource.get("format"), "file-type")
        # Upstream writes the media type as a literal; DCAT-AP 3 wants the IANA URI.
        self.g.remove((ref, DCAT.mediaType, None))
        if resource.get("mimetype"):
            media = CleanedURIRef(IANA + resource["mimetype"])
            self.g.add((ref, DCAT.mediaType, media))
            self.g.add((media, RDF.type, DCT.MediaType))
        # Upstream writes the resource's licence or the dataset's licence id/URL; each file
        # gets the dataset's licence with data.gouv.fr's URL (see _licence).
        self.g.remove((ref, DCT.license, None))
        licence = self._licence_ref(dataset_dict)
        if licence is not None:
            self.g.add((ref, DCT.license, licence))
        self._conforms_to(ref, resource.get("conforms_to"))
        if dataset_dict.get("hvd_category"):  # DCAT-AP HVD: on the distributions too
            self.g.add((ref, DCATAP.applicableLegislation, HVD_LEGISLATION))
        # No checksum: a hash without spdx:algorithm (or typed hexBinary) fails udata.
        for checksum in list(self.g.objects(ref, SPDX.checksum)):
            self.g.remove((checksum, None, None))
        self.g.remove((ref, SPDX.checksum, None))

    # --- parsing (a harvester reading our feed back into our schema) -----------------------
    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        self._parse_controlled(dataset_dict, dataset_ref)
        self._parse_period(dataset_dict, dataset_ref)
        self._parse_territories(dataset_dict, dataset_ref)
        for resource in dataset_dict.get("resources", []):
            self._parse_distribution(resource)
        return dataset_dict

    def _parse_controlled(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Concept URIs back into our fields: lists for multiple fields, one URI otherwise."""
        for field, predicate, multiple in (
            ("theme", DCAT.theme, True),
            ("language", DCT.language, True),
            ("frequency", DCT.accrualPeriodicity, False),
            ("access_rights", DCT.accessRights, False),
            ("hvd_category", DCATAP.hvdCategory, False),
        ):
            uris = sorted(str(o) for o in self.g.objects(dataset_ref, predicate))
            if field == "theme":  # the HVD category is also written as a theme
                uris = [u for u in uris if vocab.vocabulary("data-theme").by_uri(u)]
            if uris:
                dataset_dict[field] = uris if multiple else uris[0]
        schemas = [str(o) for o in self.g.objects(dataset_ref, DCT.conformsTo)]
        if schemas:
            dataset_dict["conforms_to"] = schemas[0]

    def _parse_period(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        for period in self.g.objects(dataset_ref, DCT.temporal):
            for field, predicates in (
                ("temporal_start", (DCAT.startDate, SCHEMA.startDate)),
                ("temporal_end", (DCAT.endDate, SCHEMA.endDate)),
            ):
                value = next(
                    (self.g.value(period, p) for p in predicates if self.g.value(period, p)), None
                )
                if value is not None:
                    dataset_dict[field] = str(value)[:10]

    def _parse_territories(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Our INSEE territory URIs back to codes (other places stay in ``spatial``)."""
        codes = [
            str(ref).rsplit("/", 1)[-1]
            for ref in self.g.objects(dataset_ref, DCT.spatial)
            if str(ref).startswith(INSEE_GEO)
        ]
        known = sorted(code for code in codes if refdata.territory(code))
        if known:
            dataset_dict["territories"] = known

    def _parse_distribution(self, resource: dict[str, Any]) -> None:
        """EU file type and IANA URIs back to CKAN's short format and media type."""
        concept = vocab.vocabulary("file-type").by_uri(resource.get("format") or "")
        if concept is not None:
            resource["format"] = concept.code
        if (resource.get("mimetype") or "").startswith(IANA):
            resource["mimetype"] = resource["mimetype"][len(IANA) :]
        schemas = as_list(resource.get("conforms_to"))
        if schemas:
            resource["conforms_to"] = schemas[0]

    # --- catalog --------------------------------------------------------------------------
    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: URIRef) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        self._catalog_publisher(catalog_dict, catalog_ref)
        french = vocab.vocabulary("language").lookup("FRA")
        assert french is not None  # in the committed vocabulary
        self._controlled(catalog_ref, DCT.language, [french.uri], "language")
        self._theme_taxonomy(catalog_ref)
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))

    def _catalog_publisher(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        """The organisation of a per-organisation catalog, else the syndicate."""
        org = (catalog_dict or {}).get("organization")
        if org is None:
            syndicat = refdata.syndicat()
            org = {
                "name": refdata.slug(syndicat["name"]),
                "title": syndicat["name"],
                "siren": syndicat["siren"],
            }
        self.g.add((catalog_ref, DCT.publisher, self._agent(org)))

    def _theme_taxonomy(self, catalog_ref: URIRef) -> None:
        scheme = vocab.vocabulary("data-theme")
        ref = URIRef(scheme.scheme)
        self.g.add((catalog_ref, DCAT.themeTaxonomy, ref))
        self.g.add((ref, RDF.type, SKOS.ConceptScheme))
        self.g.add((ref, DCT.title, Literal(scheme.labels["fr"], lang="fr")))
