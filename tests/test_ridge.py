"""The ridge DC (overparam.theory.ridge): its fit against scikit-learn, its mu = 0 limits against the
min-norm DC, and its dense, pruned and retrained risks against simulation of ridge fits."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge

from overparam.book.stats import mean_ci
from overparam.theory.dc import diagonal_dc
from overparam.theory.pruning import hessian_support, magnitude_support, restrict
from overparam.theory.ridge import PENALTIES, penalty_weights, ridge_dc, ridge_fit, ridge_path, solve_tau
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import fit_on_support, min_norm_least_squares
from test_theory import power_law_problem, three_level_problem


@pytest.mark.parametrize("shape", [(80, 30), (40, 90)])
def test_ridge_fit_matches_scikit_learn(shape):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    for mu in (0.01, 0.3, 2.0):
        ours = ridge_fit(X, y, mu)
        theirs = Ridge(alpha=shape[0] * mu, fit_intercept=False).fit(X, y).coef_
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ridge_path(X, y, [mu])[0], ours, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ridge_fit(X, y, 0.0), min_norm_least_squares(X, y), atol=1e-10)


def test_generalized_ridge_is_plain_ridge_in_rescaled_coordinates():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((50, 70)), rng.standard_normal(50)
    omega = rng.uniform(0.2, 3, 70)
    theta = ridge_fit(X, y, 0.4, omega)
    # the gradient of the generalized objective vanishes at its minimizer
    gradient = -2 * X.T @ (y - X @ theta) / 50 + 2 * 0.4 * omega * theta
    assert np.abs(gradient).max() < 1e-10


def test_ridge_dc_at_mu_zero_is_the_min_norm_dc():
    lam, theta = np.repeat([4.0, 1.0], [40, 160]), np.full(200, 0.07)
    over = ridge_dc(lam, theta, 0.25, 100, 0.0)
    reference = diagonal_dc(lam, theta, 0.25, 100)
    np.testing.assert_allclose([over.risk, *over.mean, *over.var], [reference.risk, *reference.mean, *reference.var])
    under = ridge_dc(lam[:60], theta[:60], 0.25, 100, 0.0)
    asymptotic = diagonal_dc(lam[:60], theta[:60], 0.25, 100, exact_finite_n=False)
    np.testing.assert_allclose([under.risk, *under.var], [asymptotic.risk, *asymptotic.var])
    assert solve_tau(lam, 100, 0.0) == pytest.approx(1 / reference.xi)


def test_tau_solves_its_equation():
    lam = np.linspace(0.2, 3, 50)
    for n, mu in [(100, 0.1), (20, 0.5), (30, 1e-4)]:
        tau = solve_tau(lam, n, mu)
        assert tau * (1 - np.sum(lam / (lam + tau)) / n) == pytest.approx(mu, rel=1e-10)


def simulate_ridge(problem, n, s, mu, penalty, trials, seed):
    omega = penalty_weights(penalty, problem.cov)
    out = {name: [] for name in ["dense", "magnitude", "hessian", "magnitude+retrain", "hessian+retrain"]}
    for child in np.random.SeedSequence(seed).spawn(trials):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        theta = ridge_fit(X, y, mu, omega)
        out["dense"].append(problem.risk(theta))
        for method, support in [("magnitude", magnitude_support(theta, s)), ("hessian", hessian_support(theta, X, s))]:
            out[method].append(problem.risk(restrict(theta, support)))
            out[method + "+retrain"].append(problem.risk(fit_on_support(*fresh, support)))
    return out


CASES = [(power_law_problem(400), 150, 40, "identity"), (power_law_problem(120), 300, 30, "identity"),
         (three_level_problem(400), 150, 60, "identity"), (three_level_problem(120), 300, 30, "covariance"),
         (three_level_problem(400), 150, 60, "inverse-covariance")]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_ridge_dc_risks_match_simulation(case):
    problem, n, s, penalty = CASES[case]
    report = []
    for mu in (0.02, 0.2, 1.0):
        law = FitLaw(problem, n, mu=mu, penalty=penalty)
        theory = {"dense": law.dc.risk, **{m: law.pruned(s, m) for m in ("magnitude", "hessian")},
                  **{m + "+retrain": law.retrained(s, m) for m in ("magnitude", "hessian")}}
        for name, risks in simulate_ridge(problem, n, s, mu, penalty, trials=40, seed=case).items():
            mean, low, high = mean_ci(risks)
            report.append(f"mu={mu} {name}: theory {theory[name]:.4f}, simulation {mean:.4f} [{low:.4f}, {high:.4f}]")
            assert abs(mean - theory[name]) <= 1.5 * (high - low) + 0.015 * theory[name], "\n".join(report)


def test_penalties_are_named():
    assert set(PENALTIES) == {"identity", "inverse-covariance", "covariance"}
    with pytest.raises(ValueError, match="penalty must be one of"):
        penalty_weights("lasso", np.ones(3))
