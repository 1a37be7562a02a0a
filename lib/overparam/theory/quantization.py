"""Coordinate-wise compressors through the DC (beyond the paper): quantization and its bounds.

For a diagonal covariance the DC describes coordinate i of the trained model as a Gaussian
T_i ~ N(m_i, sd_i^2) given (lambda_i, theta*_i). A compressor that applies one scalar map f to every
coordinate (with a few statistics of the fit, such as a scale or a step, which converge to averages
over the DC law) then has the risk sigma^2 + sum_i lambda_i E[(f(T_i) - theta*_i)^2]. For a
piecewise-constant f, levels q_j on bins [e_j, e_{j+1}), this is sum_j (q_j - theta*_i)^2 P(T_i in bin j):
normal cdfs only. Every function here takes the DC law of the fit, :class:`overparam.theory.risk.FitLaw`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import ndtr

from overparam.theory.risk import FitLaw

_PDF = 1 / np.sqrt(2 * np.pi)
# (atom, edge) pairs per block of uniform_weight_error: 16 atoms at 16 bits (8 MB per array)
WEIGHT_ERROR_ENTRIES = 16 * (2**16 - 2)


@dataclass(frozen=True)
class PiecewiseMap:
    """f(t) = levels[j] for edges[j] <= t < edges[j + 1] (edges start at -inf and end at +inf)."""

    edges: np.ndarray
    levels: np.ndarray

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return self.levels[np.searchsorted(self.edges, t, side="right") - 1]


def _moments(law: FitLaw):
    return law.dc.mean, np.sqrt(law.dc.var), law.w / law.w.sum()


def bin_probabilities(mean, sd, edges) -> np.ndarray:
    """P(edges[j] <= T < edges[j+1]) for T ~ N(mean, sd^2): shape (atoms, bins)."""
    cdf = ndtr((np.asarray(edges)[None, :] - mean[:, None]) / sd[:, None])
    return np.diff(cdf, axis=1)


def truncated_moments(mean, sd, edges):
    """(P, E[T 1], E[T^2 1]) of T ~ N(mean, sd^2) on every bin: each of shape (atoms, bins)."""
    z = (np.asarray(edges)[None, :] - mean[:, None]) / sd[:, None]
    finite = np.where(np.isfinite(z), z, 0.0)
    pdf = np.where(np.isfinite(z), _PDF * np.exp(-0.5 * finite * finite), 0.0)
    z_pdf = finite * pdf
    prob = np.diff(ndtr(z), axis=1)
    m1 = -np.diff(pdf, axis=1)  # E[U 1] for the standardized U
    m2 = prob - np.diff(z_pdf, axis=1)  # E[U^2 1]
    mu, s = mean[:, None], sd[:, None]
    return prob, mu * prob + s * m1, mu**2 * prob + 2 * mu * s * m1 + s**2 * m2


def map_risk(law: FitLaw, f: PiecewiseMap) -> float:
    """sigma^2 + sum_i lambda_i E[(f(T_i) - theta*_i)^2] for a piecewise-constant map (Sec. 12.2)."""
    prob = bin_probabilities(law.dc.mean, np.sqrt(law.dc.var), f.edges)
    error = np.sum(prob * (f.levels[None, :] - law.theta[:, None]) ** 2, axis=1)
    return float(law.problem.sigma**2 + np.sum(law.w * law.lam * error))


def weight_error(law: FitLaw, f: PiecewiseMap, kept_above: float = 0.0) -> float:
    """mean over coordinates of E[(f(T) - T)^2 1{|T| >= kept_above}]: what a calibration minimizes."""
    mean, sd, share = _moments(law)
    edges = f.edges if kept_above == 0 else np.union1d(f.edges, [-kept_above, kept_above])
    prob, first, second = truncated_moments(mean, sd, edges)
    levels = f(np.clip((edges[:-1] + edges[1:]) / 2, -1e300, 1e300))
    inside = (edges[:-1] >= -kept_above) & (edges[1:] <= kept_above) if kept_above > 0 else np.zeros(len(levels), bool)
    error = levels**2 * prob - 2 * levels * first + second
    return float(np.sum(share[:, None] * np.where(inside[None, :], 0.0, error)))


def mean_abs(mean, sd, threshold: float = 0.0):
    """E[|T| 1{|T| > threshold}] for T ~ N(mean, sd^2), elementwise."""
    u, l = (threshold - mean) / sd, (-threshold - mean) / sd
    return mean * ndtr(-u) + sd * _PDF * np.exp(-u * u / 2) - mean * ndtr(l) + sd * _PDF * np.exp(-l * l / 2)


def binary_map(law: FitLaw) -> PiecewiseMap:
    """a sign(t), with a = mean_i E|T_i| (the scale a calibration on the weights finds)."""
    mean, sd, share = _moments(law)
    a = float(np.sum(share * mean_abs(mean, sd)))
    return PiecewiseMap(np.array([-np.inf, 0.0, np.inf]), np.array([-a, a]))


def ternary_map(law: FitLaw, ratio: float = 0.7) -> PiecewiseMap:
    """a sign(t) 1{|t| > delta}: delta = 0.7 mean E|T|, a the mean magnitude above delta."""
    mean, sd, share = _moments(law)
    delta = ratio * float(np.sum(share * mean_abs(mean, sd)))
    above = float(np.sum(share * (ndtr((mean - delta) / sd) + ndtr((-delta - mean) / sd))))
    a = float(np.sum(share * mean_abs(mean, sd, delta))) / above
    return PiecewiseMap(np.array([-np.inf, -delta, delta, np.inf]), np.array([-a, 0.0, a]))


def uniform_map(step: float, bits: int) -> PiecewiseMap:
    """b-bit uniform symmetric quantizer with zero: levels step * {-K..K}, K = 2^(b-1) - 1, round to
    the nearest level, clip beyond the outer ones."""
    K = 2 ** (bits - 1) - 1
    levels = step * np.arange(-K, K + 1)
    edges = np.concatenate([[-np.inf], (levels[:-1] + levels[1:]) / 2, [np.inf]])
    return PiecewiseMap(edges, levels)


def uniform_weight_error(law: FitLaw, step: float, bits: int, entries: int | None = None) -> float:
    """:func:`weight_error` of ``uniform_map(step, bits)`` (no pruning), by summation by parts over the
    edges: with a_j = q_j^2 - 2 q_j m and z_e the standardized interior edges,
    E[(q(T) - T)^2] = m^2 + sd^2 + a_K + sum_e Phi(z_e) (a_left - a_right) - 2 sd step sum_e phi(z_e).
    One normal cdf and one density per (atom, edge), in blocks of at most ``entries`` (atom, edge)
    pairs (default :data:`WEIGHT_ERROR_ENTRIES`): 16 atoms at a time at 16 bits (65535 levels,
    affordable on laws with one atom per coordinate), every atom at once at the few edges of a few
    bits (a block per 16 atoms made a Gaussian theta*'s 4-bit step search a Python loop over its atoms)."""
    mean, sd, share = _moments(law)
    K = 2 ** (bits - 1) - 1
    levels = step * np.arange(-K, K + 1)
    edges = (levels[:-1] + levels[1:]) / 2
    total, block = 0.0, max((entries or WEIGHT_ERROR_ENTRIES) // edges.size, 1)
    for start in range(0, mean.size, block):
        m, v = mean[start:start + block, None], sd[start:start + block, None]
        a = levels[None, :] ** 2 - 2 * levels[None, :] * m
        z = (edges[None, :] - m) / v
        per_atom = (m[:, 0] ** 2 + v[:, 0] ** 2 + a[:, -1] + np.sum(ndtr(z) * (a[:, :-1] - a[:, 1:]), axis=1)
                    - 2 * v[:, 0] * step * _PDF * np.sum(np.exp(-0.5 * z * z), axis=1))
        total += float(share[start:start + block] @ per_atom)
    return total


def step_bounds(scale: float, bits: int) -> tuple[float, float]:
    """The bracket (log step) of the step searches: from ``scale`` (about the largest weight) down to
    scale times 1e-4 or 2^-(b + 2), whichever is smaller, so that the 2^b - 1 levels can always span
    less than the weights (a b-bit step near scale 2^-(b-1) lies inside; 1e-4 alone cut 16-bit steps)."""
    return float(np.log(scale * min(1e-4, 2.0 ** -(bits + 2)))), float(np.log(scale))


def calibrated_step(law: FitLaw, bits: int, kept_above: float = 0.0) -> float:
    """The step minimizing the mean weight error of the b-bit quantizer under the DC law (of the
    weights with |T| >= kept_above when the model was pruned first); bounded search on log step."""
    mean, sd, _ = _moments(law)
    scale = float(np.max(np.abs(mean) + 4 * sd))
    if kept_above == 0:
        def error(log_step):
            return uniform_weight_error(law, np.exp(log_step), bits)
    else:
        def error(log_step):
            return weight_error(law, uniform_map(np.exp(log_step), bits), kept_above)
    best = minimize_scalar(error, bounds=step_bounds(scale, bits), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(best.x))


def prune_then_uniform_map(law: FitLaw, s: int, bits: int, step: float | None = None) -> PiecewiseMap:
    """Magnitude pruning to s weights, then b-bit quantization of the kept ones (step calibrated on
    them, or ``step`` when given)."""
    _, tau = law.kept(s, "magnitude")
    threshold = float(tau[0])
    q = uniform_map(calibrated_step(law, bits, threshold) if step is None else step, bits)
    edges = np.union1d(q.edges, [-threshold, threshold])
    middles = np.clip((edges[:-1] + edges[1:]) / 2, -1e300, 1e300)
    levels = np.where(np.abs(middles) < threshold, 0.0, q(middles))
    return PiecewiseMap(edges, levels)


def posterior_target(law: FitLaw, grid_points: int = 40001):
    """(t, B(t) / A(t)) on a grid of values: the weighted mean of theta* given T = t, with
    A = sum_i w_i lambda_i phi_i(t) and B = sum_i w_i lambda_i theta*_i phi_i(t) (phi_i the density
    of T_i); what every bound map of this law rounds. Computed in blocks of atoms (a law may have
    one atom per coordinate)."""
    mean, sd = law.dc.mean, np.sqrt(law.dc.var)
    span = float(np.max(np.abs(mean) + 12 * sd))
    t = np.linspace(-span, span, grid_points)
    total, weighted = np.zeros(grid_points), np.zeros(grid_points)
    coef = law.w * law.lam / sd
    for start in range(0, mean.size, 64):
        block = slice(start, start + 64)
        phi = coef[block, None] * np.exp(-0.5 * ((t[None, :] - mean[block, None]) / sd[block, None]) ** 2)
        total += phi.sum(axis=0)
        weighted += law.theta[block] @ phi
    return t, weighted / np.maximum(total, 1e-300)


def best_map(law: FitLaw, levels, grid_points: int = 40001, target=None) -> PiecewiseMap:
    """The bound for an output set: the single map of the value alone, f*(t) = argmin_q sum_i
    lambda_i (q - theta*_i)^2 phi_i(t), which sends t to the level nearest to the weighted mean
    B(t) / A(t) of theta* given T = t (:func:`posterior_target`; pass its result as ``target`` to
    share it between output sets)."""
    t, target = target if target is not None else posterior_target(law, grid_points)
    levels = np.sort(np.asarray(levels, dtype=float))
    choice = np.abs(target[:, None] - levels[None, :]).argmin(axis=1)
    change = np.flatnonzero(np.diff(choice)) + 1
    edges = np.concatenate([[-np.inf], (t[change - 1] + t[change]) / 2, [np.inf]])
    return PiecewiseMap(edges, levels[np.concatenate([[choice[0]], choice[change]])])


def quantize(theta: np.ndarray, f: PiecewiseMap) -> np.ndarray:
    """Apply a piecewise-constant map to a trained model (what the simulation does)."""
    return f(np.asarray(theta, dtype=float))


def empirical_binary(theta: np.ndarray) -> PiecewiseMap:
    """The binary map calibrated on one fit's weights: a = mean |theta_i|."""
    a = float(np.mean(np.abs(theta)))
    return PiecewiseMap(np.array([-np.inf, 0.0, np.inf]), np.array([-a, a]))


def empirical_ternary(theta: np.ndarray, ratio: float = 0.7) -> PiecewiseMap:
    """The ternary map calibrated on one fit: delta = 0.7 mean |theta_i|, a = mean |theta_i| above it."""
    magnitude = np.abs(theta)
    delta = ratio * float(magnitude.mean())
    above = magnitude[magnitude > delta]
    a = float(above.mean()) if above.size else 0.0
    return PiecewiseMap(np.array([-np.inf, -delta, delta, np.inf]), np.array([-a, 0.0, a]))


def empirical_step(values: np.ndarray, bits: int) -> float:
    """The step minimizing the mean squared quantization error of ``values`` (bounded search on log step)."""
    values = np.asarray(values, dtype=float)
    scale = float(np.max(np.abs(values))) or 1.0
    K = 2 ** (bits - 1) - 1

    def error(log_step):  # uniform_map(step, bits)(values), by arithmetic (no search over 2^b levels)
        step = np.exp(log_step)
        return np.mean((step * np.clip(np.rint(values / step), -K, K) - values) ** 2)
    best = minimize_scalar(error, bounds=step_bounds(scale, bits), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(best.x))


def _lloyd(levels: np.ndarray, centroids, iterations: int) -> PiecewiseMap:
    """Lloyd's algorithm (Lloyd 1982, Max 1960) from sorted ``levels``: edges at the midpoints, then
    each level moved to the centroid of its bin; ``centroids(edges)`` returns (mass, first moment) per
    bin. A level whose bin is empty stays where it is."""
    levels = np.sort(np.asarray(levels, dtype=float))
    for _ in range(iterations):
        edges = np.concatenate([[-np.inf], (levels[:-1] + levels[1:]) / 2, [np.inf]])
        mass, first = centroids(edges)
        moved = np.where(mass > 0, first / np.where(mass > 0, mass, 1.0), levels)
        if np.allclose(moved, levels, rtol=0, atol=1e-12 * np.max(np.abs(levels))):
            break
        levels = np.sort(moved)
    return PiecewiseMap(np.concatenate([[-np.inf], (levels[:-1] + levels[1:]) / 2, [np.inf]]), levels)


def lloyd_max_map(law: FitLaw, bits: int, iterations: int = 500) -> PiecewiseMap:
    """The b-bit Lloyd-Max quantizer (2^b free levels, each the centroid of its bin, each edge the
    midpoint of its levels) of the DC mixture law of the weights: the centroids are truncated Gaussian
    moments; started from the calibrated uniform levels spread over 2^b points."""
    mean, sd, share = _moments(law)
    step = calibrated_step(law, bits)

    def centroids(edges):
        prob, first, _ = truncated_moments(mean, sd, edges)
        return share @ prob, share @ first
    start = step * (np.arange(2**bits) - (2**bits - 1) / 2)
    return _lloyd(start, centroids, iterations)


def empirical_lloyd_max(values: np.ndarray, bits: int, iterations: int = 500) -> PiecewiseMap:
    """1-D k-means with 2^b centres on one fit's weights (Lloyd's algorithm), started like
    :func:`lloyd_max_map` from the calibrated uniform step."""
    values = np.asarray(values, dtype=float)
    step = empirical_step(values, bits)

    def centroids(edges):
        bins = np.searchsorted(edges, values, side="right") - 1
        return (np.bincount(bins, minlength=edges.size - 1).astype(float),
                np.bincount(bins, weights=values, minlength=edges.size - 1))
    start = step * (np.arange(2**bits) - (2**bits - 1) / 2)
    return _lloyd(start, centroids, iterations)


def best_shrinkage(law: FitLaw) -> tuple[float, float]:
    """(c*, risk) of the best scalar shrinkage c theta_hat under the DC law: the risk
    sigma^2 + sum_i w_i lambda_i [c^2 (m_i^2 + v_i) - 2 c theta*_i m_i + theta*_i^2] is a parabola in c,
    minimized at c* = sum w lambda theta* m / sum w lambda (m^2 + v). It needs theta*: a benchmark."""
    m, v, weight = law.dc.mean, law.dc.var, law.w * law.lam
    cross, square = float(np.sum(weight * law.theta * m)), float(np.sum(weight * (m**2 + v)))
    c = cross / square
    return c, float(law.problem.sigma**2 + np.sum(weight * law.theta**2) - c * cross)
