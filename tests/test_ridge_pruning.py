"""The ridge-then-prune experiment (overparam.experiments.ridge_pruning) and its report
(overparam.reports.ridge_pruning): the tuning finds the minimum of the predicted risk, the theory table
has every curve and tuning, the simulation is evaluated at the theory's mu and agrees with it, each
retrained point refits on a fresh sample of its own, cross-validation picks a grid mu, and the claims
and quoted numbers follow the inputs."""
import numpy as np
import pandas as pd
import pytest

from sklearn.linear_model import Lasso

from overparam.experiments.ridge_pruning import (LASSO, PIPELINES, cv_mus, gram_ridge_path, interior_maxima, lasso_fits,
                                                 pipeline_risk, refit_on_fresh, simulate, simulated_mus, simulation_table,
                                                 theory_table, tune_mu)
from overparam.reports.ridge_lasso import best_regularizer, lasso_claims, pipelines_at_p, regularizer_numbers
from overparam.reports.ridge_pruning import (agreement_counts, agreement_points, best_size_lines, cv_table, dense_mu_cost,
                                             gains, mu_ratios, quoted_numbers, ridge_claims, risks_at_p)
from overparam.theory.lasso import lasso_support_size
from overparam.theory.problems import fig3_problem
from overparam.theory.ridge import ridge_path

P, N, S = 240, 80, 24
PROBLEM = fig3_problem("b", P, S, 10.0, 0.5)


@pytest.mark.parametrize("curve", ["dense", "magnitude", "hessian"])
def test_tuned_mu_is_the_minimum_over_a_fine_grid(curve):
    mu, risk = tune_mu(PROBLEM, N, S, curve)
    grid = np.geomspace(1e-4, 1e2, 400)
    on_grid = [pipeline_risk(PROBLEM, N, S, curve, m) for m in grid]
    assert risk <= min(on_grid) * (1 + 1e-4)
    assert risk == pytest.approx(pipeline_risk(PROBLEM, N, S, curve, mu))


def test_theory_table_has_every_curve_tuning_and_penalty():
    table = theory_table(PROBLEM, N, S, [S, 150, P], penalties=("identity", "covariance"))
    plain = table[table.penalty == "identity"]
    assert set(plain.tuning) == {"none", "dense-optimal", "prune-optimal"}
    assert set(table[table.penalty == "covariance"].tuning) == {"prune-optimal"}
    assert set(table.curve) == {"dense", *PIPELINES}
    assert (plain[plain.tuning == "none"].mu == 0).all()
    # tuning for a pipeline can only lower its risk
    for curve in PIPELINES:
        pivot = plain[plain.curve == curve].pivot(index="k", columns="tuning", values="risk")
        assert (pivot["prune-optimal"] <= pivot["dense-optimal"] * (1 + 1e-6)).all()
    assert (mu_ratios(table, S).index > S).all()


def test_simulation_at_the_theory_mu_agrees_with_it():
    ks = [150, P]
    theory = theory_table(PROBLEM, N, S, ks)
    simulated = simulate(PROBLEM, N, S, simulated_mus(theory, ks), [0.1, 1.0], trials=40, seed=2, progress=False,
                         cv_k=P, folds=4)
    simulation = simulation_table(theory, simulated)
    assert len(simulation) == len(theory)
    points = agreement_points(PROBLEM, N, S, simulation)
    assert points.gap.max() < 0.06, points.sort_values("gap").tail(3).to_string()
    assert points.covered.mean() >= 0.8
    assert sum(agreement_counts(points)[state] for state in ["agree", "disagree", "inconclusive"]) == len(points)
    assert set(simulated[("cv-mu", "hessian", P)]) <= {0.1, 1.0}
    assert np.isfinite(simulated[("cv", "hessian+retrain", P)]).all()


def test_simulated_mus_lists_the_retrained_pipelines_at_their_own_mus():
    theory = theory_table(PROBLEM, N, S, [P])
    needed = simulated_mus(theory, [P])[(P, "identity")]
    assert 0.0 in needed and needed[0.0] == {"magnitude+retrain", "hessian+retrain"}
    tuned = theory[(theory.curve == "hessian+retrain") & (theory.tuning == "prune-optimal")].mu.iloc[0]
    assert "hessian+retrain" in needed[float(tuned)]


