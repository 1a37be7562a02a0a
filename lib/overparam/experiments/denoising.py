"""Why a bigger fit denoises (Sec. 3.4 of the paper), the simulation: the error on the s salient weights
of a least-squares fit on the first k features, kept on the salient set (oracle pruning, no
retraining), against k, for several label-noise levels, and the distributional characterization of
the same error (``overparam.theory.risk.subset_estimation_error``). At k = s nothing is pruned: that
point is the small fit on the salient features alone.

The problem is panel (a) of Fig. 3 (Sigma = I, the first s features spiked) with d features in all.
The chapter's tables, figure, claims and quoted numbers are in :mod:`overparam.reports.denoising`.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam.theory.problems import fig3_problem
from overparam.theory.risk import subset_estimation_error
from overparam.theory.solvers import prefix_min_norm_fits

CURVE = "oracle"  # the large fit kept on the salient set, in the curve registry's terms


def model_sizes(s: int, n: int, d: int, num: int = 22) -> np.ndarray:
    """Simulated sizes k of the large fit, from s (the small fit itself) to d, log-spaced, skipping
    |k - n| < 3 (the interpolation peak)."""
    ks = np.unique(np.round(np.geomspace(s, d, num)).astype(int))
    return ks[np.abs(ks - n) >= 3]


def theory_sizes(s: int, n: int, d: int, ks, num: int = 200) -> np.ndarray:
    """The sizes of a theory line: ``num`` log-spaced sizes from s to d and the simulated ``ks``,
    skipping |k - n| < 2."""
    fine = np.unique(np.concatenate([np.round(np.geomspace(s, d, num)).astype(int), ks]))
    return fine[np.abs(fine - n) >= 2]


def theory_errors(d: int, s: int, spike: float, sigma: float, n: int, ks) -> np.ndarray:
    """E ||theta_hat_Delta - theta*_Delta||^2 of the fit on the first k features, for every k in ``ks``
    (distributional characterization; exact in expectation for k < n - 1)."""
    problem = fig3_problem("a", d, s, spike, sigma)
    return np.array([subset_estimation_error(problem, n, int(k), np.arange(s)) for k in ks])


def salient_errors(d: int, s: int, spike: float, sigma: float, n: int, ks, trials: int, seed_key) -> np.ndarray:
    """Simulated squared error on the s salient weights of each prefix fit, shape (trials, len(ks));
    all sizes of one trial share its data draw."""
    problem = fig3_problem("a", d, s, spike, sigma)
    errors = np.empty((trials, len(ks)))
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        for j, (k, theta) in enumerate(prefix_min_norm_fits(X, y, ks)):
            errors[t, j] = np.sum((theta[:s] - problem.theta_star[:s]) ** 2)
    return errors


def simulate_panels(panels: dict, sigmas, s: int, spike: float, n: int, trials: int, seed: int,
                    progress: bool = False) -> dict:
    """{(panel, sigma): salient_errors at model_sizes(s, n, d)} for every panel (name -> d) and noise
    level, one seed stream (seed, j) per pair."""
    jobs = [(panel, d, sigma) for panel, d in panels.items() for sigma in sigmas]
    return {(panel, sigma): salient_errors(d, s, spike, sigma, n, model_sizes(s, n, d), trials, (seed, j))
            for j, (panel, d, sigma) in enumerate(tqdm(jobs, disable=not progress, desc="panels x noise levels"))}




def best_overparameterized(d: int, s: int, spike: float, sigma: float, n: int) -> int:
    """Index, in model_sizes(s, n, d), of the simulated k > n with the lowest theoretical error."""
    ks = model_sizes(s, n, d)
    over = ks > n
    theory = np.full(len(ks), np.inf)
    theory[over] = theory_errors(d, s, spike, sigma, n, ks[over])
    return int(np.argmin(theory))


def theory_margins(d: int, s: int, spike: float, sigmas, n: int) -> dict:
    """Per noise level, the theory error of the small fit and the lowest theory error of the large fit
    over every overparameterized size n + 2 <= k <= d: {sigma: (small, best)}."""
    sizes = np.arange(n + 2, d + 1)
    return {sigma: (theory_errors(d, s, spike, sigma, n, [s])[0], theory_errors(d, s, spike, sigma, n, sizes).min())
            for sigma in sigmas}
