"""The compression calculator: the predicted test risk of every compressor with a closed form
(dense min-norm fit, magnitude / Hessian / oracle / random pruning, magnitude and Hessian pruning
with retraining on a fresh sample) for the model of each size k, on one problem, with the best size
for each; optionally beside a simulation with 95% intervals, so that a user can check the prediction
on their own problem. `overparam predict` (overparam.cli) prints it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS
from overparam.experiments.linear import simulate_curves, theory_curves
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.risk_curves import CURVES, risk_curves

COLUMNS = ["compressor", "k", "risk", "simulated", "ci_low", "ci_high"]
PREDICTED = tuple(name for name, compressor in COMPRESSORS.items() if compressor.theory is not None)


def model_sizes(p: int, n: int, count: int = 60) -> np.ndarray:
    """``count`` model sizes log-spaced over 1..p (distinct integers), without k = n - 1, n, n + 1,
    where the expected risk of the min-norm fit is infinite."""
    sizes = np.unique(np.geomspace(1, p, count).round().astype(int))
    return sizes[~np.isin(sizes, [n - 1, n, n + 1])]


def check_inputs(problem: LinearGaussianProblem, n: int, s: int, sizes) -> np.ndarray:
    """The sizes as integers, after refusing inputs no prediction exists for: a budget s outside
    1..p, fewer than 2 samples, a size outside 1..p, a non-diagonal covariance (the closed forms
    are for diagonal ones)."""
    if not problem.is_diagonal:
        raise ValueError("the closed forms need a diagonal covariance (give its diagonal)")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not 1 <= s <= problem.p:
        raise ValueError(f"the budget s must lie in [1, p = {problem.p}], got {s}")
    sizes = np.asarray(sizes, dtype=int)
    if sizes.size == 0 or sizes.min() < 1 or sizes.max() > problem.p:
        raise ValueError(f"model sizes must lie in [1, p = {problem.p}]")
    return sizes


def predicted_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, compressors) -> dict[str, np.ndarray]:
    """The closed-form risk of each compressor at every size: all sizes at once for the curves
    overparam.theory.risk_curves vectorises (the same numbers as FitLaw, to 1e-10), one size at a
    time (overparam.experiments.linear.theory_curves) for any other registered compressor."""
    others = [name for name in compressors if name not in CURVES]
    curves = risk_curves(problem, n, s, sizes, [name for name in compressors if name in CURVES])
    return {**curves, **(theory_curves(problem, n, s, sizes, others) if others else {})}


def predict(problem: LinearGaussianProblem, n: int, s: int, sizes=None, compressors=PREDICTED,
            simulate: int = 0, seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """One row per compressor and model size k: the predicted risk (the closed forms of the
    chapters: Thm. 1 for the dense fit, the DC of pruning and retraining for the rest) and, with
    ``simulate`` = R > 0, the mean over R simulated data sets and its 95% interval. A compressor
    prunes the k-feature model to s weights, so sizes below s are left out for it."""
    sizes = check_inputs(problem, n, s, model_sizes(problem.p, n) if sizes is None else sizes)
    predicted = predicted_curves(problem, n, s, sizes, compressors)
    simulated = simulate_curves(problem, n, s, sizes, simulate, seed, progress=progress,
                                compressors=compressors) if simulate else {}
    rows = []
    for name in compressors:
        for j, k in enumerate(sizes):
            if name != "dense" and k < s:
                continue
            stats = mean_ci(simulated[name][:, j]) if simulate else (np.nan, np.nan, np.nan)
            rows.append((name, int(k), float(predicted[name][j]), *map(float, stats)))
    return pd.DataFrame(rows, columns=COLUMNS)


def best_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """For each compressor, the model size with the lowest predicted risk, and that risk."""
    best = table.loc[table.groupby("compressor", sort=False).risk.idxmin(), ["compressor", "k", "risk"]]
    return best.rename(columns={"k": "best_k", "risk": "lowest_risk"}).reset_index(drop=True)
