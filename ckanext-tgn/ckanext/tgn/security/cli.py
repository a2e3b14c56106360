"""`ckan tgn security`: staff align what activity streams show with who may read now."""

from __future__ import annotations

import click
from ckan import model

from ckanext.tgn.lib.cli import tgn
from ckanext.tgn.security import activity

__all__ = ["tgn"]


@tgn.group()
def security() -> None:
    """Ce que les visiteurs peuvent voir."""


@security.command("sync-activity")
def sync_activity() -> None:
    """Aligne la visibilité des activités sur l'état actuel de chaque jeu de données.

    À lancer une fois après l'installation du greffon (les activités antérieures gardent
    sinon la visibilité qu'avait le jeu de données à leur date) ; sans effet ensuite.
    """
    datasets = list(activity.every_dataset_with_activity())
    changed = 0
    with click.progressbar(datasets, label="Jeux de données", show_pos=True) as bar:
        for package_id, package in bar:
            changed += activity.sync(package_id, package)
    model.Session.commit()
    if changed:
        click.echo(f"{changed} activité(s) mise(s) à jour sur {len(datasets)} jeu(x) de données.")
    else:
        click.echo("Aucun changement.")
