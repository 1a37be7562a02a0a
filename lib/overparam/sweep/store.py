"""A sweep's folder on disk: one folder per point (``points/<id>/``) holding the executed notebook,
the chapter's results folder and ``point.json``, the record written last, atomically, when the run
ends. A point whose record says it ended with the same chapter inputs and parameters is not run
again (:func:`is_finished`), so an interrupted sweep loses no finished point."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from overparam.book.files import write_atomic

POINTS = "points"
RECORD = "point.json"
NOTEBOOK = "notebook.ipynb"
RESULTS = "results"
DONE, FAILED, DIED = "done", "failed", "died"  # died: its worker died on every try
FINISHED = (DONE, FAILED)  # a point that raised stays failed until its chapter or parameters change
MOVABLE = "results_dir"  # a parameter whose value is the point's own folder


def point_dir(out: Path, point_id: str) -> Path:
    """The folder of one point of the sweep in ``out``."""
    return Path(out) / POINTS / point_id


def write_json(path: Path, data: dict) -> Path:
    """``data`` as indented JSON, atomically (:func:`overparam.book.files.write_atomic`)."""
    return write_atomic(path, lambda temporary: temporary.write_text(json.dumps(data, indent=1, default=str) + "\n"))


def write_table(path: Path, table: pd.DataFrame) -> Path:
    """A tidy CSV with 6 significant digits (as overparam.book.tidy.write_csv), atomically."""
    return write_atomic(path, lambda temporary: table.to_csv(temporary, index=False, float_format="%.6g"))


def read_record(folder: Path) -> dict | None:
    """A point's record, or None when it has none (never run, or interrupted) or it is unreadable."""
    try:
        return json.loads((Path(folder) / RECORD).read_text())
    except (OSError, ValueError):
        return None


def same_parameters(a: dict, b: dict) -> bool:
    """Parameters compared as JSON would store them (a tuple and a list are the same value)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def is_finished(record: dict | None, input_hash: str, parameters: dict, statuses=FINISHED) -> bool:
    """A point need not run again: it ended with one of ``statuses`` (by default done, or failed
    because the chapter raised: it would raise again), from the same chapter inputs, at the same
    parameters (its results folder aside, so that a sweep folder moved elsewhere is still finished).
    A point whose worker died, or that never ended, runs again."""
    if record is None or record.get("status") not in statuses or record.get("input_hash") != input_hash:
        return False
    recorded = {name: value for name, value in record.get("parameters", {}).items() if name != MOVABLE}
    return same_parameters(recorded, {name: value for name, value in parameters.items() if name != MOVABLE})
