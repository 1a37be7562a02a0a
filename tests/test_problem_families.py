"""The problem families (overparam.theory.problems.fig3_problem's theta_law and alignment): the
closed-form risks, which work atom by atom on the empirical law of (Sigma_ii, theta*_i), agree with
simulation for every law of theta* and for inverted alignment, and the families do change the
answers (so the agreement is not that of one problem seen several times). Also the problem.csv that
every linear chapter writes (overparam.reports.problem): it gives each chapter's problem back, Sigma
included where the features are correlated (chapters 4 and 12)."""
import numpy as np
import pandas as pd
import pytest

from overparam.book.stats import mean_ci
from overparam.book.verdicts import agreement
from overparam.experiments.correlated_refits import CorrelatedFeatures
from overparam.experiments.distributional_characterization import two_level_problem
from overparam.reports.problem import block_covariance, block_problem_table, correlated_features_table, problem_table
from overparam.theory.classification import bilevel_problem
from overparam.theory.problems import (ALIGNMENTS, THETA_LAWS, LinearGaussianProblem, fig3_problem, power_law_problem,
                                       rotated_problem, theta_from_law)
from overparam.theory.pruning import train_prune, train_prune_retrain
from overparam.theory.risk import FitLaw, dense_risk
from overparam.theory.solvers import min_norm_least_squares

P, N, S, SPIKE, SIGMA, TRIALS = 200, 80, 20, 10.0, 0.5, 120
# The finite-p error of the DC risks at p = 200 is about 1% (chapter 1); 3% leaves room for it and
# for the Monte-Carlo interval, declared before the runs below.
TOLERANCE = 0.03


def simulated_risks(problem, seed: int) -> dict[str, np.ndarray]:
    """Dense min-norm fit, its magnitude- and Hessian-pruned versions, and Hessian + retraining on a
    fresh sample, over TRIALS independent data sets."""
    rng = np.random.default_rng(seed)
    risks = {"dense": [], "magnitude": [], "hessian": [], "hessian+retrain": []}
    for _ in range(TRIALS):
        X, y = problem.sample(N, rng)
        risks["dense"].append(problem.risk(min_norm_least_squares(X, y)))
        for rule in ("magnitude", "hessian"):
            risks[rule].append(problem.risk(train_prune(X, y, S, rule)))
        X_fresh, y_fresh = problem.sample(N, rng)
        risks["hessian+retrain"].append(problem.risk(train_prune_retrain(X, y, S, "hessian", (X_fresh, y_fresh))))
    return {name: np.array(values) for name, values in risks.items()}


def predicted_risks(problem) -> dict[str, float]:
    law = FitLaw(problem, N)
    return {"dense": dense_risk(problem, N), "magnitude": law.pruned(S, "magnitude"),
            "hessian": law.pruned(S, "hessian"), "hessian+retrain": law.retrained(S, "hessian")}


def family_verdict(theta_law: str, alignment):
    """Theory against simulation at the four risks of one family member (seeded); ``alignment`` a
    name or a rotation t in [0, 1] (:func:`overparam.theory.problems.rotated_problem`)."""
    problem = rotated_problem(P, S, SPIKE, SIGMA, theta_law, alignment, seed=4)
    simulated, predicted = simulated_risks(problem, seed=5), predicted_risks(problem)
    names = list(predicted)
    intervals = np.array([mean_ci(simulated[name]) for name in names])
    return agreement([predicted[name] for name in names], intervals[:, 0], intervals[:, 1], intervals[:, 2],
                     tolerance=TOLERANCE)


@pytest.mark.parametrize("theta_law, alignment", [("random-sign", "aligned"), ("gaussian", "inverted"),
                                                  ("constant", "inverted")])
def test_theory_agrees_with_simulation_in_each_family(theta_law, alignment):
    verdict = family_verdict(theta_law, alignment)
    assert verdict.status == "reproduced", verdict.measured


@pytest.mark.parametrize("theta_law, rotation", [("constant", 0.3), ("gaussian", 0.7)])
def test_theory_agrees_with_simulation_between_the_alignments(theta_law, rotation):
    """The continuous rotation between aligned (t = 0) and inverted (t = 1) saliency is a diagonal
    problem like the others: the closed forms match simulation inside the interval too."""
    verdict = family_verdict(theta_law, rotation)
    assert verdict.status == "reproduced", verdict.measured


def test_a_sparse_theta_is_predicted_less_closely_at_this_size():
    """With 10% of theta* non-zero (20 coordinates carry the signal), retraining's prediction is the
    least close: 2.6% below the simulated mean, whose bar reaches 5.2%, so that point is
    inconclusive at 3%; no point disagrees."""
    verdict = family_verdict("sparse", "aligned")
    assert verdict.status in ("reproduced", "partly"), verdict.measured
    assert "0 disagree" in verdict.measured


