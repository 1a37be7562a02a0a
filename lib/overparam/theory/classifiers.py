"""Fitting linear classifiers without intercept: logistic regression by gradient descent, whether a
sample is linearly separable (a linear program), the hard-margin SVM, and when the min-norm
interpolator of +-1 labels is the max-margin classifier.

Pure solvers of chapter 13 (:mod:`overparam.experiments.classification` runs them on the sign labels
of the linear Gaussian problem); nothing here draws random numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize
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


def hard_margin_svm(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-8) -> np.ndarray:
    """The max-margin linear classifier without intercept: min |w| subject to y_i x_i^T w >= 1.

    Solved in the dual, max sum(a) - |X^T (a y)|^2 / 2 over a >= 0 (L-BFGS-B); w = X^T (a y). Raises
    ValueError when the sample is not linearly separable (the dual is then unbounded)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    Z = X * y[:, None]
    Q = Z @ Z.T

    def dual(a):
        Qa = Q @ a
        return 0.5 * a @ Qa - a.sum(), Qa - 1

    result = minimize(dual, np.zeros(len(y)), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(y),
                      options={"ftol": 1e-15, "gtol": tolerance, "maxiter": 100000, "maxfun": 200000})
    w = Z.T @ result.x
    margins = Z @ w
    if not np.isfinite(result.fun) or margins.min() < 1 - 1e-4:
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
