"""A sweep's tables, gathered from its points' folders: ``points.csv`` (point id, every parameter,
status, seconds, error), ``claims.csv`` (every point's claims with the point's grid values) and, in
``curves/``, each other table of the chapter concatenated over the points with the grid values."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from overparam.sweep.plan import read_description
from overparam.sweep.store import MOVABLE, RESULTS, point_dir, read_record, write_table

PENDING = "pending"  # a point with no record yet (not run, or interrupted)
CLAIMS = "claims.csv"
CURVES = "curves"


def cell_value(value):
    """A parameter as one CSV cell (a list as its text)."""
    return str(value) if isinstance(value, (list, tuple, dict)) else value


def points_table(description: dict, out: Path) -> pd.DataFrame:
    """One row per point: its id, every parameter (the chapter's defaults, the point's own values,
    the results folder aside), its status, seconds and error."""
    rows = []
    for point in description["points"]:
        record = read_record(point_dir(out, point["point"])) or {}
        parameters = {**description["defaults"], **{k: v for k, v in point.items() if k != "point"}}
        rows.append({"point": point["point"],
                     **{name: cell_value(value) for name, value in parameters.items() if name != MOVABLE},
                     "status": record.get("status", PENDING), "seconds": record.get("seconds"),
                     "error": record.get("error", "")})
    return pd.DataFrame(rows)


def gathered(description: dict, out: Path, name: str) -> pd.DataFrame:
    """The table ``name`` of every point's results folder, with the point's id and grid values in
    front; empty when no point wrote it."""
    parts = []
    for point in description["points"]:
        path = point_dir(out, point["point"]) / RESULTS / name
        if path.is_file():
            table = pd.read_csv(path)
            grid = {key: cell_value(value) for key, value in point.items()}
            parts.append(table.assign(**grid)[[*grid, *table.columns]])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def result_names(description: dict, out: Path) -> list[str]:
    """The names of the CSV tables the points' results folders hold, sorted."""
    return sorted({path.name for point in description["points"]
                   for path in (point_dir(out, point["point"]) / RESULTS).glob("*.csv")})


def write_tables(out) -> list[Path]:
    """Write the sweep's ``points.csv``, ``claims.csv`` and ``curves/*.csv`` (each atomically) from
    the records and results in ``out``; return their paths."""
    out = Path(out)
    description = read_description(out)
    written = [write_table(out / "points.csv", points_table(description, out))]
    for name in result_names(description, out):
        target = out / name if name == CLAIMS else out / CURVES / name
        written.append(write_table(target, gathered(description, out, name)))
    return written
