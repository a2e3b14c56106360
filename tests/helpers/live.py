"""The platform served for real, for the tests that need a browser or a web server.

A CKAN server (``ckan run``) and a jobs worker (``ckan jobs worker``) run as subprocesses on
the test database, Solr core and Redis database, with a config of their own: the site URL is
the server's free port, and xloader downloads uploads from it as it does in production.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.paths import ROOT


@dataclass
class LiveSite:
    url: str
    ini: Path
    logs: Path

    def log_tail(self, chars: int = 4000) -> str:
        text = ""
        for name in ("server.log", "worker.log"):
            path = self.logs / name
            if path.exists():
                text += f"--- {name}\n{path.read_text(errors='replace')[-chars:]}\n"
        return text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_ini(folder: Path, url: str, settings: dict[str, Any]) -> Path:
    test_ini = (ROOT / "test.ini").read_text()
    logging = test_ini[test_ini.index("[loggers]") :]
    lines = [f"{key} = {str(value).lower() if isinstance(value, bool) else value}"
             for key, value in settings.items()]  # fmt: skip
    ini = folder / "live.ini"
    ini.write_text(
        f"[app:main]\nuse = config:{ROOT / 'test.ini'}\nckan.site_url = {url}\n"
        f"ckanext.xloader.site_url = {url}\n" + "\n".join(lines) + f"\n\n{logging}"
    )
    return ini


def _wait_for(url: str, server: subprocess.Popen[bytes], site: LiveSite) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the test server stopped:\n{site.log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/api/3/action/status_show", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the test server did not answer in 90 s:\n{site.log_tail()}")


@contextmanager
def serving(folder: Path, settings: dict[str, Any]) -> Iterator[LiveSite]:
    """Serve the site and run a worker until the block ends; ``settings`` go to their config."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    folder.mkdir(parents=True, exist_ok=True)
    site = LiveSite(url=url, ini=_write_ini(folder, url, settings), logs=folder)
    ckan = str(Path(sys.executable).with_name("ckan"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with (folder / "server.log").open("ab") as log:
            server = subprocess.Popen(
                [ckan, "-c", str(site.ini), "run", "-H", "127.0.0.1", "-p", str(port),
                 "--disable-reloader", "--threaded"],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        processes.append(server)
        with (folder / "worker.log").open("ab") as log:
            worker = [ckan, "-c", str(site.ini), "jobs", "worker"]
            worker_process = subprocess.Popen(worker, stdout=log, stderr=subprocess.STDOUT, env=env)
            processes.append(worker_process)
        _wait_for(url, server, site)
        yield site
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
