"""The report of chapter 7 (random ReLU features on the bundled MNIST digits): the tidy table and the
figure of the curves, the printed summaries, the claims and the numbers the prose quotes, from the runs
of :mod:`overparam.experiments.random_features_mnist` ({curve: array (draws, len(p_grid), 2)}).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import style_of
from overparam.book.stats import mean_ci
from overparam.book.style import (COLUMN_INCHES, log_axis, narrow_log_axis, plot_theory_and_simulation,
                                  theory_simulation_legend)
from overparam.book.verdicts import comparison, equality
from overparam.experiments.random_features import REAL_DATA_CURVES
from overparam.experiments.random_features_mnist import ERROR, METRICS


def tidy_digits(results: dict, p_grid) -> pd.DataFrame:
    """Tidy rows (metric, curve, source, p, value, ci_low, ci_high): the mean over the draws with a
    Student-t 95% interval, at every p where the curve is defined."""
    ps, rows = np.asarray(p_grid), []
    for m, metric in enumerate(METRICS):
        for name in REAL_DATA_CURVES:
            valid = ~np.isnan(results[name][0, :, m])
            mean, low, high = mean_ci(results[name][:, valid, m], student=True)
            rows.append(pd.DataFrame({"metric": metric, "curve": name, "source": "simulation", "p": ps[valid],
                                      "value": mean, "ci_low": low, "ci_high": high}))
    return pd.concat(rows, ignore_index=True)


def budget_label(curve: str, budget: int) -> str:
    """The registry's label of a curve, with the budget for a pruned one."""
    label = style_of(curve)["label"]
    return label if curve == "dense" else f"{label}, {budget} features kept"


def plot_measured(ax, rows: pd.DataFrame, curve: str, budget: int) -> None:
    """One measured curve (no theory here): the means with 95% bars in the registry's style, joined by
    a thin line in the curve's line style."""
    style = style_of(curve)
    sim = rows[rows.curve == curve]
    ax.plot(sim.p, sim.value, color=style["color"], ls=style["linestyle"], lw=0.8)
    plot_theory_and_simulation(ax, rows, curve, x="p", y="value", show_theory=False, label=budget_label(curve, budget))


def plot_curves(table: pd.DataFrame, budget: int, n_train: int):
    """The chapter's figure: test squared loss (left, log scale, labelled at 1, 2, 3 and 5 times each
    power of ten) and classification error (right) of every curve against p (log scale), the measured
    means of ``table`` (:func:`tidy_digits`) with 95% bars; dotted: p = ``n_train``. One column of the
    page wide (COLUMN_INCHES)."""
    fig, axes = plt.subplots(1, 2, figsize=(COLUMN_INCHES, 4.8))
    for ax, metric in zip(axes, METRICS):
        for name in REAL_DATA_CURVES:
            plot_measured(ax, table[table.metric == metric], name, budget)
        ax.axvline(n_train, color="grey", ls=":", lw=1, label="p = number of training images")
        log_axis(ax)
        ax.set_xlabel("number of random features p")
        ax.set_ylabel(f"test {metric}")
    narrow_log_axis(axes[0], "y")
    theory_simulation_legend(fig, axes[1], ncol=2, explain_marks=False)
    return fig


def error_summary(table: pd.DataFrame, p_grid, budget: int) -> pd.DataFrame:
    """Classification error of the dense and the retrained curves: at the smallest p where each is
    defined, the lowest error and where, and the error with its interval at the largest p."""
    error = table[table.metric == "classification error"].set_index(["curve", "p"])
    summary = []
    for name in ["dense", "magnitude+retrain", "random+retrain"]:
        curve = error.loc[name]
        first = p_grid[0] if name == "dense" else min(p for p in p_grid if p > budget)
        last = curve.iloc[-1]
        summary.append({"curve": name, "error at the smallest p": f"{curve.value.loc[first]:.3f} (p = {first})",
                        "lowest error": f"{curve.value.min():.3f} (p = {curve.value.idxmin()})",
                        "at the largest p": f"{last.value:.3f} [{last.ci_low:.3f}, {last.ci_high:.3f}]"})
    return pd.DataFrame(summary)


