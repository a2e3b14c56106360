"""Validators shared by the dataset and organisation schemas: small, pure, French errors.

Each message has an English source string (CKAN's i18n) translated in ckanext/tgn/i18n.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.scheming.validation import scheming_validator
from ckanext.tgn.lib import vocab
from ckanext.tgn.lib.jsonlist import as_list

from .policy_validators import tgn_validation_policy
from .territory_validators import (
    tgn_agents,
    tgn_epci_nature,
    tgn_geojson_geometry,
    tgn_siren,
    tgn_siret,
    tgn_spatial_from_territories,
    tgn_territory_codes,
)

# Every validator that schemas/*.yaml names is registered by this plugin, so the schemas load
# whichever other tgn_* plugins are switched on.
__all__ = [
    "tgn_agents",
    "tgn_date",
    "tgn_email",
    "tgn_end_after_start",
    "tgn_epci_nature",
    "tgn_geojson_geometry",
    "tgn_http_url",
    "tgn_image_url",
    "tgn_licence",
    "tgn_media_type",
    "tgn_platform_field",
    "tgn_resource_format",
    "tgn_resource_url",
    "tgn_reuse_datasets",
    "tgn_siren",
    "tgn_siret",
    "tgn_spatial_from_territories",
    "tgn_table_schema",
    "tgn_territory_codes",
    "tgn_validation_policy",
    "tgn_vocabulary",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")  # RFC 3986; never fails to parse


def tgn_http_url(value: Any) -> Any:
    """Accept only absolute http(s) URLs: a ``javascript:`` or ``file:`` link is refused."""
    if value in (None, ""):
        return value
    text = str(value).strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = None
    invisible = any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text)
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or invisible
    ):
        raise tk.Invalid(
            tk._(
                "The address must start with http:// or https://, "
                "for example https://www.tarnetgaronne.fr."
            )
        )
    return text


def tgn_email(value: Any) -> Any:
    """A plausible email address (one @, a domain with a dot), trimmed."""
    if value in (None, ""):
        return value
    text = str(value).strip()
    if not _EMAIL.match(text):
        raise tk.Invalid(
            tk._("This email address is not valid: write it as contact@mairie-exemple.fr.")
        )
    return text


def _label(vocabulary_name: str) -> str:
    return vocab.vocabulary(vocabulary_name).labels["fr"].lower()


@scheming_validator
def tgn_vocabulary(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Values of the field's ``vocabulary``, given as URI, code or French label, stored as URIs.

    A multiple field (``multiple: true``) stores a JSON list, as scheming's multiple_select.
    """
    name = field["vocabulary"]
    multiple = field.get("multiple", False)

    def validator(value: Any) -> Any:
        if value in (None, "", []) or value is tk.missing:
            return value
        values = as_list(value)
        if not values:  # blanks only (" ", [""], "[]"): nothing chosen
            if field.get("required"):
                raise tk.Invalid(tk._("Missing value"))
            return json.dumps([]) if multiple else ""
        uris, unknown = [], []
        for item in values:
            concept = vocab.vocabulary(name).lookup(str(item))
            (uris.append(concept.uri) if concept else unknown.append(str(item)))
        if unknown:
            raise tk.Invalid(
                tk._(
                    '"{value}" is not in the list of {vocabulary}: choose a proposed value.'
                ).format(value=", ".join(unknown), vocabulary=_label(name))
            )
        if not multiple and len(uris) > 1:
            raise tk.Invalid(tk._("Choose only one value."))
        return json.dumps(list(dict.fromkeys(uris))) if multiple else uris[0]

    return validator


def tgn_date(value: Any) -> Any:
    """A calendar date written YYYY-MM-DD (what the date picker sends)."""
    if value in (None, "") or value is tk.missing:
        return value
    text = str(value).strip()[:10] if isinstance(value, str) else value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise tk.Invalid(
            tk._("The date must be written YYYY-MM-DD, for example 2025-01-31.")
        ) from e


