"""Why: prove that a change of code leaves the DCAT feed of a site exactly as it was.

Dump every DCAT document a running site serves (the site catalog and each organisation's,
page after page, and each public dataset), in the three formats, then compare two dumps
document by document: same triples (blank nodes compared by graph isomorphism).

    .venv/bin/python scripts/dcat_compare.py dump http://127.0.0.1:5000 before.json
    # ... change the code, restart the server on the same database ...
    .venv/bin/python scripts/dcat_compare.py dump http://127.0.0.1:5000 after.json
    .venv/bin/python scripts/dcat_compare.py compare before.json after.json

``compare`` prints one line per document and exits non-zero if any differs or is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import rdflib
import requests
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import Namespace

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld"}


def _get(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=60, allow_redirects=False)
    response.raise_for_status()
    return response.text


def _crawl(session: requests.Session, first: str, suffix: str) -> dict[str, str]:
    """Every page of a catalog, following hydra:next as data.gouv.fr does."""
    pages: dict[str, str] = {}
    url: str | None = first
    while url and url not in pages:
        body = _get(session, url)
        pages[url] = body
        graph = rdflib.Graph().parse(data=body, format=FORMATS[suffix])
        url = next((str(o) for o in graph.objects(None, HYDRA.next)), None)
    return pages


def dump(base: str, out: Path) -> None:
    base = base.rstrip("/")
    session = requests.Session()
    organizations = session.get(f"{base}/api/3/action/organization_list", timeout=60).json()
    documents: dict[str, dict[str, str]] = {}
    for suffix in FORMATS:
        pages = _crawl(session, f"{base}/catalog.{suffix}", suffix)
        for name in organizations["result"]:
            pages.update(_crawl(session, f"{base}/organization/{name}/catalog.{suffix}", suffix))
        documents.update({url: {"format": suffix, "body": body} for url, body in pages.items()})
    datasets = session.get(
        f"{base}/api/3/action/package_search", params={"rows": 1000}, timeout=60
    ).json()["result"]["results"]
    for dataset in datasets:
        for suffix in FORMATS:
            url = f"{base}/dataset/{dataset['name']}.{suffix}"
            documents[url] = {"format": suffix, "body": _get(session, url)}
    out.write_text(json.dumps(documents, ensure_ascii=False, indent=1, sort_keys=True))
    triples = sum(
        len(rdflib.Graph().parse(data=d["body"], format=FORMATS[d["format"]]))
        for d in documents.values()
    )
    print(f"{len(documents)} documents, {triples} triples -> {out}")


def _graph(document: dict[str, str]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=document["body"], format=FORMATS[document["format"]])


def compare(before_path: Path, after_path: Path) -> int:
    before = json.loads(before_path.read_text())
    after = json.loads(after_path.read_text())
    failures = 0
    for url in sorted(set(before) | set(after)):
        if url not in after or url not in before:
            print(f"MISSING {'after' if url not in after else 'before'}: {url}")
            failures += 1
            continue
        old, new = _graph(before[url]), _graph(after[url])
        if isomorphic(old, new):
            print(f"same    {len(new):5d} triples  {url}")
            continue
        failures += 1
        _, only_old, only_new = graph_diff(to_isomorphic(old), to_isomorphic(new))
        print(f"DIFFERS {url}: {len(only_old)} triples only before, {len(only_new)} only after")
        for triple in sorted(only_old)[:5]:
            print(f"   - {triple}")
        for triple in sorted(only_new)[:5]:
            print(f"   + {triple}")
    total = len(set(before) | set(after))
    print(f"{total - failures} of {total} documents identical")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="save every DCAT document of a running site")
    dumping.add_argument("base_url")
    dumping.add_argument("out", type=Path)
    comparing = commands.add_parser("compare", help="compare two dumps, document by document")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.base_url, args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
