"""Where the book's conclusions hold, the figures: one phase diagram per conclusion, a panel per family
(where its margin holds beyond the undecided band, is within it, fails beyond it, or has no theory
value; the boundary, the chapter's default problem and the simulated points), or one panel per
conclusion on one family; every figure at most the page's column wide, no text under the book's small
font size (:mod:`overparam.book.style`). The phases and the words are
:mod:`overparam.reports.phase_diagrams`."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from overparam.book.style import COLUMN_INCHES, SMALL_FONT_SIZE, log_axis
from overparam.experiments.phase_diagrams import Config
from overparam.reports.phase_diagrams import AXIS_LABELS, NOT_EVALUATED, SHORT, STATEMENTS, band_of, band_text
from overparam.theory.problems import rotation_of

HOLDS_COLOUR, FAILS_COLOUR = "#8073ac", "#fdb863"  # purple and orange, safe for colour-blind readers
UNDECIDED_COLOUR = "#d9d9d9"  # light grey, dotted: within the tolerance of the boundary
MARGIN_LEVELS = (-0.3, -0.1, 0.1, 0.3)  # the thin contours of the margin drawn inside each region
PLOT_LIMIT = 10.0  # margins are clipped to +-10 (1000%) for drawing only
PANEL_HEIGHT = 2.6  # inches per row of panels; the width is the page's column (COLUMN_INCHES)
LEGEND_ROW_INCHES = 0.24  # height of one row of the key under the panels (11 pt text)


def _facet_axes(grid):
    """A panel per family, the laws of theta* down and the alignments across, the page's width."""
    laws = list(dict.fromkeys(grid.theta_law))
    alignments = list(dict.fromkeys(grid.alignment))
    fig, axes = plt.subplots(len(laws), len(alignments), figsize=(COLUMN_INCHES, PANEL_HEIGHT * len(laws)),
                             squeeze=False, sharex=True, sharey=True)
    return fig, axes, laws, alignments


