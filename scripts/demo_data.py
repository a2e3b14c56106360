"""Load the demo data of the local site, through CKAN's action API, idempotently.

Usage: demo_data.py CKAN_INI SYSADMIN_NAME

Creates a demo organisation and a few datasets with small CSV uploads so that a newcomer
sees a populated portal at http://127.0.0.1:5000. Existing records are left as they are:
running it twice changes nothing.
"""

from __future__ import annotations

import io
import logging
import sys
from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

DEMO_ORG = {
    "name": "demo-tarn-et-garonne",
    "title": "Démonstration Tarn-et-Garonne",
    "description": (
        "Organisation de démonstration de la plateforme locale. "
        "Ses jeux de données servent d'exemple et peuvent être supprimés."
    ),
}

DEMO_DATASETS: list[dict[str, Any]] = [
    {
        "name": "demo-deliberations-conseil",
        "title": "Délibérations du conseil (démonstration)",
        "notes": "Liste fictive de délibérations, au format du schéma national SCDL.",
        "tag_string": "délibérations,démonstration",
        "license_id": "cc-by",
        "resources": [
            {
                "name": "Délibérations 2025",
                "format": "CSV",
                "filename": "deliberations-2025.csv",
                "content": (
                    "COLL_NOM;COLL_SIRET;DELIB_ID;DELIB_DATE;DELIB_MATIERE_CODE;DELIB_OBJET\n"
                    "Démonstration;20006125700000;2025-001;2025-01-15;7.1;Budget primitif 2025\n"
                    "Démonstration;20006125700000;2025-002;2025-03-12;5.2;Élection des délégués\n"
                ),
            }
        ],
    },
    {
        "name": "demo-tiers-lieux",
        "title": "Tiers-lieux numériques (démonstration)",
        "notes": "Exemple de jeu de données d'équipements, avec coordonnées.",
        "tag_string": "numérique,équipements,démonstration",
        "license_id": "odc-odbl",
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


def _ensure_org(call: Any) -> None:
    try:
        call("organization_show", id=DEMO_ORG["name"])
        print(f"démo: organisation {DEMO_ORG['name']} inchangée")
    except tk.ObjectNotFound:
        call("organization_create", **DEMO_ORG)
        print(f"démo: organisation {DEMO_ORG['name']} créée")


def _ensure_dataset(call: Any, spec: dict[str, Any]) -> None:
    try:
        call("package_show", id=spec["name"])
        print(f"démo: jeu de données {spec['name']} inchangé")
        return
    except tk.ObjectNotFound:
        pass
    resources = spec["resources"]
    fields = {k: v for k, v in spec.items() if k != "resources"}
    dataset = call("package_create", owner_org=DEMO_ORG["name"], **fields)
    for res in resources:
        upload = FileStorage(
            stream=io.BytesIO(res["content"].encode("utf-8")),
            filename=res["filename"],
            content_type="text/csv",
        )
        call(
            "resource_create",
            package_id=dataset["id"],
            name=res["name"],
            format=res["format"],
            url=res["filename"],
            upload=upload,
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

        _ensure_org(call)
        for spec in DEMO_DATASETS:
            _ensure_dataset(call, spec)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
