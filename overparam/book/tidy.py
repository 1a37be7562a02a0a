"""Tidy (long-format) result tables: one row per plotted point."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from overparam.experiments.verdicts import ORIGINS, SCALES, STATUSES, Verdict

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


CLAIM_COLUMNS = ["chapter", "paper", "origin", "scale", "claim", "status", "measured"]


def claim(paper: str, text: str, verdict: Verdict, origin: str = "paper", scale: str = "paper") -> dict:
    """One row of claims.csv: the figure, lemma or section the claim refers to (``paper``), who
    makes it (``origin``: the paper, or this book beyond it), the scale it was tested at (``paper``,
    or ``reduced`` for the scaled-down network runs), and the verdict of a rule of overparam.experiments.verdicts."""
    if not isinstance(verdict, Verdict):
        raise TypeError(f"a claim's status comes from a rule of overparam.experiments.verdicts, got {verdict!r}")
    return {"paper": paper, "origin": origin, "scale": scale, "claim": text,
            "status": verdict.status, "measured": verdict.measured}


def write_claims(rows: list[dict], results_dir: str | Path, chapter: str) -> pd.DataFrame:
    """Write the claims a chapter checked on its own run (rows made by :func:`claim`) to
    results_dir/claims.csv; the reproduction report collects these files."""
    table = pd.DataFrame(rows, columns=CLAIM_COLUMNS[1:]).assign(chapter=chapter)[CLAIM_COLUMNS]
    for column, allowed in (("status", STATUSES), ("origin", ORIGINS), ("scale", SCALES)):
        bad = set(table[column]) - set(allowed)
        if bad:
            raise ValueError(f"unknown claim {column} {sorted(bad)}; use one of {allowed}")
    write_csv(table, results_dir, "claims.csv")
    return table