def nice_ticks(low: float, high: float) -> list[float]:
    """The values 1, 2 and 5 times a power of ten between ``low`` and ``high`` (a log axis's labels)."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [m * 10.0**d for d in decades for m in (1, 2, 5) if low <= m * 10.0**d <= high]
    return ticks if len(ticks) <= 6 else [tick for tick in ticks if np.isclose(np.log10(tick) % 1, 0)]


def _draw_phase(ax, rows, conclusion, x, y, tolerance):
    """One panel: the regions where the conclusion holds, is undecided (|margin| < ``tolerance``) and
    fails (flat colours; the undecided one dotted, the failing one hatched; white where the theory
    gives no number), the boundary as a contour, and thin labelled contours of the margin."""
    table = rows.pivot_table(index=y, columns=x, values=conclusion, dropna=False)
    X, Y = np.meshgrid(table.columns.to_numpy(float), table.index.to_numpy(float))
    Z = np.clip(table.to_numpy(float), -PLOT_LIMIT, PLOT_LIMIT)  # an infinite risk gives an infinite margin
    ax.contourf(X, Y, Z, levels=[-np.inf, -tolerance, tolerance, np.inf],
                colors=[FAILS_COLOUR, UNDECIDED_COLOUR, HOLDS_COLOUR], hatches=["///", "..", None], alpha=0.6)
    if (Z < 0).any() and (Z > 0).any():
        ax.contour(X, Y, Z, levels=[0], colors="black", linewidths=1.6)
    inside = [level for level in MARGIN_LEVELS if np.nanmin(Z) < level < np.nanmax(Z)]
    if inside:
        lines = ax.contour(X, Y, Z, levels=inside, colors="dimgrey", linewidths=0.6, linestyles=":")
        ax.clabel(lines, fmt=lambda v: f"{v:+.0%}", fontsize=SMALL_FONT_SIZE)
    for name, values in (("x", X), ("y", Y)):
        log_axis(ax, name)
        getattr(ax, f"set_{name}ticks")(nice_ticks(values.min(), values.max()))
    ax.grid(False)


POINT_STYLE = {"confirmed": dict(marker="o", mfc="black"), "contradicted": dict(marker="X", mfc="red"),
               "inconclusive": dict(marker="o", mfc="white"), NOT_EVALUATED: dict(marker="s", mfc="white")}


def _draw_points(ax, points):
    """Simulated points: filled where confirmed, a cross where contradicted, hollow where inconclusive,
    a hollow square where not evaluated."""
    style = POINT_STYLE
    for row in points.itertuples():
        ax.plot(row.x, row.y, ls="none", ms=7, mec="black", **style[row.outcome])


def _panel(ax, rows, conclusion, default, points, x, y, tolerance):
    """One diagram panel with the default problem (star) and the simulated points of ``conclusion``."""
    _draw_phase(ax, rows, conclusion, x, y, tolerance)
    if getattr(default, x) > 0 and getattr(default, y) > 0:  # a default of rho = 0 is off a log axis
        ax.plot(getattr(default, x), getattr(default, y), marker="*", ms=14, color="white", mec="black", ls="none")
    if points is not None:
        family = rows.iloc[0]
        chosen = points[(points.conclusion == conclusion) & (points.theta_law == family.theta_law)
                        & (points.alignment == family.alignment)]
        _draw_points(ax, chosen)


def place_panels(fig, rows: int, columns: int, bottom: float, top: float, row_gap: float, column_gap: float,
                 left: float = 0.95, right: float = 0.25) -> None:
    """Lay a grid of panels out with fixed margins and gaps in inches (``bottom``: below the lowest
    panels, including the key; ``top``: above the first row, for its titles). Faster than
    tight_layout, which draws the whole figure once more, and the same on every run."""
    width, height = fig.get_size_inches()
    panel_height = (height - top - bottom - (rows - 1) * row_gap) / rows
    panel_width = (width - left - right - (columns - 1) * column_gap) / columns
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        hspace=row_gap / panel_height, wspace=column_gap / panel_width)


AXIS_INCHES = 0.75  # tick labels and axis label under (or beside) a panel at the book's font sizes
TITLE_INCHES = 0.35  # one line of a panel's title


def _legend(fig, axes, tolerance, unevaluated: bool, title_lines: int = 1, shared: bool = True):
    """The figure's key under the panels (two columns on a figure 6 inches wide or more, else one;
    ``unevaluated``: with the white region where the theory gives no number; ``tolerance`` a band, or
    None where each panel has its own, named in its title); the figure grows by the
    key's height and the panels are laid out above it (:func:`place_panels`; ``shared``: the panels
    share their axes, so only the outer ones carry tick labels)."""
    band = "band" if tolerance is None else band_text(tolerance)
    handles = [Patch(facecolor=HOLDS_COLOUR, alpha=0.6, label=f"holds (margin ≥ {band})"),
               Patch(facecolor=UNDECIDED_COLOUR, alpha=0.6, hatch="..", label=f"undecided (|margin| < {band})"),
               Patch(facecolor=FAILS_COLOUR, alpha=0.6, hatch="///", label=f"fails (margin ≤ −{band})"),
               Line2D([], [], color="black", lw=1.6, label="boundary (margin = 0)"),
               Line2D([], [], color="dimgrey", lw=0.6, ls=":", label="margin ±10%, ±30%"),
               Line2D([], [], marker="*", ms=12, color="white", mec="black", ls="none", label="chapter default"),
               *[Line2D([], [], ls="none", mec="black", label=f"simulated: {outcome}", **style)
                 for outcome, style in POINT_STYLE.items()]]
    if unevaluated:
        handles.append(Patch(facecolor="white", edgecolor="black", label="not evaluated (no theory value)"))
    columns = 2 if fig.get_figwidth() >= 6 else 1
    height = LEGEND_ROW_INCHES * -(-len(handles) // columns) + 0.2
    fig.set_figheight(fig.get_figheight() + height)
    fig.legend(handles=handles, loc="lower center", ncol=columns)
    titles = TITLE_INCHES * title_lines
    place_panels(fig, *axes.shape, bottom=height + AXIS_INCHES, top=titles,
                 row_gap=titles + (0.1 if shared else AXIS_INCHES), column_gap=0.25 if shared else AXIS_INCHES + 0.2)


def plot_phase_diagram(grid: pd.DataFrame, conclusion: str, default: Config, tolerance: float,
                       points: pd.DataFrame | None = None, x: str = "n_over_p", y: str = "s_over_p"):
    """The phase diagram of one conclusion: a panel per family (law of theta* down, alignment across),
    where the margin holds, is undecided within ``tolerance`` and fails (:func:`phase_of`), contours of
    the margin, its zero contour, the default problem (star) and the simulated points (``points``:
    :func:`point_marks`). ``tolerance``: a band, or a mapping conclusion -> band (:func:`band_of`)."""
    tolerance = band_of(tolerance, conclusion)
    fig, axes, laws, alignments = _facet_axes(grid)
    for i, law in enumerate(laws):
        for j, alignment in enumerate(alignments):
            ax = axes[i, j]
            _panel(ax, grid[(grid.theta_law == law) & (grid.alignment == alignment)], conclusion, default, points, x, y,
                   tolerance)
            ax.set_title(f"θ* {law}, {alignment}")
            if i == len(laws) - 1:
                ax.set_xlabel(AXIS_LABELS[x])
            if j == 0:
                ax.set_ylabel(AXIS_LABELS[y])
    _legend(fig, axes, tolerance, bool(grid[conclusion].isna().any()))
    return fig


def plot_conclusion_panels(grid: pd.DataFrame, conclusions, default: Config, tolerance: float,
                           points: pd.DataFrame | None = None, x: str = "spike", y: str = "sigma", columns: int = 2):
    """Every conclusion's diagram on one family (the grid's), a panel each, ``columns`` across the
    page's width (at most :data:`overparam.book.style.COLUMN_INCHES`); with a band per conclusion
    (``tolerance`` a mapping, :func:`band_of`) each panel's title names its own."""
    conclusions = list(conclusions)
    rows = -(-len(conclusions) // columns)
    width = min(COLUMN_INCHES, max(6.5, 4.0 * columns))  # one panel: wide enough for a two-column key
    fig, axes = plt.subplots(rows, columns, figsize=(width, (3.0 if columns > 1 else 4.0) * rows), squeeze=False)
    for ax, conclusion in zip(axes.flat, conclusions):
        _panel(ax, grid, conclusion, default, points, x, y, band_of(tolerance, conclusion))
        ax.set(xlabel=AXIS_LABELS[x], ylabel=AXIS_LABELS[y])
        band = f"; band {band_text(band_of(tolerance, conclusion))}" if isinstance(tolerance, Mapping) else ""
        ax.set_title(f"{SHORT[conclusion]}\n({STATEMENTS[conclusion][0]}{band})")
    for ax in axes.flat[len(conclusions):]:
        ax.set_visible(False)
    _legend(fig, axes, None if isinstance(tolerance, Mapping) else tolerance, bool(grid[conclusions].isna().any().any()),
            title_lines=2, shared=False)
    return fig


LAW_STYLES = {"constant": dict(color="black", marker="o", lw=2.8, ms=6),  # drawn under random-sign's equal line
              "random-sign": dict(color="#1b9e77", marker="s", ls="--", mfc="white"),
              "gaussian": dict(color="#7570b3", marker="^"), "sparse": dict(color="#d95f02", marker="v", ls=":")}
ROTATION_FLOOR = -1.0  # margins below -100% are drawn at the panel's lower edge (the page's caption says so)


def plot_rotation(grid: pd.DataFrame, conclusions, default: Config, tolerance, columns: int = 2):
    """Every conclusion's margin against the rotation t from aligned (0) to inverted (1) saliency
    (``grid.alignment`` holds t), a line per law of theta*, a panel per conclusion: the undecided band
    (:func:`band_of`) grey, the boundary (margin 0) black, the default problem's t a star on its law's
    line; margins below :data:`ROTATION_FLOOR` are clipped to it."""
    conclusions = list(conclusions)
    rows = -(-len(conclusions) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(COLUMN_INCHES, 2.3 * rows + 0.65), squeeze=False, sharex=True)
    home_t = rotation_of(default.alignment)
    for ax, conclusion in zip(axes.flat, conclusions):
        band = band_of(tolerance, conclusion)
        ax.axhspan(-band, band, facecolor=UNDECIDED_COLOUR, hatch="..", alpha=0.6, lw=0)
        ax.axhline(0, color="black", lw=1.2)
        for law, line in grid.groupby("theta_law", sort=False):
            line = line.sort_values("alignment")
            ax.plot(line.alignment, np.maximum(line[conclusion], ROTATION_FLOOR), **{"ms": 4, "lw": 1.4, **LAW_STYLES[law]})
        home = grid[(grid.theta_law == default.theta_law) & np.isclose(grid.alignment.astype(float), home_t)]
        ax.plot(home_t, max(float(home[conclusion].iloc[0]), ROTATION_FLOOR), marker="*", ms=15, color="white",
                mec="black", ls="none", zorder=5)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:+.0%}")
        ax.set_title(SHORT[conclusion])  # the band in the axis label: title and band in one line overflow
        ax.set_ylabel(f"margin (band ±{band_text(band)})")
    for ax in axes.flat[len(conclusions):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("rotation t (0 aligned, 1 inverted)")
    if len(conclusions) % columns:
        axes[-2, -1].set_xlabel("rotation t (0 aligned, 1 inverted)")
        axes[-2, -1].xaxis.set_tick_params(labelbottom=True)
    handles = [*[Line2D([], [], label=f"θ* {law}", **{**style, "ms": 5}) for law, style in LAW_STYLES.items()
                 if law in set(grid.theta_law)],
               Patch(facecolor=UNDECIDED_COLOUR, alpha=0.6, hatch="..", label="undecided band"),
               Line2D([], [], marker="*", ms=12, color="white", mec="black", ls="none", label="chapter default")]
    fig.legend(handles=handles, loc="lower center", ncol=3)
    place_panels(fig, rows, columns, bottom=0.65 + AXIS_INCHES, top=TITLE_INCHES, row_gap=TITLE_INCHES + 0.35,
                 column_gap=AXIS_INCHES + 0.3)
    return fig
