"""Actions that keep the territory organisations in line with the committed reference data.

Organisations are matched by SIREN, never by name: a renamed EPCI is updated in place (its
URL and datasets stay), not duplicated. Nothing is ever deleted here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict, cast

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.tgn.lib import refdata
from ckanext.tgn.lib.jsonlist import as_list

if TYPE_CHECKING:
    from typing_extensions import NotRequired

# Fields the reference data owns; staff edit the others (website, contact, description...).
MANAGED_FIELDS = (
    "title",
    "territory_kind",
    "epci_nature",
    "siren",
    "official_name",
    "insee_code",
    "epci_siren",
    "member_communes",
    "population",
    "population_vintage",
    "geometry",
)


class SyncReport(TypedDict):
    """What ``tgn_territories_sync`` returns: one entry per organisation, by outcome."""

    created: list[dict[str, Any]]
    updated: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    dry_run: NotRequired[bool]


def _compact(geometry: dict[str, Any] | None) -> str:
    return json.dumps(geometry, separators=(",", ":")) if geometry else ""


def _departement_org() -> dict[str, Any]:
    dep = refdata.departement()
    population, vintage = refdata.departement_population()
    return {
        "name": refdata.slug(f"Département de {dep['name']}"),
        "title": f"Département de {dep['name']}",
        "territory_kind": refdata.KIND_DEPARTEMENT,
        "siren": dep["siren"],
        "official_name": f"Département de {dep['name']}",
        "insee_code": dep["code"],
        "population": population,
        "population_vintage": vintage,
        "geometry": _compact(refdata.geometry(dep["code"])),
    }


def _syndicat_org() -> dict[str, Any]:
    syndicat = refdata.syndicat()
    population, vintage = refdata.departement_population()
    return {
        "name": refdata.slug(syndicat["name"]),
        "title": syndicat["name"],
        "territory_kind": refdata.KIND_SYNDICAT,
        "siren": syndicat["siren"],
        "official_name": f"Syndicat mixte {syndicat['name']}",
        "population": population,
        "population_vintage": vintage,
        "geometry": _compact(refdata.geometry(syndicat["territory"]["code"])),
    }


def _epci_org(epci: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": refdata.slug(epci["name"]),
        "title": epci["name"],
        "territory_kind": refdata.KIND_EPCI,
        "epci_nature": epci["nature"],
        "siren": epci["siren"],
        "official_name": epci["name"],
        "member_communes": sorted(epci["members"]),
        "population": epci["population"],
        "population_vintage": epci["population_vintage"],
        "geometry": _compact(refdata.geometry(epci["siren"])),
    }


def _commune_org(commune: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": refdata.slug(commune["name"]),
        "title": commune["name"],
        "territory_kind": refdata.KIND_COMMUNE,
        "siren": commune["siren"],
        "official_name": f"Commune de {commune['name']}",
        "insee_code": commune["code"],
        "epci_siren": commune["epci"],
        "population": commune["population"],
        "population_vintage": commune["population_vintage"],
        "geometry": _compact(refdata.geometry(commune["code"])),
    }


def _normalised(field: str, value: Any) -> Any:
    """Values as comparable whatever their storage (extras are strings, lists JSON)."""
    if value in (None, "", []):
        return None
    if field == "member_communes":
        return sorted(as_list(value))
    if field == "geometry":
        return json.loads(value) if isinstance(value, str) else value
    return str(value)


def _changed_fields(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    return [
        field
        for field in MANAGED_FIELDS
        if _normalised(field, current.get(field)) != _normalised(field, wanted.get(field))
    ]


def _existing_by_siren(context: Context) -> dict[str, dict[str, Any]]:
    names = tk.get_action("organization_list")(context.copy(), {"all_fields": False})
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        org = tk.get_action("organization_show")(
            context.copy(), {"id": name, "include_datasets": False, "include_users": False}
        )
        if org.get("siren"):
            found[org["siren"]] = org
    return found


def _name_taken(name: str) -> bool:
    """Whether an organisation (of any SIREN) already uses this URL name."""
    try:
        # A lookup on behalf of a caller already authorised by check_access.
        tk.get_action("organization_show")({"ignore_auth": True}, {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def _error_text(error: tk.ValidationError) -> str:
    # organization_create and _patch raise navl's errors: a list of messages per field.
    details = (
        cast("dict[str, list[Any]]", error.error_dict) if isinstance(error.error_dict, dict) else {}
    )
    return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in details.items()) or str(error)


def tgn_territories_sync(context: Context, data_dict: DataDict) -> SyncReport:
    """Create or update the organisations of the Département, the syndicate and every EPCI.

    Existing organisations are found by SIREN; commune organisations already added are
    refreshed too. Organisations are never deleted; one failing does not stop the others.

    :param dry_run: report what would change without writing anything (default: false)
    :type dry_run: bool
    :returns: lists ``created``, ``updated`` (with ``fields``), ``unchanged``, ``errors``
    :rtype: dict
    """
    tk.check_access("tgn_territories_sync", context, data_dict)
    dry_run = tk.asbool(data_dict.get("dry_run", False))

    existing = _existing_by_siren(context)
    wanted = [_departement_org(), _syndicat_org()] + [_epci_org(e) for e in refdata.epcis()]
    for org in existing.values():
        if org.get("territory_kind") == refdata.KIND_COMMUNE:
            commune = refdata.commune(org.get("insee_code") or "")
            if commune and commune["in_departement"]:
                wanted.append(_commune_org(commune))

    report: SyncReport = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "errors": [],
    }
    for target in wanted:
        entry = {"siren": target["siren"], "title": target["title"]}
        current = existing.get(target["siren"])
        try:
            if current is None:
                entry["name"] = target["name"]
                if not dry_run:
                    tk.get_action("organization_create")(context.copy(), target)
                report["created"].append(entry)
                continue
            entry["name"] = current["name"]
            fields = _changed_fields(current, target)
            if not fields:
                report["unchanged"].append(entry)
                continue
            entry["fields"] = fields
            if not dry_run:
                patch = {field: target.get(field) for field in fields}
                tk.get_action("organization_patch")(context.copy(), {"id": current["id"], **patch})
            report["updated"].append(entry)
        except tk.ValidationError as e:
            entry["error"] = _error_text(e)
            report["errors"].append(entry)
    report["dry_run"] = dry_run
    return report


def tgn_territories_add_commune(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create the organisation of a commune of Tarn-et-Garonne, linked to its EPCI.

    Idempotent: a commune whose SIREN already has an organisation gets it back unchanged.

    :param insee_code: the commune's 5-character INSEE code, e.g. 82121 for Montauban
    :type insee_code: string
    :returns: the organisation, and ``created`` (false when it already existed)
    :rtype: dict
    """
    tk.check_access("tgn_territories_add_commune", context, data_dict)
    code = str(data_dict.get("insee_code") or "").strip()
    commune = refdata.commune(code)
    if commune is None:
        raise tk.ValidationError(
            {
                "insee_code": [
                    tk._(
                        "Unknown INSEE code: {code}. Give the 5-character INSEE code of a "
                        "commune of Tarn-et-Garonne, for example 82121 for Montauban."
                    ).format(code=code or "(vide)")
                ]
            }
        )
    if not commune["in_departement"]:
        raise tk.ValidationError(
            {
                "insee_code": [
                    tk._(
                        "The commune {code} ({name}) is not in Tarn-et-Garonne: only the "
                        "communes of the département 82 publish on this platform."
                    ).format(code=code, name=commune["name"])
                ]
            }
        )

    existing = _existing_by_siren(context).get(commune["siren"])
    if existing is not None:
        return {**existing, "created": False}
    target = _commune_org(commune)
    if _name_taken(target["name"]):
        target["name"] = f"{target['name']}-{code}"  # another body already has this URL
    org = tk.get_action("organization_create")(context.copy(), target)
    return {**org, "created": True}
