"""Reading the DCAT feed as a harvester does: every page, following hydra:next."""

from __future__ import annotations

import rdflib
from rdflib.namespace import DCAT, RDF, Namespace

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SITE = "http://127.0.0.1:5000"  # ckan.site_url of test.ini
PER_PAGE = 3  # ckanext.dcat.datasets_per_page in the feed tests: 8 public datasets, 3 pages
FORMATS = {"xml": "application/rdf+xml", "ttl": "text/turtle", "jsonld": "application/ld+json"}
RDFLIB = {"xml": "xml", "ttl": "turtle", "jsonld": "json-ld"}


def dataset_uri(dataset: dict) -> rdflib.URIRef:
    return rdflib.URIRef(f"{SITE}/dataset/{dataset['id']}")


def datasets(graph: rdflib.Graph) -> set:
    return set(graph.subjects(RDF.type, DCAT.Dataset))


def crawl(app, url: str, suffix: str = "ttl") -> tuple[rdflib.Graph, list[str]]:
    """Follow hydra:next from the first page, as data.gouv.fr does; every page must be 200."""
    graph, pages, seen = rdflib.Graph(), [], set()
    while url:
        assert url not in seen, f"paging loops on {url}"
        seen.add(url)
        path = url.removeprefix(SITE)
        response = app.get(path, follow_redirects=False)
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers["Content-Type"].startswith(FORMATS[suffix])
        page = rdflib.Graph().parse(data=response.get_data(as_text=True), format=RDFLIB[suffix])
        graph += page
        pages.append(url)
        nexts = list(page.objects(None, HYDRA.next))
        assert len(nexts) <= 1
        url = str(nexts[0]) if nexts else None
    return graph, pages
