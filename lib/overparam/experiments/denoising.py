"""Why a bigger fit denoises (Sec. 3.4 of the paper), the simulation: the error on the s salient weights
of a least-squares fit on the first k features, kept on the salient set (oracle pruning, no
retraining), against k, for several label-noise levels, and the distributional characterization of
the same error (``overparam.theory.risk.subset_estimation_error``). At k = s nothing is pruned: that
point is the small fit on the salient features alone.

The problem is panel (a) of Fig. 3 (Sigma = I, the first s features spiked) with d features in all,
or a member of its family (:func:`denoising_problem`: the law of theta*, and a diagonal Sigma whose
variance follows or opposes the saliency); the error on the salient weights is weighted by Sigma_ii
(their share of the excess test risk), which is the plain squared error when Sigma = I.
The chapter's tables, figure, claims and quoted numbers are in :mod:`overparam.reports.denoising`.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam import seeds
from overparam.theory.problems import ALIGNMENTS, LinearGaussianProblem, fig3_problem
from overparam.theory.risk import subset_estimation_error
from overparam.theory.solvers import prefix_min_norm_fits

CURVE = "oracle"  # the large fit kept on the salient set, in the curve registry's terms
COVARIANCES = ("identity", *ALIGNMENTS)  # Sigma = I (panel (a), the paper's), or panel (b)'s aligned / inverted


def denoising_problem(d: int, s: int, spike: float, sigma: float, theta_law: str = "constant",
                      alignment: str = "identity", seed: int = 0) -> LinearGaussianProblem:
    """The chapter's problem with d features: ``alignment`` "identity" is Fig. 3(a) (Sigma = I, the
    saliency carried by theta*_i = sqrt(saliency_i / d)); "aligned" and "inverted" are Fig. 3(b) (the
    s salient features have variance spike, or 1/spike with theta* scaled to keep every saliency).
    theta* is drawn once from ``seed`` by ``theta_law`` (:func:`overparam.theory.problems.fig3_problem`)."""
    if alignment not in COVARIANCES:
        raise ValueError(f"alignment must be one of {list(COVARIANCES)}, got {alignment!r}")
    if alignment == "identity":
        return fig3_problem("a", d, s, spike, sigma, theta_law, "aligned", seed)
    return fig3_problem("b", d, s, spike, sigma, theta_law, alignment, seed)


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


def theory_errors(d: int, s: int, spike: float, sigma: float, n: int, ks, **family) -> np.ndarray:
    """E sum_{i in Delta} Sigma_ii (theta_hat_i - theta*_i)^2 of the fit on the first k features, for
    every k in ``ks`` (distributional characterization; exact in expectation for k < n - 1), on the
    problem :func:`denoising_problem` with the ``family`` keywords (theta_law, alignment, seed)."""
    problem = denoising_problem(d, s, spike, sigma, **family)
    return np.array([subset_estimation_error(problem, n, int(k), np.arange(s)) for k in ks])


def salient_errors(d: int, s: int, spike: float, sigma: float, n: int, ks, trials: int, seed_key,
                   **family) -> np.ndarray:
    """Simulated Sigma_ii-weighted squared error on the s salient weights of each prefix fit, shape
    (trials, len(ks)); all sizes of one trial share its data draw (``family`` as in
    :func:`theory_errors`)."""
    problem = denoising_problem(d, s, spike, sigma, **family)
    errors = np.empty((trials, len(ks)))
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        for j, (k, theta) in enumerate(prefix_min_norm_fits(X, y, ks)):
            errors[t, j] = np.sum(problem.cov[:s] * (theta[:s] - problem.theta_star[:s]) ** 2)
    return errors


def simulate_panels(panels: dict, sigmas, s: int, spike: float, n: int, trials: int, seed: int,
                    progress: bool = False, theta_law: str = "constant", alignment: str = "identity") -> dict:
    """{(panel, sigma): salient_errors at model_sizes(s, n, d)} for every panel (name -> d) and noise
    level, one seed stream per pair ("denoising/panel-noise"); the problem is :func:`denoising_problem` with
    ``theta_law`` and ``alignment``, theta* drawn from ``seed``."""
    jobs = [(panel, d, sigma) for panel, d in panels.items() for sigma in sigmas]
    family = {"theta_law": theta_law, "alignment": alignment, "seed": seed}
    return {(panel, sigma): salient_errors(d, s, spike, sigma, n, model_sizes(s, n, d), trials,
                                           seeds.key(seed, "denoising/panel-noise", j), **family)
            for j, (panel, d, sigma) in enumerate(tqdm(jobs, disable=not progress, desc="panels x noise levels"))}


def best_overparameterized(d: int, s: int, spike: float, sigma: float, n: int, **family) -> int:
    """Index, in model_sizes(s, n, d), of the simulated k > n with the lowest theoretical error."""
    ks = model_sizes(s, n, d)
    over = ks > n
    theory = np.full(len(ks), np.inf)
    theory[over] = theory_errors(d, s, spike, sigma, n, ks[over], **family)
    return int(np.argmin(theory))


def theory_margins(d: int, s: int, spike: float, sigmas, n: int, **family) -> dict:
    """Per noise level, the theory error of the small fit and the lowest theory error of the large fit
    over every overparameterized size n + 2 <= k <= d: {sigma: (small, best)}."""
    sizes = np.arange(n + 2, d + 1)
    return {sigma: (theory_errors(d, s, spike, sigma, n, [s], **family)[0],
                    theory_errors(d, s, spike, sigma, n, sizes, **family).min())
            for sigma in sigmas}
