"""data.gouv.fr's own DCAT harvester (udata, in .cache/udata-venv) run over a feed we served:
scripts/udata_check.py prints one JSON line per item and a summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import rdflib

from tests.helpers.crawl import HYDRA
from tests.helpers.paths import ROOT

UDATA_PYTHON = ROOT / ".cache" / "udata-venv" / "bin" / "python"


def harvest_with_udata(graph: rdflib.Graph, tmp_path: Path) -> tuple[int, list[dict], str]:
    """Exit code, the JSON lines (items then summary), stderr."""
    # One file of every page, without the page links (they point at the test app, which
    # the udata process cannot reach); our own crawl checked the paging.
    for node in set(graph.subjects(rdflib.RDF.type, HYDRA.PartialCollectionView)):
        graph.remove((node, None, None))
    feed = tmp_path / "catalog.ttl"
    graph.serialize(feed, format="turtle")
    return harvest_file_with_udata(feed)


def harvest_file_with_udata(feed: Path) -> tuple[int, list[dict], str]:
    """The same, on a file as we served it (udata guesses its format from the suffix)."""
    assert UDATA_PYTHON.exists(), "udata is not installed: run make install"
    result = subprocess.run(
        [str(UDATA_PYTHON), str(ROOT / "scripts" / "udata_check.py"), str(feed), "--strict"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, lines, result.stderr
