"""The problem families (overparam.theory.problems.fig3_problem's theta_law and alignment): the
closed-form risks, which work atom by atom on the empirical law of (Sigma_ii, theta*_i), agree with
simulation for every law of theta* and for inverted alignment, and the families do change the
answers (so the agreement is not that of one problem seen several times)."""
import numpy as np
import pytest

from overparam.book.stats import mean_ci
from overparam.book.verdicts import agreement
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS, fig3_problem, theta_from_law
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


def family_verdict(theta_law: str, alignment: str):
    """Theory against simulation at the four risks of one family member (seeded)."""
    problem = fig3_problem("b", P, S, SPIKE, SIGMA, theta_law, alignment, seed=4)
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
