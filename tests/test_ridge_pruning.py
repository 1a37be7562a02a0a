"""The ridge-then-prune experiment (overparam.experiments.ridge_pruning) and its report
(overparam.reports.ridge_pruning): the tuning finds the minimum of the predicted risk, the theory table
has every curve and tuning, the simulation is evaluated at the theory's mu and agrees with it, and the
claims and quoted numbers follow the inputs."""
import numpy as np
import pandas as pd
import pytest

from overparam.experiments.ridge_pruning import (PIPELINES, pipeline_risk, simulate, simulated_mus, simulation_table,
                                                 theory_table, tune_mu)
from overparam.reports.ridge_pruning import (agreement_points, best_size_lines, mu_ratios, quoted_numbers, ridge_claims,
                                             risks_at_p)
from overparam.theory.problems import fig3_problem

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
    simulated = simulate(PROBLEM, N, S, simulated_mus(theory, ks), [0.1, 1.0], trials=40, seed=2, progress=False)
    simulation = simulation_table(theory, simulated)
    assert len(simulation) == len(theory)
    points = agreement_points(PROBLEM, N, S, simulation)
    assert points.gap.max() < 0.06, points.sort_values("gap").tail(3).to_string()
    assert points.covered.mean() >= 0.8


def _ridge_claims_inputs(peak: float, mu_factor: float):
    """Synthetic inputs of ridge_claims: n = 20, s = 10, p = 50; the pruned risk at k = 21 is ``peak``
    times that at k = 26, and the mu tuned for pruning is ``mu_factor`` times the dense model's."""
    n, s, p, ks, trials = 20, 10, 50, [10, 21, 26, 50], 8
    spread = np.linspace(-0.01, 0.01, trials)
    risk_at = {10: 1.2, 21: 1.0 * peak, 26: 1.0, 50: 0.9}
    rows, simulated = [], {}
    for k in ks:
        rows.append(("dense", k, 1.0, "identity", "dense-optimal", 1.0))
        for curve in PIPELINES:
            for penalty, shift in [("identity", 0.0), ("inverse-covariance", 0.1), ("covariance", -0.1)]:
                mu = mu_factor * (1 + shift)
                rows.append((curve, k, mu, penalty, "prune-optimal", risk_at[k] + shift))
                simulated[(curve, k, float(mu), penalty)] = risk_at[k] + shift + spread
    theory = pd.DataFrame(rows, columns=["curve", "k", "mu", "penalty", "tuning", "risk"])
    points = pd.DataFrame({"risk_theory": [1.0, 2.0], "risk": [1.001, 2.002], "ci_low": [0.995, 1.99],
                           "ci_high": [1.007, 2.01]})
    return theory, simulated, n, s, p, ks, points


@pytest.mark.parametrize("peak, mu_factor, no_peak, larger_mu", [(1.0, 2.0, "reproduced", "reproduced"),
                                                                  (1.2, 1.01, "not reproduced", "inconclusive"),
                                                                  (1.0, 0.5, "reproduced", "not reproduced")])
def test_ridge_claims_ids_rules_and_outcomes(peak, mu_factor, no_peak, larger_mu):
    claims = {row["id"]: row for row in ridge_claims(*_ridge_claims_inputs(peak, mu_factor))}
    assert claims["ridge-dc-agreement"]["status"] == "reproduced"
    assert "not independent" in claims["ridge-dc-agreement"]["claim"]
    assert claims["ridge-no-peak-magnitude"]["rule"] == "non-inferiority"
    assert claims["ridge-no-peak-magnitude"]["status"] == no_peak
    # a ratio of tuned mus within the 3% band of 1 is inconclusive, below it fails
    assert claims["ridge-pruning-needs-larger-mu-hessian"]["rule"] == "over range of theory"
    assert claims["ridge-pruning-needs-larger-mu-hessian"]["status"] == larger_mu
    assert claims["ridge-largest-model-best-magnitude"]["status"] == "reproduced"  # 1.0 / 0.9 - 1 > 3%
    assert claims["ridge-largest-beats-s-hessian"]["status"] == "reproduced"
    assert claims["ridge-penalty-beats-plain-magnitude-covariance"]["status"] == "reproduced"
    assert claims["ridge-penalty-beats-plain-magnitude-inverse-covariance"]["status"] == "not reproduced"
    assert all(row["origin"] == "beyond" for row in claims.values())


def test_tables_and_quoted_numbers_of_the_tuned_risks():
    theory, _, n, s, p, ks, points = _ridge_claims_inputs(1.0, 2.0)
    assert best_size_lines(theory, s, p).splitlines() == ["magnitude: best k = 50, risk at k = s: 1.200, at k = p: 0.900",
                                                          "hessian: best k = 50, risk at k = s: 1.200, at k = p: 0.900"]
    at_p = risks_at_p(theory, p)
    assert at_p.loc["magnitude", "covariance"] == pytest.approx(0.8)
    points = points.assign(gap=[0.001, 0.001], covered=[True, False])
    numbers = quoted_numbers(theory, points, s, p)
    assert numbers["ridge-covered"] == 0.5 and numbers["ridge-best-k-hessian"] == 50
    assert numbers["ridge-ratio-magnitude-min"] == pytest.approx(2.0)
    assert numbers["ridge-margin-magnitude"] == pytest.approx(1.0 / 0.9 - 1)
    assert numbers["ridge-inverse-magnitude"] == pytest.approx(1.0) and numbers["ridge-plain-magnitude"] == pytest.approx(0.9)
