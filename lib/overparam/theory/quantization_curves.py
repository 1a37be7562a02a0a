"""Chapter 11's quantizers of the fit, for every model size at once: the calculator's quantizer
curves (:mod:`overparam.reports.predict`).

:mod:`overparam.theory.quantization` evaluates a quantizer's map under the DC law of one fit (a
:class:`overparam.theory.risk.FitLaw`), with its statistics (scale, threshold, step) computed from
that law. Here the same formulas run on the (sizes x atoms) law of every model size
(:func:`overparam.theory.risk_curves.law_rows`): the maps have one row per size, and the calibrated
step of each size is found for all sizes together (a grid, then a parabolic search) on the same
bracket of log step as :func:`overparam.theory.quantization.calibrated_step` (whose bounded Brent
search stops at 1e-6 on log step and may stop at another local minimum: the weight error here is
never the larger, and the risks at the same step agree to 1e-10).

A law with more than :data:`PAIR_ATOMS` atoms (a continuous law of theta*: one atom per feature)
would make that grid (sizes x grid x atoms x levels) arrays; it runs on the (size, atom) pairs of
positive weight instead (:class:`AtomPairs`: the model of size k weighs its k atoms only), with one
normal cdf per pair and edge, which is what its time goes to: the uniform quantizer's step by Newton
steps on the derivative of its weight error (a few calls where the per-size search makes about 15),
the pruned one's by calibrated_step's own bounded search run for every size at once
(:func:`bounded_minimum`), since its weight error has local minima a fraction of a unit of log step
apart and that search's choice among them is the contract.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.quantization import _PDF, mean_abs, step_bounds
from overparam.theory.ridge_curves import grid_minimum
from overparam.theory.risk_curves import law_rows, monotone_roots, prefix_weights, threshold_rows

# the weight error of a pruned model can have several local minima in the step: a grid first
STEP_GRID = 32
CALIBRATION_XATOL = 1e-6  # on log step: the xatol of calibrated_step's search
GOLDEN_MEAN = 0.5 * (3.0 - np.sqrt(5.0))  # where that search looks first, as a share of its bracket
PAIR_ATOMS = 64  # more atoms than this: the many-atom path (AtomPairs)
STEP_TOLERANCE = 1e-9  # on log step: below the per-size search's 1e-6, so this one is the closer to the optimum
TERNARY_RATIO = 0.7  # overparam.theory.quantization.ternary_map's default threshold over the mean magnitude


def uniform_levels(step: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(edges, levels) per row of the b-bit uniform quantizer of :func:`overparam.theory.quantization.uniform_map`:
    levels step * {-K..K}, K = 2^(b-1) - 1, edges at the midpoints and at -inf, +inf."""
    K = 2 ** (bits - 1) - 1
    levels = step[:, None] * np.arange(-K, K + 1)
    infinite = np.full((step.size, 1), np.inf)
    return np.hstack([-infinite, (levels[:, :-1] + levels[:, 1:]) / 2, infinite]), levels


def bin_moments(mean: np.ndarray, sd: np.ndarray, edges: np.ndarray):
    """(P, E[T 1], E[T^2 1]) of T ~ N(mean, sd^2) on each bin of each row: (rows x atoms x bins),
    the moments of :func:`overparam.theory.quantization.truncated_moments` with per-row edges."""
    z = (edges[:, None, :] - mean[:, :, None]) / sd[:, :, None]
    finite = np.where(np.isfinite(z), z, 0.0)
    pdf = np.where(np.isfinite(z), np.exp(-0.5 * finite * finite) / np.sqrt(2 * np.pi), 0.0)
    prob = np.diff(ndtr(z), axis=2)
    m1, m2 = -np.diff(pdf, axis=2), prob - np.diff(finite * pdf, axis=2)
    mu, s = mean[:, :, None], sd[:, :, None]
    return prob, mu * prob + s * m1, mu**2 * prob + 2 * mu * s * m1 + s**2 * m2


def map_risk_rows(law, weights, lam, theta, sigma2, edges, levels) -> np.ndarray:
    """sigma^2 + sum_j w_j lambda_j E[(f(T_j) - theta*_j)^2] per row, for the piecewise-constant map
    of each row (:func:`overparam.theory.quantization.map_risk`)."""
    prob, _, _ = bin_moments(law.mean, np.sqrt(law.var), edges)
    error = np.sum(prob * (levels[:, None, :] - theta[None, :, None]) ** 2, axis=2)
    return sigma2 + np.sum(weights * lam * error, axis=1)


