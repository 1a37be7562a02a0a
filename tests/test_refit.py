"""The refits of a pruned support with correlated features (overparam.theory.refit): each prediction
against simulation on small problems, and the two ends of the correlation range."""
import numpy as np
import pytest

from overparam.book.stats import mean_ci
from overparam.theory.problems import correlated_problem, fig3_problem
from overparam.theory.pruning import magnitude_support, restrict
from overparam.theory.rank_one import lemma1_excess_risks
from overparam.theory.refit import (dc_draws, distilled_risks, pruned_risks, projections, retrained_risks,
                                    risks, split_risks, supports_of)
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import fit_on_support, min_norm_least_squares


def covered(values, predicted, slack=0.0):
    """The prediction inside the 95% interval of the simulated mean, widened by ``slack`` (relative)."""
    mean, low, high = mean_ci(np.asarray(values))
    return low * (1 - slack) <= predicted <= high * (1 + slack), (float(mean), float(low), float(high), predicted)


def test_risks_equal_problem_risk():
    problem = correlated_problem(30, 3, 10.0, 0.5, 0.2)
    models = np.random.default_rng(0).standard_normal((5, 30))
    np.testing.assert_allclose(risks(problem, models), problem.risk(models), rtol=1e-12)


def test_projection_of_theta_star_is_the_restricted_problem():
    """t_D and the unexplained variance are Def. 5's theta*_D and sigma_D^2 - sigma^2."""
    from overparam.theory.problems import restrict_problem
    problem = correlated_problem(40, 4, 10.0, 0.5, 0.3, group=4)
    support = np.array([[0, 3, 7, 11, 20, 39]])
    [(coef, unexplained)] = projections(problem, support, problem.theta_star)
    restricted = restrict_problem(problem, support[0])
    np.testing.assert_allclose(coef[0], restricted.theta_star, rtol=1e-10)
    assert unexplained[0] == pytest.approx(restricted.sigma**2 - problem.sigma**2, rel=1e-10)


def test_distillation_formula_against_simulated_students():
    """Finite-m distillation: L(theta_D) + v s/(m - s - 1), against 3000 students fit to the teacher's
    predictions on m fresh Gaussian inputs (p = 120, s = 15, m = 60, rho = 0.3)."""
    p, s, m = 120, 15, 60
    problem = correlated_problem(p, 12, 10.0, 0.5, 0.3)
    rng = np.random.default_rng(1)
    teacher = problem.theta_star + 0.3 * rng.standard_normal(p)
    support = np.sort(rng.choice(p, s, replace=False))
    predicted = distilled_risks(problem, teacher[None], support[None], [m, np.inf])
    root = problem.cov_root
    students = []
    for _ in range(3000):
        inputs = rng.standard_normal((m, p)) @ root.T
        students.append(fit_on_support(inputs, inputs @ teacher, support))
    ok, numbers = covered(risks(problem, np.array(students)), predicted[float(m)][0])
    assert ok, numbers
    assert predicted[np.inf][0] < predicted[float(m)][0]


def test_infinite_distillation_is_pruning_alone_without_correlation():
    problem = correlated_problem(80, 8, 10.0, 0.5, 0.0)
    thetas = dc_draws(problem, 30, 20, np.random.default_rng(2))
    supports = supports_of(thetas, 8, "magnitude", problem.cov_diagonal)
    np.testing.assert_allclose(distilled_risks(problem, thetas, supports, [np.inf])[np.inf],
                               pruned_risks(problem, thetas, supports), rtol=1e-10)


def test_fresh_retraining_is_exact_for_a_given_support():
    """sigma_D^2 (N - 1)/(N - s - 1) against 3000 least-squares refits on fresh samples of N = 40."""
    problem = correlated_problem(60, 6, 10.0, 0.5, 0.2, group=6)
    support = np.arange(0, 60, 6)
    predicted = retrained_risks(problem, support[None], 40)[0]
    rng = np.random.default_rng(3)
    refits = [fit_on_support(*problem.sample(40, rng), support) for _ in range(3000)]
    ok, numbers = covered(risks(problem, np.array(refits)), predicted)
    assert ok, numbers


@pytest.mark.parametrize("rho", [0.0, 0.05])
def test_split_and_pruning_predictions_against_simulation(rho):
    """Sample splitting and pruning alone predicted by the sampled DC, against 300 simulated min-norm fits
    (p = 300, n = 120, s = 12, f = 0.4), within the 95% interval widened by 3%."""
    p, n, s, f = 300, 120, 12, 0.4
    problem = correlated_problem(p, s, 10.0, 0.5, rho)
    rng = np.random.default_rng(4)
    thetas = dc_draws(problem, n, 2000, rng)
    supports = supports_of(thetas, s, "magnitude", problem.cov_diagonal)
    predicted_pruned = pruned_risks(problem, thetas, supports).mean()
    predicted_split = split_risks(problem, n, f, s, "magnitude", 2000, rng).mean()
    first = int(round(f * n))
    pruned, split = [], []
    for _ in range(300):
        X, y = problem.sample(n, rng)
        theta = min_norm_least_squares(X, y)
        pruned.append(problem.risk(restrict(theta, magnitude_support(theta, s))))
        theta_first = min_norm_least_squares(X[:first], y[:first])
        split.append(problem.risk(fit_on_support(X[first:], y[first:], magnitude_support(theta_first, s))))
    for values, predicted in ((pruned, predicted_pruned), (split, predicted_split)):
        ok, numbers = covered(values, predicted, slack=0.03)
        assert ok, numbers


