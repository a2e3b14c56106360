"""The portal's face: theme, home page, facets, editorial pages, sitemap."""
