"""Benchmark (issue 24): `overparam sweep` on 2 Dask workers against the same points one after another.

Eight small points of chapter 1 (its test values, the noise level varied) run once on a LocalCluster
of 2 single-threaded worker processes (start-up of the cluster included) and once one after another
in this process, each point a papermill run either way. The target on a 2-core machine is a speed-up
of at least 1.7. The per-point overhead (a kernel started and a notebook run by papermill) is
measured on a chapter that does nothing.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

from overparam.book.paths import ROOT
from overparam.sweep.cluster import open_client
from overparam.sweep.plan import plan_sweep
from overparam.sweep.point import run_point
from overparam.sweep.runner import chapter_notebook, run_sweep
from overparam.sweep.store import read_record

CHAPTER = ROOT / "notebooks" / "01-linear-gaussian.md"
NOISE = "sigma=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8"  # 8 points
WORKERS, TARGET, OVERHEAD_RUNS = 2, 1.7, 3


def one_after_another(sweep) -> float:
    """Seconds to run every point of ``sweep`` in turn in this process, as a worker would."""
    notebook = chapter_notebook(sweep)
    start = time.perf_counter()
    for index, parameters in enumerate(sweep.parameters):
        record = run_point(notebook, str(CHAPTER.parent), str(sweep.folder(index)), parameters,
                           sweep.chapter.input_hash)
        assert record["status"] == "done", record["error"]
    return time.perf_counter() - start


def on_workers(sweep) -> tuple[float, float]:
    """Seconds for the sweep on a new LocalCluster of WORKERS processes, start-up included, and the
    start-up alone."""
    start = time.perf_counter()
    with open_client(WORKERS) as client:
        started = time.perf_counter() - start
        outcome = run_sweep(sweep, client, progress=False)
    assert outcome.done == len(sweep.ids), outcome
    return time.perf_counter() - start, started


def median_point_seconds(sweep) -> float:
    """The median of the points' own run times (from their records): against the run one after
    another, how much two points at once slow each other down."""
    return float(np.median([read_record(sweep.folder(index))["seconds"] for index in range(len(sweep.ids))]))


def papermill_overhead(folder: Path) -> float:
    """Mean seconds of a papermill run of a notebook that does nothing (kernel start, parameters
    injected, one cell, the notebook written)."""
    parameters = nbformat.v4.new_code_cell("x = 1")
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell("x + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    times = []
    for run in range(OVERHEAD_RUNS):
        start = time.perf_counter()
        record = run_point(notebook, str(folder), str(folder / f"empty-{run}"), {"x": run}, "")
        times.append(time.perf_counter() - start)
        assert record["status"] == "done", record["error"]
    return sum(times) / len(times)


def main():
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        folder = Path(folder)
        overhead = papermill_overhead(folder)
        serial_sweep, parallel_sweep = (plan_sweep(CHAPTER, [NOISE], None, folder / name, smoke=True)
                                        for name in ("serial", "parallel"))
        serial = one_after_another(serial_sweep)
        parallel, startup = on_workers(parallel_sweep)
        alone, together = median_point_seconds(serial_sweep), median_point_seconds(parallel_sweep)
    points = len(NOISE.split(","))
    ratio = serial / parallel
    print(f"sweep of {points} small points of {CHAPTER.name} (its test values, sigma varied)")
    print(f"  one after another in one process: {serial:6.1f} s ({serial / points:.2f} s a point)")
    print(f"  {WORKERS} Dask workers:                  {parallel:6.1f} s (of which {startup:.1f} s cluster start-up)")
    print(f"  median time of one point: {alone:.2f} s alone, {together:.2f} s with another point running "
          f"(x{together / alone:.2f}: the two cores' contention, other programs on the machine included)")
    print(f"  speed-up: {ratio:.2f}x (target >= {TARGET}x on 2 cores: {'met' if ratio >= TARGET else 'NOT met'})")
    print(f"  per-point overhead (kernel start + papermill, a notebook that does nothing): {overhead:.2f} s, "
          f"{overhead / (serial / points):.0%} of a point's time")


if __name__ == "__main__":
    main()
