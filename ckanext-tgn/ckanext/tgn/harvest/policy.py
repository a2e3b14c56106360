"""A registered source's policy, read back from the ckanext-harvest source row.

``sync`` stores the checked file as the source's ``config`` (JSON); harvesters read it here,
typed, at every job. A source row without our config (typed by hand into the database) is
refused: only reviewed files are harvested.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .sources import Limits, Source, limits

CONFIG_KEY = "tgn"


class PolicyMissing(ValueError):
    """The source was not registered from a file of harvest_configs/."""


def config_of(source: Source) -> str:
    """The JSON stored as the harvest source's ``config``: everything the jobs need."""
    return json.dumps(
        {
            CONFIG_KEY: {
                "file": source.file,
                "name": source.name,
                "siren": source.siren,
                "allowed_hosts": sorted(source.allowed_hosts),
                **source.policy,
            }
        },
        sort_keys=True,
        ensure_ascii=False,
    )


@dataclass(frozen=True)
class SourcePolicy:
    raw: dict[str, Any]
    organization_title: str = ""
    organization_email: str = ""

    @classmethod
    def from_config(cls, config: str | None, **org: str) -> SourcePolicy:
        try:
            data = json.loads(config or "{}")
        except ValueError:
            data = {}
        raw = data.get(CONFIG_KEY) if isinstance(data, dict) else None
        if not isinstance(raw, dict) or "allowed_hosts" not in raw or "datagouv" not in raw:
            raise PolicyMissing(
                "source non déclarée par un fichier de harvest_configs/ : déclarez-la puis "
                "lancez « ckan tgn harvest sync »"
            )
        return cls(raw, **org)

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def file(self) -> str:
        return self.raw.get("file", "")

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(self.raw["allowed_hosts"])

    @property
    def limits(self) -> Limits:
        return limits(self.raw)

    @property
    def rdf_format(self) -> str:
        return self.raw.get("format", "auto")

    @property
    def filters(self) -> dict[str, Any]:
        return self.raw.get("filters") or {}

    @property
    def deletion(self) -> dict[str, Any]:
        return self.raw.get("deletion") or {"policy": "keep"}

    @property
    def datagouv_expose(self) -> bool:
        return bool(self.raw["datagouv"]["expose"])

    def _m(self, key: str, default: Any) -> Any:
        return (self.raw.get("mapping") or {}).get(key, default)

    @property
    def licence_default(self) -> str | None:
        return self._m("licence_default", None)

    @property
    def theme_default(self) -> list[str]:
        return list(self._m("theme_default", []))

    @property
    def theme_map(self) -> dict[str, str]:
        return dict(self._m("theme_map", {}))

    @property
    def frequency_default(self) -> str:
        return self._m(
            "frequency_default",
            "http://publications.europa.eu/resource/authority/frequency/UNKNOWN",
        )

    @property
    def frequency_map(self) -> dict[str, str]:
        return dict(self._m("frequency_map", {}))

    @property
    def territories_default(self) -> list[str]:
        return list(self._m("territories_default", []))

    @property
    def territories_from_records(self) -> bool:
        return bool(self._m("territories_from_records", True))

    @property
    def contact_name(self) -> str:
        return self._m("contact_name", "")

    @property
    def contact_email(self) -> str:
        return self._m("contact_email", "")

    @property
    def keep_local(self) -> list[str]:
        return list(self._m("keep_local", []))
