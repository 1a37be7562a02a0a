"""The phase diagrams of the book's conclusions (chapter 14): each margin against a direct computation,
its sign where the answer is known, the grid evaluator with a custom mapper, the boundary points, the
simulated confirmation and the report's sentences."""
from dataclasses import asdict
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from overparam.book.style import COLUMN_INCHES, SMALL_FONT_SIZE, png_size, use_book_style
from overparam.cli import main

from overparam.experiments import phase_diagrams as pd_exp
from overparam.experiments import phase_points as pd_pts
from overparam.experiments.compressors import COMPRESSORS
from overparam.experiments.linear import theory_curves
from overparam.experiments.quantization import register_quantizers
from overparam.experiments.ridge_pruning import pipeline_risk
from overparam.reports import phase_diagrams as pd_rep
from overparam.reports import phase_figures as pd_fig
from overparam.sweep.cluster import grid_mapper
from overparam.sweep.report import draw_verdict_map
from overparam.theory.risk import FitLaw, best_underparameterized_risk

DEFAULT = pd_exp.Config(0.3, 0.1, p=100)


def test_config_sizes_and_problem():
    config = pd_exp.Config(0.3, 0.1, p=200)
    assert (config.n, config.s) == (60, 20)
    problem = config.problem()
    assert problem.p == 200 and np.allclose(problem.cov[:20], 10.0) and np.allclose(problem.cov[20:], 1.0)


def test_hessian_margin_is_the_relative_gap_of_the_two_pruned_risks():
    law = FitLaw(DEFAULT.problem(), DEFAULT.n)
    magnitude, hessian = law.pruned(DEFAULT.s, "magnitude"), law.pruned(DEFAULT.s, "hessian")
    assert pd_exp.hessian_beats_magnitude(DEFAULT) == pytest.approx((magnitude - hessian) / magnitude)


def test_best_size_margin_against_the_curve_over_k():
    ks = pd_exp.smaller_sizes(DEFAULT)
    assert ks.max() < DEFAULT.p and DEFAULT.n not in ks
    curve = theory_curves(DEFAULT.problem(), DEFAULT.n, DEFAULT.s, list(ks) + [DEFAULT.p], ("hessian",))["hessian"]
    assert pd_exp.best_size_is_p(DEFAULT) == pytest.approx((curve[:-1].min() - curve[-1]) / curve[-1])


def test_small_model_and_retraining_margins_against_the_closed_forms():
    problem, n, s = DEFAULT.problem(), DEFAULT.n, DEFAULT.s
    law = FitLaw(problem, n)
    small = best_underparameterized_risk(problem, n)[1]
    hessian = law.pruned(s, "hessian")
    assert pd_exp.pruned_beats_small(DEFAULT) == pytest.approx((small - hessian) / small)
    assert pd_exp.retraining_hurts_at_p(DEFAULT) == pytest.approx((law.retrained(s, "hessian") - hessian) / hessian)


def test_ridge_margin_uses_each_models_tuned_mu():
    risks = pd_exp.tuned_ridge_risks(DEFAULT)
    problem, n, s = DEFAULT.problem(), DEFAULT.n, DEFAULT.s
    assert risks["small"] == pytest.approx(pipeline_risk(problem.prefix(s), n, s, "dense", risks["small_mu"]))
    assert risks["large"] == pytest.approx(pipeline_risk(problem, n, s, "hessian", risks["large_mu"]))
    # tuning cannot do worse than the min-norm fit (mu -> 0 is inside the search)
    assert risks["large"] <= pipeline_risk(problem, n, s, "hessian", 1e-5) * (1 + 1e-6)
    assert pd_exp.ridge_large_still_gains(DEFAULT) == pytest.approx((risks["small"] - risks["large"]) / risks["small"])


def test_quantized_margin_against_the_equal_bit_small_model():
    register_quantizers((3,))
    k = pd_exp.equal_bit_small_size(DEFAULT)
    assert 32 * k <= 3 * DEFAULT.p + 32 < 32 * (k + 1)
    problem, n = DEFAULT.problem(), DEFAULT.n
    small = FitLaw(problem.prefix(k), n).dense()
    quantized = COMPRESSORS["uniform-3"].theory(FitLaw(problem, n), DEFAULT.p)
    assert pd_exp.quantized_beats_small(DEFAULT) == pytest.approx((small - quantized) / small)


