"""The experiment of Fig. 3 and Fig. 7: prune the model that uses the first k features, for many k.

For every model size k the learner fits min-norm least squares on the first k features of one
data draw, then prunes it to s weights (magnitude, Hessian or oracle) and, optionally, retrains
on the kept support. Simulation and closed-form theory are computed on the same k grid. The
tidy tables and the agreement of the two are in :mod:`overparam.reports.linear`; chapter 1's
claims and figures in :mod:`overparam.reports.linear_gaussian`.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam.book.curves import SAME_SAMPLE
from overparam.experiments.compressors import COMPRESSORS, TrainedFit
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import prefix_min_norm_fits

# the compressors of Fig. 3 and Fig. 7, in the order of their curves
FIG3_COMPRESSORS = ["dense", "magnitude", "hessian", "oracle", "magnitude+retrain", "hessian+retrain",
                    "magnitude+retrain" + SAME_SAMPLE, "hessian+retrain" + SAME_SAMPLE]
THEORY_CURVES = [name for name in FIG3_COMPRESSORS if COMPRESSORS[name].theory is not None]
SIMULATED_CURVES = FIG3_COMPRESSORS


def k_grid(p: int, n: int, s: int, num_log: int = 24, peak_offsets=(0.8, 0.9, 0.95, 1.05, 1.1, 1.25)
           ) -> np.ndarray:
    """Model sizes to simulate: log-spaced over 1..p, denser around the interpolation point k = n.

    Always contains s and p; k = n - 1, n and n + 1 are left out: there the expected risk is
    infinite (E[(X^T X)^{-1}] and E[(X X^T)^{-1}] exist only for |k - n| >= 2), so a simulated
    mean has no expectation to estimate.
    """
    ks = set(np.unique(np.geomspace(1, p, num_log).round().astype(int)).tolist())
    ks |= {int(round(f * n)) for f in peak_offsets} | {s, p}
    return np.array(sorted(k for k in ks if 1 <= k <= p and k not in (n - 1, n, n + 1)))


def theory_curves(problem: LinearGaussianProblem, n: int, s: int, ks, compressors=tuple(THEORY_CURVES)
                  ) -> dict[str, np.ndarray]:
    """Closed-form risk of each registered compressor (with a theory) for the model of each size k in
    ``ks``; the DC law of each size is computed once and shared (Lemma 7 + Cor. 1 + Def. 5)."""
    out = {name: np.empty(len(ks)) for name in compressors}
    for j, k in enumerate(ks):
        law = FitLaw(problem.prefix(int(k)), n)
        for name in compressors:
            out[name][j] = COMPRESSORS[name].theory(law, s)
    return out


def simulate_curves(problem: LinearGaussianProblem, n: int, s: int, ks, trials: int, seed,
                    progress: bool = True, desc: str = "", compressors=tuple(SIMULATED_CURVES)
                    ) -> dict[str, np.ndarray]:
    """Monte-Carlo risk of each registered compressor: arrays of shape (trials, len(ks)), one row
    per data draw.

    Each trial draws a training sample (X, y) and an independent fresh sample of the same size
    for fresh-sample retraining; every model size k reuses the same draw, as in the paper. A
    compressor that draws (random pruning) uses its own stream, so adding it changes no other curve.
    """
    ks = [int(k) for k in ks]
    risks = {name: np.empty((trials, len(ks))) for name in compressors}
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc=desc,
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        compressor_rng = np.random.default_rng(child.spawn(1)[0])
        for j, (k, theta_k) in enumerate(prefix_min_norm_fits(X, y, ks)):
            theta = np.zeros(problem.p)
            theta[:k] = theta_k
            fit = TrainedFit(problem, theta, k, X, y, fresh, s, compressor_rng)
            for name in compressors:
                risks[name][t, j] = problem.risk(COMPRESSORS[name].compress(fit))
    return risks
