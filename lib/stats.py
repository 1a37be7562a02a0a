"""Monte-Carlo summaries."""
from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def mean_ci(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and normal-approximation 95% confidence interval of the mean along ``axis``."""
    samples = np.asarray(samples, dtype=float)
    count = samples.shape[axis]
    mean = samples.mean(axis=axis)
    half = Z95 * samples.std(axis=axis, ddof=1) / np.sqrt(count) if count > 1 else np.full_like(mean, np.nan)
    return mean, mean - half, mean + half