@pytest.mark.parametrize("conclusion, config, sign", [
    ("hessian-beats-magnitude", pd_exp.Config(0.3, 0.1, p=100), 1),  # Fig. 3(b): variance points at saliency
    ("hessian-beats-magnitude", pd_exp.Config(0.3, 0.1, alignment="inverted", p=100), -1),
    ("best-size-is-p", pd_exp.Config(0.3, 0.1, p=200), 1),  # chapter 1's default ratios
    ("best-size-is-p", pd_exp.Config(0.8, 0.03, p=200), -1),  # few features per sample: a smaller model wins
    ("retraining-hurts-at-p", pd_exp.Config(0.3, 0.1, p=200), 1),
    ("retraining-hurts-at-p", pd_exp.Config(0.9, 0.25, p=200), -1),  # near interpolation retraining pays
])
def test_margin_signs_where_the_answer_is_known(conclusion, config, sign):
    assert np.sign(pd_exp.CONCLUSIONS[conclusion](config)) == sign


def test_hessian_and_magnitude_agree_without_a_spike():
    flat = pd_exp.Config(0.3, 0.1, spike=1.0 + 1e-9, p=100)  # Sigma = I: the two scores rank alike
    assert abs(pd_exp.hessian_beats_magnitude(flat)) < 1e-6


def test_grid_evaluator_with_a_custom_mapper():
    configs = pd_exp.config_grid([0.2, 0.4], [0.05, 0.1], ("constant",), ("aligned", "inverted"), p=80)
    calls = []

    def mapper(function, tasks):
        calls.append(len(tasks))
        return [function(task) for task in reversed(tasks)][::-1]  # any order of work, rows back in order

    conclusions = ["hessian-beats-magnitude", "retraining-hurts-at-p"]
    grid = pd_exp.evaluate_grid(configs, conclusions, mapper=mapper)
    assert calls == [8] and len(grid) == 8
    pd.testing.assert_frame_equal(grid, pd_exp.evaluate_grid(configs, conclusions))
    row = grid.iloc[3]
    assert row["hessian-beats-magnitude"] == pytest.approx(pd_exp.hessian_beats_magnitude(pd_exp.config_of(row)))
    with pytest.raises(ValueError, match="unknown conclusions"):
        pd_exp.evaluate_grid(configs, ["no-such-conclusion"])


def test_classifier_margin_against_chapter_13s_prediction_and_its_simulation():
    config = pd_exp.Config(0.3, 0.1, p=80)
    k, smaller, at_p = pd_exp.classifier_best_smaller_size(config)
    ks = [*pd_exp.smaller_sizes(config), config.p]
    means = pd_exp.classifier_errors(config, ks).mean(axis=0)
    assert k in ks[:-1] and smaller == pytest.approx(means[:-1].min()) and at_p == pytest.approx(means[-1])
    assert 0 < at_p < 0.5
    assert pd_exp.classifier_best_size_is_p(config) == pytest.approx((smaller - at_p) / (0.5 - at_p))
    # n/p = 0.9: the model on all p features sits near its interpolation peak, so a smaller size wins by far
    assert pd_exp.classifier_best_size_is_p(pd_exp.Config(0.9, 0.5, p=80)) < -0.05
    gaps, distances = pd_exp.simulate_classifier_best_size(config, 4, (1, 2))
    assert gaps.shape == distances.shape == (4,) and np.all(np.abs(gaps) < 0.5)
    assert np.all((distances > 0) & (distances <= 0.5))  # 1/2 minus a test error below chance
    assert pd_exp.CONCLUSIONS.keys() == pd_exp.SIMULATIONS.keys() == pd_rep.STATEMENTS.keys() == pd_rep.SHORT.keys()


def test_grid_on_a_two_worker_local_cluster_equals_the_serial_grid():
    configs = pd_exp.config_grid([0.2, 0.4], [0.05, 0.1], ("constant", "random-sign"), ("aligned", "inverted"), p=60)
    conclusions = ["hessian-beats-magnitude", "pruned-beats-small"]
    with grid_mapper() as mapper:
        assert mapper is map  # the default stays in process
        serial = pd_exp.evaluate_grid(configs, conclusions, mapper=mapper)
    with grid_mapper(workers=2) as mapper:
        assert mapper is not map
        on_dask = pd_exp.evaluate_grid(configs, conclusions, mapper=mapper)
    pd.testing.assert_frame_equal(on_dask, serial)  # same rows, same order, same values


