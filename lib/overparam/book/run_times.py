"""The chapters' run times as the book states them: read from the measured times that `make run`
writes (results/execution-times.csv) and the record of the machine it ran on
(results/run-stamp.txt), never typed. The site's extension book/_ext/run_times.py puts
:func:`run_time_line` under each chapter's title and gives the prose the role ``{run-time}``."""
from __future__ import annotations

import csv
from pathlib import Path

from overparam.book.paths import RESULTS

TIMES = RESULTS / "execution-times.csv"  # notebook, seconds (tools/execute_notebooks.py)
STAMP = RESULTS / "run-stamp.txt"  # "...; <cores>, <processor>" (overparam.book.stamp)
BOOK = "book"  # the role's name for the sum of every chapter's time
RANGE = "range"  # the role's name for the shortest and the longest chapter's time


def read_run_times(path: Path = TIMES) -> dict[str, float]:
    """Chapter stem -> wall time (s) at its defaults; empty when the file does not exist."""
    if not Path(path).exists():
        return {}
    with Path(path).open() as f:
        return {row["notebook"]: float(row["seconds"]) for row in csv.DictReader(f)}


def machine_of(stamp: str) -> str:
    """The machine part of a run stamp: its last "; "-separated field ("2 cores, Intel(R) ...")."""
    return stamp.strip().rsplit("; ", 1)[-1]


def duration_text(seconds: float) -> str:
    """A wall time as a reader takes it in: "about 24 s" below 100 s, "about 2.1 min" below 600 s,
    "about 13 min" above."""
    if seconds < 100:
        return f"about {max(1, round(seconds))} s"
    minutes = seconds / 60
    return f"about {minutes:.1f} min" if minutes < 10 else f"about {round(minutes)} min"


def stated_time(name: str, times: dict[str, float]) -> str:
    """The text of ``{run-time}`name```: the time of chapter ``name``; for ``book`` the sum of
    every chapter's time (one chapter after another); for ``range`` "<shortest> to <longest>".
    KeyError naming the chapter when none is recorded."""
    if name == BOOK:
        return duration_text(sum(times.values()))
    if name == RANGE:
        return f"{duration_text(min(times.values()))} to {duration_text(max(times.values()))}"
    if name not in times:
        raise KeyError(f"no recorded run time for {name!r} in {TIMES.name} (make run writes it)")
    return duration_text(times[name])


def run_time_line(seconds: float, machine: str) -> str:
    """The line under a chapter's title."""
    return (f"Run time at the defaults: {duration_text(seconds)}, measured by the last `make run` "
            f"(one thread per chapter) on {machine}.")
