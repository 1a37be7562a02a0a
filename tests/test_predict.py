"""The calculator (overparam.reports.predict, `overparam predict`): the closed forms of chapter 1 for
any problem of the families, checked against a simulation, and bad input refused before anything
is computed."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar

from overparam.cli import main
from overparam.experiments.linear import theory_curves
from overparam.experiments.ridge_pruning import pipeline_risk, tune_mu
from overparam.reports.predict import (PREDICTED, RIDGE, all_compressors, best_sizes, model_sizes, predict,
                                       quantizers, ridge_pipeline)
from overparam.theory.problems import fig3_problem
from overparam.experiments.compressors import COMPRESSORS
from overparam.theory.quantization import (binary_map, calibrated_step, map_risk, prune_then_uniform_map, ternary_map,
                                           uniform_map, uniform_weight_error, weight_error)
from overparam.theory.quantization_curves import PAIR_ATOMS, bounded_minimum, quantizer_curves
from overparam.theory.risk import FitLaw


def test_the_table_is_chapter_ones_theory_with_sizes_below_the_budget_left_out():
    problem = fig3_problem("b", 200, 20, 10.0, 0.5)
    sizes = model_sizes(200, 80, 20)
    table = predict(problem, 80, 20, sizes)
    assert set(table.columns) >= {"compressor", "k", "risk"} and table.simulated.isna().all()
    hessian = table[table.compressor == "hessian"]
    assert hessian.k.min() >= 20
    expected = theory_curves(problem, 80, 20, sizes, ("hessian",))["hessian"][sizes >= 20]
    assert np.allclose(hessian.risk, expected, rtol=1e-10, atol=0)  # vectorised across sizes (theory.risk_curves)
    assert not np.isin(sizes, [79, 80, 81]).any()


def test_the_prediction_matches_a_simulation_of_its_problem():
    """A random-sign problem: the predicted risk of every compressor at k = p lies within 5% of the
    simulated mean over 40 data sets (the chapters measure about 1-3% at this size)."""
    problem = fig3_problem("b", 120, 12, 10.0, 0.5, theta_law="random-sign", seed=2)
    table = predict(problem, 50, 12, [30, 120], simulate=40, seed=3)
    at_p = table[table.k == 120]
    gaps = (at_p.simulated - at_p.risk).abs() / at_p.risk
    assert (gaps < 0.05).all(), at_p.to_string()
    assert (at_p.ci_low <= at_p.simulated).all() and (at_p.simulated <= at_p.ci_high).all()


def test_best_sizes_picks_the_lowest_predicted_risk():
    table = pd.DataFrame({"compressor": ["a", "a", "b", "b"], "k": [1, 2, 1, 2], "risk": [3.0, 2.0, 1.0, 5.0]})
    assert best_sizes(table).to_dict("list") == {"compressor": ["a", "b"], "best_k": [2, 1], "lowest_risk": [2.0, 1.0]}


def test_the_command_prints_the_table_and_writes_the_csv(tmp_path, capsys):
    path = tmp_path / "out.csv"
    assert main(["predict", "--p", "100", "--n", "40", "--s", "10", "--sizes", "12", "--csv", str(path)]) == 0
    out = capsys.readouterr().out
    assert "best model size for each compressor" in out and "hessian+retrain" in out
    assert set(pd.read_csv(path).compressor) >= {"dense", "magnitude", "hessian", "oracle", "random"}


# Modules of seconds of start-up that the command does not need: the sweep commands' (imported by
# name when a sweep runs), scipy.stats (Student's t quantiles come from scipy.special) and
# scikit-learn (chapter 10's experiment module uses it for the Lasso; the calculator's ridge does not).
HEAVY = ("scipy.stats", "jupytext", "nbformat", "dask", "distributed", "papermill", "matplotlib.pyplot",
         "overparam.sweep.commands", "sklearn")


def test_the_command_imports_none_of_the_heavy_modules():
    """`overparam predict` run in a fresh interpreter, then its modules listed (no timing: what is
    imported, which is what the start-up time follows)."""
    code = ("import sys\nfrom overparam.cli import main\n"
            "main(['predict', '--p', '60', '--n', '20', '--s', '6', '--sizes', '5'])\n"
            f"print([name for name in {HEAVY!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("arguments, message", [
    (["--p", "100", "--n", "40", "--s", "200"], "--s must lie in"),
    (["--p", "100", "--n", "1", "--s", "10"], "--n at least 2"),
    (["--p", "100", "--n", "40", "--s", "10", "--sigma", "-1"], "--sigma non-negative"),
    (["--p", "100", "--n", "40", "--s", "10", "--panel", "a", "--alignment", "inverted"], "panel 'b'"),
    (["--p", "100000", "--n", "1000", "--s", "10"], "more memory"),
])
def test_bad_input_is_refused_with_the_reason(arguments, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["predict", *arguments])
    assert stop.value.code == 2 and message in capsys.readouterr().err


# A small problem of the families, with sizes on both sides of n and below s, for the new compressors.
RIDGE_PROBLEM = dict(panel="b", p=150, s=15, spike=10.0, sigma=0.5, theta_law="random-sign", seed=1)
RIDGE_N, RIDGE_SIZES = 60, [4, 15, 30, 100, 150]


def small_problem():
    spec = RIDGE_PROBLEM
    return fig3_problem(spec["panel"], spec["p"], spec["s"], spec["spike"], spec["sigma"], spec["theta_law"],
                        seed=spec["seed"])


def test_the_ridge_curves_are_chapter_tens_tuned_pipelines():
    """At the mu it reports, each ridge compressor's risk is chapter 10's per-size pipeline_risk to
    1e-10, and that mu is at least as good as chapter 10's per-size tune_mu (whose search stops at
    1e-3 on log mu, so it may sit slightly above the minimum, never below it by more than rounding)."""
    problem, s = small_problem(), RIDGE_PROBLEM["s"]
    table = predict(problem, RIDGE_N, s, RIDGE_SIZES, RIDGE)
    assert set(table.compressor) == set(RIDGE)
    for row in table.itertuples():
        pipeline, sub = ridge_pipeline(row.compressor), problem.prefix(row.k)
        at_mu = pipeline_risk(sub, RIDGE_N, s, pipeline, row.mu)
        assert abs(at_mu / row.risk - 1) < 1e-10, (row, at_mu)
        _, reference = tune_mu(sub, RIDGE_N, s, pipeline)
        assert row.risk <= reference * (1 + 1e-10), (row, reference)
    assert (table[table.compressor == "ridge"].k.tolist() == RIDGE_SIZES
            and table[table.compressor == "ridge+hessian"].k.min() == s)  # only the pruning ones leave k < s out


# chapter 11's per-size step search (a bounded Brent search) stops at 1e-6 on log step; a risk moves
# with the step, so a step that close gives a risk this close (the risks at the same step: 1e-10)
STEP_SEARCH = 1e-6


# a Gaussian theta*: every feature its own atom, more than PAIR_ATOMS, so the all-sizes step searches
# run on the (size, atom) pairs (quantization_curves.pair_steps)
GAUSSIAN_PROBLEM = dict(panel="b", p=200, s=20, spike=10.0, sigma=0.5, theta_law="gaussian", seed=3)


@pytest.mark.parametrize("spec, bits", [(RIDGE_PROBLEM, 3), (GAUSSIAN_PROBLEM, 3), (GAUSSIAN_PROBLEM, 8)])
def test_the_quantizers_are_chapter_elevens_closed_forms(spec, bits):
    """For every size (k >= s for the pruning one), at bit widths other than the default: binary and
    ternary are chapter 11's map_risk to 1e-10; the uniform quantizers' risk at their step is
    map_risk of that step's map to 1e-10, that step's weight error is no larger than at chapter 11's
    calibrated_step, and the risks agree with chapter 11's to STEP_SEARCH; on a law of few atoms and on
    one with an atom per feature (the Gaussian theta*, its steps searched on the (size, atom) pairs)."""
    problem = fig3_problem(spec["panel"], spec["p"], spec["s"], spec["spike"], spec["sigma"], spec["theta_law"],
                           seed=spec["seed"])
    s, names = spec["s"], quantizers(bits)
    curves = quantizer_curves(problem, RIDGE_N, s, RIDGE_SIZES, bits, names)
    for j, k in enumerate(RIDGE_SIZES):
        law = FitLaw(problem.prefix(k), RIDGE_N)
        threshold = float(law.kept(s, "magnitude")[1][0]) if k >= s else None
        for name in names:
            risk, step = curves[name][0][j], curves[name][1][j]
            if name.startswith("prune+") and k < s:
                assert np.isnan(risk)
                continue
            if name in ("binary", "ternary"):
                expected = map_risk(law, (binary_map if name == "binary" else ternary_map)(law))
                assert abs(risk / expected - 1) < 1e-10, (name, k)
                continue
            kept = threshold if name.startswith("prune+") else 0.0
            ours, theirs = uniform_map(step, bits), uniform_map(calibrated_step(law, bits, kept), bits)
            at_step = map_risk(law, prune_then_uniform_map(law, s, bits, step) if kept else ours)
            assert abs(at_step / risk - 1) < 1e-10, (name, k)
            assert weight_error(law, ours, kept) <= weight_error(law, theirs, kept) * (1 + 1e-10), (name, k)
            reference = COMPRESSORS[name].theory(law, s)
            assert abs(risk / reference - 1) < STEP_SEARCH, (name, k, risk, reference)
    table = predict(problem, RIDGE_N, s, RIDGE_SIZES, names, bits=bits)
    assert np.allclose(table[table.compressor == "binary"].risk, curves["binary"][0], rtol=1e-12, atol=0)


def test_a_law_with_an_atom_per_feature_takes_the_pair_path():
    """A Gaussian theta* has more atoms than PAIR_ATOMS (the pair path of quantizer_curves) and the
    calculator's quantizers are its numbers."""
    problem = fig3_problem("b", 120, 12, 10.0, 0.5, theta_law="gaussian", seed=3)
    assert len(np.unique(problem.theta_star)) > PAIR_ATOMS
    names, sizes = quantizers(2), [5, 30, 120]
    table, curves = predict(problem, 50, 12, sizes, names, bits=2), quantizer_curves(problem, 50, 12, sizes, 2, names)
    for name in names:
        rows = table[table.compressor == name]
        assert np.array_equal(rows.risk, curves[name][0][np.isin(sizes, rows.k)]), name
    assert table[table.compressor == "prune+uniform-2"].k.min() == 30  # no 12 weights to keep among 5


