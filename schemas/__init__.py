# ckanext-scheming schemas of the platform, shipped as ckanext.tgn.schemas (see setup.py).
