"""Ridge regression through the distributional characterization (beyond the paper).

Ridge minimises (1/n) ||y - X theta||^2 + mu ||theta||^2, so theta_mu = (X^T X / n + mu I)^{-1} X^T y / n.
Its DC has the min-norm form with an *effective regularization* tau >= 0, the root of

    mu = tau (1 - sum_i lambda_i / (lambda_i + tau) / n):

r_i = lambda_i / (lambda_i + tau), gamma = (sigma^2 + tau^2 sum_i lambda_i theta*_i^2 / (lambda_i + tau)^2)
/ (1 - sum_i r_i^2 / n) is the predicted risk, and theta_mu,i ~ N(r_i theta*_i, gamma r_i^2 / (n lambda_i)).
At mu = 0, tau = 1/xi of the min-norm DC when p > n and tau = 0 when p < n (the asymptotic law
with n - p). Because the law has the min-norm form, every pruning and retraining risk of
:mod:`overparam.theory.risk` applies to it unchanged (``FitLaw(problem, n, mu=..., penalty=...)``).

A generalized penalty mu theta^T Omega theta, Omega = diag(omega) > 0, is plain ridge in
beta = Omega^{1/2} theta: features of variance lambda_i / omega_i and target sqrt(omega_i) theta*_i.
Mapped back, theta_mu,i ~ N(r'_i theta*_i, gamma r'_i^2 / (n lambda_i)) with r'_i computed from the
variances lambda_i / omega_i; the risk gamma is the same in both coordinates.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from overparam.theory.dc import DiagonalDC, solve_xi

PENALTIES = ("identity", "inverse-covariance", "covariance")
# the range of mu that chapter 10's tuning searches (in the penalty mu ||theta||^2 above), on a log scale;
# beyond it the closed-form limit mu = inf (screening_dc) stands for the largest values
MU_BOUNDS = (1e-5, 1e2)


def penalty_weights(penalty: str, lam: np.ndarray) -> np.ndarray:
    """omega of the penalty mu sum_i omega_i theta_i^2: 1 (plain ridge), 1/lambda_i or lambda_i."""
    lam = np.asarray(lam, dtype=float)
    if penalty == "identity":
        return np.ones_like(lam)
    if penalty == "inverse-covariance":
        return 1 / lam
    if penalty == "covariance":
        return lam.copy()
    raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")


def solve_tau(lam: np.ndarray, n: int, mu: float, weights: np.ndarray | None = None) -> float:
    """The effective regularization tau >= 0 with mu = tau (1 - sum_i w_i lambda_i / (lambda_i + tau) / n)."""
    lam = np.asarray(lam, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    p = float(np.sum(w))
    floor = 1 / solve_xi(lam, n, w) if p > n else 0.0
    if mu == 0:
        return floor

    def excess(tau):
        return tau * (1 - np.sum(w * lam / (lam + tau)) / n) - mu

    hi = max(2 * floor, mu, 1e-12)
    while excess(hi) < 0:
        hi *= 4
    return float(brentq(excess, floor, hi, xtol=1e-15, rtol=1e-13))


def ridge_dc(lam: np.ndarray, theta_star: np.ndarray, sigma2: float, n: int, mu: float,
             weights: np.ndarray | None = None, penalty: str = "identity") -> DiagonalDC:
    """The DC of the ridge fit with penalty mu sum_i omega_i theta_i^2 on a diagonal LGP.

    Returns the per-coordinate law N(mean_i, var_i) in the original coordinates and the predicted
    risk; ``xi`` holds 1 / tau. At mu = 0 with p < n this is the asymptotic law (n - p, Def. 6).
    At mu = inf it is :func:`screening_dc`, the law of the fit's direction.
    """
    lam = np.asarray(lam, dtype=float)
    theta = np.asarray(theta_star, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    if np.isinf(mu):
        return screening_dc(lam, theta, sigma2, n, w, penalty)
    scaled = lam / penalty_weights(penalty, lam)  # feature variances of beta = Omega^{1/2} theta
    if mu == 0 and abs(np.sum(w) - n) < 1:
        return DiagonalDC(theta.copy(), np.full_like(lam, np.inf), np.inf, None)
    tau = solve_tau(scaled, n, mu, w)
    r = scaled / (scaled + tau)
    bias = tau**2 * np.sum(w * scaled * (penalty_weights(penalty, lam) * theta**2) / (scaled + tau) ** 2)
    gamma = (sigma2 + bias) / (1 - np.sum(w * r**2) / n)
    return DiagonalDC(r * theta, gamma * r**2 / (n * lam), float(gamma), 1 / tau if tau > 0 else None)


def screening_dc(lam: np.ndarray, theta_star: np.ndarray, sigma2: float, n: int, weights: np.ndarray | None = None,
                 penalty: str = "identity") -> DiagonalDC:
    """The mu -> infinity limit of :func:`ridge_dc`, as the law of the direction tau theta_mu.

    As mu grows, tau -> infinity, tau r'_i -> lambda_i / omega_i and gamma -> gamma_inf = sigma^2 +
    sum_i lambda_i theta*_i^2 (the risk of the zero fit, which the fit tends to), so
    tau theta_mu,i ~ N(lambda_i theta*_i / omega_i, gamma_inf lambda_i / (n omega_i^2)): the law of
    X^T y / n (omega = 1), whose ranking is marginal screening by the empirical covariances. A pruning
    rule's kept probabilities and a refit of the kept weights depend on this direction only, so their
    risks at mu = inf are the limits; ``risk`` is gamma_inf, but the truncated moments of this law are
    not the limit of a pruned risk (the pruned fit tends to 0, with risk gamma_inf too).
    """
    lam = np.asarray(lam, dtype=float)
    theta = np.asarray(theta_star, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    omega = penalty_weights(penalty, lam)
    null = float(sigma2 + np.sum(w * lam * theta**2))
    return DiagonalDC(lam * theta / omega, null * lam / (n * omega**2), null, None)


def ridge_fit(X: np.ndarray, y: np.ndarray, mu: float, penalty_diagonal: np.ndarray | None = None) -> np.ndarray:
    """theta_mu = argmin (1/n)||y - X theta||^2 + mu sum_i omega_i theta_i^2 (omega = 1 by default).

    Solved in beta = Omega^{1/2} theta through the smaller of the two Gram matrices; mu = 0 gives the
    min-norm least-squares fit.
    """
    n, p = X.shape
    omega = np.ones(p) if penalty_diagonal is None else np.asarray(penalty_diagonal, dtype=float)
    Z = X / np.sqrt(omega)
    if mu == 0:
        beta = np.linalg.lstsq(Z, y, rcond=None)[0]
    elif p <= n:
        beta = np.linalg.solve(Z.T @ Z / n + mu * np.eye(p), Z.T @ y / n)
    else:
        beta = Z.T @ np.linalg.solve(Z @ Z.T / n + mu * np.eye(n), y / n)
    return beta / np.sqrt(omega)


def ridge_path(X: np.ndarray, y: np.ndarray, mus, penalty_diagonal: np.ndarray | None = None) -> np.ndarray:
    """Ridge fits for every mu in ``mus`` from one SVD: rows theta_mu (shape len(mus) x p)."""
    n, p = X.shape
    omega = np.ones(p) if penalty_diagonal is None else np.asarray(penalty_diagonal, dtype=float)
    U, d, Vt = np.linalg.svd(X / np.sqrt(omega), full_matrices=False)
    Uy = U.T @ y
    keep = d > d.max() * max(n, p) * np.finfo(float).eps
    fits = []
    for mu in mus:
        shrink = np.where(keep, d / np.where(keep, d**2 + n * mu, 1.0), 0.0)
        fits.append(Vt.T @ (shrink * Uy))
    return np.array(fits) / np.sqrt(omega)
