# ckanext-scheming schemas of the platform, shipped as ckanext.tgn.schemas (see pyproject.toml).
