"""Monte-Carlo summaries.

Student's t quantiles come from ``scipy.special.stdtrit`` (the function ``scipy.stats.t.ppf`` calls,
the same numbers to the bit), so that importing this module does not import ``scipy.stats``
(about a second; ``overparam predict`` imports this module).
"""
from __future__ import annotations

import numpy as np
from scipy.special import stdtrit

Z95 = 1.959963984540054


def t_quantile_975(df) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (the half-width factor of a
    two-sided 95% interval)."""
    return float(stdtrit(df, 0.975))


def mean_ci(samples: np.ndarray, axis: int = 0, student: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% confidence interval of the mean along ``axis``: normal approximation, or
    Student's t (``student=True``, for a handful of seeds)."""
    samples = np.asarray(samples, dtype=float)
    count = samples.shape[axis]
    mean = samples.mean(axis=axis)
    if count < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan)
    quantile = t_quantile_975(count - 1) if student else Z95
    half = quantile * samples.std(axis=axis, ddof=1) / np.sqrt(count)
    return mean, mean - half, mean + half


def wasserstein2_to_law(samples: np.ndarray, quantile, refine: int = 8) -> float:
    """W2 distance between the empirical law of ``samples`` and a 1-D law given by its quantile
    function: sqrt(int_0^1 (F_emp^{-1}(u) - F^{-1}(u))^2 du), with ``refine`` midpoints per sample."""
    x = np.sort(np.asarray(samples, dtype=float))
    m = x.size
    u = (np.arange(m * refine) + 0.5) / (m * refine)
    return float(np.sqrt(np.mean((np.repeat(x, refine) - quantile(u)) ** 2)))


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y against log x (the rate of a power law)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def t_interval(values) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the mean of independent draws (NaN bounds below 2):
    :func:`overparam.book.stats.mean_ci` of the flattened values, as plain floats."""
    values = np.asarray(values, dtype=float).ravel()
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    return tuple(float(x) for x in mean_ci(values, student=True))


def welch_interval(a, b) -> tuple[float, float, float]:
    """Mean difference mean(a) - mean(b) of two independent samples and its Welch-t interval."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    difference = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return difference, float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return difference, difference, difference
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = t_quantile_975(df) * se
    return difference, difference - half, difference + half


def grouped(values, groups) -> np.ndarray:
    """Pool draws that are not independent: the mean of ``values`` within each group (for example
    data draws inside one random-feature draw), one number per group, in order of first appearance."""
    values, groups = np.asarray(values, dtype=float).ravel(), np.asarray(groups).ravel()
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    means = np.bincount(inverse, weights=values) / np.bincount(inverse)
    return means[np.argsort(first)]
