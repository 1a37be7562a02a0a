"""The ridge-then-prune experiment (overparam.experiments.ridge_pruning) and its report
(overparam.reports.ridge_pruning): the tuning finds the minimum of the predicted risk, the theory table
has every curve and tuning, the simulation is evaluated at the theory's mu and agrees with it, each
retrained point refits on a fresh sample of its own, cross-validation picks a grid mu, and the claims
and quoted numbers follow the inputs."""
import numpy as np
import pandas as pd
import pytest

from overparam.experiments.ridge_pruning import (PIPELINES, cv_mus, gram_ridge_path, pipeline_risk, refit_on_fresh,
                                                 simulate, simulated_mus, simulation_table, theory_table, tune_mu)
from overparam.reports.ridge_pruning import (agreement_counts, agreement_points, best_size_lines, cv_table, dense_mu_cost,
                                             gains, mu_ratios, quoted_numbers, ridge_claims, risks_at_p)
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
                           "ci_high": [1.007, 2.01]})
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
