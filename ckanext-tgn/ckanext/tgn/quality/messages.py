"""What each gap means and how to fix it, in the agent's words (French by our catalogue).

data.gouv.fr's warnings are worded as its dataset page words them (« Licence non
renseignée »...), so that what the agent reads here is what data.gouv.fr will show.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def datagouv_gaps() -> dict[str, tuple[str, str]]:
    """Criterion -> (data.gouv.fr's warning, how to fix it)."""
    _ = tk._
    return {
        "license": (_("Licence not set"), _("Choose a licence in the form.")),
        "temporal_coverage": (
            _("Temporal coverage not set"),
            _("Fill in the start (and end) of the period the data covers."),
        ),
        "spatial": (
            _("Spatial coverage not set"),
            _("Choose the territories the data covers."),
        ),
        "update_frequency": (
            _("Update frequency not set"),
            _("Choose an update frequency other than unknown."),
        ),
        "update_fulfilled_in_time": (
            _("Update frequency not respected"),
            _(
                "Update the data and its modification date, or choose the frequency at which "
                "it really changes."
            ),
        ),
        "dataset_description_quality": (
            _("Data description not filled in"),
            _("Describe the dataset in more than 100 characters: what, where, since when, how."),
        ),
        "has_open_format": (
            _("Non-standard file formats"),
            _(
                "Also publish the data in an open format (CSV, JSON, ODS...), "
                "not only PDF or Excel."
            ),
        ),
        "all_resources_available": (
            _("Some files are not available"),
            _("Check the links of the files."),
        ),
        "resources_documentation": (
            _("File documentation missing"),
            _("Describe at least one file (its description field): what one row is, the units."),
        ),
    }


def mqa_indicators() -> dict[str, tuple[str, str]]:
    """MQA indicator -> (its name, how to earn it)."""
    _ = tk._
    keywords = _("Add keywords (tags).")
    licence = _("Choose a licence in the form.")
    rights = _("Access rights are set by the platform.")
    files = _("Add a file or a link.")
    format_hint = _("Publish a file in an open, machine-readable format (CSV, JSON, GeoJSON...).")
    return {
        "keyword": (_("Keywords"), keywords),
        "theme": (_("Themes"), _("Choose at least one theme.")),
        "spatial": (_("Spatial coverage"), _("Choose the territories the data covers.")),
        "temporal": (_("Period covered"), _("Fill in the period the data covers.")),
        "access_url": (_("Access address of the files"), files),
        "download_url": (_("Download address of the files"), files),
        "download_url_status": (_("Files that can be downloaded"), files),
        "format": (_("File format"), _("Choose the format of each file.")),
        "media_type": (_("Media type (IANA)"), _("Choose a format: the media type follows it.")),
        "format_vocabulary": (
            _("Format from a controlled list"),
            _("Choose the format of each file."),
        ),
        "non_proprietary": (_("Non-proprietary format"), format_hint),
        "machine_readable": (_("Machine-readable format"), format_hint),
        "dcat_ap_compliance": (_("DCAT-AP compliance"), _("Ensured by the platform.")),
        "licence": (_("Licence"), licence),
        "licence_vocabulary": (_("Licence from a controlled list"), licence),
        "access_rights": (_("Access rights"), rights),
        "access_rights_vocabulary": (_("Access rights from a controlled list"), rights),
        "contact_point": (_("Contact point"), _("Fill in a contact name or e-mail address.")),
        "publisher": (_("Publisher"), _("The publishing organisation is set by the platform.")),
        "rights": (_("Rights statement"), _("Not written by the platform: the licence says it.")),
        "byte_size": (_("File size"), _("Upload the files: their size is then known.")),
        "issued": (_("Publication date"), _("Set by the platform.")),
        "modified": (_("Modification date"), _("Set by the platform.")),
    }


def bands() -> dict[str, str]:
    _ = tk._
    return {
        "excellent": _("Excellent"),
        "good": _("Good"),
        "sufficient": _("Sufficient"),
        "bad": _("Insufficient"),
    }


def dimensions() -> dict[str, str]:
    _ = tk._
    return {
        "findability": _("Findability"),
        "accessibility": _("Accessibility"),
        "interoperability": _("Interoperability"),
        "reusability": _("Reusability"),
        "contextuality": _("Contextuality"),
    }
