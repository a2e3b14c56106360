"""The harvest tests' partner: catalogs written by the tests, source files, runs.

Partners' servers are the stub of catalog_server.py on 127.0.0.1, reached under names of
the reserved ``.test`` domain that the tests' resolver maps to it (a source file names a
host, never an IP address). Harvests run in this process through ``runner.run_now``, on the
real PostgreSQL, Solr and Redis.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import yaml
from ckan import model
from rdflib import Graph

from ckanext.tgn.harvest import runner
from ckanext.tgn.lib.context import site_user_context

PARTNER = "data.partenaire.test"
OTHER = "ailleurs.test"
TEST_HOSTS = (PARTNER, OTHER, "geo.partenaire.test", "ckan.partenaire.test")
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
LOV2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
ODBL = "http://opendatacommons.org/licenses/odbl/summary/"
INSEE = "http://id.insee.fr/geo/commune/"

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


def resolver(port_owner: str = "127.0.0.1") -> Any:
    """socket.getaddrinfo answering 127.0.0.1 for the tests' partner names."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            return real(port_owner, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    return getaddrinfo


def dataset_ttl(number: int, base: str, **over: Any) -> str:
    """One dcat:Dataset in Turtle; keyword arguments replace its parts (None drops one)."""
    uri = over.get("uri", f"{base}/datasets/jeu-{number}")
    parts = {
        "title": f'dct:title "Jeu numéro {number}"@fr',
        "description": f'dct:description "Description du jeu {number}."',
        "identifier": f'dct:identifier "jeu-{number}"',
        "theme": f"dcat:theme <{THEME}ENVI>",
        "frequency": f"dct:accrualPeriodicity <{FREQUENCY}MONTHLY>",
        "spatial": f"dct:spatial <{INSEE}82121>",
        "keyword": 'dcat:keyword "environnement", "qualité de l\'eau"',
        "contact": 'dcat:contactPoint [ a vcard:Kind ; vcard:fn "Service SIG" ; '
        "vcard:hasEmail <mailto:sig@partenaire.test> ]",
        "modified": 'dct:modified "2025-03-01"',
        "licence": None,
        "distribution": (f"dcat:distribution <{base}/datasets/jeu-{number}/csv>"),
    }
    for key, value in over.items():
        if key != "uri" and key not in ("dist_licence", "dist_url", "extra"):
            parts[key] = value
    body = " ;\n    ".join(v for v in parts.values() if v)
    licence = over.get("dist_licence", LOV2)
    dist_url = over.get("dist_url", f"{base}/files/jeu-{number}.csv")
    distribution = (
        f"<{base}/datasets/jeu-{number}/csv> a dcat:Distribution ;\n"
        f'    dct:title "Fichier {number}" ;\n'
        f"    dcat:accessURL <{dist_url}> ;\n"
        f"    dcat:downloadURL <{dist_url}> ;\n"
        '    dct:format "CSV"' + (f" ;\n    dct:license <{licence}>" if licence else "") + " .\n"
    )
    return f"<{uri}> a dcat:Dataset ;\n    {body} .\n{distribution}{over.get('extra', '')}\n"


def catalog_ttl(datasets: list[str], *, page: str, next_page: str | None = None) -> str:
    """A catalog page in Turtle, with a Hydra view when it has a next page."""
    view = ""
    if next_page:
        view = f"<{page}> a hydra:PartialCollectionView ;\n    hydra:next <{next_page}> .\n"
    return (
        PREFIXES
        + f'<{page}#catalog> a dcat:Catalog ; dct:title "Catalogue partenaire" .\n'
        + view
        + "".join(datasets)
    )


def as_format(turtle: str, fmt: str) -> str:
    """The same graph in another syntax (xml, json-ld)."""
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    return graph.serialize(format=fmt)


class Partner:
    """Source files in a folder, synced and run like staff would."""

    def __init__(self, directory: Path, base: str, org: dict[str, Any], state: dict[str, Any]):
        self.directory, self.base, self.org, self.state = directory, base, org, state

    def source_file(self, name: str, path: str = "/catalog.ttl", **fields: Any) -> Path:
        content: dict[str, Any] = {
            "name": name,
            "title": f"Catalogue {name}",
            "type": "dcat",
            "url": self.base + path,
            "organization": {"siren": self.org["siren"]},
            "schedule": "weekly",
            "datagouv": {"expose": True},
        }
        content.update(fields)
        target = self.directory / f"{name}.yaml"
        target.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
        return target

    def sync(self, dry_run: bool = False) -> dict[str, Any]:
        from ckan.plugins import toolkit as tk

        return tk.get_action("tgn_harvest_sync")(site_user_context(), {"dry_run": dry_run})

    def add(self, name: str, path: str = "/catalog.ttl", **fields: Any) -> None:
        self.source_file(name, path, **fields)
        report = self.sync()
        assert not report["errors"], report["errors"]

    def run(self, name: str) -> dict[str, Any]:
        lines: list[str] = []
        status = runner.run_now(name, lines.append)
        status["output"] = lines
        return status

    def serve(self, path: str, answer: Any) -> None:
        self.state["routes"][path] = answer

    def requests(self) -> list[str]:
        return list(self.state["requests"])

    @staticmethod
    def datasets(source: str | None = None, *, all_states: bool = False) -> list[dict[str, Any]]:
        """Every dataset of a source (or every harvested one), private ones included."""
        from ckan.plugins import toolkit as tk

        query = (
            model.Session.query(model.Package.id)
            .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
            .filter(model.PackageExtra.key == "harvest_source_name")
        )
        if source:
            query = query.filter(model.PackageExtra.value == source)
        if not all_states:
            query = query.filter(model.Package.state == "active")
        found = [
            tk.get_action("package_show")(site_user_context(), {"id": row[0]}) for row in query
        ]
        return sorted(found, key=lambda d: d["title"])


def registered_source(org: dict[str, Any], name: str, url: str, sysadmin: str) -> dict[str, Any]:
    """A DCAT harvest source created as ``sync`` would (our type, a config from a checked
    file), for tests about sources themselves rather than harvesting."""
    from ckan.tests import helpers

    from ckanext.tgn.harvest import sources
    from ckanext.tgn.harvest.policy import config_of

    checked = sources.parse(
        f"{name}.yaml",
        {
            "name": name,
            "title": name,
            "type": "dcat",
            "url": "https://catalogue.exemple.fr/catalog.ttl",
            "organization": {"siren": org["siren"]},
            "datagouv": {"expose": True},
        },
    )
    return helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin},
        name=name,
        title=checked.title,
        url=url,
        source_type=checked.harvest_type,
        config=config_of(checked),
        owner_org=org["id"],
    )
