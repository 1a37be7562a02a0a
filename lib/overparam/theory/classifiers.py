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
    :func:`linearly_separable`). ``alpha`` (theta = X^T alpha) and ``scores`` (X theta, as the descent
    accumulated them) let a later call continue the same descent (``start`` of :func:`logistic_descent`)."""

    theta: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    classifies_all: np.ndarray
    alpha: np.ndarray | None = None
    scores: np.ndarray | None = None


# the matrices of one chunk of the batch (bytes): a larger batch runs in chunks that stay in the shared
# cache between steps. Each step of a chunk pays a fixed Python cost whatever its size, so a chunk of
# 32 MiB (every batch of chapter 13 whole) runs that chapter's descents 1.2-1.35x faster than chunks of
# 2 MiB, which fit a core's own cache (benchmarks/bench_logistic_descent.py); chunking changes no value
CACHE_BYTES = 2**25


def logistic_descent(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-3, max_iterations: int = 20000,
                     start: DescentResult | None = None) -> DescentResult:
    """Full-batch gradient descent from zero on the mean logistic loss, for a batch of problems.

    ``X`` has shape (batch, n, d), ``y`` (batch, n) with entries +-1. The step is 1/L with
    L = lambda_max(X^T X) / (4 n), the smoothness constant of the loss. A problem stops when the
    gradient norm falls to ``tolerance`` times its value at zero, or after ``max_iterations`` steps.

    The iterates stay in the span of the samples, theta = X^T alpha, so the descent runs on the
    scores: f = X theta moves by (step / n) K h with K = X X^T and h = y sigmoid(-y f), and
    |gradient|^2 = h^T K h / n^2. K h costs n^2 with K formed and 2 n d as X (X^T h): the second when
    2 d < n. The problems are independent: they run in chunks whose matrices stay in cache
    (:data:`CACHE_BYTES`), and within a chunk those that have converged leave it.

    ``start``: the result of an earlier call on the same X and y with a larger (or equal) tolerance and
    a smaller (or equal) cap; the descent continues from where it stopped, counting its steps, which
    gives the iterate of a run from zero exactly (with step 1/L the gradient norm never increases, so
    the smaller tolerance is not met before the larger one).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise ValueError(f"X must be (batch, n, d) and y (batch, n); got {X.shape} and {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("labels must be +-1")
    if not tolerance > 0 or max_iterations < 1:
        raise ValueError(f"need tolerance > 0 and max_iterations >= 1, got {tolerance} and {max_iterations}")
    batch, n, d = X.shape
    factored = 2 * d < n
    size = 8 * (2 * n * d if factored else n * n)
    chunk = max(1, CACHE_BYTES // size)
    begin = ((np.zeros((batch, n)), np.zeros((batch, n)), np.zeros(batch, dtype=int)) if start is None else
             (start.alpha, start.scores, np.minimum(start.iterations, max_iterations)))
    parts = [_descend(X[b:b + chunk], y[b:b + chunk], tolerance, max_iterations, factored,
                      *(part[b:b + chunk] for part in begin)) for b in range(0, batch, chunk)]
    alpha, scores, iterations, converged = (np.concatenate(column) for column in zip(*parts))
    theta = np.einsum("bnd,bn->bd", X, alpha)
    return DescentResult(theta, iterations, converged, np.all(y * scores > 0, axis=1), alpha, scores)


def _descend(X: np.ndarray, y: np.ndarray, tolerance: float, max_iterations: int, factored: bool,
             alpha0: np.ndarray | None = None, scores0: np.ndarray | None = None, done0: np.ndarray | None = None):
    """:func:`logistic_descent` on one chunk: the coefficients alpha (theta = X^T alpha), the scores
    X theta, the iterations and whether each problem met the tolerance. ``factored``: K h as
    X (X^T h), with lambda_max(K) that of the d x d matrix X^T X; otherwise K = X X^T is formed.
    ``alpha0``, ``scores0``, ``done0``: the state after ``done0`` steps (default: zero, from zero)."""
    batch, n, _ = X.shape
    if factored:
        M = X
        lam = np.linalg.eigvalsh(X.transpose(0, 2, 1) @ X)[:, -1]
        apply = lambda M, h: np.matmul(M, np.matmul(h[:, None, :], M).transpose(0, 2, 1))[..., 0]
    else:
        M = X @ X.transpose(0, 2, 1)
        lam = np.linalg.eigvalsh(M)[:, -1]
        apply = lambda M, h: np.matmul(M, h[..., None])[..., 0]
    step = 4 / lam  # the step 1/L on theta, divided by n: the step on alpha
    alpha = np.zeros((batch, n)) if alpha0 is None else np.array(alpha0, dtype=float)
    scores = np.zeros((batch, n)) if scores0 is None else np.array(scores0, dtype=float)
    count = np.zeros(batch, dtype=int) if done0 is None else np.array(done0, dtype=int)
    iterations, converged = np.full(batch, max_iterations), np.zeros(batch, dtype=bool)
    start = np.sqrt(np.einsum("bi,bi->b", y, apply(M, y))) / (2 * n)
    live = np.arange(batch)
    # stop where |gradient| = sqrt(h^T K h) / n falls to tolerance * start: compared squared, one product a step
    threshold = (n * tolerance * start) ** 2
    labels, negative, f, a, rate = y, -y, scores.copy(), alpha.copy(), step[:, None]
    budget = max_iterations - count  # the steps each problem may still take
    taken, first_cap = 0, int(budget.min())
    while True:
        h = expit(negative * f)
        h *= labels
        Kh = apply(M, h)
        met = np.einsum("bi,bi->b", h, Kh) <= threshold
        if taken >= first_cap or met.any():
            done = met | (budget <= taken)
            finished = live[done]
            alpha[finished], scores[finished] = a[done], f[done]
            iterations[finished], converged[finished] = count[done] + taken, met[done]
            keep = ~done
            live, M, labels, negative, f, a, rate, threshold, budget, count = (
                live[keep], M[keep], labels[keep], negative[keep], f[keep], a[keep], rate[keep], threshold[keep],
                budget[keep], count[keep])
            if not live.size:
                break
            h, Kh, first_cap = h[keep], Kh[keep], int(budget.min())
        f += rate * Kh
        a += rate * h
        taken += 1
    return alpha, scores, iterations, converged


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


def interpolator_separates(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-8) -> bool:
    """A certificate of :func:`linearly_separable` without a linear program, for a square X: w solving
    X w = y has every margin 1, so the program's optimum is at least 1 / max|w_j|; above the same
    threshold the program would say separable too. False (no certificate) when X is not square or
    singular, or the bound is too small: then only the program decides."""
    n, d = X.shape
    if n != d:
        return False
    try:
        w = np.linalg.solve(X, y)
    except np.linalg.LinAlgError:
        return False
    margins = y * (X @ w)
    return bool(margins.min() > 0 and margins.min() / np.abs(w).max() > tolerance * max(float(np.abs(X).max()), 1e-300))


def separation_size(X: np.ndarray, y: np.ndarray) -> int:
    """The smallest k such that the sample on the first k features of ``X`` is linearly separable
    (bisection: a separating w on k features, padded with a zero, separates on k + 1); d + 1 when
    not even all d features separate it."""
    n, d = X.shape
    high = min(n, d)  # n generic features already separate n points: start the search there
    if not (interpolator_separates(X[:, :high], y) or linearly_separable(X[:, :high], y)):
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
