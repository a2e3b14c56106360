"""Our scheming presets: the schemas expanded as the scheming plugins expand them, no services."""

from __future__ import annotations

import configparser
import importlib.util
import sys

import pytest
from ckan.lib.navl.validators import not_empty
from ckanext.scheming import plugins as scheming
from ckanext.scheming.validation import scheming_required

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.unit

UPSTREAM = ["ckanext.scheming:presets.json", "ckanext.dcat.schemas:presets.yaml"]
OURS = "ckanext.tgn.schemas:presets.yaml"


@pytest.fixture(scope="module")
def loaded():
    """Presets and schemas of this checkout (not of wherever ckanext-tgn is installed)."""
    ini = configparser.RawConfigParser(strict=False)
    ini.read(ROOT / "platform.ini", encoding="utf-8")
    presets_option = ini["app:main"]["scheming.presets"]
    spec = importlib.util.spec_from_file_location(
        "ckanext.tgn.schemas", ROOT / "schemas" / "__init__.py"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "ckanext.tgn.schemas", importlib.util.module_from_spec(spec))
        mp.setattr(scheming._SchemingMixin, "_presets", None)
        scheming._SchemingMixin._load_presets({"scheming.presets": presets_option})
        raw = {
            **scheming._load_schemas(
                ["ckanext.tgn.schemas:dataset.yaml", "ckanext.tgn.schemas:reuse.yaml"],
                "dataset_type",
            ),
            **scheming._load_schemas(
                ["ckanext.tgn.schemas:organization.yaml"], "organization_type"
            ),
        }
        yield {
            "option": presets_option.split(),
            "presets": dict(scheming._SchemingMixin._presets),
            "ours": {p["preset_name"] for p in scheming._load_schema(OURS)["presets"]},
            "raw": raw,
        }


def _fields(schemas):
    return [
        f
        for schema in schemas.values()
        for group in ("dataset_fields", "resource_fields", "fields")
        for f in schema.get(group, [])
    ]


def _field(expanded, schema, group, name):
    return next(f for f in expanded[schema][group] if f["field_name"] == name)


def test_our_presets_come_after_upstream_and_all_are_used(loaded):
    assert loaded["option"] == [*UPSTREAM, OURS]
    named = {f["preset"] for f in _fields(loaded["raw"]) if "preset" in f}
    assert named - set(loaded["presets"]) == set()
    assert loaded["ours"] - named == set(), "a preset of ours that no field uses"


def test_vocabulary_fields_go_through_our_presets(loaded):
    by_hand = [
        f["field_name"]
        for f in _fields({"dataset": loaded["raw"]["dataset"]})
        if f.get("choices_helper") == "tgn_vocabulary_choices"
        or ("vocabulary" in f and not f.get("preset", "").startswith("tgn_vocabulary_"))
    ]
    assert by_hand == []


def test_expanded_values(loaded):
    expanded = scheming._expand_schemas(loaded["raw"])
    theme = _field(expanded, "dataset", "dataset_fields", "theme")
    assert theme["validators"] == "scheming_required tgn_vocabulary"
    assert scheming_required(theme, {}) is not_empty
    assert theme["choices_helper"] == "tgn_vocabulary_choices"
    assert (theme["multiple"], theme["vocabulary"]) == (True, "data-theme")
    assert theme["form_select_attrs"] == {"data-module": "autocomplete"}

    language = _field(expanded, "dataset", "dataset_fields", "language")
    assert language["validators"] == "default(FRA) tgn_vocabulary"
    assert language["form_select_attrs"] == {}

    end = _field(expanded, "dataset", "dataset_fields", "temporal_end")
    assert end["validators"] == "ignore_missing tgn_date tgn_end_after_start"
    assert end["form_snippet"] == "date.html"

    other = _field(expanded, "dataset", "resource_fields", "conforms_to_other")
    assert other["display_snippet"] is None
    assert _field(expanded, "organization", "fields", "siren")["validators"] == (
        "scheming_required unicode_safe tgn_siren"
    )
