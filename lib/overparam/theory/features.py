"""Random ReLU features and their equivalent linear Gaussian problem (Def. 2).

Features phi(x) = ReLU(R x) with x ~ N(0, I_d) and rows r_i of R; label y = (beta^T x)^2 with
|beta| = 1 (the paper's exact quadratic label was lost in extraction; this is our choice).
"""
from __future__ import annotations

import numpy as np

from overparam.theory.problems import LinearGaussianProblem

LABEL_SECOND_MOMENT = 3.0  # E[y^2] = E[(beta^T x)^4] for a unit beta
LABEL_VARIANCE = 2.0  # Var y = 3 - (E[(beta^T x)^2])^2 = 3 - 1: the risk of the best constant predictor


def random_directions(p: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """R with i.i.d. N(0, 1/d) entries (p x d)."""
    return rng.standard_normal((p, d)) / np.sqrt(d)


def relu_features(X: np.ndarray, R: np.ndarray) -> np.ndarray:
    """phi(x) = ReLU(R x) for every row x of X."""
    return np.maximum(X @ R.T, 0.0)


def quadratic_labels(X: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """y = (beta^T x)^2."""
    return (X @ beta) ** 2


def arccos_kernel(R: np.ndarray) -> np.ndarray:
    """Sigma_ij = E[phi_i phi_j] = |r_i||r_j| / (2 pi) (sin t + (pi - t) cos t), cos t = r_i.r_j/(|r_i||r_j|).

    The first-order arc-cosine kernel (uncentred ReLU features); Sigma_ii = |r_i|^2 / 2.
    """
    norms = np.linalg.norm(R, axis=1)
    cos = np.clip((R @ R.T) / np.outer(norms, norms), -1.0, 1.0)
    angle = np.arccos(cos)
    sigma = np.outer(norms, norms) / (2 * np.pi) * (np.sin(angle) + (np.pi - angle) * cos)
    np.fill_diagonal(sigma, norms**2 / 2)
    return sigma


def label_feature_moment(R: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """E[y phi_i] = |r_i| (1 + rho_i^2) / sqrt(2 pi), rho_i = beta.r_i / |r_i|, for y = (beta^T x)^2."""
    norms = np.linalg.norm(R, axis=1)
    rho = (R @ beta) / norms
    return norms * (1 + rho**2) / np.sqrt(2 * np.pi)


def equivalent_lgp(R: np.ndarray, beta: np.ndarray) -> LinearGaussianProblem:
    """The equivalent LGP (Def. 2): Sigma = E[phi phi^T], theta* = Sigma^{-1} E[y phi],
    sigma^2 = E[y^2] - E[y phi]^T Sigma^{-1} E[y phi]. Its risk L(theta) is the exact test risk
    E(y - phi^T theta)^2 of the random-features model, for every theta."""
    cov = arccos_kernel(R)
    moment = label_feature_moment(R, beta)
    theta_star = np.linalg.solve(cov, moment)
    noise = LABEL_SECOND_MOMENT - moment @ theta_star
    return LinearGaussianProblem(theta_star, cov, float(np.sqrt(max(noise, 0.0))))
