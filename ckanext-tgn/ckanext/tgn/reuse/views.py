"""A reuse has no files: CKAN's resource pages of the type lead to the reuse itself.

CKAN's dataset form always sends its first step's phase, so after creating a reuse it opens
the resource form (ckan.dataset.create_on_ui_requires_resources); the reuse is already saved
and active then (the form's button says so), and its page is where the agent belongs.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import request
from werkzeug.wrappers.response import Response

RESOURCE_PAGES = frozenset({"reuse_resource.new", "reuse_resource.edit", "reuse_resource.read"})


def no_resource_pages() -> Response | None:
    if request.endpoint in RESOURCE_PAGES and request.view_args:
        return tk.redirect_to("reuse.read", id=request.view_args["id"])
    return None
