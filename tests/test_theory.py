"""Closed-form theory (overparam.theory.dc, overparam.theory.risk) against Monte-Carlo simulation and known closed forms.

The spectra here are not the ones the chapters use. Agreement is asked within three standard
errors of the simulated mean plus 1% for the finite-p approximation of the DC.
"""
import numpy as np
import pytest
from scipy.integrate import quad

from overparam.book.stats import mean_ci
from overparam.experiments.linear import k_grid
from overparam.experiments.quantization_budget import budget_size
from overparam.reports.predict import model_sizes
from overparam.theory.dc import dc_gaussian, diagonal_dc, sample_dc, solve_xi
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import hessian_support, magnitude_support, oracle_support, restrict
from overparam.theory.risk import (FitLaw, best_underparameterized_risk, dense_risk, keep_probability,
                                   thresholded_sq_error)
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

SLACK = 0.01


def power_law_problem(p):
    """A continuous spectrum lambda_i ~ i^-0.7 (normalised to mean 1), Gaussian theta*."""
    rng = np.random.default_rng(100)
    lam = np.arange(1, p + 1) ** -0.7
    lam /= lam.mean()
    return LinearGaussianProblem(rng.standard_normal(p) * np.sqrt(1.5 / p), lam, 0.4)


def three_level_problem(p):
    """Three variance levels with weights that are large on the middle level only."""
    lam = np.repeat([4.0, 1.0, 0.25], [p // 5, p // 2, p - p // 5 - p // 2])
    theta = np.where(lam == 1.0, 2.0, 0.5) / np.sqrt(p)
    return LinearGaussianProblem(theta, lam, 0.7)


def simulate(problem, n, s, trials, seed):
    """Monte-Carlo risks of dense, MP, HP, oracle and fresh-sample retraining."""
    out = {name: [] for name in ["dense", "magnitude", "hessian", "oracle",
                                 "magnitude+retrain", "hessian+retrain"]}
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        theta = min_norm_least_squares(X, y)
        supports = {"magnitude": magnitude_support(theta, s), "hessian": hessian_support(theta, X, s)}
        out["dense"].append(problem.risk(theta))
        out["oracle"].append(problem.risk(restrict(theta, oracle_support(problem.theta_star, problem.cov, s))))
        for method, support in supports.items():
            out[method].append(problem.risk(restrict(theta, support)))
            out[method + "+retrain"].append(problem.risk(fit_on_support(*fresh, support)))
    return {name: np.array(values) for name, values in out.items()}


def theory(problem, n, s):
    return {"dense": dense_risk(problem, n),
            "magnitude": FitLaw(problem, n).pruned(s, "magnitude"),
            "hessian": FitLaw(problem, n).pruned(s, "hessian"),
            "oracle": FitLaw(problem, n).oracle(s),
            "magnitude+retrain": FitLaw(problem, n).retrained(s, "magnitude"),
            "hessian+retrain": FitLaw(problem, n).retrained(s, "hessian")}


CASES = {
    "power-law, p > n": (power_law_problem(500), 200, 60),
    "power-law, p < n": (power_law_problem(150), 400, 40),
    "three-level, p > n": (three_level_problem(500), 200, 80),
    "three-level, p < n": (three_level_problem(150), 400, 60),
    "three-level, p > n, s > n": (three_level_problem(600), 150, 200),
}


@pytest.mark.parametrize("case", CASES)
def test_theory_matches_simulation(case):
    problem, n, s = CASES[case]
    predicted = theory(problem, n, s)
    simulated = simulate(problem, n, s, trials=80, seed=7)
    report = []
    for name, risks in simulated.items():
        mean, low, high = mean_ci(risks)
        se = (high - low) / (2 * 1.96)
        gap = abs(mean - predicted[name])
        report.append(f"{name}: theory {predicted[name]:.4f}, simulation {mean:.4f} +- {1.96 * se:.4f}")
        assert gap <= 3 * se + SLACK * predicted[name], "\n".join(report)


def test_dense_risk_is_the_isotropic_closed_form_of_hastie_et_al():
    """Sigma = I: risk = sigma^2 kappa/(kappa - 1) + r^2 (1 - 1/kappa) for kappa > 1."""
    rng = np.random.default_rng(0)
    p, n, sigma = 900, 300, 0.8
    theta = rng.standard_normal(p) / np.sqrt(p)
    kappa, r2 = p / n, theta @ theta
    expected = sigma**2 * kappa / (kappa - 1) + r2 * (1 - 1 / kappa)
    assert dense_risk(LinearGaussianProblem(theta, np.ones(p), sigma), n) == pytest.approx(expected, rel=1e-10)


def test_underparameterized_risk_is_the_exact_gaussian_design_value():
    p, n, sigma = 50, 200, 1.3
    problem = LinearGaussianProblem(np.ones(p), np.linspace(0.5, 2, p), sigma)
    assert dense_risk(problem, n) == pytest.approx(sigma**2 * (n - 1) / (n - p - 1), rel=1e-12)
    asymptotic = diagonal_dc(problem.cov, problem.theta_star, sigma**2, n, exact_finite_n=False)
    assert asymptotic.risk == pytest.approx(sigma**2 / (1 - p / n), rel=1e-12)


def test_risk_is_infinite_at_the_interpolation_threshold():
    problem = LinearGaussianProblem(np.ones(100), np.ones(100), 0.5)
    assert dense_risk(problem, 100) == np.inf
    assert FitLaw(problem, 100).pruned(10, "magnitude") == np.inf
    # the refit on s < n features is well posed: finite risk, the paper's point about the peak
    assert FitLaw(problem, 100).retrained(10, "magnitude") == pytest.approx((0.25 + 90) * 99 / 89, rel=1e-9)


def test_dense_risk_at_n_plus_one_is_the_large_p_limit_and_no_grid_asks_for_it():
    """At p = n + 1 FitLaw gives Def. 4's finite limit, here in closed form for Sigma = I:
    xi = n / (p - n), so 1 / (1 + xi) = 1 - n/p = 1/p and gamma = p (sigma_k^2 + ||theta*||^2 / p^2);
    the exact expected risk is infinite there, so every size grid leaves n - 1, n, n + 1 out."""
    n, p = 300, 301
    problem = LinearGaussianProblem(np.full(400, 0.05), np.ones(400), 0.5).prefix(p)
    limit = p * (problem.sigma**2 + np.sum(problem.theta_star**2) / p**2)
    assert FitLaw(problem, n).dense() == pytest.approx(limit, rel=1e-9)
    assert FitLaw(problem.prefix(n), n).dense() == np.inf and FitLaw(problem.prefix(n - 1), n).dense() == np.inf
    interpolation = {n - 1, n, n + 1}
    assert not interpolation & set(k_grid(1000, n, 30, peak_offsets=(299 / 300, 1, 301 / 300)))
    assert not interpolation & set(model_sizes(1000, n, count=1000))
    assert all(budget_size(32, 32 * k, 1000, n) == n - 2 for k in interpolation)


def test_xi_solves_its_equation():
    lam = np.linspace(0.1, 3, 400)
    xi = solve_xi(lam, 150)
    assert np.sum(xi * lam / (1 + xi * lam)) == pytest.approx(150, rel=1e-12)
    with pytest.raises(ValueError):
        solve_xi(lam, 400)


def test_truncated_moments_against_numerical_integration():
    for target, mean, var, tau in [(0.3, 0.5, 0.2, 0.4), (-1.0, 0.1, 2.0, 1.5), (0.0, 2.0, 0.1, 0.1)]:
        def density(z):
            return np.exp(-(z - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var)

        def integral(f):
            pieces = [(-np.inf, -tau), (-tau, tau), (tau, np.inf)]
            return sum(quad(lambda z: f(z, abs(z) >= tau) * density(z), a, b, epsabs=1e-13)[0] for a, b in pieces)

        loss = integral(lambda z, kept: (target - z * kept) ** 2)
        assert thresholded_sq_error(target, mean, var, tau) == pytest.approx(loss, rel=1e-8)
        assert keep_probability(mean, var, tau) == pytest.approx(integral(lambda z, kept: kept), rel=1e-8)


def test_prefix_problem_carries_the_missing_features_as_noise():
    problem = LinearGaussianProblem(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.5, 2.0]), 0.5)
    sub = problem.prefix(1)
    assert sub.sigma**2 == pytest.approx(0.25 + 0.5 * 4 + 2 * 9)
    rng = np.random.default_rng(0)
    X, y = problem.sample(200000, rng)
    residual = y - X[:, :1] @ problem.theta_star[:1]
    assert residual.var() == pytest.approx(sub.sigma**2, rel=0.01)


def test_lemma7_best_underparameterized_model():
    problem = LinearGaussianProblem(np.full(40, 0.2), np.repeat([5.0, 1.0], [8, 32]), 0.3)
    k, risk = best_underparameterized_risk(problem, 100)
    brute = {j: (0.09 + np.sum(np.sort(problem.cov * 0.04)[::-1][j:])) * 99 / (100 - j - 1)
             for j in range(1, 41)}
    assert k == min(brute, key=brute.get)
    assert risk == pytest.approx(brute[k])


def test_dc_of_a_rotated_problem_matches_simulation():
    """Def. 4 through the eigendecomposition: a non-diagonal Sigma, checked against simulation."""
    rng = np.random.default_rng(11)
    p, n = 300, 120
    basis, _ = np.linalg.qr(rng.standard_normal((p, p)))
    eig = np.geomspace(0.2, 5, p)
    problem = LinearGaussianProblem(rng.standard_normal(p) / np.sqrt(p), (basis * eig) @ basis.T, 0.5)
    mean, cov = dc_gaussian(problem, n)
    # the diagonal problem in the eigenbasis has the same risk, and the DC mean is its rotation
    rotated = LinearGaussianProblem(basis.T @ problem.theta_star, eig, 0.5)
    rotated_dc = diagonal_dc(eig, rotated.theta_star, 0.25, n)
    np.testing.assert_allclose(mean, basis @ rotated_dc.mean, atol=1e-12)
    predicted = problem.sigma**2 + (mean - problem.theta_star) @ problem.cov @ (mean - problem.theta_star) \
        + np.trace(problem.cov @ cov)
    assert predicted == pytest.approx(rotated_dc.risk, rel=1e-9)
    draws = sample_dc(problem, n, 4000, rng)
    assert problem.risk(draws).mean() == pytest.approx(predicted, rel=0.01)
    risks = [problem.risk(min_norm_least_squares(*problem.sample(n, rng))) for _ in range(60)]
    mean_risk, low, high = mean_ci(np.array(risks))
    assert abs(mean_risk - predicted) <= 1.5 * (high - low) + SLACK * predicted


def test_subset_estimation_error_is_exact_below_interpolation():
    """Sec. 3.4: with Sigma = I and k < n - 1 the error on the salient weights is sigma_k^2 s / (n - k - 1)."""
    from overparam.theory.problems import fig3_problem
    from overparam.theory.risk import subset_estimation_error
    n, s, k = 300, 20, 200
    problem = fig3_problem("a", 250, s, 10.0, 0.5)
    predicted = subset_estimation_error(problem, n, k, np.arange(s))
    assert predicted == pytest.approx((0.25 + 50 / 250) * s / (n - k - 1), rel=1e-12)
    rng = np.random.default_rng(7)
    errors = []
    for _ in range(2000):
        X, y = problem.sample(n, rng)
        errors.append(np.sum((min_norm_least_squares(X[:, :k], y)[:s] - problem.theta_star[:s]) ** 2))
    mean, low, high = mean_ci(np.array(errors))
    assert low <= predicted <= high or abs(mean - predicted) <= 0.75 * (high - low)
    with pytest.raises(ValueError):
        subset_estimation_error(problem, n, 10, np.arange(s))
