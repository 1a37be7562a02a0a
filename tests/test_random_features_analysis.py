"""The random-features chapter's table, printed tables, claims and quoted numbers
(overparam.reports.random_features), on synthetic runs with known gaps and on a tiny real run."""
import numpy as np
import pytest

from overparam.book.curves import style_of
from overparam.experiments.random_features import (DESIGNS, SIM_CURVES, THEORY_CURVES, draw_task, refit_on_fixed_support,
                                                   retrained_dc_risks, run_memory, simulate_task, support_refit_formula,
                                                   supported_risk, task_problems, theory_task)
from overparam.reports.random_features import (
    FORMULA_ROWS, GAP_COLUMNS, TABLE_COLUMNS, agreement_checks, dense_gap_split, dense_quoted_numbers,
    format_dense_split, format_refit_table, gap_rows, growth_lines, paired_gaps, panel, quoted_numbers,
    refit_gap_table, risk_table, same_sample_gaps, scored, select, support_split)
from overparam.reports.random_features_claims import chapter_claims, fits, small_model_gains, small_model_lines, task_ratio
from overparam.book.verdicts import STATUSES
from overparam.theory.features import equivalent_lgp
from overparam.theory.problems import restrict_problem
from overparam.theory.pruning import restrict
from overparam.theory.risk import dense_risk, sampled_prune_retrain_risks

P_GRID, SPARSITIES, N = [10, 20, 50, 80], [5, 8], 30


def fake_run(factors=None, tasks=4, draws=3, seed=0):
    """A run whose theory is 1 + p/100 for every curve and task, and whose simulated curves are the
    theory times (1 + factor) plus a small noise; (p, s) pairs with s >= p are NaN, as in simulate_task."""
    factors = factors or {}
    rng = np.random.default_rng(seed)
    ps = np.array(P_GRID)
    line = np.repeat((1 + ps / 100)[:, None], len(SPARSITIES), axis=1)
    line[ps[:, None] <= np.array(SPARSITIES)[None, :]] = np.nan
    predicted = [{"dense": 1 + ps / 100, "magnitude": line.copy(), "magnitude+retrain": line.copy()}
                 for _ in range(tasks)]
    simulated = {design: [{curve: (1 + factors.get((curve, design), 0.0)) * line[None]
                           * (1 + 1e-3 * rng.standard_normal((draws, *line.shape))) for curve in SIM_CURVES}
                          for _ in range(tasks)] for design in DESIGNS}
    for runs in simulated.values():
        for sim in runs:  # the dense curve does not depend on s
            sim["dense"] = np.repeat(sim["dense"][:, :, :1], len(SPARSITIES), axis=2)
            sim["dense"][:, :, :] = (1 + ps / 100)[None, :, None] * (1 + factors.get(("dense", "any"), 0.0))
    return simulated, predicted


def test_scored_leaves_out_the_sizes_near_the_peak():
    np.testing.assert_array_equal(scored([10, 24, 25, 37, 38], 30), [True, False, False, False, True])


def test_risk_table_uses_registered_names_and_a_theory_or_simulation_source():
    table = risk_table(*fake_run(), P_GRID, SPARSITIES)
    assert list(table.columns) == TABLE_COLUMNS
    for curve in table.curve.unique():
        style_of(curve)  # raises for a name the registry does not know
    assert set(table.source) == {"theory", "simulation"}
    assert set(table.data.dropna()) == set(DESIGNS)
    # only the DC lines are shared by the three designs; the formulas on simulated supports are not
    shared = table[table.data.isna()]
    assert set(shared.source) == {"theory"} and set(shared.curve) == set(THEORY_CURVES)
    for curve, source in FORMULA_ROWS.values():
        rows = table[(table.curve == curve) & (table.source == source) & table.data.notna()]
        assert len(rows) == len(DESIGNS) * sum(p > s for s in SPARSITIES for p in P_GRID)
    # no row twice: one point per curve, sparsity, source, data and size
    assert not table.duplicated(["curve", "s", "source", "data", "p"]).any()
    assert table[table.curve == "magnitude+retrain-same-sample"].data.eq("relu").all()


