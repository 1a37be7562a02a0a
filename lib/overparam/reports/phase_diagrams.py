"""Where the book's conclusions hold, the report: one phase diagram per conclusion (where its margin is
positive, where negative, the boundary, the chapter's default problem and the simulated points), one
sentence per conclusion generated from the grid, the tidy tables, and the confirmation of each
diagram by simulation (the grids and margins are :mod:`overparam.experiments.phase_diagrams`)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from overparam.book.claims import claim, share
from overparam.book.stats import t_interval
from overparam.book.style import log_axis
from overparam.book.verdicts import comparison, over_range
from overparam.experiments.phase_diagrams import CONCLUSIONS, Config, simulate_point
from overparam.reports.linear_gaussian import FAMILY_WORDS

STATEMENTS = {
    "best-size-is-p": ("chapters 1 and 3", "the best model size for Hessian pruning is k = p"),
    "pruned-beats-small": ("chapters 1 and 3", "the Hessian-pruned model with all p features beats the best small "
                           "model handed the most salient features"),
    "hessian-beats-magnitude": ("chapter 3", "at k = p Hessian pruning beats magnitude pruning"),
    "retraining-hurts-at-p": ("chapter 1", "at k = p retraining the Hessian-pruned model on a fresh sample does "
                              "not help"),
    "ridge-large-still-gains": ("chapter 10", "with ridge tuned for each, the Hessian-pruned k = p model still "
                                "beats the k = s model"),
    "retraining-pays-correlated": ("chapter 12", "with correlated features, retraining the magnitude-pruned "
                                   "k = p model on a fresh sample beats pruning alone"),
    "quantized-beats-small": ("chapter 11", "the 3-bit quantized model on all p features beats the 32-bit small "
                              "model with the same number of bits"),
    "classifier-best-size-is-p": ("chapter 13", "the best model size for the Hessian-pruned least-squares classifier "
                                  "of sign labels is k = p"),
}
AXIS_LABELS = {"n_over_p": "samples per feature n/p", "s_over_p": "kept fraction s/p", "spike": "saliency spike",
               "sigma": "noise σ", "rho": "feature correlation ρ"}
HOLDS_COLOUR, FAILS_COLOUR = "#8073ac", "#fdb863"  # purple and orange, safe for colour-blind readers
MARGIN_LEVELS = (-0.3, -0.1, 0.1, 0.3)  # the thin contours of the margin drawn inside each region
PLOT_LIMIT = 10.0  # margins are clipped to +-10 (1000%) for drawing only
SHORT = {"best-size-is-p": "best size is k = p", "pruned-beats-small": "pruned large beats best small",
         "hessian-beats-magnitude": "Hessian beats magnitude", "retraining-hurts-at-p": "retraining does not help",
         "ridge-large-still-gains": "tuned ridge: large still gains", "quantized-beats-small": "3-bit large beats small",
         "retraining-pays-correlated": "correlated: retraining pays",
         "classifier-best-size-is-p": "classifier: best size is k = p"}
DIAGRAM_AXES = {"n-s": ("n_over_p", "s_over_p"), "spike-sigma": ("spike", "sigma"), "rho-n": ("rho", "n_over_p")}
CLAIM_KEY = "phase-diagram-confirmed"
OUTCOMES = {"reproduced": "confirmed", "not reproduced": "contradicted", "inconclusive": "inconclusive"}


def statement(conclusion: str) -> str:
    """The conclusion in words, with its owning chapter."""
    chapter, text = STATEMENTS[conclusion]
    return f"{text} ({chapter})"


def tidy_grid(grid: pd.DataFrame, conclusions) -> pd.DataFrame:
    """The grid in long format: the configuration's columns, then one row per conclusion with its
    margin and whether it holds there (margin > 0)."""
    conclusions = list(conclusions)
    keys = [column for column in grid.columns if column not in CONCLUSIONS]
    long = grid.melt(id_vars=keys, value_vars=conclusions, var_name="conclusion", value_name="margin")
    return long.assign(holds=long.margin > 0)


def boundary_crossings(grid: pd.DataFrame, conclusion: str, x: str, y: str, at_y: float) -> list[float]:
    """Where the margin changes sign along ``x`` at y = ``at_y`` (linear interpolation between grid
    points, in log x), in increasing x."""
    line = grid[np.isclose(grid[y], at_y)].sort_values(x)
    xs, margins = np.log(line[x].to_numpy()), line[conclusion].to_numpy()
    crossings = []
    for (x0, x1), (m0, m1) in zip(zip(xs, xs[1:]), zip(margins, margins[1:])):
        if np.sign(m0) != np.sign(m1) and m0 != m1:
            crossings.append(float(np.exp(x0 + (x1 - x0) * m0 / (m0 - m1))))
    return crossings


def _facet_share(grid, conclusion):
    return {(law, alignment): float((rows[conclusion] > 0).mean())
            for (law, alignment), rows in grid.groupby(["theta_law", "alignment"], sort=False)}


def holds_sentence(grid: pd.DataFrame, conclusion: str, default: Config, x: str = "n_over_p",
                   y: str = "s_over_p") -> str:
    """One sentence, from the grid, saying where ``conclusion`` holds: its share of the grid, of each
    family (law of theta*, alignment), the margin at the default problem, and where the boundary crosses
    the default's row of the diagram."""
    facets = _facet_share(grid, conclusion)
    families = "; ".join(f"{law}/{alignment} {share(value)}" for (law, alignment), value in facets.items())
    home = grid[(grid.theta_law == default.theta_law) & (grid.alignment == default.alignment)]
    at_default = home[np.isclose(home[x], getattr(default, x)) & np.isclose(home[y], getattr(default, y))]
    margin = (f"; at the default problem ({AXIS_LABELS[x]} {getattr(default, x):g}, {AXIS_LABELS[y]} "
              f"{getattr(default, y):g}) the margin is {at_default[conclusion].iloc[0]:+.1%}") if len(at_default) else ""
    crossings = boundary_crossings(home, conclusion, x, y, getattr(default, y))
    where = (f"along {y.replace('_over_', '/')} = {getattr(default, y):g} the boundary lies at "
             + ", ".join(f"{x.replace('_over_', '/')} ≈ {value:.2g}" for value in crossings)) if crossings else \
        f"it does not change sign along {x.replace('_over_', '/')} at {y.replace('_over_', '/')} = {getattr(default, y):g}"
    return (f"The conclusion that {statement(conclusion)} holds on {share(float((grid[conclusion] > 0).mean()))} of "
            f"the {len(grid)} grid problems (by family: {families}){margin}; {where}.")


