"""List fields as CKAN hands them over: a list, a JSON list in a string, one value, or nothing.

Scheming stores multiple-choice fields as JSON text in extras, forms send lists or single
values, and the API accepts all of them; every reader of such a field goes through here.
"""

from __future__ import annotations

import json
from typing import Any


def as_list(value: Any, *, separator: str | None = None) -> list[str]:
    """The non-empty items of ``value`` as trimmed strings.

    A string that starts with ``[`` is read as JSON (kept whole when it is not valid JSON, so
    a validator can name it); another string is one item, or several split on ``separator``.
    Anything that is neither a string nor a list (``None``, CKAN's ``missing``) is no item.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = [text]
            items = parsed if isinstance(parsed, list) else [parsed]
        elif separator:
            items = text.split(separator)
        else:
            items = [text]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return []
    return [text for text in (str(item).strip() for item in items if item is not None) if text]
