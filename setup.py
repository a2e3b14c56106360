"""ckanext-tgn: the open data platform of Tarn-et-Garonne Numérique, as CKAN plugins."""

from pathlib import Path

from setuptools import setup

setup(
    name="ckanext-tgn",
    version="0.1.0",
    description="Plateforme open data de Tarn-et-Garonne Numérique (extensions CKAN)",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    classifiers=[
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "Programming Language :: Python :: 3.11",
        "Framework :: CKAN",
    ],
    python_requires=">=3.10",
    # The Python sources live under ckanext-tgn/; the scheming schemas at the top-level
    # schemas/ are shipped as the package ckanext.tgn.schemas ("ckanext.tgn.schemas:x.yaml").
    package_dir={
        "ckanext": "ckanext-tgn/ckanext",
        "ckanext.tgn.schemas": "schemas",
    },
    packages=[
        "ckanext",
        "ckanext.tgn",
        "ckanext.tgn.territories",
        "ckanext.tgn.territories.logic",
        "ckanext.tgn.schema",
        "ckanext.tgn.schema.logic",
        "ckanext.tgn.dcat",
        "ckanext.tgn.validation",
        "ckanext.tgn.validation.logic",
        "ckanext.tgn.schemas",
    ],
    package_data={
        "ckanext.tgn.territories": [
            "config_declaration.yaml",
            "data/*.json",
            "data/*.geojson",
            "assets/*",
            "templates/*/*.html",
            "templates/*/*/*.html",
        ],
        "ckanext.tgn": [
            "i18n/*/LC_MESSAGES/*.mo",
            "i18n/*/LC_MESSAGES/*.po",
            # CKAN looks for a plugin's migrations in ckanext/<top package>/migration/<plugin>.
            "migration/*/alembic.ini",
            "migration/*/*.py",
            "migration/*/*.mako",
            "migration/*/versions/*.py",
        ],
        "ckanext.tgn.schema": ["config_declaration.yaml", "vocabularies/*"],
        "ckanext.tgn.dcat": ["config_declaration.yaml", "templates/*/*.html"],
        "ckanext.tgn.validation": [
            "config_declaration.yaml",
            "templates/*/*.html",
            "templates/*/*/*.html",
        ],
        "ckanext.tgn.schemas": ["*.yaml"],
    },
    include_package_data=True,
    zip_safe=False,
    entry_points={
        "ckan.plugins": [
            "tgn_territories = ckanext.tgn.territories.plugin:TerritoriesPlugin",
            "tgn_schema = ckanext.tgn.schema.plugin:SchemaPlugin",
            "tgn_dcat = ckanext.tgn.dcat.plugin:DcatPlugin",
            "tgn_validation = ckanext.tgn.validation.plugin:ValidationPlugin",
        ],
        "ckan.rdf.profiles": [
            "tgn_dcat_ap = ckanext.tgn.dcat.profiles:TgnDCATAPProfile",
        ],
    },
)
