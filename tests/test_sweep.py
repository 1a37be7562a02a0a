"""`overparam sweep` and `overparam sweep-report`: a chapter run by papermill over a grid on Dask.

A throw-away chapter (written into a temporary folder) and chapter 1 at its small test values run on
a LocalCluster of 2 worker processes, and on a scheduler and two workers started here as separate
processes; a point that raises is recorded and the others finish; a second run runs nothing; a
deleted point runs again alone; a bad grid is refused, with the reason, before anything runs.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from overparam.cli import main
from overparam.sweep.grid import GridError, grid_axes, grid_points, parse_setting, point_id, split_top_level
from overparam.sweep.store import DONE, FAILED, is_finished, write_json

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_ONE = ROOT / "notebooks" / "01-linear-gaussian.md"
BIN = Path(sys.executable).parent

# A chapter as small as a chapter can be: declared rules (with a combination they reject), a point
# that raises (sigma = 0.75), a point that kills its worker (die), claims and a curve file.
TOY = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A throw-away chapter

```{code-cell} ipython3
:tags: [parameters]

sigma = 0.5
law = "a"
seed = 0
die = False
pause = 0.0
results_dir = "results"
```

```{code-cell} ipython3
from overparam.book.params import Choice, Flag, Real, ResultsDir, Seed, check_parameters

PARAMETERS = {
    "sigma": Real("noise", low=0),
    "law": Choice("law", ("a", "b"), require=(lambda v: not (v["law"] == "b" and v["sigma"] > 1),
                                                "'b' needs sigma <= 1")),
    "seed": Seed(),
    "die": Flag("kill the worker process that runs this chapter"),
    "pause": Real("seconds to wait before the work", low=0),
    "results_dir": ResultsDir(),
}
globals().update(check_parameters(PARAMETERS, globals()))
```

```{code-cell} ipython3
import os
import signal
import time

import pandas as pd
from overparam.book.tidy import write_csv

if die:
    os.kill(os.getppid(), signal.SIGKILL)  # the kernel's parent: the Dask worker
time.sleep(pause)
if sigma == 0.75:
    raise RuntimeError("this point raises on purpose")
write_csv(pd.DataFrame({"x": [1, 2], "y": [sigma, sigma + seed]}), results_dir, "curve.csv")
status = "reproduced" if sigma < 0.4 else "not reproduced"
write_csv(pd.DataFrame({"id": ["c1", "c2"], "status": [status, "inconclusive"]}), results_dir, "claims.csv")
```
'''


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.md"
    path.write_text(TOY)
    return path


def sweep(capsys, *arguments) -> tuple[int, str, str]:
    """Run ``overparam sweep`` in this process; its exit status, stdout and stderr."""
    status = main(["sweep", *map(str, arguments), "--no-progress"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def counts(out: str) -> tuple[int, int, int]:
    """(finished, failed, skipped) from the command's summary line."""
    found = re.search(r"(\d+) points finished, (\d+) failed, (\d+) skipped", out)
    assert found, out
    return tuple(int(group) for group in found.groups())


def points(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "points.csv").set_index("point")


# ---------------------------------------------------------------------------------------------
# The grid, without running anything
# ---------------------------------------------------------------------------------------------


def test_settings_are_parsed_as_papermill_would_inject_them():
    assert parse_setting("sigma=0.25,0.5,1") == ("sigma", [0.25, 0.5, 1])
    assert parse_setting("theta_law=constant,random-sign") == ("theta_law", ["constant", "random-sign"])
    assert parse_setting("ks=[1,2],[3]") == ("ks", [[1, 2], [3]])
    assert split_top_level("1,(2,3)") == ["1", "(2,3)"]
    for bad in ("sigma", "=1", "sigma="):
        with pytest.raises(GridError, match="NAME=VALUE"):
            parse_setting(bad)


def test_the_grid_is_every_combination_with_stable_readable_ids():
    axes = grid_axes(["sigma=0.25,0.5", "theta_law=constant,random-sign"], seeds=3)
    grid = grid_points(axes)
    assert len(grid) == 12 and grid[0] == {"sigma": 0.25, "theta_law": "constant", "seed": 0}
    assert point_id(grid[1]) == "sigma-0.25_theta_law-constant_seed-1"
    assert len({point_id(point) for point in grid}) == 12
    with pytest.raises(GridError, match="set by both"):
        grid_axes(["seed=1"], seeds=2)


