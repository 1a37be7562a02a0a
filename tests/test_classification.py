"""Classification of sign labels (chapter 13): the error formula, the labels' equivalent problem, the
least-squares prediction, gradient descent on the logistic loss and the max-margin classifier."""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from overparam.book.stats import mean_ci
from overparam.book.curves import style_of
from overparam.book import claim_table
from overparam.experiments import classification as cls
from overparam.reports import classification as report
from overparam.reports import classification_claims as claims_of
from overparam.theory import classifiers
from overparam.theory.classification import (bayes_error, bilevel_problem, classification_error, equivalent_label_problem,
                                             least_squares_error_prediction)
from overparam.theory.problems import LinearGaussianProblem, fig3_problem
from overparam.theory.solvers import min_norm_least_squares


def separable_sample(n, d, seed):
    problem = fig3_problem("a", d, 5, 10.0, 0.3)
    return cls.sign_labels(problem, n, np.random.default_rng(seed))


@pytest.mark.parametrize("panel", ["a", "b"])
def test_error_formula_matches_a_large_test_sample(panel):
    problem = fig3_problem(panel, 200, 20, 10.0, 0.5)
    rng = np.random.default_rng(0)
    X, y = cls.sign_labels(problem, 200_000, rng)
    for theta in [problem.theta_star, problem.theta_star + 0.1 * rng.standard_normal(200), rng.standard_normal(200),
                  -problem.theta_star]:
        empirical = np.mean(np.sign(X @ theta) != y)
        assert classification_error(theta, problem) == pytest.approx(empirical, abs=0.004)
    assert bayes_error(problem) == pytest.approx(float(classification_error(problem.theta_star, problem)))


def test_error_formula_edge_cases_and_bad_input():
    problem = fig3_problem("b", 50, 5, 10.0, 0.5)
    assert classification_error(np.zeros(50), problem) == 0.5
    # scale does not matter, only the direction; a stack of models gives one error each
    theta = np.random.default_rng(1).standard_normal(50)
    errors = classification_error(np.stack([theta, 7 * theta, -theta]), problem)
    assert errors[0] == pytest.approx(errors[1]) and errors[0] + errors[2] == pytest.approx(1.0)
    noiseless = LinearGaussianProblem(np.ones(3), np.ones(3), 0.0)
    assert classification_error(np.ones(3), noiseless) == pytest.approx(0.0, abs=1e-7)
    with pytest.raises(ValueError, match="coordinates"):
        classification_error(np.ones(49), problem)


def test_equivalent_problem_of_the_labels_has_the_sample_moments():
    problem = fig3_problem("b", 40, 4, 10.0, 0.5)
    X, y = cls.sign_labels(problem, 400_000, np.random.default_rng(2))
    labels = equivalent_label_problem(problem)
    np.testing.assert_allclose(X.T @ y / len(y), problem.cov * labels.theta_star, atol=0.01)
    assert np.mean((y - X @ labels.theta_star) ** 2) == pytest.approx(labels.sigma**2, abs=0.01)
    # the same direction as theta*, and the same error
    assert classification_error(labels.theta_star, problem) == pytest.approx(bayes_error(problem))


def test_least_squares_prediction_matches_simulation_on_prefix_models():
    problem, n, s = fig3_problem("b", 400, 40, 10.0, 0.5), 120, 40
    ks = [30, 80, 250, 400]
    predicted = least_squares_error_prediction(problem, n, s, ks, 200, np.random.default_rng(3))
    run = cls.simulate_panel(problem, n, s, ks, [80], 60, 3, seed=4, tolerance=1e-3, max_iterations=500, progress=False)
    for name, errors in predicted.items():
        mean, low, high = mean_ci(run.errors[f"ls/{name}"])
        theory = errors.mean(axis=0)
        ok = (np.abs(mean - theory) <= 0.03 * theory) | ((low <= theory) & (theory <= high))
        assert ok.all(), (name, mean, theory)
    # the prediction tells the rules apart as the simulation does: Hessian beats magnitude at k = p
    assert predicted["magnitude"][:, -1].mean() > predicted["hessian"][:, -1].mean() + 0.02


