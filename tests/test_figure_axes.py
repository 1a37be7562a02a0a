"""Readable figures drawn from the committed results: chapter 3's log axes carry several plain-number
labels (overparam.reports.pruning_risk), and every curve of chapter 12's figure over rho takes its look
and label from its name (overparam.reports.correlated_refits, overparam.book.curves.style_of)."""
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from overparam.book.curve_names import CurveName  # noqa: E402
from overparam.book.curves import style_of  # noqa: E402
from overparam.book.paths import ROOT  # noqa: E402
from overparam.reports import pruning_risk  # noqa: E402
from overparam.reports.correlated_refits import plot_over_rho  # noqa: E402

PRUNING = ROOT / "results" / "03-pruning-risk"
REFITS = ROOT / "results" / "12-correlated-refits" / "refit_curves.csv"


def log_axis_labels(fig) -> list[list[str]]:
    """The tick labels shown inside the view of every log-scaled axis of ``fig``, one list per axis."""
    fig.canvas.draw()
    found = []
    for ax in fig.axes:
        for axis, index in ((ax.xaxis, 0), (ax.yaxis, 1)):
            if axis.get_scale() == "log":
                low, high = sorted(axis.get_view_interval())
                found.append([tick.get_text() for tick in axis.get_ticklabels()
                              if tick.get_text() and low <= tick.get_position()[index] <= high])
    plt.close(fig)
    return found


def risk_figure(table: pd.DataFrame):
    """Chapter 3's risk against the budget, both spectra, with the dense risk read off s = p."""
    p = int(table.s.max())
    fig, axes = plt.subplots(2, 1)
    for ax, (name, panel) in zip(axes, table.groupby("spectrum")):
        dense = panel[(panel.s == p) & (panel.source == "theory")].risk.iloc[0]
        pruning_risk.plot_risk_by_budget(ax, panel, dense, p)
    return fig


def spread_figure(table: pd.DataFrame):
    """Chapter 3's Hessian/magnitude ratio against the variance ratio."""
    fig, ax = plt.subplots()
    pruning_risk.plot_spread(ax, table)
    return fig


def small_model_figure(table: pd.DataFrame):
    """Chapter 3's small model against the pruned large fit, its optimum read off the theory."""
    theory = table[(table.curve == "small-model") & (table.source == "theory")]
    best = int(np.argmin(theory.risk.to_numpy()))
    study = SimpleNamespace(best_k=int(theory.k.iloc[best]), best_risk=float(theory.risk.iloc[best]),
                            pruned_theory={rule: table[table.curve == rule].risk.to_numpy()
                                           for rule in ("hessian", "oracle")})
    fig, ax = plt.subplots()
    pruning_risk.plot_small_model(ax, table, study, top=3.0)
    return fig


@pytest.mark.parametrize("draw, file", [(risk_figure, "risk_vs_kept_fraction.csv"),
                                        (spread_figure, "hessian_vs_magnitude.csv"),
                                        (small_model_figure, "best_small_model.csv")])
def test_chapter_3_log_axes_carry_at_least_three_plain_number_labels(draw, file):
    axes = log_axis_labels(draw(pd.read_csv(PRUNING / file)))
    assert axes, "the figure should have a log axis"
    for labels in axes:
        assert len(labels) >= 3, labels
        assert all(float(label) > 0 for label in labels), labels  # "20", "0.5": no "$10^{2}$"


def drawn_curves(ax) -> list[tuple[str, str, str]]:
    """(label, colour, marker) of every simulated curve (error-bar container) drawn on ``ax``."""
    return [(bars.get_label(), matplotlib.colors.to_hex(bars.lines[0].get_color()), bars.lines[0].get_marker())
            for bars in ax.containers]


def test_every_curve_over_rho_takes_its_look_and_label_from_its_name():
    table = pd.read_csv(REFITS).astype({"m": float})
    zero = {(family, float(rho)): 1.0 for family, rho in zip(table.panel, table.rho)}
    fig = plot_over_rho(table, zero)
    by_label = {style_of(name)["label"]: name for name in set(table.curve)}
    drawn = set()
    for ax in fig.axes:
        rule = CurveName.parse(by_label[ax.get_title().split("\n")[0]]).rule  # the title is the rule's label
        for label, colour, marker in drawn_curves(ax):
            name = by_label[label]  # a KeyError: a label not composed by style_of
            style = style_of(name)
            assert (colour, marker) == (style["color"].lower(), style["marker"]), name
            assert CurveName.parse(name).rule in (rule, "dense"), (rule, name)
            drawn.add(name)
    plt.close(fig)
    assert {"magnitude+retrain-pooled", "magnitude+retrain-same-design"} <= drawn
