"""The report of chapter 6: the random-features runs (Fig. 2 and Fig. 4 of the paper) of
:mod:`overparam.experiments.random_features` turned into the chapter's table, figures' helpers,
printed tables, claims and quoted numbers.

A run is ``simulated`` = {design: [simulate_task(...) for each task]} and ``predicted`` =
[theory_task(...) for each task], one task per draw of the directions R (the independent unit: every
interval below is a Student-t interval over the tasks, each task's data draws averaged first).

The tidy table has one row per plotted point, with the columns of ``TABLE_COLUMNS``: ``curve`` (a curve
name, overparam.book.curve_names), ``s`` (empty for the dense model), ``source`` ("theory"
or "simulation"), ``data`` (the design of the simulated data, see
overparam.experiments.random_features.DESIGNS; empty for the DC of the equivalent LGP, which is the
same for all three), ``p``, ``risk``, ``ci_low``, ``ci_high``. Two theory curves depend on the
simulated support, so they carry a design and an interval: "kept-support" (Def. 5 on the support that
magnitude pruning kept) and the theory of "random+retrain" (Def. 5 on a random support).

Theory and simulation are compared in a second tidy table, :func:`paired_gaps` (columns
``GAP_COLUMNS``): per curve, design, sparsity and size, the relative gap simulation / theory - 1 with
the 95% Student-t interval of the per-task difference (simulation minus the same task's DC), divided by
the mean theory. A task's simulation and DC share its draw of R, so the spread of the risk across the
draws of R cancels; the DC of a task is a Monte-Carlo mean over its draws from the DC Gaussian, whose
error enters the per-task differences and so the interval (``theory_mc_se`` gives it on its own).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.curve_names import CurveName
from overparam.book.stats import mean_ci
from overparam.book.curves import OKABE_ITO
from overparam.book.style import log_axis
from overparam.experiments.random_features import DESIGNS
from overparam.theory.features import LABEL_SECOND_MOMENT, LABEL_VARIANCE

TABLE_COLUMNS = ["curve", "s", "source", "data", "p", "risk", "ci_low", "ci_high"]
GAP_COLUMNS = ["curve", "line", "s", "data", "p", "tasks", "theory", "simulation", "gap", "gap_ci_low", "gap_ci_high",
               "theory_mc_se"]
# the simulated curves compared with a DC line, and that line: the paper's same-sample markers face the
# retraining DC (Def. 5), which is derived for a fresh sample
GAP_LINES = {"dense": "dense", "magnitude": "magnitude", "magnitude+retrain": "magnitude+retrain",
             "magnitude+retrain-same-sample": "magnitude+retrain"}
DESIGN_LABELS = {"relu": "ReLU data", "gaussian": "Gaussian twin", "relu-independent-noise": "ReLU, independent noise"}
# the relative-gap figure draws the three designs of one curve: colour, marker, shift along p (apart)
DESIGN_MARKS = {"relu": (OKABE_ITO[5], "s", 0.95), "relu-independent-noise": (OKABE_ITO[6], "^", 1.0),
                "gaussian": (OKABE_ITO[1], "o", 1.05)}
REFIT_DESIGNS = ["relu", "relu-independent-noise", "gaussian"]  # the columns of the refit-gap table
# simulate_task's formulas on a simulated support, as (curve, source) of the table
FORMULA_ROWS = {"kept-support": ("kept-support", "theory"), "random-support": ("random+retrain", "theory")}


def scored(p, n: int) -> np.ndarray:
    """The sizes where theory and simulation are compared: p outside 0.8n..1.25n, away from the peak."""
    p = np.asarray(p)
    return (p < 0.8 * n) | (p > 1.25 * n)


def per_task(simulated: dict, curve: str, design: str = "relu") -> np.ndarray:
    """Simulated risks of one curve averaged over the data draws of each task:
    (tasks, len(p_grid), len(sparsities))."""
    return np.stack([sim[curve].mean(axis=0) for sim in simulated[design]])


def theory_per_task(predicted: list, curve: str) -> np.ndarray:
    """DC prediction of each task: (tasks, len(p_grid)[, len(sparsities)])."""
    return np.stack([pred[curve] for pred in predicted])


def _rows(curve, s, source, data, p, risk, ci_low=np.nan, ci_high=np.nan) -> pd.DataFrame:
    return pd.DataFrame({"curve": curve, "s": s, "source": source, "data": data, "p": p, "risk": risk,
                         "ci_low": ci_low, "ci_high": ci_high})[TABLE_COLUMNS]


def simulation_rows(simulated: dict, key: str, b: int, s, valid, p_grid, design: str) -> pd.DataFrame:
    """Mean and 95% Student-t bars over the tasks of one simulated curve (``key`` of simulate_task) at
    sparsity index ``b``, at the sizes ``valid``, as tidy rows."""
    curve, source = FORMULA_ROWS.get(key, (key, "simulation"))
    mean, low, high = mean_ci(per_task(simulated, key, design)[:, valid, b], student=True)
    return _rows(curve, s, source, design, np.asarray(p_grid)[valid], mean, low, high)


def theory_rows(predicted: list, curve: str, b, s, valid, p_grid) -> pd.DataFrame:
    """The DC prediction of one curve averaged over the tasks (``b`` None for the dense curve)."""
    mean = theory_per_task(predicted, curve).mean(axis=0)
    return _rows(curve, s, "theory", np.nan, np.asarray(p_grid)[valid], mean[valid] if b is None else mean[valid, b])


def risk_table(simulated: dict, predicted: list, p_grid, sparsities) -> pd.DataFrame:
    """The tidy table of Fig. 2 and Fig. 4 and of the gap study (see the module's docstring)."""
    ps = np.asarray(p_grid)
    everywhere = np.ones(ps.size, dtype=bool)
    parts = [theory_rows(predicted, "dense", None, np.nan, everywhere, ps)]
    parts += [simulation_rows(simulated, "dense", 0, np.nan, everywhere, ps, design) for design in DESIGNS]
    for curve in ["magnitude", "magnitude+retrain", "magnitude+retrain-same-sample"]:
        for b, s in enumerate(sparsities):
            parts.append(simulation_rows(simulated, curve, b, s, ps > s, ps, "relu"))
            if not CurveName.parse(curve).same_sample:
                parts += [simulation_rows(simulated, curve, b, s, ps > s, ps, design) for design in DESIGNS[1:]]
                parts.append(theory_rows(predicted, curve, b, s, ps > s, ps))
    parts += [simulation_rows(simulated, key, b, s, ps > s, ps, design)
              for key in ["kept-support", "random+retrain", "random-support"]
              for design in DESIGNS for b, s in enumerate(sparsities)]
    return pd.concat(parts, ignore_index=True)


def theory_mc_error(predicted: list, curve: str) -> np.ndarray:
    """The Monte-Carlo standard error of the DC line averaged over the tasks, from each task's own
    (theory_task's "<curve> mc_se"; 0 for the dense curve, which is exact): sqrt(sum_t se_t^2) / tasks."""
    key = f"{curve} mc_se"
    if key not in predicted[0]:
        return np.zeros_like(np.asarray(predicted[0][curve], dtype=float))
    return np.sqrt(np.sum(theory_per_task(predicted, key) ** 2, axis=0)) / len(predicted)


def paired_gaps(simulated: dict, predicted: list, p_grid, sparsities) -> pd.DataFrame:
    """Simulation against its DC line, paired task by task (see the module's docstring), for every curve
    of GAP_LINES on every design it was simulated on (same-sample retraining: ReLU data only), at every
    size p > s: the tidy table of ``GAP_COLUMNS``. ``gap`` = mean_t(sim_t - dc_t) / mean_t(dc_t) =
    simulation / theory - 1; ``gap_ci_low``/``gap_ci_high`` the 95% Student-t interval of the per-task
    differences on the same scale; ``theory_mc_se`` the DC's own Monte-Carlo standard error, relative."""
    ps, rows = np.asarray(p_grid), []
    for curve, line in GAP_LINES.items():
        theory = theory_per_task(predicted, line)
        mc_se = theory_mc_error(predicted, line)
        if curve == "dense":
            theory, mc_se = theory[:, :, None], mc_se[:, None]
        for design in (["relu"] if CurveName.parse(curve).same_sample else DESIGNS):
            sim = per_task(simulated, curve, design)
            for b, s in enumerate([np.nan] if curve == "dense" else sparsities):
                valid = np.ones(ps.size, dtype=bool) if curve == "dense" else ps > s
                line_mean = theory[:, valid, b].mean(axis=0)
                gap, low, high = mean_ci(sim[:, valid, b] - theory[:, valid, b], student=True)
                rows.append(pd.DataFrame({
                    "curve": curve, "line": line, "s": s, "data": design, "p": ps[valid], "tasks": len(predicted),
                    "theory": line_mean, "simulation": sim[:, valid, b].mean(axis=0), "gap": gap / line_mean,
                    "gap_ci_low": low / line_mean, "gap_ci_high": high / line_mean,
                    "theory_mc_se": mc_se[valid, b] / line_mean}))
    return pd.concat(rows, ignore_index=True)[GAP_COLUMNS]


def gap_rows(gaps: pd.DataFrame, curve: str, s=None, design: str = "relu") -> pd.DataFrame:
    """One curve of the paired-gap table (``s`` None for the dense model) on ``design``'s data, indexed by p."""
    same_s = gaps.s.isna() if s is None else (gaps.s == s)
    return gaps[(gaps.curve == curve) & same_s & (gaps.data == design)].set_index("p")


def _matches(table: pd.DataFrame, s, design: str) -> pd.Series:
    same_s = table.s.isna() if s is None else (table.s == s)
    return same_s & (table.data.isna() | (table.data == design))


def select(table: pd.DataFrame, curve: str, s=None, source: str = "simulation", design: str = "relu") -> pd.DataFrame:
    """One curve of the table (``s`` None for the dense model) from one source, indexed by p; the
    simulation (or design-dependent theory) on ``design``'s data."""
    return table[(table.curve == curve) & (table.source == source) & _matches(table, s, design)].set_index("p")


def panel(table: pd.DataFrame, s=None, design: str = "relu") -> pd.DataFrame:
    """The rows of one sparsity (``s`` None: the dense model) on ``design``'s data, with the DC lines:
    what overparam.book.style.plot_theory_and_simulation draws from (with x="p")."""
    return table[_matches(table, s, design)]


def reference_lines(ax, n: int) -> None:
    """The two trivial predictors, theta = 0 (risk E[y^2]) and the constant E[y] (risk Var y), and p = n."""
    ax.axhline(LABEL_SECOND_MOMENT, color="grey", ls="--", lw=1, label=f"θ = 0: risk E[y²] = {LABEL_SECOND_MOMENT:g}")
    ax.axhline(LABEL_VARIANCE, color="grey", ls="-.", lw=1, label=f"constant E[y]: risk Var y = {LABEL_VARIANCE:g}")
    ax.axvline(n, color="grey", ls=":", lw=1, label="p = n")


def agreement_checks(gaps: pd.DataFrame, n: int, sparsities) -> pd.DataFrame:
    """Theory against simulation (Fig. 2 and Fig. 4) for every design, curve and sparsity, at the
    scored sizes, from the paired-gap table (:func:`paired_gaps`): worst and mean relative gap, the
    share of points whose paired 95% interval covers 0, the median half-width of those intervals, and the
    largest Monte-Carlo error of the DC line."""
    rows = []
    for design in DESIGNS:
        for curve in ["dense", "magnitude+retrain", "magnitude"]:
            for s in ([None] if curve == "dense" else sparsities):
                points = gap_rows(gaps, curve, s, design)
                points = points[scored(points.index, n)]
                covered = (points.gap_ci_low <= 0) & (0 <= points.gap_ci_high)
                rows.append({"data": DESIGN_LABELS[design], "curve": curve, "s": s, "points": len(points),
                             "worst gap": points.gap.abs().max(), "mean gap": points.gap.mean(), "covered": covered.mean(),
                             "bar half-width": ((points.gap_ci_high - points.gap_ci_low) / 2).median(),
                             "theory MC error": points.theory_mc_se.max()})
    return pd.DataFrame(rows)

def same_sample_gaps(gaps: pd.DataFrame, n: int, sparsities) -> pd.DataFrame:
    """The paper's Fig. 2 markers (retraining on the same sample, ReLU data) against the DC line of
    retraining, per sparsity at the scored sizes, from the paired-gap table: worst and mean relative gap,
    and the share of points whose paired 95% interval covers 0; the fresh-sample gaps beside them."""
    rows = []
    for s in sparsities:
        row = {"s": s}
        for name, curve in [("same sample", "magnitude+retrain-same-sample"), ("fresh sample", "magnitude+retrain")]:
            points = gap_rows(gaps, curve, s)
            points = points[scored(points.index, n)]
            covered = (points.gap_ci_low <= 0) & (0 <= points.gap_ci_high)
            row |= {"points": len(points), f"{name}: worst gap": points.gap.abs().max(),
                    f"{name}: mean gap": points.gap.mean(), f"{name}: covered": covered.mean()}
        rows.append(row)
    return pd.DataFrame(rows)

# the dense model's gap split by the kind of data (:func:`dense_gap_split`): each row is a design's
# per-task gap, or the difference of two designs' gaps on the same tasks (same R, same DC line), as
# (glue key, label, design, baseline design or None)
DENSE_CONTRASTS = [("twin", "Gaussian twin: the DC's own error", "gaussian", None),
                   ("features", "ReLU features, independent noise, minus twin", "relu-independent-noise", "gaussian"),
                   ("label", "the real label minus the independent noise", "relu", "relu-independent-noise"),
                   ("relu", "total on ReLU data", "relu", None)]
DENSE_REGIMES = {"below": "p < 0.8n", "above": "p > 1.25n"}  # glue key: the sizes on one side of the peak


def dense_regimes(p, n: int) -> dict:
    """The scored sizes of the dense curve on each side of the peak: {DENSE_REGIMES name: boolean mask over p}."""
    p = np.asarray(p)
    return {DENSE_REGIMES["below"]: p < 0.8 * n, DENSE_REGIMES["above"]: p > 1.25 * n}


def task_dense_gaps(simulated: dict, predicted: list, design: str, valid) -> np.ndarray:
    """Per task, the mean over the sizes ``valid`` of the dense simulation on ``design``'s data divided
    by the same task's dense DC, minus 1: an array (tasks,)."""
    sim = per_task(simulated, "dense", design)[:, valid, 0]
    return np.mean(sim / theory_per_task(predicted, "dense")[:, valid] - 1, axis=1)


def dense_gap_split(simulated: dict, predicted: list, p_grid, n: int) -> pd.DataFrame:
    """The dense model's gap to its DC on each side of the peak (:func:`dense_regimes`), split by the
    kind of data (DENSE_CONTRASTS): the Gaussian twin's gap (data drawn from the equivalent LGP itself,
    so its gap is the DC's own error at this n), what ReLU features with an independent noise add to it,
    what the real label adds to that, and the total on ReLU data. Each is the mean over the tasks of a
    per-task gap (or of a difference of two designs' gaps on the same task), with its 95% Student-t
    interval: columns contrast, sizes, mean, ci_low, ci_high."""
    rows = []
    for name, valid in dense_regimes(p_grid, n).items():
        gaps = {design: task_dense_gaps(simulated, predicted, design, valid) for design in DESIGNS}
        for key, contrast, design, baseline in DENSE_CONTRASTS:
            per_task_gap = gaps[design] - (0 if baseline is None else gaps[baseline])
            mean, low, high = mean_ci(per_task_gap[:, None], student=True)
            rows.append({"key": key, "contrast": contrast, "sizes": name, "mean": mean[0], "ci_low": low[0],
                         "ci_high": high[0]})
    return pd.DataFrame(rows)


def format_dense_split(split: pd.DataFrame) -> str:
    """The dense split (:func:`dense_gap_split`) as printed in the chapter: one row per contrast, one
    column per side of the peak, mean and 95% interval in percent."""
    wide = split.assign(text=[f"{m:+.1%} [{lo:+.1%}, {hi:+.1%}]" for m, lo, hi in
                              zip(split["mean"], split.ci_low, split.ci_high)])
    wide = wide.pivot(index="contrast", columns="sizes", values="text")
    return wide.loc[[label for _, label, _, _ in DENSE_CONTRASTS], list(DENSE_REGIMES.values())].to_string()


def dense_quoted_numbers(split: pd.DataFrame, gaps: pd.DataFrame, n: int) -> dict:
    """The dense split's numbers that the prose quotes, by glue key ``rf-dense-<contrast>-<side>`` (the
    mean) with ``-low``/``-high`` (its 95% interval); ``rf-dense-hybrid-largest-*``: the gap of ReLU
    features with the independent noise at the largest p, where no feature is left out, with its
    interval; ``rf-dense-hybrid-covered``: the share of that design's scored sizes whose paired interval
    covers the line."""
    sides = {label: key for key, label in DENSE_REGIMES.items()}
    numbers = {}
    for row in split.itertuples():
        stem = f"rf-dense-{row.key}-{sides[row.sizes]}"
        numbers |= {stem: row.mean, f"{stem}-low": row.ci_low, f"{stem}-high": row.ci_high}
    hybrid = gap_rows(gaps, "dense", design="relu-independent-noise")
    points = hybrid[scored(hybrid.index, n)]
    numbers["rf-dense-hybrid-covered"] = np.mean((points.gap_ci_low <= 0) & (0 <= points.gap_ci_high))
    largest = hybrid.iloc[-1]
    numbers |= {"rf-dense-hybrid-largest-p": largest.name, "rf-dense-hybrid-largest-gap": largest.gap,
                "rf-dense-hybrid-largest-low": largest.gap_ci_low, "rf-dense-hybrid-largest-high": largest.gap_ci_high}
    return {key: value.item() if hasattr(value, "item") else value for key, value in numbers.items()}


def growth_lines(table: pd.DataFrame, sparsities) -> list[str]:
    """Fig. 2 in numbers: the retrained risk from the smallest and the largest model pruned to each s,
    next to a model trained directly with s features (numbers only: the claims judge them, paired)."""
    dense, lines = select(table, "dense"), []
    for s in sparsities:
        curve = select(table, "magnitude+retrain", s)
        first, last = curve.iloc[0], curve.iloc[-1]
        direct = (f"; a model trained directly with {s} features: {dense.risk[s]:.3f} [{dense.ci_low[s]:.3f}, "
                  f"{dense.ci_high[s]:.3f}]") if s in dense.index else ""
        lines.append(f"s = {s}: pruned and retrained from p = {int(first.name)}: {first.risk:.3f}, from p = "
                     f"{int(last.name)}: {last.risk:.3f} [{last.ci_low:.3f}, {last.ci_high:.3f}]{direct}")
    return lines


def relative_gap_panel(ax, gaps: pd.DataFrame, curve: str, s, n: int) -> None:
    """One curve of each design against its DC line, simulation / theory - 1 in percent, with the paired
    95% intervals of the per-task differences (:func:`paired_gaps`); the three designs are shifted slightly
    along p so that their bars do not hide each other."""
    for design, (color, marker, shift) in DESIGN_MARKS.items():
        points = gap_rows(gaps, curve, s, design)
        bars = [100 * (points.gap - points.gap_ci_low), 100 * (points.gap_ci_high - points.gap)]
        ax.errorbar(points.index * shift, 100 * points.gap, yerr=bars, fmt=marker, ms=5, capsize=2,
                    color=color, label=DESIGN_LABELS[design])
    ax.axhline(0, color="black", lw=1, label="theory (DC of the equivalent LGP)")
    ax.axvspan(0.8 * n, 1.25 * n, color="grey", alpha=0.15, label="near p = n (not scored)")
    log_axis(ax)
    ax.set_ylim(-15, 15)
    ax.set_xlabel("number of random features p")


def mean_ratio(numerator: pd.DataFrame, denominator: pd.DataFrame, n: int) -> float:
    """Mean over the scored sizes of numerator / denominator - 1 (two curves of the table indexed by p)."""
    keep = numerator.index[scored(numerator.index, n)]
    return float(np.mean(numerator.risk[keep] / denominator.risk[keep] - 1))


def support_split(table: pd.DataFrame, n: int, sparsities) -> pd.DataFrame:
    """The retrained gap (simulation / DC - 1) split into the choice of support (kept-support formula
    against the DC, Def. 5) and the refit on it (simulation against the kept-support formula), with the
    refit on a random support against its formula as a control; means over the scored sizes."""
    rows = []
    for design in DESIGNS:
        for s in sparsities:
            retrained, line = select(table, "magnitude+retrain", s, "simulation", design), select(table, "magnitude+retrain", s, "theory")
            kept = select(table, "kept-support", s, "theory", design)
            rows.append({"data": DESIGN_LABELS[design], "s": s, "choice of support": mean_ratio(kept, line, n),
                         "refit on it": mean_ratio(retrained, kept, n), "total": mean_ratio(retrained, line, n),
                         "refit on a random support": mean_ratio(select(table, "random+retrain", s, "simulation", design),
                                                                 select(table, "random+retrain", s, "theory", design), n)})
    return pd.DataFrame(rows)


def refit_gap_table(refit_results: dict, s: int) -> pd.DataFrame:
    """Per input dimension d, the refit on s random features against the Gaussian-design formula
    (Def. 5, from overparam.experiments.random_features.refit_on_fixed_support): the relative gap of
    each design, paired with each task's formula, mean and 95% CI."""
    rows = []
    for dim, result in refit_results.items():
        theory = result["theory"].mean()
        row = {"d": dim, "s": s, "tasks": len(result["theory"]), "theory": theory}
        for design in REFIT_DESIGNS:
            gap, low, high = mean_ci((result[design] - result["theory"]) / theory)
            row |= {f"{design} gap": gap, f"{design} ci_low": low, f"{design} ci_high": high}
        rows.append(row)
    return pd.DataFrame(rows)


def format_refit_table(refit: pd.DataFrame, n: int) -> str:
    """The refit-gap table as printed in the chapter."""
    s, tasks = int(refit.s.iloc[0]), int(refit.tasks.iloc[0])
    lines = [f"least squares on s = {s} random features, n = {n}, {tasks} tasks per d: "
             "risk / Gaussian-design formula - 1, mean and 95% CI",
             f"{'d':>5} {'theory':>7}" + "".join(f"{DESIGN_LABELS[k]:>32}" for k in REFIT_DESIGNS)]
    for row in refit.to_dict("records"):
        lines.append(f"{row['d']:5d} {row['theory']:7.3f}" + "".join(
            f"{row[f'{k} gap']:+14.1%} [{row[f'{k} ci_low']:+.1%}, {row[f'{k} ci_high']:+.1%}]" for k in REFIT_DESIGNS))
    return "\n".join(lines)


def fig4_lines(table: pd.DataFrame, s: int) -> list[str]:
    """Fig. 4 in numbers at sparsity s: same-sample against fresh-sample retraining, what retraining
    gains over pruning alone, and where pruning alone is worse than predicting zero."""
    fresh, same, pruned = (select(table, curve, s) for curve in
                           ["magnitude+retrain", "magnitude+retrain-same-sample", "magnitude"])
    same_vs_fresh = (same.risk - fresh.risk) / fresh.risk
    gain = pruned.risk / fresh.risk
    above_null = pruned.index[pruned.risk > LABEL_SECOND_MOMENT]
    return [f"s = {s}: same-sample minus fresh-sample retraining, relative: "
            + ", ".join(f"p={p}: {g:+.0%}" for p, g in same_vs_fresh.items()),
            f"retraining lowers the risk of the pruned model at {np.mean(gain > 1):.0%} of the sizes p > s, "
            f"by a factor {gain.median():.2f} in the median ({gain.iloc[-1]:.2f} at p = {gain.index[-1]})",
            "pruned without retraining, worse than θ = 0 (risk > E[y²]) at p = "
            + (", ".join(str(p) for p in above_null) if len(above_null) else "none")]


def quoted_numbers(table: pd.DataFrame, checks: pd.DataFrame, split: pd.DataFrame, refit: pd.DataFrame,
                   fig4_sparsity: int) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key (plain Python numbers)."""
    relu, twin = checks[checks.data == DESIGN_LABELS["relu"]], checks[checks.data == DESIGN_LABELS["gaussian"]]
    retrained, pruned = relu[relu.curve == "magnitude+retrain"], relu[relu.curve == "magnitude"]
    fresh, alone = select(table, "magnitude+retrain", fig4_sparsity), select(table, "magnitude", fig4_sparsity)
    above_null = alone.index[alone.risk > LABEL_SECOND_MOMENT]
    numbers = {
        "rf-twin-mean-gap": twin[twin.curve != "magnitude"]["mean gap"].abs().max(),
        "rf-relu-retrained-mean-gap": retrained["mean gap"].max(),
        "rf-relu-retrained-worst-gap": retrained["worst gap"].max(),
        "rf-relu-pruned-mean-gap": -pruned["mean gap"].min(),
        "rf-relu-pruned-worst-gap": pruned["worst gap"].max(),
        "rf-relu-retrained-bar": retrained["bar half-width"].max(),
        "rf-relu-pruned-bar-low": pruned["bar half-width"].min(), "rf-relu-pruned-bar-high": pruned["bar half-width"].max(),
        "rf-support-choice": split["choice of support"].abs().max(),
        "rf-hybrid-refit-gap": refit["relu-independent-noise gap"].abs().max(),
        "rf-relu-refit-gap-first-d": refit["relu gap"].iloc[0],
        **{f"rf-relu-refit-gap-last-d{end}": refit[f"relu {column}"].iloc[-1]
           for end, column in [("", "gap"), ("-low", "ci_low"), ("-high", "ci_high")]},
        "rf-refit-first-d": refit.d.iloc[0], "rf-refit-last-d": refit.d.iloc[-1],
        "rf-refit-formula-first-d": refit.theory.iloc[0], "rf-refit-formula-last-d": refit.theory.iloc[-1],
        "rf-fig4-retrained-low": fresh.risk.min(), "rf-fig4-retrained-high": fresh.risk.max(),
        "rf-pruned-peak": alone.risk.max(), "rf-pruned-peak-p": alone.risk.idxmax(),
        "rf-null-first": above_null.min() if len(above_null) else "none",
        "rf-null-last": above_null.max() if len(above_null) else "none",
    }
    return {key: value if isinstance(value, str) else value.item() if hasattr(value, "item") else value
            for key, value in numbers.items()}
