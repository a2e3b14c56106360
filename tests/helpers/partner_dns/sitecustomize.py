"""Imported by Python at start-up when this folder is on PYTHONPATH: the harvest consumers
that the tests start as subprocesses resolve the partners' ``*.test`` names to 127.0.0.1,
where the tests' stub catalog listens (the same resolver as tests/helpers/harvest.py)."""

from __future__ import annotations

import socket

_real = socket.getaddrinfo


def _getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
    if isinstance(host, str) and host.endswith(".test"):
        return _real("127.0.0.1", port, *args, **kwargs)
    return _real(host, port, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo
