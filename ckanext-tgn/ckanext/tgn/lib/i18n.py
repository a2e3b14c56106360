"""The bundle's single translation catalogue, shared by every plugin that shows text."""

from __future__ import annotations

from pathlib import Path

I18N_DIRECTORY = Path(__file__).parent.parent / "i18n"


class TgnTranslation:
    """ITranslation for the bundle's single French catalogue (domain ``ckanext-tgn``).

    Source strings are English; ``ckanext/tgn/i18n/fr`` holds the French. Every plugin with
    user-facing strings implements ITranslation through this mixin.
    """

    def i18n_directory(self) -> str:
        return str(I18N_DIRECTORY)

    def i18n_locales(self) -> list[str]:
        return ["fr"]

    def i18n_domain(self) -> str:
        return "ckanext-tgn"
