"""Exposure: nothing of a dataset reaches who may not read it; hardened HTTP responses."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import CKANApp, SignalMapping

from ckanext.tgn.lib.i18n import TgnTranslation
from ckanext.tgn.security import headers, subscriptions, unavailable
from ckanext.tgn.security.logic import action, auth


@tk.blanket.config_declarations
@tk.blanket.auth_functions(auth.auth_functions)
@tk.blanket.actions(action.get_actions)
@tk.blanket.helpers
@tk.blanket.cli
class TgnSecurityPlugin(p.SingletonPlugin, TgnTranslation):
    """404 for unreadable datasets, activity visibility, security headers, no state-changing
    GETs."""

    p.implements(p.ISignal)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ITranslation)

    # ISignal
    def get_signal_subscriptions(self) -> SignalMapping:
        return subscriptions.get_subscriptions()

    # IMiddleware
    def make_middleware(self, app: CKANApp, config: Any) -> CKANApp:
        app.before_request(headers.refuse_state_changing_get)
        app.after_request(headers.header_adder(headers.security_headers()))
        app.after_request(unavailable.answer)
        return app
