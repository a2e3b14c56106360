"""The real harvest consumers (``ckan harvester gather-consumer`` / ``fetch-consumer``) on
Redis, as ``make run`` and production start them: a job on a silent server ends by its
deadline and the consumer goes on; a job whose consumer died is ended by ``harvester run``
and the next run makes no duplicate."""

from __future__ import annotations

import datetime
import os
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.tgn.harvest import runner
from ckanext.tgn.lib.context import site_user_context
from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import catalog_ttl, dataset_ttl
from tests.helpers.paths import ROOT

CKAN = str(ROOT / ".venv" / "bin" / "ckan")
FAST = {"connect_timeout_s": 1, "read_timeout_s": 1, "deadline_s": 2}


@pytest.fixture
def consumer(partner, tmp_path_factory) -> Iterator[Callable[[str], subprocess.Popen]]:
    """Start a consumer process on the test database and queues (partners' names resolved
    to the stub by tests/helpers/partner_dns/sitecustomize.py)."""
    queue.purge_queues()
    folder = tmp_path_factory.mktemp("consumer")
    ini = folder / "consumer.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        "ckanext.tgn.harvest.allow_private_addresses = true\n"
        f"ckanext.tgn.harvest.sources_directory = {partner.directory}\n\n"
        # test.ini's logging sections (a config file brings its own)
        + (ROOT / "test.ini")
        .read_text(encoding="utf-8")
        .split("[loggers]", 1)[1]
        .join(["[loggers]", ""]),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "helpers" / "partner_dns")}
    started: list[subprocess.Popen] = []

    def start(kind: str) -> subprocess.Popen:
        log = (folder / f"{kind}.log").open("wb")
        process = subprocess.Popen(
            [CKAN, "-c", str(ini), "harvester", f"{kind}-consumer"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)
    queue.purge_queues()


def queue_job(name: str) -> str:
    source = runner.find_source(name)
    return tk.get_action("harvest_job_create")(site_user_context(), {"source_id": source.id})["id"]


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        model.Session.remove()
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"still waiting after {seconds} s")


def finished(job_id: str) -> bool:
    tk.get_action("harvest_jobs_run")(site_user_context(), {})
    return HarvestJob.get(job_id).status == "Finished"


def test_a_job_on_a_silent_server_ends_and_the_consumer_takes_the_next(partner, consumer):
    base = partner.base
    partner.serve("/silence.ttl", Answer("", delay=5))
    partner.serve(
        "/catalog.ttl", Answer(catalog_ttl([dataset_ttl(1, base)], page=f"{base}/catalog.ttl"))
    )
    partner.add("lente", "/silence.ttl", limits=FAST)
    partner.add("saine")
    gather = consumer("gather")
    consumer("fetch")
    slow, healthy = queue_job("lente"), queue_job("saine")
    wait_until(lambda: finished(slow) and finished(healthy))
    assert gather.poll() is None  # still consuming
    assert [d["title"] for d in partner.datasets("saine")] == ["Jeu numéro 1"]
    status = tk.get_action("tgn_harvest_status")(site_user_context(), {"name": "lente"})[0]
    assert "n'a pas répondu à temps" in status["last_job"]["gather_errors"][0]


def test_a_job_whose_consumer_died_is_ended_and_the_next_run_makes_no_duplicate(
    partner, consumer, ckan_config, monkeypatch
):
    base = partner.base
    records = [dataset_ttl(n, base) for n in (1, 2, 3)]
    partner.serve("/catalog.ttl", Answer(catalog_ttl(records, page=f"{base}/catalog.ttl")))
    partner.add("saine")
    gather = consumer("gather")
    job_id = queue_job("saine")
    wait_until(lambda: HarvestJob.get(job_id).gather_finished is not None)
    gather.kill()  # the fetch consumer never runs: objects wait, the job stays Running
    assert HarvestJob.get(job_id).status == "Running"
    job = HarvestJob.get(job_id)
    job.gather_finished = job.gather_finished - datetime.timedelta(minutes=3)  # idle 3 minutes
    job.save()
    monkeypatch.setitem(ckan_config, "ckan.harvest.timeout", 2)
    assert finished(job_id)
    assert "timeout" in HarvestJob.get(job_id).gather_errors[0].message
    consumer("fetch")  # finds the objects of a finished job: marks them in error
    wait_until(
        lambda: (
            model.Session.query(HarvestObject)
            .filter_by(harvest_job_id=job_id)
            .filter(HarvestObject.state.in_(["WAITING", "FETCH", "IMPORT"]))
            .count()
            == 0
        )
    )
    partner.run("saine")
    partner.run("saine")
    assert [d["title"] for d in partner.datasets("saine")] == [f"Jeu numéro {n}" for n in (1, 2, 3)]
