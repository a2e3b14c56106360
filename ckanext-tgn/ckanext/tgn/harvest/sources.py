"""Harvest sources as reviewed files: one YAML file per source in ``harvest_configs/``.

A source is declared by the syndicate's staff, reviewed in git, then registered by
``ckan tgn harvest sync``. This module reads and checks a file; every refusal names the
file, the field and the fix, in French (staff read them in a terminal). Pure: no CKAN call.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ckanext.tgn.lib import refdata, siren, vocab

from . import mapping

# The file's `type` -> the ckanext-harvest source type of our guarded harvester.
SOURCE_TYPES = {"dcat": "tgn_dcat", "csw": "tgn_csw", "ckan": "tgn_ckan"}
# ckanext-harvest's frequencies, minus ALWAYS (a source re-run as soon as it finishes).
SCHEDULES = {
    "manual": "MANUAL",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "monthly": "MONTHLY",
}
RDF_FORMATS = ("auto", "turtle", "xml", "json-ld")
# Fields staff may edit on a harvested dataset and keep through re-harvests.
KEEPABLE = (
    "title",
    "notes",
    "tag_string",
    "theme",
    "hvd_category",
    "contact_name",
    "contact_email",
    "license_id",
    "territories",
    "frequency",
    "language",
    "url",
    "conforms_to",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

LIMIT_DEFAULTS: dict[str, float] = {
    "max_datasets": 5000,
    "max_pages": 100,
    "max_document_mb": 20,
    "connect_timeout_s": 10,
    "read_timeout_s": 30,
    "deadline_s": 120,
    "job_deadline_s": 3600,
}
_LIMIT_BOUNDS: dict[str, tuple[float, float]] = {
    "max_datasets": (1, 100_000),
    "max_pages": (1, 1000),
    "max_document_mb": (0.001, 200),
    "connect_timeout_s": (0.1, 60),
    "read_timeout_s": (0.1, 300),
    "deadline_s": (0.5, 1800),
    "job_deadline_s": (1, 86_400),
}


class SourceError(Exception):
    """One refusal: which file, which field, what is wrong and how to fix it."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file, self.field, self.message = file, field, message
        where = f"champ « {field} »" if field else "fichier"
        super().__init__(f"{file} : {where} : {message}")


@dataclass(frozen=True)
class Limits:
    max_datasets: int
    max_pages: int
    max_document_bytes: int
    connect_timeout: float
    read_timeout: float
    deadline: float
    job_deadline: float


@dataclass(frozen=True)
class Source:
    """One harvest source as its file declares it (checked)."""

    file: str
    name: str
    title: str
    type: str  # dcat | csw | ckan
    url: str
    siren: str
    schedule: str
    active: bool
    description: str
    allowed_hosts: frozenset[str]
    policy: dict[str, Any] = field(hash=False, compare=False)

    @property
    def harvest_type(self) -> str:
        return SOURCE_TYPES[self.type]

    @property
    def frequency(self) -> str:
        return SCHEDULES[self.schedule]


def _fail(file: str, field: str, message: str) -> SourceError:
    return SourceError(file, field, message)


def _mapping(file: str, where: str, value: Any, allowed: Mapping[str, str]) -> dict[str, Any]:
    """A YAML mapping whose keys are all known (a typo must not be silently ignored)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(file, where, "doit être un ensemble de clés (clé: valeur).")
    for key in value:
        if key not in allowed:
            known = ", ".join(allowed)
            path = f"{where}.{key}" if where else str(key)
            raise _fail(file, path, f"clé inconnue ; les clés possibles sont : {known}.")
    return value


def _text(file: str, where: str, value: Any, *, required: bool = True, limit: int = 500) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(file, where, "obligatoire : ajoutez-le au fichier.")
        return ""
    if not isinstance(value, str):
        raise _fail(file, where, "doit être un texte (entre guillemets si besoin).")
    if len(value) > limit:
        raise _fail(file, where, f"trop long ({len(value)} caractères, au plus {limit}).")
    return value.strip()


def check_url(file: str, where: str, url: str) -> str:
    """http(s) with a host name: a path, ``file:``, ``ftp:`` or an IP address is refused."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise _fail(file, where, f"adresse invalide : {url}.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise _fail(
            file,
            where,
            f"« {url} » n'est pas une adresse web : seules les adresses http:// ou https:// "
            "d'un serveur nommé sont moissonnées (pas de fichier local, ftp:, gopher:, …).",
        )
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise _fail(
            file,
            where,
            f"« {host} » est une adresse IP : donnez le nom du serveur (ex. data.exemple.fr), "
            "que l'on peut vérifier et limiter.",
        )
    if any(c.isspace() for c in url):
        raise _fail(file, where, "l'adresse contient des espaces.")
    return url


