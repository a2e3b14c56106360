"""A harvested record made into a dataset of our schema, whatever harvester read it.

Each harvester turns its format into a ``Record`` (the upstream parser's dict plus what it
saw raw: licence texts, theme labels, places...). ``prepare`` then applies the source's
policy the same way for all: owner forced to the source's organisation, namespaced key and
provenance, the mapping with its defaults, fields sanitised so that one odd field never
rejects a record, staff edits kept. What cannot be mapped (an unknown licence without a
default) refuses the record with a French reason; the others import.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import shapely
from shapely.geometry import shape

from ckanext.tgn.lib import vocab

from . import mapping
from .policy import SourcePolicy

PLACEHOLDER_NOTES = "Description non fournie par le catalogue d'origine."
TITLE_LIMIT = 300
NOTES_LIMIT = 20_000
# Fields of the upstream parse copied as they are (then checked below).
_COPIED = (
    "version",
    "issued",
    "modified",
    "temporal_start",
    "temporal_end",
    "hvd_category",
    "access_rights",
    "conforms_to",
)


class RecordRefused(Exception):
    """The record cannot become a dataset: a French reason for the harvest report."""


class RecordSkipped(Exception):
    """The record is deliberately not imported (our own dataset, another source's)."""


@dataclass
class Record:
    """What a harvester read for one dataset, before our policy is applied."""

    package: dict[str, Any]
    uri: str = ""  # the upstream dataset URI (or id), kept as provenance
    identifiers: list[str] = field(default_factory=list)  # dct:identifier, adms:identifier...
    landing_page: str = ""
    licences: list[str] = field(default_factory=list)  # URLs or titles, record then resources
    themes: list[str] = field(default_factory=list)  # URIs or labels
    frequency: str = ""
    languages: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # territory URIs or place names
    contact_name: str = ""
    contact_email: str = ""
    keywords: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    package: dict[str, Any]
    warnings: list[str]


def _site_url() -> str:
    return mapping.normalise_url(tk.config["ckan.site_url"])


def _ours(url: str) -> bool:
    """Whether a URL points at this very platform (our dataset coming back)."""
    return bool(url) and mapping.normalise_url(url).startswith(_site_url())


def _holder(uri: str, source_name: str) -> str | None:
    """The other source that already harvested this upstream URI, if any."""
    row = (
        model.Session.query(model.PackageExtra.package_id)
        .join(model.Package, model.Package.id == model.PackageExtra.package_id)
        .filter(model.PackageExtra.key == "harvest_uri", model.PackageExtra.value == uri)
        .filter(model.Package.state == "active")
        .all()
    )
    for (package_id,) in row:
        pkg = model.Package.get(package_id)
        holder = pkg.extras.get("harvest_source_name") if pkg else None
        if holder and holder != source_name:
            return holder
    return None


def _date(value: Any, warnings: list[str], label: str) -> str | None:
    text = str(value or "")[:10]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        if value:
            warnings.append(f"{label} illisible ({str(value)[:40]}), ignorée")
        return None
    if day > dt.date.today() + dt.timedelta(days=1):
        warnings.append(f"{label} dans le futur ({text}), ignorée")
        return None
    return text


def _resources(resources: list[dict[str, Any]], warnings: list[str]) -> list[dict[str, Any]]:
    kept = []
    for resource in resources:
        url = mapping.http_url(resource.get("url") or resource.get("download_url"))
        if url is None:
            warnings.append(
                f"ressource « {mapping.clip(str(resource.get('name') or ''), 60)} » ignorée : "
                f"lien non http(s) ({mapping.clip(str(resource.get('url') or ''), 60)})"
            )
            continue
        out: dict[str, Any] = {
            "url": url,
            "name": mapping.clip(str(resource.get("name") or "") or url.rsplit("/", 1)[-1], 200),
            "description": mapping.clip(
                mapping.html_to_markdown(resource.get("description")), NOTES_LIMIT
            ),
            "format": mapping.file_type(resource.get("format"), resource.get("mimetype"), url)
            or "",
        }
        if resource.get("uri"):
            out["uri"] = str(resource["uri"])
        if resource.get("id"):
            out["id"] = resource["id"]
        size = resource.get("size")
        if isinstance(size, int) or (isinstance(size, str) and size.isdigit()):
            out["size"] = int(size)
        schema = str(resource.get("conforms_to") or "")
        if schema in vocab.table_schema_urls():
            out["conforms_to"] = schema
        kept.append(out)
    return kept


def _licence(record: Record, policy: SourcePolicy) -> str:
    for candidate in record.licences:
        found = mapping.licence_id(candidate)
        if found:
            return found
    if policy.licence_default:
        return policy.licence_default
    said = ", ".join(f"« {mapping.clip(c, 80)} »" for c in record.licences) or "aucune"
    raise RecordRefused(
        f"licence inconnue ({said}) : corrigez la licence dans le catalogue d'origine, ou "
        "choisissez une licence par défaut (mapping.licence.default) dans le fichier de la source"
    )


def _geometry(value: Any, warnings: list[str]) -> str | None:
    if not value:
        return None
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        if not shape(geometry).is_valid or shapely.is_empty(shape(geometry)):
            raise ValueError
    except Exception:
        warnings.append("géométrie invalide ignorée")
        return None
    return json.dumps(geometry)


def prepare(
    record: Record,
    *,
    policy: SourcePolicy,
    owner_org: str,
    guid: str,
    existing: dict[str, Any] | None,
) -> Prepared:
    """The dataset to store for ``record`` (raises RecordRefused / RecordSkipped)."""
    for url in (record.uri, record.landing_page, *record.identifiers):
        if _ours(url):
            raise RecordSkipped(
                "jeu de données de cette plateforme revenu par le catalogue moissonné "
                f"({mapping.clip(url, 100)}) : ignoré pour éviter une boucle"
            )
    if record.uri:
        holder = _holder(record.uri, policy.name)
        if holder:
            raise RecordSkipped(f"déjà moissonné par la source « {holder} » : ignoré")
    warnings: list[str] = []
    src = record.package
    # Staff's values of the file's keep_local fields win; a kept field is never a reason to
    # refuse the record (a licence fixed here stays fixed).
    kept = _kept(existing, policy.keep_local)
    title = str(src.get("title") or "").strip()
    if not title:
        raise RecordRefused("le jeu de données n'a pas de titre")
    if len(title) > TITLE_LIMIT:
        warnings.append(f"titre raccourci ({len(title)} caractères)")
    notes = mapping.clip(mapping.html_to_markdown(src.get("notes")), NOTES_LIMIT)
    if not notes:
        notes = PLACEHOLDER_NOTES
        warnings.append("description absente : texte par défaut")
    package: dict[str, Any] = {
        "title": mapping.clip(title, TITLE_LIMIT),
        "notes": notes,
        "owner_org": owner_org,
        # Back in the catalog: a withdrawn dataset is public again; one that staff (or the
        # validation policy) made private stays private.
        "private": bool(existing.get("private")) and not existing.get("harvest_withdrawn_at")
        if existing
        else False,
        "guid": guid,
        "harvest_source_name": policy.name,
        # Shown as a link on the dataset page: http(s) only (a URI may be anything).
        "harvest_uri": mapping.http_url(record.uri) or "",
        "harvest_withdrawn_at": "",
        "datagouv_expose": "true" if policy.datagouv_expose else "false",
        "license_id": kept.get("license_id") or _licence(record, policy),
    }
    if src.get("name"):
        package["name"] = src["name"]
    for key in _COPIED:
        if src.get(key):
            package[key] = src[key]
    for key, label in (("issued", "date de publication"), ("modified", "date de modification")):
        if key in package:
            package[key] = _date(package[key], warnings, label)
    for key in ("temporal_start", "temporal_end"):
        if key in package:
            package[key] = _date(package[key], [], key)
    if package.get("conforms_to") not in vocab.table_schema_urls():
        package.pop("conforms_to", None)
    for key, name in (("hvd_category", "hvd-category"), ("access_rights", "access-right")):
        if key in package and vocab.vocabulary(name).by_uri(str(package[key])) is None:
            package.pop(key)
    landing = mapping.http_url(record.landing_page or src.get("url"))
    if landing and not _ours(landing):
        package["url"] = landing
    themes, unknown = mapping.theme_uris(record.themes, policy.theme_map)
    if unknown:
        warnings.append(
            "thèmes non reconnus : " + ", ".join(mapping.clip(t, 40) for t in unknown[:5])
        )
    package["theme"] = themes or policy.theme_default
    if not package["theme"] and "theme" not in kept:
        raise RecordRefused(
            "aucun thème reconnu : ajoutez une correspondance (mapping.theme.map) ou un thème "
            "par défaut (mapping.theme.default) au fichier de la source"
        )
    package["frequency"] = (
        mapping.frequency_uri(record.frequency, policy.frequency_map) or policy.frequency_default
    )
    languages = mapping.language_uris(record.languages)
    if languages:
        package["language"] = languages
    codes: list[str] = []
    if policy.territories_from_records:
        codes, not_understood = mapping.territory_codes(record.places)
        if not_understood:
            warnings.append(
                "lieux non reconnus : " + ", ".join(mapping.clip(p, 40) for p in not_understood[:5])
            )
    package["territories"] = codes or policy.territories_default
    if not package["territories"]:
        geometry = _geometry(src.get("spatial"), warnings)
        if geometry:
            package["spatial"] = geometry
    package["contact_name"] = (
        record.contact_name.strip() or policy.contact_name or policy.organization_title
    )
    package["contact_email"] = (
        mapping.email(record.contact_email) or policy.contact_email or policy.organization_email
    )
    if not package["contact_email"] and "contact_email" not in kept:
        raise RecordRefused(
            "aucune adresse de contact : ni dans le catalogue, ni dans le fichier de la source "
            "(mapping.contact.email), ni sur l'organisation"
        )
    package["tags"] = [{"name": t} for t in mapping.clean_tags([*record.keywords])]
    package["resources"] = _resources(list(src.get("resources") or []), warnings)
    for key, value in kept.items():
        package["tags" if key == "tag_string" else key] = value
    return Prepared(package, warnings)


def _kept(existing: dict[str, Any] | None, keep_local: list[str]) -> dict[str, Any]:
    """The stored values of the fields a reharvest must not overwrite (empty ones excepted)."""
    if not existing:
        return {}
    kept = {}
    for key in keep_local:
        value = existing.get("tags") if key == "tag_string" else existing.get(key)
        if value not in (None, "", []):
            kept[key] = value
    return kept