@pytest.mark.parametrize("rule", ["magnitude", "hessian"])
def test_rho_zero_is_chapter_one_at_k_equal_p(rule):
    """With rho = 0 the sampled DC reproduces the closed forms of Fig. 3(b) at k = p (within 1.5%)."""
    p, n, s = 400, 120, 40
    law = FitLaw(fig3_problem("b", p, s, 10.0, 0.5), n)
    problem = correlated_problem(p, s, 10.0, 0.5, 0.0)
    thetas = dc_draws(problem, n, 3000, np.random.default_rng(5))
    supports = supports_of(thetas, s, rule, problem.cov_diagonal)
    assert risks(problem, thetas).mean() == pytest.approx(law.dc.risk, rel=0.015)
    assert pruned_risks(problem, thetas, supports).mean() == pytest.approx(law.pruned(s, rule), rel=0.015)
    assert retrained_risks(problem, supports, n).mean() == pytest.approx(law.retrained(s, rule), rel=0.015)


def test_rho_to_one_is_not_lemma_one():
    """As rho -> 1 the retrained bias vanishes, as in Lemma 1, but the dense fit's excess risk does not
    tend to Lemma 1's sigma^2/(n - 2): the min-norm fit still interpolates the noise in the p - 1 weak
    directions. Simulated min-norm fits at rho = 0.999 confirm the characterization, not the lemma."""
    p, n, s, sigma = 300, 100, 10, 0.5

    def bias(rho):  # E[sigma_D^2] - sigma^2 of the retrained model
        problem = correlated_problem(p, s, 10.0, sigma, rho)
        thetas = dc_draws(problem, n, 500, np.random.default_rng(6))
        supports = supports_of(thetas, s, "magnitude", problem.cov_diagonal)
        return retrained_risks(problem, supports, n).mean() * (n - s - 1) / (n - 1) - sigma**2

    assert bias(0.99999) < min(bias(0.999) / 50, 0.01 * sigma**2)
    problem = correlated_problem(p, s, 10.0, sigma, 0.999)
    lemma = lemma1_excess_risks(np.sqrt(problem.cov_diagonal), problem.theta_star, sigma, n, s)
    thetas = dc_draws(problem, n, 2000, np.random.default_rng(6))
    predicted_dense = risks(problem, thetas).mean() - sigma**2
    rng = np.random.default_rng(7)
    simulated = [problem.risk(min_norm_least_squares(*problem.sample(n, rng))) - sigma**2 for _ in range(200)]
    ok, numbers = covered(simulated, predicted_dense, slack=0.03)
    assert ok, numbers
    assert np.mean(simulated) > 20 * lemma["dense"]


def test_bad_inputs_are_refused():
    problem = correlated_problem(50, 5, 10.0, 0.5, 0.1)
    thetas = dc_draws(problem, 20, 4, np.random.default_rng(8))
    with pytest.raises(ValueError, match="rule"):
        supports_of(thetas, 5, "oracle", problem.cov_diagonal)
    with pytest.raises(ValueError, match="s must be"):
        supports_of(thetas, 50, "magnitude", problem.cov_diagonal)
    supports = supports_of(thetas, 5, "magnitude", problem.cov_diagonal)
    with pytest.raises(ValueError, match="unlabeled"):
        distilled_risks(problem, thetas, supports, [6])
    with pytest.raises(ValueError, match="split fraction"):
        split_risks(problem, 20, 1.0, 5, "magnitude", 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rho"):
        correlated_problem(50, 5, 10.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="interpolation"):
        dc_draws(correlated_problem(50, 5, 10.0, 0.5, 0.1), 50, 4, np.random.default_rng(0))


def test_dc_draws_do_not_depend_on_the_eigenbasis_of_a_repeated_eigenvalue():
    """Equicorrelated features: Sigma has one eigenvalue repeated p - s - 1 times (and s - 1 times), so
    LAPACK may return any orthonormal basis of those eigenspaces (it differs between CPUs). Rotating
    the basis inside each repeated eigenspace must leave the draws unchanged (principal square root)."""
    problem = correlated_problem(40, 8, 10.0, 0.5, 0.3)
    draws = dc_draws(problem, 20, 5, np.random.default_rng(0))
    eigenvalues, basis = problem.spectrum
    rotated = basis.copy()
    rng = np.random.default_rng(1)
    for value in np.unique(np.round(eigenvalues, 8)):
        columns = np.flatnonzero(np.isclose(eigenvalues, value, rtol=1e-8))
        if columns.size > 1:
            turn, _ = np.linalg.qr(rng.standard_normal((columns.size, columns.size)))
            rotated[:, columns] = basis[:, columns] @ turn
    assert np.abs(rotated - basis).max() > 0.1  # the basis really changed
    problem.__dict__["spectrum"] = (eigenvalues, rotated)
    np.testing.assert_allclose(dc_draws(problem, 20, 5, np.random.default_rng(0)), draws, atol=1e-10)
