"""The ``ckan tgn`` command group; each plugin adds its own sub-group to it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import click
from ckan.types import Context


@click.group(short_help="Commandes de la plateforme Tarn-et-Garonne Numérique.")
def tgn() -> None:
    """Commandes de la plateforme Tarn-et-Garonne Numérique."""


def site_user_context() -> Context:
    """Act as CKAN's site user (a sysadmin): staff commands run with every right."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


def in_request_context(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command inside a request of the CKAN app, as CKAN's own commands do.

    Without a request, the locale (``ckan.locale_default``) is unknown and messages from
    actions and validators would stay in English.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flask_app = click.get_current_context().meta["flask_app"]
        with flask_app.test_request_context():
            return command(*args, **kwargs)

    return wrapper