def _toy_grid():
    """A 3 x 3 grid whose margin is n/p - 0.3 (boundary at n/p = 0.3) in one family."""
    rows = [{**asdict(pd_exp.Config(a, b, p=100)), "toy": a - 0.3}
            for a in (0.1, 0.2, 0.4) for b in (0.05, 0.1, 0.2)]
    return pd.DataFrame(rows)


def test_boundary_points_take_the_nearest_resolvable_row_on_each_side():
    chosen = pd_pts.boundary_points(_toy_grid(), "toy", per_side=1, min_margin=0.05)
    assert sorted(np.round(chosen.toy, 3)) == [-0.1, 0.1]
    assert (chosen.conclusion == "toy").all()
    assert pd_pts.boundary_points(_toy_grid(), "toy", min_margin=0.5).empty


def test_boundary_crossing_and_sentence():
    grid = _toy_grid().rename(columns={"toy": "hessian-beats-magnitude"})
    crossings = pd_rep.boundary_crossings(grid, "hessian-beats-magnitude", "n_over_p", "s_over_p", 0.1)
    assert len(crossings) == 1 and 0.2 < crossings[0] < 0.4
    sentence = pd_rep.holds_sentence(grid, "hessian-beats-magnitude", pd_exp.Config(0.2, 0.1, p=100), 0.03)
    assert "on the 9 grid problems (|margin| < 3%: undecided): holds 33% / undecided 0% / fails 67%" in sentence
    assert "constant/aligned holds 33%" in sentence and "margin is -10.0%" in sentence
    assert f"n/p ≈ {crossings[0]:.2g}" in sentence
    # a band of 0.15 makes the margins of +-0.1 undecided
    assert "holds 0% / undecided 67% / fails 33%" in pd_rep.holds_sentence(
        grid, "hessian-beats-magnitude", pd_exp.Config(0.2, 0.1, p=100), 0.15)
    assert pd_rep.scope_of(grid, "hessian-beats-magnitude", pd_exp.Config(0.2, 0.1, p=100), 0.03) == "reversed"
    assert pd_rep.scope_of(grid, "hessian-beats-magnitude", pd_exp.Config(0.4, 0.1, p=100), 0.03) == "narrowed"
    assert pd_rep.scope_of(grid.assign(**{"hessian-beats-magnitude": 1.0}), "hessian-beats-magnitude",
                           pd_exp.Config(0.4, 0.1, p=100), 0.03) == "confirmed"


def test_confirmation_orients_the_difference_toward_the_predicted_side():
    configs = [pd_exp.Config(0.3, 0.1, p=100), pd_exp.Config(0.3, 0.1, alignment="inverted", p=100)]
    grid = pd_exp.evaluate_grid(configs, ["hessian-beats-magnitude"]).assign(conclusion="hessian-beats-magnitude")
    table, verdicts = pd_rep.confirm_points(grid, trials=4, seed=0)
    assert list(table.predicted) == ["holds", "fails"]
    for row, verdict in zip(table.itertuples(), verdicts):
        side = 1 if row.predicted == "holds" else -1
        assert row.outcome == pd_rep.OUTCOMES[verdict.status]
        if row.outcome == "confirmed":
            assert side * row.abs_ci_low > 0 or side * row.abs_ci_high < 0
        # one scale: the simulated margin is the mean difference over the mean reference, its interval around it
        assert row.simulated_margin_low <= row.simulated_margin <= row.simulated_margin_high
        assert np.sign(row.simulated_margin) == np.sign(row.abs_difference) and row.abs_unit == "risk"
    claims = pd_rep.confirmation_claims(table, verdicts)
    assert len(claims) == 1 and claims[0]["id"] == "phase-diagram-confirmed-hessian-beats-magnitude"


def test_nice_ticks():
    assert pd_fig.nice_ticks(0.05, 0.9) == [0.05, 0.1, 0.2, 0.5]
    assert pd_fig.nice_ticks(0.001, 0.9) == [0.001, 0.01, 0.1]  # three decades: the powers of ten only