def tgn_end_after_start(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The end of the temporal coverage is not before its start."""
    start = data.get((*key[:-1], "temporal_start"))
    end = data.get(key)
    if errors.get((*key[:-1], "temporal_start")) or errors.get(key):
        return
    if start and end and start is not tk.missing and end is not tk.missing and end < start:
        errors[key].append(tk._("The end date must be after the start date."))


def tgn_platform_field(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A field only the platform writes (harvest provenance): kept through every edit.

    A form never shows it, so an agent's save must not erase it (the harvest link would be
    lost and the next run would duplicate the dataset); and no one but staff and the
    harvesters (sysadmins) may set it, or an editor could point a dataset at another
    source's record and have the harvest overwrite it.
    """
    package = context.get("package")
    stored = package.extras.get(key[-1]) if package is not None else None
    given = data.get(key)
    try:
        staff = tk.check_access("sysadmin", {"user": context.get("user", "")})
    except tk.NotAuthorized:
        staff = False
    if not staff or given is tk.missing or given is None:
        data[key] = stored if stored is not None else tk.missing


def tgn_licence(value: Any) -> Any:
    """One of the platform's licences (the closed list data.gouv.fr recognises)."""
    if value in (None, "") or value is tk.missing:
        return value
    ids = [licence["id"] for licence in vocab.licences()]
    if value not in ids:
        raise tk.Invalid(
            tk._('Unknown licence "{value}": choose one of the list ({ids}).').format(
                value=value, ids=", ".join(ids)
            )
        )
    return value


def tgn_table_schema(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A schema.data.gouv.fr versioned URL, or "autre schéma" with its own http(s) URL.

    Runs on ``conforms_to`` with ``conforms_to_other`` beside it: the stored value is always
    the URL itself, and an "other" URL stays accepted when the record is saved again.
    """
    other_key = (*key[:-1], "conforms_to_other")
    value = data.get(key)
    other = data.get(other_key)
    other = None if other is tk.missing or other in (None, "") else str(other).strip()
    if value in (None, "") or value is tk.missing:
        data[key] = ""
        if other is None:
            return
        value = vocab.OTHER_SCHEMA
    value = str(value).strip()
    if value in vocab.table_schema_urls():
        data[other_key] = ""
        data[key] = value
        return
    if value == vocab.OTHER_SCHEMA or value == other:
        try:
            url = tgn_http_url(other) if other else None
        except tk.Invalid as e:
            errors[other_key].append(e.error)
            return
        if not url:
            errors[other_key].append(tk._('Give the address (URL) of the "other schema".'))
            return
        data[key] = url
        data[other_key] = url
        return
    errors[key].append(
        tk._(
            "Unknown schema: {url}. Choose a schema of schema.data.gouv.fr in the list, or "
            '"other schema" and give its address.'
        ).format(url=value)
    )


def tgn_resource_format(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A format of the EU file types, guessed from the file or link when left blank."""
    value = data.get(key)
    if value in (None, "") or value is tk.missing:
        url = data.get((*key[:-1], "url"))
        upload = data.get((*key[:-1], "upload"))
        name = getattr(upload, "filename", None) or (url if isinstance(url, str) else "")
        guessed = vocab.file_type_for_name(name or "")
        data[key] = guessed.code if guessed else ""
        return
    concept = vocab.vocabulary("file-type").lookup(str(value))
    if concept is None:
        codes = ", ".join(c.code for c in vocab.vocabulary("file-type").concepts)
        errors[key].append(
            tk._('Unknown format "{value}": choose one of {codes}.').format(
                value=value, codes=codes
            )
        )
        return
    data[key] = concept.code


def tgn_media_type(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The IANA media type, from the format when the agent gives none."""
    value = data.get(key)
    if value not in (None, "") and value is not tk.missing:
        if not _MEDIA_TYPE.match(str(value).strip()):
            errors[key].append(tk._("The media type must look like text/csv or application/json."))
        return
    concept = vocab.vocabulary("file-type").lookup(str(data.get((*key[:-1], "format")) or ""))
    data[key] = concept.extra.get("media_type", "") if concept else ""


def tgn_resource_url(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A link must be http(s); an uploaded file keeps the file name CKAN gives it, and only
    that. CKAN shows an upload through its download route, but stores the value as sent:
    an API client declaring ``url_type: upload`` cannot store another scheme
    (``javascript:``, ``file:``) for the edit form or a later change of ``url_type``."""
    value = data.get(key)
    if value in (None, "") or value is tk.missing:
        return
    if data.get((*key[:-1], "url_type")) == "upload":
        found = _SCHEME.match(str(value).strip())
        scheme = found.group(1).lower() if found else ""
        if scheme and scheme not in ("http", "https"):
            errors[key].append(
                tk._(
                    "An uploaded file is named by its file name (for example "
                    "deliberations.csv): an address starting with {scheme}: is refused."
                ).format(scheme=scheme)
            )
        return
    try:
        data[key] = tgn_http_url(value)
    except tk.Invalid as e:
        errors[key].append(e.error)


def tgn_image_url(value: Any) -> Any:
    """An image by its https address: the pages' security policy loads no http image."""
    if value in (None, "") or value is tk.missing:
        return value
    text = tgn_http_url(value)
    if not text.lower().startswith("https://"):
        raise tk.Invalid(
            tk._(
                "The image address must start with https://, for example "
                "https://www.exemple.fr/apercu.png."
            )
        )
    return text


def _dataset_reference(text: str) -> str:
    """The name or id in a dataset reference: itself, or the end of the address of its page
    on this platform (another site's address stays whole, so it is found nowhere)."""
    text = text.strip()
    site = tk.config["ckan.site_url"].rstrip("/")
    for prefix in (f"{site}/dataset/", "/dataset/"):
        if text.startswith(prefix):
            text = text[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
            break
    return text.strip("/")


def tgn_reuse_datasets(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The datasets a reuse uses: at least one, each a public, active dataset the user can
    read, given by id, name or page address; stored as a JSON list of ids (a rename keeps
    the link). A dataset the user cannot read is named as unknown, like a missing one."""
    references = [_dataset_reference(item) for item in as_list(data.get(key), separator=",")]
    references = [ref for ref in references if ref]
    if not references:
        errors[key].append(tk._("Give at least one dataset of the platform that the reuse uses."))
        return
    ids: list[str] = []
    for ref in references:
        reader = Context(
            user=context.get("user", ""), ignore_auth=context.get("ignore_auth", False)
        )
        try:
            found = tk.get_action("package_show")(reader, {"id": ref})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            found = None
        if found is None or found.get("state") == "deleted":
            errors[key].append(
                tk._(
                    'No dataset "{name}" on the platform: give its name or the address of its page.'
                ).format(name=ref)
            )
        elif found.get("type") != "dataset":
            errors[key].append(
                tk._('"{name}" is not a dataset: a reuse uses datasets.').format(name=ref)
            )
        elif found.get("private") or found.get("state") != "active":
            errors[key].append(
                tk._(
                    'The dataset "{name}" is not published: a reuse may only use public datasets.'
                ).format(name=ref)
            )
        else:
            ids.append(found["id"])
    if not errors[key]:
        data[key] = json.dumps(list(dict.fromkeys(ids)))
