"""Source files: what staff write in harvest_configs/ is checked, and every refusal names the
file, the field and the fix in French. Pure: no service."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ckanext.tgn.harvest import sources
from ckanext.tgn.harvest.policy import SourcePolicy, config_of

pytestmark = pytest.mark.unit

SIREN = "248200016"  # an EPCI of the 82 (a valid SIREN)
GOOD = {
    "name": "cc-exemple-ods",
    "title": "Portail open data de la CC",
    "type": "dcat",
    "url": "https://data.exemple.fr/api/explore/v2.1/catalog/exports/ttl",
    "organization": {"siren": SIREN},
    "schedule": "weekly",
    "datagouv": {"expose": False, "reason": "déjà moissonné"},
}


def refusal(**changes) -> sources.SourceError:
    content = {**GOOD, **changes}
    content = {k: v for k, v in content.items() if v is not None}
    with pytest.raises(sources.SourceError) as refused:
        sources.parse("cc-exemple-ods.yaml", content)
    return refused.value


def test_a_complete_file_gives_its_policy_with_defaults():
    source = sources.parse("cc-exemple-ods.yaml", GOOD)
    assert (source.harvest_type, source.frequency) == ("tgn_dcat", "WEEKLY")
    assert source.allowed_hosts == frozenset({"data.exemple.fr"})
    policy = SourcePolicy.from_config(config_of(source))
    assert policy.licence_default is None  # no silent default licence
    assert policy.datagouv_expose is False
    assert policy.deletion == {"policy": "withdraw", "grace_days": 14, "max_fraction": 0.2}
    assert policy.limits.max_document_bytes == 20 * 1024 * 1024
    assert policy.frequency_default.endswith("/frequency/UNKNOWN")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "n'est pas une adresse web"),
        ("/etc/hostname", "n'est pas une adresse web"),
        ("gopher://data.exemple.fr/", "n'est pas une adresse web"),
        ("ftp://data.exemple.fr/catalog.ttl", "n'est pas une adresse web"),
        ("http://192.168.1.10/catalog.ttl", "est une adresse IP"),
        ("http://[::1]/catalog.ttl", "est une adresse IP"),
    ],
)
def test_only_named_http_servers_are_harvested(url, words):
    error = refusal(url=url)
    assert error.field == "url"
    assert words in str(error)
    assert str(error).startswith("cc-exemple-ods.yaml : champ « url » : ")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"remote_orgs": "create"}, "remote_orgs", "clé inconnue"),
        ({"datagouv": None}, "datagouv.expose", "obligatoire (true ou false)"),
        ({"datagouv": {"expose": "non"}}, "datagouv.expose", "obligatoire"),
        ({"schedule": "always"}, "schedule", "pas de moissonnage en continu"),
        ({"type": "waf"}, "type", "choisissez dcat, csw ou ckan"),
        ({"organization": {"siren": "123456789"}}, "organization.siren", "n'est pas un SIREN"),
        ({"name": "Mon Catalogue"}, "name", "minuscules"),
        ({"type": "csw"}, "filters.cql", "obligatoire pour un catalogue CSW"),
        ({"allowed_hosts": ["autre.exemple.fr"]}, "allowed_hosts", "doit contenir le serveur"),
        (
            {"mapping": {"licence": {"default": "mit"}}},
            "mapping.licence.default",
            "n'est pas une licence",
        ),
        ({"mapping": {"theme": {"map": {"Eau": "WATER"}}}}, "mapping.theme.map.Eau", "inconnu"),
        ({"mapping": {"keep_local": ["owner_org"]}}, "mapping.keep_local", "liste de champs"),
        ({"limits": {"max_pages": 0}}, "limits.max_pages", "compris entre"),
        ({"deletion": {"policy": "delete"}}, "deletion.policy", "withdraw"),
        (
            {"mapping": {"territories": {"default": ["31555"]}}},
            "mapping.territories.default",
            "référentiel",
        ),
    ],
)
def test_each_mistake_names_its_field_and_the_fix(changes, field, words):
    error = refusal(**changes)
    assert error.field == field
    assert words in error.message


def test_labels_of_a_source_map_to_eu_uris():
    source = sources.parse(
        "cc-exemple-ods.yaml",
        {**GOOD, "mapping": {"theme": {"map": {"Environnement": "ENVI"}, "default": ["REGI"]}}},
    )
    mapping = source.policy["mapping"]
    assert mapping["theme_map"] == {
        "Environnement": "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    }
    assert mapping["theme_default"] == [
        "http://publications.europa.eu/resource/authority/data-theme/REGI"
    ]


def test_a_folder_keeps_the_good_files_and_reports_the_bad_ones(tmp_path: Path):
    def write(name: str, content: object) -> None:
        (tmp_path / f"{name}.yaml").write_text(
            content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8"
        )

    write("a-bon", {**GOOD, "name": "a-bon"})
    write("b-casse", "name: b-casse\n  type: [dcat\n")
    write("c-double", {**GOOD, "name": "c-double"})  # same URL and organisation as a-bon
    write("d-mal-nomme", {**GOOD, "name": "autre-nom", "url": "https://data.exemple.fr/d"})
    found, errors = sources.load_directory(tmp_path)
    assert [s.name for s in found] == ["a-bon"]
    assert [(e.file, e.field) for e in errors] == [
        ("b-casse.yaml", ""),
        ("c-double.yaml", "url"),
        ("d-mal-nomme.yaml", "name"),
    ]
    assert "YAML illisible (ligne 2" in errors[0].message
    assert "a-bon.yaml moissonne déjà cette adresse" in errors[1].message


def test_the_example_files_of_harvest_configs_are_valid():
    """Staff copy them: each kind of source (ODS, data.gouv.fr, CSW, CKAN) must load as is."""
    from tests.helpers.paths import ROOT

    found, errors = sources.load_directory(ROOT / "harvest_configs" / "exemples")
    assert errors == []
    assert sorted(s.type for s in found) == ["ckan", "csw", "dcat", "dcat"]
    assert all(s.policy["mapping"]["licence_default"] is None for s in found)


def test_upstream_messages_reach_staff_in_french_without_tracebacks():
    from ckanext.tgn.harvest.base import french

    dump = "Error importing dataset jeu-1: ValueError('x') / Traceback (most recent call last): ..."
    assert french(dump) == "erreur à l'import du jeu jeu-1: ValueError('x')"
    summary = "Create validation Error: {'Licence': ['Licence inconnue']}"
    assert (
        french(summary)
        == "refusé par le schéma de la plateforme : {'Licence': ['Licence inconnue']}"
    )
    assert french("x" * 5000).endswith("…") and len(french("x" * 5000)) == 1000