def _facet_axes(grid):
    laws = list(dict.fromkeys(grid.theta_law))
    alignments = list(dict.fromkeys(grid.alignment))
    fig, axes = plt.subplots(len(alignments), len(laws), figsize=(3.1 * len(laws) + 0.6, 2.9 * len(alignments) + 0.9),
                             squeeze=False, sharex=True, sharey=True)
    return fig, axes, laws, alignments


def nice_ticks(low: float, high: float) -> list[float]:
    """The values 1, 2 and 5 times a power of ten between ``low`` and ``high`` (a log axis's labels)."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [m * 10.0**d for d in decades for m in (1, 2, 5) if low <= m * 10.0**d <= high]
    return ticks if len(ticks) <= 6 else [tick for tick in ticks if np.isclose(np.log10(tick) % 1, 0)]


def _draw_phase(ax, rows, conclusion, x, y):
    """One panel: the region where the conclusion holds and where it fails (flat colours, the
    failing one hatched), the boundary as a contour, and thin labelled contours of the margin."""
    table = rows.pivot_table(index=y, columns=x, values=conclusion)
    X, Y = np.meshgrid(table.columns.to_numpy(float), table.index.to_numpy(float))
    Z = np.clip(table.to_numpy(float), -PLOT_LIMIT, PLOT_LIMIT)  # an infinite risk gives an infinite margin
    ax.contourf(X, Y, Z, levels=[-np.inf, 0, np.inf], colors=[FAILS_COLOUR, HOLDS_COLOUR], alpha=0.6)
    if (Z < 0).any():
        ax.contourf(X, Y, Z, levels=[-np.inf, 0], colors="none", hatches=["///"])
    if (Z < 0).any() and (Z > 0).any():
        ax.contour(X, Y, Z, levels=[0], colors="black", linewidths=1.6)
    inside = [level for level in MARGIN_LEVELS if Z.min() < level < Z.max()]
    if inside:
        lines = ax.contour(X, Y, Z, levels=inside, colors="dimgrey", linewidths=0.6, linestyles=":")
        ax.clabel(lines, fmt=lambda v: f"{v:+.0%}", fontsize=6)
    for name, values in (("x", X), ("y", Y)):
        log_axis(ax, name)
        getattr(ax, f"set_{name}ticks")(nice_ticks(values.min(), values.max()))
    ax.grid(False)


def _draw_points(ax, points):
    """Simulated points: filled where confirmed, a cross where contradicted, hollow where inconclusive."""
    style = {"confirmed": dict(marker="o", mfc="black"), "contradicted": dict(marker="X", mfc="red"),
             "inconclusive": dict(marker="o", mfc="white")}
    for row in points.itertuples():
        ax.plot(row.x, row.y, ls="none", ms=7, mec="black", **style[row.outcome])


def _panel(ax, rows, conclusion, default, points, x, y):
    """One diagram panel with the default problem (star) and the simulated points of ``conclusion``."""
    _draw_phase(ax, rows, conclusion, x, y)
    if getattr(default, x) > 0 and getattr(default, y) > 0:  # a default of rho = 0 is off a log axis
        ax.plot(getattr(default, x), getattr(default, y), marker="*", ms=14, color="white", mec="black", ls="none")
    if points is not None:
        family = rows.iloc[0]
        chosen = points[(points.conclusion == conclusion) & (points.theta_law == family.theta_law)
                        & (points.alignment == family.alignment)]
        _draw_points(ax, chosen)


def _legend(fig):
    handles = [Patch(facecolor=HOLDS_COLOUR, alpha=0.6, label="holds (margin > 0, purple)"),
               Line2D([], [], color="dimgrey", lw=0.6, ls=":", label="margin ±10%, ±30%"),
               Patch(facecolor=FAILS_COLOUR, alpha=0.6, hatch="///", label="fails (margin < 0, orange, hatched)"),
               Line2D([], [], color="black", lw=1.6, label="boundary (margin = 0)"),
               Line2D([], [], marker="*", ms=12, color="white", mec="black", ls="none", label="chapter default"),
               Line2D([], [], marker="o", mfc="black", mec="black", ls="none", label="simulated: confirmed"),
               Line2D([], [], marker="o", mfc="white", mec="black", ls="none", label="simulated: inconclusive"),
               Line2D([], [], marker="X", mfc="red", mec="black", ls="none", label="simulated: contradicted")]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8)


def plot_phase_diagram(grid: pd.DataFrame, conclusion: str, default: Config, points: pd.DataFrame | None = None,
                       x: str = "n_over_p", y: str = "s_over_p"):
    """The phase diagram of one conclusion: a panel per family (law of theta* across, alignment down),
    where the margin is positive and negative (the failing region hatched), contours of the margin, its zero contour, the
    default problem (star) and the simulated points (``points``: :func:`point_marks`)."""
    fig, axes, laws, alignments = _facet_axes(grid)
    for i, alignment in enumerate(alignments):
        for j, law in enumerate(laws):
            ax = axes[i, j]
            _panel(ax, grid[(grid.theta_law == law) & (grid.alignment == alignment)], conclusion, default, points, x, y)
            ax.set_title(f"θ* {law}, {alignment}", fontsize=9)
            if i == len(alignments) - 1:
                ax.set_xlabel(AXIS_LABELS[x])
            if j == 0:
                ax.set_ylabel(AXIS_LABELS[y])
    fig.suptitle(statement(conclusion), fontsize=10)
    _legend(fig)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def plot_conclusion_panels(grid: pd.DataFrame, conclusions, default: Config, points: pd.DataFrame | None = None,
                           x: str = "spike", y: str = "sigma", columns: int = 3):
    """Every conclusion's diagram on one family (the grid's), a panel each."""
    conclusions = list(conclusions)
    rows = -(-len(conclusions) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.2 * rows + 0.9), squeeze=False)
    for ax, conclusion in zip(axes.flat, conclusions):
        _panel(ax, grid, conclusion, default, points, x, y)
        ax.set(xlabel=AXIS_LABELS[x], ylabel=AXIS_LABELS[y])
        ax.set_title(f"{SHORT[conclusion]} ({STATEMENTS[conclusion][0]})", fontsize=9)
    for ax in axes.flat[len(conclusions):]:
        ax.set_visible(False)
    _legend(fig)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def confirm_points(points: pd.DataFrame, trials: int, seed: int) -> tuple[pd.DataFrame, list]:
    """Simulate every chosen grid row (``points``: grid rows with a ``conclusion`` column) on ``trials``
    draws and judge it: the per-draw differences are oriented toward the side the theory predicts and
    judged by the paired comparison rule; its ``reproduced`` is *confirmed*, ``not reproduced``
    *contradicted*. Returns the table and the Verdicts, in the order of ``points``."""
    rows, verdicts = [], []
    for j, (_, row) in enumerate(points.iterrows()):
        conclusion, margin = row["conclusion"], float(row[row["conclusion"]])
        side = 1.0 if margin > 0 else -1.0
        differences = simulate_point(row, conclusion, trials, (seed, j))
        verdict = comparison(side * differences, what="difference toward the predicted side")
        verdicts.append(verdict)
        mean, low, high = t_interval(differences)
        rows.append({"diagram": row.get("diagram", ""), "conclusion": conclusion, "theta_law": row["theta_law"], "alignment": row["alignment"],
                     "n_over_p": row["n_over_p"], "s_over_p": row["s_over_p"], "spike": row["spike"],
                     "sigma": row["sigma"], "rho": float(row.get("rho", 0.0)), "p": int(row["p"]), "predicted_margin": margin,
                     "predicted": "holds" if margin > 0 else "fails", "simulated_difference": mean,
                     "ci_low": low, "ci_high": high,
                     "draws": differences.size, "verdict": verdict.measured, "outcome": OUTCOMES[verdict.status]})
    return pd.DataFrame(rows), verdicts


def _point_label(row) -> str:
    """A simulated point as text: its family and its coordinates on its own diagram."""
    x, y = DIAGRAM_AXES.get(row["diagram"], DIAGRAM_AXES["n-s"])
    names = {name: name.replace("_over_", "/") for name in (x, y)}
    return (f"{row['theta_law']}/{row['alignment']} {names[x]}={row[x]:.2g} {names[y]}={row[y]:.2g} "
            f"({row['predicted']})")


def confirmation_claims(table: pd.DataFrame, verdicts: list) -> list[dict]:
    """One claim per conclusion: its diagram's side is confirmed by simulation at each checked point
    (over range of the paired comparisons). The claim's declaration is added to the table of
    declarations if it is not there yet."""
    claims = []
    for conclusion in dict.fromkeys(table.conclusion):
        chosen = np.flatnonzero(table.conclusion.to_numpy() == conclusion)
        where = [_point_label(table.iloc[j]) for j in chosen]
        verdict = over_range([verdicts[j] for j in chosen], where)
        claims.append(claim(CLAIM_KEY, STATEMENTS[conclusion][0], f"the phase diagram of '{statement(conclusion)}' "
                            "has the simulated sign at the points checked on both sides of its boundary", verdict,
                            origin="beyond", variant=conclusion))
    return claims


def point_marks(table: pd.DataFrame, x: str = "n_over_p", y: str = "s_over_p") -> pd.DataFrame:
    """The confirmation rows of one diagram (``table.diagram``) as the marks it draws (columns
    conclusion, theta_law, alignment, x, y, outcome)."""
    return table.assign(x=table[x], y=table[y])[["conclusion", "theta_law", "alignment", "x", "y", "outcome"]]


def outcome_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many simulated points each conclusion has confirmed, contradicted and left inconclusive."""
    counts = pd.crosstab(table.conclusion, table.outcome).reindex(columns=list(OUTCOMES.values()), fill_value=0)
    return counts.reindex(list(dict.fromkeys(table.conclusion)))


