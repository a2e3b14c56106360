"""Harvest one of our DCAT feeds with data.gouv.fr's own harvester code, offline.

Why: data.gouv.fr runs udata; its "dcat" harvest backend decides which of our datasets it
keeps, skips or fails, and what each field becomes there. Rather than re-implementing its
rules, this script runs that backend itself (udata.harvest.backends.dcat.DcatBackend, in the
dry-run mode udata uses for its harvest preview) against a file or a URL of ours, and prints
what came out of each dataset.

Run it with the interpreter of the separate udata virtualenv, never the project's:

    python3 -m venv .cache/udata-venv
    .cache/udata-venv/bin/pip install -r scripts/udata-requirements.txt
    .cache/udata-venv/bin/python scripts/udata_check.py FILE_OR_URL [--format xml|ttl|jsonld]

A URL is fetched the way udata fetches it: format from the URL suffix, else from the
Content-Type of a HEAD request; redirects refused; every page parsed with the format found
for the first one; the next page taken from hydra:next (hydra:PartialCollectionView) or
hydra:nextPage (hydra:PagedCollection). A file is read from disk (its hydra:next pages, if
any, are fetched over HTTP).

Output: one JSON object per line on stdout, one per harvested item (datasets and data
services), then a last line with "summary". Exit code 0 when the job ended "done" and every
dataset was harvested (status "done"); 1 otherwise, or also when a dataset lost something on
the way ("degraded") with --strict.

Nothing here needs MongoDB, Elasticsearch, Redis or the network (except to fetch a URL you
give): the database is an in-memory mongomock, the licence list and the schema catalogue are
read from copies under ../shared.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_LICENCES = SHARED / "reference" / "datagouv-licences.json"
DEFAULT_SCHEMA_CATALOG = SHARED / "standards" / "schema.data.gouv.fr" / "schemas.json"

# --format values to rdflib parser names (the names udata's guess_format returns).
FORMATS = {"xml": "xml", "rdf": "xml", "ttl": "turtle", "turtle": "turtle", "jsonld": "json-ld"}


def is_local(source: str) -> bool:
    """A path on disk, or a URL on this machine (loopback)."""
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- udata set-up --------------------------------------------------------------------------
def make_app(lang: str, allow_local: bool):
    """A udata Flask app that stays in memory.

    udata's models are mongoengine documents: here they talk to mongomock instead of a MongoDB
    server. The cache is a no-op, search indexing is off, and the secrets are throwaway values
    (udata refuses to start without them; nothing is signed here).
    """
    import mongomock
    from udata import settings
    from udata.app import create_app

    class ConsumerCheck:
        MONGODB_SETTINGS: ClassVar[dict] = {
            "host": "mongodb://localhost:27017/udata-consumer-check",
            "mongo_client_class": mongomock.MongoClient,
        }
        CACHE_TYPE = "flask_caching.backends.NullCache"
        CACHE_NO_NULL_WARNING = True
        ELASTICSEARCH_URL = None
        AUTO_INDEX = False
        SECRET_KEY = "consumer-check"
        API_TOKEN_SECRET = "consumer-check"
        SERVER_NAME = "consumer-check.local"
        HARVESTER_BACKENDS: ClassVar[list] = ["dcat"]
        # data.gouv.fr is a French-language site: with several labels in different
        # languages, udata keeps the one in DEFAULT_LANGUAGE (else the first it finds).
        DEFAULT_LANGUAGE = lang
        # udata checks URLs (landing page, schema...) without DNS here: we are offline.
        URLS_RESOLVE_HOSTNAME = False
        # udata refuses loopback URLs (feed, landing pages, files); a feed on this machine
        # links back to this machine, so accept them when checking such a feed.
        URLS_ALLOW_LOCAL = allow_local
        SCHEMA_CATALOG_URL = None

    app = create_app(settings.Defaults, override=ConsumerCheck, init_logging=lambda app: app)
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # logs go through the handler set in main()
    return app


def load_licences(path: Path) -> None:
    """Fill the in-memory licence collection, which udata's License.guess searches.

    The file mirrors data.gouv.fr's /api/1/datasets/licenses/, so licence matching runs
    udata's real code on data.gouv.fr's real list.
    """
    from udata.core.dataset.models import License

    for licence in json.loads(path.read_text(encoding="utf-8")):
        License(**{k: v for k, v in licence.items() if v is not None}).save()


def load_schema_catalog(path: Path) -> None:
    """Give udata the national schema catalogue from a local copy instead of the network.

    udata turns a dct:conformsTo URL into a named schema (name + version) only when the URL is
    one listed in schema.data.gouv.fr's catalogue; ResourceSchema.all() is where it reads that
    catalogue, so only that function is replaced.
    """
    from udata.core.dataset.models import ResourceSchema

    schemas = json.loads(path.read_text(encoding="utf-8"))["schemas"]
    ResourceSchema.all = staticmethod(lambda: schemas)


def backend_class():
    """udata's DCAT backend, only taught to read a local file and to stop on a page loop."""
    import requests
    from udata.harvest.backends.dcat import DcatBackend

    class FileResponse:
        def __init__(self, path: str):
            self.url = path
            self.status_code = 200
            self.headers = {}
            self.text = Path(path).read_text(encoding="utf-8")

        def raise_for_status(self):
            return None

    class CheckedDcatBackend(DcatBackend):
        files: ClassVar[dict[str, str]] = {}  # source URL standing for a file -> its path

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.pages: list[str] = []
            self.built: dict[int, object] = {}

        def get(self, url, headers=None, **kwargs):
            if url in self.pages:
                # udata itself would fetch the same pages again and again.
                raise RuntimeError(f"hydra next page loops back to an already fetched page: {url}")
            self.pages.append(url)
            if url in self.files:
                return FileResponse(self.files[url])
            return super().get(url, headers=headers or {}, **kwargs)

        def head(self, url, headers=None, **kwargs):
            if url in self.files:
                raise requests.exceptions.InvalidURL(
                    f"cannot tell the RDF format of {self.files[url]}: use --format"
                )
            return super().head(url, headers=headers or {}, **kwargs)

        def process_dataset(self, harvest_item, *args, **kwargs):
            # Keep what udata built, to show it even when udata then refuses to store it.
            dataset = super().process_dataset(harvest_item, *args, **kwargs)
            self.built[id(harvest_item)] = dataset
            return dataset

    return CheckedDcatBackend


