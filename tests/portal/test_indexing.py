"""Completeness and schema keys of a dataset, as plain functions."""

from __future__ import annotations

import pytest

from ckanext.tgn.portal import indexing

pytestmark = pytest.mark.unit

DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"


def test_an_empty_dataset_meets_no_criterion():
    assert indexing.completeness({}) == []


def test_a_full_dataset_meets_them_all():
    dataset = {
        "tags": [{"name": "budget"}],
        "territories": '["82"]',
        "temporal_start": "2024-01-01",
        "modified": "2025-01-01",
        "notes": "x" * 101,
        "resources": [{"description": "Le fichier", "conforms_to": DELIBERATIONS}],
    }
    assert indexing.completeness(dataset) == list(indexing.CRITERIA)
    assert indexing.search_fields(dataset)[indexing.COMPLETENESS] == "07"


def test_a_short_description_and_an_undescribed_file_do_not_count():
    dataset = {"notes": "x" * 100, "resources": [{"description": "a"}, {"description": " "}]}
    assert indexing.completeness(dataset) == []


def test_schemas_by_name_for_national_ones_by_url_for_others():
    dataset = {
        "conforms_to": DELIBERATIONS,
        "resources": [
            # an "other schema" is stored as its URL (tgn_table_schema)
            {"conforms_to": "https://ex.fr/s.json", "conforms_to_other": "https://ex.fr/s.json"},
            {"conforms_to": DELIBERATIONS},
            {},
        ],
    }
    assert indexing.schema_keys(dataset) == ["https://ex.fr/s.json", "scdl/deliberations"]


def test_the_search_fields_are_lists_of_strings():
    fields = indexing.search_fields(
        {"theme": '["http://t/A", "http://t/B"]', "frequency": "http://f/MONTHLY"}
    )
    assert fields[indexing.THEME] == ["http://t/A", "http://t/B"]
    assert fields[indexing.FREQUENCY] == ["http://f/MONTHLY"]
    assert indexing.TERRITORIES not in fields
