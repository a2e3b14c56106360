"""The production scheduler (docker/scheduler.py): when each task falls due, across the
summer-time changes, and what it says to the staff."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from types import ModuleType

import pytest

from tests.helpers.paths import ROOT
from tests.helpers.scheduler import load as load_scheduler

pytestmark = pytest.mark.unit

SCRIPT = ROOT / "docker" / "scheduler.py"


@pytest.fixture(scope="module")
def scheduler() -> ModuleType:
    return load_scheduler()


def _paris(scheduler: ModuleType, *args: int) -> datetime:
    return datetime(*args, tzinfo=scheduler.ZONE)  # type: ignore[misc]


def test_daily_task_runs_at_its_local_time_today_then_tomorrow(scheduler):
    task = scheduler.Task("t", ("true",), "", at="03:00")
    today = _paris(scheduler, 2026, 12, 2, 3, 0)
    assert task.next_after(_paris(scheduler, 2026, 12, 2, 1, 0)) == today
    assert task.next_after(today) == _paris(scheduler, 2026, 12, 3, 3, 0)


def test_daily_time_stays_on_the_wall_clock_across_summer_time(scheduler):
    task = scheduler.Task("t", ("true",), "", at="03:00")
    before = _paris(scheduler, 2027, 3, 27, 4, 0)  # the night of 27 to 28 March 2027
    after = task.next_after(before)
    local = after.astimezone(scheduler.ZONE)
    assert (local.hour, local.minute, local.utcoffset()) == (3, 0, timedelta(hours=2))
    assert after - before.astimezone(timezone.utc) == timedelta(hours=22)  # one hour fewer


def test_a_time_skipped_by_the_spring_change_still_runs_once_that_day(scheduler):
    task = scheduler.Task("t", ("true",), "", at="02:30")  # 02:00-03:00 does not exist
    first = task.next_after(_paris(scheduler, 2027, 3, 28, 0, 0))
    assert first.astimezone(scheduler.ZONE).date().isoformat() == "2027-03-28"
    second = task.next_after(first)
    assert second.astimezone(scheduler.ZONE).date().isoformat() == "2027-03-29"


def test_the_repeated_autumn_hour_runs_a_daily_task_once(scheduler):
    task = scheduler.Task("t", ("true",), "", at="02:30")  # 02:00-03:00 happens twice
    first = task.next_after(_paris(scheduler, 2027, 10, 31, 0, 0))
    assert first.astimezone(scheduler.ZONE).utcoffset() == timedelta(hours=2)
    # A minute later, and an hour and a minute later (the second 02:31): tomorrow only.
    for later in (timedelta(minutes=1), timedelta(hours=1, minutes=1)):
        second = task.next_after(first + later)
        assert second.astimezone(scheduler.ZONE).date().isoformat() == "2027-11-01"


def test_weekly_and_interval_tasks(scheduler):
    weekly = scheduler.Task("t", ("true",), "", at="04:00", weekday=6)
    wednesday = _paris(scheduler, 2026, 12, 2, 12, 0)
    assert weekly.next_after(wednesday) == _paris(scheduler, 2026, 12, 6, 4, 0)
    every = scheduler.Task("t", ("true",), "", every_minutes=5)
    assert every.next_after(wednesday) == wednesday + timedelta(minutes=5)


def test_the_table_holds_the_periodic_work_of_the_platform(scheduler):
    commands = {task.name: task.argv("/srv/app/config/ckan.ini") for task in scheduler.TASKS}
    assert commands["harvest-run"] == ["ckan", "-c", "/srv/app/config/ckan.ini", "harvester", "run"]
    assert commands["backup"] == ["/srv/app/backup.sh"]
    for name in ("harvest-clean-log", "quality-rebuild", "quality-remind", "dcat-warm"):
        assert name in commands
    assert [t.name for t in scheduler.TASKS if t.at_start] == ["dcat-warm"]
    assert len(set(commands)) == len(scheduler.TASKS)


def _script(*args: str, ini: str | None = "/nonexistent.ini") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "TZ": "Europe/Paris"}
    if ini:
        env["CKAN_INI"] = ini
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=30
    )


def test_list_tells_the_staff_in_french_when_each_task_runs():
    listing = _script("--list", ini=None)
    assert listing.returncode == 0, listing.stderr
    assert "harvest-run        toutes les 5 min; prochaine: " in listing.stdout
    assert "dcat-warm          chaque jour à 02:30 (et au démarrage)" in listing.stdout
    assert "le dimanche à 04:00" in listing.stdout


def test_unknown_task_and_missing_config_are_refused_clearly():
    unknown = _script("--once", "nettoyage")
    assert unknown.returncode == 2
    assert "tâche inconnue « nettoyage »" in unknown.stderr and "harvest-run" in unknown.stderr
    missing = _script("--once", "harvest-run", ini=None)
    assert missing.returncode == 2 and "CKAN_INI manque" in missing.stderr


def test_a_failing_task_is_logged_with_its_status(scheduler, capsys):
    task = scheduler.Task("essai", (sys.executable, "-c", "raise SystemExit(3)"), "")
    assert scheduler.run(task, "unused.ini") == 3
    out = capsys.readouterr().out
    assert "planificateur: essai: début" in out and "essai: ÉCHEC (code 3) en" in out
    absent = scheduler.Task("absent", ("/nonexistent/command",), "")
    assert scheduler.run(absent, "unused.ini") == 127
