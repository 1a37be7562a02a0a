"""Lemma 1's experiment and report (overparam.experiments.lemma1_correlated_features,
overparam.reports.lemma1_correlated_features): sweeps, tidy rows, checks, claims, quoted numbers."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from overparam.book.curves import style_of  # noqa: E402
from overparam.experiments.lemma1_correlated_features import CURVES, simulate_fits, simulate_sweeps, theory_sweep  # noqa: E402
from overparam.reports.lemma1_correlated_features import (agreement_counts, fit_checks, identity_summary,  # noqa: E402
                                                          lemma1_claims, plot_sweeps, quoted_numbers, sweep_points,
                                                          tidy_sweeps)

P, SIGMA = 8, 0.7
ZETA = np.arange(1, P + 1, dtype=float) ** -0.5
THETA_STAR = np.full(P, 1 / np.sqrt(P))


@pytest.fixture(scope="module")
def run():
    budgets, n_grid = [1, 3, 8], [6, 10]
    simulated, identity = simulate_sweeps(ZETA, THETA_STAR, SIGMA, 12, budgets, n_grid, 2, 400, seed=1)
    theory = {"s": theory_sweep(ZETA, THETA_STAR, SIGMA, "s", budgets, n=12),
              "n": theory_sweep(ZETA, THETA_STAR, SIGMA, "n", n_grid, s=2)}
    return theory, simulated, identity


def test_curve_names_are_registered():
    assert all(style_of(name)["label"] for name in CURVES.values())  # raises for an unknown part


def test_retraining_gives_back_the_dense_risk_in_every_draw_and_pruning_keeps_all_at_s_equal_p():
    out, identities = simulate_fits(ZETA, THETA_STAR, SIGMA, 10, [2, P], 50, (0, 1))
    assert set(out) == set(CURVES.values()) and out["dense"].shape == (50, 2)
    np.testing.assert_allclose(out["magnitude+retrain"], out["dense"], rtol=1e-8)
    np.testing.assert_allclose(out["magnitude"][:, 1], out["dense"][:, 1], rtol=1e-10)  # s = p prunes nothing
    assert out["magnitude"][:, 0].mean() > 2 * out["dense"][:, 0].mean()  # the bias of pruning
    assert identities["retrain"] < 1e-9 and identities["prune"] < 1e-9 and identities["supports differ"] == 0


def test_sweeps_shapes_and_fit_count(run):
    theory, simulated, identity = run
    assert simulated["s"]["dense"].shape == (400, 3) and simulated["n"]["magnitude"].shape == (400, 2)
    assert identity["fits"] == 400 * 5
    assert "in each of 2000 fits" in identity_summary(identity)


def test_sweeps_are_reproducible_and_depend_on_the_seed():
    a, _ = simulate_sweeps(ZETA, THETA_STAR, SIGMA, 8, [2], [6], 2, 5, seed=3)
    b, _ = simulate_sweeps(ZETA, THETA_STAR, SIGMA, 8, [2], [6], 2, 5, seed=3)
    c, _ = simulate_sweeps(ZETA, THETA_STAR, SIGMA, 8, [2], [6], 2, 5, seed=4)
    np.testing.assert_array_equal(a["s"]["magnitude"], b["s"]["magnitude"])
    assert not np.array_equal(a["s"]["magnitude"], c["s"]["magnitude"])


def test_theory_sweep_uses_registry_names_and_lemma1_values():
    table = theory_sweep(ZETA, THETA_STAR, SIGMA, "n", [6, 10], s=P)
    assert list(table.n) == [6, 10]
    np.testing.assert_allclose(table["dense"], SIGMA**2 / (np.array([6, 10]) - 2))
    np.testing.assert_allclose(table["magnitude"], table["dense"])  # a = 1 when every weight is kept
    np.testing.assert_allclose(table["pruned_bias"], 0, atol=1e-15)


def test_tidy_rows_and_checks(run):
    theory, simulated, _ = run
    table = tidy_sweeps(theory, simulated)
    assert set(table.curve) == set(CURVES.values()) and set(table.sweep) == {"s", "n"}
    sim = table[table.source == "simulation"]
    assert (sim.ci_low <= sim.excess_risk).all() and (sim.excess_risk <= sim.ci_high).all()
    assert table[table.source == "theory"].ci_low.isna().all()
    assert len(table) == 2 * 3 * (3 + 2)
    checks = fit_checks(theory, simulated)
    assert list(checks.curve) == list(CURVES.values())
    assert checks["within 95% CI (s)"].str.endswith("%").all()


def test_sweep_points_concatenate_both_sweeps(run):
    theory, simulated, _ = run
    expected, mean, low, high = sweep_points(theory, simulated, "magnitude")
    assert expected.shape == mean.shape == low.shape == high.shape == (5,)
    np.testing.assert_allclose(expected[:3], theory["s"]["magnitude"])


def test_sweep_points_count_repeated_values_once(run):
    theory, simulated, _ = run
    expected, mean, _, _ = sweep_points(theory, simulated, "magnitude+retrain")
    # the retrained fit has one excess risk per draw whatever s is: the s sweep gives one distinct point
    assert expected.shape == (1 + 2,)


def test_claims_hold_on_a_correct_run_and_fail_on_a_wrong_theory(run):
    theory, simulated, identity = run
    claims = lemma1_claims(theory, simulated, identity)
    # 400 draws leave intervals wider than the 3% band: no point may disagree, and the checks hold
    assert all("(0 disagree" in c["measured"] for c in claims[:2])
    assert [c["status"] for c in claims[2:]] == ["reproduced"] * 3
    assert [c["kind"] for c in claims] == ["claim", "claim", "check", "check", "check"]
    wrong = {key: frame.assign(magnitude=frame["magnitude"] * 2) for key, frame in theory.items()}
    assert lemma1_claims(wrong, simulated, identity)[1]["status"] == "not reproduced"
    broken = {**identity, "retrain": 1e-3, "supports differ": 4}
    statuses = [c["status"] for c in lemma1_claims(theory, simulated, broken)]
    assert statuses[2] == "not reproduced" and statuses[4] == "not reproduced"


def test_agreement_counts_follow_the_band(run):
    theory, simulated, _ = run
    wide = agreement_counts(theory, simulated, "magnitude", 10.0)
    assert wide == {"agree": 5, "disagree": 0, "inconclusive": 0, "points": 5}
    wrong = {key: frame.assign(magnitude=frame["magnitude"] * 2) for key, frame in theory.items()}
    assert agreement_counts(wrong, simulated, "magnitude", 0.03)["disagree"] == 5
    assert agreement_counts(theory, simulated, "magnitude", 1e-6)["agree"] == 0


def test_quoted_numbers_are_the_counts_in_the_prose_order(run):
    theory, simulated, _ = run
    numbers = quoted_numbers(theory, simulated, plotted=5)
    assert list(numbers)[:2] == ["lemma1-retrain-plotted", "lemma1-band"] and numbers["lemma1-retrain-plotted"] == 5
    assert numbers["lemma1-retrain-points"] == 3 and numbers["lemma1-prune-points"] == 5
    counts = agreement_counts(theory, simulated, "magnitude", numbers["lemma1-band"])
    assert numbers["lemma1-prune-agree"] == counts["agree"] and numbers["lemma1-prune-disagree"] == counts["disagree"]


def test_figure_has_both_sweeps(run):
    theory, simulated, _ = run
    fig = plot_sweeps(tidy_sweeps(theory, simulated), theory, 12, 2)
    assert [ax.get_xlabel() for ax in fig.axes[:2]] == ["kept weights s (n = 12)", "samples n (s = 2)"]
    assert fig.axes[1].get_yscale() == "log"
    plt.close(fig)
