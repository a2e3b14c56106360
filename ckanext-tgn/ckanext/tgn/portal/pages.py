"""The editorial pages: address, template and title. Their text is in the templates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    title: str  # also the page's <title>, unique on the site

    @property
    def template(self) -> str:
        return f"tgn_portal/pages/{self.endpoint}.html"


PAGES = (
    Page("about", "/a-propos", "À propos de la plateforme"),
    Page("publish", "/publier", "Publier vos données"),
    Page("legal", "/mentions-legales", "Mentions légales"),
    Page("accessibility", "/accessibilite", "Déclaration d'accessibilité"),
    Page("sitemap_page", "/plan-du-site", "Plan du site"),
)
