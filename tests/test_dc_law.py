import numpy as np
import pytest
from scipy.integrate import quad

from overparam.book.stats import loglog_slope, wasserstein2_to_law
from overparam.theory.dc import ScaledLaw, scaled_law
from overparam.theory.problems import fig3_problem, power_law_problem


def test_scaled_law_is_a_probability_law_with_consistent_quantiles():
    law = scaled_law(fig3_problem("b", 400, 40, 10.0, 0.5), 200)
    assert quad(law.pdf, -20, 20, limit=200)[0] == pytest.approx(1, abs=1e-8)
    probs = np.array([0.01, 0.25, 0.5, 0.9, 0.999])
    np.testing.assert_allclose(law.cdf(law.quantile(probs)), probs, atol=1e-6)


def test_scaled_law_matches_the_asymptotic_formula_of_def3():
    """X = r (B + sqrt(kappa gamma / Lambda) H): the mixture's centres and scales."""
    from overparam.theory.dc import diagonal_dc
    problem = fig3_problem("b", 600, 60, 5.0, 0.3)
    n = 200
    law = scaled_law(problem, n)
    dc = diagonal_dc(np.array([1.0, 5.0]), np.full(2, 1 / np.sqrt(600)), 0.09, n, np.array([540.0, 60.0]))
    r = dc.xi * np.array([1.0, 5.0]) / (1 + dc.xi * np.array([1.0, 5.0]))
    np.testing.assert_allclose(law.centers, r * 1.0)
    np.testing.assert_allclose(law.scales, r * np.sqrt(3 * dc.risk / np.array([1.0, 5.0])))


def test_wasserstein2_against_a_known_value():
    """W2 between N(0, 1) and N(m, 1) is |m|; the empirical law of many N(0,1) quantiles is ~N(0,1)."""
    law = ScaledLaw(np.array([0.7]), np.array([1.0]), np.array([1.0]))
    base = ScaledLaw(np.array([0.0]), np.array([1.0]), np.array([1.0]))
    samples = base.quantile((np.arange(20000) + 0.5) / 20000)
    assert wasserstein2_to_law(samples, law.quantile) == pytest.approx(0.7, abs=2e-3)
    assert wasserstein2_to_law(samples, base.quantile) < 0.01


def test_power_law_problem_and_slope():
    problem = power_law_problem(100, 1.5, 0.2, seed=3)
    assert problem.cov.mean() == pytest.approx(1)
    assert np.all(np.diff(problem.cov) < 0)
    x = np.array([10.0, 100.0, 1000.0])
    assert loglog_slope(x, 3 * x**-0.5) == pytest.approx(-0.5)
