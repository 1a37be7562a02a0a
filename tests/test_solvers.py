import numpy as np
import pytest

from overparam.theory.solvers import fit_on_support, min_norm_least_squares, prefix_min_norm_fits


@pytest.mark.parametrize("shape", [(40, 15), (40, 40), (25, 60)])
def test_min_norm_least_squares_matches_pinv(shape):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    np.testing.assert_allclose(min_norm_least_squares(X, y), np.linalg.pinv(X) @ y, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", [(50, 8), (8, 50)])
def test_min_norm_least_squares_rank_deficient_design(shape):
    """A rank-one design (Lemma 1) must not go through the normal equations."""
    rng = np.random.default_rng(1)
    X = np.outer(rng.standard_normal(shape[0]), rng.standard_normal(shape[1]))
    y = rng.standard_normal(shape[0])
    np.testing.assert_allclose(min_norm_least_squares(X, y), np.linalg.pinv(X) @ y, atol=1e-10)


@pytest.mark.parametrize("n, p", [(30, 80), (30, 30), (50, 20)])
def test_prefix_fits_match_pinv_for_every_k(n, p):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, p)) * np.sqrt(rng.uniform(0.5, 3, p))
    y = rng.standard_normal(n)
    fits = dict(prefix_min_norm_fits(X, y))
    assert sorted(fits) == list(range(1, p + 1))
    for k, theta in fits.items():
        expected = np.linalg.pinv(X[:, :k]) @ y
        # the square case k = n is ill-conditioned: compare relative to the solution's size
        np.testing.assert_allclose(theta, expected, rtol=0, atol=1e-7 * max(1.0, np.abs(expected).max()))
        assert np.all(np.isfinite(theta))
    assert n in fits or n > p
    assert p in fits


def test_prefix_fits_on_a_subset_of_sizes():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((20, 50)), rng.standard_normal(20)
    ks = [1, 5, 20, 21, 35, 50]
    out = list(prefix_min_norm_fits(X, y, ks))
    assert [k for k, _ in out] == ks
    for k, theta in out:
        np.testing.assert_allclose(theta, np.linalg.pinv(X[:, :k]) @ y, atol=1e-8)


@pytest.mark.parametrize("ks", [[3, 2], [0, 4], [5, 51]])
def test_prefix_fits_reject_bad_sizes(ks):
    X, y = np.ones((20, 50)), np.ones(20)
    with pytest.raises(ValueError):
        list(prefix_min_norm_fits(X, y, ks))


def test_fit_on_support_is_zero_off_support():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((30, 10)), rng.standard_normal(30)
    theta = fit_on_support(X, y, np.array([1, 4, 7]))
    assert np.count_nonzero(theta) == 3
    np.testing.assert_allclose(theta[[1, 4, 7]], np.linalg.pinv(X[:, [1, 4, 7]]) @ y, atol=1e-10)