def scope_of(grid: pd.DataFrame, conclusion: str, default: Config) -> str:
    """What the grid does to the chapter's conclusion: ``confirmed`` (it holds on the whole grid),
    ``narrowed`` (it holds at the default problem but fails somewhere on the grid: a property of part
    of the problems), ``reversed`` (it fails at the default problem itself)."""
    home = grid[(grid.theta_law == default.theta_law) & (grid.alignment == default.alignment)
                & np.isclose(grid.n_over_p, default.n_over_p) & np.isclose(grid.s_over_p, default.s_over_p)
                & np.isclose(grid.spike, default.spike) & np.isclose(grid.sigma, default.sigma)]
    if len(home) and (home[conclusion] <= 0).any():
        return "reversed"
    return "confirmed" if (grid[conclusion] > 0).all() else "narrowed"


def rho_star_by_row(grid: pd.DataFrame, conclusion: str, x: str = "rho", y: str = "n_over_p") -> pd.DataFrame:
    """For every value of ``y`` on the grid: rho*, the last boundary crossing along ``x`` when the
    conclusion holds at the row's largest ``x`` (beyond rho* it holds on the rest of the row; NaN where
    the row ends failing or never changes sign), and how many times the margin changes sign on the row
    (more than once: the conclusion also holds somewhere below rho*)."""
    rows = []
    for value in sorted(grid[y].unique()):
        crossings = boundary_crossings(grid, conclusion, x, y, value)
        last = grid[np.isclose(grid[y], value)].sort_values(x)[conclusion].iloc[-1]
        rows.append({y: value, f"{x}_star": crossings[-1] if crossings and last > 0 else np.nan,
                     "sign_changes": len(crossings)})
    return pd.DataFrame(rows)