def weight_error_rows(mean, sd, share, edges, levels, kept_above: np.ndarray | None = None) -> np.ndarray:
    """Per row, the mean over coordinates of E[(f(T) - T)^2], on the weights with |T| >= kept_above
    when given (:func:`overparam.theory.quantization.weight_error`; its extra edges at +-kept_above
    are already among ``edges``)."""
    prob, first, second = bin_moments(mean, sd, edges)
    error = levels[:, None, :] ** 2 * prob - 2 * levels[:, None, :] * first + second
    if kept_above is not None:
        inside = (edges[:, :-1] >= -kept_above[:, None]) & (edges[:, 1:] <= kept_above[:, None])
        error = np.where(inside[:, None, :], 0.0, error)
    return np.sum(share * np.sum(error, axis=2), axis=1)


def pruned_map(step: np.ndarray, bits: int, threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edges, levels) per row of :func:`overparam.theory.quantization.prune_then_uniform_map`: the
    uniform quantizer's edges with +-threshold added, 0 on the bins inside the threshold."""
    edges, _ = uniform_levels(step, bits)
    edges = np.sort(np.hstack([edges, -threshold[:, None], threshold[:, None]]), axis=1)
    middles = np.clip((edges[:, :-1] + edges[:, 1:]) / 2, -1e300, 1e300)
    K = 2 ** (bits - 1) - 1
    quantized = step[:, None] * np.clip(np.rint(middles / step[:, None]), -K, K)  # the nearest level
    return edges, np.where(np.abs(middles) < threshold[:, None], 0.0, quantized)


def step_scale(mean, sd, present) -> np.ndarray:
    """Per row, the scale of :func:`overparam.theory.quantization.calibrated_step`: the largest
    |mean| + 4 sd over the row's atoms."""
    return np.max(np.where(present, np.abs(mean) + 4 * sd, 0.0), axis=1)


def calibrated_steps(mean, sd, share, present, bits: int, threshold: np.ndarray | None = None) -> np.ndarray:
    """The step of each row minimising its weight error (of the weights above ``threshold`` when
    given), searched on log step over the bracket of :func:`overparam.theory.quantization.calibrated_step`
    (:func:`overparam.theory.quantization.step_bounds`), scale = max over the row's atoms of |mean| + 4 sd."""
    scale = step_scale(mean, sd, present)

    def error(log_step, rows):
        step = np.exp(log_step)
        if threshold is None:
            edges, levels = uniform_levels(step, bits)
            return weight_error_rows(mean[rows], sd[rows], share[rows], edges, levels)
        edges, levels = pruned_map(step, bits, threshold[rows])
        return weight_error_rows(mean[rows], sd[rows], share[rows], edges, levels, threshold[rows])

    factor, _ = step_bounds(1.0, bits)  # the bracket's lower end over its upper one, in log
    return np.exp(grid_minimum(error, np.log(scale) + factor, np.log(scale), STEP_GRID, STEP_TOLERANCE))


