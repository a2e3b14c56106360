"""``tgn_ckan``: ckanext-harvest's CKAN harvester, with the platform's guards and mapping.
(Being written: only the source type exists so far.)"""

from __future__ import annotations

from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

from .base import GuardedHarvester

TYPE = "tgn_ckan"


class TgnCkanHarvester(GuardedHarvester, CKANHarvester):
    """Another CKAN portal, through its action API."""

    def info(self) -> dict[str, str]:
        return {
            "name": TYPE,
            "title": "Portail CKAN (plateforme Tarn-et-Garonne)",
            "description": "Portail CKAN lu par son API, par le moissonneur protégé de la plateforme.",
        }