# --- what came out -------------------------------------------------------------------------
def as_text(value):
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def resource_summary(resource) -> dict:
    schema = resource.schema
    checksum = resource.checksum
    return {
        "title": resource.title,
        "url": resource.url,
        "type": resource.type,
        "format": resource.format,
        "mime": resource.mime,
        "filesize": resource.filesize,
        "schema": schema.to_dict() if schema else None,
        "checksum": {"type": checksum.type, "value": as_text(checksum.value)} if checksum else None,
        "modified_at": as_text(resource.harvest.modified_at) if resource.harvest else None,
        "extras": sorted(resource.extras.keys()),
    }


def contact_points(graph, node, owner) -> list[dict]:
    """The contact points udata reads from each agent property of the dataset.

    In a preview udata only links contact points that already exist in its database, so the
    preview itself lists none: show what its parser read, as data.gouv.fr would store it.
    """
    from udata.core.contact_point.models import ContactPoint
    from udata.rdf import (
        CONTACT_POINT_ENTITY_TO_ROLE,
        DCAT,
        contact_point_from_foaf,
        contact_point_from_vcard,
    )

    found = []
    resource = graph.resource(node)
    for predicate, role in CONTACT_POINT_ENTITY_TO_ROLE.items():
        for obj in resource.objects(predicate):
            if not hasattr(obj, "objects"):  # a literal: udata keeps it as a bare name
                infos = (str(obj), None, None)
            elif predicate == DCAT.contactPoint:
                infos = contact_point_from_vcard(obj)
                if not any(infos):
                    infos = contact_point_from_foaf(obj)
            else:
                infos = contact_point_from_foaf(obj)
                if not any(infos):
                    infos = contact_point_from_vcard(obj)
            name, email, form = infos
            entry = {"role": role, "name": name, "email": email, "contact_form": form}
            if not any(infos):
                entry["error"] = "empty: udata drops it"
            else:
                try:
                    ContactPoint(
                        name=name, email=email, contact_form=form, role=role, organization=owner
                    ).validate()
                except Exception as e:  # udata logs it and drops the contact point
                    entry["error"] = f"invalid, udata drops it: {e}"
            found.append(entry)
    return found


