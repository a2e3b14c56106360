"""A browser-like session on the test app: logged in by the login form, with the CSRF token
the pages give, as a person's browser sends it."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "Un-mot-de-passe-solide-2026"
TOKEN = re.compile(r'name="_csrf_token" (?:value|content)="([^"]+)"')


def csrf_token(body: str) -> str:
    """The CSRF token a page carries (its forms' hidden field, or the meta tag)."""
    found = TOKEN.search(body)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def log_in(app: Any, user: dict[str, Any], password: str = PASSWORD) -> Any:
    """A client of the test app logged in through CKAN's login form: it keeps the session
    cookie across requests (the app's own get and post start a new client each time)."""
    client = app.test_client()
    form = client.get("/user/login")
    response = client.post(
        "/user/login",
        data={"login": user["name"], "password": password, "_csrf_token": csrf_token(form.body)},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body
    assert "/user/login" not in response.headers["Location"], "the login was refused"
    return client
