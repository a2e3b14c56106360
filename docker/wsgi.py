"""WSGI entry point of the production image: CKAN's app, configured by $CKAN_INI."""

from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

application = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
