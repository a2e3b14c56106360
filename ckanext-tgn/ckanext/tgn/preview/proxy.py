"""What map previews fetch from other servers, through our guarded client.

ckanext-geoview's map views ask the platform for what the browser may not read across
origins: CKAN's resource proxy relays a linked GeoJSON file, geoview's service proxy a WMS's
capabilities. Upstream's two views fetch a resource's URL with plain ``requests`` (private
addresses included) and send back whatever came, an HTML page too, from our own origin.
These views take their place behind the same endpoints (``take_over``): only resources the
visitor may see, public addresses only, only WMS read requests to a WMS, bounded in size and
time, and served with a type and policy that cannot run a script in our origin.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ckan.plugins.toolkit as tk
from flask import Response

from ckanext.tgn.lib import http

RESOURCE_PROXY = "resource_proxy.proxy_view"  # CKAN's resource_proxy plugin
SERVICE_PROXY = "service_proxy.proxy_service"  # ckanext-geoview's blueprint
UPSTREAM_PROXY_MODULES = frozenset({"ckanext.resourceproxy.blueprint", "ckanext.geoview.views"})

# The EU file type a WMS link is filed under (lib/vocabularies/file-type.yaml).
WMS_FORMAT = "WMS_SRVC"
# What a map viewer asks a WMS: reading only (OGC WMS 1.1.1 / 1.3.0 operations and the SLD
# profile's legend).
WMS_REQUESTS = frozenset({"getcapabilities", "getmap", "getlegendgraphic", "getfeatureinfo"})
# The parameters of those requests (WMS 1.1.1 and 1.3.0, the SLD profile's GetLegendGraphic),
# the only ones a viewer may send; the link's own copies give way (an agent often pastes a
# GetCapabilities link). Others a viewer sends are dropped: it cannot override the link's
# map= or key, nor pass SLD= (which makes the WMS fetch a URL of its choosing).
WMS_PARAMETERS = frozenset(
    {"service", "version", "request", "layers", "styles", "bbox", "crs", "srs", "width",
     "height", "format", "transparent", "bgcolor", "exceptions", "time", "elevation",
     "query_layers", "info_format", "feature_count", "i", "j", "x", "y", "layer", "style",
     "rule", "scale", "sld_version"}
)  # fmt: skip
# A file the Leaflet view reads through the proxy (an upload is read from the platform).
FILE_FORMATS = frozenset({"GEOJSON"})
# Types relayed as they come; anything else (HTML, SVG, scripts) goes out as opaque bytes.
SERVED_TYPES = frozenset(
    {"application/json", "application/geo+json", "application/vnd.geo+json", "text/plain",
     "application/xml", "text/xml", "application/vnd.ogc.wms_xml", "application/vnd.ogc.se_xml",
     "application/vnd.ogc.gml", "image/png", "image/jpeg", "image/gif", "image/webp"}
)  # fmt: skip
# A relayed answer is data for the viewer's script, never a page of ours.
SANDBOX = "sandbox; default-src 'none'"
OPAQUE = "application/octet-stream"


def take_over(app: Any) -> None:
    """Put our views behind upstream's proxy endpoints (their URLs and url_for stay).

    Called with the Flask app once every blueprint is registered; fails loudly if the app
    was wrapped first, rather than leave an unguarded proxy in place.
    """
    views: dict[str, Callable[..., Any]] | None = getattr(app, "view_functions", None)
    if views is None:
        raise RuntimeError("tgn_preview must see the Flask app: load it before WSGI wrappers")
    for endpoint, view in ((RESOURCE_PROXY, resource_proxy), (SERVICE_PROXY, service_proxy)):
        if endpoint in views:
            views[endpoint] = view
    left = sorted(name for name, view in views.items() if _is_upstream_proxy(view))
    if left:
        raise RuntimeError(f"unguarded proxy endpoints left in place: {', '.join(left)}")


def _is_upstream_proxy(view: Callable[..., Any]) -> bool:
    """A view of the upstream modules that fetch resource URLs (any endpoint name)."""
    return getattr(view, "__module__", "") in UPSTREAM_PROXY_MODULES


def resource_proxy(id: str, resource_id: str) -> Response:
    """A linked GeoJSON file for the Leaflet view; nothing else (not a general relay)."""
    resource = _visible_resource(resource_id)
    linked = resource.get("url_type") != "upload"
    if not linked or (resource.get("format") or "").upper() not in FILE_FORMATS:
        tk.abort(400, tk._("Only a linked GeoJSON file can be previewed this way."))
    return _relay(_without_fragment(resource.get("url") or ""))


def service_proxy(id: str, resource_id: str) -> Response:
    """One WMS read request (capabilities, a map, a legend) to a WMS resource's server."""
    resource = _visible_resource(resource_id)
    if (resource.get("format") or "").upper() != WMS_FORMAT:
        tk.abort(400, tk._("Only the link of a WMS service can be queried this way."))
    query = wms_query(tk.request.args.items(multi=True))
    return _relay(service_url(resource.get("url") or "", query))


