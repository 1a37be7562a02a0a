"""Tidy (long-format) result tables: one row per plotted point (a chapter's claims: :mod:`overparam.book.claims`)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

CURVE_COLUMNS = ["panel", "curve", "source", "k", "risk", "ci_low", "ci_high"]


def curve_rows(panel: str, curve: str, source: str, k, risk, ci_low=None, ci_high=None) -> pd.DataFrame:
    """One curve as tidy rows; ``ci_*`` stay empty (NaN) for theory curves."""
    k = np.asarray(k)
    nan = np.full(k.shape, np.nan)
    return pd.DataFrame({"panel": panel, "curve": curve, "source": source, "k": k,
                         "risk": np.asarray(risk, dtype=float),
                         "ci_low": nan if ci_low is None else ci_low,
                         "ci_high": nan if ci_high is None else ci_high})[CURVE_COLUMNS]


def snake_case(column: str) -> str:
    """A column heading as a file's column name: lower case, words joined by ``_``, ``a - b`` read as
    ``a_minus_b`` and ``|x|`` as ``abs_x`` ("peak - s low" -> "peak_minus_s_low", "largest |gap|" ->
    "largest_abs_gap"), so that every tidy file has one naming scheme whatever the printed table shows."""
    name = re.sub(r"\|([^|]+)\|", r"abs \1", str(column).lower()).replace(" - ", " minus ")
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def write_csv(table: pd.DataFrame, results_dir: str | Path, name: str) -> Path:
    """Write ``table`` to results_dir/name with 6 significant digits and its column names in snake case
    (:func:`snake_case`; the table itself is left as printed); return the path."""
    path = Path(results_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [snake_case(column) for column in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name}: columns {list(table.columns)} collide in snake case as {columns}")
    table.set_axis(columns, axis=1).to_csv(path, index=False, float_format="%.6g")
    return path
