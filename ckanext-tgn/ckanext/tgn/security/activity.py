"""Activity about a dataset is shown only to who may read the dataset now.

CKAN stores, with each activity, the permission labels the dataset had when it happened
(``public`` for a public dataset) and filters activity streams by them. A dataset deleted,
made private or purged later keeps its old public activities, full content included. Here
the labels of a dataset's activities follow its current state: an activity stays visible to
a reader who could read it when it happened *and* can read the dataset now. The labels it
was recorded with are kept beside, as labels no user holds (``tgn-recorded:<label>``), so
making the dataset public again shows its public history again, and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.lib.plugins import get_permission_labels

RECORDED = "tgn-recorded:"
PUBLIC = "public"


def recorded_labels(stored: list[str]) -> list[str]:
    """The labels the activity was recorded with, before we narrowed them."""
    recorded = [label[len(RECORDED) :] for label in stored if label.startswith(RECORDED)]
    return recorded or list(stored)


def effective_labels(recorded: list[str], current: list[str]) -> list[str]:
    """Readers of the activity then, who may read the dataset now (labels are "or")."""
    if PUBLIC in current:
        return list(recorded)
    if PUBLIC in recorded:
        return list(current)
    return [label for label in recorded if label in current]


def stored_labels(stored: list[str], current: list[str]) -> list[str]:
    """What to store for an activity whose dataset now has these labels (none: purged)."""
    recorded = recorded_labels(stored)
    effective = effective_labels(recorded, current)
    if effective == recorded:
        return recorded
    return effective + [RECORDED + label for label in recorded]


def current_labels(package: model.Package | None) -> list[str]:
    return get_permission_labels().get_dataset_labels(package) if package else []


_LABEL_SETS = sa.text(
    "SELECT DISTINCT permission_labels FROM activity "
    "WHERE object_id = :package_id AND activity_type LIKE '%package'"
)
_RELABEL = sa.text(
    "UPDATE activity SET permission_labels = :labels "
    "WHERE object_id = :package_id AND activity_type LIKE '%package' "
    "AND permission_labels IS NOT DISTINCT FROM :stored"
)


def sync(package_id: str, package: model.Package | None = None) -> int:
    """Align the labels of this dataset's activities on its state; the number changed.

    ``package`` None means the dataset is gone (purged): only sysadmins see its activity.
    Activities with the same labels get the same new ones: one update per set of labels.
    The caller commits.
    """
    labels = current_labels(package)
    changed = 0
    for (stored,) in model.Session.execute(_LABEL_SETS, {"package_id": package_id}).all():
        wanted = stored_labels(list(stored or []), labels)
        if wanted != list(stored or []):
            params = {"labels": wanted, "package_id": package_id, "stored": stored}
            changed += model.Session.execute(_RELABEL, params).rowcount  # pyright: ignore[reportAttributeAccessIssue]  # a CursorResult
    return changed


def sync_named(refs: Iterable[str], reread: bool = False) -> int:
    """`sync` for datasets named by id or name (as action data dicts name them), each once;
    ``reread``: the package row was changed by SQL behind the session."""
    changed = 0
    packages = {p.id: p for p in (model.Package.get(ref) for ref in refs) if p is not None}
    for package in packages.values():
        if reread:
            model.Session.expire(package, ["private", "state", "owner_org"])
        changed += sync(package.id, package)
    return changed


def every_dataset_with_activity() -> Iterator[tuple[str, model.Package | None]]:
    """Each dataset id that has activity, with its package (None once purged)."""
    ids = model.Session.execute(
        sa.text("SELECT DISTINCT object_id FROM activity WHERE activity_type LIKE '%package'")
    ).scalars()
    for package_id in list(ids):
        yield package_id, model.Package.get(package_id)


def dataset_refs(data_dict: dict[str, Any]) -> list[str]:
    """The datasets an action's data dict is about: bulk actions list them."""
    if isinstance(data_dict.get("datasets"), list):
        return [ref for ref in data_dict["datasets"] if isinstance(ref, str)]
    ref = data_dict.get("id")
    return [ref] if isinstance(ref, str) and ref else []