def test_correlated_retraining_margin_from_the_sampled_characterization():
    from overparam.experiments.correlated_refits import theory_point

    config = pd_exp.Config(0.3, 0.1, p=100, rho=0.5)
    risks = theory_point(config.problem(), config.n, config.s, [], [], pd_exp.DC_DRAWS, (config.seed, 14))
    pruned, retrained = np.mean(risks[("magnitude", None, None)]), np.mean(risks[("magnitude+retrain", None, None)])
    assert pd_exp.retraining_pays_correlated(config) == pytest.approx((pruned - retrained) / pruned)
    assert pd_exp.retraining_pays_correlated(config) > 0  # strong correlation: retraining pays (chapter 12)
    assert pd_exp.retraining_pays_correlated(pd_exp.Config(0.3, 0.1, p=100)) < 0  # rho = 0: it does not
    with pytest.raises(ValueError, match="constant aligned"):
        pd_exp.Config(0.3, 0.1, theta_law="gaussian", p=100, rho=0.5).problem()


def test_rho_star_by_row():
    rows = [{**asdict(pd_exp.Config(a, 0.1, p=100, rho=r)), "retraining-pays-correlated": r - a / 10}
            for a in (0.2, 0.4) for r in (0.01, 0.03, 0.1)]
    stars = pd_rep.rho_star_by_row(pd.DataFrame(rows), "retraining-pays-correlated")
    assert list(stars.n_over_p) == [0.2, 0.4]
    assert 0.01 < stars.rho_star[0] < 0.03 < stars.rho_star[1] < 0.1
    assert list(stars.sign_changes) == [1, 1]


def test_rho_star_is_where_the_conclusion_holds_for_good_not_the_first_sign_change():
    margins = {0.001: 0.13, 0.003: 0.08, 0.01: -0.06, 0.03: 0.01, 0.1: 0.3}  # holds, fails, holds again
    falling = {0.001: 0.2, 0.003: 0.1, 0.01: -0.1, 0.03: -0.2, 0.1: -0.3}  # holds, then fails for good
    rows = [{**asdict(pd_exp.Config(a, 0.1, p=100, rho=r)), "retraining-pays-correlated": m}
            for a, line in ((0.5, margins), (0.9, falling)) for r, m in line.items()]
    stars = pd_rep.rho_star_by_row(pd.DataFrame(rows), "retraining-pays-correlated")
    assert 0.01 < stars.rho_star[0] < 0.03 and stars.sign_changes[0] == 2
    assert np.isnan(stars.rho_star[1]) and stars.sign_changes[1] == 1


CHAPTER_ONE = Path(__file__).resolve().parent.parent / "notebooks" / "01-linear-gaussian.md"


def test_the_diagrams_against_a_sweep_of_chapter_one_on_both_sides_of_the_boundary(tmp_path):
    """`overparam sweep` of chapter 1 at p = 200, s = 20 and n = 50, 150 (n/p = 0.25 and 0.75, on the two
    sides of the boundary of "the pruned large model beats the best small model" for constant aligned
    theta*, at n/p of about 0.38): chapter 1's paired simulation at k = p in every family (scope.csv)
    has the sign of the diagram's margin wherever the margin is resolvable, and the boundary itself is
    confirmed from both sides."""
    out = tmp_path / "sweep"
    status = main(["sweep", str(CHAPTER_ONE), "--set", "n=50,150", "--set", "p=200", "--set", "s=20",
                   "--set", "trials=3", "--set", "scope_trials=20", "--set", "seed=0", "--out", str(out),
                   "--workers", "2", "--no-progress"])
    assert status == 0
    check = pd_rep.sweep_scope_check(pd.read_csv(out / "curves" / "scope.csv"))
    assert len(check) == 2 * 8 * 2  # points x families x conclusions
    assert not (check.outcome == "contradicted").any(), check[check.outcome == "contradicted"]
    home = check[(check.conclusion == "pruned-beats-small") & (check.theta_law == "constant")
                 & (check.alignment == "aligned")].set_index("n_over_p")
    assert home.loc[0.25, "predicted"] == "holds" and home.loc[0.75, "predicted"] == "fails"
    assert set(home.outcome) == {"confirmed"}


