"""A planned sweep run on a Dask client: one papermill run per point not yet finished, a progress
bar over finished points, a point whose worker died retried a stated number of times and then
recorded as died, the sweep's tables written at the end, also when interrupted (Ctrl-C)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import jupytext
from tqdm.auto import tqdm

from overparam.sweep.plan import Sweep, write_description
from overparam.sweep.point import run_point
from overparam.sweep.store import DIED, DONE, FINISHED, RECORD, is_finished, read_record, write_json
from overparam.sweep.tables import write_tables

KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@dataclass
class Outcome:
    """How many points a run skipped (ended before), ran and finished, and ran and failed (raised or
    died); and how many points of the whole sweep are not done after it (failed before, or not run)."""

    skipped: int = 0
    done: int = 0
    failed: int = 0
    not_done: int = 0

    def __str__(self) -> str:
        return (f"{self.done} points finished, {self.failed} failed, {self.skipped} skipped (ended before); "
                f"{self.not_done} of the sweep's points are not done")


def pending(sweep: Sweep, rerun_failed: bool = False) -> list[int]:
    """The points to run: those without a finished record of the same chapter inputs and parameters
    (``rerun_failed``: those that raised too)."""
    statuses = (DONE,) if rerun_failed else FINISHED
    return [index for index, parameters in enumerate(sweep.parameters)
            if not is_finished(read_record(sweep.folder(index)), sweep.chapter.input_hash, parameters, statuses)]


def chapter_notebook(sweep: Sweep):
    """The chapter as a notebook node for papermill, with the book's kernel."""
    notebook = jupytext.read(sweep.chapter.source)
    notebook.metadata["kernelspec"] = KERNEL
    return notebook


def died_record(sweep: Sweep, index: int, attempts: int, error: BaseException) -> dict:
    """The record of a point whose worker died on each of its ``attempts``."""
    return {"status": DIED, "seconds": None, "parameters": sweep.parameters[index],
            "input_hash": sweep.chapter.input_hash,
            "error": f"its worker died {attempts} times ({type(error).__name__}: {error})"}


def run_sweep(sweep: Sweep, client, retries: int = 2, progress: bool = True, rerun_failed: bool = False) -> Outcome:
    """Run the points of ``sweep`` not yet finished on ``client`` and write the sweep's tables.
    Each point runs :func:`overparam.sweep.point.run_point` on a worker; a task that fails as a
    whole (its worker died, or the record could not be written) is submitted again up to
    ``retries`` times, then recorded as died (run again by the next run of the sweep).
    ``rerun_failed``: run again the points that raised (by default they are finished)."""
    from distributed import as_completed

    write_description(sweep)
    todo = pending(sweep, rerun_failed)
    outcome = Outcome(skipped=len(sweep.ids) - len(todo))
    notebook = chapter_notebook(sweep)  # in each task: scattered data dies with the workers that hold it
    cwd = str(sweep.chapter.source.parent)

    def submit(index):
        key = f"point-{sweep.ids[index]}-{attempts[index]}-{uuid.uuid4().hex[:8]}"  # unique on a shared scheduler
        return client.submit(run_point, notebook, cwd, str(sweep.folder(index)), sweep.parameters[index],
                             sweep.chapter.input_hash, pure=False, key=key)

    attempts = {index: 0 for index in todo}
    futures = {submit(index): index for index in todo}
    tasks = as_completed(futures)
    try:
        with tqdm(total=len(todo), unit="point", desc="sweep", disable=not progress) as bar:
            for future in tasks:
                index = futures.pop(future)
                try:
                    record = future.result()
                except Exception as error:  # noqa: BLE001 (KilledWorker, a lost connection, ...)
                    attempts[index] += 1
                    if attempts[index] <= retries:
                        retry = submit(index)
                        futures[retry] = index
                        tasks.add(retry)
                        continue
                    record = died_record(sweep, index, attempts[index], error)
                    write_json(sweep.folder(index) / RECORD, record)
                outcome.done += record["status"] == DONE
                outcome.failed += record["status"] != DONE
                bar.update(1)
    finally:
        client.cancel(list(futures))
        write_tables(sweep.out)
    outcome.not_done = sum((read_record(sweep.folder(index)) or {}).get("status") != DONE
                           for index in range(len(sweep.ids)))
    return outcome
