"""Monte-Carlo summaries."""
from __future__ import annotations

import numpy as np
from scipy.stats import t as scipy_t

Z95 = 1.959963984540054


def mean_ci(samples: np.ndarray, axis: int = 0, student: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% confidence interval of the mean along ``axis``: normal approximation, or
    Student's t (``student=True``, for a handful of seeds)."""
    samples = np.asarray(samples, dtype=float)
    count = samples.shape[axis]
    mean = samples.mean(axis=axis)
    if count < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan)
    quantile = float(scipy_t.ppf(0.975, count - 1)) if student else Z95
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