def test_select_and_panel_pick_one_design_with_the_shared_lines():
    table = risk_table(*fake_run({("magnitude+retrain", "gaussian"): 0.5}), P_GRID, SPARSITIES)
    relu, twin = select(table, "magnitude+retrain", 5), select(table, "magnitude+retrain", 5, design="gaussian")
    np.testing.assert_allclose(twin.risk / relu.risk, 1.5, rtol=1e-2)
    assert list(relu.index) == [10, 20, 50, 80]
    view = panel(table, 8, "gaussian")
    assert set(view.s) == {8} and set(view.data.dropna()) == {"gaussian"}
    assert len(view[(view.curve == "magnitude+retrain") & (view.source == "theory")]) == 4
    assert set(panel(table).curve) == {"dense"}


def test_agreement_checks_and_fits_see_a_known_gap():
    gaps = paired_gaps(*fake_run({("magnitude", "relu"): -0.10}), P_GRID, SPARSITIES)
    checks = agreement_checks(gaps, N, SPARSITIES).set_index(["data", "curve", "s"])
    pruned = checks.loc[("ReLU data", "magnitude", 5)]
    assert pruned["points"] == 4 and pruned["mean gap"] == pytest.approx(-0.10, abs=2e-3) and pruned["covered"] == 0
    assert 0 < pruned["bar half-width"] < 0.10  # bars that leave out a 10% gap are narrower than it
    assert abs(checks.loc[("Gaussian twin", "magnitude", 5)]["mean gap"]) < 2e-3
    assert fits(gaps, "magnitude", N, 0.05).status == "not reproduced"
    assert fits(gaps, "magnitude", N, 0.11).status == "reproduced"
    assert fits(gaps, "magnitude", N, 0.05, design="gaussian").status == "reproduced"
    assert fits(gaps, "dense", N, 0.05).status == "reproduced"
    # one sparsity only, and another curve against the retrained line (the paper's same-sample markers)
    assert fits(gaps, "magnitude", N, 0.05).measured.startswith("0 of 8 points")
    assert fits(gaps, "magnitude", N, 0.05, sparsities=[8]).measured.startswith("0 of 4 points")
    assert fits(gaps, "magnitude+retrain-same-sample", N, 0.05).status == "reproduced"


def test_paired_gaps_cancel_the_spread_across_tasks_and_carry_the_theory_error():
    """A task-to-task spread shared by simulation and theory cancels in the paired interval (it would make
    an unpaired one several times the tolerance wide); the theory's own Monte-Carlo noise does not cancel: it
    widens the interval, and a point whose theory is that noisy is no longer decided."""
    simulated, predicted = fake_run(tasks=6)
    for t, (task, pred) in enumerate(zip(simulated["relu"], predicted)):
        level = 1 + 0.3 * (t - 2.5)  # each task's risk level, the same on both sides
        for curve in ["magnitude", "magnitude+retrain"]:
            task[curve] = task[curve] * level
            pred[curve] = pred[curve] * level
    gaps = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
    assert list(gaps.columns) == GAP_COLUMNS
    assert fits(gaps, "magnitude", N, 0.03).status == "reproduced"
    unpaired = select(risk_table(simulated, predicted, P_GRID, SPARSITIES), "magnitude", 5)
    assert ((unpaired.ci_high - unpaired.ci_low) / unpaired.risk).min() > 0.2  # the spread, if it were not paired
    rng = np.random.default_rng(3)
    for pred in predicted:  # a theory estimated with 10% Monte-Carlo noise per task
        noise = 1 + 0.1 * rng.standard_normal(pred["magnitude"].shape)
        pred["magnitude"] = pred["magnitude"] * noise
        pred["magnitude mc_se"] = 0.1 * pred["magnitude"]
    noisy = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
    assert fits(noisy, "magnitude", N, 0.03).status != "reproduced"
    row = gap_rows(noisy, "magnitude", 5).loc[80]
    assert row.theory_mc_se == pytest.approx(0.1 / np.sqrt(6), rel=0.3)
    assert (row.gap_ci_high - row.gap_ci_low) > 0.06
    assert (gap_rows(gaps, "magnitude", 5).theory_mc_se == 0).all()  # no Monte-Carlo error given: none counted


