"""The ridge-then-prune experiment (overparam.experiments.ridge_pruning): the tuning finds the
minimum of the predicted risk, the theory table has every curve and tuning, and the simulation is
evaluated at the theory's mu and agrees with it."""
import numpy as np
import pytest

from overparam.experiments.ridge_pruning import (PIPELINES, agreement_points, mu_ratios, pipeline_risk, simulate,
                                                 simulated_mus, simulation_table, theory_table, tune_mu)
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
