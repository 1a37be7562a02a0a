"""One point of a sweep, as a Dask task: the chapter run by papermill at the point's parameters into
the point's folder, on one thread; its record written last. A point that raises is recorded
(status, error text, its partial notebook), not raised, so the other points go on."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from overparam.book.execution import one_thread_each
from overparam.book.files import replaced_atomically
from overparam.sweep.store import DONE, FAILED, NOTEBOOK, RECORD, RESULTS, write_json


def error_text(error: BaseException) -> str:
    """The last line of papermill's message (the chapter's exception and its text), or the error's own."""
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    return f"{ename}: {evalue}" if ename else f"{type(error).__name__}: {error}"


def run_point(notebook, cwd: str, folder: str, parameters: dict, input_hash: str,
              kernel: str = "python3") -> dict:
    """Run the chapter ``notebook`` (a notebook node or an .ipynb path; run in the folder ``cwd``)
    with papermill ``parameters`` into ``folder``: the executed notebook (partial when it raised),
    the chapter's results, and the record ``point.json`` (status, seconds, error, parameters, input
    hash), which is returned. A stale results folder from an interrupted run is removed first."""
    import papermill

    one_thread_each(os.environ)  # the kernel papermill starts inherits one BLAS thread
    folder = Path(folder)
    shutil.rmtree(folder / RESULTS, ignore_errors=True)
    (folder / RECORD).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    status, error = DONE, ""
    with replaced_atomically(folder / NOTEBOOK) as partial:  # papermill's output, whole or partial, renamed at the end
        try:
            papermill.execute_notebook(notebook, str(partial), parameters=parameters, cwd=cwd,
                                       progress_bar=False, kernel_name=kernel)
        except Exception as raised:  # noqa: BLE001 (any failure of the chapter is recorded, not raised)
            status, error = FAILED, error_text(raised)
    seconds = time.perf_counter() - start
    record = {"status": status, "seconds": round(seconds, 3), "error": error, "parameters": parameters,
              "input_hash": input_hash, "worker": os.uname().nodename}
    write_json(folder / RECORD, record)
    return record
