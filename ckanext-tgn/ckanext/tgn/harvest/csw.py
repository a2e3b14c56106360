"""``tgn_csw``: ckanext-spatial's CSW harvester (ISO 19139), with the platform's guards and
mapping. (Being written: only the source type exists so far.)"""

from __future__ import annotations

from ckanext.spatial.harvesters.csw import CSWHarvester

from .base import GuardedHarvester

TYPE = "tgn_csw"


class TgnCswHarvester(GuardedHarvester, CSWHarvester):
    """Catalogues CSW (GeoNetwork, Géoplateforme): ISO 19139 records."""

    def info(self) -> dict[str, str]:
        return {
            "name": TYPE,
            "title": "Catalogue CSW (plateforme Tarn-et-Garonne)",
            "description": "Catalogue CSW / ISO 19139, lu par le moissonneur protégé de la plateforme.",
        }