def test_a_point_is_finished_only_with_the_same_inputs_and_parameters(tmp_path):
    record = {"status": DONE, "input_hash": "h", "parameters": {"sigma": 0.5, "results_dir": "/old/place"}}
    assert is_finished(record, "h", {"sigma": 0.5, "results_dir": "/new/place"})
    assert not is_finished(record, "other", {"sigma": 0.5})
    assert not is_finished(record, "h", {"sigma": 0.25})
    assert is_finished({**record, "status": FAILED}, "h", {"sigma": 0.5})  # it raised: it would raise again
    assert not is_finished({**record, "status": "died"}, "h", {"sigma": 0.5})
    assert not is_finished(None, "h", {"sigma": 0.5})
    write_json(tmp_path / "point.json", record)
    assert json.loads((tmp_path / "point.json").read_text()) == record
    assert [path.name for path in tmp_path.iterdir()] == ["point.json"]  # no temporary file left


@pytest.mark.parametrize("arguments, reason", [
    (["--set", "sigmma=0.3"], "parameter 'sigmma' is not a parameter of toy.md (did you mean 'sigma'?)"),
    (["--set", "sigma=0.5,-1"], "point sigma--1: parameter 'sigma' must lie in [0, inf], got -1"),
    (["--set", "sigma=abc"], "parameter 'sigma' must be a real number, got 'abc'"),
    (["--set", "sigma=0.5,2", "--set", "law=a,b"], "point sigma-2_law-b: parameter 'law' 'b' needs sigma <= 1"),
    (["--set", "results_dir=x"], "parameter 'results_dir' is set by the sweep"),
    (["--set", "seed=1", "--seeds", "2"], "set by both --set and --seeds"),
])
def test_a_bad_grid_is_refused_with_the_reason_and_nothing_runs(tmp_path, toy, capsys, arguments, reason):
    out = tmp_path / "sweep"
    status, _, err = sweep(capsys, toy, *arguments, "--out", out)
    assert status == 2 and "refused" in err and reason in err
    assert not out.exists()


@pytest.mark.parametrize("where", ["under-a-file", "/proc/x"])
def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path, toy, capsys, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "sweep" if where == "under-a-file" else Path(where)
    if not out.parent.exists():
        pytest.skip(f"{out.parent} does not exist here")
    status, _, err = sweep(capsys, toy, "--set", "sigma=0.5", "--out", out)
    assert status == 2 and "parameter '--out'" in err and "not a writable folder" in err


def test_an_unreachable_scheduler_is_refused_within_the_timeout(tmp_path, toy, capsys):
    start = time.perf_counter()
    status, _, err = sweep(capsys, toy, "--set", "sigma=0.5", "--out", tmp_path / "sweep",
                           "--scheduler", "tcp://127.0.0.1:9", "--timeout", "2")
    assert status == 2 and "cannot reach a Dask scheduler" in err and "tcp://127.0.0.1:9" in err
    assert time.perf_counter() - start < 30
    assert not (tmp_path / "sweep" / "points").exists()


# ---------------------------------------------------------------------------------------------
# Sweeps that run, on a LocalCluster of 2 worker processes
# ---------------------------------------------------------------------------------------------


def test_a_sweep_records_a_failure_finishes_the_rest_and_resumes(tmp_path, toy, capsys):
    out = tmp_path / "sweep"
    command = [toy, "--set", "sigma=0.25,0.5,0.75", "--set", "law=a,b", "--out", out, "--workers", 2]
    status, stdout, _ = sweep(capsys, *command)
    assert status == 1 and counts(stdout) == (4, 2, 0)  # the two points at sigma 0.75 raised
    table = points(out)
    raised = table[table.sigma == 0.75]
    assert set(raised.status) == {"failed"} and set(raised.error) == {"RuntimeError: this point raises on purpose"}
    assert set(table[table.sigma != 0.75].status) == {"done"}
    assert (table.seconds > 0).all() and {"sigma", "law", "seed", "die"} <= set(table.columns)
    for point in raised.index:  # the partial notebook is kept, next to the record
        assert (out / "points" / point / "notebook.ipynb").is_file()
    claims = pd.read_csv(out / "claims.csv")
    assert len(claims) == 4 * 2 and {"point", "sigma", "law", "id", "status"} <= set(claims.columns)
    curve = pd.read_csv(out / "curves" / "curve.csv")
    assert len(curve) == 4 * 2 and (curve.y == curve.sigma).all()

    records = {path: path.stat().st_mtime_ns for path in (out / "points").glob("*/point.json")}
    status, stdout, _ = sweep(capsys, *command)  # the same command again: nothing to run
    assert status == 1 and counts(stdout) == (0, 0, 6)
    assert {path: path.stat().st_mtime_ns for path in records} == records

    gone = out / "points" / "sigma-0.5_law-b"
    subprocess.run(["rm", "-r", str(gone)], check=True)
    status, stdout, _ = sweep(capsys, *command)  # only the deleted point runs
    assert counts(stdout) == (1, 0, 5)
    assert json.loads((gone / "point.json").read_text())["status"] == "done"
    assert {path: path.stat().st_mtime_ns for path in records if gone not in path.parents} == \
        {path: mtime for path, mtime in records.items() if gone not in path.parents}

    assert main(["sweep-report", str(out), "--x", "sigma", "--y", "law"]) == 0
    report = capsys.readouterr().out
    assert re.search(r"c1\s+2\s+0\s+2\s+0\s+4", report), report  # reproduced, partly, not, inconclusive, points
    assert re.search(r"c2\s+0\s+0\s+0\s+4\s+4", report), report
    assert (out / "verdict-map-sigma-law.png").stat().st_size > 1000


