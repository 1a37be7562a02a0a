"""Lemma 1 (perfectly correlated features): closed forms against simulation."""
import numpy as np
import pytest

from overparam.book.stats import mean_ci
from overparam.theory.pruning import hessian_support, magnitude_support, restrict
from overparam.theory.rank_one import lemma1_excess_risks, rank_one_excess_risk, rank_one_sample
from overparam.theory.solvers import fit_on_support, min_norm_least_squares


@pytest.mark.parametrize("n, s", [(12, 3), (40, 10)])
def test_lemma1_against_simulation(n, s):
    rng = np.random.default_rng(3)
    zeta = rng.uniform(0.2, 2.0, 30) * rng.choice([-1, 1], 30)   # a spectrum the chapter does not use
    theta_star = rng.standard_normal(30) / 5 + 0.3
    theory = lemma1_excess_risks(zeta, theta_star, 0.8, n, s)
    pruned, retrained, dense = [], [], []
    for _ in range(3000):
        X, y = rank_one_sample(zeta, theta_star, 0.8, n, rng)
        theta = min_norm_least_squares(X, y)
        support = magnitude_support(theta, s)
        assert np.array_equal(support, hessian_support(theta, X, s))
        pruned.append(rank_one_excess_risk(zeta, theta_star, restrict(theta, support)))
        retrained.append(rank_one_excess_risk(zeta, theta_star, fit_on_support(X, y, support)))
        dense.append(rank_one_excess_risk(zeta, theta_star, theta))
    for name, values in [("pruned", pruned), ("retrained", retrained), ("dense", dense)]:
        mean, low, high = mean_ci(np.array(values))
        assert abs(mean - theory[name]) <= 1.5 * (high - low), (name, mean, theory[name])
    assert theory["pruned"] == pytest.approx(theory["pruned_bias"] + theory["pruned_variance"])


def test_lemma1_rejects_small_n():
    with pytest.raises(ValueError, match="n > 2"):
        lemma1_excess_risks(np.ones(3), np.ones(3), 1.0, 2, 1)
