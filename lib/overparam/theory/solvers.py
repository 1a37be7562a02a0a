"""Empirical risk minimisers: min-norm least squares (eq. 3), what gradient descent from zero finds."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import scipy.linalg as sla


def min_norm_least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """theta_hat = pinv(X) y: the least-squares solution of smallest norm (eq. 3 with Delta = [p]).

    A well-conditioned X is solved through a Cholesky factorisation, of X^T X when X is tall
    (normal equations) and of X X^T when it is wide (theta = X^T (X X^T)^{-1} y); that is 10-15x
    faster than an SVD here. Anything else, rank-deficient designs included, goes to the SVD.
    """
    n, p = X.shape
    if p != n:
        tall = p < n
        gram = X.T @ X if tall else X @ X.T
        factor = _well_conditioned_cholesky(gram)
        if factor is not None:
            if tall:
                return sla.cho_solve(factor, X.T @ y, check_finite=False)
            return X.T @ sla.cho_solve(factor, y, check_finite=False)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _well_conditioned_cholesky(gram: np.ndarray, min_pivot_ratio: float = 1e-5):
    """cho_factor of ``gram``, or None when it fails or its pivots span more than 1/min_pivot_ratio
    (a cheap guard against a near-singular Gram matrix, whose normal equations lose accuracy)."""
    try:
        factor = sla.cho_factor(gram, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    pivots = np.abs(np.diag(factor[0]))
    return factor if pivots.min() > min_pivot_ratio * pivots.max() else None


def fit_on_support(X: np.ndarray, y: np.ndarray, support: np.ndarray) -> np.ndarray:
    """ERM restricted to the columns in ``support`` (eq. 3 on a feature set), zeros elsewhere.

    This is the retraining step of train-prune-retrain.
    """
    theta = np.zeros((X.shape[1],) + np.shape(y)[1:])  # one column per target when y is a matrix
    theta[support] = min_norm_least_squares(X[:, support], y)
    return theta


def prefix_min_norm_fits(X: np.ndarray, y: np.ndarray,
                         ks: Iterable[int] | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (k, pinv(X[:, :k]) y) for every requested prefix size k (all of 1..p by default).

    One data draw serves every model size, as in Fig. 3. No pseudo-inverse is formed:

    - k <= n: one QR factorisation X[:, :n] = Q R serves every prefix, because the QR of the
      first k columns is (Q[:, :k], R[:k, :k]); each fit is one triangular solve.
    - k > n: the min-norm solution is X_k^T (X_k X_k^T)^{-1} y. The Gram matrix X_k X_k^T grows
      by one rank-one term per feature and is solved by Cholesky.

    ``ks`` must be increasing. Each yielded vector has length k.
    """
    n, p = X.shape
    ks = range(1, p + 1) if ks is None else list(ks)
    if any(b <= a for a, b in zip(ks, ks[1:])):
        raise ValueError("ks must be strictly increasing")
    if ks and not (1 <= ks[0] and ks[-1] <= p):
        raise ValueError(f"every k must lie in 1..{p}")
    m = min(n, p)
    Q, R = np.linalg.qr(X[:, :m])
    Qty = Q.T @ y
    gram, gram_k = None, 0
    for k in ks:
        if k <= n:
            yield k, sla.solve_triangular(R[:k, :k], Qty[:k], check_finite=False)
            continue
        if gram is None:
            gram, gram_k = X[:, :k] @ X[:, :k].T, k
        else:
            gram += X[:, gram_k:k] @ X[:, gram_k:k].T
            gram_k = k
        alpha = sla.cho_solve(sla.cho_factor(gram, check_finite=False), y, check_finite=False)
        yield k, X[:, :k].T @ alpha
