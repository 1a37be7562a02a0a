"""The calculator (overparam.reports.predict, `overparam predict`): the closed forms of chapter 1 for
any problem of the families, checked against a simulation, and bad input refused before anything
is computed."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from overparam.cli import main
from overparam.experiments.linear import theory_curves
from overparam.reports.predict import best_sizes, model_sizes, predict
from overparam.theory.problems import fig3_problem


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
# name when a sweep runs) and scipy.stats (Student's t quantiles come from scipy.special).
HEAVY = ("scipy.stats", "jupytext", "nbformat", "dask", "distributed", "papermill", "matplotlib.pyplot",
         "overparam.sweep.commands")


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