def bumpy(x):
    """A function with local minima 0.3 apart on a slope (like a pruned model's weight error in log step)."""
    return (x - 1.3) ** 2 + 0.05 * np.cos(x / 0.3 * 2 * np.pi)


@pytest.mark.parametrize("function, bounds", [(bumpy, (-3.0, 4.0)), (bumpy, (0.7, 0.9)), (np.exp, (-2.0, 1.0)),
                                              (lambda x: np.abs(x - 0.2), (-1.0, 5.0))])
def test_the_vectorised_bounded_search_stops_where_scipys_does(function, bounds):
    """bounded_minimum runs scipy's bounded Brent search (the per-size calibrated_step's) for every row
    at once: on each row, the same trial points, so the same stop (to rounding), local minimum and
    bounds included; rows of different brackets share one call."""
    lo, hi = np.array([bounds[0], bounds[0] - 1.0]), np.array([bounds[1], bounds[1] + 0.5])
    found = bounded_minimum(lambda x, rows: function(x), lo, hi, 1e-6)
    for row in range(2):
        expected = minimize_scalar(function, bounds=(lo[row], hi[row]), method="bounded", options={"xatol": 1e-6}).x
        assert abs(found[row] - expected) < 1e-12, (row, found[row], expected)


# the block sums of uniform_weight_error differ from the sum atom by atom only in the order of their k
# positive terms (k eps ~ 1e-13 relative at k = 1000): the book's 1e-10 leaves room to spare
BLOCK_SUM = 1e-10


