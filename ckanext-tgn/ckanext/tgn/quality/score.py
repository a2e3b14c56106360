"""Two quality scores of one dataset, computed from its CKAN dictionary (pure, no I/O).

- **data.gouv.fr's « qualité des métadonnées »**: the 9 criteria of udata's
  ``Dataset.compute_quality`` / ``quality`` as data.gouv.fr computes them on the dataset it
  harvested from our DCAT feed, so an agent sees here the score data.gouv.fr will show
  (tests/quality/test_udata_agreement.py runs udata's own code on our feed and compares).
- **MQA-style points** of data.europa.eu (findability, accessibility, interoperability,
  reusability, contextuality; 405 points) with its rating band. Availability cannot be
  checked without a link checker: like udata's "unknown", a link counts as answering.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from ckanext.tgn.lib.jsonlist import as_list

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

# --- data.gouv.fr ----------------------------------------------------------------------------
DATAGOUV_MAX = 9
# udata's QUALITY_DESCRIPTION_LENGTH: a description must be longer than this.
DESCRIPTION_LENGTH = 100
# udata's CLOSED_FORMATS, compared with the format as udata reads it from our feed (the EU
# file type's code, lower-cased).
CLOSED_FORMATS = frozenset({"pdf", "doc", "docx", "word", "xls", "excel", "xlsx"})
# The update interval udata gives each EU frequency we offer (UpdateFrequency's deltas);
# None: no regular update is expected, the criterion is met. UNKNOWN is no frequency at all.
FREQUENCY_DELTAS: dict[str, dt.timedelta | None] = {
    "UPDATE_CONT": None,
    "HOURLY": dt.timedelta(hours=1),
    "DAILY": dt.timedelta(days=1),
    "WEEKLY": dt.timedelta(weeks=1),
    "BIWEEKLY": dt.timedelta(weeks=2),
    "MONTHLY": dt.timedelta(days=31),
    "QUARTERLY": dt.timedelta(days=31 * 3),
    "ANNUAL_2": dt.timedelta(days=365),
    "ANNUAL": dt.timedelta(days=365),
    "BIENNIAL": dt.timedelta(days=365 * 2),
    "TRIENNIAL": dt.timedelta(days=365 * 3),
    "IRREG": None,
    "NEVER": None,
}
# data.gouv.fr's criteria, in the order its page lists them.
DATAGOUV_CRITERIA = (
    "license",
    "temporal_coverage",
    "spatial",
    "update_frequency",
    "update_fulfilled_in_time",
    "dataset_description_quality",
    "has_open_format",
    "all_resources_available",
    "resources_documentation",
)


def frequency_code(dataset: dict[str, Any]) -> str:
    value = dataset.get("frequency") or ""
    return value[len(EU_FREQUENCY) :] if value.startswith(EU_FREQUENCY) else ""


def last_update(dataset: dict[str, Any], today: dt.date) -> dt.datetime | None:
    """The dct:modified our feed gives, which udata takes as the dataset's last update: the
    data's date (midnight) unless in the future; when it is empty, the metadata's date and
    time as upstream writes it; a future date gives way to the metadata's day."""
    modified = str(dataset.get("modified") or "")[:10]
    written = str(dataset.get("metadata_modified") or "")
    try:
        if modified:
            day = dt.date.fromisoformat(modified)
            if day <= today:
                return dt.datetime.combine(day, dt.time())
            return dt.datetime.combine(dt.date.fromisoformat(written[:10]), dt.time())
        return dt.datetime.fromisoformat(written) if written else None
    except ValueError:
        return None


def next_update(dataset: dict[str, Any], today: dt.date) -> dt.datetime | None:
    """When the next update is due, for a frequency with an interval (else None)."""
    delta = FREQUENCY_DELTAS.get(frequency_code(dataset))
    updated = last_update(dataset, today)
    if delta is None or updated is None:
        return None
    return updated.replace(tzinfo=None) + delta


