"""The distributional characterization (DC) of min-norm least squares.

Overparameterized p > n (Def. 3 and 4, Thm. 1): with xi the root of
``sum_i xi lambda_i / (1 + xi lambda_i) = n`` and r_i = xi lambda_i / (1 + xi lambda_i),
theta_hat_i is predicted to be N(r_i theta*_i, gamma r_i^2 / (n lambda_i)), where
``gamma = (sigma^2 + sum_i lambda_i theta*_i^2 / (1 + xi lambda_i)^2) / (1 - sum_i r_i^2 / n)``
is also the predicted risk. (Writing B = sqrt(p) theta* and kappa = p/n this is the law of
X = r (B + sqrt(kappa gamma) Lambda^{-1/2} H) of Def. 3, evaluated on the finite-p spectrum.)

Underparameterized p < n (Def. 6, Thm. 3): theta_hat ~ N(theta*, sigma^2 / (n - p) Sigma^{-1}).
By default this module uses n - p - 1 instead of n - p: for a Gaussian design
E[(X^T X)^{-1}] = Sigma^{-1} / (n - p - 1) exactly, so the dense risk becomes the exact
sigma^2 (n - 1) / (n - p - 1); the two agree as n grows (``exact_finite_n=False`` gives Def. 6).

The DC is rotation invariant, so a general Sigma is handled in its eigenbasis (Def. 4).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from overparam.theory.problems import LinearGaussianProblem


def solve_xi(eigenvalues: np.ndarray, n: float, weights: np.ndarray | None = None) -> float:
    """The root xi > 0 of sum_i w_i xi lambda_i / (1 + xi lambda_i) = n (Def. 4).

    It exists when more than n (weighted) eigenvalues are positive, i.e. when p > n.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    if np.sum(w[lam > 0]) <= n:
        raise ValueError("xi exists only in the overparameterized regime (more than n features)")

    def excess(log_xi):
        z = np.exp(log_xi) * lam
        return np.sum(w * z / (1 + z)) - n

    lo, hi = -1.0, 1.0
    while excess(lo) > 0:
        lo -= 8.0
    while excess(hi) < 0:
        hi += 8.0
    return float(np.exp(brentq(excess, lo, hi, xtol=1e-14, rtol=1e-14)))


@dataclass(frozen=True)
class DiagonalDC:
    """Predicted per-coordinate law of theta_hat: N(mean_i, var_i), and the dense risk."""

    mean: np.ndarray
    var: np.ndarray
    risk: float
    xi: float | None  # None in the underparameterized regime


def diagonal_dc(eigenvalues: np.ndarray, theta_star: np.ndarray, sigma2: float, n: int,
                weights: np.ndarray | None = None, exact_finite_n: bool = True) -> DiagonalDC:
    """Finite-p DC (Def. 4 for p > n, Def. 6 for p < n) of a diagonal LGP.

    ``weights`` lets one coordinate stand for several identical ones (the atoms of the empirical
    law of (Lambda, B)); the effective number of features is sum(weights).
    At the interpolation threshold (n - 1 <= p <= n) the risk is infinite.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    theta = np.asarray(theta_star, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    p = float(np.sum(w))
    if p > n:
        xi = solve_xi(lam, n, w)
        r = xi * lam / (1 + xi * lam)
        bias = np.sum(w * lam * theta**2 / (1 + xi * lam) ** 2)
        gamma = (sigma2 + bias) / (1 - np.sum(w * r**2) / n)
        return DiagonalDC(r * theta, gamma * r**2 / (n * lam), float(gamma), xi)
    dof = n - p - 1 if exact_finite_n else n - p
    if dof <= 0:
        return DiagonalDC(theta.copy(), np.full_like(lam, np.inf), np.inf, None)
    var = sigma2 / dof / lam
    return DiagonalDC(theta.copy(), var, float(sigma2 + np.sum(w * lam * var)), None)


def dc_gaussian(problem: LinearGaussianProblem, n: int,
                exact_finite_n: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the DC Gaussian for theta_hat, any Sigma (Def. 4, Def. 6).

    Returns (mean, var) with ``var`` a vector for a diagonal problem and a p x p matrix otherwise:
    mean = (I + (xi Sigma)^{-1})^{-1} theta*, cov = (gamma / n) xi^2 Sigma (I + xi Sigma)^{-2}.
    """
    if problem.is_diagonal:
        dc = diagonal_dc(problem.cov, problem.theta_star, problem.sigma**2, n,
                         exact_finite_n=exact_finite_n)
        return dc.mean, dc.var
    basis, dc = dc_eigenbasis(problem, n, exact_finite_n)
    return basis @ dc.mean, (basis * dc.var) @ basis.T


