"""Pruning strategies (Sec. 2 of theory.md) and the train-prune(-retrain) pipelines.

Each ``*_support`` function returns the sorted indices of the s kept weights; ties are broken by
the lower index (a stable sort), which is also the convention of the closed-form theory.
"""
from __future__ import annotations

import numpy as np

from overparam.theory.solvers import fit_on_support, min_norm_least_squares


def score_scale(rule: str, lam: np.ndarray) -> np.ndarray:
    """How a pruning rule's score scales a coordinate of variance lambda_i in the closed forms:
    magnitude ranks |theta_hat_i| (scale 1), Hessian ranks |theta_hat_i| sqrt(Sigma_ii) (eq. 4)."""
    if rule == "magnitude":
        return np.ones_like(lam)
    if rule == "hessian":
        return np.sqrt(lam)
    raise ValueError(f"rule must be 'magnitude' or 'hessian', got {rule!r}")


def top_s(scores: np.ndarray, s: int) -> np.ndarray:
    """Indices of the s largest scores along the last axis (one row of kept indices per row of a
    stack of scores), sorted, ties to the lower index; all indices when s >= the last axis."""
    scores = np.asarray(scores, dtype=float)
    d = scores.shape[-1]
    if s >= d:
        return np.broadcast_to(np.arange(d), scores.shape).copy()
    order = np.argsort(-scores, kind="stable", axis=-1)
    return np.sort(order[..., :s], axis=-1)


def magnitude_support(theta_hat: np.ndarray, s: int) -> np.ndarray:
    """Magnitude pruning (MP): keep the s largest |theta_hat_i| (the map T_s)."""
    return top_s(np.abs(theta_hat), s)


def hessian_support(theta_hat: np.ndarray, X: np.ndarray, s: int) -> np.ndarray:
    """Hessian pruning / optimal brain damage (HP): keep the s largest |theta_i| sqrt(SigmaHat_ii).

    SigmaHat = X^T X / n is the empirical Hessian of the squared loss; only its diagonal is used.
    """
    return top_s(np.abs(theta_hat) * np.sqrt(hessian_diagonal(X)), s)


def hessian_diagonal(X: np.ndarray) -> np.ndarray:
    """The diagonal of the empirical Hessian SigmaHat = X^T X / n (squared column norms over n)."""
    return np.einsum("ij,ij->j", X, X) / X.shape[0]


def oracle_support(theta_star: np.ndarray, cov_diagonal: np.ndarray, s: int) -> np.ndarray:
    """Oracle pruning: keep the s largest latent saliencies Sigma_ii theta*_i^2 (eq. 4, Lemma 7)."""
    return top_s(cov_diagonal * np.asarray(theta_star) ** 2, s)


def random_support(p: int, s: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random support of size s (the baseline used for neural networks)."""
    return np.sort(rng.choice(p, size=min(s, p), replace=False))


def restrict(theta: np.ndarray, support: np.ndarray) -> np.ndarray:
    """theta with every entry outside ``support`` set to zero (the pruned model)."""
    pruned = np.zeros_like(theta)
    pruned[support] = theta[support]
    return pruned


def select_support(method: str, theta_hat: np.ndarray, X: np.ndarray, s: int,
                   theta_star: np.ndarray | None = None,
                   cov_diagonal: np.ndarray | None = None,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """Dispatch to one pruning method by name: magnitude, hessian, oracle or random."""
    if method == "magnitude":
        return magnitude_support(theta_hat, s)
    if method == "hessian":
        return hessian_support(theta_hat, X, s)
    if method == "oracle":
        return oracle_support(theta_star, cov_diagonal, s)
    if method == "random":
        return random_support(theta_hat.size, s, rng)
    raise ValueError(f"unknown pruning method {method!r}; use magnitude, hessian, oracle or random")


def train_prune(X: np.ndarray, y: np.ndarray, s: int, method: str = "magnitude",
                **kwargs) -> np.ndarray:
    """Train-prune: fit min-norm least squares on all features, keep s weights, stop there."""
    theta_hat = min_norm_least_squares(X, y)
    return restrict(theta_hat, select_support(method, theta_hat, X, s, **kwargs))


def train_prune_retrain(X: np.ndarray, y: np.ndarray, s: int, method: str = "magnitude",
                        retrain_data: tuple[np.ndarray, np.ndarray] | None = None,
                        **kwargs) -> np.ndarray:
    """Train-prune-retrain: fit, choose the support, refit on it (eq. 3 restricted to I(theta_s)).

    ``retrain_data`` = (X', y') refits on a fresh sample (what the retraining DC of Def. 5
    describes exactly); by default the refit reuses the training sample (common practice).
    """
    theta_hat = min_norm_least_squares(X, y)
    support = select_support(method, theta_hat, X, s, **kwargs)
    X_refit, y_refit = (X, y) if retrain_data is None else retrain_data
    return fit_on_support(X_refit, y_refit, support)
