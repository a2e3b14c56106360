"""``ckan tgn quality``: recompute every dataset's scores in the search index."""

from __future__ import annotations

import time

import ckan.plugins.toolkit as tk
import click
from ckan import model
from ckan.lib.search import commit, rebuild

from ckanext.tgn.lib.cli import in_request_context, tgn

__all__ = ["tgn"]

BATCH = 100


@tgn.group()
def quality() -> None:
    """Scores de qualité des jeux de données."""


@quality.command("rebuild")
@in_request_context
def rebuild_scores() -> None:
    """Recalcule les scores de tous les jeux de données (à lancer chaque jour : le respect de
    la fréquence de mise à jour dépend de la date)."""
    ids = [
        row[0]
        for row in model.Session.query(model.Package.id)
        .filter(model.Package.type == "dataset", model.Package.state == "active")
        .order_by(model.Package.id)
    ]
    total = len(ids)
    started = time.monotonic()
    failed = []
    for first in range(0, total, BATCH):
        batch = ids[first : first + BATCH]
        # Updated in place (never removed then added: the dataset stays findable), one Solr
        # commit at the end; a dataset that fails is named and the others go on.
        try:
            rebuild(package_ids=batch, defer_commit=True, quiet=True)
        except Exception:  # one by one, to find which
            for dataset_id in batch:
                try:
                    rebuild(package_ids=[dataset_id], defer_commit=True, quiet=True)
                except Exception as e:
                    failed.append(dataset_id)
                    click.echo(tk._("{id}: not scored ({error})").format(id=dataset_id, error=e))
        click.echo(
            tk._("{done}/{total} dataset(s) scored ({seconds:.0f} s)").format(
                done=min(first + BATCH, total), total=total, seconds=time.monotonic() - started
            )
        )
    commit()
    if failed:
        raise click.exceptions.Exit(1)
    if not total:
        click.echo(tk._("No dataset to score."))


@quality.command("remind")
@in_request_context
def remind() -> None:
    """Envoie un rappel aux éditeurs de chaque jeu de données en retard sur sa fréquence de
    mise à jour, une fois par échéance (à lancer chaque jour)."""
    from ckanext.tgn.quality import reminders

    outcome = reminders.send_all(progress=click.echo)
    click.echo(
        tk._(
            "{late} late dataset(s): {sent} reminder(s) sent, {already} already sent, "
            "{without} without an editor to write to, {failed} not sent (mail server)"
        ).format(
            late=outcome.late, sent=outcome.sent, already=outcome.already,
            without=outcome.without_editor, failed=outcome.failed,
        )
    )  # fmt: skip