def test_phases_of_a_margin():
    margins = [0.5, 0.03, 0.029, 0.0, -0.029, -0.03, -2.0, np.nan]
    assert list(pd_rep.phase_of(margins, 0.03)) == ["holds", "holds", "undecided", "undecided", "undecided",
                                                   "fails", "fails", "not evaluated"]
    shares = pd_rep.phase_shares(margins, 0.03)
    assert shares == {"holds": 0.25, "undecided": 0.375, "fails": 0.25, "not evaluated": 0.125}
    assert pd_rep.shares_text([0.5, -0.5], 0.03) == "holds 50% / undecided 0% / fails 50%"  # no NaN: no 4th share
    assert "not evaluated 12%" in pd_rep.shares_text(margins, 0.03)
    tidy = pd_rep.tidy_grid(_toy_grid().rename(columns={"toy": "hessian-beats-magnitude"}), ["hessian-beats-magnitude"],
                            0.15)
    assert set(tidy.phase) == {"undecided", "fails"} and (tidy.phase[np.isclose(tidy.margin, -0.2)] == "fails").all()


def test_scope_at_a_default_within_the_band_or_without_a_value():
    grid = _toy_grid().rename(columns={"toy": "hessian-beats-magnitude"})
    default = pd_exp.Config(0.2, 0.1, p=100)  # margin -0.1 there
    assert pd_rep.scope_of(grid, "hessian-beats-magnitude", default, 0.15) == "undecided at the default"
    unevaluated = grid.assign(**{"hessian-beats-magnitude": np.where(np.isclose(grid.n_over_p, 0.2), np.nan, 1.0)})
    assert pd_rep.scope_of(unevaluated, "hessian-beats-magnitude", default, 0.03) == "not evaluated at the default"
    assert pd_rep.boundary_crossings(unevaluated, "hessian-beats-magnitude", "n_over_p", "s_over_p", 0.1) == []


def test_a_point_without_a_finite_margin_or_draw_gets_no_verdict():
    configs = [pd_exp.Config(0.3, 0.1, p=100), pd_exp.Config(0.3, 0.1, p=100, seed=1)]
    grid = pd_exp.evaluate_grid(configs, ["hessian-beats-magnitude"]).assign(conclusion="hessian-beats-magnitude")
    grid.loc[1, "hessian-beats-magnitude"] = np.nan
    table, verdicts = pd_rep.confirm_points(grid, trials=4, seed=0)
    assert list(table.outcome) == ["confirmed", "not evaluated"] and verdicts[1] is None
    assert table.note[1] == "the theory gives no finite margin here" and np.isnan(table.simulated_margin[1])
    counts = pd_rep.outcome_counts(table)
    assert counts.loc["hessian-beats-magnitude", "not evaluated"] == 1
    assert counts.loc["hessian-beats-magnitude", "inconclusive"] == 0
    claim = pd_rep.confirmation_claims(table, verdicts)[0]
    assert claim["status"] == "reproduced"  # the one evaluated point decides; the other is no verdict
    assert "not evaluated (no verdict) at" in claim["measured"] and "no finite margin" in claim["measured"]
    assert pd_rep._not_evaluated(0.1, pd_exp.Paired(np.array([1.0, np.nan]), np.ones(2))) == \
        "1 of 2 simulated draws are NaN or infinite"


def test_ridge_simulation_at_an_infinite_tuned_mu_is_the_zero_model():
    """Sparse inverted theta*, s = 4 salient features that carry no weight: the theory tunes the k = s
    model's mu to infinity (the zero model); its simulated risk is that of theta = 0 on every draw."""
    config = pd_exp.Config(0.212132, 0.02, theta_law="sparse", alignment="inverted", p=200)
    risks = pd_exp.tuned_ridge_risks(config)
    assert np.isinf(risks["small_mu"])
    problem = config.problem()
    gains, small = pd_exp.simulate_ridge_gain(config, 3, 0)
    assert np.all(np.isfinite(gains)) and np.allclose(small, problem.risk(np.zeros(problem.p)))
    assert np.allclose(pd_exp.ridge_or_limit(np.ones((3, 2)), np.ones(3), np.inf), 0.0)


