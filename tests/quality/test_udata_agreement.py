"""Our data.gouv.fr-style score is the one data.gouv.fr computes: udata's own code
(``Dataset.quality``, in .cache/udata-venv) runs on the datasets it harvests from our feed,
and each criterion, met or not, is compared with ours for the same dataset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.tgn.quality import score
from tests.helpers import data
from tests.helpers.crawl import crawl
from tests.helpers.udata import harvest_with_udata

FREQ = data.FREQUENCY
LONG = "Les délibérations du conseil communautaire, publiées après chaque séance, au format du "
LONG += "Socle commun des données locales, avec leur objet et leur date."


@pytest.fixture(scope="module")
def datasets(shared_stack) -> dict[str, dict[str, Any]]:
    """Datasets that meet or miss each criterion in turn."""
    org = data.organisation()
    today = dt.date.today()

    def make(name: str, **fields: Any) -> dict[str, Any]:
        return data.dataset(name=name, owner_org=org["id"], **fields)

    made = {
        "complete": make(
            "qualite-complet", notes=LONG, temporal_start="2024-01-01", temporal_end="2024-12-31",
            territories=["82121"], frequency=FREQ + "ANNUAL", modified=today.isoformat(),
            resources=[{"url": "https://exemple.fr/a.csv", "description": "Une ligne par acte."}],
        ),
        "bare": make(
            "qualite-nu", notes="Court.", frequency=FREQ + "UNKNOWN",
            resources=[{"url": "https://exemple.fr/a.pdf"}, {"url": "https://exemple.fr/b.xlsx"}],
        ),
        "late": make(
            "qualite-en-retard", notes=LONG, frequency=FREQ + "MONTHLY",
            modified=(today - dt.timedelta(days=60)).isoformat(),
            resources=[{"url": "https://exemple.fr/c.json", "format": "JSON"}],
        ),
        "just-in-time": make(
            "qualite-juste-a-temps", frequency=FREQ + "WEEKLY",
            modified=(today - dt.timedelta(days=7)).isoformat(),
        ),
        "irregular": make(
            "qualite-irreguliere", frequency=FREQ + "IRREG", temporal_start="2020-01-01",
            modified="2019-01-01", resources=[{"url": "https://exemple.fr/geo/wms"}],
        ),
        "no-files": make("qualite-sans-fichier", notes=LONG + " " + LONG),
        "end-and-point": make(
            "qualite-fin-et-point", temporal_end="2024-12-31",
            spatial='{"type": "Point", "coordinates": [1.355, 44.017]}',
            resources=[{"url": "https://exemple.fr/d.docx", "description": "  "}],
        ),
    }  # fmt: skip
    return {key: helpers.call_action("package_show", id=d["id"]) for key, d in made.items()}


@pytest.fixture(scope="module")
def udata_quality(shared_stack, datasets, tmp_path_factory) -> dict[str, dict[str, Any]]:
    graph, _ = crawl(shared_stack, "http://127.0.0.1:5000/catalog.ttl")
    _, lines, stderr = harvest_with_udata(graph, tmp_path_factory.mktemp("udata"))
    # The point outline is "degraded" (udata drops it), which --strict reports: the job itself
    # must have harvested every dataset.
    assert lines and lines[-1]["summary"]["job_status"] == "done", (lines[-1:], stderr[-2000:])
    return {line["remote_id"]: line["quality"] for line in lines[:-1] if "quality" in line}


@pytest.mark.parametrize(
    "key", ["complete", "bare", "late", "just-in-time", "irregular", "no-files", "end-and-point"]
)
def test_each_criterion_is_what_udata_computes(datasets, udata_quality, key):
    dataset = datasets[key]
    theirs = udata_quality[dataset["id"]]

    ours = score.datagouv_quality(dataset, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))

    assert ours == {k: v for k, v in theirs.items() if k in score.DATAGOUV_CRITERIA}
    assert score.datagouv_points(ours) / score.DATAGOUV_MAX == pytest.approx(theirs["score"])


def test_the_fixture_spans_the_scores(datasets):
    """Each dataset above scores what it was made for (the comparison means something)."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    points = {k: score.datagouv_points(score.datagouv_quality(d, now)) for k, d in datasets.items()}

    # By hand: "late" misses period, territory, timeliness, file description; "no-files" has
    # licence, frequency (monthly, updated today by its metadata), timeliness, description.
    assert points == {
        "complete": 9, "bare": 2, "late": 5, "just-in-time": 3, "irregular": 6, "no-files": 4,
        "end-and-point": 5,
    }  # fmt: skip
