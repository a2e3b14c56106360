"""How a link or a file name gets its EU file type when the agent leaves the format blank."""

from __future__ import annotations

import pytest

from ckanext.tgn.lib import vocab

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("https://www.montauban.fr/data/deliberations.csv", "CSV"),
        ("budget-2025.XLSX", "XLSX"),
        ("https://geo.example.fr/geoserver/ows?service=WMS&request=GetCapabilities", "WMS_SRVC"),
        ("https://geo.example.fr/geoserver/wms", "WMS_SRVC"),
        ("https://geo.example.fr/cgi-bin/mapserv?map=/srv/plu.map&SERVICE=WFS", "WFS_SRVC"),
        ("https://geo.example.fr/wms/#zonage", "WMS_SRVC"),
    ],
)
def test_the_file_type_of_a_name(name, code):
    concept = vocab.file_type_for_name(name)

    assert concept is not None and concept.code == code


@pytest.mark.parametrize(
    "name", ["https://www.montauban.fr/donnees", "README", "https://geo.example.fr/?service=WCS"]
)
def test_no_file_type_when_nothing_says_it(name):
    assert vocab.file_type_for_name(name) is None