@dataclass(frozen=True)
class AtomPairs:
    """The (row, atom) pairs of positive weight, row by row, for a law with an atom per feature: the
    model of size k weighs only its k atoms, so the pairs hold every row's own atoms and no padding.
    Per pair: the row, the atom, the mean and sd of T and the share of the row's weights."""

    row: np.ndarray
    atom: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    share: np.ndarray
    start: np.ndarray  # per row, where its pairs begin
    count: np.ndarray  # per row, how many pairs it has

    @classmethod
    def of(cls, mean, sd, share) -> "AtomPairs":
        row, atom = np.nonzero(share > 0)  # row-major: each row's pairs together
        count = np.bincount(row, minlength=share.shape[0])
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(row, atom, mean[row, atom], sd[row, atom], share[row, atom], start, count)

    def select(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pairs, local): the positions of the pairs of ``rows`` and, for each, its place in ``rows``."""
        lengths = self.count[rows]
        local = np.repeat(np.arange(rows.size), lengths)
        first = np.cumsum(lengths) - lengths
        return np.arange(lengths.sum()) + np.repeat(self.start[rows] - first, lengths), local


def edge_sums(mean, sd, local, edges, k, curvature: bool = False) -> tuple:
    """Per pair (``local`` its row), the sums over the edges of a map with levels step * k (``k`` the
    level indices, one a bin, per row or one row for all; ``edges`` the interior edges, per row) that
    its weight error and derivatives need, one normal cdf and density per pair and edge: with Phi_e,
    phi_e at the standardized edges, E[k^2] = k_last^2 + sum_e Phi_e (k_l^2 - k_r^2), E[k] likewise,
    D = sum_e phi_e (k_r - k_l) and, with ``curvature``, C = sum_e phi_e ((k_l + k_r) / 2)^2."""
    z = (edges[local] - mean[:, None]) / sd[:, None]
    down, middle = k[:, :-1] - k[:, 1:], (k[:, :-1] + k[:, 1:]) / 2  # k_l - k_r, and e / s at a level's midpoint
    last = k[:, -1][local] if k.shape[0] > 1 else k[0, -1]
    cdf, pdf = ndtr(z), _PDF * np.exp(-0.5 * z * z)
    return (row_dot(cdf, 2 * down * middle, local) + last**2, row_dot(cdf, down, local) + last,
            -row_dot(pdf, down, local), row_dot(pdf, middle**2, local) if curvature else None)


def pair_error(mean, sd, share, local, rows: int, step, edges, k, inside) -> np.ndarray:
    """Per row, the weight error of :func:`weight_error_rows` on the pairs (``local`` the row of each),
    by summation by parts over the edges (:func:`edge_sums`) as
    :func:`overparam.theory.quantization.uniform_weight_error`: E[(f(T) - T)^2] = m^2 + sd^2 + s^2 E[k^2]
    - 2 s m E[k] - 2 s sd D; less ``inside``, E[T^2] on the weights a pruned model drops (its map is 0 there)."""
    s = step[local]
    squares, first, jumps, _ = edge_sums(mean, sd, local, edges, k)
    error = mean**2 + sd**2 + s * s * squares - 2 * s * mean * first - 2 * s * sd * jumps - inside
    return np.bincount(local, weights=share * error, minlength=rows)


def uniform_pair_slopes(mean, sd, share, local, rows: int, step, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first two derivatives in x = log step of the uniform quantizer's weight error W
    (:func:`pair_error`): dW/ds = 2 (s E[k^2] - m E[k] - sd D), the error being continuous at an edge
    (so its moving adds nothing), and d2W/ds2 = 2 (E[k^2] - s C / sd) (:func:`edge_sums`)."""
    K = 2 ** (bits - 1) - 1
    k, s = np.arange(-K, K + 1.0)[None, :], step[local]
    squares, first, jumps, spread = edge_sums(mean, sd, local, step[:, None] * (k[:, :-1] + k[:, 1:]) / 2, k, True)
    slope = 2 * s * (s * squares - mean * first - sd * jumps)
    curvature = slope + 2 * s * s * (squares - s / sd * spread)
    return np.bincount(local, weights=share * slope, minlength=rows), np.bincount(local, weights=share * curvature,
                                                                                   minlength=rows)


def row_dot(matrix: np.ndarray, per_row: np.ndarray, local: np.ndarray) -> np.ndarray:
    """sum_e matrix[i, e] per_row[local[i], e] for each pair i (one product when the rows share one
    ``per_row``)."""
    if per_row.shape[0] == 1:
        return matrix @ per_row[0]
    return np.einsum("ij,ij->i", matrix, per_row[local])


def inside_second_moment(mean, sd, threshold) -> np.ndarray:
    """E[T^2 1{|T| < threshold}] for T ~ N(mean, sd^2), elementwise: the second moment of
    :func:`bin_moments` on the one bin (-threshold, threshold)."""
    _, _, second = bin_moments(mean[:, None], sd[:, None], np.stack([-threshold, threshold], axis=1))
    return second[:, 0, 0]


