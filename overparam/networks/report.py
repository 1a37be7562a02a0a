"""Summaries, figures, per-layer densities and claim checks of a network width sweep (Fig. 1, 5, 6),
shared by the network chapters."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import t as scipy_t

from overparam.book.stats import mean_ci
from overparam.book.style import log_axis, style_of
from overparam.book.tidy import claim, write_csv
from overparam.experiments.verdicts import Verdict, comparison, over_range
from overparam.networks.models import prunable_layers

SPLITS = ["test_error", "train_error", "validation_error"]
SPARSE_VARIANTS = ["magnitude+retrain", "magnitude", "random+retrain", "random-layerwise+retrain",
                   "magnitude-reinit+retrain"]


@dataclass(frozen=True)
class SweepTables:
    """A sweep's tidy tables: one row per run, the errors' means and intervals over seeds, and the
    kept weights per layer of every pruned net."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    density: pd.DataFrame


def sweep_tables(rows: list[dict], architecture: str) -> SweepTables:
    """The tidy tables of a sweep's result rows (overparam.networks.training.sweep)."""
    runs = pd.DataFrame(rows).drop(columns="seconds")
    return SweepTables(runs, summarize_runs(runs), layer_density(runs, architecture))


def write_sweep_tables(tables: SweepTables, results_dir, architecture: str) -> str:
    """Write ``<architecture>_runs.csv``, ``<architecture>_errors.csv`` and ``layer_density.csv``;
    return a line that says what each holds."""
    write_csv(tables.runs.drop(columns="kept_per_layer"), results_dir, f"{architecture}_runs.csv")
    write_csv(tables.summary, results_dir, f"{architecture}_errors.csv")
    write_csv(tables.density, results_dir, "layer_density.csv")
    return (f"{len(tables.runs)} runs; files: {architecture}_runs.csv (one row per run), {architecture}_errors.csv "
            "(means and 95% t-intervals over seeds), layer_density.csv (kept weights per layer of every pruned net)")


def summarize_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% Student-t interval over seeds of each error, per (variant, base, width)."""
    rows = []
    keys = [runs.variant, runs.base_width.fillna(0).astype(int), runs.width]
    for (variant, base, width), group in runs.groupby(keys, sort=False):
        entry = {"variant": variant, "base_width": base or None, "width": width, "runs": len(group)}
        for split in [split for split in SPLITS if split in runs]:
            mean, low, high = mean_ci(group[split].to_numpy(), student=True)
            entry.update({split: mean, f"{split}_ci_low": low, f"{split}_ci_high": high})
        rows.append(entry)
    return pd.DataFrame(rows)


def _bars(ax, curve, split, style, label=None):
    ax.errorbar(curve.width, curve[split], yerr=[curve[split] - curve[f"{split}_ci_low"], curve[f"{split}_ci_high"] - curve[split]],
                marker=style["marker"], ls=style["linestyle"], color=style["color"], capsize=2, lw=1,
                label=label or style["label"])


SMALL_NETWORK_LINES = {"dense": ":", "dense-2x": style_of("dense-2x")["linestyle"]}


def plot_width_sweep(summary: pd.DataFrame, base_widths, parameter_count, model_name: str):
    """Test (top) and train (bottom) error against width, one column per sparsity target (paper
    Fig. 1, 5 and 6): the dense networks, the small network of the target width as horizontal lines
    (trained once, dotted; twice as long, dashed), and every pruned variant, each in its registered
    style (overparam.book.style.CURVES), means over seeds with 95% t-intervals."""
    fig, axes = plt.subplots(2, len(base_widths), figsize=(6 * len(base_widths), 8), squeeze=False)
    widths = sorted(summary.width.unique())
    for column, base in enumerate(base_widths):
        for row, split in enumerate(["test_error", "train_error"]):
            ax = axes[row, column]
            _bars(ax, summary[summary.variant == "dense"], split, style_of("dense"), f"dense {model_name} of width k")
            for variant, label in [("dense", "small network of the target width"),
                                   ("dense-2x", "the same, trained for twice the epochs")]:
                small = summary[(summary.variant == variant) & (summary.width == base)]
                if not small.empty:
                    ax.axhline(small[split].iloc[0], color=style_of(variant)["color"], ls=SMALL_NETWORK_LINES[variant],
                               lw=1, label=label)
            for variant in SPARSE_VARIANTS:
                _bars(ax, summary[(summary.variant == variant) & (summary.base_width == base)], split, style_of(variant))
            log_axis(ax)
            log_axis(ax, "y")
            ax.set_xticks(widths, [str(w) for w in widths])
            ax.set_xlabel(f"width of the dense {model_name}")
            ax.set_ylabel(split.replace("_", " "))
            ax.set_title(f"pruned to {parameter_count(base)} parameters (width {base})", fontsize=10)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _errors(runs: pd.DataFrame, variant: str, width: int, base=None, split: str = "test_error") -> pd.Series:
    """One variant's error at one width (and sparsity target), indexed by seed."""
    chosen = runs[(runs.variant == variant) & (runs.width == width)]
    if base is not None:
        chosen = chosen[chosen.base_width == base]
    return chosen.set_index("seed")[split].sort_index()


