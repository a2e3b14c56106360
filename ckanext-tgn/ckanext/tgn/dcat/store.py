"""The fragment cache in PostgreSQL (tables created by this plugin's migration), and the
catalogs' membership, read from the live ``package`` table on every request.

Which datasets a page holds, and in what order, never comes from the cache: a dataset made
private or deleted in bulk (``bulk_update_*`` fires no dataset hook) leaves every page at
once. A stored fragment is only used while it was rendered from the version of its dataset
the search index holds (checked in catalog.py), under the same generation of code and
reference data, the same organisation signature, and the date allows it. There is no foreign
key to ``package``: a deleted or purged dataset's row is simply never reached (the membership
query starts from ``package``) and ``warm`` or ``prune`` removes it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.exc import SQLAlchemyError

from .fragments import COLUMNS, Block, Fragment

metadata = sa.MetaData()

fragment_table = sa.Table(
    "tgn_dcat_fragment",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("uri", sa.UnicodeText, nullable=False),
    sa.Column("revision", sa.DateTime, nullable=False),
    sa.Column("indexed", sa.UnicodeText, nullable=False),
    sa.Column("generation", sa.UnicodeText, nullable=False),
    sa.Column("org_sig", sa.UnicodeText, nullable=False),
    sa.Column("valid_until", sa.Date),
    sa.Column("shared", sa.UnicodeText, nullable=False),
    sa.Column("ttl", sa.UnicodeText, nullable=False),
    sa.Column("rdfxml", sa.UnicodeText, nullable=False),
    sa.Column("jsonld", sa.UnicodeText, nullable=False),
    sa.Column("rendered", sa.DateTime, nullable=False),
)
shared_table = sa.Table(
    "tgn_dcat_shared",
    metadata,
    sa.Column("key", sa.UnicodeText, primary_key=True),
    sa.Column("ttl", sa.UnicodeText, nullable=False),
    sa.Column("rdfxml", sa.UnicodeText, nullable=False),
    sa.Column("jsonld", sa.UnicodeText, nullable=False),
)

# What the catalogs list: public, active datasets of the catalog type, except those harvested
# from a catalog data.gouv.fr already reads (the same rules as the search in catalog.py).
_PUBLIC = """
    p.state = 'active' AND NOT coalesce(p.private, false) AND p.type = :type
    AND NOT EXISTS (
        SELECT 1 FROM package_extra e
        WHERE e.package_id = p.id AND e.key = 'datagouv_expose' AND e.value = 'false'
          AND coalesce(e.state, 'active') = 'active')
"""
# Solr keeps dates to the millisecond and compares ids byte by byte: the same order here.
_ORDER = """date_trunc('milliseconds', p.metadata_created), p.id COLLATE "C" """
# Everything of an organisation a dataset's description may show (name, title, SIREN, site…).
_ORG_SIG = """
    md5(concat_ws(chr(31), g.id, g.name, g.title, g.state, (
        SELECT string_agg(ge.key || '=' || coalesce(ge.value, ''), chr(31) ORDER BY ge.key)
        FROM group_extra ge WHERE ge.group_id = g.id AND coalesce(ge.state, 'active') = 'active'
    )))
"""


@dataclass
class Entry:
    """A dataset of a page, with its stored fragment if generation, organisation and date
    still hold; ``indexed`` says which indexed version of the dataset it was rendered from."""

    package_id: str
    org_sig: str
    uri: str | None = None
    shared: list[str] | None = None
    body: str | None = None
    indexed: str | None = None

    @property
    def fresh(self) -> bool:
        return self.body is not None


def _where(owner_org: str | None) -> str:
    return _PUBLIC + (" AND p.owner_org = :org" if owner_org else "")


def count(catalog_type: str, owner_org: str | None) -> int:
    sql = f"SELECT count(*) FROM package p WHERE {_where(owner_org)}"
    return int(
        model.Session.execute(sa.text(sql), {"type": catalog_type, "org": owner_org}).scalar() or 0
    )


def page_ids(catalog_type: str, owner_org: str | None, rows: int, offset: int) -> list[str]:
    sql = (
        f"SELECT p.id FROM package p WHERE {_where(owner_org)} "
        f"ORDER BY {_ORDER} LIMIT :rows OFFSET :offset"
    )
    params = {"type": catalog_type, "org": owner_org, "rows": rows, "offset": offset}
    return [row[0] for row in model.Session.execute(sa.text(sql), params)]


def entries(
    ids: Sequence[str], catalog_type: str, column: str, generation: str, today: dt.date
) -> list[Entry]:
    """The public ones of ``ids``, in that order, each with its stored fragment in ``column``
    unless the generation, the organisation's signature or the date rule it out."""
    if not ids:
        return []
    assert column in COLUMNS
    sql = f"""
        WITH listed AS (
            SELECT p.id, {_ORG_SIG} AS org_sig
            FROM package p LEFT JOIN "group" g ON g.id = p.owner_org
            WHERE p.id = ANY(:ids) AND {_PUBLIC})
        SELECT listed.id, listed.org_sig, f.uri, f.shared, f.{column}, f.indexed
        FROM listed
        LEFT JOIN tgn_dcat_fragment f ON f.package_id = listed.id
            AND f.generation = :generation AND f.org_sig = listed.org_sig
            AND (f.valid_until IS NULL OR f.valid_until >= :today)
    """
    params = {"ids": list(ids), "type": catalog_type, "generation": generation, "today": today}
    found = {}
    for row in model.Session.execute(sa.text(sql), params):
        entry = Entry(row[0], row[1])
        if row[4] is not None:
            entry.uri, entry.shared, entry.body, entry.indexed = (
                row[2],
                json.loads(row[3]),
                row[4],
                row[5],
            )
        found[entry.package_id] = entry
    return [found[i] for i in ids if i in found]