def _number(file: str, where: str, value: Any, bounds: tuple[float, float]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(file, where, "doit être un nombre.")
    low, high = bounds
    if not low <= value <= high:
        raise _fail(file, where, f"doit être compris entre {low:g} et {high:g}.")
    return float(value)


def _codes(file: str, where: str, value: Any, vocabulary: str) -> list[str]:
    """EU vocabulary codes or labels -> their URIs."""
    items = value if isinstance(value, list) else [value]
    uris = []
    for item in items:
        concept = vocab.vocabulary(vocabulary).lookup(str(item)) if item is not None else None
        if concept is None:
            known = ", ".join(c.code for c in vocab.vocabulary(vocabulary).concepts)
            raise _fail(file, where, f"« {item} » inconnu ; codes possibles : {known}.")
        uris.append(concept.uri)
    return uris


def _label_map(file: str, where: str, value: Any, vocabulary: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(file, where, "doit associer des libellés à des codes (libellé: CODE).")
    return {
        str(label): _codes(file, f"{where}.{label}", code, vocabulary)[0]
        for label, code in value.items()
    }


def _mapping_policy(file: str, raw: Any) -> dict[str, Any]:
    m = _mapping(
        file,
        "mapping",
        raw,
        {
            "licence": "",
            "theme": "",
            "frequency": "",
            "territories": "",
            "contact": "",
            "keep_local": "",
        },
    )
    out: dict[str, Any] = {}
    licence = _mapping(file, "mapping.licence", m.get("licence"), {"default": ""})
    default_licence = licence.get("default")
    if default_licence is not None:
        ids = [lic["id"] for lic in vocab.licences()]
        if default_licence not in ids:
            raise _fail(
                file,
                "mapping.licence.default",
                f"« {default_licence} » n'est pas une licence de la plateforme "
                f"({', '.join(ids)}), ou laissez vide pour refuser les licences inconnues.",
            )
    out["licence_default"] = default_licence
    theme = _mapping(file, "mapping.theme", m.get("theme"), {"default": "", "map": ""})
    out["theme_default"] = (
        _codes(file, "mapping.theme.default", theme["default"], "data-theme")
        if theme.get("default")
        else []
    )
    out["theme_map"] = _label_map(file, "mapping.theme.map", theme.get("map"), "data-theme")
    frequency = _mapping(file, "mapping.frequency", m.get("frequency"), {"default": "", "map": ""})
    out["frequency_default"] = _codes(
        file, "mapping.frequency.default", frequency.get("default") or "UNKNOWN", "frequency"
    )[0]
    out["frequency_map"] = _label_map(
        file, "mapping.frequency.map", frequency.get("map"), "frequency"
    )
    territories = _mapping(
        file, "mapping.territories", m.get("territories"), {"default": "", "from_records": ""}
    )
    defaults = territories.get("default") or []
    if not isinstance(defaults, list):
        defaults = [defaults]
    for code in defaults:
        if refdata.territory(str(code)) is None:
            raise _fail(
                file,
                "mapping.territories.default",
                f"« {code} » n'est ni une commune (code INSEE), ni un EPCI (SIREN), ni le "
                "département (82) du référentiel.",
            )
    out["territories_default"] = [str(c) for c in defaults]
    out["territories_from_records"] = bool(territories.get("from_records", True))
    contact = _mapping(file, "mapping.contact", m.get("contact"), {"name": "", "email": ""})
    out["contact_name"] = _text(file, "mapping.contact.name", contact.get("name"), required=False)
    email = _text(file, "mapping.contact.email", contact.get("email"), required=False)
    if email and mapping.email(email) is None:
        raise _fail(file, "mapping.contact.email", f"« {email} » n'est pas une adresse e-mail.")
    out["contact_email"] = email
    keep = m.get("keep_local") or []
    if not isinstance(keep, list) or any(k not in KEEPABLE for k in keep):
        raise _fail(
            file,
            "mapping.keep_local",
            f"liste de champs parmi : {', '.join(KEEPABLE)}.",
        )
    out["keep_local"] = list(keep)
    return out


_TOP = {
    "name": "",
    "title": "",
    "description": "",
    "type": "",
    "url": "",
    "organization": "",
    "schedule": "",
    "active": "",
    "allowed_hosts": "",
    "format": "",
    "filters": "",
    "limits": "",
    "deletion": "",
    "mapping": "",
    "datagouv": "",
}


def parse(file: str, raw: Any) -> Source:
    """Check one file's content; the first problem found is raised."""
    top = _mapping(file, "", raw, _TOP)
    if not top:
        raise _fail(file, "", "fichier vide : voyez les exemples de harvest_configs/README.md.")
    name = _text(file, "name", top.get("name"), limit=100)
    if not _NAME.match(name):
        raise _fail(
            file,
            "name",
            f"« {name} » : minuscules, chiffres et tirets seulement (2 à 100 caractères).",
        )
    kind = _text(file, "type", top.get("type"))
    if kind not in SOURCE_TYPES:
        raise _fail(file, "type", f"« {kind} » : choisissez dcat, csw ou ckan.")
    url = check_url(file, "url", _text(file, "url", top.get("url"), limit=2000))
    org = _mapping(file, "organization", top.get("organization"), {"siren": ""})
    number = str(org.get("siren") or "").replace(" ", "")
    if not number:
        raise _fail(
            file, "organization.siren", "obligatoire : le SIREN de l'organisation qui publie."
        )
    if not siren.is_valid(number):
        raise _fail(file, "organization.siren", f"« {number} » n'est pas un SIREN valide.")
    schedule = str(top.get("schedule") or "manual")
    if schedule not in SCHEDULES:
        raise _fail(
            file,
            "schedule",
            f"« {schedule} » : choisissez {', '.join(SCHEDULES)} (pas de moissonnage en continu).",
        )
    active = top.get("active", True)
    if not isinstance(active, bool):
        raise _fail(file, "active", "true ou false.")
    host = (urlsplit(url).hostname or "").lower()
    hosts_raw = top.get("allowed_hosts") or [host]
    if not isinstance(hosts_raw, list):
        raise _fail(file, "allowed_hosts", "une liste de noms de serveurs, ex. [data.exemple.fr].")
    hosts = {str(h).lower() for h in hosts_raw}
    for h in hosts:
        if not _HOST.match(h):
            raise _fail(file, "allowed_hosts", f"« {h} » n'est pas un nom de serveur.")
    if host not in hosts:
        raise _fail(file, "allowed_hosts", f"doit contenir le serveur de l'adresse ({host}).")
    rdf_format = str(top.get("format") or "auto")
    if rdf_format not in RDF_FORMATS or (kind != "dcat" and "format" in top):
        raise _fail(file, "format", f"pour une source dcat seulement : {', '.join(RDF_FORMATS)}.")
    policy: dict[str, Any] = {"format": rdf_format}
    policy["filters"] = _filters(file, kind, top.get("filters"))
    policy["limits"] = _limits(file, top.get("limits"))
    policy["deletion"] = _deletion(file, top.get("deletion"))
    policy["mapping"] = _mapping_policy(file, top.get("mapping"))
    policy["datagouv"] = _datagouv(file, top.get("datagouv"))
    return Source(
        file=file,
        name=name,
        title=_text(file, "title", top.get("title"), limit=200),
        type=kind,
        url=url,
        siren=number,
        schedule=schedule,
        active=active,
        description=_text(file, "description", top.get("description"), required=False),
        allowed_hosts=frozenset(hosts),
        policy=policy,
    )


def _filters(file: str, kind: str, raw: Any) -> dict[str, Any]:
    f = _mapping(
        file, "filters", raw, {"cql": "", "organization": "", "include_ids": "", "exclude_ids": ""}
    )
    out: dict[str, Any] = {}
    cql = _text(file, "filters.cql", f.get("cql"), required=False, limit=1000)
    if kind == "csw" and not cql:
        raise _fail(
            file,
            "filters.cql",
            "obligatoire pour un catalogue CSW (qui contient toute la région) : un filtre CQL "
            "sur l'organisation, ex. \"OrganisationName like '%Terres des Confluences%'\".",
        )
    if cql and kind != "csw":
        raise _fail(file, "filters.cql", "pour une source csw seulement.")
    out["cql"] = cql
    organization = _text(file, "filters.organization", f.get("organization"), required=False)
    if organization and kind != "ckan":
        raise _fail(file, "filters.organization", "pour une source ckan seulement.")
    if organization and not _NAME.match(organization):
        raise _fail(
            file,
            "filters.organization",
            f"« {organization} » : le nom (identifiant) de l'organisation sur ce portail, en "
            "minuscules et tirets, tel qu'il apparaît dans son adresse.",
        )
    out["organization"] = organization
    for key in ("include_ids", "exclude_ids"):
        ids = f.get(key) or []
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _fail(file, f"filters.{key}", "une liste d'identifiants (textes).")
        out[key] = ids
    return out


def _limits(file: str, raw: Any) -> dict[str, float]:
    given = _mapping(file, "limits", raw, dict.fromkeys(LIMIT_DEFAULTS, ""))
    return {
        key: _number(file, f"limits.{key}", given.get(key, default), _LIMIT_BOUNDS[key])
        for key, default in LIMIT_DEFAULTS.items()
    }


def _deletion(file: str, raw: Any) -> dict[str, Any]:
    d = _mapping(file, "deletion", raw, {"policy": "", "grace_days": "", "max_fraction": ""})
    policy = d.get("policy", "withdraw")
    if policy not in ("withdraw", "keep"):
        raise _fail(
            file,
            "deletion.policy",
            "withdraw (retirer après le délai de grâce) ou keep (ne jamais retirer).",
        )
    return {
        "policy": policy,
        "grace_days": _number(file, "deletion.grace_days", d.get("grace_days", 14), (0, 365)),
        "max_fraction": _number(
            file, "deletion.max_fraction", d.get("max_fraction", 0.2), (0.0, 1.0)
        ),
    }


def _datagouv(file: str, raw: Any) -> dict[str, Any]:
    d = _mapping(file, "datagouv", raw, {"expose": "", "reason": ""})
    if "expose" not in d or not isinstance(d["expose"], bool):
        raise _fail(
            file,
            "datagouv.expose",
            "obligatoire (true ou false) : false si data.gouv.fr moissonne déjà ce catalogue, "
            "sinon ses jeux y reviendraient en double.",
        )
    return {
        "expose": d["expose"],
        "reason": _text(file, "datagouv.reason", d.get("reason"), required=False),
    }


def limits(policy: Mapping[str, Any]) -> Limits:
    """The typed limits of a source's stored policy (defaults for what it does not say)."""
    given = {**LIMIT_DEFAULTS, **(policy.get("limits") or {})}
    return Limits(
        max_datasets=int(given["max_datasets"]),
        max_pages=int(given["max_pages"]),
        max_document_bytes=int(given["max_document_mb"] * 1024 * 1024),
        connect_timeout=float(given["connect_timeout_s"]),
        read_timeout=float(given["read_timeout_s"]),
        deadline=float(given["deadline_s"]),
        job_deadline=float(given["job_deadline_s"]),
    )


def load(path: Path) -> Source:
    """Read and check one file."""
    file = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _fail(file, "", "le fichier doit être enregistré en UTF-8.") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        raise _fail(
            file, "", f"YAML illisible{where} : vérifiez l'indentation et les deux-points."
        ) from None
    source = parse(file, raw)
    if path.stem != source.name:
        raise _fail(file, "name", f"le fichier doit s'appeler {source.name}.yaml (son nom).")
    return source


def load_directory(directory: Path) -> tuple[list[Source], list[SourceError]]:
    """Every ``*.yaml`` file of the folder: the good ones, and one error per bad file.

    Two files may not share a name, nor the same URL for the same organisation: the second
    is refused, the first kept (files are read in name order).
    """
    sources: list[Source] = []
    errors: list[SourceError] = []
    names: dict[str, str] = {}
    targets: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            source = load(path)
        except SourceError as e:
            errors.append(e)
            continue
        if source.name in names:
            errors.append(
                _fail(
                    source.file,
                    "name",
                    f"« {source.name} » est déjà le nom de la source de {names[source.name]} : "
                    "choisissez un autre nom.",
                )
            )
            continue
        target = (source.url.rstrip("/"), source.siren)
        if target in targets:
            errors.append(
                _fail(
                    source.file,
                    "url",
                    f"{targets[target]} moissonne déjà cette adresse pour cette organisation.",
                )
            )
            continue
        names[source.name] = source.file
        targets[target] = source.file
        sources.append(source)
    return sources, errors