def dc_eigenbasis(problem: LinearGaussianProblem, n: int,
                  exact_finite_n: bool = True) -> tuple[np.ndarray, DiagonalDC]:
    """The DC of theta_hat in the eigenbasis of Sigma (Def. 4 is rotation invariant): the basis U
    (columns) and the diagonal DC of U^T theta_hat, whose coordinates are independent Gaussians."""
    eigenvalues, basis = problem.spectrum
    return basis, diagonal_dc(eigenvalues, basis.T @ problem.theta_star, problem.sigma**2, n,
                              exact_finite_n=exact_finite_n)


def principal_root(basis: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """The principal (symmetric, positive semi-definite) square root U diag(sqrt v) U^T of the covariance
    U diag(v) U^T, negative rounding in v clipped to 0. It is a function of the covariance alone, whatever
    orthonormal basis U of a repeated eigenvalue is passed, so Gaussian draws z @ root are too."""
    return (basis * np.sqrt(np.clip(variances, 0, None))) @ basis.T


def sample_dc(problem: LinearGaussianProblem, n: int, size: int,
              rng: np.random.Generator) -> np.ndarray:
    """``size`` draws of theta_hat from its DC Gaussian (shape size x p); no data matrix needed."""
    mean, var = dc_gaussian(problem, n)
    noise = rng.standard_normal((size, problem.p))
    if var.ndim == 1:
        return mean + noise * np.sqrt(var)
    variances, basis = np.linalg.eigh(var)
    return mean + noise @ principal_root(basis, variances)


@dataclass(frozen=True)
class ScaledLaw:
    """The DC law of X = sqrt(p) theta_hat_i (Def. 3): a Gaussian mixture, one component per atom.

    Component j has weight ``weights[j]``, mean ``centers[j]`` and standard deviation ``scales[j]``.
    """

    centers: np.ndarray
    scales: np.ndarray
    weights: np.ndarray

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density of the mixture at x."""
        z = (np.asarray(x, dtype=float)[..., None] - self.centers) / self.scales
        return np.sum(self.weights * np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * self.scales), axis=-1)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Distribution function of the mixture at x."""
        from scipy.special import ndtr
        z = (np.asarray(x, dtype=float)[..., None] - self.centers) / self.scales
        return np.sum(self.weights * ndtr(z), axis=-1)

    def quantile(self, probs: np.ndarray, grid_points: int = 20001) -> np.ndarray:
        """Inverse distribution function, by monotone interpolation of the cdf on a fine grid."""
        lo = np.min(self.centers - 9 * self.scales)
        hi = np.max(self.centers + 9 * self.scales)
        grid = np.linspace(lo, hi, grid_points)
        cdf = np.concatenate([[0.0], self.cdf(grid[1:-1]), [1.0]])
        return np.interp(probs, cdf, grid)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """i.i.d. draws from the mixture."""
        component = rng.choice(self.weights.size, size=size, p=self.weights / self.weights.sum())
        return self.centers[component] + self.scales[component] * rng.standard_normal(size)


def atoms(problem: LinearGaussianProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (Sigma_ii, theta*_i) pairs with their multiplicities: the empirical law of (Lambda, B)."""
    if not problem.is_diagonal:
        raise ValueError("atoms of (Lambda, B) need a diagonal covariance; "
                         "sample the DC (overparam.theory.dc.sample_dc) for a general one")
    pairs, counts = np.unique(np.stack([problem.cov, problem.theta_star], axis=1),
                              axis=0, return_counts=True)
    return pairs[:, 0], pairs[:, 1], counts.astype(float)


def scaled_law(problem: LinearGaussianProblem, n: int, exact_finite_n: bool = True) -> ScaledLaw:
    """The DC law of sqrt(p) theta_hat_i for a diagonal LGP (Def. 3 / Def. 6 on its own spectrum)."""
    lam, theta, counts = atoms(problem)
    dc = diagonal_dc(lam, theta, problem.sigma**2, n, counts, exact_finite_n=exact_finite_n)
    root_p = np.sqrt(problem.p)
    return ScaledLaw(root_p * dc.mean, root_p * np.sqrt(dc.var), counts / counts.sum())
