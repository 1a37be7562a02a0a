"""Tidy (long-format) result tables: one row per plotted point."""
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


CLAIM_COLUMNS = ["chapter", "paper", "claim", "status", "measured"]
STATUSES = ("reproduced", "partly", "not reproduced", "beyond the paper")


def write_claims(rows: list[dict], results_dir: str | Path, chapter: str) -> pd.DataFrame:
    """Write the claims a chapter checked on its own run to results_dir/claims.csv.

    Each row: paper (the figure, lemma or theorem, or "new"), claim, status (one of STATUSES)
    and measured (the numbers behind the status). The reproduction report collects these files.
    """
    table = pd.DataFrame(rows, columns=CLAIM_COLUMNS[1:]).assign(chapter=chapter)[CLAIM_COLUMNS]
    bad = set(table.status) - set(STATUSES)
    if bad:
        raise ValueError(f"unknown claim status {sorted(bad)}; use one of {STATUSES}")
    write_csv(table, results_dir, "claims.csv")
    return table


def status_from_gap(gap: float, reproduced_below: float, partly_below: float) -> str:
    """Claim status from a measured theory-simulation gap and the chapter's stated tolerances."""
    if gap < reproduced_below:
        return "reproduced"
    return "partly" if gap < partly_below else "not reproduced"
