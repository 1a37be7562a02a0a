"""Monte-Carlo draws of the min-norm estimator, shared by the theory chapters."""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .problems import LinearGaussianProblem
from .solvers import min_norm_least_squares


def min_norm_draws(problem: LinearGaussianProblem, n: int, trials: int, seed,
                   progress: bool = False, desc: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Fit min-norm least squares (eq. 3) on ``trials`` independent samples of size n.

    Returns (thetas, hessian_diagonals), both of shape (trials, p): the fits, and the diagonal of
    each sample's empirical Hessian X^T X / n, which Hessian pruning weighs the weights with.
    """
    thetas, hessians = np.empty((trials, problem.p)), np.empty((trials, problem.p))
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc=desc,
                                   disable=not progress, mininterval=1.0)):
        X, y = problem.sample(n, np.random.default_rng(child))
        thetas[t] = min_norm_least_squares(X, y)
        hessians[t] = np.einsum("ij,ij->j", X, X) / n
    return thetas, hessians
