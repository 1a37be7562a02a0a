"""The Lasso's fixed-point characterization (overparam.theory.lasso) against scikit-learn Lasso fits:
risk, number of non-zeros and pruned risks, its closed-form moments, and its mu -> 0 / mu -> infinity limits."""
from functools import lru_cache

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq
from sklearn.linear_model import Lasso

from overparam.book.stats import mean_ci
from overparam.theory.dc import atoms
from overparam.theory.lasso import (lasso_fixed_point, lasso_kept_probability, lasso_law, lasso_pipeline_risk,
                                    lasso_pruned_risk, lasso_refit_risk, lasso_risk, lasso_support_size, mu_for_support_size,
                                    mu_scale, optimal_mu, soft_keep_probability, soft_sq_error, soft_threshold)
from overparam.theory.problems import LinearGaussianProblem, fig3_problem, power_law_problem
from overparam.theory.pruning import restrict, top_s
from overparam.theory.risk import dense_risk

SEEDS = (0, 1, 2)
DRAWS = 60  # per seed: 180 fits per (problem, mu)

# Relative tolerance, from this error budget: the fixed point is the n, p -> infinity limit; at p ~ 200-400
# the bias of an expected risk is O(1/n) (least squares: n/(n-p) vs (n-1)/(n-p-1), 0.25% at n=400, p=200)
# and the 95% Monte-Carlo half-width of a 180-fit mean is <~ 2% (per-fit relative sd 8-12%; asserted
# below). 4% covers both. It is far below what a missing degrees-of-freedom factor zeta does to the risk
# (checked below to fall outside it) or a factor 2 in mu does to the number of non-zeros (15-60% here;
# the risk itself can be flat in mu).
RTOL = 0.04


def fit_lasso(X, y, mu):
    """scikit-learn's Lasso minimizes (1/(2n)) ||y - X w||^2 + alpha ||w||_1: alpha = mu."""
    return Lasso(alpha=mu, fit_intercept=False, tol=1e-10, max_iter=200_000).fit(X, y).coef_


@lru_cache(maxsize=None)
def simulate(case, mu):
    """Risk, number of non-zeros and pruned risks to BUDGETS (magnitude; Hessian score sqrt(Sigma_ii)|theta_i|)
    of Lasso fits on CASES[case], DRAWS per seed; arrays of shape (seeds * DRAWS,) and a per-seed label.
    Cached: the pruning test reuses the fits of the risk test."""
    problem, n, _ = CASES[case]
    out = {"risk": [], "nnz": [], "seed": []}
    out.update({(m, s): [] for m in ("magnitude", "hessian") for s in BUDGETS})
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        for _ in range(DRAWS):
            X, y = problem.sample(n, rng)
            theta = fit_lasso(X, y, mu)
            out["risk"].append(problem.risk(theta))
            out["nnz"].append(np.count_nonzero(theta))
            out["seed"].append(seed)
            for s in BUDGETS:
                out["magnitude", s].append(problem.risk(restrict(theta, top_s(np.abs(theta), s))))
                score = np.abs(theta) * np.sqrt(problem.cov)
                out["hessian", s].append(problem.risk(restrict(theta, top_s(score, s))))
    return {key: np.asarray(value, dtype=float) for key, value in out.items()}


def check(name, theory, samples, seeds, report):
    mean, low, high = mean_ci(samples)
    per_seed = ", ".join(f"{samples[seeds == s].mean():.4g}" for s in SEEDS)
    report.append(f"{name}: theory {theory:.4f}, simulation {mean:.4f} [{low:.4f}, {high:.4f}] (seeds: {per_seed})")
    assert (high - low) / 2 <= RTOL / 2 * abs(theory), "Monte-Carlo interval too wide:\n" + "\n".join(report)
    assert abs(mean - theory) <= RTOL * abs(theory), "\n".join(report)
    return mean


def naive_risk(problem, n, mu):
    """The fixed point with zeta = 1 (no degrees-of-freedom correction): must be told apart."""
    lam, theta, w = atoms(problem)

    def residual(gamma):
        sd = np.sqrt(gamma / (n * lam))
        return gamma - problem.sigma**2 - np.sum(w * lam * soft_sq_error(theta, sd, mu / lam))

    if residual(1e3) < 0:  # without the correction there is no fixed point at all (p > n, small mu)
        return np.inf
    return brentq(residual, 1e-8, 1e3)


def sparse_isotropic(p=400, k=40, sigma=0.5):
    theta = np.zeros(p)
    theta[:k] = np.where(np.arange(k) % 2, 1.0, -1.0) / np.sqrt(k)
    return LinearGaussianProblem(theta, np.ones(p), sigma)


