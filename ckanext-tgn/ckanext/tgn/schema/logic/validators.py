"""Validators shared by the dataset and organisation schemas: small, pure, French errors.

Each message has an English source string (CKAN's i18n) translated in ckanext/tgn/i18n.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def tgn_http_url(value: Any) -> Any:
    """Accept only absolute http(s) URLs: a ``javascript:`` or ``file:`` link is refused."""
    if value in (None, ""):
        return value
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
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
