"""The closed-form risk curves of :mod:`overparam.theory.risk`, for every model size at once.

:class:`overparam.theory.risk.FitLaw` predicts the risk of each compressor for the model on the first
k features (Lemma 7: the left-out features act as noise), one size at a time, with a scalar root
finder for xi (Def. 4) and for each pruning threshold (Cor. 1). Here the same formulas are evaluated
on a (sizes x atoms) array: the atoms are the distinct (Sigma_ii, theta*_i) pairs of the whole
problem, and the model of size k gives atom j the weight "how many of the first k features are that
atom" (zero for an atom it has not reached), so every sum over the features of a prefix is one
row of a weighted sum. The roots of all sizes are found together by Newton steps kept inside a
shrinking bracket (:func:`monotone_roots`), Halley steps for the pruning thresholds, whose second
derivative costs little more than the first (:func:`keep_excess`). The numbers are those of FitLaw
(checked to 1e-10 in tests/test_risk_curves.py); only the order of some sums differs.

The curves: ``dense`` (Thm. 1), ``magnitude`` and ``hessian`` pruning (Cor. 1, eqs. 61-64),
``oracle`` (eq. 65), ``random`` pruning, and ``<rule>+retrain`` for magnitude, Hessian and random
pruning followed by a refit on a fresh sample (Def. 5).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import DATA_RULES, FIT_RULES, oracle_support, score_scale
from overparam.theory.risk import _PDF, _VAR_FLOOR, keep_probability, thresholded_sq_error

CURVES = ("dense", "magnitude", "hessian", "oracle", "random", "magnitude+retrain", "hessian+retrain",
          "random+retrain")
PRUNING_RULES = FIT_RULES  # the rules with a closed-form threshold (Cor. 1)
BLOCK_COLUMNS = 64  # with fewer atoms one block is cheaper than several (in_column_blocks)
ROOT_RTOL = 1e-15  # a Newton step this small (relative) ends a root: far below the 1e-10 the curves are checked to


def monotone_roots(func, lo: np.ndarray, hi: np.ndarray, increasing: bool, iterations: int = 200,
                   start: np.ndarray | None = None) -> np.ndarray:
    """One root per row of a monotone function, all rows at once: ``func(x, rows)`` returns (value,
    slope) at x for the selected rows, or (value, slope, curvature), and the root of each row lies in
    [lo, hi]. Newton steps, or Halley steps with the curvature (:func:`root_step`), from ``start``
    where it is inside the bracket (a warm start: a nearby row's root) else from the middle, with a
    bisection of the bracket whenever a step would leave it; a row stops when its step is below
    :data:`ROOT_RTOL` of its value (brentq's rtol in overparam.theory.risk is 1e-13)."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    x = (lo + hi) / 2
    if start is not None:
        x = np.where((start > lo) & (start < hi), start, x)  # NaN (no start) fails both
    active = np.arange(x.size)
    for _ in range(iterations):
        value, *derivatives = func(x[active], active)
        root_below = value > 0 if increasing else value < 0
        hi[active] = np.where(root_below, x[active], hi[active])
        lo[active] = np.where(root_below, lo[active], x[active])
        step = x[active] - root_step(value, *derivatives)
        # a step below the tolerance ends the row even when it rounds onto the bracket's end (x itself)
        finite = np.isfinite(step)
        converged = finite & (np.abs(step - x[active]) <= ROOT_RTOL * np.maximum(np.abs(step), np.abs(x[active])))
        inside = converged | (finite & (step > lo[active]) & (step < hi[active]))
        new = np.where(value == 0, x[active], np.where(inside, step, (lo[active] + hi[active]) / 2))
        tolerance = ROOT_RTOL * np.maximum(np.abs(new), np.abs(x[active])) + 1e-300
        done = (np.abs(new - x[active]) <= tolerance) | (hi[active] - lo[active] <= tolerance)
        x[active] = new
        active = active[~done]
        if active.size == 0:
            break
    return x


def root_step(value: np.ndarray, slope: np.ndarray, curvature: np.ndarray | None = None) -> np.ndarray:
    """How far to move x towards the root of f: Newton's f / f', or with the curvature f'' Halley's
    f / f' / (1 - f f'' / (2 f'^2)) (cubic convergence), which is Newton's where |f f'' / f'^2| >= 1
    (far from the root, where the correction is not small)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        newton = value / slope
        if curvature is None:
            return newton
        bend = newton * curvature / slope  # f f'' / f'^2
        return np.where(np.abs(bend) < 1, newton / (1 - bend / 2), newton)


@dataclass(frozen=True)
class LawRows:
    """The DC law of a fit (Def. 4 for more features than samples, Def. 6 with n - p - 1 otherwise)
    for each row of weights: per-atom mean and variance of theta_hat (rows x atoms), the dense risk
    per row (inf at the interpolation threshold) and the effective number of features per row."""

    mean: np.ndarray
    var: np.ndarray
    risk: np.ndarray
    features: np.ndarray

    @property
    def finite(self) -> np.ndarray:
        return np.isfinite(self.risk)


def row_widths(weights: np.ndarray) -> np.ndarray:
    """Per row, how many leading columns it weighs (the last column of nonzero weight, plus one)."""
    return weights.shape[1] - np.argmax(weights[:, ::-1] > 0, axis=1)


def column_blocks(weights: np.ndarray, blocks: int = 4,
                  width: np.ndarray | None = None) -> list[tuple[np.ndarray | slice, int]]:
    """(rows, columns) for a few groups of rows of similar width: with the atoms in order of first
    appearance, the model of size k weighs only the leading atoms, so a group of small models needs
    only its few leading columns (a continuous law of theta* has one atom per feature). The rows
    are those of ``weights``, or those of ``width`` (per row, :func:`row_widths`) when given. With at
    most :data:`BLOCK_COLUMNS` atoms, one group: all rows (a slice, so that indexing by it copies nothing)."""
    if weights.shape[1] <= BLOCK_COLUMNS:
        return [(slice(None), weights.shape[1])]
    width = row_widths(weights) if width is None else width
    groups = np.array_split(np.argsort(width, kind="stable"), blocks)
    return [(group, int(width[group].max())) for group in groups if group.size]


def in_column_blocks(weights: np.ndarray, solve, blocks: int = 4) -> np.ndarray:
    """``solve(rows, columns)`` -> one value per row, called on each group of :func:`column_blocks`."""
    out = np.empty(weights.shape[0])
    for rows, columns in column_blocks(weights, blocks):
        out[rows] = solve(rows, columns)
    return out


def solve_xi_rows(lam: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """:func:`solve_xi_block` on groups of rows of similar width (:func:`in_column_blocks`)."""
    return in_column_blocks(weights, lambda rows, cols: solve_xi_block(lam[:cols], weights[rows, :cols], n))


def solve_xi_block(lam: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """The root xi of sum_j w_j xi lam_j / (1 + xi lam_j) = n for each row of ``weights`` (Def. 4), each
    with more than n features. Solved for u = log xi, bracketed by z/(1+z) <= z (below) and
    z/(1+z) >= 1 - 1/z (above)."""
    features = weights.sum(axis=1)
    lo = np.log(n / (weights @ lam))
    hi = np.log((weights @ (1 / lam)) / (features - n))

    def excess(u, rows):
        z = np.exp(u)[:, None] * lam
        w = weights[rows]
        return np.sum(w * z / (1 + z), axis=1) - n, np.sum(w * z / (1 + z) ** 2, axis=1)

    return np.exp(monotone_roots(excess, lo, hi, increasing=True))


def law_rows(lam: np.ndarray, theta: np.ndarray, sigma2: np.ndarray, n: int, weights: np.ndarray) -> LawRows:
    """:func:`overparam.theory.dc.diagonal_dc` for every row of ``weights`` (the fit of each size, or
    the refit of each kept set) with noise variance ``sigma2`` per row."""
    rows = weights.shape[0]
    features = weights.sum(axis=1)
    mean = np.broadcast_to(theta, weights.shape).copy()
    var = np.full(weights.shape, np.inf)
    risk = np.full(rows, np.inf)
    over = features > n
    if over.any():
        xi = solve_xi_rows(lam, weights[over], n)[:, None]
        r = xi * lam / (1 + xi * lam)
        bias = np.sum(weights[over] * lam * theta**2 / (1 + xi * lam) ** 2, axis=1)
        gamma = (sigma2[over] + bias) / (1 - np.sum(weights[over] * r**2, axis=1) / n)
        mean[over], var[over], risk[over] = r * theta, gamma[:, None] * r**2 / (n * lam), gamma
    dof = n - features - 1
    under = ~over & (dof > 0)
    if under.any():
        var[under] = sigma2[under, None] / dof[under, None] / lam
        risk[under] = sigma2[under] + np.sum(weights[under] * lam * var[under], axis=1)
    return LawRows(mean, var, risk, features)


def prefix_weights(problem: LinearGaussianProblem, sizes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The atoms (lam_j, theta*_j) of the whole diagonal problem in order of first appearance, which atom
    each feature is, and the weights (sizes x atoms): how many of the first k features are atom j."""
    pairs, atom_of = np.unique(np.stack([problem.cov, problem.theta_star], axis=1), axis=0, return_inverse=True)
    first = np.full(len(pairs), problem.p)
    np.minimum.at(first, atom_of.ravel(), np.arange(problem.p))
    order = np.argsort(first, kind="stable")  # atoms in order of first appearance (in_column_blocks)
    pairs, atom_of = pairs[order], np.argsort(order)[atom_of.ravel()]
    counts = np.stack([np.bincount(atom_of[:k], minlength=len(pairs)) for k in sizes]).astype(float)
    return pairs[:, 0], pairs[:, 1], atom_of, counts


def threshold_rows(lam, weights, mean, var, s: int, rule: str) -> np.ndarray:
    """Per row and atom, the threshold on |theta_hat| at which ``rule`` keeps s weights in expectation:
    sum_j w_j P(scale_j |Z_j| >= t) = s for Z_j ~ N(mean_j, var_j) (t* or t_H of Cor. 1)."""
    return score_thresholds(lam, weights, mean, var, s, rule)[:, None] / score_scale(rule, lam)


def score_thresholds(lam, weights, mean, var, s: int, rule: str, start: np.ndarray | None = None,
                     halley: bool = False) -> np.ndarray:
    """Per row, the threshold t on the score scale_j |theta_hat_j| of :func:`threshold_rows`, its root
    search started from ``start`` (per row, NaN for none) when given, by Halley steps with ``halley``."""
    scale = score_scale(rule, lam)
    return in_column_blocks(weights, lambda rows, cols: score_threshold_block(
        scale[:cols], weights[rows, :cols], mean[rows, :cols], var[rows, :cols], s,
        None if start is None else start[rows], halley))


def score_threshold_block(scale, weights, mean, var, s: int, start: np.ndarray | None = None,
                          halley: bool = False) -> np.ndarray:
    """Per row, the t with sum_j w_j P(scale_j |Z_j| >= t) = s (:func:`threshold_rows`), from ``start``
    when given (:func:`monotone_roots`), by Halley steps with ``halley`` (else Newton steps)."""
    present = weights > 0
    hi = np.max(np.where(present, scale * (np.abs(mean) + 40 * np.sqrt(var)), 0.0), axis=1) + 1e-300
    excess = keep_excess(scale, weights, mean, np.sqrt(np.maximum(var, _VAR_FLOOR)), s, halley)
    return monotone_roots(excess, np.zeros(len(hi)), hi, increasing=False, start=start)


def keep_excess(scale, weights, mean, sd, s: int, curvature: bool = False):
    """``excess(t, rows)``: for the selected rows, sum_j w_j P(scale_j |Z_j| >= t) - s and its slope in
    t, and with ``curvature`` its second derivative (for Halley steps), for Z_j ~ N(mean_j, sd_j^2):
    with a = (m - t / scale) / sd and b = (-m - t / scale) / sd, d a / d t = d b / d t = -1 / spread
    (spread = scale sd), so the slope is -sum_j w_j (phi(a) + phi(b)) / spread_j and the curvature
    -sum_j w_j (a phi(a) + b phi(b)) / spread_j^2. Every step writes into seven (rows x atoms) work
    arrays made here once, not into fresh ones: the allocator hands arrays this large back to the
    system, and faulting their pages in again at every step costs about as much as the arithmetic
    outside the normal cdfs. The value and slope are those of the fresh arrays to the last bit."""
    work = np.empty((7,) + weights.shape)
    spread = scale * sd  # the score's sd

    def excess(t, rows):
        m, d, w, tau, a, b, e = (part[:len(rows)] for part in work)
        for source, into in ((mean, m), (sd, d), (weights, w)):
            np.take(source, rows, axis=0, out=into)
        np.divide(t[:, None], scale, out=tau)
        np.divide(np.subtract(m, tau, out=a), d, out=a)  # a = (m - tau) / sd
        np.divide(np.subtract(np.negative(m, out=b), tau, out=b), d, out=b)  # b = (-m - tau) / sd
        pdf_a, pdf_b = gaussian_kernel(a, out=tau), gaussian_kernel(b, out=m)
        if curvature:
            bend = np.add(np.multiply(a, pdf_a, out=d), np.multiply(b, pdf_b, out=e), out=d)
            bend = np.divide(np.multiply(bend, _PDF, out=bend), spread[rows] ** 2, out=bend)
        density = np.divide(np.multiply(np.add(pdf_a, pdf_b, out=pdf_a), _PDF, out=pdf_a), spread[rows], out=pdf_a)
        keep = np.add(ndtr(a, out=a), ndtr(b, out=b), out=a)  # keep_probability(mean, var, tau)
        value = np.sum(np.multiply(w, keep, out=keep), axis=1) - s
        slope = -np.sum(np.multiply(w, density, out=density), axis=1)
        return (value, slope, -np.sum(np.multiply(w, bend, out=bend), axis=1)) if curvature else (value, slope)

    return excess


def gaussian_kernel(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """exp(-x^2 / 2), written into ``out``."""
    return np.exp(np.multiply(np.multiply(x, -0.5, out=out), x, out=out), out=out)


def oracle_weights(problem: LinearGaussianProblem, sizes, s: int, atom_of: np.ndarray, atom_count: int) -> np.ndarray:
    """Per size and atom, how many features the oracle keeps (its s top-saliency features among the
    first k, eq. 4; ties as :func:`overparam.theory.pruning.oracle_support`)."""
    theta, lam = problem.theta_star, problem.cov
    return np.stack([np.bincount(atom_of[oracle_support(theta[:k], lam[:k], s)], minlength=atom_count)
                     for k in sizes]).astype(float)


def risk_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, curves=CURVES) -> dict[str, np.ndarray]:
    """The predicted risk of each curve in ``curves`` (names of :data:`CURVES`) for the model of each
    size k in ``sizes`` of a diagonal problem: the numbers of FitLaw(problem.prefix(k), n) (dense,
    pruned, oracle, random, retrained), computed for all sizes at once."""
    unknown = set(curves) - set(CURVES)
    if unknown:
        raise ValueError(f"no vectorised curve {sorted(unknown)}; these are: {list(CURVES)}")
    sizes = np.asarray(sizes, dtype=int)
    lam, theta, atom_of, weights = prefix_weights(problem, sizes)
    salience = lam * theta**2
    total = np.bincount(atom_of, minlength=len(lam)).astype(float)
    sigma2 = problem.sigma**2 + (total - weights) @ salience  # Lemma 7: the left-out features are noise
    fit = law_rows(lam, theta, sigma2, n, weights)
    pruned = sizes > s  # s >= k: nothing is pruned and every curve is the dense fit's
    rows = pruned & fit.finite
    mse = (fit.mean - theta) ** 2 + fit.var
    out = {name: fit.risk.copy() for name in curves}
    # at the interpolation threshold the ranking follows the scaled law N(0, 1 / Sigma_ii) (FitLaw.kept)
    mean = np.where(fit.finite[:, None], fit.mean, 0.0)
    var = np.where(fit.finite[:, None], fit.var, 1 / lam)
    keep = {}
    for rule in PRUNING_RULES:
        if rule in curves or f"{rule}+retrain" in curves:
            keep[rule] = np.ones_like(weights)
            if pruned.any():
                tau = threshold_rows(lam, weights[pruned], mean[pruned], var[pruned], s, rule)
                keep[rule][pruned] = keep_probability(mean[pruned], var[pruned], tau)
                if rule in curves and rows.any():  # Cor. 1: sigma_k^2 + sum_j w_j lam_j E(theta*_j - Z_j 1{kept})^2
                    loss = thresholded_sq_error(theta, fit.mean[rows], fit.var[rows], tau[fit.finite[pruned]])
                    out[rule][rows] = sigma2[rows] + np.sum(weights[rows] * lam * loss, axis=1)
    if "oracle" in curves and rows.any():  # eq. 65
        kept = oracle_weights(problem, sizes[rows], s, atom_of, len(lam))
        out["oracle"][rows] = sigma2[rows] + np.sum(
            kept * lam * mse[rows] + (weights[rows] - kept) * salience, axis=1)
    fraction = np.where(pruned, s / sizes, 1.0)[:, None]  # random pruning keeps each feature w.p. s/k
    if "random" in curves and rows.any():
        q = fraction[rows]
        out["random"][rows] = sigma2[rows] + np.sum(weights[rows] * lam * (q * mse[rows] + (1 - q) * theta**2), axis=1)
    keep["random"] = np.broadcast_to(fraction, weights.shape)
    for rule in DATA_RULES:
        if f"{rule}+retrain" in curves:  # Def. 5: the pruned features become noise of a refit on the kept ones
            noise = sigma2 + np.sum(weights * (1 - keep[rule]) * salience, axis=1)
            out[f"{rule}+retrain"] = law_rows(lam, theta, noise, n, weights * keep[rule]).risk
    return out