def quoted_numbers(grid: pd.DataFrame, noise_grid: pd.DataFrame, rho_grid: pd.DataFrame, table: pd.DataFrame,
                   default: Config) -> dict:
    """The numbers the prose quotes, by glue key: per conclusion, its share of each grid, its margin at
    the default problem, what the grids do to it (:func:`scope_of`), rho* over n/p for chapter 12's
    conclusion (:func:`rho_star_by_row`), and the simulated points' outcomes."""
    numbers = {"where-points": len(table), "where-grid-size": len(grid), "where-noise-grid-size": len(noise_grid)}
    by_row = rho_star_by_row(rho_grid, "retraining-pays-correlated")
    stars = by_row.rho_star
    # rho* to 2 digits, as quoted: the sampled DC of a correlated problem draws in an eigenbasis that
    # round-off can turn inside its degenerate eigenspaces, which moves the 3rd digit between runs
    numbers |= {"where-rho-star-low": float(f"{stars.min():.2g}"), "where-rho-star-high": float(f"{stars.max():.2g}"),
                "where-rho-star-missing": int(stars.isna().sum()),
                "where-rho-star-rows-changing-twice": int((by_row.sign_changes > 1).sum()),
                "where-retraining-pays-correlated-share": float((rho_grid["retraining-pays-correlated"] > 0).mean())}
    for outcome in OUTCOMES.values():
        numbers[f"where-points-{outcome}"] = int((table.outcome == outcome).sum())
    for conclusion in dict.fromkeys(c for c in grid.columns if c in CONCLUSIONS):
        both = pd.concat([grid, noise_grid], ignore_index=True)
        numbers[f"where-{conclusion}-share"] = float((grid[conclusion] > 0).mean())
        numbers[f"where-{conclusion}-noise-share"] = float((noise_grid[conclusion] > 0).mean())
        numbers[f"where-{conclusion}-default"] = float(CONCLUSIONS[conclusion](default))
        numbers[f"where-{conclusion}-scope"] = scope_of(both, conclusion, default)
    return numbers


