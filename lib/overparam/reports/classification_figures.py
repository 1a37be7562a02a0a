"""Chapter 13's figures (classification of sign labels): test error against the number of features
used, theory lines and simulated means, per panel; the wide panel (c) with the Bayes error and chance;
and the share of draws whose min-norm interpolator is the max-margin classifier."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from overparam.book.style import (COLUMN_INCHES, SMALL_FONT_SIZE, fitted_legend, log_axis, plot_theory_and_simulation,
                                  simulation_handle)


def plot_error_panels(table: pd.DataFrame, panels: dict, curves, n_of: dict, s_of: dict, theory_of=None,
                      ylim=(0.3, 0.5), lines: str = "theory (lines)"):
    """One axis per panel: test error against k (log axis) for the registered ``curves``, theory lines
    (``theory_of`` maps a curve to the theory line drawn with it; default: its own; ``lines`` says what
    they are in the legend) and simulated means with 95% bars; grey lines at k = s (dashed) and k = n
    (dotted)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(COLUMN_INCHES, 5.6), squeeze=False)
    for ax, (panel, title) in zip(axes[0], panels.items()):
        here = table[table.panel == panel]
        for curve in curves:
            theory_curve = (theory_of or {}).get(curve, curve)
            show = (here.curve == theory_curve).any() and (here[here.curve == theory_curve].source == "theory").any()
            plot_theory_and_simulation(ax, here, curve, theory_curve=theory_curve, show_theory=show, y="error")
        log_axis(ax)
        ax.axvline(s_of[panel], color="grey", ls="--", lw=1)
        ax.axvline(n_of[panel], color="grey", ls=":", lw=1)
        ax.set_ylim(*ylim)
        ax.set(xlabel="number of features used, k", ylabel="test error", title=title)
    legend_below(fig, axes[0][-1], lines)
    return fig


def legend_below(fig, ax, lines: str, ncol: int = 2) -> None:
    """The book's legend below the panels, with the grey line entry saying what the lines are."""
    handles, labels = ax.get_legend_handles_labels()
    entries = dict(zip(labels, handles))
    handles = [*entries.values(), plt_line(), simulation_handle()]
    labels = [*entries, lines, "simulation: mean and 95% CI (markers)"]
    fitted_legend(fig, handles, labels, ncol)


def plt_line():
    """A grey line for the legend: the entry of the theory lines."""
    return plt.Line2D([], [], color="grey", lw=1.5)


def plot_wide_panel(ax, table: pd.DataFrame, rules, n: int, s: int, bayes: float) -> None:
    """Test error against k on one axis: for each rule, the least-squares prediction (line) and
    simulation, the hard-margin SVM and logistic regression (markers with 95% bars); the Bayes error
    and chance (1/2) as grey references, and the axis from just below the Bayes error to 1/2."""
    for rule in rules:
        plot_theory_and_simulation(ax, table, f"ls/{rule}", y="error")
        for fit in ["svm", "logistic"]:
            plot_theory_and_simulation(ax, table, f"{fit}/{rule}", show_theory=False, y="error")
    log_axis(ax)
    ax.axvline(s, color="grey", ls="--", lw=1)
    ax.axvline(n, color="grey", ls=":", lw=1)
    ax.axhline(bayes, color="grey", lw=1, ls="-.")
    ax.axhline(0.5, color="grey", lw=1, ls="-")
    ax.text(ax.get_xlim()[0], bayes, " Bayes error", va="bottom", fontsize=SMALL_FONT_SIZE, color="grey")
    ax.set_ylim(bayes - 0.03, 0.505)
    ax.set(xlabel="number of features used, k", ylabel="test error", title=f"(c) spiked Σ, n = {n}")


def plot_share_panel(ax, share: pd.DataFrame, n_of: dict) -> None:
    """The share of draws whose min-norm interpolator is the max-margin classifier (every y_i a_i > 0)
    against the features per sample k / n (log axis), one line per panel of ``n_of``."""
    for q, marker in zip(n_of, "os*"):
        here = share[share.panel == q]
        ax.plot(here.k / n_of[q], here.share, marker=marker, label=f"panel ({q}), n = {n_of[q]}")
    ax.set(xscale="log", xlabel="features per sample, k / n", ylabel=r"share of draws with every $y_i a_i > 0$")
    ax.legend(loc="upper left")
