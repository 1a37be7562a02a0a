"""The page "Explore the theory" outside the static site: the same closed-form risk curves (the
calculator, :mod:`overparam.reports.predict`) for chapter 1's problem families, recomputed exactly
for any value of the controls in a live Jupyter kernel (:func:`live_explorer`, ipywidgets), and a
static panel of representative problems for the printed book (:func:`static_panel`).

The static site's explorer (book/_static/explorer/) draws values precomputed on a grid; here every
control is continuous and every curve is computed when a control moves (about 10 ms a problem)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd

from overparam.book.curves import style_of
from overparam.book.style import COLUMN_INCHES, fitted_legend, log_axis
from overparam.reports.predict import model_sizes, predict
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS, fig3_problem

# the compressors drawn in each view, as on the static page (explorer.js's VIEWS)
VIEWS = {
    "pruning": ("dense", "magnitude", "hessian", "oracle", "random"),
    "retraining": ("dense", "magnitude+retrain", "hessian+retrain", "random+retrain"),
}


@dataclass(frozen=True)
class Setting:
    """One problem of the explorer: chapter 1's family (overparam.theory.problems.fig3_problem) with
    p features, n = n_over_p * p samples and a budget of s = s_over_n * n weights."""

    n_over_p: float = 0.3
    s_over_n: float = 0.3
    spike: float = 10.0
    sigma: float = 0.5
    theta_law: str = "constant"
    alignment: str = "aligned"
    panel: str = "b"
    p: int = 400
    seed: int = 0

    @property
    def n(self) -> int:
        return max(2, round(self.n_over_p * self.p))

    @property
    def s(self) -> int:
        return min(self.p, max(1, round(self.s_over_n * self.n)))

    def title(self, lines: int = 1) -> str:
        """The setting in words, on one line or (``lines=2``) split after the sizes and spike."""
        sep = "\n" if lines == 2 else " "
        return (f"n/p = {self.n_over_p:g}, s/n = {self.s_over_n:g}, spike {self.spike:g},{sep}"
                f"σ = {self.sigma:g}, θ* {self.theta_law}, {self.alignment}, panel ({self.panel})")


# the y-axis shows risks up to this multiple of the lowest one (the interpolation peak is cut)
PEAK_CLIP = 2.5

# the printed book's panel: chapter 1's default problem, then one control changed at a time
REPRESENTATIVE = (
    Setting(),
    Setting(sigma=0.1),
    Setting(theta_law="gaussian"),
    Setting(alignment="inverted"),
)


def explorer_table(setting: Setting, view: str = "pruning", sizes: int = 60) -> pd.DataFrame:
    """The predicted test risk of the view's compressors at ``sizes`` log-spaced model sizes k
    (tidy: compressor, k, risk), for the setting's problem."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, got {view!r}")
    problem = fig3_problem(setting.panel, setting.p, setting.s, setting.spike, setting.sigma,
                           setting.theta_law, setting.alignment, setting.seed)
    table = predict(problem, setting.n, setting.s, model_sizes(setting.p, setting.n, sizes), VIEWS[view])
    return table[["compressor", "k", "risk"]]


def draw_view(ax, table: pd.DataFrame, setting: Setting) -> None:
    """Risk against model size (log axis), one line per compressor, with k = s and k = n marked."""
    for name, curve in table.groupby("compressor", sort=False):
        style = style_of(name)
        ax.plot(curve.k, curve.risk, color=style["color"], ls=style["linestyle"], lw=1.8, label=style["label"])
    # k = s labelled left of its line and k = n right of its own, so that close lines keep both legible
    for k, text, shift, align in ((setting.s, "k = s", -2, "right"), (setting.n, "k = n", 2, "left")):
        ax.axvline(k, color="grey", ls=":", lw=1)
        ax.annotate(text, (k, 1), xycoords=("data", "axes fraction"), xytext=(shift, -12),
                    textcoords="offset points", ha=align, color="grey")
    log_axis(ax, "x")
    ax.set_ylim(0, PEAK_CLIP * table.risk.min())  # the peak at k = n would flatten everything else
    ax.set_xlabel("model size k (features of the dense fit)")
    ax.set_ylabel("predicted test risk")


def explorer_figure(setting: Setting, view: str = "pruning"):
    """One large panel of the view for one setting, with its legend and title."""
    fig, ax = plt.subplots(figsize=(8, 5))
    draw_view(ax, explorer_table(setting, view), setting)
    ax.set_title(setting.title())
    ax.legend(loc="upper right")
    return fig


def static_panel(settings=REPRESENTATIVE, view: str = "pruning"):
    """The printed book's substitute for the explorer: the view at a few representative settings,
    two panels a row, one shared legend."""
    rows = -(-len(settings) // 2)
    fig, axes = plt.subplots(rows, 2, figsize=(COLUMN_INCHES, 3.6 * rows), squeeze=False)
    for ax, setting in zip(axes.flat, settings):
        draw_view(ax, explorer_table(setting, view), setting)
        ax.set_title(setting.title(lines=2))
    for ax in axes.flat[len(settings):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fitted_legend(fig, handles, labels, ncol=len(labels))
    return fig


def controls(start: Setting = Setting()) -> dict:
    """The widgets of the live explorer, keyed by the field of :class:`Setting` they set (plus the
    view), starting at ``start``."""
    return {
        "n_over_p": widgets.FloatSlider(value=start.n_over_p, min=0.05, max=0.95, step=0.05, description="n / p"),
        "s_over_n": widgets.FloatSlider(value=start.s_over_n, min=0.05, max=1.0, step=0.05, description="s / n"),
        "spike": widgets.FloatLogSlider(value=start.spike, base=10, min=0, max=2, step=0.05, description="spike"),
        "sigma": widgets.FloatLogSlider(value=start.sigma, base=10, min=-2, max=0.5, step=0.05, description="σ"),
        "theta_law": widgets.Dropdown(options=list(THETA_LAWS), value=start.theta_law, description="law of θ*"),
        "alignment": widgets.Dropdown(options=list(ALIGNMENTS), value=start.alignment, description="alignment"),
        "panel": widgets.ToggleButtons(options=["b", "a"], value=start.panel, description="panel"),
        "view": widgets.ToggleButtons(options=list(VIEWS), value="pruning", description="view"),
    }


def live_explorer(start: Setting = Setting()) -> widgets.interactive:
    """The explorer in a live kernel: sliders and menus for every control, the curves recomputed
    exactly at each move (display the returned widget, or let Jupyter display it as a cell's value).
    A setting with no problem (alignment "inverted" needs panel "b") prints why instead of a plot."""

    def show(view: str, **values) -> None:
        setting = replace(start, **values)
        try:
            fig = explorer_figure(setting, view)
        except ValueError as error:
            print(f"no such problem: {error}")
            return
        plt.show(fig)

    return widgets.interactive(show, **controls(start))
