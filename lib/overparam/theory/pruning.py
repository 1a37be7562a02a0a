"""Pruning rules and the train-prune(-retrain) pipelines.

One registry, :data:`PRUNING`, says for each rule how it scores a stack of fits, how that score
scales in the closed forms, and whether it needs randomness or the oracle; the code that prunes or
predicts asks it instead of testing rule names. Each ``*_support`` function returns the sorted
indices of the s kept weights; ties are broken by the lower index (a stable sort), which is also the
convention of the closed-form theory.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from overparam.theory.solvers import fit_on_support, min_norm_least_squares


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
    return fit_supports("magnitude", theta_hat, None, s)


def hessian_support(theta_hat: np.ndarray, X: np.ndarray, s: int) -> np.ndarray:
    """Hessian pruning / optimal brain damage (HP): keep the s largest |theta_i| sqrt(SigmaHat_ii).

    SigmaHat = X^T X / n is the empirical Hessian of the squared loss; only its diagonal is used.
    """
    return fit_supports("hessian", theta_hat, hessian_diagonal(X), s)


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


@dataclass(frozen=True)
class PruningRule:
    """One pruning rule: what it keeps, and what the code that prunes or predicts needs of it.

    ``score(thetas, curvature)`` scores every coordinate of a stack of fits (..., d) given the
    diagonal of the Hessian it weighs with (empirical X^T X / n, or the population Sigma_ii), and
    ``scale(lam)`` is how that score scales |theta_hat_i| of a coordinate of variance lambda_i in the
    closed forms (Cor. 1: score_i = |theta_hat_i| scale(lambda_i)); both are None for a rule that does
    not rank the fit. ``curvature``: its score reads the Hessian diagonal (computed only for such a
    rule). ``random``: it draws its support (it needs an rng); ``oracle``: it ranks by the latent
    saliency Sigma_ii theta*_i^2 (it needs theta* and Sigma's diagonal).
    """

    name: str
    description: str
    score: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    scale: Callable[[np.ndarray], np.ndarray] | None = None
    curvature: bool = False
    random: bool = False
    oracle: bool = False


PRUNING = {rule.name: rule for rule in (
    PruningRule("magnitude", "keep the s largest |theta_hat_i| (the map T_s)",
                score=lambda thetas, curvature: np.abs(thetas), scale=np.ones_like),
    PruningRule("hessian", "keep the s largest |theta_hat_i| sqrt(H_ii) (optimal brain damage, eq. 4)",
                score=lambda thetas, curvature: np.abs(thetas) * np.sqrt(curvature), scale=np.sqrt,
                curvature=True),
    PruningRule("oracle", "keep the s largest latent saliencies Sigma_ii theta*_i^2 (eq. 65)", oracle=True),
    PruningRule("random", "keep s weights chosen uniformly at random", random=True),
)}
FIT_RULES = tuple(name for name, rule in PRUNING.items() if rule.score is not None)  # rank the fit: closed forms
DATA_RULES = tuple(name for name, rule in PRUNING.items() if not rule.oracle)  # need no knowledge of theta*


def pruning_rule(rule: str) -> PruningRule:
    """The registered rule named ``rule`` (ValueError naming the registered ones otherwise)."""
    if rule not in PRUNING:
        raise ValueError(f"unknown pruning rule {rule!r}; use one of {', '.join(PRUNING)}")
    return PRUNING[rule]


def score_scale(rule: str, lam: np.ndarray) -> np.ndarray:
    """How a pruning rule's score scales a coordinate of variance lambda_i in the closed forms:
    magnitude ranks |theta_hat_i| (scale 1), Hessian ranks |theta_hat_i| sqrt(Sigma_ii) (eq. 4)."""
    scale = pruning_rule(rule).scale
    if scale is None:
        raise ValueError(f"pruning rule must be one of {FIT_RULES} (a closed-form threshold), got {rule!r}")
    return scale(lam)


def fit_supports(rule: str, thetas: np.ndarray, curvature: np.ndarray | None, s: int) -> np.ndarray:
    """The s indices a rule that ranks the fit keeps of each fit in a stack (..., d): the top s of
    its score given the Hessian diagonal ``curvature`` (None for a rule not flagged ``curvature``)."""
    score = pruning_rule(rule).score
    if score is None:
        raise ValueError(f"pruning rule must be one of {FIT_RULES} (it ranks the fit), got {rule!r}")
    return top_s(score(thetas, curvature), s)


def select_support(rule: str, theta_hat: np.ndarray, X: np.ndarray, s: int,
                   theta_star: np.ndarray | None = None,
                   cov_diagonal: np.ndarray | None = None,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """The support one registered rule keeps of the fit ``theta_hat`` on the sample ``X`` (a rule
    flagged ``curvature``, the Hessian one, weighs with its empirical Hessian diagonal, computed only
    for such a rule); the oracle needs ``theta_star`` and ``cov_diagonal``, random pruning ``rng``."""
    pruning = pruning_rule(rule)
    if pruning.oracle:
        if theta_star is None or cov_diagonal is None:
            raise ValueError("oracle pruning needs theta_star and cov_diagonal")
        return oracle_support(theta_star, cov_diagonal, s)
    if pruning.random:
        if rng is None:
            raise ValueError("random pruning needs an rng")
        return random_support(theta_hat.size, s, rng)
    return fit_supports(rule, theta_hat, hessian_diagonal(X) if pruning.curvature else None, s)


def train_prune(X: np.ndarray, y: np.ndarray, s: int, rule: str = "magnitude",
                **kwargs) -> np.ndarray:
    """Train-prune: fit min-norm least squares on all features, keep s weights, stop there."""
    theta_hat = min_norm_least_squares(X, y)
    return restrict(theta_hat, select_support(rule, theta_hat, X, s, **kwargs))


def train_prune_retrain(X: np.ndarray, y: np.ndarray, s: int, rule: str = "magnitude",
                        retrain_data: tuple[np.ndarray, np.ndarray] | None = None,
                        **kwargs) -> np.ndarray:
    """Train-prune-retrain: fit, choose the support, refit on it (eq. 3 restricted to I(theta_s)).

    ``retrain_data`` = (X', y') refits on a fresh sample (what the retraining DC of Def. 5
    describes exactly); by default the refit reuses the training sample (common practice).
    """
    theta_hat = min_norm_least_squares(X, y)
    support = select_support(rule, theta_hat, X, s, **kwargs)
    X_refit, y_refit = (X, y) if retrain_data is None else retrain_data
    return fit_on_support(X_refit, y_refit, support)
