"""Strings of CKAN core and its extensions that their French catalogues leave untranslated.

They are shown on the portal's pages (tests/browser/test_pages.py lists any English left), so
they are named here for `make i18n` to extract, and translated in our catalogue, which CKAN
merges over its own. Never called: the module exists for the extractor.
"""

from __future__ import annotations

from ckan.plugins.toolkit import _

CORE_STRINGS = (
    _("Submit"),
    _("Close"),
    _("Dataset description:"),
    # ckanext-geoview's map views (title of the view a WMS link gets, its name in the menu).
    _("Map viewer"),
    _("Map viewer (OpenLayers)"),
    _(
        'You can use <a href="#markdown" title="Markdown quick reference" '
        'data-bs-toggle="popover" data-bs-content="%(markdown_tooltip)s" '
        'data-bs-html="true">Markdown formatting</a> here'
    ),
)
