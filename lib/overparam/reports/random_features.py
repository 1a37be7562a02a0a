"""The report of chapter 6: the random-features runs (Fig. 2 and Fig. 4 of the paper) of
:mod:`overparam.experiments.random_features` turned into the chapter's table, figures' helpers,
printed tables, claims and quoted numbers.

A run is ``simulated`` = {design: [simulate_task(...) for each task]} and ``predicted`` =
[theory_task(...) for each task], one task per draw of the directions R (the independent unit: every
interval below is a Student-t interval over the tasks, each task's data draws averaged first).

The tidy table has one row per plotted point, with the columns of ``TABLE_COLUMNS``: ``curve`` (a name
of the registry, overparam.book.curves.CURVES), ``s`` (empty for the dense model), ``source`` ("theory"
or "simulation"), ``data`` (the design of the simulated data, see
overparam.experiments.random_features.DESIGNS; empty for the DC of the equivalent LGP, which is the
same for all three), ``p``, ``risk``, ``ci_low``, ``ci_high``. Two theory curves depend on the
simulated support, so they carry a design and an interval: "kept-support" (Def. 5 on the support that
magnitude pruning kept) and the theory of "random+retrain" (Def. 5 on a random support).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.stats import mean_ci
from overparam.book.curves import OKABE_ITO
from overparam.book.style import log_axis
from overparam.book.claims import claim
from overparam.experiments.random_features import DESIGNS
from overparam.book.claim_table import tolerance
from overparam.book.verdicts import agreement, comparison, equality, non_inferiority, over_range
from overparam.theory.features import LABEL_SECOND_MOMENT, LABEL_VARIANCE

TABLE_COLUMNS = ["curve", "s", "source", "data", "p", "risk", "ci_low", "ci_high"]
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
            if not curve.endswith("-same-sample"):
                parts += [simulation_rows(simulated, curve, b, s, ps > s, ps, design) for design in DESIGNS[1:]]
                parts.append(theory_rows(predicted, curve, b, s, ps > s, ps))
    parts += [simulation_rows(simulated, key, b, s, ps > s, ps, design)
              for key in ["kept-support", "random+retrain", "random-support"]
              for design in DESIGNS for b, s in enumerate(sparsities)]
    return pd.concat(parts, ignore_index=True)


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


def agreement_checks(table: pd.DataFrame, n: int, sparsities) -> pd.DataFrame:
    """Theory against simulation (Fig. 2 and Fig. 4) for every design, curve and sparsity, at the
    scored sizes: worst and mean relative gap, and the share of points whose 95% bars cover the line."""
    rows = []
    for design in DESIGNS:
        for curve in ["dense", "magnitude+retrain", "magnitude"]:
            for s in ([None] if curve == "dense" else sparsities):
                sim, th = select(table, curve, s, "simulation", design), select(table, curve, s, "theory").risk
                keep = sim.index[scored(sim.index, n)]
                relative = sim.risk[keep] / th[keep] - 1
                covered = (sim.ci_low[keep] <= th[keep]) & (th[keep] <= sim.ci_high[keep])
                rows.append({"data": DESIGN_LABELS[design], "curve": curve, "s": s, "points": len(keep),
                             "worst gap": relative.abs().max(), "mean gap": relative.mean(), "covered": covered.mean()})
    return pd.DataFrame(rows)


def same_sample_gaps(table: pd.DataFrame, n: int, sparsities) -> pd.DataFrame:
    """The paper's Fig. 2 markers (retraining on the same sample, ReLU data) against the DC line of
    retraining, per sparsity at the scored sizes: worst and mean relative gap, and the share of points
    whose 95% bars cover the line; the fresh-sample gaps beside them."""
    rows = []
    for s in sparsities:
        line = select(table, "magnitude+retrain", s, "theory").risk
        row = {"s": s}
        for name, curve in [("same sample", "magnitude+retrain-same-sample"), ("fresh sample", "magnitude+retrain")]:
            sim = select(table, curve, s)
            keep = sim.index[scored(sim.index, n)]
            gap = sim.risk[keep] / line[keep] - 1
            covered = (sim.ci_low[keep] <= line[keep]) & (line[keep] <= sim.ci_high[keep])
            row |= {"points": len(keep), f"{name}: worst gap": gap.abs().max(), f"{name}: mean gap": gap.mean(),
                    f"{name}: covered": covered.mean()}
        rows.append(row)
    return pd.DataFrame(rows)


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


def relative_gap_panel(ax, table: pd.DataFrame, curve: str, s, n: int) -> None:
    """One curve of each design divided by its theory line, in percent, with the 95% bars on the same
    scale; the three designs are shifted slightly along p so that their bars do not hide each other."""
    th = select(table, curve, s, "theory").risk
    for design, (color, marker, shift) in DESIGN_MARKS.items():
        sim = select(table, curve, s, "simulation", design)
        line = th[sim.index]
        bars = [100 * (sim.risk - sim.ci_low) / line, 100 * (sim.ci_high - sim.risk) / line]
        ax.errorbar(sim.index * shift, 100 * (sim.risk / line - 1), yerr=bars, fmt=marker, ms=5, capsize=2,
                    color=color, label=f"{DESIGN_LABELS[design]}: simulation, mean and 95% CI")
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


def fits(table: pd.DataFrame, curve: str, n: int, tolerance: float, design: str = "relu", sparsities=None,
         line: str | None = None):
    """Verdict of :func:`overparam.book.verdicts.agreement`: the DC line (of ``line``, default
    ``curve``) against the simulation of ``curve`` on ``design``'s data at every scored size and at the
    sparsities ``sparsities`` (default all), each point's 95% interval of the relative gap inside
    +-``tolerance``."""
    sim = table[(table.curve == curve) & (table.source == "simulation") & (table.data == design)]
    sim = sim[scored(sim.p, n) & (True if sparsities is None else sim.s.isin(list(sparsities)))]
    theory = table[(table.curve == (line or curve)) & (table.source == "theory") & table.data.isna()]
    keys = ["p"] if curve == "dense" else ["s", "p"]
    points = sim.merge(theory[keys + ["risk"]], on=keys, suffixes=("", "_theory"))
    return agreement(points.risk_theory, points.risk, points.ci_low, points.ci_high, tolerance)


def task_ratio(numerator: np.ndarray, denominator: np.ndarray, b: int, valid) -> np.ndarray:
    """Per task, the mean over the sizes ``valid`` of numerator / denominator - 1 at sparsity index b
    (arrays (tasks, p, s))."""
    return np.mean(numerator[:, valid, b] / denominator[:, valid, b] - 1, axis=1)


def _agreement_claims(table: pd.DataFrame, sparsities, fig4_sparsity: int, n: int) -> list[dict]:
    """Theory against simulation: the paper's Fig. 2 markers (same-sample retraining, every sparsity but
    the one its Fig. 4 singles out, and all of them as the stronger version), the fresh-sample retraining
    the DC is derived for, pruning alone, and the Gaussian twin."""
    others = [s for s in sparsities if s != fig4_sparsity]
    same = "magnitude+retrain-same-sample"
    rows = []
    if others:
        rows.append(claim("fig2-dc-same-sample-retraining", "Fig. 2 (l. 64, l. 128), Def. 2, Def. 5",
                          f"the DC of the equivalent LGP captures retraining on the same sample (the paper's markers) at "
                          f"every sparsity but the Fig. 4 one (s = {', '.join(map(str, others))})",
                          fits(table, same, n, tolerance("fig2-dc-same-sample-retraining"), sparsities=others,
                               line="magnitude+retrain")))
    rows += [
        claim("fig2-dc-same-sample-retraining-all", "Fig. 2 (l. 64), Def. 2, Def. 5",
              "the DC of the equivalent LGP captures retraining on the same sample at every sparsity, the Fig. 4 one included",
              fits(table, same, n, tolerance("fig2-dc-same-sample-retraining-all"), line="magnitude+retrain"),
              origin="paper-extended"),
        claim("fig4-dc-fresh-sample-retraining", "Fig. 4 (l. 64), Def. 5",
              f"the DC of the equivalent LGP predicts retraining on a fresh sample at the Fig. 4 sparsity (s = {fig4_sparsity})",
              fits(table, "magnitude+retrain", n, tolerance("fig4-dc-fresh-sample-retraining"), sparsities=[fig4_sparsity])),
        claim("fig2-dc-fresh-sample-retraining", "Def. 5 (l. 128)",
              "the DC of the equivalent LGP predicts retraining on a fresh sample at every sparsity (the retraining "
              "characterization's own setting)",
              fits(table, "magnitude+retrain", n, tolerance("fig2-dc-fresh-sample-retraining")), origin="beyond"),
        claim("dc-pruning-no-retraining", "Sec. 3.2 (l. 59), Def. 2, Def. 4",
              "the DC of the equivalent LGP predicts pruning without retraining",
              fits(table, "magnitude", n, tolerance("dc-pruning-no-retraining"))),
        claim("twin-dc-dense", "Def. 2, Def. 4", "on the Gaussian twin the DC predicts the dense risk",
              fits(table, "dense", n, tolerance("twin-dc-dense"), "gaussian"), origin="beyond"),
        claim("twin-dc-retrained", "Def. 2, Def. 5", "on the Gaussian twin the DC predicts the retrained (fresh-sample) risk",
              fits(table, "magnitude+retrain", n, tolerance("twin-dc-retrained"), "gaussian"), origin="beyond"),
    ]
    return rows


def _gap_claims(simulated: dict, predicted: list, refit_results: dict, p_grid, sparsities, n: int) -> list[dict]:
    """Beyond the paper: where the retrained gap comes from (choice of support against refit), task by task."""
    ps, bs = np.asarray(p_grid), range(len(sparsities))
    retrained, kept = per_task(simulated, "magnitude+retrain"), per_task(simulated, "kept-support")
    line = theory_per_task(predicted, "magnitude+retrain")
    valid = [scored(ps, n) & (ps > s) for s in sparsities]
    hybrid = "relu-independent-noise"
    random_gap = [task_ratio(per_task(simulated, "random+retrain", hybrid), per_task(simulated, "random-support", hybrid),
                             b, valid[b]) for b in bs]
    small_gap = {dim: {design: (result[design] - result["theory"]) / result["theory"].mean() for design in DESIGNS}
                 for dim, result in refit_results.items()}
    dims = list(refit_results)
    return [
        claim("support-choice-as-dc", "Def. 5", "magnitude pruning's choice of support is as good as the DC predicts "
              "(kept-support formula against the DC line, task by task)",
              over_range([equality(task_ratio(kept, line, b, valid[b]), tolerance("support-choice-as-dc"))
                          for b in bs], sparsities, "s = "), origin="beyond"),
        claim("refit-worse-than-formula", "Def. 5", "on ReLU data the refit on the kept support is worse than the "
              "Gaussian-design formula for it",
              over_range([comparison(task_ratio(retrained, kept, b, valid[b])) for b in bs], sparsities, "s = "),
              origin="beyond"),
        claim("random-support-refit-worse", "Def. 5", "with the independent noise, the refit on a random support of the "
              "large model is still worse than the formula",
              over_range([comparison(gap) for gap in random_gap], sparsities, "s = "), origin="beyond"),
        claim("small-model-refit-matches", "Def. 5", "with the independent noise, a small model's refit matches the "
              "Gaussian-design formula",
              over_range([equality(small_gap[dim][hybrid], tolerance("small-model-refit-matches")) for dim in dims],
                         dims, "d = "), origin="beyond"),
        claim("relu-refit-gap-shrinks-with-d", "Def. 5", "on ReLU data, a small model's refit gap shrinks from the "
              "smallest to the largest d (independent tasks: unpaired)",
              comparison(small_gap[dims[0]]["relu"], small_gap[dims[-1]]["relu"], paired=False), origin="beyond"),
    ]


def chapter_claims(simulated: dict, predicted: list, table: pd.DataFrame, refit_results: dict, p_grid, sparsities,
                   fig4_sparsity: int, n: int) -> list[dict]:
    """The chapter's claims (rows for overparam.book.tidy.write_claims): Fig. 2 and Fig. 4 of the paper as
    the paper states them, the retraining characterization on a fresh sample, and the split of the gap
    beyond the paper (Def. 2, 4 and 5). Every comparison is task by task, paired where the sides share
    the task's draws."""
    ps = np.asarray(p_grid)
    retrained = per_task(simulated, "magnitude+retrain")
    first_p = [int(np.argmax(ps > s)) for s in sparsities]
    fig4, above = list(sparsities).index(fig4_sparsity), np.flatnonzero(ps > fig4_sparsity)
    same = per_task(simulated, "magnitude+retrain-same-sample")[:, :, fig4]
    fresh = retrained[:, :, fig4]
    return [
        claim("fig2-risk-falls-with-p", "Fig. 2 (l. 63)", "train-prune-retrain risk falls as the model grows before "
              "pruning (smallest against largest p), at every sparsity",
              over_range([comparison(retrained[:, j, b] - retrained[:, -1, b], what="risk at the smallest p minus at the largest")
                          for b, j in enumerate(first_p)], sparsities, "s = ")),
        *_agreement_claims(table, sparsities, fig4_sparsity, n),
        claim("fig4-retraining-lowers-risk", "Fig. 4 (l. 70)", f"retraining lowers the risk of the pruned model at "
              f"every size p > s (s = {fig4_sparsity})",
              over_range([comparison(per_task(simulated, "magnitude")[:, a, fig4] - fresh[:, a]) for a in above],
                         ps[above], "p = ")),
        claim("fig4-same-sample-mismatch", "Fig. 4 (l. 64)", f"same-sample retraining is worse than fresh-sample "
              f"retraining (the paper's 'mismatch'), at every size p > s (s = {fig4_sparsity})",
              over_range([comparison(same[:, a] - fresh[:, a]) for a in above], ps[above], "p = ")),
        claim("fig4-same-sample-slight", "Fig. 4 (l. 64)", f"the mismatch is slight: same-sample retraining is at most "
              f"{tolerance('fig4-same-sample-slight'):.0%} worse than fresh-sample retraining at every size p > s "
              f"(s = {fig4_sparsity})",
              over_range([non_inferiority(1 - same[:, a] / fresh[:, a], tolerance("fig4-same-sample-slight"),
                                          what="1 - same / fresh") for a in above], ps[above], "p = ")),
        *_gap_claims(simulated, predicted, refit_results, p_grid, sparsities, n),
    ]


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
        "rf-support-choice": split["choice of support"].abs().max(),
        "rf-hybrid-refit-gap": refit["relu-independent-noise gap"].abs().max(),
        "rf-relu-refit-gap-first-d": refit["relu gap"].iloc[0],
        "rf-fig4-retrained-low": fresh.risk.min(), "rf-fig4-retrained-high": fresh.risk.max(),
        "rf-pruned-peak": alone.risk.max(), "rf-pruned-peak-p": alone.risk.idxmax(),
        "rf-null-first": above_null.min() if len(above_null) else "none",
        "rf-null-last": above_null.max() if len(above_null) else "none",
    }
    return {key: value if isinstance(value, str) else value.item() if hasattr(value, "item") else value
            for key, value in numbers.items()}