def test_an_interrupted_sweep_keeps_its_finished_points_and_the_same_command_finishes_it(tmp_path, toy):
    out = tmp_path / "sweep"
    command = [str(BIN / "overparam"), "sweep", str(toy), "--set", "sigma=0.1,0.2,0.3,0.4", "--set", "pause=1.5",
               "--workers", "1", "--out", str(out), "--no-progress"]
    # started as from a shell, with Ctrl-C's default action: a process inherits an ignored SIGINT, and
    # whatever ran before in this test process (a Dask cluster, a kernel) may have left it ignored
    interrupted = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list((out / "points").glob("*/point.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    interrupted.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = interrupted.communicate(timeout=120)
    assert interrupted.returncode == 130, err
    assert (out / "points.csv").is_file()  # the tables are written when interrupted too
    # a point that was running when Ctrl-C came may still have finished: count the records
    kept = {path.parent.name for path in (out / "points").glob("*/point.json")
            if json.loads(path.read_text())["status"] == "done"}
    assert 1 <= len(kept) < 4
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert counts(finished.stdout) == (4 - len(kept), 0, len(kept))
    assert set(points(out).status) == {"done"}


def test_a_point_whose_worker_dies_is_retried_then_recorded(tmp_path, toy, capsys):
    out = tmp_path / "sweep"
    status, stdout, _ = sweep(capsys, toy, "--set", "die=True,False", "--retries", 1, "--out", out)
    assert status == 1 and counts(stdout) == (1, 1, 0)
    died = points(out).loc["die-True"]
    assert died.status == "died" and "worker died 2 times" in died.error
    assert points(out).loc["die-False"].status == "done"


def test_chapter_one_sweeps_at_its_small_test_values(tmp_path, capsys):
    out = tmp_path / "sweep"
    status, stdout, _ = sweep(capsys, CHAPTER_ONE, "--smoke", "--set", "sigma=0.25,0.5", "--out", out)
    assert status == 0 and counts(stdout) == (2, 0, 0), stdout
    table = points(out)
    assert list(table.sigma) == [0.25, 0.5] and list(table.p) == [120, 120] and set(table.status) == {"done"}
    claims = pd.read_csv(out / "claims.csv")
    assert set(claims.sigma) == {0.25, 0.5} and claims.id.nunique() * 2 == len(claims)
    curves = pd.read_csv(out / "curves" / "risk_curves.csv")
    assert set(curves.sigma) == {0.25, 0.5} and {"panel", "curve", "k", "risk"} <= set(curves.columns)
    assert main(["sweep-report", str(out)]) == 0
    assert claims.id.iloc[0] in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# The cluster path: a scheduler and two workers started as separate processes on 127.0.0.1
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker --nthreads 1`` on 127.0.0.1; the scheduler's address.
    The three processes are stopped afterwards."""
    address_file = tmp_path / "scheduler.json"
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    started = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", str(address_file)], env=environment,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        started += [subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard"],
                                     env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for _ in range(2)]
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_sweep_runs_on_a_scheduler_and_workers_started_by_hand(tmp_path, toy, capsys, cluster):
    out = tmp_path / "sweep"
    command = [toy, "--set", "sigma=0.25,0.5,0.75", "--out", out, "--scheduler", cluster, "--timeout", 30]
    status, stdout, _ = sweep(capsys, *command)
    assert status == 1 and counts(stdout) == (2, 1, 0)
    assert list(points(out).status) == ["done", "done", "failed"]
    status, stdout, _ = sweep(capsys, *command)
    assert counts(stdout) == (0, 0, 3)