@pytest.mark.parametrize("bits", [2, 4, 8])
def test_the_uniform_weight_error_takes_every_atom_at_once_as_one_at_a_time(bits):
    """On a law with an atom per feature (Gaussian theta*, k = 1000), the weight error of the b-bit
    uniform quantizer from its default blocks (every atom at once at these bit widths) is the sum of
    the same formula one atom at a time (blocks of one atom), at steps on both sides of the
    calibrated one."""
    problem = fig3_problem("b", 1000, 100, 10.0, 0.5, theta_law="gaussian", seed=3)
    law = FitLaw(problem, 300)
    step, edges = calibrated_step(law, bits), 2**bits - 2
    for scale in (0.5, 1.0, 2.0):
        one_at_a_time = uniform_weight_error(law, scale * step, bits, entries=edges)
        assert abs(uniform_weight_error(law, scale * step, bits) / one_at_a_time - 1) < BLOCK_SUM, (bits, scale)


# The DC is exact as p grows; the chapters measure finite-size gaps of 1-3% at this size, so the theory
# must lie within the simulated 95% interval widened by this share of the theory.
FINITE_SIZE = 0.03


def test_the_new_compressors_match_a_simulation_of_their_problem():
    """Ridge (tuned mu, alone, pruned, retrained) and the quantizers at k = p and at a size between
    s and n, over 60 data sets: the theory within the 95% interval widened by FINITE_SIZE. The
    quantizers only at k = p: their scale and step are averages over the k weights, a prediction for
    many weights (chapter 11 checks them on its largest models)."""
    problem, s = small_problem(), RIDGE_PROBLEM["s"]
    names = (*RIDGE, *quantizers(3))
    table = predict(problem, RIDGE_N, s, [30, 150], names, simulate=60, seed=4, bits=3)
    checked = table[table.compressor.isin(RIDGE) | (table.k == 150)]
    slack = FINITE_SIZE * checked.risk
    inside = (checked.ci_low - slack <= checked.risk) & (checked.risk <= checked.ci_high + slack)
    assert inside.all(), checked[~inside].to_string()
    assert set(checked.compressor) == set(names)


