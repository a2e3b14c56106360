"""The score rules on datasets written here (no service): exact points, bands, timeliness."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.tgn.quality import obligations, score

pytestmark = pytest.mark.unit

THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
NOW = dt.datetime(2026, 12, 2, 12, 0)
BASE = {
    "license_id": "lov2",
    "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "contact_email": "sig@exemple.fr",
    "owner_org": "org-id",
    "metadata_created": "2026-01-05T10:00:00",
    "metadata_modified": "2026-11-30T10:00:00",
}
CSV_UPLOAD = {"url": "https://x/a.csv", "format": "CSV", "mimetype": "text/csv", "size": 2048}


def test_a_complete_csv_dataset_scores_400_excellent():
    dataset = {
        **BASE, "tags": [{"name": "budget"}], "theme": [THEME], "territories": ["82121"],
        "temporal_start": "2024-01-01", "resources": [CSV_UPLOAD],
    }  # fmt: skip

    mqa = score.mqa(dataset)

    assert {d: mqa.dimension(d) for d in score.DIMENSIONS} == {
        "findability": 100, "accessibility": 100, "interoperability": 110,
        "reusability": 75, "contextuality": 15,
    }  # fmt: skip
    assert (mqa.points, mqa.band) == (400, "excellent")
    assert [i.name for i in mqa.missing] == ["rights"]


def test_an_xlsx_link_without_keywords_nor_place_scores_295_good():
    dataset = {
        **BASE, "theme": [THEME],
        "resources": [{"url": "https://x/b.xlsx", "format": "XLSX"}],
    }  # fmt: skip

    mqa = score.mqa(dataset)

    # Findability: theme 30. Interoperability: format 20, vocabulary 10, machine-readable 20,
    # DCAT-AP 30 (no media type, proprietary). Contextuality: issued, modified.
    assert {d: mqa.dimension(d) for d in score.DIMENSIONS} == {
        "findability": 30, "accessibility": 100, "interoperability": 80,
        "reusability": 75, "contextuality": 10,
    }  # fmt: skip
    assert (mqa.points, mqa.band) == (295, "good")
    # The biggest gains first.
    lost = [(i.name, i.weight - i.points) for i in mqa.missing]
    assert lost[0] == ("keyword", 30)
    assert set(lost[1:4]) == {("spatial", 20), ("temporal", 20), ("non_proprietary", 20)}


def test_the_best_file_counts_for_interoperability():
    dataset = {**BASE, "resources": [{"url": "https://x/a.pdf", "format": "PDF"}, CSV_UPLOAD]}

    assert score.mqa(dataset).dimension("interoperability") == 110


def test_no_file_earns_no_accessibility_and_bands_down():
    mqa = score.mqa({**BASE})

    assert mqa.dimension("accessibility") == 0
    assert (mqa.points, mqa.band) == (30 + 75 + 10, "bad")


@pytest.mark.parametrize(
    ("days_ago", "in_time"),
    # Weekly: due 7 days after the update (a date: midnight); udata allows less than a day
    # late ((due - now).days >= -1). At noon, updated 8 days ago is due since 36 hours.
    [(6, True), (7, True), (8, False), (60, False)],
)
def test_timeliness_allows_one_day_late(days_ago, in_time):
    modified = (NOW.date() - dt.timedelta(days=days_ago)).isoformat()
    dataset = {
        **BASE,
        "frequency": "http://publications.europa.eu/resource/authority/frequency/WEEKLY",
        "modified": modified,
    }

    assert score.datagouv_quality(dataset, NOW)["update_fulfilled_in_time"] is in_time


def test_a_modified_date_in_the_future_gives_way_to_the_metadata_date():
    dataset = {**BASE, "modified": "2027-01-01"}

    assert score.last_update(dataset, NOW.date()) == dt.datetime(2026, 11, 30)


def test_without_modified_the_metadata_time_counts():
    """Upstream writes metadata_modified with its time when modified is empty; udata keeps
    it: updated daily at 18:00 on 1 December is on time at noon on the 3rd."""
    dataset = {
        **BASE,
        "metadata_modified": "2026-12-01T18:00:00",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/DAILY",
    }

    quality = score.datagouv_quality(dataset, dt.datetime(2026, 12, 3, 12, 0))

    assert quality["update_fulfilled_in_time"] is True


def test_udata_reads_a_period_end_alone_and_only_polygon_outlines():
    point = '{"type": "Point", "coordinates": [1.35, 44.01]}'
    polygon = '{"type": "Polygon", "coordinates": [[[1, 44], [2, 44], [2, 45], [1, 44]]]}'

    assert score.datagouv_quality({**BASE, "temporal_end": "2024-12-31"}, NOW)["temporal_coverage"]
    assert not score.datagouv_quality({**BASE, "spatial": point}, NOW)["spatial"]
    assert score.datagouv_quality({**BASE, "spatial": polygon}, NOW)["spatial"]


def test_files_without_an_address_do_not_count():
    quality = score.datagouv_quality({**BASE, "resources": [{"url": "", "format": "CSV"}]}, NOW)

    assert "has_open_format" not in quality


def test_the_band_boundaries_are_data_europa_eus():
    assert [next(b for floor, b in score.BANDS if p >= floor) for p in (120, 121, 221, 351)] == [
        "bad", "sufficient", "good", "excellent",
    ]  # fmt: skip


def test_without_frequency_nor_files_those_criteria_do_not_apply():
    quality = score.datagouv_quality({**BASE, "notes": "x" * 101}, NOW)

    assert quality == {
        "license": True, "temporal_coverage": False, "spatial": False,
        "update_frequency": False, "dataset_description_quality": True,
    }  # fmt: skip
    assert score.datagouv_points(quality) == 2


@pytest.mark.parametrize(
    ("kind", "population", "agents", "expected"),
    [
        ("commune", 3000, 80, "non"),  # under 3,500 inhabitants: exempt whatever its agents
        ("commune", 5000, None, "à vérifier"),
        ("commune", 5000, 60, "oui"),
        ("commune", 5000, 20, "non"),
        ("departement", 262000, 1800, "oui"),
        ("epci", 40000, None, "à vérifier"),  # an EPCI: only the agents test
        ("epci", 3000, 50, "oui"),
        ("syndicat-mixte", None, 30, "non"),
        ("commune", None, 60, "à vérifier"),  # enough agents, population unknown
    ],
)
def test_who_must_publish(kind, population, agents, expected):
    org = {"territory_kind": kind, "population": population, "agents_etp": agents}

    assert obligations.obliged(org) == expected


def test_a_cell_never_runs_as_a_formula():
    assert [obligations.safe_cell(v) for v in ("=1+1", "+33 5", "-x", "@a", "Moissac", None)] == [
        "'=1+1", "'+33 5", "'-x", "'@a", "Moissac", "",
    ]  # fmt: skip
