"""An HTTP server on 127.0.0.1 for the tables and the schema catalogue the tests fetch.

It serves ../shared's copy of schema.data.gouv.fr under /sdgf/, the files a test puts in
``state["files"]`` under /files/, a slow answer under /slow/<seconds> and any status under
/status/<code>; every path asked is recorded in ``state["requests"]``.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from tests.helpers.tables import SDGF, VALID_CSV


class Handler(http.server.BaseHTTPRequestHandler):
    state: ClassVar[dict[str, Any]] = {}

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.state.setdefault("requests", []).append(self.path)
        path = self.path.split("?", 1)[0]
        if path.startswith("/sdgf/"):
            if self.state.get("catalog_down"):
                return self._send(503, b"maintenance")
            target = (SDGF / path[len("/sdgf/") :]).resolve()
            if SDGF.resolve() in target.parents and target.is_file():
                return self._send(200, target.read_bytes(), "application/json")
            return self._send(404, b"not found")
        if path.startswith("/files/"):
            body = self.state.get("files", {}).get(path[len("/files/") :])
            return self._send(200, body, "text/csv") if body is not None else self._send(404, b"")
        if path.startswith("/slow/"):
            time.sleep(float(path[len("/slow/") :]))
            return self._send(200, VALID_CSV, "text/csv")
        if path.startswith("/status/"):
            return self._send(int(path[len("/status/") :]), b"")
        return self._send(404, b"")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@contextlib.contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler] = Handler) -> Iterator[str]:
    """The server running in a thread; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fresh_state() -> dict[str, Any]:
    """A new state for one test: no files, catalogue up, no request seen."""
    Handler.state = {"files": {}, "requests": []}
    return Handler.state
