"""A model on the first k features is held as a k-vector and scored by ``problem.prefix_risk``."""
import numpy as np
import pytest

from overparam.experiments.compressors import COMPRESSORS, TrainedFit
from overparam.experiments.quantization import register_quantizers
from overparam.theory.problems import correlated_problem, fig3_problem, restrict_problem
from overparam.theory.solvers import min_norm_least_squares

P, S, N = 200, 20, 60
# Every term of both risks is non-negative, so each sum is exact to p * eps (about 4e-14 at p = 200)
# whatever its order; 1e-12 leaves room for that and nothing more.
ROUNDING = 1e-12


def padded(theta_k: np.ndarray, p: int) -> np.ndarray:
    """The same models with zero weight on features k + 1..p (the layout the prefix form replaces)."""
    theta = np.zeros(theta_k.shape[:-1] + (p,))
    theta[..., :theta_k.shape[-1]] = theta_k
    return theta


@pytest.mark.parametrize("law", ["constant", "gaussian"])
@pytest.mark.parametrize("panel", ["a", "b"])
def test_prefix_risk_equals_the_risk_of_the_padded_model(panel, law):
    problem = fig3_problem(panel, P, S, 10.0, 0.5, theta_law=law, seed=3)
    rng = np.random.default_rng(0)
    for k in (1, S - 1, S, N, P - 1, P):
        thetas = problem.theta_star[:k] + rng.standard_normal((5, k)) / np.sqrt(P)
        np.testing.assert_allclose(problem.prefix_risk(thetas), problem.risk(padded(thetas, P)), rtol=ROUNDING)
        assert problem.prefix_risk(thetas[0]) == pytest.approx(float(problem.risk(padded(thetas[0], P))), rel=ROUNDING)


def test_prefix_risk_of_the_best_prefix_model_is_the_prefix_noise():
    """Lemma 7: theta*_{1:k} leaves exactly the noise sigma_k^2 of the prefix problem."""
    problem = fig3_problem("b", P, S, 10.0, 0.5, theta_law="gaussian", seed=1)
    for k in (1, S, P):
        assert problem.prefix_risk(problem.theta_star[:k]) == pytest.approx(problem.prefix(k).sigma ** 2, rel=ROUNDING)


@pytest.mark.parametrize("law", ["constant", "gaussian", "random-sign"])
def test_prefix_problem_is_the_problem_restricted_to_the_first_k_features(law):
    """prefix(k) reads its noise from the reversed cumulative sum; restrict_problem sums the left-out
    features its own way: the same problem up to the order of a sum of positive terms."""
    problem = fig3_problem("b", P, S, 10.0, 0.5, theta_law=law, seed=5)
    for k in (1, S, N, P - 1, P):
        prefix, restricted = problem.prefix(k), restrict_problem(problem, np.arange(k))
        assert np.array_equal(prefix.theta_star, restricted.theta_star) and np.array_equal(prefix.cov, restricted.cov)
        assert prefix.sigma == pytest.approx(restricted.sigma, rel=ROUNDING)


def test_prefix_risk_on_a_correlated_problem_keeps_the_other_features_signal():
    problem = correlated_problem(50, 5, 10.0, 0.5, rho=0.3)
    theta_k = np.random.default_rng(2).standard_normal(20) / 10
    assert problem.prefix_risk(theta_k) == pytest.approx(float(problem.risk(padded(theta_k, 50))), rel=ROUNDING)


@pytest.mark.parametrize("k", [0, P + 1])
def test_prefix_risk_rejects_a_size_outside_1_to_p(k):
    problem = fig3_problem("a", P, S, 10.0, 0.5)
    with pytest.raises(ValueError, match="prefix model"):
        problem.prefix_risk(np.zeros(k))


def test_every_compressor_returns_a_model_on_the_fit_s_k_features():
    register_quantizers()
    problem, k = fig3_problem("b", P, S, 10.0, 0.5), N // 2
    rng = np.random.default_rng(4)
    X, y = problem.sample(N, rng)
    fit = TrainedFit(problem, min_norm_least_squares(X[:, :k], y), k, X, y, problem.sample(N, rng), S, rng)
    for name, compressor in COMPRESSORS.items():
        assert compressor.compress(fit).shape == (k,), name
    with pytest.raises(ValueError, match="holds k weights"):
        TrainedFit(problem, padded(fit.theta, P), k, X, y, None, S)