def bounded_minimum(objective, lo: np.ndarray, hi: np.ndarray, xatol: float, iterations: int = 500) -> np.ndarray:
    """Per row, the x in [lo, hi] that scipy's bounded Brent search (``minimize_scalar(method="bounded")``,
    the search of :func:`overparam.theory.quantization.calibrated_step`) stops at, run for every row at
    once on ``objective(x, rows)``: its trial points, golden-section or parabolic, and its bracket updates,
    so that each row ends in the local minimum the per-size search finds."""
    golden_mean, sqrt_eps = GOLDEN_MEAN, np.sqrt(2.2e-16)
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    xf = a + golden_mean * (b - a)
    nfc, fulc, rat, e = xf.copy(), xf.copy(), np.zeros(a.size), np.zeros(a.size)
    fx = objective(xf, np.arange(a.size))
    fnfc, ffulc = fx.copy(), fx.copy()
    for _ in range(iterations):
        xm, tol1 = 0.5 * (a + b), sqrt_eps * np.abs(xf) + xatol / 3.0
        active = np.flatnonzero(np.abs(xf - xm) > 2.0 * tol1 - 0.5 * (b - a))
        if active.size == 0:
            break
        A, B, X, F, M, T = a[active], b[active], xf[active], fx[active], xm[active], tol1[active]
        r = (X - nfc[active]) * (F - ffulc[active])
        q = (X - fulc[active]) * (F - fnfc[active])
        p = (X - fulc[active]) * q - (X - nfc[active]) * r
        q = 2.0 * (q - r)
        p, q = np.where(q > 0.0, -p, p), np.abs(q)
        accept = ((np.abs(e[active]) > T) & (np.abs(p) < np.abs(0.5 * q * e[active])) & (p > q * (A - X))
                  & (p < q * (B - X)))
        with np.errstate(divide="ignore", invalid="ignore"):
            parabolic = np.where(accept, p / q, 0.0)
        near_end = (X + parabolic - A < 2.0 * T) | (B - X - parabolic < 2.0 * T)
        parabolic = np.where(near_end, T * (np.sign(M - X) + ((M - X) == 0)), parabolic)
        gap = np.where(X >= M, A - X, B - X)
        e[active] = np.where(accept, rat[active], gap)
        rat[active] = np.where(accept, parabolic, golden_mean * gap)
        x = X + (np.sign(rat[active]) + (rat[active] == 0)) * np.maximum(np.abs(rat[active]), T)
        fu = objective(x, active)
        better, right = fu <= F, x >= X
        a[active] = np.where(better, np.where(right, X, A), np.where(right, A, x))
        b[active] = np.where(better, np.where(right, B, X), np.where(right, x, B))
        second = ~better & ((fu <= fnfc[active]) | (nfc[active] == X))
        third = ~better & ~second & ((fu <= ffulc[active]) | (fulc[active] == X) | (fulc[active] == nfc[active]))
        shift = better | second  # the second-best point becomes the third
        fulc[active] = np.where(shift, nfc[active], np.where(third, x, fulc[active]))
        ffulc[active] = np.where(shift, fnfc[active], np.where(third, fu, ffulc[active]))
        nfc[active] = np.where(better, X, np.where(second, x, nfc[active]))
        fnfc[active] = np.where(better, F, np.where(second, fu, fnfc[active]))
        xf[active], fx[active] = np.where(better, x, X), np.where(better, fu, F)
    return xf


def pair_steps(pairs: AtomPairs, of: np.ndarray, scale, bits: int, threshold: np.ndarray | None = None) -> np.ndarray:
    """:func:`calibrated_steps` for the rows ``of`` of the pairs of a law with an atom per feature
    (``scale`` and ``threshold`` one per row of ``of``), every row at once, each call on its rows' pairs,
    on calibrated_step's bracket of log step. Uniform: Newton steps on dW/dx = 0
    (:func:`overparam.theory.risk_curves.monotone_roots`, :func:`uniform_pair_slopes`) from the first
    point of calibrated_step's search. Pruned: chapter 11's own bounded search (:func:`bounded_minimum`,
    xatol as calibrated_step's), since its weight error has local minima a fraction of a unit of log
    step apart (where an edge meets the threshold), on :func:`pair_error`."""
    factor, _ = step_bounds(1.0, bits)  # the bracket's lower end over its upper one, in log
    lo, hi = np.log(scale) + factor, np.log(scale)
    if threshold is None:
        def slopes(log_step, rows):
            at, local = pairs.select(of[rows])
            return uniform_pair_slopes(pairs.mean[at], pairs.sd[at], pairs.share[at], local, rows.size,
                                       np.exp(log_step), bits)
        return np.exp(monotone_roots(slopes, lo, hi, increasing=True, start=lo + GOLDEN_MEAN * (hi - lo)))
    inside = np.zeros(pairs.row.size)
    at, local = pairs.select(of)
    inside[at] = inside_second_moment(pairs.mean[at], pairs.sd[at], threshold[local])

    def error(log_step, rows):
        at, local = pairs.select(of[rows])
        step = np.exp(log_step)
        edges, levels = pruned_map(step, bits, threshold[rows])
        return pair_error(pairs.mean[at], pairs.sd[at], pairs.share[at], local, rows.size, step, edges[:, 1:-1],
                          np.rint(levels / step[:, None]), inside[at])

    return np.exp(bounded_minimum(error, lo, hi, CALIBRATION_XATOL))