def degradations(graph, node, dataset) -> list[str]:
    """Things the feed says that did not make it into the udata dataset."""
    from rdflib import BNode
    from udata.rdf import DCAT, DCT, EU_HVD_CATEGORIES, SKOS, SPDX

    out = []
    d = graph.resource(node)
    if len(list(d.objects(DCT.identifier))) > 1:
        out.append("several dct:identifier: udata takes one of them, arbitrarily")
    temporal = getattr(d.value(DCT.temporal), "identifier", None)
    if temporal is not None and not isinstance(temporal, BNode):
        out.append("dct:temporal is a URI: udata fetches it instead of reading the graph")
    if list(d.objects(DCT.license)) and (
        dataset.license is None or dataset.license.id == "notspecified"
    ):
        out.append("dct:license not recognised: licence fell back to 'notspecified'")
    if d.value(DCT.accrualPeriodicity) is not None and not dataset.frequency:
        out.append(
            f"dct:accrualPeriodicity {d.value(DCT.accrualPeriodicity).identifier} not mapped"
        )
    if d.value(DCT.temporal) is not None and not dataset.temporal_coverage:
        out.append("dct:temporal present but no temporal coverage parsed")
    if list(d.objects(DCT.spatial)) and not dataset.spatial:
        out.append(
            "dct:spatial present but no geometry parsed (udata reads only WKT/GeoJSON literals)"
        )
    for theme in d.objects(DCAT.theme):
        if (
            hasattr(theme, "identifier")
            and theme.value(SKOS.prefLabel) is None
            and str(theme.identifier) not in EU_HVD_CATEGORIES
        ):
            out.append(f"dcat:theme {theme.identifier} has no skos:prefLabel: dropped")
    if d.value(DCT.modified) is not None and not dataset.harvest.modified_at:
        out.append("dct:modified present but dropped (unparseable or in the future)")
    distributions = list(d.objects(DCAT.distribution | DCAT.distributions))
    if len(dataset.resources) < len(distributions):
        out.append(
            f"{len(distributions) - len(dataset.resources)} distribution(s) without URL dropped"
        )
    for distribution in distributions:
        if len(list(distribution.objects(DCT.conformsTo))) > 1:
            out.append(f"several dct:conformsTo on {distribution.identifier}: udata keeps one")
        checksum = distribution.value(SPDX.checksum)
        if checksum is not None:
            url = distribution.value(DCAT.downloadURL) or distribution.value(DCAT.accessURL)
            url = str(getattr(url, "identifier", url))
            kept = [r for r in dataset.resources if r.url == url and r.checksum]
            if not kept:
                out.append(f"spdx:checksum of {distribution.identifier} dropped: unknown algorithm")
    if len(list(d.objects(DCT.conformsTo))) > 1:
        out.append("several dct:conformsTo on the dataset: udata keeps one")
    for resource in dataset.resources:
        if resource.schema and resource.schema.url and "schema.data.gouv.fr" in resource.schema.url:
            out.append(f"resource schema URL not in the national catalogue: {resource.schema.url}")
    if dataset.schema and dataset.schema.url and "schema.data.gouv.fr" in dataset.schema.url:
        out.append(f"dataset schema URL not in the national catalogue: {dataset.schema.url}")
    return out


def dataset_summary(item, dataset, graph, node, owner) -> dict:
    out = {"type": "dataset", "status": item.status, "remote_id": item.remote_id}
    if dataset is not None:
        temporal = dataset.temporal_coverage
        spatial = dataset.spatial
        geom = spatial.geom if spatial else None
        harvest = dataset.harvest
        out.update(
            {
                "uri": harvest.uri if harvest else None,
                "remote_url": harvest.remote_url if harvest else None,
                "title": dataset.title,
                "description_length": len(dataset.description or ""),
                "license": dataset.license.id if dataset.license else None,
                "frequency": str(dataset.frequency) if dataset.frequency else None,
                "tags": list(dataset.tags),
                "temporal": {"start": as_text(temporal.start), "end": as_text(temporal.end)}
                if temporal
                else None,
                "spatial": {
                    "geometry": geom["type"] if geom else None,
                    "polygons": len(geom["coordinates"]) if geom else 0,
                    "zones": [str(z) for z in spatial.zones] if spatial and spatial.zones else [],
                    "granularity": spatial.granularity if spatial else None,
                }
                if spatial
                else None,
                "schema": dataset.schema.to_dict() if dataset.schema else None,
                "contact_points": contact_points(graph, node, owner) if graph is not None else [],
                "issued_at": as_text(harvest.issued_at) if harvest else None,
                "modified_at": as_text(harvest.modified_at) if harvest else None,
                "extras": {
                    key: sorted(value.keys()) if isinstance(value, dict) else value
                    for key, value in dataset.extras.items()
                },
                "resources": [resource_summary(r) for r in dataset.resources],
                # data.gouv.fr's « qualité des métadonnées », by udata's own code.
                "quality": {
                    key: value if isinstance(value, bool | int | float) else as_text(value)
                    for key, value in dataset.quality.items()
                },
                "degraded": degradations(graph, node, dataset) if graph is not None else [],
            }
        )
    out["warnings"] = [f"{log.level}: {log.message}" for log in item.logs if log.level != "DEBUG"]
    out["errors"] = [e.message for e in item.errors]
    return out