def test_every_compressor_is_predicted_by_default_on_the_command_line(capsys):
    assert main(["predict", "--p", "100", "--n", "40", "--s", "10", "--sizes", "8", "--bits", "3"]) == 0
    out = capsys.readouterr().out
    for name in all_compressors(3):
        assert name in out, name
    assert "mu tuned for each pipeline" in out and "uniform-4" not in out


def test_the_command_simulates_the_chosen_compressors(capsys, tmp_path):
    path = tmp_path / "out.csv"
    assert main(["predict", "--p", "60", "--n", "20", "--s", "6", "--sizes", "4", "--simulate", "3",
                 "--compressors", "ridge+hessian,uniform-2", "--bits", "2", "--csv", str(path)]) == 0
    table = pd.read_csv(path)
    assert set(table.compressor) == {"ridge+hessian", "uniform-2"} and table.simulated.notna().all()
    assert table[table.compressor == "ridge+hessian"].mu.notna().all() and "95% interval" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["--bits", "1"], "compressor 'binary'"),
    (["--bits", "0"], "--bits: bits must lie in [2, 8]"),
    (["--bits", "9"], "--bits: bits must lie in [2, 8]"),
    (["--compressors", "dense,ridge+lasso"], "unknown compressor 'ridge+lasso'; the valid ones (at 4 bits per weight): dense,"),
    (["--compressors", "uniform-4", "--bits", "3"], "uniform-3"),
])
def test_bad_compressor_options_are_refused_with_the_reason(arguments, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["predict", "--p", "100", "--n", "40", "--s", "10", *arguments])
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_the_library_refuses_an_unknown_compressor_and_keeps_its_default():
    problem = fig3_problem("b", 60, 6, 10.0, 0.5)
    with pytest.raises(ValueError, match="unknown compressor 'lloyd'.*ridge\\+hessian"):
        predict(problem, 20, 6, [10, 60], ("dense", "lloyd"))
    with pytest.raises(ValueError, match="bits must lie in"):
        predict(problem, 20, 6, [10, 60], ("dense",), bits=0)
    assert set(predict(problem, 20, 6, [10, 60]).compressor) == set(PREDICTED)  # the explorer's curves
