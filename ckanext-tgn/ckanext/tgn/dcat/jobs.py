"""Rendering fragments ahead of the crawlers: after a save (a background job) and on demand
(``ckan tgn dcat warm``). Never needed for correctness: a page renders what it lacks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import catalog, fragments, store, structured

log = logging.getLogger(__name__)

BATCH = 100
_IDS_KEY = "tgn_dcat_render"


def _stale(ids: Sequence[str], force: bool = False) -> tuple[list[store.Entry], str]:
    generation = fragments.generation()
    entries = store.entries(ids, catalog.CATALOG_TYPE, "ttl", generation, dt.date.today())
    catalog.fresh_entries(entries)
    if force:
        for entry in entries:
            entry.body = None
    return [e for e in entries if not e.fresh], generation


def render(ids: Sequence[str], force: bool = False) -> int:
    """Render the fragments of the listed datasets among ``ids`` that are stale (all of them
    with ``force``); the number rendered."""
    stale, generation = _stale(ids, force)
    return catalog.render_stale(stale, "ttl", {}, generation) if stale else 0


def _batches(organization: str | None) -> list[list[str]]:
    ids = store.listed_ids(catalog.CATALOG_TYPE, organization)
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def warm(
    organization: str | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Render every listed dataset's missing or stale fragment, by pages of the catalog:
    (rendered, listed)."""
    batches = _batches(organization)
    listed = sum(len(b) for b in batches)
    done = seen = 0
    for batch in batches:
        done += render(batch, force=force)
        seen += len(batch)
        model.Session.remove()  # a long warm holds no growing session
        if progress:
            progress(seen, listed)
    store.prune(catalog.CATALOG_TYPE)
    return done, listed


def status() -> dict[str, int]:
    """Datasets the catalogs list, how many have an up-to-date fragment, rows stored."""
    listed = fresh = 0
    for batch in _batches(None):
        stale, _ = _stale(batch)
        listed += len(batch)
        fresh += len(batch) - len(stale)
    return {"listed": listed, "fresh": fresh, "stored": store.stored_count()}


def render_job(ids: list[str]) -> None:
    """Background job queued by a save: the datasets' fragments, ready for the next crawl."""
    count = render(ids)
    documents = structured.prepare(ids)
    log.debug(
        "DCAT: %d fragment(s) and %d schema.org document(s) rendered for %d dataset(s)",
        count,
        documents,
        len(ids),
    )


# --- queued at the commit of the save --------------------------------------------------------
def ask(package_id: str) -> None:
    """Render this dataset once the current transaction commits (not before: a worker would
    read the previous version)."""
    if tk.config["ckanext.tgn.dcat.render_on_write"]:
        model.Session.info.setdefault(_IDS_KEY, set()).add(package_id)


def enqueue_committed(session: Any) -> None:
    """SQLAlchemy ``after_commit``: one job for the datasets saved in the transaction."""
    ids = session.info.pop(_IDS_KEY, None)
    if ids:
        try:
            tk.enqueue_job(render_job, [sorted(ids)], title="tgn dcat render")
        except Exception:  # Redis down: the pages will render them when asked
            log.warning("DCAT: render job not queued for %d dataset(s)", len(ids), exc_info=True)


def forget(session: Any, *args: Any) -> None:
    session.info.pop(_IDS_KEY, None)