def test_same_sample_gaps_compare_both_retrainings_with_the_same_line():
    simulated, predicted = fake_run({("magnitude+retrain-same-sample", "relu"): 0.08})
    gaps = same_sample_gaps(paired_gaps(simulated, predicted, P_GRID, SPARSITIES), N, SPARSITIES).set_index("s")
    assert gaps.loc[5, "same sample: mean gap"] == pytest.approx(0.08, abs=2e-3)
    assert abs(gaps.loc[5, "fresh sample: mean gap"]) < 2e-3 and gaps.loc[5, "points"] == 4
    assert gaps.loc[8, "same sample: covered"] == 0


def test_same_sample_claims_score_the_paper_markers_and_spare_the_fig4_sparsity():
    """The paper's Fig. 2 claim is scored on the same-sample markers at every sparsity but the Fig. 4 one;
    a gap on the Fig. 4 sparsity alone fails only the stronger version, a gap on another one fails both."""
    def claims_with(factor_on):
        simulated, predicted = fake_run()
        for task in simulated["relu"]:
            task["magnitude+retrain-same-sample"][:, :, SPARSITIES.index(factor_on)] *= 1.10
        gaps = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
        refit = {dim: {"theory": np.ones(5), **{d: np.ones(5) for d in DESIGNS}} for dim in [5, 40]}
        return {row["id"]: row for row in chapter_claims(simulated, predicted, gaps, refit, P_GRID, SPARSITIES, 5, N)}
    spared = claims_with(5)
    assert spared["fig2-dc-same-sample-retraining"]["status"] == "reproduced"
    assert spared["fig2-dc-same-sample-retraining"]["origin"] == "paper"
    assert spared["fig2-dc-same-sample-retraining-all"]["origin"] == "paper-extended"
    assert spared["fig2-dc-same-sample-retraining-all"]["status"] == "not reproduced"
    assert spared["fig4-same-sample-mismatch"]["status"] == "reproduced"
    assert spared["fig4-same-sample-slight"]["status"] == "not reproduced"  # 10% worse, beyond the 3% of 'slight'
    assert spared["fig2-dc-fresh-sample-retraining"]["origin"] == "beyond"
    hit = claims_with(8)
    assert hit["fig2-dc-same-sample-retraining"]["status"] == "not reproduced"
    assert hit["fig4-same-sample-slight"]["status"] == "reproduced"


def test_support_split_separates_the_choice_of_support_from_the_refit():
    run = fake_run({("kept-support", "relu"): 0.02, ("magnitude+retrain", "relu"): 0.05,
                    ("random+retrain", "relu"): 0.03})
    split = support_split(risk_table(*run, P_GRID, SPARSITIES), N, SPARSITIES).set_index(["data", "s"])
    row = split.loc[("ReLU data", 5)]
    assert row["choice of support"] == pytest.approx(0.02, abs=2e-3)
    assert row["refit on it"] == pytest.approx(1.05 / 1.02 - 1, abs=2e-3)
    assert row["total"] == pytest.approx(0.05, abs=2e-3)
    assert row["refit on a random support"] == pytest.approx(0.03, abs=2e-3)
    assert split.loc[("Gaussian twin", 8)].abs().max() < 3e-3


def test_growth_lines_give_the_retrained_risk_at_both_ends():
    simulated, predicted = fake_run()
    lines = growth_lines(risk_table(simulated, predicted, P_GRID, SPARSITIES), SPARSITIES)
    assert len(lines) == 2 and "lower" not in lines[0]  # no verdict word outside the rules
    assert lines[0].startswith("s = 5: pruned and retrained from p = 10: 1.100, from p = 80: 1.800")
    assert "a model trained directly with 5 features" not in lines[0]  # 5 is not in the grid


