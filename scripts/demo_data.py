"""Load the demo data of the local site, through CKAN's action API, idempotently.

Usage: demo_data.py CKAN_INI SYSADMIN_NAME

Creates a few datasets with small CSV uploads in the territory organisations (made by
`ckan tgn territories sync`, which runs first) so that a newcomer sees a populated portal at
http://127.0.0.1:5000, including validation reports (the jobs worker of `make run` checks the
tables that name a schema). Existing records are left as they are: running it twice changes nothing.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

# Publishers are found by SIREN: the organisations come from `ckan tgn territories sync`.
SYNDICAT = "200061257"
GRAND_MONTAUBAN = "248200099"
DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"

DEMO_DATASETS: list[dict[str, Any]] = [
    {
        "name": "demo-deliberations-conseil",
        "title": "Délibérations du conseil (démonstration)",
        "notes": "Liste fictive de délibérations, au format du schéma national SCDL.",
        "tag_string": "délibérations,démonstration",
        "license_id": "lov2",
        "theme": ["GOVE"],
        "frequency": "MONTHLY",
        "contact_name": "Service des assemblées",
        "contact_email": "assemblees@exemple.fr",
        "temporal_start": "2025-01-01",
        "temporal_end": "2025-12-31",
        "conforms_to": "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json",
        "publisher_siren": GRAND_MONTAUBAN,
        "territories": [GRAND_MONTAUBAN],
        "resources": [
            {
                "name": "Délibérations 2025",
                "format": "CSV",
                "filename": "deliberations-2025.csv",
                # Validated against the national schema (needs schema.data.gouv.fr reachable;
                # offline, its report says the catalogue cannot be reached).
                "conforms_to": DELIBERATIONS,
                "content": (
                    "COLL_NOM;COLL_SIRET;DELIB_ID;DELIB_DATE;DELIB_MATIERE_CODE;"
                    "DELIB_MATIERE_NOM;DELIB_OBJET;VOTE_EFFECTIF;VOTE_REEL;VOTE_POUR;"
                    "VOTE_CONTRE;VOTE_ABSTENTION\n"
                    "CA Grand Montauban;24820009900013;2025-001;2025-01-15;7.1;"
                    "Finances locales/Décisions budgétaires;Budget primitif 2025;45;40;35;3;2\n"
                    "CA Grand Montauban;24820009900013;2025-002;2025-03-12;5.2;"
                    "Institutions et vie politique/Désignation de représentants;"
                    "Élection des délégués;45;41;41;0;0\n"
                ),
            }
        ],
    },
    {
        "name": "demo-population-communes",
        "title": "Population des communes (démonstration de la validation)",
        "notes": (
            "Un tableau et le Table Schema que la collectivité a déposé avec lui : la "
            "plateforme vérifie le tableau et affiche le rapport sur la page de la ressource "
            "(une erreur y est laissée exprès)."
        ),
        "tag_string": "population,démonstration",
        "license_id": "lov2",
        "theme": ["SOCI"],
        "frequency": "ANNUAL",
        "contact_name": "Service statistique",
        "contact_email": "statistiques@exemple.fr",
        "publisher_siren": GRAND_MONTAUBAN,
        "territories": [GRAND_MONTAUBAN],
        "resources": [
            {
                "name": "Schéma du tableau (Table Schema)",
                "format": "JSON",
                "filename": "schema-population.json",
                "content": json.dumps(
                    {
                        "fields": [
                            {
                                "name": "commune",
                                "type": "string",
                                "constraints": {"required": True},
                            },
                            {
                                "name": "code_insee",
                                "type": "string",
                                "constraints": {"required": True, "pattern": "^82[0-9]{3}$"},
                            },
                            {
                                "name": "population",
                                "type": "integer",
                                "constraints": {"required": True, "minimum": 0},
                            },
                        ]
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
            },
            {
                "name": "Population 2022",
                "format": "CSV",
                "filename": "population-2022.csv",
                "schema_of": "Schéma du tableau (Table Schema)",
                "content": (
                    "commune;code_insee;population\n"
                    "Montauban;82121;61372\n"
                    "Lamothe-Capdeville;8289;1 046\n"
                    "Albefeuille-Lagarde;82002;643\n"
                ),
            },
        ],
    },
    {
        "name": "demo-tiers-lieux",
        "title": "Tiers-lieux numériques (démonstration)",
        "notes": "Exemple de jeu de données d'équipements, avec coordonnées.",
        "tag_string": "numérique,équipements,démonstration",
        "license_id": "odc-odbl",
        "theme": ["TECH", "REGI"],
        "frequency": "ANNUAL",
        "contact_name": "Tarn-et-Garonne Numérique",
        "contact_email": "contact@exemple.fr",
        "publisher_siren": SYNDICAT,
        "territories": ["82"],
        "resources": [
            {
                "name": "Tiers-lieux",
                "format": "CSV",
                "filename": "tiers-lieux.csv",
                "content": (
                    "nom,commune,latitude,longitude\nLieu exemple,Montauban,44.0176,1.3550\n"
                ),
            }
        ],
    },
]


def _orgs_by_siren(call: Any) -> dict[str, str]:
    found = {}
    for name in call("organization_list"):
        siren = call("organization_show", id=name).get("siren")
        if siren:
            found[siren] = name
    return found


def _ensure_dataset(call: Any, spec: dict[str, Any], orgs: dict[str, str]) -> None:
    try:
        call("package_show", id=spec["name"])
        print(f"démo: jeu de données {spec['name']} inchangé")
        return
    except tk.ObjectNotFound:
        pass
    if spec["publisher_siren"] not in orgs:
        sys.exit(f"démo: pas d'organisation de SIREN {spec['publisher_siren']}: lancez la synchro")
    resources = spec["resources"]
    fields = {k: v for k, v in spec.items() if k not in ("resources", "publisher_siren")}
    dataset = call("package_create", owner_org=orgs[spec["publisher_siren"]], **fields)
    created: dict[str, dict[str, Any]] = {}
    for res in resources:
        upload = FileStorage(
            stream=io.BytesIO(res["content"].encode("utf-8")),
            filename=res["filename"],
            content_type="application/json" if res["format"] == "JSON" else "text/csv",
        )
        schema: dict[str, str] = {}
        if res.get("conforms_to"):
            schema["conforms_to"] = res["conforms_to"]
        if res.get("schema_of"):  # a Table Schema uploaded just before, as "autre schéma"
            schema["conforms_to_other"] = created[res["schema_of"]]["url"]
        created[res["name"]] = call(
            "resource_create",
            package_id=dataset["id"],
            name=res["name"],
            format=res["format"],
            url=res["filename"],
            upload=upload,
            **schema,
        )
    print(f"démo: jeu de données {spec['name']} créé")


def main(ini: str, sysadmin: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    logging.disable(logging.WARNING)  # the site's DEBUG logging would drown our report
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app
    with flask_app.test_request_context():

        def call(action: str, **data: Any) -> Any:
            return tk.get_action(action)({"user": sysadmin}, data)

        orgs = _orgs_by_siren(call)
        for spec in DEMO_DATASETS:
            _ensure_dataset(call, spec, orgs)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
