"""Perfectly correlated features (Lemma 1): Sigma = zeta zeta^T, so x = g zeta with g ~ N(0, 1)."""
from __future__ import annotations

import numpy as np

from overparam.theory.pruning import top_s


def lemma1_excess_risks(zeta: np.ndarray, theta_star: np.ndarray, sigma: float, n: int, s: int) -> dict:
    """Expected excess risks E[L(.)] - L(theta*) of Lemma 1 (n > 2; any s in 1..p).

    With a = ||T_s(zeta)||^2 / ||zeta||^2 and c = zeta^T theta*:
    dense and retrained: sigma^2 / (n - 2); pruned: a^2 sigma^2 / (n - 2) + (1 - a)^2 c^2.
    Magnitude and Hessian pruning keep the same support, the s largest |zeta_i|.
    """
    if n <= 2:
        raise ValueError(f"Lemma 1 needs n > 2, got n = {n}")
    zeta = np.asarray(zeta, dtype=float)
    kept = top_s(np.abs(zeta), s)
    a = float(np.sum(zeta[kept] ** 2) / np.sum(zeta**2))
    c = float(zeta @ theta_star)
    variance = sigma**2 / (n - 2)
    return {"a": a, "c": c, "dense": variance, "retrained": variance,
            "pruned": a**2 * variance + (1 - a) ** 2 * c**2, "pruned_bias": (1 - a) ** 2 * c**2,
            "pruned_variance": a**2 * variance}


def rank_one_sample(zeta: np.ndarray, theta_star: np.ndarray, sigma: float, n: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n draws of x = g zeta (g ~ N(0, 1)) and y = x^T theta* + sigma z."""
    g = rng.standard_normal(n)
    return np.outer(g, zeta), g * (zeta @ theta_star) + sigma * rng.standard_normal(n)


def rank_one_excess_risk(zeta: np.ndarray, theta_star: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """L(theta) - L(theta*) = (zeta^T (theta - theta*))^2 for Sigma = zeta zeta^T (stacks allowed)."""
    return (np.asarray(theta) @ zeta - zeta @ theta_star) ** 2
