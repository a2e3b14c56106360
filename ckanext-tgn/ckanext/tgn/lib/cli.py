"""The ``ckan tgn`` command group; each plugin adds its own sub-group to it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click


@click.group(short_help="Commandes de la plateforme Tarn-et-Garonne Numérique.")
def tgn() -> None:
    """Commandes de la plateforme Tarn-et-Garonne Numérique."""


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
