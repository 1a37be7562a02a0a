"""Summaries, figures and claim checks of a network width sweep (Fig. 1, 5, 6), shared by the
network chapters."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .stats import mean_ci
from .style import OKABE_ITO, log_axis

SPLITS = ["test_error", "train_error"]
SPARSE_STYLES = {"magnitude+retrain": (OKABE_ITO[6], "^", "magnitude + retrain"),
                 "magnitude": (OKABE_ITO[5], "s", "magnitude, no retraining"),
                 "random+retrain": (OKABE_ITO[1], "v", "random + retrain"),
                 "random-layerwise+retrain": (OKABE_ITO[7], "P", "random (layerwise) + retrain")}


def summarize_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% Student-t interval over seeds of the train and test error, per (variant, base, width)."""
    rows = []
    keys = [runs.variant, runs.base_width.fillna(0).astype(int), runs.width]
    for (variant, base, width), group in runs.groupby(keys, sort=False):
        entry = {"variant": variant, "base_width": base or None, "width": width, "runs": len(group)}
        for split in SPLITS:
            mean, low, high = mean_ci(group[split].to_numpy(), student=True)
            entry.update({split: mean, f"{split}_ci_low": low, f"{split}_ci_high": high})
        rows.append(entry)
    return pd.DataFrame(rows)


def _bars(ax, curve, split, fmt, color, label):
    ax.errorbar(curve.width, curve[split], yerr=[curve[split] - curve[f"{split}_ci_low"], curve[f"{split}_ci_high"] - curve[split]],
                fmt=fmt, color=color, capsize=2, lw=1, label=label)


def plot_width_sweep(summary: pd.DataFrame, base_widths, parameter_count, model_name: str):
    """Test (top) and train (bottom) error against width, one column per sparsity target."""
    fig, axes = plt.subplots(2, len(base_widths), figsize=(6 * len(base_widths), 8), squeeze=False)
    dense = summary[summary.variant == "dense"]
    for column, base in enumerate(base_widths):
        for row, split in enumerate(SPLITS):
            ax = axes[row, column]
            _bars(ax, dense, split, "o-", OKABE_ITO[0], f"dense {model_name} of width k")
            small = dense[dense.width == base]
            if not small.empty:
                ax.axhline(small[split].iloc[0], color=OKABE_ITO[0], ls="--", lw=1,
                           label="small network of the target width, from scratch")
            for variant, (color, marker, label) in SPARSE_STYLES.items():
                _bars(ax, summary[(summary.variant == variant) & (summary.base_width == base)], split,
                      marker + "-", color, label)
            log_axis(ax)
            log_axis(ax, "y")
            ax.set_xticks(sorted(summary.width.unique()), [str(w) for w in sorted(summary.width.unique())])
            ax.set_xlabel(f"width k of the dense {model_name}")
            ax.set_ylabel(split.replace("_", " "))
            ax.set_title(f"pruned to {parameter_count(base)} parameters (width {base})")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def sweep_claims(runs: pd.DataFrame, summary: pd.DataFrame, widths, base_widths, figure: str) -> tuple[list, list]:
    """The paper's three claims for each sparsity target, measured: printed lines and claim rows.

    A pruned wide network beats the small one (the best width, paired over seeds with a t interval);
    magnitude beats random pruning and retraining helps (both at the widest network).
    """
    dense = summary[summary.variant == "dense"]
    lines, claims = [], []
    for base in base_widths:
        candidates = summary[(summary.variant == "magnitude+retrain") & (summary.base_width == base)]
        if candidates.empty or base not in widths:
            continue
        best = candidates.loc[candidates.test_error.idxmin()]
        pruned = runs[(runs.variant == "magnitude+retrain") & (runs.base_width == base) & (runs.width == best.width)]
        small = runs[(runs.variant == "dense") & (runs.width == base)]
        difference = (small.set_index("seed").test_error - pruned.set_index("seed").test_error).dropna().to_numpy()
        gain, low, high = mean_ci(difference, student=True)
        lines.append(f"width {base} target: small network {dense[dense.width == base].test_error.iloc[0]:.3f}; magnitude + "
                     f"retrain from width {int(best.width)} {best.test_error:.3f} (gain {gain:+.3f}, 95% CI [{low:+.3f}, {high:+.3f}])")
        supported = low > 0 if np.isfinite(low) else gain > 0
        claims.append({"paper": figure, "claim": f"a wide network pruned to width {base}'s size and retrained beats the width-{base} network",
                       "status": "reproduced" if supported else ("partly" if gain > 0 else "not reproduced"), "measured": lines[-1]})
        widest = max(w for w in widths if w > base)
        at = {variant: summary[(summary.variant == variant) & (summary.base_width == base) & (summary.width == widest)].test_error.iloc[0]
              for variant in SPARSE_STYLES}
        lines.append(f"  at width {widest}: " + ", ".join(f"{v} {e:.3f}" for v, e in at.items()))
        claims.append({"paper": figure, "claim": f"magnitude beats random pruning (target width {base}, widest network)",
                       "status": "reproduced" if at["magnitude+retrain"] < min(at["random+retrain"], at["random-layerwise+retrain"])
                       else "not reproduced", "measured": lines[-1].strip()})
        claims.append({"paper": figure, "claim": f"retraining helps after magnitude pruning (target width {base}, widest network)",
                       "status": "reproduced" if at["magnitude+retrain"] < at["magnitude"] else "not reproduced",
                       "measured": f"{at['magnitude']:.3f} without, {at['magnitude+retrain']:.3f} with retraining"})
    return lines, claims