def _steps(runs, variant, widths, base, split="test_error") -> list[Verdict]:
    """Paired comparisons between consecutive widths: a positive difference is a fall of the error."""
    return [comparison(_errors(runs, variant, a, base, split), _errors(runs, variant, b, base, split), what="fall")
            for a, b in zip(widths, widths[1:])]


def double_descent(steps: list[Verdict], widths) -> Verdict:
    """Double descent along the widths from consecutive-step comparisons (falls positive): a
    significant rise followed by a significant fall, ``reproduced``; no rise at all (every step a
    significant fall), ``not reproduced``; otherwise ``inconclusive``."""
    labels = [f"{a}->{b}" for a, b in zip(widths, widths[1:])]
    kinds = ["fall" if v.status == "reproduced" else "rise" if v.status == "not reproduced" else "unclear" for v in steps]
    text = ", ".join(f"{label}: {kind}" for label, kind in zip(labels, kinds)) or "fewer than two widths"
    rises = [i for i, kind in enumerate(kinds) if kind == "rise"]
    if rises and "fall" in kinds[rises[0] + 1:]:
        return Verdict("reproduced", text)
    if kinds and all(kind == "fall" for kind in kinds):
        return Verdict("not reproduced", text)
    return Verdict("inconclusive", text)


def best_pruned_width(summary: pd.DataFrame, base: int, widths) -> tuple[int, list[int]] | None:
    """The width whose magnitude-pruned and retrained network has the lowest mean *validation* error
    at sparsity target ``base`` (the test error it is judged by plays no part in the choice), and
    all the widths pruned to that target; None when ``base`` was not trained or nothing was pruned to it."""
    selector = "validation_error" if "validation_error" in summary else "test_error"
    candidates = summary[(summary.variant == "magnitude+retrain") & (summary.base_width == base)]
    if candidates.empty or base not in widths:
        return None
    return int(candidates.loc[candidates[selector].idxmin()].width), sorted(int(w) for w in candidates.width)


def sweep_headline(tables: SweepTables, widths, base_widths) -> dict:
    """The numbers the chapters quote (for ``glue``), at the first sparsity target with a comparison:
    the target, the best pruned width and its mean test error, the small network's mean test error
    trained once and twice as long, and the smallest and largest kept fraction of the first prunable
    layer of the widest pruned network over all targets (mean over seeds). Plain Python numbers."""
    for base in base_widths:
        chosen = best_pruned_width(tables.summary, base, widths)
        if chosen is not None:
            break
    else:
        raise ValueError(f"no sparsity target among {base_widths} has a pruned network and a small network to compare")
    best, _ = chosen
    first = density_table(tables.density).iloc[0, 2:]
    return {"target": int(base), "best-width": best,
            "pruned-error": float(_errors(tables.runs, "magnitude+retrain", best, base).mean()),
            "small-error": float(_errors(tables.runs, "dense", base).mean()),
            "small-2x-error": float(_errors(tables.runs, "dense-2x", base).mean()),
            "first-layer-kept-min": float(first.min()), "first-layer-kept-max": float(first.max())}