def test_ratio_interval_is_the_margin_on_the_simulation_scale():
    references = np.array([1.0, 2.0, 3.0, 4.0])
    assert pd_rep.ratio_interval(0.5 * references, references) == pytest.approx((0.5, 0.5, 0.5))
    ratio, low, high = pd_rep.ratio_interval(np.array([0.1, 0.3, 0.2, 0.6]), references)
    assert ratio == pytest.approx(1.2 / 10) and low < ratio < high
    assert np.isnan(pd_rep.ratio_interval(np.array([0.1, 0.2]), np.zeros(2))).all()  # no scale: no margin


def test_row_boundary_points_spread_over_the_rows_with_both_sides():
    rows = [{**asdict(pd_exp.Config(a, 0.1, p=100, rho=r)), "retraining-pays-correlated": r - a / 10}
            for a in (0.1, 0.2, 0.3, 0.4, 0.5) for r in (0.001, 0.01, 0.1, 0.5)]
    grid = pd.DataFrame(rows)
    chosen = pd_pts.row_boundary_points(grid, "retraining-pays-correlated", rows=3, min_margin=0.001)
    assert sorted(chosen.n_over_p.unique()) == [0.1, 0.3, 0.5]
    for _, line in chosen.groupby("n_over_p"):  # one point on each side, the nearest to rho*
        margins = np.sort(line["retraining-pays-correlated"].to_numpy())
        assert len(margins) == 2 and margins[0] < 0 < margins[1]
    assert len(pd_pts.row_boundary_points(grid, "retraining-pays-correlated", rows=9, min_margin=0.001)) == 10
    assert pd_pts.row_boundary_points(grid, "retraining-pays-correlated", min_margin=5.0).empty


def test_the_points_of_rho_star_bracket_the_last_crossing_not_the_first():
    margins = {0.001: 0.13, 0.003: 0.08, 0.01: -0.06, 0.03: 0.01, 0.1: 0.3}  # holds, fails, holds again
    line = pd.DataFrame([{**asdict(pd_exp.Config(0.9, 0.1, p=100, rho=r)), "retraining-pays-correlated": m}
                         for r, m in margins.items()])
    chosen = pd_pts.last_crossing_points(line, "retraining-pays-correlated", "rho", 0.05)
    assert list(chosen.rho) == [0.01, 0.1]  # 0.03 is within min_margin of 0: the next resolvable point
    falling = line.assign(**{"retraining-pays-correlated": -line.rho})  # fails at the end: no rho*
    assert pd_pts.last_crossing_points(falling, "retraining-pays-correlated", "rho", 0.05).empty


def _small_texts(fig) -> list:
    return [(text.get_text(), text.get_fontsize()) for text in fig.findobj(Text)
            if text.get_visible() and text.get_text() and text.get_fontsize() < SMALL_FONT_SIZE]


def test_figures_fit_the_column_with_no_font_below_the_small_size():
    use_book_style()
    grid = pd.concat([_toy_grid().assign(alignment=alignment) for alignment in ("aligned", "inverted")],
                     ignore_index=True).rename(columns={"toy": "hessian-beats-magnitude"})
    grid.loc[0, "hessian-beats-magnitude"] = np.nan  # a not-evaluated problem: white, in the key
    default = pd_exp.Config(0.2, 0.1, p=100)
    for fig in (pd_fig.plot_phase_diagram(grid, "hessian-beats-magnitude", default, 0.03),
                pd_fig.plot_conclusion_panels(grid[grid.alignment == "aligned"], ["hessian-beats-magnitude"] * 3,
                                              default, 0.03, x="n_over_p", y="s_over_p")):
        assert fig.get_figwidth() <= COLUMN_INCHES
        assert not _small_texts(fig)
        labels = [text.get_text() for text in fig.legends[0].get_texts()]
        assert "undecided (|margin| < 3%)" in labels and "not evaluated (no theory value)" in labels
        plt.close(fig)


def test_sweep_verdict_map_fits_the_column_with_no_font_below_the_small_size(tmp_path, monkeypatch):
    share = pd.DataFrame(np.linspace(0, 1, 24).reshape(3, 8), index=[1, 2, 3], columns=range(8))
    share.iloc[0, 0] = np.nan
    count = share.notna().astype(float) * 5
    drawn = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **k: (drawn.append(self),
                                                                                     real_savefig(self, *a, **k)))
    path = draw_verdict_map(share, count, "x", "y", "title", tmp_path / "map.png")
    with open(path, "rb") as f:
        assert png_size(f.read())[0] <= COLUMN_INCHES * 120  # saved at 120 dpi
    assert not _small_texts(drawn[0])


