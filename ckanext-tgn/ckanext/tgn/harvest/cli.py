"""``ckan tgn harvest ...``: staff's commands for the harvest sources of harvest_configs/."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import click

from ckanext.tgn.lib import vocab
from ckanext.tgn.lib.cli import in_request_context, tgn
from ckanext.tgn.lib.context import site_user_context

from . import guard, runner

__all__ = ["tgn"]

_STATUS = {
    "added": "ajoutés",
    "updated": "mis à jour",
    "not modified": "inchangés ou ignorés",
    "deleted": "retirés",
    "errored": "en erreur",
    "en attente": "en attente",
}


@tgn.group()
def harvest() -> None:
    """Moissonnage des catalogues partenaires (sources déclarées dans harvest_configs/)."""


@harvest.command()
@click.option("--dry-run", is_flag=True, help="Affiche ce qui changerait, sans rien modifier.")
@in_request_context
def sync(dry_run: bool) -> None:
    """Crée, met à jour ou désactive les sources d'après les fichiers de harvest_configs/."""
    try:
        report = tk.get_action("tgn_harvest_sync")(site_user_context(), {"dry_run": dry_run})
    except tk.ValidationError as e:
        click.echo(f"ERREUR : {e.error_summary}", err=True)
        raise SystemExit(1) from None
    for entry in report["created"]:
        click.echo(f"créée        {entry['name']}  ({entry['file']})")
    for entry in report["updated"]:
        click.echo(f"mise à jour  {entry['name']}  (champs : {', '.join(entry['fields'])})")
    for entry in report["unchanged"]:
        click.echo(f"inchangée    {entry['name']}")
    for entry in report["deactivated"]:
        click.echo(f"désactivée   {entry['name']}  (fichier retiré ; ses jeux restent)")
    for entry in report["unmanaged"]:
        click.echo(f"non gérée    {entry['name']}  (créée hors de harvest_configs/)")
    for entry in report["errors"]:
        click.echo(f"ERREUR       {entry['error']}", err=True)
    changes = sum(len(report[k]) for k in ("created", "updated", "deactivated"))
    if not changes:
        click.echo("Aucun changement.")
    else:
        click.echo(
            f"{len(report['created'])} créée(s), {len(report['updated'])} mise(s) à jour, "
            f"{len(report['deactivated'])} désactivée(s), {len(report['unchanged'])} inchangée(s)."
        )
    if dry_run:
        click.echo("Simulation (--dry-run) : rien n'a été modifié.")
    if report["errors"]:
        raise SystemExit(1)


def _code(uri: str, name: str) -> str:
    concept = vocab.vocabulary(name).by_uri(uri)
    return concept.code if concept else uri


def _print_prepared(package: dict[str, Any], warnings: list[str]) -> None:
    click.echo(f"    titre       : {package['title']}")
    click.echo(f"    licence     : {package['license_id']}")
    click.echo(f"    thèmes      : {', '.join(_code(t, 'data-theme') for t in package['theme'])}")
    click.echo(f"    fréquence   : {_code(package['frequency'], 'frequency')}")
    click.echo(f"    territoires : {', '.join(package['territories']) or '-'}")
    click.echo(f"    contact     : {package['contact_name']} <{package['contact_email']}>")
    click.echo(f"    mots-clés   : {', '.join(t['name'] for t in package['tags']) or '-'}")
    for resource in package["resources"]:
        click.echo(f"    ressource   : [{resource['format'] or '?'}] {resource['url']}")
    for warning in warnings:
        click.echo(f"    attention   : {warning}")


@harvest.command()
@click.argument("source")
@click.option("--limit", default=20, show_default=True, help="Nombre d'enregistrements lus.")
@in_request_context
def check(source: str, limit: int) -> None:
    """Lit et convertit les premiers jeux d'une source (nom ou fichier), sans rien écrire."""
    counts = {"ok": 0, "refusé": 0, "ignoré": 0}
    try:
        for kind, key, result in runner.check(source, limit):
            counts[kind] += 1
            click.echo(f"{kind.upper():7} {key}")
            if kind == "ok":
                _print_prepared(result.package, result.warnings)
            else:
                click.echo(f"    {result}")
    except (runner.RunRefused, guard.DocumentRefused) as e:
        click.echo(f"ERREUR : {e}", err=True)
        raise SystemExit(1) from None
    except Exception as e:
        click.echo(f"ERREUR : catalogue illisible ({type(e).__name__}) : {e}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{sum(counts.values())} enregistrement(s) lu(s) : {counts['ok']} convertible(s), "
        f"{counts['refusé']} refusé(s), {counts['ignoré']} ignoré(s). Rien n'a été enregistré."
    )
    if counts["refusé"]:
        raise SystemExit(1)


def _print_status(status: dict[str, Any]) -> None:
    state = "active" if status["active"] else "désactivée"
    click.echo(f"{status['name']}  ({status['type']}, {state}, {status['frequency']})")
    click.echo(f"  jeux moissonnés : {status['datasets']}")
    if status["frequency"] == "MANUAL":
        next_run = "à la demande (ckan tgn harvest run)"
    else:
        next_run = status["next_run"] or "au prochain « ckan harvester run » (toutes les 5 min)"
    click.echo(f"  prochain passage : {next_run}")
    job = status["last_job"]
    if job is None:
        click.echo("  aucun moissonnage encore")
        return
    click.echo(f"  dernier moissonnage : {job['created']} ({job['status']})")
    counts = ", ".join(f"{n} {_STATUS.get(k, k)}" for k, n in sorted(job["counts"].items()))
    click.echo(f"  résultat : {counts or 'aucun enregistrement'}")
    if job["skipped_count"]:
        click.echo(f"  ignorés : {job['skipped_count']}, dont : {'; '.join(job['skipped'][:3])}")
    for error in job["gather_errors"]:
        click.echo(f"  erreur : {error}")
    for error in job["object_errors"]:
        click.echo(f"  erreur sur {error}")


@harvest.command()
@click.argument("name", required=False)
@in_request_context
def status(name: str | None) -> None:
    """Dernier moissonnage, comptes, premières erreurs et prochain passage de chaque source."""
    try:
        statuses = tk.get_action("tgn_harvest_status")(site_user_context(), {"name": name})
    except tk.ObjectNotFound as e:
        click.echo(f"ERREUR : {e.message}", err=True)
        raise SystemExit(1) from None
    if not statuses:
        click.echo("Aucune source enregistrée : lancez « ckan tgn harvest sync ».")
    for entry in statuses:
        _print_status(entry)


@harvest.command()
@click.argument("name")
@click.option("--now", is_flag=True, help="Moissonne ici et maintenant, sans les files d'attente.")
@in_request_context
def run(name: str, now: bool) -> None:
    """Lance le moissonnage d'une source (dans la file d'attente, ou tout de suite)."""
    try:
        if now:
            _print_status(runner.run_now(name, click.echo))
            return
        source = runner.find_source(name)
        tk.get_action("harvest_job_create")(site_user_context(), {"source_id": source.id})
    except runner.RunRefused as e:
        click.echo(f"ERREUR : {e}", err=True)
        raise SystemExit(1) from None
    except Exception as e:
        click.echo(f"ERREUR : {e}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Moissonnage de « {name} » mis en file d'attente (ckan harvester gather-consumer).")