def test_the_families_change_the_risks():
    """Random signs change no risk (for a diagonal Sigma they enter only through theta*_i^2 and the
    symmetric DC law); a Gaussian theta* makes magnitude pruning much better; inverted alignment
    doubles the dense risk; a sparse theta* makes magnitude pruning better than Hessian pruning,
    the opposite of the paper's problem."""
    risks = {(law, alignment): predicted_risks(fig3_problem("b", P, S, SPIKE, SIGMA, law, alignment, seed=4))
             for law in THETA_LAWS for alignment in ALIGNMENTS}
    constant = risks[("constant", "aligned")]
    assert risks[("random-sign", "aligned")] == pytest.approx(constant, rel=1e-9)
    assert risks[("gaussian", "aligned")]["magnitude"] < 0.9 * constant["magnitude"]
    assert risks[("constant", "inverted")]["dense"] > 1.5 * constant["dense"]
    assert constant["hessian"] < constant["magnitude"]
    assert risks[("sparse", "aligned")]["magnitude"] < risks[("sparse", "aligned")]["hessian"]


def test_the_default_is_the_papers_problem_and_draws_nothing():
    problem = fig3_problem("b", 50, 5, 4.0, 1.0)
    assert np.array_equal(problem.theta_star, np.full(50, 1 / np.sqrt(50)))
    assert np.array_equal(problem.cov, np.r_[np.full(5, 4.0), np.ones(45)])


def test_each_law_keeps_the_mean_square_of_theta():
    magnitude = np.linspace(0.5, 2.0, 20_000)
    for law in THETA_LAWS:
        theta = theta_from_law(magnitude, law, np.random.default_rng(0), fraction=0.2)
        assert np.mean(theta**2) == pytest.approx(np.mean(magnitude**2), rel=0.03), law
    assert np.array_equal(np.abs(theta_from_law(magnitude, "random-sign", np.random.default_rng(1))), magnitude)


@pytest.mark.parametrize("arguments, message", [(dict(theta_law="laplace"), "theta_law"),
                                                (dict(alignment="sideways"), "alignment"),
                                                (dict(panel="a", alignment="inverted"), "panel 'b'"),
                                                (dict(theta_law="sparse", fraction=0.0), "fraction")])
def test_bad_family_parameters_are_refused(arguments, message):
    values = dict(panel="b", p=50, s=5, spike=4.0, sigma=1.0) | arguments
    with pytest.raises(ValueError, match=message):
        fig3_problem(**values)


def test_problem_table_holds_the_diagonal_and_theta_of_each_chapter_problem():
    """problem.csv of the chapters built on diagonal problems (1, 2, 3, 5, 10, 11, 13): one row per
    feature, read back into the same problem."""
    problems = {"fig3-b": fig3_problem("b", 50, 5, 10.0, 0.5, "gaussian", "inverted", seed=2),
                "two-level": two_level_problem(40, 10.0, 0.5), "power-law": power_law_problem(30, 1.0, 0.5, seed=1),
                "bilevel": bilevel_problem(60, 3, 20.0, 0.5)}
    for name, problem in problems.items():
        rows = problem_table(problem, panel=name)
        assert list(rows.columns) == ["panel", "feature", "variance", "theta_star"]
        np.testing.assert_array_equal(rows.feature, np.arange(problem.p))
        back = LinearGaussianProblem(rows.theta_star.to_numpy(), rows.variance.to_numpy(), problem.sigma)
        assert back.risk(np.zeros(problem.p)) == pytest.approx(problem.risk(np.zeros(problem.p)), rel=1e-12)


def test_a_correlated_sigma_is_refused_by_the_diagonal_table():
    with pytest.raises(ValueError, match="not diagonal"):
        problem_table(CorrelatedFeatures(40, 4, 10.0, 0.5, 0.3).problem)


@pytest.mark.parametrize("group, law", [(None, "constant"), (4, "constant"), (None, "random-sign")])
def test_chapter_12_table_gives_sigma_back_at_every_rho(group, law):
    """One table per family, whatever rho: Sigma(rho) read back from it is the features' Sigma at
    each rho of a sweep, and the table refuses a rho that is not the one its check is run at."""
    tables = {rho: correlated_features_table(CorrelatedFeatures(40, 4, 10.0, 0.5, rho, group, law, theta_seed=3))
              for rho in (0.0, 0.1, 0.6)}
    first = tables[0.0]
    assert list(first.columns) == ["feature", "variance", "theta_star", "block"]
    for rho, rows in tables.items():
        pd.testing.assert_frame_equal(rows, first)
        expected = CorrelatedFeatures(40, 4, 10.0, 0.5, rho, group, law, theta_seed=3).problem.cov_matrix
        np.testing.assert_allclose(block_covariance(rows, rho), expected, atol=1e-12)
    with pytest.raises(ValueError, match="block-equicorrelated"):
        block_problem_table(CorrelatedFeatures(40, 4, 10.0, 0.5, 0.3, group).problem, first.block, 0.2)


def test_chapter_4_rank_one_problem_is_one_block_at_correlation_one():
    zeta = np.arange(1, 11, dtype=float) ** -0.5
    problem = LinearGaussianProblem(np.full(10, 1 / np.sqrt(10)), np.outer(zeta, zeta), 1.0)
    rows = block_problem_table(problem, 0, 1.0)
    np.testing.assert_allclose(rows.variance, zeta**2)
    assert (rows.block == 0).all()
    with pytest.raises(ValueError):
        block_problem_table(problem, np.arange(10), 1.0)  # ten blocks would say uncorrelated