def find_node(backend, item):
    """The graph and node an item came from (udata keeps the page number in the item)."""
    from rdflib.namespace import RDF
    from udata.rdf import DCAT, DCT

    page = item.kwargs.get("page_number")
    for graph, number in backend.graphs:
        if page is not None and number != page:
            continue
        for node in graph.subjects(RDF.type, DCAT.Dataset):
            if str(graph.value(node, DCT.identifier)) == item.remote_id:
                return graph, node
        for node in graph.subjects(RDF.type, DCAT.DatasetSeries):
            if str(graph.value(node, DCT.identifier)) == item.remote_id:
                return graph, node
    return None, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a DCAT file or an http(s) URL")
    parser.add_argument("--format", choices=sorted(FORMATS), help="skip udata's format detection")
    parser.add_argument("--lang", default="fr", help="udata DEFAULT_LANGUAGE (default: fr)")
    parser.add_argument("--licences", type=Path, default=DEFAULT_LICENCES)
    parser.add_argument("--schema-catalog", type=Path, default=DEFAULT_SCHEMA_CATALOG)
    parser.add_argument(
        "--public-url-rules",
        action="store_true",
        help="refuse loopback URLs like data.gouv.fr does, even for a local feed",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on a degraded dataset too")
    parser.add_argument("-v", "--verbose", action="store_true", help="udata's logs on stderr")
    args = parser.parse_args(argv)

    # udata's warnings are collected per item (see "warnings"); stderr only gets errors.
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.INFO if args.verbose else logging.ERROR)
    logging.basicConfig(level=logging.INFO, handlers=[stderr])
    warnings.simplefilter("ignore")

    Backend = None
    source = args.source
    if urlsplit(source).scheme not in ("http", "https"):
        path = os.path.abspath(source)
        if not os.path.exists(path):
            parser.error(f"no such file: {path}")
        # udata stores the source URL on every dataset and validates it as a URL: give the
        # file a local URL (same file name, so udata guesses the format from its suffix).
        source = f"http://localhost/{Path(path).name}"
        Backend = backend_class()
        Backend.files = {source: path}

    app = make_app(args.lang, allow_local=is_local(source) and not args.public_url_rules)
    with app.app_context():
        from udata.core.organization.models import Organization
        from udata.harvest.models import HarvestSource

        load_licences(args.licences)
        if args.schema_catalog.exists():
            load_schema_catalog(args.schema_catalog)
        # Harvested datasets belong to the source's organisation; udata reads contact points
        # only for an owned dataset.
        owner = Organization(name="Consumer check", description="Consumer check").save()
        harvest_source = HarvestSource(
            name="consumer-check", url=source, backend="dcat", organization=owner
        )
        backend = (Backend or backend_class())(harvest_source, dryrun=True)
        if args.format:
            backend.format = FORMATS[args.format]
        job = backend.harvest()

        parsed_all = job.status == "done"
        degraded_any = False
        counts: dict[str, int] = {}
        datasets = 0
        for item in job.items:
            counts[item.status] = counts.get(item.status, 0) + 1
            if item.dataservice is not None:
                service = item.dataservice
                line = {
                    "type": "dataservice",
                    "status": item.status,
                    "remote_id": item.remote_id,
                    "title": service.title,
                    "base_api_url": service.base_api_url,
                    "datasets": len(service.datasets or []),
                    "errors": [e.message for e in item.errors],
                }
            else:
                graph, node = find_node(backend, item)
                dataset = item.dataset or backend.built.get(id(item))
                line = dataset_summary(item, dataset, graph, node, owner)
                datasets += 1
                degraded_any = degraded_any or bool(line.get("degraded"))
            if item.status != "done":
                parsed_all = False
            print(json.dumps(line, ensure_ascii=False, default=str))

        summary = {
            "summary": {
                "source": args.source,
                "udata_format": job.data.get("format") if job.data else None,
                "pages": len(backend.graphs),
                "job_status": job.status,
                "job_errors": [e.message for e in job.errors],
                "items": counts,
                "datasets": datasets,
                "loopback_urls_accepted": app.config["URLS_ALLOW_LOCAL"],
            }
        }
        print(json.dumps(summary, ensure_ascii=False, default=str))

    if not parsed_all or datasets == 0:
        return 1
    if args.strict and degraded_any:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
