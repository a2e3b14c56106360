"""The production reverse proxy (docker/proxy/nginx.conf), checked by Debian's nginx (the
package docker/proxy/Dockerfile installs): `nginx -t` on the file as shipped, then the same
file served on loopback in front of a stub upstream, for what the file promises: HTTPS only,
the security headers, the forwarded headers CKAN needs, the upload limit, the rate limit of
dynamic pages, the health check and the ACME folder."""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.unit

CONF = ROOT / "docker" / "proxy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(folder: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=data.example.test", "-keyout", str(folder / "privkey.pem"),
         "-out", str(folder / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _conf(tmp: Path, replacements: dict[str, str]) -> Path:
    text = CONF.read_text(encoding="utf-8")
    for old, new in {"/etc/nginx/tls/": f"{tmp}/", **replacements}.items():
        assert old in text, f"{old!r} is no longer in nginx.conf: update this test"
        text = text.replace(old, new)
    path = tmp / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def test_nginx_accepts_the_shipped_configuration(tmp_path):
    _certificate(tmp_path)
    # Only the certificate's folder changes: `ckan` (the web service's name, unknown here) is
    # resolved at request time through a variable, so the proxy starts without it.
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(_conf(tmp_path, {}))], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


class _Upstream(http.server.BaseHTTPRequestHandler):
    """CKAN's stand-in: answers every request with the headers it received."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        _Upstream.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b"page " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory) -> Iterator[dict[str, int]]:
    tmp = tmp_path_factory.mktemp("proxy")
    _certificate(tmp)
    (tmp / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
    (tmp / "acme" / ".well-known" / "acme-challenge" / "jeton").write_text("preuve")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {"http": _free_port(), "https": _free_port()}
    replacements = {
        "pid /run/nginx.pid;": f"pid {tmp}/nginx.pid;",
        "listen 80 default_server;": f"listen 127.0.0.1:{ports['http']} default_server;",
        "listen 443 ssl http2 default_server;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
        "set $ckan http://ckan:5000;": f"set $ckan http://127.0.0.1:{upstream.server_port};",
        "root /var/www/acme;": f"root {tmp}/acme;",
    }
    # The workers must read the test's private folder (pytest makes it 0700): as root, they
    # run as root here; as another user, nginx cannot switch user and the line must go.
    replacements["user www-data;"] = "user root;" if os.geteuid() == 0 else ""
    process = subprocess.Popen(
        [NGINX, "-c", str(_conf(tmp, replacements)), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", ports["https"]), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
    yield ports
    process.terminate()
    process.wait(10)
    upstream.shutdown()


def _client_context() -> ssl.SSLContext:
    """One context for every request: loading the CA bundle each time (~50 ms) would space
    the requests out so much that the rate limit is never reached."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_TLS = _client_context()


def _get(port: int, path: str, tls: bool = True, method: str = "GET", headers=None):
    if tls:
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10, context=_TLS
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers={"Host": "data.example.test", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_plain_http_only_redirects_to_https(proxy):
    response, _ = _get(proxy["http"], "/dataset/budget?page=2", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://data.example.test/dataset/budget?page=2"


def test_health_check_and_acme_challenge_over_http(proxy):
    response, body = _get(proxy["http"], "/healthz", tls=False)
    assert (response.status, body) == (200, b"ok\n")
    response, body = _get(proxy["http"], "/.well-known/acme-challenge/jeton", tls=False)
    assert (response.status, body) == (200, b"preuve")


def test_https_reaches_ckan_with_the_forwarded_headers_and_security_headers(proxy):
    _Upstream.seen.clear()
    response, body = _get(proxy["https"], "/dataset/budget")
    assert (response.status, body) == (200, b"page /dataset/budget")
    seen = _Upstream.seen[-1]
    assert seen["host"] == "data.example.test"
    assert seen["x-forwarded-proto"] == "https"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert response.getheader("Strict-Transport-Security") == "max-age=63072000"
    assert "camera=()" in (response.getheader("Permissions-Policy") or "")
    assert response.getheader("Server") == "nginx"  # no version given away


def test_an_upload_over_the_limit_is_refused_before_ckan_sees_it(proxy):
    _Upstream.seen.clear()
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", proxy["https"], context=context)
    connection.putrequest("POST", "/api/3/action/resource_create")
    connection.putheader("Content-Length", str(111 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()
    assert _Upstream.seen == []


def test_dynamic_pages_are_rate_limited_static_files_more_loosely(proxy):
    statuses = [_get(proxy["https"], f"/dataset/?q={n}")[0].status for n in range(70)]
    assert statuses.count(429) > 0 and statuses[:40].count(200) == 40
    static = [_get(proxy["https"], f"/webassets/app-{n}.css")[0] for n in range(70)]
    assert {r.status for r in static} == {200}
    assert static[0].getheader("Cache-Control") == "max-age=86400"
    # Static files have a limit of their own, five times looser (a missing file is a page
    # CKAN renders): a client asking hundreds a second is stopped there too.
    more = [_get(proxy["https"], f"/base/img-{n}.png")[0].status for n in range(400)]
    assert more.count(429) > 0 and more[:150].count(200) == 150
