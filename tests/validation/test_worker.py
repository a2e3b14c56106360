"""A real `ckan jobs worker --burst` runs the validation queue in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ckan import model
from ckan.tests import helpers

from tests.helpers.paths import ROOT
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV
from tests.helpers.validation import api_report, upload

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")


class TestWorker:
    def test_a_burst_worker_runs_the_queue_and_survives_bad_files(
        self, app, agent, make_dataset, validation, tmp_path
    ):
        """`ckan jobs worker --burst` in its own process, as in production."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        broken = upload(app, agent, dataset["id"], b"", "vide.csv", DELIBERATIONS)
        bad = upload(app, agent, dataset["id"], INVALID_CSV, "mauvais.csv", DELIBERATIONS)
        good = upload(app, agent, dataset["id"], VALID_CSV, "bon.csv", DELIBERATIONS)
        overrides = "\n".join(f"{k} = {str(v).lower()}" for k, v in validation["settings"].items())
        test_ini = (ROOT / "test.ini").read_text()
        logging = test_ini[test_ini.index("[loggers]") :]
        ini = tmp_path / "worker.ini"
        ini.write_text(f"[app:main]\nuse = config:{ROOT / 'test.ini'}\n{overrides}\n\n{logging}")
        ckan = str(Path(sys.executable).with_name("ckan"))
        result = subprocess.run(
            [ckan, "-c", str(ini), "jobs", "worker", "--burst"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ},
        )
        assert result.returncode == 0, result.stderr[-3000:]
        model.Session.remove()
        assert api_report(app, broken["id"])["status"] == "erreur"
        assert api_report(app, bad["id"])["status"] == "invalide"
        assert api_report(app, good["id"])["status"] == "valide"
        assert helpers.call_action("job_list", {"ignore_auth": True}) == []