def test_least_squares_prediction_rejects_bad_input():
    problem = fig3_problem("a", 100, 10, 10.0, 0.5)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="infinite"):
        least_squares_error_prediction(problem, 50, 10, [20, 51], 10, rng)
    with pytest.raises(ValueError, match="draws"):
        least_squares_error_prediction(problem, 50, 10, [20], 0, rng)
    correlated = LinearGaussianProblem(np.ones(3), np.eye(3) + 0.1, 0.5)
    with pytest.raises(ValueError, match="diagonal"):
        least_squares_error_prediction(correlated, 50, 1, [2], 10, rng)
    with pytest.raises(ValueError, match="pruning rule"):
        least_squares_error_prediction(problem, 50, 10, [20], 10, rng, rules=("oracle",))


def test_hard_margin_svm_is_the_interpolator_when_every_point_is_a_support_vector():
    X, y = separable_sample(20, 400, 5)
    assert classifiers.min_norm_interpolator_is_max_margin(X, y)
    np.testing.assert_allclose(classifiers.hard_margin_svm(X, y), min_norm_least_squares(X, y), rtol=1e-4, atol=1e-6)


def test_hard_margin_svm_meets_the_optimality_conditions_and_refuses_overlapping_classes():
    X, y = separable_sample(60, 80, 6)
    assert not classifiers.min_norm_interpolator_is_max_margin(X, y)  # some points are not support vectors here
    w = classifiers.hard_margin_svm(X, y)
    margins = y * (X @ w)
    assert margins.min() == pytest.approx(1.0, abs=1e-4) and (margins > 1.01).any()
    # w lies in the cone of the active points y_i x_i (nonnegative weights)
    active = margins < 1 + 1e-4
    weights, residual = np.linalg.lstsq((X * y[:, None])[active].T, w, rcond=None)[:2]
    assert np.allclose((X * y[:, None])[active].T @ weights, w, atol=1e-4 * np.linalg.norm(w))
    assert weights.min() > -1e-6 * weights.max()
    x = np.random.default_rng(7).standard_normal((30, 2))
    with pytest.raises(ValueError, match="not linearly separable"):
        classifiers.hard_margin_svm(x, np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0))  # XOR labels in the plane


def test_logistic_descent_direction_tends_to_the_svm_on_a_separable_problem():
    X, y = separable_sample(30, 60, 8)
    svm = classifiers.hard_margin_svm(X, y)
    cosines = []
    for cap in [100, 3000, 100_000]:
        result = classifiers.logistic_descent(X[None], y[None], tolerance=1e-12, max_iterations=cap)
        assert not result.converged[0] and result.iterations[0] == cap and result.classifies_all[0]
        theta = result.theta[0]
        cosines.append(theta @ svm / np.linalg.norm(theta) / np.linalg.norm(svm))
    assert cosines[0] < cosines[1] < cosines[2] and cosines[2] > 0.99


def test_logistic_descent_converges_to_the_minimiser_without_separation_and_batches_exactly():
    problem = fig3_problem("a", 5, 2, 10.0, 1.0)
    rng = np.random.default_rng(9)
    samples = [cls.sign_labels(problem, 200, rng) for _ in range(3)]
    X, y = np.stack([x for x, _ in samples]), np.stack([labels for _, labels in samples])
    result = classifiers.logistic_descent(X, y, tolerance=1e-8, max_iterations=100_000)
    assert result.converged.all() and not result.classifies_all.any()
    for b in range(3):
        margins = y[b] * (X[b] @ result.theta[b])
        gradient = -(X[b] * (y[b] / (1 + np.exp(margins)))[:, None]).mean(axis=0)
        assert np.linalg.norm(gradient) < 1e-6
        alone = classifiers.logistic_descent(X[b:b + 1], y[b:b + 1], tolerance=1e-8, max_iterations=100_000)
        np.testing.assert_allclose(alone.theta[0], result.theta[b], rtol=1e-9, atol=1e-12)
        assert alone.iterations[0] == result.iterations[b]