def scaled_dense(simulated: dict, factors: dict) -> dict:
    """The run with each design's dense curve multiplied by 1 + factors[design]."""
    for design, factor in factors.items():
        for sim in simulated[design]:
            sim["dense"] = sim["dense"] * (1 + factor)
    return simulated


def test_dense_gap_split_pairs_the_designs_task_by_task():
    """Known dense gaps per design (twin +1%, hybrid +4%, ReLU -1%) come out as the twin's gap, the hybrid's
    excess over the twin, the label's excess over the hybrid and the total, on both sides of the peak."""
    simulated, predicted = fake_run()
    simulated = scaled_dense(simulated, {"gaussian": 0.01, "relu-independent-noise": 0.04, "relu": -0.01})
    split = dense_gap_split(simulated, predicted, P_GRID, N).set_index(["key", "sizes"])
    expected = {"twin": 0.01, "features": 0.03, "label": -0.05, "relu": -0.01}
    for key, value in expected.items():
        for sizes in ["p < 0.8n", "p > 1.25n"]:
            assert split.loc[(key, sizes), "mean"] == pytest.approx(value, abs=1e-9)
    text = format_dense_split(split.reset_index())
    assert "+3.0% [+3.0%, +3.0%]" in text and "-5.0%" in text
    numbers = dense_quoted_numbers(split.reset_index(), paired_gaps(simulated, predicted, P_GRID, SPARSITIES), N)
    assert numbers["rf-dense-features-above"] == pytest.approx(0.03)
    assert numbers["rf-dense-hybrid-largest-p"] == P_GRID[-1]
    assert numbers["rf-dense-hybrid-largest-gap"] == pytest.approx(0.04)
    assert numbers["rf-dense-hybrid-covered"] == 0  # a gap with no noise: no interval covers the line
    assert all(type(value) in (int, float) for value in numbers.values())  # glue needs plain Python values


def test_dense_gap_split_sees_a_gap_on_one_side_of_the_peak_only():
    simulated, predicted = fake_run()
    for sim in simulated["gaussian"]:
        sim["dense"][:, -1, :] *= 1.02  # only the largest p, above the peak
    split = dense_gap_split(simulated, predicted, P_GRID, N).set_index(["key", "sizes"])
    assert split.loc[("twin", "p < 0.8n"), "mean"] == pytest.approx(0, abs=1e-12)
    # 50 and 80 lie above 1.25n = 37.5: each task's mean over the two
    assert split.loc[("twin", "p > 1.25n"), "mean"] == pytest.approx(0.01)
    assert split.loc[("features", "p > 1.25n"), "mean"] == pytest.approx(-0.01)


@pytest.mark.parametrize("small_factor, status", [(0.2, "reproduced"), (-0.2, "not reproduced"), (0.0, "inconclusive")])
def test_pruned_against_small_model_is_paired_and_can_fail(small_factor, status):
    """The small model (random+retrain at the largest p) against magnitude+retrain-same-sample there (both
    on n samples): a worse small model is beaten, a better one is not, an equal one (only noise between
    them) is undecided; the paper's claim (at some sparsity) and the book's (at every one) agree here."""
    simulated, predicted = fake_run({("random+retrain", "relu"): small_factor,
                                     ("magnitude+retrain", "relu"): -0.5}, tasks=6)
    gains = small_model_gains(simulated, SPARSITIES).set_index("s")
    line = 1 + P_GRID[-1] / 100
    # the fresh-sample curve (2n samples) is far better here and must not be the one compared
    assert gains.loc[5, "gain"] == pytest.approx(small_factor * line, abs=5e-3)
    assert len(gains.loc[5, "differences"]) == 6
    lines = small_model_lines(gains.reset_index(), P_GRID[-1])
    assert len(lines) == 2 and lines[0].startswith("s = 5: trained directly on 5 random features")
    assert f"pruned from p = {P_GRID[-1]} and retrained on the same sample" in lines[0]
    assert float(lines[0].split("features ")[1].split(";")[0]) == pytest.approx((1 + small_factor) * line, abs=0.01)
    gaps = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
    refit = {dim: {"theory": np.ones(5), **{d: np.ones(5) for d in DESIGNS}} for dim in [5, 40]}
    rows = {row["id"]: row for row in chapter_claims(simulated, predicted, gaps, refit, P_GRID, SPARSITIES, 5, N)}
    assert rows["fig2-pruned-beats-small"]["status"] == status
    assert rows["fig2-pruned-beats-small"]["origin"] == "paper"
    assert rows["fig2-pruned-beats-small-every-s"]["status"] == status
    assert rows["fig2-pruned-beats-small-every-s"]["origin"] == "paper-extended"


