"""A small WMS on 127.0.0.1 for the map previews' tests, and a few other answers.

``/wms`` answers GetCapabilities (WMS 1.3.0, one layer over Tarn-et-Garonne) and GetMap (a
PNG tile); ``/files/<name>`` serves what a test puts in ``state["files"]`` as
(content type, body). Every request is recorded in ``state["requests"]`` as (path, query
parameters with lower-case names), and in ``state["raw"]`` as (path, the query's pairs as
sent, in order and duplicates kept).
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from tests.helpers import table_server

LAYER = "zonage_plui"
LAYER_TITLE = "Zonage du PLUi"

CAPABILITIES = f"""<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <Service><Name>WMS</Name><Title>Urbanisme 82 (test)</Title></Service>
  <Capability>
    <Request>
      <GetCapabilities><Format>text/xml</Format></GetCapabilities>
      <GetMap><Format>image/png</Format></GetMap>
    </Request>
    <Exception><Format>XML</Format></Exception>
    <Layer>
      <Title>Urbanisme</Title>
      <CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>
      <Layer queryable="0">
        <Name>{LAYER}</Name>
        <Title>{LAYER_TITLE}</Title>
        <EX_GeographicBoundingBox>
          <westBoundLongitude>0.73</westBoundLongitude>
          <eastBoundLongitude>2.0</eastBoundLongitude>
          <southBoundLatitude>43.77</southBoundLatitude>
          <northBoundLatitude>44.4</northBoundLatitude>
        </EX_GeographicBoundingBox>
        <BoundingBox CRS="EPSG:4326" minx="43.77" miny="0.73" maxx="44.4" maxy="2.0"/>
      </Layer>
    </Layer>
  </Capability>
</WMS_Capabilities>
""".encode()


def png(width: int = 256, height: int = 256, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A plain-colour PNG image, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


TILE = png()


class Handler(table_server.Handler):
    state: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        raw = parse_qsl(parts.query, keep_blank_values=True)
        params = {k.lower(): v for k, v in raw}
        self.state.setdefault("requests", []).append((parts.path, params))
        self.state.setdefault("raw", []).append((parts.path, raw))
        if parts.path == "/wms":
            request = params.get("request", "").lower()
            if request == "getcapabilities":
                return self._send(200, CAPABILITIES, "text/xml; charset=utf-8")
            if request == "getmap":
                return self._send(200, TILE, "image/png")
            return self._send(400, b"<ServiceExceptionReport/>", "text/xml")
        if parts.path.startswith("/files/"):
            found = self.state.get("files", {}).get(parts.path[len("/files/") :])
            if found is None:
                return self._send(404, b"")
            return self._send(200, found[1], found[0])
        return self._send(404, b"")


@contextlib.contextmanager
def serving() -> Iterator[str]:
    """The server running in a thread; yields its base URL."""
    with table_server.serving(Handler) as url:
        yield url


def fresh_state() -> dict[str, Any]:
    """A new state for one test: no files, no request seen."""
    Handler.state = {"files": {}, "requests": [], "raw": []}
    return Handler.state


def asked(state: dict[str, Any], path: str = "/wms") -> list[dict[str, str]]:
    """The query parameters of every request made to ``path``."""
    return [params for seen, params in state["requests"] if seen == path]