# --- shared blocks: content-addressed, so a copy in memory is never stale ----------------------
_MEMORY: OrderedDict[tuple[str, str], str] = OrderedDict()
_MEMORY_SIZE = 3000  # about 200 territories with their outlines, concepts, publishers x 3
_MEMORY_LOCK = threading.Lock()


def _remember(key: str, column: str, body: str) -> None:
    with _MEMORY_LOCK:
        _MEMORY[(key, column)] = body
        _MEMORY.move_to_end((key, column))
        while len(_MEMORY) > _MEMORY_SIZE:
            _MEMORY.popitem(last=False)


def forget_memory() -> None:
    """Forget the shared blocks held in memory (after the tables were emptied)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def blocks(keys: Sequence[str], column: str) -> dict[str, str]:
    """The shared blocks of ``keys`` that exist, in ``column``."""
    with _MEMORY_LOCK:
        found = {key: _MEMORY[(key, column)] for key in keys if (key, column) in _MEMORY}
    missing = [key for key in keys if key not in found]
    if missing:
        query = sa.select(shared_table.c.key, shared_table.c[column]).where(
            shared_table.c.key.in_(missing)
        )
        for key, body in model.Session.execute(query):
            found[key] = body
            _remember(key, column, body)
    return found


def save(fragments: Sequence[Fragment], org_sigs: dict[str, str], generation: str) -> None:
    """Store fragments and their new shared blocks; a failure loses the cache write only."""
    if not fragments:
        return
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    new_blocks: dict[str, Block] = {b.key: b for f in fragments for b in f.blocks}
    try:
        if new_blocks:
            insert = postgresql_insert(shared_table).values(
                [{"key": b.key, **b.bodies} for b in new_blocks.values()]
            )
            model.Session.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
        rows = [
            {
                "package_id": f.package_id,
                "uri": f.uri,
                "revision": f.revision,
                "indexed": f.indexed,
                "generation": generation,
                "org_sig": org_sigs[f.package_id],
                "valid_until": f.valid_until,
                "shared": json.dumps(f.shared),
                **f.bodies,
                "rendered": now,
            }
            for f in fragments
        ]
        insert = postgresql_insert(fragment_table).values(rows)
        update = {c: insert.excluded[c] for c in rows[0] if c != "package_id"}
        model.Session.execute(
            insert.on_conflict_do_update(index_elements=["package_id"], set_=update)
        )
        model.Session.commit()
    except SQLAlchemyError:
        model.Session.rollback()
        raise
    for block in new_blocks.values():
        for column, body in block.bodies.items():
            _remember(block.key, column, body)


def _deleted(result: Any) -> int:
    """Rows a DELETE removed (SQLAlchemy's stubs type execute() without rowcount)."""
    return int(result.rowcount or 0)


def clear() -> tuple[int, int]:
    """Empty the cache: (fragments, shared blocks) removed."""
    fragments = _deleted(model.Session.execute(fragment_table.delete()))
    shared = _deleted(model.Session.execute(shared_table.delete()))
    model.Session.commit()
    forget_memory()
    return fragments, shared


def prune(catalog_type: str) -> tuple[int, int]:
    """Remove the fragments of datasets no catalog lists and the blocks nothing refers to."""
    fragments = _deleted(
        model.Session.execute(
            sa.text(
                f"""DELETE FROM tgn_dcat_fragment f WHERE NOT EXISTS (
                SELECT 1 FROM package p WHERE p.id = f.package_id AND {_PUBLIC})"""
            ),
            {"type": catalog_type},
        )
    )
    shared = _deleted(
        model.Session.execute(
            sa.text(
                """DELETE FROM tgn_dcat_shared WHERE key NOT IN (
                SELECT jsonb_array_elements_text(f.shared::jsonb) FROM tgn_dcat_fragment f)"""
            )
        )
    )
    model.Session.commit()
    forget_memory()
    return fragments, shared


def listed_ids(catalog_type: str, owner_org: str | None) -> list[str]:
    """Every dataset the catalog lists, in catalog order."""
    return page_ids(catalog_type, owner_org, 2**31 - 1, 0)


def stored_count() -> int:
    return int(
        model.Session.execute(sa.select(sa.func.count()).select_from(fragment_table)).scalar() or 0
    )