def test_pruned_beats_small_somewhere_is_the_papers_claim_and_every_s_the_books():
    """The small model worse at s = 5 only: the paper's "can perform better" holds (at some sparsity),
    the book's stronger version (at every sparsity) does not."""
    simulated, predicted = fake_run(tasks=6)
    for sim in simulated["relu"]:
        sim["random+retrain"][:, :, 0] *= 1.2
        sim["random+retrain"][:, :, 1] *= 0.8
    gaps = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
    refit = {dim: {"theory": np.ones(5), **{d: np.ones(5) for d in DESIGNS}} for dim in [5, 40]}
    rows = {row["id"]: row for row in chapter_claims(simulated, predicted, gaps, refit, P_GRID, SPARSITIES, 5, N)}
    assert rows["fig2-pruned-beats-small"]["status"] == "reproduced"
    assert rows["fig2-pruned-beats-small-every-s"]["status"] == "not reproduced"
    assert "holds at s = 5" in rows["fig2-pruned-beats-small"]["measured"]
    assert "fails at s = 8" in rows["fig2-pruned-beats-small"]["measured"]


def test_task_ratio_averages_each_task_over_the_given_sizes():
    numerator, denominator = np.full((2, 3, 1), 3.0), np.full((2, 3, 1), 2.0)
    numerator[1, 2, 0] = 4.0
    np.testing.assert_allclose(task_ratio(numerator, denominator, 0, np.array([True, False, True])), [0.5, 0.75])


def test_refit_gap_table_is_paired_with_each_task_formula():
    theory = np.array([1.0, 2.0, 3.0])
    result = {"theory": theory, "relu": theory * 1.1, "relu-independent-noise": theory, "gaussian": theory - 0.1}
    refit = refit_gap_table({10: result, 20: result}, 4)
    assert refit["relu gap"].iloc[0] == pytest.approx(0.2 / 2.0)  # mean of 0.1 * theory, over the mean formula
    assert refit["relu-independent-noise gap"].iloc[0] == 0 and refit["tasks"].iloc[0] == 3
    text = format_refit_table(refit, 50).splitlines()
    assert text[0].startswith("least squares on s = 4 random features, n = 50, 3 tasks per d") and len(text) == 4


