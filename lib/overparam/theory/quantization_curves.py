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
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.quantization import mean_abs, step_bounds
from overparam.theory.ridge_curves import grid_minimum
from overparam.theory.risk_curves import law_rows, prefix_weights, threshold_rows

# the weight error of a pruned model can have several local minima in the step: a grid first
STEP_GRID = 32
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


def calibrated_steps(mean, sd, share, present, bits: int, threshold: np.ndarray | None = None) -> np.ndarray:
    """The step of each row minimising its weight error (of the weights above ``threshold`` when
    given), searched on log step over the bracket of :func:`overparam.theory.quantization.calibrated_step`
    (:func:`overparam.theory.quantization.step_bounds`), scale = max over the row's atoms of |mean| + 4 sd."""
    scale = np.max(np.where(present, np.abs(mean) + 4 * sd, 0.0), axis=1)

    def error(log_step, rows):
        step = np.exp(log_step)
        if threshold is None:
            edges, levels = uniform_levels(step, bits)
            return weight_error_rows(mean[rows], sd[rows], share[rows], edges, levels)
        edges, levels = pruned_map(step, bits, threshold[rows])
        return weight_error_rows(mean[rows], sd[rows], share[rows], edges, levels, threshold[rows])

    factor, _ = step_bounds(1.0, bits)  # the bracket's lower end over its upper one, in log
    return np.exp(grid_minimum(error, np.log(scale) + factor, np.log(scale), STEP_GRID, STEP_TOLERANCE))


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
    out = {}
    for name in names:
        risk, step = np.full(sizes.size, np.nan), np.full(sizes.size, np.nan)
        at = np.arange(rows.size)
        if name in ("binary", "ternary"):
            edges, levels = (binary_levels if name == "binary" else ternary_levels)(mean, sd, share)
        elif name == f"uniform-{bits}":
            step[rows] = calibrated_steps(mean, sd, share, present, bits)
            edges, levels = uniform_levels(step[rows], bits)
        elif name == f"prune+uniform-{bits}":
            at = np.flatnonzero(sizes[rows] >= s)
            threshold = threshold_rows(lam, w[at], mean[at], fit.var[at], s, "magnitude")[:, 0]
            step[rows[at]] = calibrated_steps(mean[at], sd[at], share[at], present[at], bits, threshold)
            edges, levels = pruned_map(step[rows[at]], bits, threshold)
        else:
            raise ValueError(f"no vectorised quantizer {name!r} at {bits} bits")
        sub = type(law)(mean[at], fit.var[at], fit.risk[at], fit.features[at])
        risk[rows[at]] = map_risk_rows(sub, w[at], lam, theta, sigma2[rows[at]], edges, levels)
        out[name] = (risk, step)
    return out
