"""SHACL validation of our DCAT output against the official DCAT-AP 3.0.1 shapes.

The shapes are read from ../shared/standards (never copied into the project). Our vocabulary
files are loaded beside the data graph, as the controlled-vocabulary shapes expect.
"""

from __future__ import annotations

from functools import cache

import pyshacl
import rdflib
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from ckanext.tgn.lib import vocab
from tests.helpers.paths import STANDARDS

DCAT_AP = STANDARDS / "dcat-ap-3.0.1"


@cache
def shapes(hvd: bool = False) -> rdflib.Graph:
    """dcat-ap-SHACL + ranges + mdr-vocabularies (+ HVD), loadable by pyshacl.

    The published ranges.ttl names five property shapes defined nowhere; pyshacl refuses the
    whole graph for that, so those dangling sh:property links are dropped here.
    """
    graph = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl", "mdr-vocabularies.shape.ttl"):
        graph.parse(DCAT_AP / name, format="turtle")
    if hvd:
        graph.parse(STANDARDS / "dcat-ap-hvd" / "hvd-SHACL.ttl", format="turtle")
    for shape, _, prop in list(graph.triples((None, SH.property, None))):
        if not list(graph.triples((prop, None, None))):
            graph.remove((shape, SH.property, prop))
    return graph


@cache
def vocabularies() -> rdflib.Graph:
    """Our vocabulary files as SKOS: concept schemes and their concepts with labels."""
    graph = rdflib.Graph()
    for path in sorted(vocab.DIRECTORY.glob("*.yaml")):
        vocabulary = vocab.vocabulary(path.stem)
        scheme = rdflib.URIRef(vocabulary.scheme)
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        # Titled as the published EU vocabularies are: a page using none of a scheme's
        # concepts must not fail on the scheme declared here.
        graph.add((scheme, DCTERMS.title, rdflib.Literal(vocabulary.labels["fr"], lang="fr")))
        for concept in vocabulary.concepts:
            ref = rdflib.URIRef(concept.uri)
            graph.add((ref, RDF.type, SKOS.Concept))
            graph.add((ref, SKOS.inScheme, scheme))
            graph.add((ref, SKOS.prefLabel, rdflib.Literal(concept.fr, lang="fr")))
    return graph


# DCAT-AP 3.0.1 gives Location.geometry the range locn:Geometry (a node), while GeoDCAT-AP,
# ckanext-dcat's parser and udata all read a WKT literal under locn:geometry, which we
# therefore emit; no literal can satisfy sh:class or sh:nodeKind BlankNodeOrIRI. Only those
# results, on locn:geometry with a WKT literal value, are set aside.
_GEOMETRY_LITERAL_CONFLICT = (
    rdflib.URIRef("http://www.w3.org/ns/locn#geometry"),
    rdflib.URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"),
)


def violations(data: rdflib.Graph, hvd: bool = False) -> list[str]:
    """The sh:Violation results (warnings and infos are not failures), as readable lines."""
    _, report, _ = pyshacl.validate(
        data + vocabularies(), shacl_graph=shapes(hvd), inference="none", allow_warnings=True
    )
    found = []
    # Top-level results only: nested sh:detail results explain a parent, whose severity rules.
    (report_node,) = report.subjects(RDF.type, SH.ValidationReport)
    for result in report.objects(report_node, SH.result):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        if (path, getattr(value, "datatype", None)) == _GEOMETRY_LITERAL_CONFLICT:
            continue
        found.append(
            f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
            f"{report.value(result, SH.resultMessage)}"
        )
    return sorted(found)
