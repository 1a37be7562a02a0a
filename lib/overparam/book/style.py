"""One figure style for the whole book: the curves (their looks composed from their names by
:mod:`overparam.book.curves`: a colour-blind-safe palette, a colour per rule, a marker per fit, a line
style per refit) drawn as theory lines and simulated markers with 95% bars."""
from __future__ import annotations

import struct

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter, StrMethodFormatter

from overparam.book.curves import style_of

try:  # the figure formatter of a Jupyter kernel; the style is also used where IPython is not installed
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure
except ImportError:
    get_ipython = print_figure = None

# A figure is shown at DISPLAY_DPI CSS pixels per inch (its PNG holds PNG_SCALE times as many pixels,
# crisp on high-density screens and projectors); the page's text column is about COLUMN_INCHES wide at
# that scale on a desktop, and a wider figure is shrunk to fit it. Text of FONT_SIZE points is then
# shown at 11-12 pt in a figure at most COLUMN_INCHES wide; MAX_PANELS_PER_ROW keeps panels readable.
DISPLAY_DPI = 100
PNG_SCALE = 2
COLUMN_INCHES = 8.0
FONT_SIZE = 12
SMALL_FONT_SIZE = 11  # ticks and legends
MAX_PANELS_PER_ROW = 4
BOOK_RC = {"figure.dpi": DISPLAY_DPI, "savefig.dpi": PNG_SCALE * DISPLAY_DPI, "axes.grid": True,
           "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
           "legend.frameon": False, "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE,
           "axes.labelsize": FONT_SIZE, "xtick.labelsize": SMALL_FONT_SIZE,
           "ytick.labelsize": SMALL_FONT_SIZE, "legend.fontsize": SMALL_FONT_SIZE,
           "figure.titlesize": FONT_SIZE + 1}


def use_book_style() -> None:
    """Set the matplotlib defaults every chapter uses (:data:`BOOK_RC`) and, in a Jupyter kernel,
    show figures as PNG_SCALE-times PNGs at their natural size (:func:`png_at_scale`)."""
    plt.rcParams.update(BOOK_RC)
    show_figures_at_scale()


def png_at_scale(fig, scale: int = PNG_SCALE):
    """A figure as a PNG of ``scale`` times its pixels, with its display width (in CSS pixels at
    figure.dpi) in the output's metadata, so that the page shows it at its natural size, sharp.
    Only the width: a fixed height would distort the image where the page shrinks it to the column
    (a phone). None for an empty figure (as IPython's own formatter)."""
    png = print_figure(fig, fmt="png", dpi=scale * fig.dpi)
    if png is None:
        return None
    return png, {"width": png_size(png)[0] // scale}


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG image, read from its header: the 8-byte signature, then the
    IHDR chunk's length and type (8 bytes) and its first two fields, big-endian 4-byte integers. The
    width of the saved image, not of the figure: the kernel saves figures cropped to their contents."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


def show_figures_at_scale() -> bool:
    """Make the running IPython kernel display matplotlib figures with :func:`png_at_scale`; whether
    it did (False outside IPython). The inline backend is loaded first (by opening and closing a
    figure): loading it later would put back its own 1x PNG formatter."""
    shell = get_ipython() if get_ipython is not None else None
    if shell is None:
        return False
    plt.close(plt.figure())
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, png_at_scale)
    for other in ("image/svg+xml", "image/jpeg", "application/pdf"):
        formatters[other].pop(Figure, None)
    return True


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
    """One legend below the panels: the curves drawn on ``ax`` (or on a list of axes, each label
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
    fitted_legend(fig, handles, labels, ncol)


def fitted_legend(fig, handles, labels, ncol: int = 4, **options):
    """One legend below the panels in ``ncol`` columns, or fewer where that many would make it wider
    than the figure (the page would then show the whole figure shrunk; the figure then grows by the
    added rows, so that its panels keep their height), and the panels laid out above its rows (call
    it instead of ``fig.tight_layout()``); ``options`` go to ``fig.legend``. The legend."""
    renderer = fig.canvas.get_renderer()
    asked = max(1, min(ncol, len(labels)))
    for columns in range(asked, 0, -1):
        legend = fig.legend(handles, labels, loc="lower center", ncol=columns, fontsize=SMALL_FONT_SIZE, **options)
        if columns == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
            break
        legend.remove()
    rows = -(-len(labels) // columns)
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + (rows - -(-len(labels) // asked)) * legend_row_height(fig) * height)
    fig.tight_layout(rect=(0, rows * legend_row_height(fig) + 0.02, 1, 1))
    return legend


def legend_row_height(fig, fontsize: float = SMALL_FONT_SIZE) -> float:
    """The height of one row of a legend of ``fontsize`` points, as a fraction of ``fig``'s height
    (a line of text and matplotlib's default spacing: about 1.7 times the font size)."""
    return 1.7 * fontsize / 72 / fig.get_size_inches()[1]


def log_axis(ax, axis: str = "x") -> None:
    """A log-scaled axis with plain-number labels on the decades and no crowded minor labels."""
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(ScalarFormatter())
    target.set_minor_formatter(NullFormatter())


NARROW_DECADES = 2.0  # a log axis spanning at most this many decades is labelled between its decades


def narrow_log_axis(ax, axis: str = "y") -> None:
    """A :func:`log_axis` labelled with plain numbers ("0.6", not "6x10^-1"): at 1, 2, 3 and 5 times
    each power of ten when the axis spans at most NARROW_DECADES decades (so that a range narrower
    than a decade carries several labelled ticks), at the powers of ten only when it spans more
    (where the in-between labels would crowd). Call it after the data are drawn: it reads the
    axis's limits."""
    log_axis(ax, axis)
    target = ax.xaxis if axis == "x" else ax.yaxis
    low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
    narrow = np.log10(max(low, high) / min(low, high)) <= NARROW_DECADES
    target.set_major_locator(LogLocator(subs=(1.0, 2.0, 3.0, 5.0) if narrow else (1.0,)))
    target.set_major_formatter(StrMethodFormatter("{x:g}"))
