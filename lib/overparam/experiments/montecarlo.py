"""Monte-Carlo draws of the min-norm estimator, shared by the theory chapters."""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import hessian_diagonal
from overparam.theory.solvers import min_norm_least_squares


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
        hessians[t] = hessian_diagonal(X)
    return thetas, hessians


def pruning_risk_by_budget(problem: LinearGaussianProblem, theta_hat: np.ndarray, scores: np.ndarray,
                           budgets) -> np.ndarray:
    """Risk of keeping the top-s ``scores`` of ``theta_hat`` for every s in ``budgets`` (diagonal Sigma).

    With the coordinates sorted by score (ties to the lower index), keeping one more coordinate i
    changes the risk by Sigma_ii ((theta*_i - theta_i)^2 - theta*_i^2), so every budget costs one
    cumulative sum: L(T_s) = sigma^2 + sum_i Sigma_ii theta*_i^2 + (cumulative change)[s].
    """
    if not problem.is_diagonal:
        raise ValueError("pruning_risk_by_budget needs a diagonal covariance")
    lam, star = problem.cov, problem.theta_star
    order = np.argsort(-np.asarray(scores), kind="stable")
    change = lam[order] * ((star[order] - theta_hat[order]) ** 2 - star[order] ** 2)
    cumulative = np.concatenate([[0.0], np.cumsum(change)])
    return problem.sigma**2 + np.sum(lam * star**2) + cumulative[np.asarray(budgets)]
