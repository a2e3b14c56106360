"""Security headers on every response, and no state change through a GET.

CKAN 2.11 has no option for these headers; ours are declared in config_declaration.yaml.
A header a response already carries (a view that needs its own policy) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from flask import Response, request

# Views of extensions we load that change state on GET (ckanext-harvest's delete, refresh,
# clear and abort links): a link or an image on any site could trigger them in a staff
# member's browser, out of reach of the CSRF token. Their pages POST through CKAN's
# confirm-action module, which sends the token.
STATE_CHANGING_GETS = frozenset(
    {"harvester.delete", "harvester.refresh", "harvester.clear", "harvester.job_abort"}
)


def security_headers() -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": tk.config["ckanext.tgn.security.referrer_policy"],
        "X-Frame-Options": tk.config["ckanext.tgn.security.frame_options"],
        "Content-Security-Policy": tk.config["ckanext.tgn.security.content_security_policy"],
    }
    return {name: value for name, value in headers.items() if value}


def header_adder(values: dict[str, str]) -> Callable[[Response], Response]:
    """An ``after_request`` adding these headers (read from the config once, at start-up)."""

    def add_security_headers(response: Response) -> Response:
        for name, value in values.items():
            response.headers.setdefault(name, value)
        return response

    return add_security_headers


def refuse_state_changing_get() -> Response | None:
    if request.method in ("GET", "HEAD") and request.endpoint in STATE_CHANGING_GETS:
        message = tk._("This action needs a confirmation: use the button on the page.")
        return Response(message, status=405, headers={"Allow": "POST"}, mimetype="text/plain")
    return None