def test_claims_and_quoted_numbers_on_a_tiny_real_run():
    simulated, predicted = {design: [] for design in DESIGNS}, []
    for task in range(2):
        R, beta = draw_task(5, max(P_GRID), np.random.default_rng(task))
        for stream, design in enumerate(DESIGNS):
            simulated[design].append(simulate_task(R, beta, N, P_GRID, SPARSITIES, 2, seed=(task, stream), design=design))
        predicted.append(theory_task(R, beta, N, P_GRID, SPARSITIES, 2, seed=(task, 9)))
    refit_results = {dim: refit_on_fixed_support(dim, N, 5, 10, seed=dim) for dim in [5, 40]}
    table = risk_table(simulated, predicted, P_GRID, SPARSITIES)
    gaps = paired_gaps(simulated, predicted, P_GRID, SPARSITIES)
    rows = chapter_claims(simulated, predicted, gaps, refit_results, P_GRID, SPARSITIES, 5, N)
    assert len(rows) == 18 and {row["status"] for row in rows} <= set(STATUSES)
    assert len({row["id"] for row in rows}) == 18
    assert all(row["measured"] for row in rows)
    numbers = quoted_numbers(table, agreement_checks(gaps, N, SPARSITIES), support_split(table, N, SPARSITIES),
                             refit_gap_table(refit_results, 5), 5)
    assert all(key.startswith("rf-") for key in numbers)
    assert all(type(value) in (int, float, str) for value in numbers.values())  # glue needs plain Python values
    fresh = select(table, "magnitude+retrain", 5)
    assert numbers["rf-fig4-retrained-low"] == pytest.approx(fresh.risk.min())
    assert numbers["rf-pruned-peak-p"] in P_GRID
    refit = refit_gap_table(refit_results, 5)
    assert (numbers["rf-refit-first-d"], numbers["rf-refit-last-d"]) == (5, 40)  # the table's smallest and largest d
    assert numbers["rf-relu-refit-gap-last-d-low"] <= numbers["rf-relu-refit-gap-last-d"] == refit["relu gap"].iloc[-1]
    assert numbers["rf-refit-formula-last-d"] == refit.theory.iloc[-1]
    assert numbers["rf-relu-pruned-bar-low"] <= numbers["rf-relu-pruned-bar-high"]


def test_run_memory_grows_with_the_largest_model():
    small, what = run_memory([10, 20], 30, 2)
    large, _ = run_memory([10, 2000], 30, 2)
    assert large > 1000 * small / 10 and "p_grid up to 20" in what
    assert run_memory([25, 1000], 200, 30)[0] < 2**30  # the default run is far below a GiB


def test_sparse_risks_equal_the_full_risk_and_the_restricted_lgp():
    """simulate_task scores a sparse model on its support's block of Sigma: the same number as the full
    quadratic form, and the same refit formula as the dense DC of the restricted LGP (Def. 5)."""
    R, beta = draw_task(5, 40, np.random.default_rng(1))
    problem = task_problems(R, beta, [40])[40]
    image = problem.cov @ problem.theta_star
    energy = float(problem.theta_star @ image)
    rng = np.random.default_rng(2)
    theta, support = rng.standard_normal(40), np.sort(rng.choice(40, size=7, replace=False))
    assert supported_risk(problem, image, energy, theta[support], support) == pytest.approx(
        problem.risk(restrict(theta, support)), rel=1e-10)
    for n in [30, 5]:  # s < n - 1 (closed form) and s >= n - 1 (the restricted LGP's own DC)
        assert support_refit_formula(problem, image, energy, support, n) == pytest.approx(
            dense_risk(restrict_problem(problem, support), n), rel=1e-10)
    supports = np.stack([support, np.arange(7)])
    np.testing.assert_allclose(retrained_dc_risks(problem, supports, 30),
                               [dense_risk(restrict_problem(problem, s), 30) for s in supports], rtol=1e-10)


def test_theory_task_matches_the_draw_by_draw_dc_within_its_monte_carlo_error():
    """The batched theory_task and the draw-by-draw DC (overparam.theory.risk.sampled_prune_retrain_risks)
    sample the same law: their means agree within their Monte-Carlo errors, and the error shrinks with draws."""
    R, beta = draw_task(5, 60, np.random.default_rng(4))
    few = theory_task(R, beta, 30, [60], [5, 10], 50, seed=5)
    many = theory_task(R, beta, 30, [60], [5, 10], 2000, seed=6)
    reference = sampled_prune_retrain_risks(equivalent_lgp(R, beta), 30, [5, 10], 2000, np.random.default_rng(7))
    for curve, key in [("magnitude", "pruned"), ("magnitude+retrain", "retrained")]:
        se = many[f"{curve} mc_se"][0]
        assert np.all(se < few[f"{curve} mc_se"][0])
        assert np.all(np.abs(many[curve][0] - reference[key]) < 5 * np.sqrt(2) * se)
