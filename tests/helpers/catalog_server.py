"""A partner's catalog server on 127.0.0.1 for the harvest tests: each test says what every
path answers (status, body, type, redirects, delays, a trickle, gzip), and every request the
harvesters make is recorded, so a test can assert that nothing else was asked.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Answer:
    body: bytes | str = b""
    content_type: str = "text/turtle; charset=utf-8"
    status: int = 200
    location: str | None = None  # a redirect
    delay: float = 0  # silence before the headers
    trickle: float = 0  # seconds between bytes of the body
    gzip: bool = False
    content_length: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip.compress(body) if self.gzip else body


class Handler(http.server.BaseHTTPRequestHandler):
    state: ClassVar[dict[str, Any]] = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.state.setdefault("bodies", []).append(self.rfile.read(length))
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        self.state.setdefault("requests", []).append(f"{self.command} {self.path}")
        self.state.setdefault("hosts", []).append(self.headers.get("Host", "").split(":")[0])
        routes = self.state.get("routes", {})
        answer = routes.get(self.path) or routes.get(self.path.split("?", 1)[0])
        if callable(answer):
            answer = answer(self)
        if answer is None:
            answer = Answer(b"not found", "text/plain", 404)
        if answer.delay:
            time.sleep(answer.delay)
        body = answer.payload()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.location:
                self.send_header("Location", answer.location)
            if answer.gzip:
                self.send_header("Content-Encoding", "gzip")
            if answer.content_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if head:
                return
            if answer.trickle:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(answer.trickle)
            else:
                self.wfile.write(body)
            if not answer.content_length:
                self.close_connection = True


@contextlib.contextmanager
def serving() -> Iterator[str]:
    """The server in a thread; yields its base URL (http://127.0.0.1:<port>)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fresh_state() -> dict[str, Any]:
    Handler.state = {"routes": {}, "requests": []}
    return Handler.state