CASES = {  # name: (problem, n, mus)
    "isotropic sparse, p/n = 1.6": (sparse_isotropic(), 250, (0.03, 0.1)),
    "spiked Fig. 3(b), p/n = 2": (fig3_problem("b", 400, 40, 10.0, 0.5), 200, (0.03, 0.1)),
    "spiked Fig. 3(b), p/n = 0.5": (fig3_problem("b", 200, 20, 10.0, 0.5), 400, (0.03, 0.1)),
    "power law (p distinct atoms), p/n = 2": (power_law_problem(400, 1.0, 0.5), 200, (0.03,)),
}
BUDGETS = (20, 60, 300)  # pruning budgets; in the pruning test's case 300 > df ~ 143: nothing is pruned


@pytest.mark.parametrize("case", list(CASES))
def test_risk_and_support_size_match_scikit_learn(case):
    problem, n, mus = CASES[case]
    report = [case]
    for mu in mus:
        law = lasso_law(problem, n, mu)
        sim = simulate(case, mu)
        simulated = check(f"mu={mu} risk", law.risk, sim["risk"], sim["seed"], report)
        check(f"mu={mu} non-zeros", law.df, sim["nnz"], sim["seed"], report)
        naive = naive_risk(problem, n, mu)
        report.append(f"mu={mu} zeta={law.zeta:.3f}; with zeta = 1 the predicted risk would be {naive:.4f}")
        assert np.isinf(naive) or abs(simulated - naive) > RTOL * naive, "the same check would accept zeta = 1"
    print("\n".join(report))


def test_pruned_risks_match_scikit_learn():
    case, mu, budgets = "spiked Fig. 3(b), p/n = 2", 0.03, BUDGETS
    problem, n, _ = CASES[case]
    law = lasso_law(problem, n, mu)
    sim = simulate(case, mu)
    report = [f"df {law.df:.1f}, dense risk {law.risk:.4f}"]
    for method in ("magnitude", "hessian"):
        for s in budgets:
            check(f"{method} s={s}", lasso_pruned_risk(law, s, method), sim[method, s], sim["seed"], report)
        kept = lasso_kept_probability(law, budgets[0], method)
        assert np.sum(law.w * kept) == pytest.approx(budgets[0], rel=1e-8)
    assert lasso_pruned_risk(law, 300, "magnitude") == pytest.approx(law.risk, rel=1e-12)
    # the spike is what the Hessian score sees: it wins clearly (the simulation follows, checked above)
    assert lasso_pruned_risk(law, 20, "hessian") < 0.9 * lasso_pruned_risk(law, 20, "magnitude")
    print("\n".join(report))


def test_scikit_learn_solves_the_stated_objective():
    """KKT conditions of (1/(2n)) ||y - X theta||^2 + mu ||theta||_1 at scikit-learn's fit with alpha = mu."""
    problem, n, mu = fig3_problem("b", 100, 10, 10.0, 0.5), 60, 0.05
    X, y = problem.sample(n, np.random.default_rng(5))
    theta = fit_lasso(X, y, mu)
    gradient = X.T @ (y - X @ theta) / n
    on = theta != 0
    np.testing.assert_allclose(gradient[on], mu * np.sign(theta[on]), atol=1e-6)
    assert np.all(np.abs(gradient[~on]) <= mu + 1e-6)


def test_closed_form_moments_match_quadrature():
    for mean, sd, kappa, cut in [(0.3, 0.2, 0.1, 0.1), (-0.5, 1.0, 0.4, 0.9), (0.0, 0.5, 0.2, 0.2), (2.0, 0.3, 1.0, 1.5)]:
        def integrand(g, power):
            x = mean + sd * g
            kept = soft_threshold(x, kappa) * (abs(x) > cut)
            return (kept - mean) ** power * np.exp(-0.5 * g * g) / np.sqrt(2 * np.pi)

        error = quad(integrand, -12, 12, args=(2,), points=[(c - mean) / sd for c in (-cut, cut)], limit=200)[0]
        assert soft_sq_error(mean, sd, kappa, cut) == pytest.approx(error, rel=1e-8, abs=1e-12)
        survive = quad(lambda g: np.exp(-0.5 * g * g) / np.sqrt(2 * np.pi) * (abs(mean + sd * g) > cut), -12, 12,
                       points=[(c - mean) / sd for c in (-cut, cut)])[0]
        assert soft_keep_probability(mean, sd, cut) == pytest.approx(survive, rel=1e-8)


