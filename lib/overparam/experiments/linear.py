"""The experiment of Fig. 3 and Fig. 7: prune the model that uses the first k features, for many k.

For every model size k the learner fits min-norm least squares on the first k features of one
data draw, then prunes it to s weights (magnitude, Hessian or oracle) and, optionally, retrains
on the kept support. Simulation and closed-form theory are computed on the same k grid. Beside
the oracle small model (the first k features, which are the most salient ones: the dense curve at
k < n) it simulates a small model a practitioner can build, the screened small model: the k features
of largest |X_j^T y| on the training sample, then least squares on them. The tidy tables and the agreement of the two are in :mod:`overparam.reports.linear`; chapter 1's
claims and figures in :mod:`overparam.reports.linear_gaussian`.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam.book.curve_names import SAME_SAMPLE
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


def training_draws(problem: LinearGaussianProblem, n: int, trials: int, seed, progress: bool = False,
                   desc: str = ""):
    """Yield (child seed, generator, X, y) per trial: the training sample of each data draw, drawn
    first from that trial's generator. Every simulation of this module draws its trials here, so two
    simulations with the same ``seed`` fit the same samples (their curves are paired)."""
    for child in tqdm(np.random.SeedSequence(seed).spawn(trials), desc=desc, disable=not progress, mininterval=1.0):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        yield child, rng, X, y


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
    for t, (child, rng, X, y) in enumerate(training_draws(problem, n, trials, seed, progress, desc)):
        fresh = problem.sample(n, rng)
        compressor_rng = np.random.default_rng(child.spawn(1)[0])
        for j, (k, theta_k) in enumerate(prefix_min_norm_fits(X, y, ks)):
            fit = TrainedFit(problem, theta_k, k, X, y, fresh, s, compressor_rng)
            for name in compressors:
                risks[name][t, j] = problem.prefix_risk(COMPRESSORS[name].compress(fit))
    return risks


SCREENED = "screened-small-model"


def screening_order(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The features in decreasing order of |X_j^T y|, the marginal covariance of each feature with the
    labels on the training sample (marginal screening); ties keep the lower index first."""
    return np.argsort(-np.abs(X.T @ y), kind="stable")


def screened_fits(X: np.ndarray, y: np.ndarray, ks):
    """Yield (k, theta) for each k of the increasing ``ks``: min-norm least squares on the k screened
    features (:func:`screening_order`), as a vector over all p features (zero off the k)."""
    order = screening_order(X, y)
    for k, theta_k in prefix_min_norm_fits(X[:, order], y, ks):
        theta = np.zeros(X.shape[1])
        theta[order[:k]] = theta_k
        yield k, theta


def simulate_screened(problem: LinearGaussianProblem, n: int, ks, trials: int, seed, progress: bool = False,
                      desc: str = "") -> np.ndarray:
    """Monte-Carlo risk of the screened small model with k features, for each k of ``ks``: an array of
    shape (trials, len(ks)). The trials are those of :func:`simulate_curves` with the same ``seed``
    (same training samples), so the two are paired draw by draw. It has no closed form here (the
    screened set depends on the noise of the sample that is then fit)."""
    ks = [int(k) for k in ks]
    risks = np.empty((trials, len(ks)))
    for t, (_, _, X, y) in enumerate(training_draws(problem, n, trials, seed, progress, desc)):
        risks[t] = [problem.risk(theta) for _, theta in screened_fits(X, y, ks)]
    return risks