def pair_map_risk(pairs: AtomPairs, rows: np.ndarray, weights, lam, theta, sigma2, edges, levels) -> np.ndarray:
    """:func:`map_risk_rows` on the pairs of ``rows`` (the maps' rows): sigma^2 + the sum over the
    pairs of w lambda sum_bins P(bin) (q - theta*)^2."""
    at, local = pairs.select(rows)
    atom, row = pairs.atom[at], pairs.row[at]
    prob = np.diff(ndtr((edges[local] - pairs.mean[at, None]) / pairs.sd[at, None]), axis=1)
    error = np.sum(prob * (levels[local] - theta[atom, None]) ** 2, axis=1)
    return sigma2 + np.bincount(local, weights=weights[row, atom] * lam[atom] * error, minlength=rows.size)


def binary_levels(mean, sd, share) -> tuple[np.ndarray, np.ndarray]:
    """(edges, levels) per row of :func:`overparam.theory.quantization.binary_map`: a sign(t), a the
    mean E|T|."""
    a = np.sum(share * mean_abs(mean, sd), axis=1)
    infinite = np.full(a.size, np.inf)
    return np.stack([-infinite, np.zeros(a.size), infinite], axis=1), np.stack([-a, a], axis=1)


def ternary_levels(mean, sd, share) -> tuple[np.ndarray, np.ndarray]:
    """(edges, levels) per row of :func:`overparam.theory.quantization.ternary_map`: 0 below delta =
    0.7 mean E|T|, else a sign(t) with a the mean magnitude above delta."""
    delta = TERNARY_RATIO * np.sum(share * mean_abs(mean, sd), axis=1)
    d = delta[:, None]
    above = np.sum(share * (ndtr((mean - d) / sd) + ndtr((-d - mean) / sd)), axis=1)
    a = np.sum(share * mean_abs(mean, sd, d), axis=1) / above
    infinite = np.full(a.size, np.inf)
    return np.stack([-infinite, -delta, delta, infinite], axis=1), np.stack([-a, np.zeros(a.size), a], axis=1)


def quantizer_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, bits: int, names) -> dict:
    """{name: (risk, step)} of chapter 11's quantizers in ``names`` ("binary", "ternary",
    "uniform-<bits>", "prune+uniform-<bits>") applied to the min-norm fit on the first k features,
    k in ``sizes`` (NaN where a size is at the interpolation threshold; the pruning one at sizes
    k >= s only); ``step`` is the calibrated step (NaN for binary and ternary)."""
    sizes = np.asarray(sizes, dtype=int)
    lam, theta, atom_of, weights = prefix_weights(problem, sizes)
    total = np.bincount(atom_of, minlength=len(lam)).astype(float)
    sigma2 = problem.sigma**2 + (total - weights) @ (lam * theta**2)  # Lemma 7
    law = law_rows(lam, theta, sigma2, n, weights)
    rows = np.flatnonzero(law.finite)
    mean, sd, w = law.mean[rows], np.sqrt(law.var[rows]), weights[rows]
    share, present = w / w.sum(axis=1, keepdims=True), w > 0
    fit = type(law)(mean, law.var[rows], law.risk[rows], law.features[rows])
    pairs = AtomPairs.of(mean, sd, share) if len(lam) > PAIR_ATOMS else None
    scale = step_scale(mean, sd, present)
    out = {}
    for name in names:
        risk, step = np.full(sizes.size, np.nan), np.full(sizes.size, np.nan)
        at = np.arange(rows.size)
        if name in ("binary", "ternary"):
            edges, levels = (binary_levels if name == "binary" else ternary_levels)(mean, sd, share)
        elif name == f"uniform-{bits}":
            step[rows] = (calibrated_steps(mean, sd, share, present, bits) if pairs is None
                          else pair_steps(pairs, at, scale, bits))
            edges, levels = uniform_levels(step[rows], bits)
        elif name == f"prune+uniform-{bits}":
            at = np.flatnonzero(sizes[rows] >= s)
            threshold = threshold_rows(lam, w[at], mean[at], fit.var[at], s, "magnitude")[:, 0]
            step[rows[at]] = (calibrated_steps(mean[at], sd[at], share[at], present[at], bits, threshold)
                              if pairs is None else pair_steps(pairs, at, scale[at], bits, threshold))
            edges, levels = pruned_map(step[rows[at]], bits, threshold)
        else:
            raise ValueError(f"no vectorised quantizer {name!r} at {bits} bits")
        if pairs is None:
            sub = type(law)(mean[at], fit.var[at], fit.risk[at], fit.features[at])
            risk[rows[at]] = map_risk_rows(sub, w[at], lam, theta, sigma2[rows[at]], edges, levels)
        else:
            risk[rows[at]] = pair_map_risk(pairs, at, w, lam, theta, sigma2[rows[at]], edges, levels)
        out[name] = (risk, step)
    return out