def wms_query(args: Any) -> list[tuple[str, str]]:
    """The viewer's WMS parameters, if they make one WMS read request; else a 400.

    A name given twice (in any case) is refused: the WMS might read the other copy.
    """
    pairs = [(str(k), str(v)) for k, v in args]
    names = [k.casefold() for k, _ in pairs]
    if len(set(names)) != len(names):
        tk.abort(400, tk._("Each parameter of a WMS request may be given only once."))
    given = {k.casefold(): v for k, v in pairs}
    if given.get("service", "").casefold() != "wms":
        tk.abort(400, tk._("The request must be a WMS request (SERVICE=WMS)."))
    if given.get("request", "").casefold() not in WMS_REQUESTS:
        tk.abort(
            400,
            tk._(
                "Only these WMS requests are relayed: GetCapabilities, GetMap, "
                "GetLegendGraphic, GetFeatureInfo."
            ),
        )
    return [(k, v) for k, v in pairs if k.casefold() in WMS_PARAMETERS]


def service_url(link: str, query: list[tuple[str, str]]) -> str:
    """The resource's link with its own WMS parameters replaced by the viewer's.

    Other parameters of the link stay (``map=`` of a MapServer, a key an agent was given).
    """
    parts = urlsplit(_without_fragment(link))
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.casefold() not in WMS_PARAMETERS
    ]
    return urlunsplit(parts._replace(query=urlencode(kept + query)))


def _without_fragment(url: str) -> str:
    # geoview names a layer after '#' in the link: not part of the address.
    return url.split("#", 1)[0]


def _visible_resource(resource_id: str) -> dict[str, Any]:
    """The resource if the visitor may see its dataset; 404 either way otherwise.

    A private dataset's resource answers as a missing one: the proxy does not confirm that
    it exists.
    """
    try:
        return tk.get_action("resource_show")({"user": tk.current_user.name}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("Resource not found"))


def _relay(url: str) -> Response:
    """Fetch ``url`` under the guards; the answer, or the reason in French."""
    timeout = float(tk.config["ckanext.tgn.preview.proxy_timeout"])
    buffer = io.BytesIO()
    try:
        said = http.download(
            url,
            buffer,
            max_size=tk.config["ckanext.tgn.preview.proxy_max_bytes"],
            connect_timeout=timeout,
            read_timeout=timeout,
            deadline=time.monotonic() + 2 * timeout,
            allow_private=tk.config["ckanext.tgn.preview.allow_private_addresses"],
        )
    except http.FetchError as e:
        status, message = _failure(e)
        tk.abort(status, message)
    response = Response(buffer.getvalue(), status=200)
    response.headers["Content-Type"] = served_type(str(said["content_type"]))
    if response.headers["Content-Type"] == OPAQUE:
        response.headers["Content-Disposition"] = "attachment"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A private dataset's link is relayed to its organisation: no shared cache may keep it
    # (CKAN marks a response public unless told, as its templates tell it).
    tk.request.environ["__no_cache__"] = True
    response.headers["Cache-Control"] = "private, no-store"
    return response


def served_type(content_type: str) -> str:
    """The other server's type if it is data a viewer reads, else opaque bytes."""
    media = content_type.split(";", 1)[0].strip().casefold()
    return content_type if media in SERVED_TYPES else OPAQUE


def _failure(error: http.FetchError) -> tuple[int, str]:
    """Status and French words for why the other server's answer is not relayed.

    A private address and an unknown name get the same words: the proxy must not tell what
    lies on the syndicate's network.
    """
    code = error.code
    if code in ("scheme", "bad-url"):
        return 409, tk._("The resource's link is not a valid http:// or https:// address.")
    if code in ("timeout", "time-limit"):
        return 504, tk._("The server of this resource did not answer in time: try again later.")
    if code == "too-large":
        return 502, tk._(
            "The answer of the server of this resource is too large to be previewed: "
            "download it from its link."
        )
    if code == "http-status":
        return 502, tk._("The server of this resource answered with an error ({status}).").format(
            status=error.params.get("status", "")
        )
    return 502, tk._("The server of this resource could not be reached.")