def test_logistic_descent_factored_and_chunked_paths_agree(monkeypatch):
    """With d < n the descent applies K = X X^T as X (X^T h), and it runs the batch in chunks: neither
    changes the fit beyond round-off, nor the step at which a problem stops."""
    problem = fig3_problem("b", 40, 10, 10.0, 0.5)
    rng = np.random.default_rng(3)
    samples = [cls.sign_labels(problem, 100, rng) for _ in range(5)]
    X, y = np.stack([x for x, _ in samples]), np.stack([labels for _, labels in samples])
    result = classifiers.logistic_descent(X, y, tolerance=1e-6, max_iterations=5000)  # 2 d = 80 < n = 100: factored
    alpha, scores, iterations, converged = classifiers._descend(X, y, 1e-6, 5000, factored=False)
    np.testing.assert_allclose(result.theta, np.einsum("bnd,bn->bd", X, alpha), rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(result.iterations, iterations)
    monkeypatch.setattr(classifiers, "CACHE_BYTES", 1)  # one problem per chunk
    chunked = classifiers.logistic_descent(X, y, tolerance=1e-6, max_iterations=5000)
    np.testing.assert_allclose(chunked.theta, result.theta, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(chunked.iterations, result.iterations)


def test_logistic_descent_continues_exactly_from_an_earlier_stop():
    """A run from zero to a small tolerance passes through the stop at a larger one: continuing from that
    stop gives the same iterate, step count and convergence, bit for bit."""
    problem = fig3_problem("b", 80, 10, 10.0, 0.5)
    rng = np.random.default_rng(5)
    samples = [cls.sign_labels(problem, 60, rng) for _ in range(4)]  # separable and not, near the threshold
    X, y = np.stack([x for x, _ in samples]), np.stack([labels for _, labels in samples])
    short = classifiers.logistic_descent(X, y, tolerance=1e-2, max_iterations=300)
    long = classifiers.logistic_descent(X, y, tolerance=1e-5, max_iterations=4000)
    continued = classifiers.logistic_descent(X, y, tolerance=1e-5, max_iterations=4000, start=short)
    np.testing.assert_array_equal(continued.theta, long.theta)
    np.testing.assert_array_equal(continued.iterations, long.iterations)
    np.testing.assert_array_equal(continued.converged, long.converged)
    assert (short.iterations < long.iterations).any()


def test_square_interpolator_certifies_what_the_linear_program_finds():
    problem = fig3_problem("b", 120, 10, 10.0, 0.5)
    for seed in range(3):
        X, y = cls.sign_labels(problem, 40, np.random.default_rng(seed))
        assert classifiers.interpolator_separates(X[:, :40], y) and classifiers.linearly_separable(X[:, :40], y)
        assert not classifiers.interpolator_separates(X[:, :39], y)  # not square: no certificate
    assert not classifiers.interpolator_separates(np.ones((3, 3)), np.array([1.0, -1.0, 1.0]))  # singular


def test_logistic_descent_rejects_bad_input():
    X, y = separable_sample(10, 20, 0)
    with pytest.raises(ValueError, match="batch"):
        classifiers.logistic_descent(X, y)
    with pytest.raises(ValueError, match="labels"):
        classifiers.logistic_descent(X[None], (y > 0)[None].astype(float))
    with pytest.raises(ValueError, match="tolerance"):
        classifiers.logistic_descent(X[None], y[None], tolerance=0.0)


def test_panel_simulation_is_seeded_tidy_and_registered():
    problem, n, s = fig3_problem("b", 120, 10, 10.0, 0.5), 40, 10
    args = (problem, n, s, [5, 10, 30, 80, 120], [10, 30, 120], 4, 3, 11, 1e-3, 2000)
    run, again = cls.simulate_panel(*args, progress=False), cls.simulate_panel(*args, progress=False)
    for curve, errors in run.errors.items():
        np.testing.assert_array_equal(errors, again.errors[curve])
        style_of(curve.removesuffix("-same-sample"))
    assert run.errors["logistic/dense"].shape == (3, 3) and run.errors["ls/dense"].shape == (4, 5)
    # with k <= s nothing is pruned
    np.testing.assert_array_equal(run.errors["ls/magnitude"][:, :2], run.errors["ls/dense"][:, :2])
    theory = least_squares_error_prediction(problem, n, s, [5, 30, 120], 20, np.random.default_rng(0))
    table = report.tidy_panel("b", run, theory, [5, 30, 120])
    assert list(table.columns) == report.CURVE_COLUMNS and set(table.source) == {"theory", "simulation"}
    sim = table[table.source == "simulation"]
    assert ((sim.ci_low <= sim.error) & (sim.error <= sim.ci_high)).all()
    assert ((table.error >= 0) & (table.error <= 1)).all()
    with pytest.raises(ValueError, match="logistic_trials"):
        cls.simulate_panel(problem, n, s, [30], [30], 3, 4, 0, 1e-3, 100, progress=False)


def test_claims_come_from_the_verdict_rules():
    problems = {"a": fig3_problem("a", 120, 10, 10.0, 0.5), "b": fig3_problem("b", 120, 10, 10.0, 0.5)}
    ks, fit_ks = [10, 20, 44, 80, 120], [10, 20, 44, 120]
    separation = {q: cls.separation_sizes(problem, 40, j, 4, 3, 120) for j, (q, problem) in enumerate(problems.items())}
    thresholds = {q: cls.half_separable_size(sizes) for q, sizes in separation.items()}
    assert all(10 < k < 120 and abs(k - 40) > 1 for k in thresholds.values())
    ks = sorted(set(ks) | set(thresholds.values()))
    fit_ks = sorted(set(fit_ks) | set(thresholds.values()))
    runs = {q: cls.simulate_panel(problem, 40, 10, ks, fit_ks, 4, 3, j, 1e-3, 2000, progress=False)
            for j, (q, problem) in enumerate(problems.items())}
    for q, run in runs.items():  # the sizes computed before the run are the run's own
        np.testing.assert_array_equal(run.separation_sizes, separation[q])
    theories = {q: least_squares_error_prediction(problem, 40, 10, ks, 20, np.random.default_rng(1))
                for q, problem in problems.items()}
    table = pd.concat([report.tidy_panel(q, runs[q], theories[q], ks) for q in runs])
    rows = claims_of.classification_claims(runs, theories, {q: np.array(ks) for q in runs}, table, {"a": 40, "b": 40},
                                     {"a": 10, "b": 10}, wide="none")
    assert rows and {row["origin"] for row in rows} == {"beyond"}
    assert {row["status"] for row in rows} <= {"reproduced", "partly", "not reproduced", "inconclusive"}
    assert any("Hessian pruning beats magnitude" in row["claim"] for row in rows)
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids) and "cls-peak-b-logistic-hessian" in ids and "cls-dc-largest-best-a" in ids
    by_id = {row["id"]: row for row in rows}
    # the logistic peak sits at the separability threshold, fixed before the errors are looked at
    assert f"peak at k = {thresholds['b']}, the separability threshold" in by_id["cls-peak-b-logistic-dense"]["claim"]
    assert by_id["cls-peak-smaller-b"]["rule"] == "comparison"
    assert by_id["cls-loss-large-k-a-dense"]["rule"] == "over range of equality"
    assert by_id["cls-loss-large-k-a-dense"]["tolerance"] == claim_table.tolerance("cls-loss-large-k")


def test_held_out_choice_uses_the_first_half_only():
    run = cls.PanelRun([10, 20, 30], [10, 20, 30])
    errors = np.array([[0.1, 0.3, 0.2], [0.1, 0.3, 0.2], [0.1, 0.2, 0.9], [0.1, 0.2, 0.9]])
    run.errors["logistic/hessian"] = errors
    assert claims_of.held_out_choice(run, "logistic/hessian", [20, 30], highest=True) == (20, 2)
    assert claims_of.held_out_choice(run, "logistic/hessian", [10, 20, 30], highest=False) == (10, 2)


def test_prediction_best_size_claim_has_a_band():
    """The prediction's best-size claim is theory only: inside the declared band of the distance from chance
    it is inconclusive, beyond it either way it decides."""
    band = claim_table.tolerance("cls-dc-largest-best")
    at_p = np.full(50, 0.30)  # distance from chance 0.2
    for shift, status in [(0.5 * band * 0.2, "inconclusive"), (2 * band * 0.2, "reproduced"),
                          (-2 * band * 0.2, "not reproduced")]:
        row = claims_of._dc_best_claim("b", None, [1, 2], 2, (1, at_p + shift, at_p))
        assert row["status"] == status and row["rule"] == "theory" and row["tolerance"] == band


def test_separation_lp_tells_separable_from_inseparable_samples():
    # two points on a line through the origin with opposite labels on the same side: not separable
    X = np.array([[1.0], [2.0]])
    assert not classifiers.linearly_separable(X, np.array([1.0, -1.0]))
    assert classifiers.linearly_separable(X, np.array([1.0, 1.0]))
    assert classifiers.separation_margin(X, np.array([1.0, 1.0])) == pytest.approx(1.0)
    # XOR in the plane is not separable; adding the product feature separates it
    x = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    assert not classifiers.linearly_separable(x, y)
    with_product = np.hstack([x, (x[:, 0] * x[:, 1])[:, None]])
    assert classifiers.linearly_separable(with_product, y)
    assert classifiers.separation_size(with_product, y) == 3 and classifiers.separation_size(x, y) == 3  # d + 1: never


def test_hard_margin_svm_right_at_the_separability_threshold():
    """Just past the threshold the margin is tiny and the SVM's norm huge: the solver still meets the
    optimality conditions (every margin at least one, w in the cone of the active points)."""
    problem = fig3_problem("b", 300, 30, 10.0, 0.5)
    for seed in range(3):
        X, y = cls.sign_labels(problem, 100, np.random.default_rng(seed))
        k = classifiers.separation_size(X, y)
        w = classifiers.hard_margin_svm(X[:, :k], y)
        Z = X[:, :k] * y[:, None]
        margins = Z @ w
        assert margins.min() == pytest.approx(1.0, abs=1e-6)
        active = margins < 1 + 1e-6
        weights = np.linalg.lstsq(Z[active].T, w, rcond=None)[0]
        assert np.allclose(Z[active].T @ weights, w, atol=1e-6 * np.linalg.norm(w)) and weights.min() > -1e-6 * weights.max()


def test_bilevel_problem_puts_the_signal_on_the_high_variance_features():
    problem = bilevel_problem(50, 5, 10.0, 0.5)
    assert problem.theta_star[5:].sum() == 0 and (problem.cov[:5] == 10).all() and (problem.cov[5:] == 1).all()
    assert problem.theta_star @ (problem.cov * problem.theta_star) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        bilevel_problem(5, 5, 10.0, 0.5)


def test_separation_size_is_the_first_separable_prefix():
    X, y = separable_sample(40, 60, 12)
    k = classifiers.separation_size(X, y)
    assert 1 <= k <= 40
    assert classifiers.linearly_separable(X[:, :k], y) and not classifiers.linearly_separable(X[:, :k - 1], y)
    # a separable sample is separated by the SVM, whose margins are all at least one
    assert (y * (X[:, :k] @ classifiers.hard_margin_svm(X[:, :k], y)) >= 1 - 1e-4).all()
    # random labels on isotropic features: Cover's threshold k = n/2, up to fluctuations
    rng = np.random.default_rng(13)
    sizes = [classifiers.separation_size(rng.standard_normal((60, 80)), rng.choice([-1.0, 1.0], 60)) for _ in range(8)]
    assert 20 <= np.median(sizes) <= 40


def test_panel_records_separation_sizes_and_svm_cosines():
    problem, n, s = fig3_problem("b", 150, 10, 10.0, 0.5), 30, 10
    run = cls.simulate_panel(problem, n, s, [10, 20, 60, 150], [10, 20, 60, 150], 4, 3, 5, 1e-3, 2000, progress=False,
                             refits=False, svm=True)
    assert run.separation_sizes.shape == (3,) and (run.separation_sizes <= n).all()
    assert run.separable.shape == (3, 4) and run.separable[:, -1].all() and not run.separable[:, 0].any()
    # the iterate can only separate a separable sample
    assert not (run.classifies_all & ~run.separable).any()
    # the SVM is fit exactly where the linear program finds the sample separable
    np.testing.assert_array_equal(np.isnan(run.svm_cosine), ~run.separable)
    np.testing.assert_array_equal(np.isnan(run.errors["svm/dense"]), ~run.separable)
    assert (run.svm_cosine[:, -1] > 0.9).all()
    gaps = report.svm_gap_summary({"b": run})
    assert (gaps["largest |gap|"] >= gaps["mean gap"].abs() - 1e-12).all() and (gaps["separable draws"] >= 1).all()
    k = report.separation_threshold(run)
    assert (run.separation_sizes <= k).mean() >= 0.5 and (run.separation_sizes < k).mean() < 0.5


def test_peaks_stability_agreement_and_dc_check():
    problem, n, s = fig3_problem("b", 120, 10, 10.0, 0.5), 40, 10
    ks = [5, 10, 20, 44, 80, 120]
    threshold = cls.half_separable_size(cls.separation_sizes(problem, n, 3, 4, 3, 120))
    run = cls.simulate_panel(problem, n, s, ks, sorted({10, 20, 44, 120, threshold}), 4, 3, 3, 1e-3, 2000, progress=False)
    peaks = report.peak_sizes({"b": run}, {"b": s}, {"b": n}).set_index("curve")
    assert (peaks["peak k"] > s).all() and (peaks["peak k"] < 120).all()
    # the peaks sit where they were fixed in advance: near n for least squares, the threshold for logistic
    assert peaks.loc["ls/dense", "peak k"] == 44 and peaks.loc["logistic/hessian", "peak k"] == threshold
    row = peaks.loc["logistic/hessian"]
    assert row["error there"] == pytest.approx(run.draws("logistic/hessian", threshold).mean())
    # the run returns the training samples it drew: those the stream gives (nothing to replay)
    np.testing.assert_array_equal(run.training[0], np.stack([X for X, _ in cls.training_samples(problem, n, 3, 4, 3)]))
    stability = cls.descent_stability(problem, s, [20, 120], run.training, 3, [(1e-3, 2000), (1e-4, 4000)])
    assert len(stability) == 4  # the SVM (and its cosine) exactly on the draws the linear program finds separable
    np.testing.assert_array_equal(np.isnan(stability.iloc[0]["cosine with svm"]), ~run.separable[:, 1])
    summary = report.stability_summary(stability)
    first = stability.iloc[0]  # the chapter's descent on the same draws gives the same errors as the panel run
    np.testing.assert_allclose(first["dense"], run.draws("logistic/dense", 20), rtol=1e-10)
    assert (summary["largest change"] >= 0).all() and (summary["cosine with svm"].iloc[-1] > 0.9)
    predicted = least_squares_error_prediction(problem, n, s, ks, 20, np.random.default_rng(0), refits=False)
    assert set(predicted) == {"dense", "magnitude", "hessian", "random"}
    best_k, at_best, at_p = cls.dc_best_size_check(problem, n, s, predicted["hessian"], ks, 30, np.random.default_rng(1))
    assert best_k in ks and best_k != 120 and at_best.shape == at_p.shape == (30,)
    # agreement on the distance from chance: a wrong prediction fails where a plain relative gap would pass
    verdict = claims_of.advantage_agreement([0.45], [0.47], [0.465], [0.475], tolerance=0.1)
    assert verdict.status == "not reproduced"
    assert claims_of.advantage_agreement([0.45], [0.452], [0.451], [0.453], tolerance=0.1).status == "reproduced"
    # bars wider than the tolerance band: an equivalence that the draws cannot decide
    assert claims_of.advantage_agreement([0.45], [0.452], [0.44], [0.46], tolerance=0.1).status == "inconclusive"
    points = pd.DataFrame({"error_theory": [0.45] * 3, "error": [0.47, 0.452, 0.452], "ci_low": [0.465, 0.451, 0.44],
                           "ci_high": [0.475, 0.453, 0.46]})
    assert list(claims_of.advantage_states(points, 0.1)) == ["not reproduced", "reproduced", "inconclusive"]


def test_quoted_numbers_give_every_number_the_page_quotes():
    """The report's quoted numbers on a tiny three-panel run: every key the chapter's prose quotes,
    as plain Python numbers; and the answers' claims counted by status."""
    n_of, s_of = {"a": 40, "b": 40, "c": 20}, {"a": 10, "b": 10, "c": 5}
    problems = {"a": fig3_problem("a", 120, 10, 10.0, 0.5), "b": fig3_problem("b", 120, 10, 10.0, 0.5),
                "c": fig3_problem("b", 120, 5, 10.0, 0.5)}
    ks = {"a": [8, 10, 20, 60, 80, 120], "b": [8, 10, 20, 60, 80, 120], "c": [5, 10, 40, 80, 120]}
    fit_ks = {"a": [8, 10, 20, 60, 120], "b": [8, 10, 20, 60, 120], "c": [5, 40, 120]}
    for j, q in enumerate(problems):  # the separability threshold joins the logistic sizes, as in the chapter
        fit_ks[q] = sorted(set(fit_ks[q]) | {cls.half_separable_size(cls.separation_sizes(problems[q], n_of[q], j, 4, 3,
                                                                                           120))})
        ks[q] = sorted(set(ks[q]) | set(fit_ks[q]))
    runs = {q: cls.simulate_panel(problems[q], 40, 10, ks[q], fit_ks[q], 4, 3, j, 1e-3, 2000, progress=False)
            for j, q in enumerate("ab")}
    runs["c"] = cls.simulate_panel(problems["c"], 20, 5, ks["c"], fit_ks["c"], 4, 3, 2, 1e-3, 2000, progress=False,
                                   rules=("magnitude", "hessian"), refits=False, svm=True)
    theories = {q: least_squares_error_prediction(problems[q], n_of[q], s_of[q], ks[q], 20, np.random.default_rng(j),
                                                  rules=("magnitude", "hessian") if q == "c" else cls.PRUNING_RULES,
                                                  refits=q != "c") for j, q in enumerate(problems)}
    table = pd.concat([report.tidy_panel(q, runs[q], theories[q], ks[q]) for q in runs], ignore_index=True)
    stability = report.stability_summary(cls.descent_stability(problems["b"], 10, [16, 120], runs["b"].training, 3,
                                                               [(1e-3, 2000), (1e-4, 4000)]))
    params = {"p": 120, "n": 40, "s": 10, "trials": 4, "logistic_trials": 3, "tolerance": 1e-3, "max_iterations": 2000,
              "check_draws": 3, "check_tolerance": 1e-4, "check_iterations": 4000, "dc_check_draws": 30,
              "wide_n": 20, "wide_p": 120, "wide_s": 5, "wide_ratio": 10.0}
    numbers = report.quoted_numbers(params, runs, table, stability, n_of, s_of, [8, 20, 60], [16, 120], 0.75, 0.2)
    page = (Path(__file__).parents[1] / "notebooks" / "13-classification.md").read_text()
    quoted = set(re.findall(r"\{glue:text\}`([\w-]+)", page))
    assert quoted and quoted <= set(numbers), quoted - set(numbers)
    assert all(isinstance(value, (int, float)) or value is None for value in numbers.values())
    assert numbers["cls-check-steps-factor"] == 2 and numbers["cls-check-tol-factor"] == 10
    assert 0 <= numbers["cls-agree-a"] <= 1 and numbers["cls-agree-points"] > 0
    rows = claims_of.classification_claims(runs, theories, ks, table, n_of, s_of, wide="c", spiked=("b", "c"))
    counts = claims_of.answer_counts(pd.DataFrame(rows))
    assert set(counts) == {"1", "2", "3", "4"} and all(sum(c.values()) > 0 for c in counts.values())


def test_logistic_hessian_diagonal_is_the_loss_curvature():
    rng = np.random.default_rng(21)
    X, y, theta = rng.standard_normal((30, 4)), rng.choice([-1.0, 1.0], 30), rng.standard_normal(4)

    def loss(t):
        return np.mean(np.logaddexp(0, -y * (X @ t)))
    step, second = 1e-4, []
    for j in range(4):
        e = np.zeros(4)
        e[j] = step
        second.append((loss(theta + e) - 2 * loss(theta) + loss(theta - e)) / step**2)
    np.testing.assert_allclose(classifiers.logistic_hessian_diagonal(X, theta), second, rtol=1e-4)
