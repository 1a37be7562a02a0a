"""Monte-Carlo summaries (overparam.book.stats): Student's t quantile from scipy.special, the same
numbers to the bit as scipy.stats.t.ppf, in the intervals that use it."""
import numpy as np
import pytest
from scipy.stats import t

from overparam.book.stats import mean_ci, t_quantile_975, welch_interval


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 29, 39, 199, 2.5, 7.31, 1234.5])
def test_the_t_quantile_is_scipy_stats_to_the_bit(df):
    assert t_quantile_975(df) == float(t.ppf(0.975, df))


def test_the_intervals_use_it():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=5), rng.normal(1.0, 2.0, size=8)
    mean, low, high = mean_ci(a, student=True)
    assert high - mean == pytest.approx(t.ppf(0.975, 4) * a.std(ddof=1) / np.sqrt(5), rel=1e-15)
    va, vb = a.var(ddof=1) / 5, b.var(ddof=1) / 8
    df = (va + vb) ** 2 / (va ** 2 / 4 + vb ** 2 / 7)
    difference, low, high = welch_interval(a, b)
    assert high - difference == pytest.approx(t.ppf(0.975, df) * np.sqrt(va + vb), rel=1e-15)