def magnitude_against_random(results: dict) -> str:
    """Magnitude minus random pruning (both retrained), classification error paired over the draws:
    the mean over p and the share of sizes whose 95% interval lies below 0."""
    paired = results["magnitude+retrain"][:, :, ERROR] - results["random+retrain"][:, :, ERROR]
    valid = ~np.isnan(paired[0])
    diff, _, high = mean_ci(paired[:, valid], student=True)
    return (f"magnitude minus random pruning (both retrained), classification error, paired over draws: "
            f"mean over p {diff.mean():+.3f}; lower at {np.mean(high < 0):.0%} of the sizes with the 95% interval below 0")


def size_effect(results: dict, p_grid, budget: int) -> dict:
    """Classification error of magnitude + retrain at the smallest p above the budget and at the largest
    p (means over the draws, plain Python values ready to glue), and the paired comparison of the two
    over the shared draws (``verdict``: smaller p minus larger p, positive when the larger model is better)."""
    ps = list(p_grid)
    first = next(i for i, p in enumerate(ps) if p > budget)
    errors = results["magnitude+retrain"][:, :, ERROR]
    verdict = comparison(errors[:, first] - errors[:, -1], what=f"error at p = {ps[first]} minus at p = {ps[-1]}")
    return {"p_first": int(ps[first]), "error_first": float(errors[:, first].mean()), "p_last": int(ps[-1]),
            "error_last": float(errors[:, -1].mean()), "status": verdict.status, "verdict": verdict}


def direct_gain(results: dict, p_grid, budget: int, curve: str) -> dict:
    """The error of ``budget`` features trained directly (the dense model at p = budget) minus that of
    ``curve`` pruned from the largest p, paired over the draws, with a Student-t 95% interval.
    Needs budget in p_grid. Plain Python floats, ready to glue."""
    small = results["dense"][:, list(p_grid).index(budget), ERROR]
    pruned = results[curve][:, -1, ERROR]
    gain, low, high = mean_ci((small - pruned)[:, None], student=True)
    return {"direct": float(small.mean()), "pruned": float(pruned.mean()), "gain": float(gain[0]), "low": float(low[0]),
            "high": float(high[0])}


def digits_claims(results: dict, p_grid, budget: int) -> list[dict]:
    """The chapter's claims (origin ``beyond``), paired over the draws: magnitude pruning of the largest
    model, retrained, against the small model trained directly; the same with random pruning, a control
    (a random subset of i.i.d. random features has the law of a small model drawn directly, so the two
    must come out equal); and the size effect, magnitude + retrain from the largest against the smallest
    model. The first two need the budget in p_grid."""
    rows = []
    if budget in p_grid:
        small = results["dense"][:, list(p_grid).index(budget), ERROR]
        rows += [
            claim("digits-magnitude-beats-small", "Fig. 1 (in its spirit; random features on real data)",
                  f"magnitude pruning of a large model (p = {p_grid[-1]}), retrained, beats the small model trained "
                  f"directly ({budget} features)",
                  comparison(small, results["magnitude+retrain"][:, -1, ERROR], what="error gain"), origin="beyond"),
            claim("digits-random-equals-small", "control (random features are i.i.d.)",
                  f"random pruning of a large model (p = {p_grid[-1]}), retrained, equals the small model trained "
                  f"directly ({budget} features): null by construction",
                  equality(small - results["random+retrain"][:, -1, ERROR], tolerance("digits-random-equals-small"),
                           what="error gain"), origin="beyond", kind="control"),
        ]
    size = size_effect(results, p_grid, budget)
    rows.append(claim("digits-size-effect", "Fig. 1 (in its spirit; random features on real data)",
                      f"magnitude pruning + retraining to {budget} features is better from the largest model "
                      f"(p = {size['p_last']}) than from the smallest (p = {size['p_first']})",
                      size["verdict"], origin="beyond"))
    return rows


def quoted_numbers(results: dict, p_grid, budget: int) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the size effect
    (:func:`size_effect`) and, for magnitude and random pruning, the paired gain over the small model
    trained directly with its interval (:func:`direct_gain`; NaN when the budget is not in p_grid)."""
    size = size_effect(results, p_grid, budget)
    numbers = {f"digits-size-{key}": size[key] for key in ["p_first", "error_first", "p_last", "error_last", "status"]}
    for name in ["magnitude+retrain", "random+retrain"]:
        gain = direct_gain(results, p_grid, budget, name) if budget in p_grid else {}
        numbers |= {f"digits-{name.split('+')[0]}-{key}": gain.get(key, float("nan")) for key in ["gain", "low", "high"]}
    return numbers
