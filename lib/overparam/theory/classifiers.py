"""Fitting linear classifiers without intercept: logistic regression by gradient descent, whether a
sample is linearly separable (a linear program), the hard-margin SVM, and when the min-norm
interpolator of +-1 labels is the max-margin classifier.

Pure solvers of chapter 13 (:mod:`overparam.experiments.classification` runs them on the sign labels
of the linear Gaussian problem); nothing here draws random numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, nnls
from scipy.special import expit


@dataclass(frozen=True)
class DescentResult:
    """Gradient descent on a batch of problems: the models (batch x d), the iterations each ran,
    whether each met the tolerance, and whether the stopped iterate classifies every training point
    correctly (this says nothing about whether the sample *can* be separated: see
    :func:`linearly_separable`)."""

    theta: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    classifies_all: np.ndarray


def logistic_descent(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-3, max_iterations: int = 20000
                     ) -> DescentResult:
    """Full-batch gradient descent from zero on the mean logistic loss, for a batch of problems.

    ``X`` has shape (batch, n, d), ``y`` (batch, n) with entries +-1. The step is 1/L with
    L = lambda_max(X^T X) / (4 n), the smoothness constant of the loss. A problem stops when the
    gradient norm falls to ``tolerance`` times its value at zero, or after ``max_iterations`` steps.

    The iterates stay in the span of the samples, theta = X^T alpha, so the descent runs on the
    n x n Gram matrix K = X X^T: the scores f = X theta move by (step / n) K h with
    h = y sigmoid(-y f), and |gradient|^2 = h^T K h / n^2. One batched n x n product per step,
    whatever d is; problems that have converged leave the batch.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise ValueError(f"X must be (batch, n, d) and y (batch, n); got {X.shape} and {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("labels must be +-1")
    if not tolerance > 0 or max_iterations < 1:
        raise ValueError(f"need tolerance > 0 and max_iterations >= 1, got {tolerance} and {max_iterations}")
    batch, n, _ = X.shape
    gram = X @ X.transpose(0, 2, 1)
    step = 4 / np.linalg.eigvalsh(gram)[:, -1]  # the step 1/L on theta, divided by n: the step on alpha
    alpha, scores = np.zeros((batch, n)), np.zeros((batch, n))
    iterations, converged = np.full(batch, max_iterations), np.zeros(batch, dtype=bool)
    start = np.sqrt(np.einsum("bi,bij,bj->b", y, gram, y)) / (2 * n)
    live = np.arange(batch)
    K, labels, f, a, rate, stop = gram, y, scores.copy(), alpha.copy(), step, tolerance * start
    for it in range(max_iterations + 1):
        h = labels * expit(-labels * f)
        Kh = np.matmul(K, h[..., None])[..., 0]
        met = np.sqrt(np.maximum(np.einsum("bi,bi->b", h, Kh), 0)) / n <= stop
        done = met | (it == max_iterations)
        if done.any():
            finished = live[done]
            alpha[finished], scores[finished] = a[done], f[done]
            iterations[finished], converged[finished] = it, met[done]
            keep = ~done
            live, K, labels, f, a, h, Kh, rate, stop = (live[keep], K[keep], labels[keep], f[keep], a[keep], h[keep],
                                                        Kh[keep], rate[keep], stop[keep])
        if live.size == 0:
            break
        f, a = f + rate[:, None] * Kh, a + rate[:, None] * h
    theta = np.einsum("bnd,bn->bd", X, alpha)
    return DescentResult(theta, iterations, converged, np.all(y * scores > 0, axis=1))


def separation_margin(X: np.ndarray, y: np.ndarray) -> float:
    """The largest t such that some w with every |w_j| <= 1 has y_i x_i^T w >= t for every i, capped
    at 1: a linear program (HiGHS). Positive exactly when the sample is linearly separable through the
    origin; the box keeps the program bounded and well scaled (the plain feasibility problem
    y_i x_i^T w >= 1 has huge solutions near the threshold and the solver can stall there)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    cost = np.zeros(d + 1)
    cost[-1] = -1.0
    constraints = np.hstack([-(X * y[:, None]), np.ones((n, 1))])  # t - y_i x_i^T w <= 0
    result = linprog(cost, A_ub=constraints, b_ub=np.zeros(n), bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    if result.status != 0:
        raise RuntimeError(f"the separation LP did not solve: {result.message}")
    return float(-result.fun)


def linearly_separable(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-8) -> bool:
    """Whether some linear classifier through the origin classifies every (x_i, y_i) correctly with a
    positive margin: :func:`separation_margin` above ``tolerance`` times the largest |x_ij|."""
    return separation_margin(X, y) > tolerance * max(float(np.abs(X).max()), 1e-300)


def separation_size(X: np.ndarray, y: np.ndarray) -> int:
    """The smallest k such that the sample on the first k features of ``X`` is linearly separable
    (bisection: a separating w on k features, padded with a zero, separates on k + 1); d + 1 when
    not even all d features separate it."""
    n, d = X.shape
    high = min(n, d)  # n generic features already separate n points: start the search there
    if not linearly_separable(X[:, :high], y):
        if high == d or not linearly_separable(X, y):
            return d + 1
        low = high
        high = d
    else:
        low = 0  # not separable with `low` features (none), separable with `high`
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if linearly_separable(X[:, :mid], y) else (mid, high)
    return high


def hard_margin_svm(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
    """The max-margin linear classifier without intercept: min |w| subject to y_i x_i^T w >= 1.

    With z_i = y_i x_i, the SVM is u / |u|^2 for u the point of smallest norm in the convex hull of
    the z_i (u^T z_i >= |u|^2 for every i is that point's optimality condition, and the margin is
    |u|). The hull's point is found as a non-negative least-squares problem, min over a >= 0 of
    |Z^T a|^2 + m^2 (sum(a) - 1)^2 (Lawson-Hanson active set, exact up to rounding): its solution is
    the hull's minimiser times a positive number, whatever m, so a / sum(a) is exact. Unlike a
    descent on the dual, nothing here grows without bound as the sample approaches inseparability.
    Whether a sample is separable is for the linear program (:func:`linearly_separable`) to decide;
    this raises ValueError when the result does not meet every constraint to ``tolerance`` (on
    an inseparable sample the hull contains the origin)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    Z = X * y[:, None]
    m = float(np.sqrt(np.mean(np.einsum("ij,ij->i", Z, Z)))) or 1.0  # the z_i's scale: a well-balanced row
    design = np.vstack([Z.T, np.full((1, len(y)), m)])
    target = np.zeros(design.shape[0])
    target[-1] = m
    a, _ = nnls(design, target, maxiter=50 * max(len(y), 10))
    u = Z.T @ (a / a.sum()) if a.sum() > 0 else np.zeros(X.shape[1])
    norm2 = float(u @ u)
    if not norm2 > 0:
        raise ValueError("the sample is not linearly separable (the origin is in the hull of the y_i x_i)")
    w = u / norm2
    margins = Z @ w
    if margins.min() < 1 - tolerance:
        raise ValueError(f"the sample is not linearly separable (smallest margin {margins.min():.3g} after the solve)")
    return w


def min_norm_interpolator_is_max_margin(X: np.ndarray, y: np.ndarray) -> bool:
    """True when the min-norm interpolator X^T a, a = (X X^T)^{-1} y, of the +-1 labels is the hard-margin
    SVM: exactly when every y_i a_i > 0 (every sample a support vector). False with fewer features than
    samples (no interpolator)."""
    n, d = X.shape
    if d <= n:
        return False
    a = np.linalg.solve(X @ X.T, y)
    return bool(np.all(y * a > 0))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of the angle between two models (0 if either is zero)."""
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norms) if norms > 0 else 0.0


def logistic_hessian_diagonal(X: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The diagonal of the Hessian of the mean logistic loss at ``theta``: (1/n) sum_i w_i x_ij^2 with
    w_i = s(m_i)(1 - s(m_i)), s the sigmoid and m_i = x_i^T theta (the label's sign does not matter).
    Each sample is weighed by the curvature of the loss at its margin: on separable data, with a large
    iterate, mostly the points of smallest margin."""
    margins = np.asarray(X, dtype=float) @ np.asarray(theta, dtype=float)
    weights = expit(margins) * expit(-margins)
    return weights @ (np.asarray(X, dtype=float) ** 2) / X.shape[0]
