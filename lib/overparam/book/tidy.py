"""Tidy (long-format) result tables: one row per plotted point (a chapter's claims: :mod:`overparam.book.claims`)."""
from __future__ import annotations

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


def write_csv(table: pd.DataFrame, results_dir: str | Path, name: str) -> Path:
    """Write ``table`` to results_dir/name with 6 significant digits; return the path."""
    path = Path(results_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format="%.6g")
    return path