def sweep_claims(runs: pd.DataFrame, summary: pd.DataFrame, widths, base_widths, figure: str,
                 scale: str) -> tuple[list[str], list[dict]]:
    """The paper's claims for each sparsity target, judged on differences paired over seeds
    (overparam.experiments.verdicts.comparison): printed lines and claim rows.

    The best width is the one with the lowest mean *validation* error of magnitude + retrain (the
    test error it is judged by plays no part in the choice); the baseline is the small network
    trained for as many epochs as the pruned one got in all (dense training plus retraining).
    """
    lines, claims = [], []
    for base in base_widths:
        chosen = best_pruned_width(summary, base, widths)
        if chosen is None:
            continue
        best, wide = chosen
        widest = wide[-1]
        small, long = _errors(runs, "dense", base), _errors(runs, "dense-2x", base)
        at = {variant: _errors(runs, variant, widest, base) for variant in SPARSE_VARIANTS}
        pruned = _errors(runs, "magnitude+retrain", best, base)
        gain = comparison(long, pruned, what="error gain")
        lines.append(f"width {base} target: small network {small.mean():.3f} ({long.mean():.3f} with twice the epochs); "
                     f"magnitude + retrain from width {best} (lowest validation error) {pruned.mean():.3f}; {gain.measured}")
        lines.append(f"  at width {widest}: " + ", ".join(f"{v} {e.mean():.3f}" for v, e in at.items()))
        random = np.minimum(at["random+retrain"], at["random-layerwise+retrain"])
        test_steps = _steps(runs, "magnitude+retrain", wide, base)
        lines.append(f"  magnitude + retrain along the widths {wide}: "
                     + ", ".join(f"{v.measured}" for v in test_steps))
        trend = (lambda verdict: verdict) if len(wide) > 1 else \
            (lambda verdict: Verdict("inconclusive", f"only one width ({widest}) above the target"))
        rows = [
            ("a wide network pruned to width {b}'s size and retrained beats the width-{b} network trained as long in all",
             Verdict(gain.status, f"{gain.measured} (pruned from width {best}, chosen on validation)"), "paper"),
            ("magnitude beats random pruning, both retrained (target width {b}, width {w})",
             comparison(random, at["magnitude+retrain"], what="error of the better random minus magnitude"), "paper"),
            ("retraining helps after magnitude pruning (target width {b}, width {w})",
             comparison(at["magnitude"], at["magnitude+retrain"], what="error without minus with retraining"), "paper"),
            ("the pruned weights matter: retraining them beats the same mask re-initialised (target width {b}, width {w})",
             comparison(at["magnitude-reinit+retrain"], at["magnitude+retrain"], what="error re-initialised minus retrained"),
             "beyond"),
            ("the pruned and retrained network's test error falls from the narrowest to the widest network (target width {b})",
             trend(comparison(_errors(runs, "magnitude+retrain", wide[0], base), at["magnitude+retrain"], what="fall")), "paper"),
            ("the pruned and retrained network's test error shows a double descent in width (target width {b})",
             trend(double_descent(test_steps, wide)), "paper"),
            ("the pruned and retrained network's training error falls from the narrowest to the widest network (target width {b})",
             trend(comparison(_errors(runs, "magnitude+retrain", wide[0], base, "train_error"),
                              _errors(runs, "magnitude+retrain", widest, base, "train_error"), what="fall")), "paper"),
            ("without retraining, the pruned network's test error grows with the width it was cut from (target width {b})",
             trend(comparison(at["magnitude"], _errors(runs, "magnitude", wide[0], base), what="rise")), "paper"),
        ]
        for text, verdict, origin in rows:
            claims.append(claim(figure, text.format(b=base, w=widest), verdict, origin=origin, scale=scale))
    return lines, claims


