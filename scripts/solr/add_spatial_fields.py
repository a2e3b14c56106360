"""Copy CKAN's Solr schema into a core, adding the fields ckanext-spatial needs.

ckanext-spatial's ``solr-bbox`` search backend indexes a dataset's bounding box as four
float fields plus its area and filters on them; CKAN's schema does not declare them, and its
catch-all ``*`` dynamic field is an unsearchable string. Usage: add_spatial_fields.py SRC DEST
"""

from __future__ import annotations

import sys

SPATIAL_FIELDS = ("bbox_area", "maxx", "maxy", "minx", "miny")


def with_spatial_fields(schema: str) -> str:
    """Return ``schema`` with the solr-bbox fields declared just before ``</fields>``."""
    if "</fields>" not in schema:
        raise SystemExit("schema.xml: no </fields> element, is this CKAN's schema?")
    missing = [name for name in SPATIAL_FIELDS if f'<field name="{name}"' not in schema]
    lines = "".join(
        f'<field name="{name}" type="float" indexed="true" stored="true" />\n' for name in missing
    )
    return schema.replace("</fields>", lines + "</fields>", 1)


def main(src: str, dest: str) -> None:
    with open(src, encoding="utf-8") as f:
        schema = f.read()
    with open(dest, "w", encoding="utf-8") as f:
        f.write(with_spatial_fields(schema))


if __name__ == "__main__":
    main(*sys.argv[1:3])
