"""The French words of the new checks' errors, from the real catalogue (the .mo)."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from ckanext.tgn.validation import messages
from tests.helpers.engine_cases import EC, csv_file, outcome_of
from tests.helpers.paths import PACKAGE
from tests.helpers.tables import equipement

pytestmark = pytest.mark.unit


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    """tk._ through the bundle's French catalogue, as a French request would have it."""
    catalogue = gettext.translation("ckanext-tgn", PACKAGE / "i18n", languages=["fr"])
    monkeypatch.setattr(messages.tk, "_", catalogue.gettext)


def test_unknown_check_is_the_schemas_fault_in_french(french: None, tmp_path: Path) -> None:
    schema = dict(EC, custom_checks=[{"name": "code-ommune-insee", "params": {}}])
    outcome = outcome_of(csv_file("equipements", [equipement(1)])(tmp_path), schema)
    assert outcome["status"] == "invalide"
    [error] = outcome["errors"]
    assert messages.type_title(error["type"]) == "Contrôle du schéma impossible à appliquer"
    assert messages.explain(error) == (
        "Le schéma demande un contrôle « code-ommune-insee » qui n'existe pas : l'erreur est "
        "dans le schéma, pas dans votre fichier. Signalez-la aux auteurs du schéma ; le reste "
        "de votre fichier a bien été vérifié."
    )


def test_new_checks_say_what_to_fix_in_french(french: None, tmp_path: Path) -> None:
    rows = [
        equipement(1, EQUIP_OUVERTURE="lundi 9h-12h"),
        equipement(2, EQUIP_TEL="06 12 34 56"),
        equipement(3, ADR_COMMUNE="Montauban de Bretagne"),
    ]
    outcome = outcome_of(csv_file("equipements", rows)(tmp_path), EC)
    words = {e["type"]: (messages.type_title(e["type"]), messages.explain(e))
             for e in outcome["errors"]}  # fmt: skip
    assert words["opening-hours-value"][0] == "Horaires d'ouverture invalides"
    assert words["opening-hours-value"][1].startswith(
        "« lundi 9h-12h » n'est pas écrit dans la syntaxe des horaires d'ouverture"
    )
    assert words["phone-number-value"] == (
        "Numéro de téléphone invalide",
        "« 06 12 34 56 » n'est pas un numéro de téléphone valide : écrivez un numéro français "
        "à 10 chiffres (05 63 00 00 00), un numéro international avec l'indicatif du pays "
        "(+33 5 63 00 00 00) ou un numéro court (3949).",
    )
    assert words["commune"] == (
        "Valeur hors de la liste : noms de communes",
        "« Montauban de Bretagne » ne figure pas parmi les noms de communes du Code officiel "
        "géographique 2024 : vérifiez son orthographe ou son code dans la liste officielle.",
    )


def test_refused_schema_gives_each_reason_in_french(french: None) -> None:
    reasons = ["'lien' is not one of ['default'] at property 'format'", "second reason"]
    text = messages.failure_text({"code": "schema-invalid", "params": {"reasons": reasons}})
    assert text == (
        "Le schéma n'est pas un Table Schema valide ; ce qui ne va pas : « 'lien' is not one "
        "of ['default'] at property 'format' » ; « second reason ». L'erreur est dans le "
        "schéma, pas dans votre fichier : signalez-la aux auteurs du schéma."
    )


def test_an_alias_has_the_words_of_the_check_it_names(french: None) -> None:
    from ckanext.tgn.validation.engine.scdl_checks import ALIASES

    for alias, canonical in ALIASES.items():
        error = {"type": alias, "value": "x", "params": {"problem": "outside"}}
        assert messages.type_title(alias) == messages.type_title(canonical)
        assert messages.explain(error) == messages.explain(dict(error, type=canonical))
        assert messages.explain(error) != messages.explain(dict(error, type="unknown-check"))
