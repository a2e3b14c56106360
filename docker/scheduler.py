"""Periodic work of the platform in production (the compose service ``scheduler``).

Usage:  scheduler.py               run the table below for ever (the container's command)
        scheduler.py --list        print the table with each task's next run
        scheduler.py --once NAME   run one task now and exit with its status

One task at a time, in the order they fall due: a harvest never competes with the nightly
backup for the machine, and a task that runs late is run once, not once per missed turn.
Times are the site's local time (TZ, Europe/Paris by default), so that "03:00" stays 03:00
across the summer-time changes. Each start and end is logged with its duration and status
(`docker compose logs scheduler`); a task that fails is retried at its next turn only.
SIGTERM (docker stop) lets the running task finish, then exits (compose gives the scheduler
30 minutes, stop_grace_period; when idle it exits within a second).

Standard library only: it runs in the platform's image beside CKAN's command line.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ZONE = ZoneInfo(os.environ.get("TZ") or "Europe/Paris")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True)
class Task:
    name: str
    command: tuple[str, ...]  # "{ini}" stands for $CKAN_INI
    why: str  # French: printed by --list for the staff
    every_minutes: int = 0  # every N minutes, or:
    at: str = ""  # "HH:MM" local time, every day or on `weekday`
    weekday: int | None = None  # 0 = Monday
    at_start: bool = False  # also when the scheduler starts (after each deployment)
    timeout_minutes: int = 60

    def next_after(self, moment: datetime) -> datetime:
        """The first instant this task falls due strictly after ``moment`` (aware), in UTC:
        Python compares and subtracts two datetimes of one zone by their wall clocks, which
        is an hour off across a summer-time change."""
        moment = moment.astimezone(timezone.utc)
        if self.every_minutes:
            return moment + timedelta(minutes=self.every_minutes)
        hour, minute = (int(part) for part in self.at.split(":"))
        local = moment.astimezone(ZONE)
        day = local.date()
        while True:
            # A wall-clock time skipped by the spring change is taken with the winter offset
            # (zoneinfo's fold=0): it runs an hour later that day, once.
            local_time = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
            candidate = local_time.astimezone(timezone.utc)
            if candidate > moment and (self.weekday is None or day.weekday() == self.weekday):
                return candidate
            day += timedelta(days=1)

    def when(self) -> str:
        if self.every_minutes:
            return f"toutes les {self.every_minutes} min"
        if self.weekday is not None:
            return f"le {DAYS[self.weekday]} à {self.at}"
        return f"chaque jour à {self.at}"

    def argv(self, ini: str) -> list[str]:
        return [part.replace("{ini}", ini) for part in self.command]


TASKS: tuple[Task, ...] = (
    Task(
        "harvest-run",
        ("ckan", "-c", "{ini}", "harvester", "run"),
        "lance les moissonnages dus, clôt les tâches finies, arrête celles bloquées",
        every_minutes=5,
        timeout_minutes=10,
    ),
    Task(
        "harvest-clean-log",
        ("ckan", "-c", "{ini}", "harvester", "clean-harvest-log"),
        "efface les journaux de moissonnage plus vieux que ckan.harvest.log_timeframe (30 j)",
        at="01:30",
        timeout_minutes=10,
    ),
    Task(
        "quality-rebuild",
        ("ckan", "-c", "{ini}", "tgn", "quality", "rebuild"),
        "recalcule les scores de qualité: la fraîcheur change avec le calendrier",
        at="02:00",
    ),
    Task(
        "dcat-warm",
        ("ckan", "-c", "{ini}", "tgn", "dcat", "warm"),
        "prépare les descriptions DCAT périmées avant le passage des moissonneurs nationaux, et le"
        " bloc schema.org des pages des jeux",
        at="02:30",
        at_start=True,
    ),
    Task(
        "backup",
        ("/srv/app/backup.sh",),
        "sauvegarde les deux bases et les fichiers dans le volume backups (BACKUP_KEEP gardées)",
        at="03:00",
        timeout_minutes=180,
    ),
    Task(
        "dcat-prune",
        ("ckan", "-c", "{ini}", "tgn", "dcat", "prune"),
        "retire les descriptions des jeux qu'aucun catalogue ne liste plus",
        at="04:00",
        weekday=6,
    ),
    Task(
        "quality-remind",
        ("ckan", "-c", "{ini}", "tgn", "quality", "remind"),
        "écrit aux éditeurs des jeux en retard, une fois par échéance",
        at="08:00",
        timeout_minutes=30,
    ),
)


def log(message: str) -> None:
    stamp = datetime.now(ZONE).strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} planificateur: {message}", flush=True)


def run(task: Task, ini: str) -> int:
    """One task, its output passed through, its end logged; never raises."""
    log(f"{task.name}: début")
    started = time.monotonic()
    try:
        code = subprocess.run(task.argv(ini), timeout=task.timeout_minutes * 60).returncode
    except subprocess.TimeoutExpired:
        code = 124
        log(f"{task.name}: arrêtée après {task.timeout_minutes} min")
    except OSError as exc:
        code = 127
        log(f"{task.name}: impossible de lancer {task.argv(ini)[0]} ({exc})")
    outcome = "réussie" if code == 0 else f"ÉCHEC (code {code})"
    log(f"{task.name}: {outcome} en {time.monotonic() - started:.0f} s")
    return code


def forever(ini: str) -> None:
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        log("arrêt demandé: fin après la tâche en cours")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    now = datetime.now(timezone.utc)
    due = {task.name: now if task.at_start else task.next_after(now) for task in TASKS}
    log(f"{len(TASKS)} tâches, fuseau {ZONE.key}")
    while not stopping:
        task = min(TASKS, key=lambda t: due[t.name])
        while not stopping and datetime.now(timezone.utc) < due[task.name]:
            wait = (due[task.name] - datetime.now(timezone.utc)).total_seconds()
            time.sleep(max(0.0, min(1.0, wait)))  # a signal does not cut a sleep short
        if stopping:
            break
        run(task, ini)
        due[task.name] = task.next_after(datetime.now(timezone.utc))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the table and next runs")
    parser.add_argument("--once", metavar="NAME", help="run one task now")
    args = parser.parse_args(argv)
    ini = os.environ.get("CKAN_INI", "")
    if args.list:
        now = datetime.now(ZONE)
        for task in TASKS:
            start = " (et au démarrage)" if task.at_start else ""
            nxt = task.next_after(now).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
            print(f"{task.name:18} {task.when()}{start}; prochaine: {nxt}\n{'':18} {task.why}")
        return 0
    if not ini:
        print("ERREUR: la variable CKAN_INI manque", file=sys.stderr)
        return 2
    if args.once:
        chosen = [task for task in TASKS if task.name == args.once]
        if not chosen:
            names = ", ".join(task.name for task in TASKS)
            print(f"ERREUR: tâche inconnue « {args.once} » (tâches: {names})", file=sys.stderr)
            return 2
        return run(chosen[0], ini)
    forever(ini)
    return 0


if __name__ == "__main__":
    sys.exit(main())
