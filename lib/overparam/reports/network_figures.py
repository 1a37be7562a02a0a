"""The figure of a network width sweep (paper Fig. 1, 5 and 6), shared by the network chapters:
error against width, one row of panels per sparsity target, every curve with its 95% intervals over
seeds, at most one text column wide."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullLocator

from overparam.book.curves import style_of
from overparam.book.style import COLUMN_INCHES, SMALL_FONT_SIZE, log_axis, narrow_log_axis
from overparam.reports.networks import SPARSE_VARIANTS


def _bars(ax, curve, split, style, label=None):
    """One curve's mean errors against width with their 95% intervals over seeds, in its registered
    style; the errorbar container (a legend handle)."""
    return ax.errorbar(curve.width, curve[split],
                       yerr=[curve[split] - curve[f"{split}_ci_low"], curve[f"{split}_ci_high"] - curve[split]],
                       marker=style["marker"], ls=style["linestyle"], color=style["color"], capsize=2, lw=1,
                       label=label or style["label"])


# the small network of the target width, drawn across the panel: its line style and legend label
SMALL_NETWORKS = {"dense": (":", "small network of the target width"),
                  "dense-2x": (style_of("dense-2x")["linestyle"], "the same, twice the epochs"),
                  "dense-plateau": ("-.", "the same, trained to a plateau")}
BAND_ALPHA = 0.12  # light enough that the three small networks' overlapping bands stay apart
PANEL_INCHES = 3.2  # height of one row of panels
LEGEND_COLUMNS = 2
LEGEND_ROW_INCHES = 1.7 * SMALL_FONT_SIZE / 72  # a line of legend text and matplotlib's spacing


def _small_network(ax, row: pd.Series, split: str, variant: str):
    """One small network's mean error as a horizontal line across the panel, with its 95% interval
    over seeds as a band of the same colour; the (band, line) pair, one legend handle."""
    color = style_of(variant.replace("-plateau", ""))["color"]
    band = ax.axhspan(row[f"{split}_ci_low"], row[f"{split}_ci_high"], color=color, alpha=BAND_ALPHA, lw=0)
    line = ax.axhline(row[split], color=color, ls=SMALL_NETWORKS[variant][0], lw=1)
    return band, line


def _width_axis(ax, widths, model_name: str) -> None:
    """A log-scaled width axis labelled at exactly the widths tested, without minor ticks."""
    log_axis(ax)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(f"width of the dense {model_name}")


def _sweep_panel(ax, summary: pd.DataFrame, base: int, split: str, model_name: str) -> dict:
    """One panel of :func:`plot_width_sweep`: every curve of one split at one sparsity target;
    the legend handles by label, in drawing order."""
    handles = {}
    label = f"dense {model_name} of that width"
    handles[label] = _bars(ax, summary[summary.variant == "dense"], split, style_of("dense"), label)
    for variant, (_, label) in SMALL_NETWORKS.items():
        small = summary[(summary.variant == variant) & (summary.width == base)]
        if not small.empty:
            handles[label] = _small_network(ax, small.iloc[0], split, variant)
    for variant in SPARSE_VARIANTS:
        curve = summary[(summary.variant == variant) & (summary.base_width == base)]
        if not curve.empty:
            handles[style_of(variant)["label"]] = _bars(ax, curve, split, style_of(variant))
    _width_axis(ax, sorted(summary.width.unique()), model_name)
    narrow_log_axis(ax, "y")
    ax.set_ylabel(split.replace("_", " ").replace("train ", "training "))
    return handles


def figure_inches() -> float:
    """The figure's width: :data:`~overparam.book.style.COLUMN_INCHES` less the padding that saving it
    cropped to its contents adds on each side (``savefig.pad_inches``), so that the image the page
    shows is at most one text column wide."""
    return COLUMN_INCHES - 2 * plt.rcParams["savefig.pad_inches"]


def plot_width_sweep(summary: pd.DataFrame, base_widths, parameter_count, model_name: str):
    """Test (left) and training (right) error against width, one row per sparsity target (paper
    Fig. 1, 5 and 6), :func:`figure_inches` wide: the dense networks, the
    small network of the target width as horizontal lines with their 95% bands (trained once, dotted;
    twice as long, dashed; to a plateau of its validation error, dash-dotted), and every pruned
    variant, each in the style composed from its name (overparam.book.curves), means over seeds with 95%
    t-intervals. Each row is a subfigure titled with its target; one legend below all rows."""
    width = figure_inches()
    fig = plt.figure(figsize=(width, PANEL_INCHES * len(base_widths)), layout="constrained")
    handles = {}
    for row, base in zip(np.atleast_1d(fig.subfigures(len(base_widths), 1)), base_widths):
        row.suptitle(f"pruned to {parameter_count(base)} parameters (width {base})")
        for ax, split in zip(row.subplots(1, 2), ["test_error", "train_error"]):
            handles.update(_sweep_panel(ax, summary, base, split, model_name))
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=LEGEND_COLUMNS,
               fontsize=SMALL_FONT_SIZE)
    legend_rows = -(-len(handles) // LEGEND_COLUMNS)
    fig.set_size_inches(width, PANEL_INCHES * len(base_widths) + legend_rows * LEGEND_ROW_INCHES)
    return fig