real_savefig = matplotlib.figure.Figure.savefig


def test_quoted_numbers_count_undecided_and_unevaluated_apart():
    grid = _toy_grid().rename(columns={"toy": "hessian-beats-magnitude"})  # margins -0.2, -0.1, 0.1 per row
    grid.loc[0, "hessian-beats-magnitude"] = np.nan
    rho_rows = [{**asdict(pd_exp.Config(a, 0.1, p=100, rho=r)), "retraining-pays-correlated": r - a / 10}
                for a in (0.2, 0.4) for r in (0.01, 0.03, 0.1)]
    table = pd.DataFrame({"diagram": ["n-s", "rho-n", "rho-n"], "n_over_p": [0.1, 0.2, 0.2],
                          "conclusion": ["hessian-beats-magnitude", "retraining-pays-correlated",
                                         "retraining-pays-correlated"],
                          "predicted_margin": [0.1, 0.2, 0.2], "simulated_margin": [0.12, np.nan, 0.1],
                          "simulated_margin_low": [0.05, np.nan, 0.02], "simulated_margin_high": [0.2, np.nan, 0.18],
                          "outcome": ["confirmed", "not evaluated", "inconclusive"]})
    numbers = pd_rep.quoted_numbers(grid, grid, pd.DataFrame(rho_rows), table, pd_exp.Config(0.4, 0.1, p=100), 0.15,
                                    by_family=["hessian-beats-magnitude"])
    assert numbers["where-hessian-beats-magnitude-share"] == 0
    assert numbers["where-hessian-beats-magnitude-undecided-share"] == pytest.approx(6 / 9)
    assert numbers["where-hessian-beats-magnitude-fails-share"] == pytest.approx(2 / 9)
    assert numbers["where-hessian-beats-magnitude-unevaluated-share"] == pytest.approx(1 / 9)
    assert numbers["where-hessian-beats-magnitude-constant-aligned-fails-share"] == pytest.approx(2 / 9)
    assert numbers["where-hessian-beats-magnitude-scope"] == "undecided at the default"  # margin 0.1 < 0.15
    assert (numbers["where-points-not-evaluated"], numbers["where-points-inconclusive"]) == (1, 1)
    assert numbers["where-rho-rows-checked"] == 1 and numbers["where-undecided-margin"] == 0.15
    assert numbers["where-sparse-fraction"] == pytest.approx(0.1) and numbers["where-sparse-zero-share"] == pytest.approx(0.9)
    assert (numbers["where-points-evaluated"], numbers["where-points-prediction-outside"]) == (2, 1)
    assert numbers["where-points-inconclusive-margin-excludes-zero"] == 1


def test_band_check_counts_predictions_outside_the_simulated_interval():
    table = pd.DataFrame({"conclusion": ["classifier-best-size-is-p"] * 3 + ["best-size-is-p"] * 2,
                          "predicted_margin": [0.10, -0.10, 0.05, 0.3, np.nan],
                          "simulated_margin": [0.20, -0.05, 0.04, 0.31, np.nan],
                          "simulated_margin_low": [0.15, -0.2, -0.01, 0.2, np.nan],
                          "simulated_margin_high": [0.25, 0.1, 0.09, 0.4, np.nan],
                          "outcome": ["confirmed", "inconclusive", "inconclusive", "confirmed", "not evaluated"]})
    numbers = pd_rep.band_check(table)
    assert numbers["where-points-evaluated"] == 4 and numbers["where-points-prediction-outside"] == 1
    assert numbers["where-points-outside-expected"] == pytest.approx(0.2)
    assert numbers["where-classifier-median-gap"] == pytest.approx(0.05)  # gaps 0.10, 0.05, 0.01
    assert numbers["where-points-inconclusive-margin-excludes-zero"] == 0  # both inconclusive intervals cross 0
    assert np.isnan(pd_rep.band_check(table.iloc[3:])["where-classifier-median-gap"])