def layer_density(runs: pd.DataFrame, architecture: str) -> pd.DataFrame:
    """Tidy per-layer density of every pruned net: one row per (variant, base width, width, seed,
    layer) with the kept and total weights of that prunable layer."""
    layers = {width: prunable_layers(architecture, width) for width in runs.width.unique()}
    rows = []
    for run in runs[runs.kept_per_layer.notna()].itertuples():
        names, sizes = layers[run.width]
        for layer, kept, total in zip(names, run.kept_per_layer, sizes):
            rows.append({"variant": run.variant, "base_width": int(run.base_width), "width": run.width, "seed": run.seed,
                         "layer": layer, "kept": kept, "weights": total, "density": kept / total})
    return pd.DataFrame(rows)


def density_table(density: pd.DataFrame, variant: str = "magnitude+retrain") -> pd.DataFrame:
    """Kept fraction of each layer of the widest pruned network, per sparsity target (mean over seeds)."""
    chosen = density[density.variant == variant]
    widest = chosen.groupby("base_width").width.transform("max")
    chosen = chosen[chosen.width == widest]
    table = chosen.pivot_table(index=["layer", "weights"], columns=["base_width", "width"], values="density",
                               aggfunc="mean", sort=False)
    table.columns = [f"target {b}, from width {w}" for b, w in table.columns]
    return table.reset_index()


ADJACENT = [{"reproduced", "inconclusive"}, {"not reproduced", "inconclusive"}]


def verdicts_agree(reference: pd.DataFrame, rerun: pd.DataFrame) -> pd.Series:
    """Do two runs of the same sweep reach the same verdicts, up to the noise between CPUs? The
    claims must be the same, in the same order; a status may move by one step, to or from
    ``inconclusive`` (an interval that ends near zero on one CPU can cross it on another), never to
    the opposite verdict. One boolean per claim."""
    if list(reference.claim) != list(rerun.claim):
        raise ValueError("the two runs do not check the same claims")
    return pd.Series([a == b or {a, b} in ADJACENT for a, b in zip(reference.status, rerun.status)],
                     index=reference.claim)


def rerun_agreement(reference: pd.DataFrame, rerun: pd.DataFrame, family_level: float = 0.01) -> pd.DataFrame:
    """Do two runs of the same sweep (say, on two CPUs with different vector kernels) agree within
    the seed-to-seed noise? One row per (variant, base width, width, split) with the two mean errors,
    their difference and its tolerance, and ``agrees``.

    Tiny floating-point differences grow through training into the spread of a different seed, so
    each run's mean over its m seeds is treated as one draw of that spread. On the arcsine-square-root
    scale an error rate's spread is about the same at every level, so its variance is pooled over all
    rows and both runs; a difference of two means then has standard error sqrt(2 v / m), and the
    tolerance is a Student-t quantile Bonferroni-corrected over the rows (all rows agree with
    probability at least 1 - ``family_level`` when the runs differ only by noise).
    """
    keys = ["variant", "base_width", "width", "seed"]
    splits = [split for split in SPLITS if split in reference and split in rerun]
    long = [frame.assign(base_width=frame.base_width.fillna(0).astype(int)).melt(keys, splits, "split", "error")
            for frame in (reference, rerun)]
    both = long[0].merge(long[1], on=keys + ["split"], suffixes=("_reference", "_rerun"), validate="one_to_one")
    if len(both) != len(long[0]) or len(both) != len(long[1]):
        raise ValueError("the two runs do not have the same (variant, base width, width, seed) rows")
    for side in ("reference", "rerun"):
        both[f"angle_{side}"] = np.arcsin(np.sqrt(both[f"error_{side}"]))
    cells = both.groupby(["variant", "base_width", "width", "split"])
    seeds = cells.size().iloc[0]
    variance = np.mean([cells[f"angle_{side}"].var(ddof=1).mean() for side in ("reference", "rerun")])
    table = cells[["error_reference", "error_rerun", "angle_reference", "angle_rerun"]].mean().reset_index()
    degrees = 2 * len(table) * (seeds - 1)
    quantile = float(scipy_t.ppf(1 - family_level / (2 * len(table)), degrees))
    table["difference"] = table.angle_rerun - table.angle_reference
    table["tolerance"] = quantile * np.sqrt(2 * variance / seeds)
    table["agrees"] = table.difference.abs() <= table.tolerance
    return table.drop(columns=["angle_reference", "angle_rerun"])
