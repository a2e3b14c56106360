"""The scheduler's table against the real command line: every CKAN command it runs exists with
the plugins of the platform loaded (a renamed or removed command would only fail at night in
production), and one task run for real the way the container runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ckan.cli.cli import ckan as ckan_cli

from tests.helpers import data
from tests.helpers.paths import ROOT
from tests.helpers.scheduler import load as load_scheduler

SCRIPT = ROOT / "docker" / "scheduler.py"


TASKS = load_scheduler().TASKS
CKAN_TASKS = [task for task in TASKS if task.command[0] == "ckan"]


def test_the_table_runs_ckan_commands_and_the_backup_script():
    others = {task.command for task in TASKS if task.command[0] != "ckan"}
    assert others == {("/srv/app/backup.sh",)}
    assert (ROOT / "docker" / "backup.sh").is_file()
    assert len(CKAN_TASKS) == len(TASKS) - 1


@pytest.mark.parametrize("task", CKAN_TASKS, ids=[task.name for task in CKAN_TASKS])
def test_every_ckan_command_of_the_scheduler_exists(task, cli):
    # The arguments after `ckan -c INI`, asked for their help: found, or click says
    # "No such command" and exits 2.
    args = list(task.command[3:])
    assert task.command[1:3] == ("-c", "{ini}")
    result = cli.invoke(ckan_cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.usefixtures("tgn_db", "clean_index")
def test_a_task_runs_once_as_in_the_container():
    data.dataset(owner_org=data.organisation()["id"])
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "CKAN_INI": str(ROOT / "test.ini"),
    }
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--once", "dcat-warm"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    # The command's own report, through the scheduler's log: the new dataset was described.
    assert "1 description(s) préparée(s)" in run.stdout, run.stdout + run.stderr
    assert "dcat-warm" in run.stdout + run.stderr
    unknown = subprocess.run(
        [sys.executable, str(SCRIPT), "--once", "inconnue"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unknown.returncode != 0
