"""`ckan tgn validation`: staff re-run validations and read reports from the command line."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import click
from ckan import model

from ckanext.tgn.lib.cli import in_request_context, tgn
from ckanext.tgn.lib.context import site_user_context
from ckanext.tgn.lib.table_schemas import schema_url_of
from ckanext.tgn.validation.job import run_validation
from ckanext.tgn.validation.reports import ValidationReport

__all__ = ["tgn"]


@tgn.group()
def validation() -> None:
    """Tabular validation against the national Table Schemas."""


def _resources(dataset: str | None) -> list[model.Resource]:
    query = (
        model.Session.query(model.Resource)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .filter(model.Resource.state == "active", model.Package.state == "active")
    )
    if dataset:
        package = model.Package.get(dataset)
        if package is None:
            raise click.ClickException(f"Jeu de données introuvable : {dataset}")
        query = query.filter(model.Package.id == package.id)
    return [r for r in query.order_by(model.Resource.id) if schema_url_of(r)]


@validation.command("run")
@click.argument("resource_ids", nargs=-1)
@click.option("--dataset", help="Toutes les ressources à schéma de ce jeu de données.")
@click.option("--all", "everything", is_flag=True, help="Toutes les ressources à schéma du site.")
@click.option("--now", is_flag=True, help="Valider ici, sans passer par le worker.")
@in_request_context
def run(resource_ids: tuple[str, ...], dataset: str | None, everything: bool, now: bool) -> None:
    """Queue (or, with --now, run) the validation of resources that follow a Table Schema."""
    if not (resource_ids or dataset or everything):
        raise click.UsageError("Indiquez des identifiants de ressource, --dataset ou --all.")
    if resource_ids:
        targets = []
        for rid in resource_ids:
            resource = model.Resource.get(rid)
            if resource is None or resource.state != "active":
                raise click.ClickException(f"Ressource introuvable : {rid}")
            targets.append(resource)
    else:
        targets = _resources(dataset)
    if not targets:
        click.echo("Aucune ressource avec un schéma de données.")
        return
    for number, resource in enumerate(targets, 1):
        report = tk.get_action("tgn_validation_run")(site_user_context(), {"id": resource.id})
        if now:
            queued = ValidationReport.get(resource.id)
            assert queued is not None  # tgn_validation_run has just written it
            run_validation(resource.id, queued.token)
            report = tk.get_action("tgn_validation_show")(site_user_context(), {"id": resource.id})
            click.echo(
                f"[{number}/{len(targets)}] {resource.id} : {report['status']}"
                f" ({report['error_count']} erreur(s))"
            )
        else:
            click.echo(f"[{number}/{len(targets)}] {resource.id} : {report['status']}")
    if not now:
        click.echo("Validations en file d'attente : lancez `ckan jobs worker` pour les traiter.")


@validation.command("show")
@click.argument("resource_id")
@click.option("--json", "as_json", is_flag=True, help="Le rapport complet en JSON.")
@in_request_context
def show(resource_id: str, as_json: bool) -> None:
    """Print a resource's latest validation report."""
    try:
        report = tk.get_action("tgn_validation_show")(site_user_context(), {"id": resource_id})
    except tk.ObjectNotFound as e:
        raise click.ClickException(str(e.message or e)) from e
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"Statut : {report['status']}")
    if report["message_text"]:
        click.echo(report["message_text"])
    for group in report["counts_labelled"]:
        click.echo(f"  {group['title']} : {group['count']}")
    for error in report["errors"][:20]:
        click.echo(f"  ligne {error['row']}, {error['column'] or '-'} : {error['message']}")
