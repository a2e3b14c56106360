"""``ckan tgn territories ...``: the staff's commands for territory organisations."""

from __future__ import annotations

from typing import Any, cast

import ckan.plugins.toolkit as tk
import click

from ckanext.tgn.lib.cli import in_request_context, tgn
from ckanext.tgn.lib.context import site_user_context

__all__ = ["tgn"]


def _print_report(report: dict[str, Any]) -> None:
    for entry in report["created"]:
        click.echo(f"créée       {entry['name']}  (SIREN {entry['siren']}, {entry['title']})")
    for entry in report["updated"]:
        fields = ", ".join(entry["fields"])
        click.echo(f"mise à jour {entry['name']}  (SIREN {entry['siren']}; champs : {fields})")
    for entry in report["unchanged"]:
        click.echo(f"inchangée   {entry['name']}  (SIREN {entry['siren']})")
    for entry in report["errors"]:
        click.echo(
            f"ERREUR      {entry['title']}  (SIREN {entry['siren']}) : {entry['error']}", err=True
        )


@tgn.group()
def territories() -> None:
    """Organisations des territoires (département, syndicat, EPCI, communes)."""


@territories.command()
@click.option("--dry-run", is_flag=True, help="Affiche ce qui changerait, sans rien modifier.")
@in_request_context
def sync(dry_run: bool) -> None:
    """Crée ou met à jour les organisations depuis le référentiel (par SIREN)."""
    report = tk.get_action("tgn_territories_sync")(site_user_context(), {"dry_run": dry_run})
    _print_report(report)
    created, updated = len(report["created"]), len(report["updated"])
    unchanged, errors = len(report["unchanged"]), len(report["errors"])
    total = created + updated + unchanged + errors
    if created == updated == errors == 0:
        click.echo(f"Aucun changement : les {total} organisations sont à jour.")
    else:
        click.echo(
            f"{total} organisations : {created} créée(s), {updated} mise(s) à jour, "
            f"{unchanged} inchangée(s), {errors} en erreur."
        )
    if dry_run:
        click.echo("Simulation (--dry-run) : rien n'a été modifié.")
    if errors:
        raise SystemExit(1)


@territories.command("add-commune")
@click.argument("insee_code")
@in_request_context
def add_commune(insee_code: str) -> None:
    """Crée l'organisation d'une commune de Tarn-et-Garonne, rattachée à son EPCI."""
    try:
        org = tk.get_action("tgn_territories_add_commune")(
            site_user_context(), {"insee_code": insee_code}
        )
    except tk.ValidationError as e:
        # The action's and organization_create's errors: a list of messages per field.
        for messages in cast("dict[str, list[Any]]", e.error_dict).values():
            for message in messages:
                click.echo(f"ERREUR : {message}", err=True)
        raise SystemExit(1) from None
    verb = "créée" if org["created"] else "existe déjà"
    click.echo(f"{verb} {org['name']}  (SIREN {org['siren']}, EPCI {org.get('epci_siren')})")