def _files(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The files udata keeps: those with an address (it drops a distribution without)."""
    return [r for r in dataset.get("resources") or [] if r.get("url")]


def _outline(dataset: dict[str, Any]) -> bool:
    """Territories (each written with its outline), or a drawn coverage that udata reads:
    a Polygon or MultiPolygon (it drops any other geometry)."""
    if as_list(dataset.get("territories")):
        return True
    try:
        geometry = json.loads(dataset.get("spatial") or "null")
    except (TypeError, ValueError):
        return False
    return isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon")


def datagouv_quality(dataset: dict[str, Any], now: dt.datetime) -> dict[str, bool]:
    """The criteria that apply, met or not, as udata's ``Dataset.quality`` lists them:
    no update criterion without a frequency, no file criteria without files."""
    resources = _files(dataset)
    code = frequency_code(dataset)
    has_frequency = bool(code) and code != "UNKNOWN"
    quality = {
        "license": bool(dataset.get("license_id")),
        # udata accepts a period with a start or an end only.
        "temporal_coverage": bool(dataset.get("temporal_start") or dataset.get("temporal_end")),
        "spatial": _outline(dataset),
        "update_frequency": has_frequency,
        # udata strips the text; a description with HTML-like tags it first converts with
        # html2text, which this does not do (docs/quality.md).
        "dataset_description_quality": len((dataset.get("notes") or "").strip())
        > DESCRIPTION_LENGTH,
    }
    if has_frequency:
        due = next_update(dataset, now.date())
        # udata allows one day late: (next update - now).days >= -1.
        quality["update_fulfilled_in_time"] = due is None or (due - now).days >= -1
    if resources:
        quality["has_open_format"] = not all(
            (r.get("format") or "").casefold() in CLOSED_FORMATS | {""} for r in resources
        )
        quality["all_resources_available"] = True  # unchecked: udata's "unknown"
        quality["resources_documentation"] = any(
            (r.get("description") or "").strip() for r in resources
        )
    return quality


def datagouv_points(quality: dict[str, bool]) -> int:
    """Points out of 9 (data.gouv.fr shows them as a share)."""
    return sum(1 for met in quality.values() if met)


# --- MQA -------------------------------------------------------------------------------------
MQA_MAX = 405
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
# data.europa.eu's rating bands (piveau's scoring code): at least this many points.
BANDS = ((351, "excellent"), (221, "good"), (121, "sufficient"), (0, "bad"))
# data.europa.eu's lists of EU file types (edp-vocabularies): non-proprietary, machine-readable.
NON_PROPRIETARY = frozenset(
    {"BMP", "CSV", "DBF", "GEOJSON", "GZIP", "HTML", "ICS", "JPEG2000", "JSON", "JSON_LD",
     "KML", "KMZ", "NETCDF", "ODS", "PNG", "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG",
     "RDF_TURTLE", "RDF_XML", "RSS", "RTF", "TAR", "TIFF", "TSV", "TXT", "WMS_SRVC", "XML",
     "ZIP"}
)  # fmt: skip
MACHINE_READABLE = frozenset(
    {"CSV", "GEOJSON", "ICS", "JSON", "JSON_LD", "KML", "KMZ", "NETCDF", "ODS", "RDFA",
     "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG", "RDF_TURTLE", "RDF_XML", "RSS", "SHP", "XLS",
     "XLSX", "XML"}
)  # fmt: skip


@dataclass
class Indicator:
    """One MQA indicator: its dimension, weight, and the share of it the dataset earns."""

    name: str
    dimension: str
    weight: int
    share: float

    @property
    def points(self) -> int:
        return round(self.weight * self.share)


@dataclass
class Mqa:
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(i.points for i in self.indicators)

    def dimension(self, name: str) -> int:
        return sum(i.points for i in self.indicators if i.dimension == name)

    @property
    def band(self) -> str:
        return next(band for floor, band in BANDS if self.points >= floor)

    @property
    def missing(self) -> list[Indicator]:
        """Indicators not fully earned, the most points to gain first."""
        gaps = [i for i in self.indicators if i.points < i.weight]
        return sorted(gaps, key=lambda i: i.points - i.weight)


def _share(resources: list[dict[str, Any]], met: Any) -> float:
    return sum(1 for r in resources if met(r)) / len(resources) if resources else 0.0


def _distribution_interoperability(resource: dict[str, Any]) -> dict[str, int]:
    code = (resource.get("format") or "").upper()
    return {
        "format": 20 if code else 0,
        "media_type": 10 if resource.get("mimetype") else 0,
        # Our formats and media types come from the EU and IANA vocabularies (the form and
        # the harvesters map them), so any given is from a vocabulary.
        "format_vocabulary": 10 if code or resource.get("mimetype") else 0,
        "non_proprietary": 20 if code in NON_PROPRIETARY else 0,
        "machine_readable": 20 if code in MACHINE_READABLE else 0,
    }


def mqa(dataset: dict[str, Any]) -> Mqa:
    """The MQA indicators of one dataset, as its DCAT description gives them."""
    resources = [r for r in dataset.get("resources") or [] if r.get("url")]
    indicators = [
        Indicator("keyword", "findability", 30, float(bool(dataset.get("tags")))),
        Indicator("theme", "findability", 30, float(bool(as_list(dataset.get("theme"))))),
        Indicator(
            "spatial",
            "findability",
            20,
            float(bool(as_list(dataset.get("territories")) or dataset.get("spatial"))),
        ),
        Indicator(
            "temporal",
            "findability",
            20,
            float(bool(dataset.get("temporal_start") or dataset.get("temporal_end"))),
        ),
        # Our feed gives every file both URLs; whether they answer is not checked here.
        Indicator("access_url", "accessibility", 50, 1.0 if resources else 0.0),
        Indicator("download_url", "accessibility", 20, 1.0 if resources else 0.0),
        Indicator("download_url_status", "accessibility", 30, 1.0 if resources else 0.0),
    ]
    # Interoperability: the best file counts, per indicator as data.europa.eu scores it.
    best = max(
        (_distribution_interoperability(r) for r in resources),
        key=lambda p: sum(p.values()),
        default={},
    )
    weights = {"format": 20, "media_type": 10, "format_vocabulary": 10,
               "non_proprietary": 20, "machine_readable": 20}  # fmt: skip
    for name, weight in weights.items():
        indicators.append(Indicator(name, "interoperability", weight, best.get(name, 0) / weight))
    # Our feed conforms to the DCAT-AP 3 shapes (tests/dcat checks it with the official SHACL).
    indicators.append(Indicator("dcat_ap_compliance", "interoperability", 30, 1.0))
    has_licence = bool(dataset.get("license_id"))
    has_rights = bool(dataset.get("access_rights"))
    indicators += [
        Indicator("licence", "reusability", 20, float(has_licence)),
        # From the platform's closed list (data.gouv.fr's URLs), not data.europa.eu's list.
        Indicator("licence_vocabulary", "reusability", 10, float(has_licence)),
        Indicator("access_rights", "reusability", 10, float(has_rights)),
        Indicator("access_rights_vocabulary", "reusability", 5, float(has_rights)),
        Indicator(
            "contact_point",
            "reusability",
            20,
            float(bool(dataset.get("contact_email") or dataset.get("contact_name"))),
        ),
        Indicator("publisher", "reusability", 10, float(bool(dataset.get("owner_org")))),
        # No dct:rights is written (the licence says it all).
        Indicator("rights", "contextuality", 5, 0.0),
        Indicator("byte_size", "contextuality", 5, _share(resources, lambda r: r.get("size"))),
        Indicator("issued", "contextuality", 5, float(bool(dataset.get("metadata_created")))),
        Indicator("modified", "contextuality", 5, float(bool(dataset.get("metadata_modified")))),
    ]
    return Mqa(indicators)
