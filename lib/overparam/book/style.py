"""One figure style for the whole book: the registered curves (:mod:`overparam.book.curves`: a
colour-blind-safe palette, one colour and marker per method) drawn as theory lines and simulated
markers with 95% bars."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.ticker import NullFormatter, ScalarFormatter

from overparam.book.curves import style_of

def use_book_style() -> None:
    """Set the matplotlib defaults every chapter uses."""
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
                         "legend.frameon": False, "font.size": 10})


def plot_theory_and_simulation(ax, table: pd.DataFrame, curve: str, theory_curve: str | None = None,
                               show_theory: bool = True, x: str = "k", y: str = "risk",
                               label: str | None = None, theory_style: str | None = None) -> None:
    """Draw one registered curve: its theory line and its simulated means with 95% confidence bars.

    ``table`` is a tidy frame with columns curve, source, ``x``, ``y``, ci_low, ci_high (one panel).
    ``theory_curve`` names the theory line to draw (defaults to ``curve``); ``label`` replaces the
    registry's label (to add a budget, say); ``theory_style`` the line style of the theory line.
    """
    style = style_of(curve)
    if show_theory:
        th = table[(table.curve == (theory_curve or curve)) & (table.source == "theory")]
        ax.plot(th[x], th[y], color=style["color"], lw=1.5, ls=theory_style or style["linestyle"])
    sim = table[(table.curve == curve) & (table.source == "simulation")]
    hollow = style.get("hollow", False)
    ax.errorbar(sim[x], sim[y], yerr=[sim[y] - sim.ci_low, sim.ci_high - sim[y]],
                fmt=style["marker"], ms=5, color=style["color"], capsize=2, lw=1,
                mfc="none" if hollow else style["color"], label=label or style["label"])


def simulation_handle():
    """A grey legend entry that looks like the simulated points: a marker with an error bar."""
    marker = plt.Line2D([], [], color="grey", marker="o", ls="none", ms=5)
    return ErrorbarContainer((marker, (), (LineCollection([], colors="grey"),)), has_xerr=False, has_yerr=True)


def theory_simulation_legend(fig, ax, ncol: int = 4, explain_marks: bool = True) -> None:
    """One legend below the panels: the methods drawn on ``ax`` (or on a list of axes, each label
    once), plus (``explain_marks``) which marks are theory and which are simulation. Call it
    instead of ``fig.tight_layout()``."""
    entries = {}
    for one in ax if isinstance(ax, (list, tuple)) else [ax]:
        for handle, label in zip(*one.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    handles, labels = list(entries.values()), list(entries)
    if explain_marks:
        handles += [plt.Line2D([], [], color="grey", lw=1.5), simulation_handle()]
        labels += ["theory (lines)", "simulation: mean and 95% CI (markers)"]
    rows = -(-len(labels) // ncol)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=9)
    fig.tight_layout(rect=(0, 0.045 * rows + 0.02, 1, 1))


def log_axis(ax, axis: str = "x") -> None:
    """A log-scaled axis with plain-number labels on the decades and no crowded minor labels."""
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(ScalarFormatter())
    target.set_minor_formatter(NullFormatter())
