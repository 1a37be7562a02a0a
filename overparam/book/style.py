"""One figure style for the whole book: a colour-blind-safe palette (Okabe-Ito), one colour and
marker per method, theory as lines and simulation as markers with 95% bars."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]

METHOD_STYLE = {
    "dense": dict(color=OKABE_ITO[0], marker="o", label="dense (no pruning)"),
    "magnitude": dict(color=OKABE_ITO[5], marker="s", label="magnitude pruning"),
    "hessian": dict(color=OKABE_ITO[6], marker="^", label="Hessian pruning"),
    "oracle": dict(color=OKABE_ITO[3], marker="D", label="oracle pruning"),
    "magnitude+retrain": dict(color=OKABE_ITO[7], marker="v", label="magnitude + retrain"),
    "hessian+retrain": dict(color=OKABE_ITO[1], marker="P", label="Hessian + retrain"),
    "random": dict(color=OKABE_ITO[2], marker="x", label="random pruning"),
    "random+retrain": dict(color=OKABE_ITO[2], marker="X", label="random + retrain"),
    "random-layerwise+retrain": dict(color=OKABE_ITO[4], marker="d", label="random (layer-wise counts) + retrain"),
    "magnitude-reinit+retrain": dict(color=OKABE_ITO[7], marker="<", label="magnitude mask, re-initialised, trained"),
}


def use_book_style() -> None:
    """Set the matplotlib defaults every chapter uses."""
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
                         "legend.frameon": False, "font.size": 10})


def style_of(curve: str) -> dict:
    """Colour, marker and label of a curve; a '-same-sample' suffix gets hollow markers."""
    base, _, variant = curve.partition("-same-sample")
    style = dict(METHOD_STYLE[base])
    if curve != base:
        style["label"] += " (same sample)"
        style["hollow"] = True
    return style


def plot_theory_and_simulation(ax, table: pd.DataFrame, curve: str, theory_curve: str | None = None,
                               show_theory: bool = True) -> None:
    """Draw one method: its theory line and its simulated means with 95% confidence bars.

    ``table`` is a tidy frame with columns curve, source, k, risk, ci_low, ci_high (one panel).
    ``theory_curve`` names the theory line to draw (defaults to ``curve``).
    """
    style = style_of(curve)
    if show_theory:
        th = table[(table.curve == (theory_curve or curve)) & (table.source == "theory")]
        ax.plot(th.k, th.risk, color=style["color"], lw=1.5)
    sim = table[(table.curve == curve) & (table.source == "simulation")]
    hollow = style.get("hollow", False)
    ax.errorbar(sim.k, sim.risk, yerr=[sim.risk - sim.ci_low, sim.ci_high - sim.risk],
                fmt=style["marker"], ms=5, color=style["color"], capsize=2, lw=1,
                mfc="none" if hollow else style["color"], label=style["label"])


def simulation_handle():
    """A grey legend entry that looks like the simulated points: a marker with an error bar."""
    from matplotlib.collections import LineCollection
    from matplotlib.container import ErrorbarContainer
    marker = plt.Line2D([], [], color="grey", marker="o", ls="none", ms=5)
    return ErrorbarContainer((marker, (), (LineCollection([], colors="grey"),)), has_xerr=False, has_yerr=True)


def theory_simulation_legend(fig, ax, ncol: int = 4, explain_marks: bool = True) -> None:
    """One legend below the panels: the methods drawn on ``ax``, plus (``explain_marks``) which
    marks are theory and which are simulation. Call it instead of ``fig.tight_layout()``."""
    handles, labels = ax.get_legend_handles_labels()
    if explain_marks:
        handles += [plt.Line2D([], [], color="grey", lw=1.5), simulation_handle()]
        labels += ["theory (lines)", "simulation: mean and 95% CI (markers)"]
    rows = -(-len(labels) // ncol)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=9)
    fig.tight_layout(rect=(0, 0.045 * rows + 0.02, 1, 1))


def log_axis(ax, axis: str = "x") -> None:
    """A log-scaled axis with plain-number labels on the decades and no crowded minor labels."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(ScalarFormatter())
    target.set_minor_formatter(NullFormatter())
