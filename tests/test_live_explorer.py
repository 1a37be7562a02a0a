"""The explorer outside the static site (overparam.reports.explorer): in a live kernel its curves are
the calculator's, recomputed exactly for values off the static page's grid, at every move of a
control; the printed book's static panel draws every representative problem."""
import matplotlib
import numpy as np
import pytest

from overparam.reports import explorer
from overparam.reports.explorer import REPRESENTATIVE, VIEWS, Setting, explorer_table, live_explorer, static_panel
from overparam.reports.predict import model_sizes, predict
from overparam.theory.problems import fig3_problem

matplotlib.use("Agg")

OFF_GRID = Setting(n_over_p=0.37, s_over_n=0.22, spike=7.3, sigma=0.31, theta_law="gaussian", p=300, seed=4)


@pytest.mark.parametrize("view", list(VIEWS))
def test_table_is_the_calculators_at_a_value_off_the_grid(view):
    table = explorer_table(OFF_GRID, view)
    n, s = OFF_GRID.n, OFF_GRID.s
    assert (n, s) == (111, 24)
    problem = fig3_problem("b", 300, s, 7.3, 0.31, "gaussian", "aligned", 4)
    expected = predict(problem, n, s, model_sizes(300, n, 60), VIEWS[view])
    assert list(table.compressor.unique()) == list(VIEWS[view])
    np.testing.assert_allclose(table.risk.to_numpy(), expected.risk.to_numpy(), rtol=1e-12)


def test_every_move_of_a_control_recomputes(monkeypatch):
    drawn = []
    monkeypatch.setattr(explorer, "explorer_figure", lambda setting, view: drawn.append((setting, view)))
    widget = live_explorer()
    by_name = {child.description: child for child in widget.children[:-1]}
    by_name["σ"].value = 1.0
    by_name["view"].value = "retraining"
    by_name["law of θ*"].value = "sparse"
    settings = [setting for setting, _ in drawn]
    assert settings[-1].sigma == pytest.approx(1.0) and settings[-1].theta_law == "sparse"
    assert drawn[-1][1] == "retraining" and len(drawn) >= 3


def test_a_setting_without_a_problem_says_why(capsys):
    widget = live_explorer()
    by_name = {child.description: child for child in widget.children[:-1]}
    by_name["alignment"].value = "inverted"
    by_name["panel"].value = "a"
    widget.update()
    assert "no such problem" in capsys.readouterr().out


def test_bad_view_is_refused():
    with pytest.raises(ValueError, match="view must be one of"):
        explorer_table(Setting(), "quantization-as-pruning")


def test_static_panel_draws_every_representative_problem():
    fig = static_panel()
    drawn = [ax for ax in fig.axes if ax.get_visible()]
    assert len(drawn) == len(REPRESENTATIVE)
    for ax, setting in zip(drawn, REPRESENTATIVE):
        assert ax.get_title() == setting.title(lines=2)
        assert len(ax.get_lines()) == len(VIEWS["pruning"]) + 2  # the curves, then k = s and k = n
