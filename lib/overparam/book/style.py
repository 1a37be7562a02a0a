"""One figure style for the whole book: a colour-blind-safe palette (Okabe-Ito), one colour and
marker per method, theory as lines and simulation as markers with 95% bars."""
from __future__ import annotations

import re
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]


@dataclass(frozen=True)
class Curve:
    """How one curve looks in every figure and is named in every table of the book."""

    label: str
    color: str
    marker: str
    linestyle: str = "-"

    def style(self) -> dict:
        return dict(color=self.color, marker=self.marker, label=self.label, linestyle=self.linestyle)


# One registry of curves: a curve has the same name in the tidy files of every chapter, and the same
# label, colour and marker in every figure. A '-same-sample' suffix (retraining on the training
# sample instead of a fresh one) keeps the colour and draws hollow markers (see `style_of`).
CURVES: dict[str, Curve] = {
    "dense": Curve("dense (no pruning)", OKABE_ITO[0], "o"),
    "magnitude": Curve("magnitude pruning", OKABE_ITO[5], "s"),
    "hessian": Curve("Hessian pruning", OKABE_ITO[6], "^"),
    "oracle": Curve("oracle pruning", OKABE_ITO[3], "D"),
    "random": Curve("random pruning", OKABE_ITO[2], "x"),
    "magnitude+retrain": Curve("magnitude + retrain", OKABE_ITO[7], "v"),
    "hessian+retrain": Curve("Hessian + retrain", OKABE_ITO[1], "P"),
    "random+retrain": Curve("random + retrain", OKABE_ITO[2], "X", "--"),
    "kept-support": Curve("refit of the kept support, Gaussian-design theory", OKABE_ITO[4], "d", ":"),
    "small-model": Curve("small model on the most salient features", OKABE_ITO[0], "o", "--"),
    "dc-law": Curve("independent draws from the DC law", OKABE_ITO[1], "s"),
    # the network chapters' controls
    "dense-2x": Curve("dense, trained twice as long", OKABE_ITO[0], "h", "--"),
    "random-layerwise+retrain": Curve("random (layer-wise counts) + retrain", OKABE_ITO[4], "d"),
    "magnitude-reinit+retrain": Curve("magnitude mask, re-initialised, trained", OKABE_ITO[3], "<"),
    # coordinate-wise quantizers; "uniform-<b>" and "prune+uniform-<b>" name a bit width b (see style_of)
    "binary": Curve("binary (sign x scale)", OKABE_ITO[6], "<"),
    "ternary": Curve("ternary", OKABE_ITO[1], ">"),
    "uniform": Curve("uniform quantization", OKABE_ITO[5], "o"),
    "prune+uniform": Curve("magnitude pruning, then uniform quantization", OKABE_ITO[7], "s"),
    # the best map of the value alone with a quantizer's output levels (a bound, needs theta*)
    "bound-binary": Curve("bound for the binary levels", OKABE_ITO[6], "<", "--"),
    "bound-ternary": Curve("bound for the ternary levels", OKABE_ITO[1], ">", "--"),
    "bound-uniform": Curve("bound for the uniform levels", OKABE_ITO[5], "o", "--"),
    # refits of a pruned support other than a fresh labelled sample (chapter 12)
    "magnitude+split": Curve("magnitude, split sample (prune on f n, refit on the rest)", OKABE_ITO[2], "D", "-."),
    "hessian+split": Curve("Hessian, split sample (prune on f n, refit on the rest)", OKABE_ITO[2], "d", "-."),
    "magnitude+distill": Curve("magnitude, distilled from the dense fit", OKABE_ITO[3], "*", "--"),
    "hessian+distill": Curve("Hessian, distilled from the dense fit", OKABE_ITO[3], "*", "--"),
    # chapter 13: classification ("<fit>/<compressor>": least squares on +-1 labels, logistic regression by
    # gradient descent, hard-margin SVM; one colour per pruning rule, one marker family per fit)
    "ls/dense": Curve("least squares, dense", OKABE_ITO[0], "o"),
    "ls/magnitude": Curve("least squares, magnitude pruning", OKABE_ITO[5], "s"),
    "ls/hessian": Curve("least squares, Hessian pruning", OKABE_ITO[6], "^"),
    "ls/random": Curve("least squares, random pruning", OKABE_ITO[2], "x"),
    "ls/magnitude+retrain": Curve("least squares, magnitude + refit", OKABE_ITO[5], "s", "--"),
    "ls/hessian+retrain": Curve("least squares, Hessian + refit", OKABE_ITO[6], "^", "--"),
    "ls/random+retrain": Curve("least squares, random + refit", OKABE_ITO[2], "x", "--"),
    "logistic/dense": Curve("logistic, dense", OKABE_ITO[0], "D"),
    "logistic/magnitude": Curve("logistic, magnitude pruning", OKABE_ITO[5], "D"),
    "logistic/hessian": Curve("logistic, Hessian pruning", OKABE_ITO[6], "D"),
    "logistic/random": Curve("logistic, random pruning", OKABE_ITO[2], "D"),
    "logistic/magnitude+retrain": Curve("logistic, magnitude + refit", OKABE_ITO[5], "P", "--"),
    "logistic/hessian+retrain": Curve("logistic, Hessian + refit", OKABE_ITO[6], "P", "--"),
    "logistic/random+retrain": Curve("logistic, random + refit", OKABE_ITO[2], "P", "--"),
    "svm/dense": Curve("hard-margin SVM, dense", OKABE_ITO[0], "*"),
    "svm/magnitude": Curve("hard-margin SVM, magnitude pruning", OKABE_ITO[5], "*"),
    "svm/hessian": Curve("hard-margin SVM, Hessian pruning", OKABE_ITO[6], "*"),
}
SAME_SAMPLE = "-same-sample"
BITS = re.compile(r"^(?P<base>.+)-(?P<bits>\d+)$")


def use_book_style() -> None:
    """Set the matplotlib defaults every chapter uses."""
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
                         "legend.frameon": False, "font.size": 10})


def style_of(curve: str) -> dict:
    """Colour, marker, line style and label of a registered curve; a '-same-sample' suffix gets
    hollow markers; a '-<b>' suffix names a bit width (colour from a ramp over b). An unregistered
    name is an error that lists the registered ones."""
    bits = BITS.match(curve)
    if bits and bits["base"] in CURVES:
        style = CURVES[bits["base"]].style()
        b = int(bits["bits"])
        style["color"] = matplotlib.colors.to_hex(plt.get_cmap("viridis")(min(b, 8) / 9))
        style["label"] += f", {b} bits"
        return style
    base = curve.removesuffix(SAME_SAMPLE)
    if base not in CURVES:
        raise KeyError(f"curve {curve!r} is not registered in overparam.book.style.CURVES; registered: {sorted(CURVES)}")
    style = CURVES[base].style()
    if curve != base:
        style["label"] += " (same sample)"
        style["hollow"] = True
    return style


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
    from matplotlib.collections import LineCollection
    from matplotlib.container import ErrorbarContainer
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
    from matplotlib.ticker import NullFormatter, ScalarFormatter
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(ScalarFormatter())
    target.set_minor_formatter(NullFormatter())
