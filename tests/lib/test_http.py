"""The guarded HTTP client of lib/http.py: the address checked is the address dialled, and
TLS keeps the host name when the connection is pinned to an address.

No service: a local HTTPS server and intercepted connections on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
from typing import Any

import pytest
import requests

from ckanext.tgn.lib import http as guarded
from tests.helpers.tables import VALID_CSV

pytestmark = pytest.mark.unit


class TestGuardedFetch:
    def test_the_time_limit_bounds_the_wait_for_the_answer(self, table_server):
        """A server that holds its headers back is given up at the deadline, not at the
        (longer) read timeout: the limit is the whole download's."""
        started = time.monotonic()
        with pytest.raises(guarded.FetchError) as failed:
            guarded.fetch_bytes(
                f"{table_server}/slow/4",
                max_size=10_000,
                timeouts=(10, 10),
                allow_private=True,
                time_limit=1,
            )
        assert failed.value.code == "timeout"
        assert time.monotonic() - started < 3

    def test_the_connection_goes_to_the_address_that_was_checked(
        self, table_server, served, monkeypatch
    ):
        """DNS rebinding: the name resolves to a public address for the check, then to
        127.0.0.1; the connection must still go to the checked address, never here. No
        packet leaves the machine: the connection itself is intercepted."""
        import urllib3.util.connection

        served["files"]["t.csv"] = VALID_CSV
        port = int(table_server.rsplit(":", 1)[1])
        real = socket.getaddrinfo
        answers = iter(["93.184.216.34"])  # public for the check, 127.0.0.1 afterwards

        def rebinding(host, *args, **kwargs):
            if host == "rebind.example":
                address = next(answers, "127.0.0.1")
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
            return real(host, *args, **kwargs)

        dialled = []

        def intercepted(address, *args, **kwargs):
            dialled.append(address)
            raise ConnectionRefusedError("intercepted by the test")

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        monkeypatch.setattr(urllib3.util.connection, "create_connection", intercepted)
        with pytest.raises(guarded.FetchError) as failed:
            guarded.fetch_bytes(
                f"http://rebind.example:{port}/files/t.csv",
                max_size=10_000,
                timeouts=(1, 1),
                allow_private=False,
            )
        assert failed.value.code == "connection"
        assert dialled == [("93.184.216.34", port)]
        assert served["requests"] == []

    def test_pinned_https_keeps_the_host_name_for_tls(self, tmp_path):
        """Pinned to an address, TLS still sends the name (SNI) and checks the certificate
        against it."""
        import ssl

        cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=donnees.exemple",
             "-addext", "subjectAltName=DNS:donnees.exemple"],
            check=True, capture_output=True,
        )  # fmt: skip
        seen: dict[str, Any] = {}
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

        def record_sni(sock: Any, name: str, ctx: Any) -> None:
            seen["sni"] = name

        context.sni_callback = record_sni

        class Hello(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                seen["host"] = self.headers["Host"]
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        try:
            session = requests.Session()
            url, headers = guarded._pinned(
                session, f"https://donnees.exemple:{port}/t.csv", "127.0.0.1"
            )
            response = session.get(url, headers=headers, verify=str(cert), timeout=5)
            assert response.text == "ok"
            assert seen == {"sni": "donnees.exemple", "host": f"donnees.exemple:{port}"}
            session = requests.Session()
            url, headers = guarded._pinned(session, f"https://autre.exemple:{port}/", "127.0.0.1")
            with pytest.raises(requests.exceptions.SSLError):
                session.get(url, headers=headers, verify=str(cert), timeout=5)
        finally:
            server.shutdown()
