"""`ckan tgn dcat`: staff prepare, inspect and empty the catalogs' fragment cache."""

from __future__ import annotations

import time

import click
from ckan import model

from ckanext.tgn.lib.cli import in_request_context, tgn

from . import catalog, jobs, store, structured

__all__ = ["tgn"]


@tgn.group()
def dcat() -> None:
    """Catalogues DCAT : cache des descriptions de jeux de données."""


def _organization_id(name: str | None) -> str | None:
    if not name:
        return None
    group = model.Group.get(name)
    if group is None or not group.is_organization:
        raise click.ClickException(f"Organisation introuvable : {name}")
    return group.id


@dcat.command("warm")
@click.option("--organization", help="Seulement les jeux de cette organisation (nom ou id).")
@click.option("--force", is_flag=True, help="Tout refaire, même ce qui est à jour.")
@in_request_context
def warm(organization: str | None, force: bool) -> None:
    """Render the missing or stale descriptions (run after each deployment)."""
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        click.echo(f"  {done}/{total} jeux traités ({time.monotonic() - started:.0f} s)")

    org_id = _organization_id(organization)
    rendered, listed = jobs.warm(org_id, force, progress)
    click.echo(
        f"{rendered} description(s) préparée(s) ; {listed} jeu(x) dans les catalogues "
        f"({time.monotonic() - started:.1f} s)."
    )
    # The schema.org block of each public dataset's page, in the site's language.
    started = time.monotonic()
    click.echo("Pages des jeux (schema.org) :")
    documents, public = structured.prepare_all(org_id, force, progress)
    click.echo(
        f"{documents} document(s) schema.org préparé(s) ; {public} jeu(x) public(s) "
        f"({time.monotonic() - started:.1f} s)."
    )


@dcat.command("status")
@in_request_context
def status() -> None:
    """How many of the listed datasets have an up-to-date description."""
    counts = jobs.status()
    click.echo(f"Jeux dans les catalogues : {counts['listed']}")
    click.echo(f"Descriptions à jour : {counts['fresh']}")
    click.echo(f"À préparer : {counts['listed'] - counts['fresh']}")
    click.echo(f"Lignes en cache : {counts['stored']}")


@dcat.command("clear")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@in_request_context
def clear(yes: bool) -> None:
    """Empty the cache (pages render what they need again; then run warm)."""
    if not yes:
        click.confirm("Vider le cache des catalogues DCAT ?", abort=True)
    removed, shared = store.clear()
    click.echo(f"Cache vidé : {removed} description(s), {shared} bloc(s) partagé(s).")
    click.echo(f"Documents schema.org des pages supprimés : {structured.clear()}.")


@dcat.command("prune")
@in_request_context
def prune() -> None:
    """Remove the descriptions of datasets no catalog lists any more."""
    removed, shared = store.prune(catalog.CATALOG_TYPE)
    click.echo(f"{removed} description(s) et {shared} bloc(s) partagé(s) supprimé(s).")