# chapter 1's per-family scope check (its scope.csv): column -> the conclusion whose sign it simulates
SCOPE_COLUMNS = {"pruned_beats_small": "pruned-beats-small", "hessian_beats_magnitude": "hessian-beats-magnitude"}
SIMULATED_SIDE = {"reproduced": "holds", "not reproduced": "fails", "inconclusive": "inconclusive"}


def sweep_scope_check(scope: pd.DataFrame, spike: float = 10.0, sigma: float = 0.5,
                      min_margin: float = 0.05) -> pd.DataFrame:
    """The diagrams against ``overparam sweep`` of chapter 1: ``scope`` is the sweep's concatenated
    ``curves/scope.csv`` (one row per point and family: the paired verdict of chapter 1's simulation at
    k = p for "pruned large beats best small" and "Hessian beats magnitude"), with the grid's columns n,
    p, s, seed (``spike`` and ``sigma``: the chapter's values where the sweep does not vary them). Per
    row and conclusion: the diagram's margin at the same problem, its predicted side, the side the
    simulation found, and the outcome (*confirmed*, *contradicted*, *inconclusive*; *near boundary*
    where |margin| < ``min_margin``, which a few draws cannot resolve)."""
    laws = {words: law for law, words in FAMILY_WORDS.items()}
    rows = []
    for _, row in scope.iterrows():
        config = Config(row["n"] / row["p"], row["s"] / row["p"], float(row.get("spike", spike)),
                        float(row.get("sigma", sigma)), laws[row["theta_law"]], row["alignment"], int(row["p"]),
                        int(row["seed"]))
        for column, conclusion in SCOPE_COLUMNS.items():
            margin = float(CONCLUSIONS[conclusion](config))
            predicted = "holds" if margin > 0 else "fails"
            simulated = SIMULATED_SIDE[row[column].split(":")[0]]
            outcome = ("near boundary" if abs(margin) < min_margin else "inconclusive" if simulated == "inconclusive"
                       else "confirmed" if simulated == predicted else "contradicted")
            rows.append({"point": row["point"], "conclusion": conclusion, "theta_law": config.theta_law,
                         "alignment": config.alignment, "n_over_p": config.n_over_p, "s_over_p": config.s_over_p,
                         "predicted_margin": margin, "predicted": predicted, "simulated": simulated,
                         "verdict": row[column], "outcome": outcome})
    return pd.DataFrame(rows)