def test_gram_path_equals_the_svd_path():
    rng = np.random.default_rng(0)
    for k in [30, 200]:
        X, y = PROBLEM.prefix(k).sample(N, rng)
        omega = rng.uniform(0.5, 2.0, k)
        np.testing.assert_allclose(gram_ridge_path(X, y, [0.0, 0.1, 10.0], omega), ridge_path(X, y, [0.0, 0.1, 10.0], omega),
                                   rtol=1e-8, atol=1e-10)


def test_refit_on_fresh_has_the_law_of_a_refit_on_a_full_sample():
    """The refit on the kept columns alone, with the other features folded into the noise, has the
    risk of a least-squares refit on a full fresh sample (Monte-Carlo means within 3 standard errors),
    and two calls draw different samples."""
    support = np.arange(0, P, 10)[:S]
    rng = np.random.default_rng(3)
    cheap = [PROBLEM.risk(refit_on_fresh(PROBLEM, N, support, rng)) for _ in range(300)]
    full = []
    for _ in range(300):
        X, y = PROBLEM.sample(N, rng)
        theta = np.zeros(P)
        theta[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
        full.append(PROBLEM.risk(theta))
    se = np.sqrt(np.var(cheap) / 300 + np.var(full) / 300)
    assert abs(np.mean(cheap) - np.mean(full)) < 3 * se
    assert not np.allclose(refit_on_fresh(PROBLEM, N, support, rng), refit_on_fresh(PROBLEM, N, support, rng))


def test_cross_validation_picks_the_grid_mu_with_the_lowest_held_out_error():
    X, y = PROBLEM.sample(N, np.random.default_rng(4))
    chosen = cv_mus(X, y, S, ["hessian", "magnitude+retrain"], [1e-3, 1.0, 1e6], folds=4)
    assert set(chosen) == {"hessian", "magnitude+retrain"}
    # an absurd mu shrinks the pruned fit to nothing: cross-validation never picks it without retraining
    assert chosen["hessian"] in {1e-3, 1.0}


def _ridge_claims_inputs(peak: float, gain_tuned: float, gain_untuned: float, cv_excess: float):
    """Synthetic inputs of ridge_claims: n = 20, s = 10, p = 50, risks 1.0 at k = 10 (every curve);
    the tuned pruned risk at k = 21 is ``peak`` times that at k = 26; at k = p the tuned Hessian risk
    is 1 - ``gain_tuned``, the min-norm one 1 - ``gain_untuned``; the cross-validated mu's risk is
    ``cv_excess`` above the oracle's."""
    n, s, p, ks, trials = 20, 10, 50, [10, 21, 26, 50], 8
    spread = np.linspace(-0.002, 0.002, trials)
    rows, simulated = [], {}
    for k in ks:
        for curve in ["dense", *PIPELINES]:
            for tuning, mu in [("none", 0.0), ("dense-optimal", 1.0), ("prune-optimal", 2.0)]:
                risk = {10: 1.0, 21: peak, 26: 1.0, 50: 1.0 - (gain_tuned if tuning != "none" else gain_untuned)}[k]
                rows.append((curve, k, mu, "identity", tuning, risk * (1.1 if tuning == "dense-optimal" else 1.0)))
                simulated[(curve, k, mu, "identity")] = rows[-1][-1] + spread
            for penalty in ["inverse-covariance", "covariance"]:
                rows.append((curve, k, 3.0, penalty, "prune-optimal", 1.2))
                simulated[(curve, k, 3.0, penalty)] = 1.2 + spread
    for curve in ["hessian", "hessian+retrain"]:
        simulated[("cv", curve, p)] = (1.0 - gain_tuned) * (1 + cv_excess) + spread
        simulated[("cv-mu", curve, p)] = np.full(trials, 1.0)
    theory = pd.DataFrame(rows, columns=["curve", "k", "mu", "penalty", "tuning", "risk"])
    points = pd.DataFrame({"risk_theory": [1.0, 2.0], "risk": [1.001, 2.002], "ci_low": [0.995, 1.99],
                           "ci_high": [1.007, 2.01], "penalty": "identity"})
    return theory, simulated, n, s, p, ks, points


@pytest.mark.parametrize("peak, gain_tuned, gain_untuned, cv_excess, expected", [
    (1.0, 0.01, 0.13, 0.01, dict(peak="reproduced", small="reproduced", overstates="reproduced", cv="reproduced")),
    (1.2, 0.10, 0.05, 0.10, dict(peak="not reproduced", small="not reproduced", overstates="not reproduced",
                                 cv="not reproduced"))])
def test_ridge_claims_ids_rules_and_outcomes(peak, gain_tuned, gain_untuned, cv_excess, expected):
    claims = {row["id"]: row for row in ridge_claims(*_ridge_claims_inputs(peak, gain_tuned, gain_untuned, cv_excess))}
    assert set(claims) == {"ridge-dc-agreement", "ridge-tuned-gain-small", "ridge-untuned-overstates-gain",
                           "ridge-no-peak-magnitude", "ridge-no-peak-hessian", "ridge-cv-near-oracle"}
    assert claims["ridge-dc-agreement"]["status"] == "reproduced"
    assert "fresh sample of its own" in claims["ridge-dc-agreement"]["claim"]
    assert claims["ridge-no-peak-magnitude"]["rule"] == "non-inferiority"
    assert claims["ridge-no-peak-magnitude"]["status"] == expected["peak"]
    assert claims["ridge-tuned-gain-small"]["rule"] == "equality"
    assert claims["ridge-tuned-gain-small"]["status"] == expected["small"]
    assert claims["ridge-untuned-overstates-gain"]["status"] == expected["overstates"]
    assert claims["ridge-cv-near-oracle"]["status"] == expected["cv"]
    assert all(row["origin"] == "beyond" for row in claims.values())


def test_tables_and_quoted_numbers_of_the_tuned_risks():
    theory, simulated, n, s, p, ks, points = _ridge_claims_inputs(1.0, 0.1, 0.2, 0.02)
    assert best_size_lines(theory, s, p).splitlines() == ["magnitude: best k = 50, risk at k = s: 1.000, at k = p: 0.900",
                                                          "hessian: best k = 50, risk at k = s: 1.000, at k = p: 0.900"]
    assert risks_at_p(theory, p).loc["magnitude", "covariance"] == pytest.approx(1.2)
    assert gains(theory, s, p).loc["hessian", "none"] == pytest.approx(0.2)
    cost = dense_mu_cost(theory, simulated, p)
    assert cost.loc["hessian", "cost (theory)"] == pytest.approx(0.1)
    assert cost.loc["hessian", "mu dense / mu own"] == pytest.approx(0.5)
    assert cost.loc["magnitude", "cost (simulation)"] == pytest.approx(0.1)
    assert cv_table(theory, simulated, p).loc["hessian", "excess"] == pytest.approx(0.02)
    points = points.assign(gap=[0.001, 0.001], covered=[True, False], state=["reproduced", "inconclusive"])
    numbers = quoted_numbers(theory, simulated, points, n, s, p, ks)
    assert numbers["ridge-covered"] == 0.5 and numbers["ridge-best-k-hessian"] == 50
    assert numbers["ridge-agree"] == 1 and numbers["ridge-inconclusive"] == 1 and numbers["ridge-disagree"] == 0
    assert numbers["ridge-ratio-magnitude-min"] == pytest.approx(2.0)
    assert numbers["ridge-gain-tuned-hessian"] == pytest.approx(0.1)
    assert numbers["ridge-gain-tuned-sim"] == pytest.approx(0.1)
    assert numbers["ridge-gain-untuned-magnitude"] == pytest.approx(0.2)
    assert numbers["ridge-untuned-peak"] == pytest.approx(1.0)
    assert numbers["ridge-cost-hessian-retrain"] == pytest.approx(0.1)
    assert numbers["ridge-cv-excess"] == pytest.approx(0.02)
    assert numbers["ridge-inverse-magnitude"] == pytest.approx(1.2) and numbers["ridge-plain-magnitude"] == pytest.approx(0.9)


def test_lasso_fits_solve_the_books_lasso_as_scikit_learn_does():
    """lasso_fits(X, y, mus) minimizes (1/(2n))||y - X theta||^2 + mu ||theta||_1: it equals scikit-learn's
    Lasso(alpha=mu) fit by fit, in the order of ``mus``, and satisfies that objective's optimality
    conditions |X^T (y - X theta)| / n <= mu, with equality and the sign of theta on the support."""
    X, y = PROBLEM.sample(N, np.random.default_rng(5))
    mus = [0.05, 0.3, 0.1]
    fits = lasso_fits(X, y, mus)
    for mu, theta in zip(mus, fits):
        reference = Lasso(alpha=mu, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y).coef_
        np.testing.assert_allclose(theta, reference, atol=1e-4)
        correlation = X.T @ (y - X @ theta) / N
        assert np.all(np.abs(correlation) <= mu * (1 + 1e-3))
        support = theta != 0
        np.testing.assert_allclose(correlation[support], mu * np.sign(theta[support]), rtol=1e-3, atol=1e-5)
    assert np.count_nonzero(fits[1]) < np.count_nonzero(fits[2]) < np.count_nonzero(fits[0])


def test_lasso_rows_are_tuned_and_the_support_rule_keeps_s_in_expectation():
    table = theory_table(PROBLEM, N, S, [S, P], penalties=("identity", LASSO))
    lasso = table[table.penalty == LASSO]
    assert set(lasso.k) == {P}  # the Lasso's rows start above k = s
    assert set(lasso.curve) == {"dense", *PIPELINES, "support", "support+retrain"}
    support_mu = lasso[lasso.tuning == "support-size"].mu.unique()
    assert len(support_mu) == 1 and lasso_support_size(PROBLEM, N, support_mu[0]) == pytest.approx(S, rel=1e-4)
    for curve in ["dense", "hessian", "magnitude+retrain"]:
        row = lasso[(lasso.curve == curve) & (lasso.tuning != "support-size")].iloc[0]
        on_grid = [pipeline_risk(PROBLEM, N, S, curve, mu, LASSO) for mu in np.geomspace(row.mu / 5, row.mu * 5, 41)]
        assert row.risk <= min(on_grid) * (1 + 1e-4)


def test_lasso_simulation_at_the_theory_mu_agrees_with_it():
    """Simulated Lasso pipelines at k = p (40 draws) against the fixed point, within 8% (the fixed point is a
    p, n -> infinity limit; at p = 240, n = 80 its finite-size gap is a few percent) and covered mostly."""
    theory = theory_table(PROBLEM, N, S, [P], penalties=(LASSO,))
    simulated = simulate(PROBLEM, N, S, simulated_mus(theory, [P]), [], trials=40, seed=6, progress=False)
    points = agreement_points(PROBLEM, N, S, simulation_table(theory, simulated))
    assert len(points) == len(theory) == 7
    assert points.gap.max() < 0.08, points.sort_values("gap").to_string()
    support = theory[theory.curve == "support"].mu.iloc[0]
    assert np.mean(simulated[("non-zeros", P, float(support), LASSO)]) == pytest.approx(S, rel=0.15)


def test_ridge_at_infinite_mu_is_screening_then_refit():
    """mu = inf: the simulated fit is the direction X^T y / n (Omega^-1 X^T y / n with a penalty), the
    predicted retrained risks are the limit of large mu, and the tuning returns mu = inf where the risk
    of the retrained pipeline keeps falling with mu."""
    X, y = PROBLEM.sample(N, np.random.default_rng(7))
    omega = np.random.default_rng(8).uniform(0.5, 2.0, P)
    path = gram_ridge_path(X, y, [1.0, np.inf], omega)
    np.testing.assert_allclose(path[1], X.T @ y / N / omega, rtol=1e-12)
    np.testing.assert_allclose(gram_ridge_path(X, y, [1e8])[0] * 1e8, X.T @ y / N, rtol=1e-4, atol=1e-6)
    for curve in ["magnitude+retrain", "hessian+retrain"]:
        assert pipeline_risk(PROBLEM, N, S, curve, 1e6) == pytest.approx(pipeline_risk(PROBLEM, N, S, curve, np.inf),
                                                                          rel=1e-4)
    limit = pipeline_risk(PROBLEM, N, S, "dense", np.inf)
    assert limit == pytest.approx(PROBLEM.sigma**2 + np.sum(PROBLEM.cov * PROBLEM.theta_star**2))
    mu, risk = tune_mu(PROBLEM, N, S, "hessian+retrain")
    assert risk <= pipeline_risk(PROBLEM, N, S, "hessian+retrain", 100.0)
    assert mu == np.inf or risk < pipeline_risk(PROBLEM, N, S, "hessian+retrain", np.inf)
    assert tune_mu(PROBLEM, N, S, "hessian")[0] < np.inf


def _with_lasso(theory, simulated, p, lasso_risk):
    """The synthetic inputs plus the Lasso's rows at k = p: every pipeline at ``lasso_risk``, its own
    support at lasso_risk + 0.1 with 10 non-zeros per draw."""
    spread = simulated[("dense", p, 0.0, "identity")] - simulated[("dense", p, 0.0, "identity")].mean()
    rows = [(curve, p, 0.5, LASSO, "prune-optimal", lasso_risk) for curve in PIPELINES]
    rows += [(curve, p, 0.7, LASSO, "support-size", lasso_risk + 0.1) for curve in ["support", "support+retrain"]]
    for curve, k, mu, penalty, _, risk in rows:
        simulated[(curve, k, mu, penalty)] = risk + spread
    simulated[("non-zeros", p, 0.7, LASSO)] = np.full(spread.size, 10.0)
    return pd.concat([theory, pd.DataFrame(rows, columns=theory.columns)], ignore_index=True), simulated


@pytest.mark.parametrize("lasso_risk, winner", [(1.2, "ridge"), (0.5, "the Lasso")])
def test_best_regularizer_compares_the_best_pipeline_of_each_fit(lasso_risk, winner):
    theory, simulated, n, s, p, ks, points = _ridge_claims_inputs(1.0, 0.1, 0.2, 0.02)
    theory, simulated = _with_lasso(theory, simulated, p, lasso_risk)
    table = pipelines_at_p(theory, simulated, p)
    assert set(table.loc["Lasso"].index) == {*PIPELINES, "support", "support+retrain"}
    assert table.loc[("Lasso", "support"), "weights kept"] == 10.0
    ridge, lasso, differences = best_regularizer(theory, simulated, p)
    assert ridge["risk (theory)"] == pytest.approx(0.9) and lasso["risk (theory)"] == pytest.approx(lasso_risk)
    np.testing.assert_allclose(differences, (lasso_risk - 0.9) / 0.9, atol=1e-9)
    numbers = regularizer_numbers(theory, simulated, p, prefix="x")
    assert numbers["x-winner"] == winner and numbers["x-difference"] == pytest.approx((lasso_risk - 0.9) / 0.9)
    assert numbers["x-theory-gap"] == pytest.approx(lasso_risk / 0.9 - 1)


@pytest.mark.parametrize("lasso_risk, status", [(1.2, "reproduced"), (0.5, "not reproduced")])
def test_lasso_claims_score_ridge_against_the_lasso_on_both_problems(lasso_risk, status):
    theory, simulated, n, s, p, ks, points = _ridge_claims_inputs(1.0, 0.1, 0.2, 0.02)
    theory, simulated = _with_lasso(theory, simulated, p, lasso_risk)
    check_theory, check_simulated = _with_lasso(*_ridge_claims_inputs(1.0, 0.1, 0.2, 0.02)[:2], p, 1.2)
    default, check = lasso_claims(theory, simulated, p, check_theory, check_simulated, "sparse")
    assert (default["id"], check["id"]) == ("ridge-lasso-best-pruned", "ridge-lasso-best-pruned-sparse")
    assert (default["status"], check["status"]) == (status, "reproduced")
    assert default["origin"] == "beyond" and "theta* sparse" in check["claim"]


@pytest.mark.parametrize("peak, maxima", [(1.2, [21]), (1.0, [])])
def test_interior_maxima_finds_a_peak_strictly_above_both_neighbours(peak, maxima):
    theory = _ridge_claims_inputs(peak, 0.1, 0.2, 0.02)[0]
    assert interior_maxima(theory, "hessian") == maxima
    assert interior_maxima(theory, "hessian", tuning="dense-optimal") == maxima


def test_least_squares_at_mu_zero_has_n_minus_k_minus_1_degrees_of_freedom():
    """The convention the chapter states for mu = 0 with k < n, checked by simulation at small size:
    least squares on k = 6 isotropic features from n = 12 samples has risk sigma^2 (n - 1)/(n - k - 1)
    = 2.2 (what FitLaw predicts), not the asymptotic sigma^2 n/(n - k) = 2.0 of the n - k convention.
    The 95% interval of 6000 simulated fits is about +-0.03 wide, far inside the 0.2 between the two."""
    n, k = 12, 6
    problem = fig3_problem("b", k, 2, 1.0, 1.0)  # spike 1: Sigma = I on k features, sigma = 1
    rng = np.random.default_rng(0)
    risks = []
    for _ in range(6000):
        X, y = problem.sample(n, rng)
        risks.append(problem.risk(np.linalg.lstsq(X, y, rcond=None)[0]))
    mean, half = np.mean(risks), 1.96 * np.std(risks) / np.sqrt(len(risks))
    exact, asymptotic = (n - 1) / (n - k - 1), n / (n - k)
    assert pipeline_risk(problem, n, 2, "dense", 0.0) == pytest.approx(exact, rel=1e-9)
    assert abs(mean - exact) < half, (mean, half)
    assert abs(mean - asymptotic) > half, (mean, half)
