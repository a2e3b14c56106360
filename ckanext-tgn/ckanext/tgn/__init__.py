"""Plugins of the Tarn-et-Garonne Numérique open data platform, one sub-package each."""

from __future__ import annotations

from pathlib import Path


class TgnTranslation:
    """ITranslation for the bundle's single French catalogue (domain ``ckanext-tgn``).

    Source strings are English; ``ckanext/tgn/i18n/fr`` holds the French. Every plugin with
    user-facing strings implements ITranslation through this mixin.
    """

    def i18n_directory(self) -> str:
        return str(Path(__file__).with_name("i18n"))

    def i18n_locales(self) -> list[str]:
        return ["fr"]

    def i18n_domain(self) -> str:
        return "ckanext-tgn"
