"""Downloads an agent's URL safely: http(s) only, public addresses only, bounded in time and size.

An agent types any URL in the resource form; the validator then makes the server fetch
it. Without these limits that would let anyone probe the syndicate's internal network
(169.254.169.254, 127.0.0.1:6379...) or fill the disk. Each redirect is checked again.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypedDict, cast
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .problems import Problem

if TYPE_CHECKING:
    from typing_extensions import Unpack

_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5
_USER_AGENT = "ckanext-tgn (Tarn-et-Garonne Numerique)"


class Limits(TypedDict):
    """The bounds of one download (``download``'s keyword arguments)."""

    max_size: int
    connect_timeout: float
    read_timeout: float
    deadline: float
    allow_private: bool


class FetchError(Problem):
    """Why a URL could not be fetched."""

    prefix = "fetch-"


def host_of(url: str) -> str:
    """The host name of a URL, lower-case, for comparing with a list of allowed hosts."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def check_address(url: str, *, allow_private: bool) -> str | None:
    """Refuse anything but http(s) to public addresses (every address the name resolves to).

    Returns the address to connect to: the request is pinned to it, so a DNS answer that
    changes between this check and the connection (DNS rebinding) cannot redirect it to an
    internal server. None when private addresses are allowed (tests), without pinning.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("scheme", url=url)
    try:
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise FetchError("bad-url", url=url) from e
    if not host:
        raise FetchError("bad-url", url=url)
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError("dns", host=host) from e
    # TCP over IPv4/IPv6: each sockaddr starts with the address text (typeshed's union also
    # has the (int, bytes) of other families).
    addresses = [ipaddress.ip_address(cast(str, info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise FetchError("dns", host=host)
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise FetchError("private-address", host=host)
    return str(addresses[0])


class _PinnedTLS(HTTPAdapter):
    """HTTPS to a checked IP address, with SNI and certificate checked for the host name."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args: Any, **pool_kwargs: Any) -> None:
        pool_kwargs["server_hostname"] = self._hostname
        pool_kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **pool_kwargs)


def _pinned(session: requests.Session, url: str, address: str | None) -> tuple[str, dict[str, str]]:
    """The URL to request (host replaced by the checked address) and the Host header."""
    if address is None:
        return url, {}
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    if parts.scheme == "https":
        session.mount(f"https://{netloc}", _PinnedTLS(parts.hostname or ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": host_header}


def download(
    url: str,
    out: IO[bytes],
    *,
    max_size: int,
    connect_timeout: float,
    read_timeout: float,
    deadline: float,
    allow_private: bool,
    allowed_hosts: frozenset[str] | None = None,
    max_redirects: int = _MAX_REDIRECTS,
    accept: str | None = None,
) -> dict[str, object]:
    """Stream ``url`` into ``out``; return what the server said (type, final URL, bytes).

    ``allowed_hosts``, when given, bounds every hop (the first URL and each redirect) to
    those host names: a harvest source's server cannot send us elsewhere.
    """
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not bypass the checks
    current = url
    try:
        for _ in range(max_redirects + 1):
            if allowed_hosts is not None and host_of(current) not in allowed_hosts:
                raise FetchError("host-not-allowed", url=current, host=host_of(current))
            address = check_address(current, allow_private=allow_private)
            target, host_header = _pinned(session, current, address)
            # The deadline bounds the whole download, redirects and waits for headers
            # included: no wait may outlast it.
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError("time-limit")
            response = session.get(
                target,
                stream=True,
                allow_redirects=False,
                timeout=(min(connect_timeout, left), min(read_timeout, left)),
                headers={
                    "User-Agent": _USER_AGENT,
                    **({"Accept": accept} if accept else {}),
                    **host_header,
                },
            )
            if response.is_redirect:
                current = urljoin(current, response.headers.get("Location", ""))
                response.close()
                continue
            break
        else:
            raise FetchError("redirects", url=url)
        with response:
            if response.status_code >= 400:
                raise FetchError("http-status", status=response.status_code, url=current)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_size:
                raise FetchError("too-large", size=int(declared), limit=max_size)
            written = 0
            # read1 answers as soon as some bytes arrive (each wait bounded by the read
            # timeout), so a server trickling one byte a second meets the deadline; bytes
            # are counted decoded, so a small gzip bomb meets the size cap.
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                written += len(chunk)
                if written > max_size:
                    raise FetchError("too-large", size=written, limit=max_size)
                if time.monotonic() > deadline:
                    raise FetchError("time-limit")
                out.write(chunk)
            return {
                "url": current,
                "content_type": response.headers.get("Content-Type", ""),
                "bytes": written,
            }
    except (requests.Timeout, urllib3.exceptions.TimeoutError) as e:
        raise FetchError("timeout", url=current) from e
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
        raise FetchError("connection", url=current, detail=type(e).__name__) from e
    finally:
        session.close()


def fetch_bytes(
    url: str,
    *,
    max_size: int,
    timeouts: tuple[float, float],
    allow_private: bool,
    time_limit: float = 60,
    allowed_hosts: frozenset[str] | None = None,
    max_redirects: int = _MAX_REDIRECTS,
    accept: str | None = None,
) -> bytes:
    """A small document (a schema, the catalogue) in memory, under the same rules."""
    return fetch_document(
        url,
        max_size=max_size,
        timeouts=timeouts,
        allow_private=allow_private,
        time_limit=time_limit,
        allowed_hosts=allowed_hosts,
        max_redirects=max_redirects,
        accept=accept,
    )[0]


def fetch_document(
    url: str,
    *,
    max_size: int,
    timeouts: tuple[float, float],
    allow_private: bool,
    time_limit: float = 60,
    allowed_hosts: frozenset[str] | None = None,
    max_redirects: int = _MAX_REDIRECTS,
    accept: str | None = None,
) -> tuple[bytes, dict[str, object]]:
    """A document in memory with what the server said about it (type, final URL)."""
    buffer = io.BytesIO()
    said = download(
        url,
        buffer,
        max_size=max_size,
        connect_timeout=timeouts[0],
        read_timeout=timeouts[1],
        deadline=time.monotonic() + time_limit,
        allow_private=allow_private,
        allowed_hosts=allowed_hosts,
        max_redirects=max_redirects,
        accept=accept,
    )
    return buffer.getvalue(), said


def save(url: str, path: Path, **limits: Unpack[Limits]) -> dict[str, object]:
    """Download into ``path`` (created by the caller in a private temporary folder)."""
    with path.open("wb") as out:
        return download(url, out, **limits)