@pytest.mark.parametrize("shape", [(400, 200), (200, 400), (400, 40)])
def test_fixed_point_equations_hold(shape):
    p, n = shape
    problem = fig3_problem("b", p, p // 10, 10.0, 0.5)
    for mu in (1e-6, 0.01, 0.3):
        law = lasso_law(problem, n, mu)
        sd, kappa = np.sqrt(law.gamma / (n * law.lam)), law.zeta * mu / law.lam
        mse = soft_sq_error(law.theta, sd, kappa)
        assert law.gamma == pytest.approx(problem.sigma**2 + np.sum(law.w * law.lam * mse), rel=1e-9)
        df = np.sum(law.w * soft_keep_probability(law.theta, sd, kappa))
        assert 1 / law.zeta == pytest.approx(1 - df / n, rel=1e-8, abs=1e-12)
        assert law.df < n
        # the atoms are a shortcut only: per-coordinate arrays give the same fixed point
        full = lasso_fixed_point(problem.cov, problem.theta_star, problem.sigma**2, n, mu)
        assert full.gamma == pytest.approx(law.gamma, rel=1e-9)
        assert lasso_risk(problem, n, mu) == law.risk and lasso_support_size(problem, n, mu) == law.df


def test_small_mu_with_p_below_n_is_least_squares():
    problem, n = fig3_problem("b", 200, 20, 10.0, 0.5), 400
    p, sigma2 = problem.p, problem.sigma**2
    for mu, tolerance in ((1e-6, 1e-4), (1e-9, 1e-7)):  # the gap closes linearly in mu
        law = lasso_law(problem, n, mu)
        assert law.risk == pytest.approx(sigma2 * n / (n - p), rel=tolerance)  # asymptotic least squares
        assert law.df == pytest.approx(p, rel=tolerance)
    # the book's finite-n least squares (n - p - 1) differs by O(1 / (n - p)) only
    assert law.risk == pytest.approx(dense_risk(problem, n), rel=2 / (n - p))


def test_large_mu_gives_the_zero_fit():
    problem, n = fig3_problem("b", 400, 40, 10.0, 0.5), 200
    null_risk = problem.sigma**2 + np.sum(problem.cov * problem.theta_star**2)
    mu = 10 * mu_scale(problem, n)
    law = lasso_law(problem, n, mu)
    assert law.risk == pytest.approx(null_risk, rel=1e-9)
    assert law.df < 1e-6
    for seed in SEEDS:
        X, y = problem.sample(n, np.random.default_rng(seed))
        assert np.max(np.abs(X.T @ y)) / n < mu  # the KKT bound of the zero fit
        assert not np.any(fit_lasso(X, y, mu))


def test_noiseless_small_mu_recovers_a_sparse_signal():
    """sigma = 0, 40 non-zeros, n = 300 > 2 k log(p/k): the risk vanishes like mu^2 while the support size
    stays put (the 40 non-zeros and a fixed number of O(mu) false positives)."""
    problem, n = sparse_isotropic(sigma=0.0), 300
    small, smaller = lasso_law(problem, n, 1e-3), lasso_law(problem, n, 1e-5)
    assert smaller.risk / small.risk == pytest.approx(1e-4, rel=1e-6)
    assert smaller.df == pytest.approx(small.df, rel=1e-6)


def test_optimal_mu_minimizes_the_predicted_risk():
    problem, n = fig3_problem("b", 400, 40, 10.0, 0.5), 200
    mu, risk = optimal_mu(problem, n)
    assert risk == pytest.approx(lasso_risk(problem, n, mu), rel=1e-12)
    for factor in (0.5, 0.8, 1.25, 2.0):
        assert lasso_risk(problem, n, factor * mu) > risk
    null_risk = problem.sigma**2 + np.sum(problem.cov * problem.theta_star**2)
    assert risk < lasso_risk(problem, n, 0.03) < null_risk


def test_invalid_inputs_are_rejected():
    problem = fig3_problem("b", 40, 4, 10.0, 0.5)
    with pytest.raises(ValueError, match="mu must be > 0"):
        lasso_law(problem, 20, 0.0)
    with pytest.raises(ValueError, match="rule must be"):
        lasso_pruned_risk(lasso_law(problem, 20, 0.01), 2, "random")


def test_pipeline_risks_of_the_lasso_and_its_own_support():
    """The Lasso's own support at the mu with s non-zeros predicted: the fit itself has the Lasso's risk; its
    refit keeps each atom with the probability of a non-zero, and pruning to s >= df keeps those same weights;
    a refit that keeps everything is least squares on all features (n - p - 1 degrees of freedom)."""
    problem, n, _ = CASES["spiked Fig. 3(b), p/n = 0.5"]
    mu = mu_for_support_size(problem, n, 20)
    law = lasso_law(problem, n, mu)
    assert law.df == pytest.approx(20, rel=1e-4)
    assert lasso_pipeline_risk(law, 20, "support") == law.risk == lasso_pipeline_risk(law, 20, "dense")
    refit = lasso_pipeline_risk(law, 20, "support+retrain")
    assert lasso_pipeline_risk(law, 30, "magnitude+retrain") == pytest.approx(refit)
    assert refit == pytest.approx(lasso_refit_risk(law, law.nonzero_probability))
    everything = lasso_refit_risk(law, np.ones_like(law.lam))
    assert everything == pytest.approx(problem.sigma**2 * (n - 1) / (n - problem.p - 1))
    assert lasso_pipeline_risk(law, 10, "hessian") == pytest.approx(lasso_pruned_risk(law, 10, "hessian"))
