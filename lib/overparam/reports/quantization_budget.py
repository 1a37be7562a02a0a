"""Quantization (beyond the paper), the second part of the report: the fair bit budget
(:mod:`overparam.experiments.quantization_budget`), the test of "rounding acts as shrinkage", the
random-features fits against their Gaussian twin, and the risk relative to the dense fit; their
tables, claims, figure panels and quoted numbers. The first part is :mod:`overparam.reports.quantization`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.claims import claim
from overparam.book.stats import mean_ci
from overparam.book.style import log_axis
from overparam.book.verdicts import comparison, over_range
from overparam.experiments.quantization import FLOAT_BITS


def relative_table(theory: dict, theory_ks, simulation: dict, simulated_ks, curves) -> pd.DataFrame:
    """Each curve's risk over the dense fit's, by model size: theory rows (ratio of the predicted
    risks) and simulation rows (mean and 95% interval of the per-trial ratio: both share the draw)."""
    rows = []
    for curve in curves:
        ratio = np.asarray(theory[curve]) / np.asarray(theory["dense"])
        rows += [(curve, "theory", int(k), r, np.nan, np.nan) for k, r in zip(theory_ks, ratio)]
        mean, low, high = mean_ci(simulation[curve] / simulation["dense"])
        rows += [(curve, "simulation", int(k), m, lo, hi) for k, m, lo, hi in zip(simulated_ks, mean, low, high)]
    return pd.DataFrame(rows, columns=["curve", "source", "k", "risk", "ci_low", "ci_high"])


def affordable_large(fair: pd.DataFrame, s: int) -> pd.DataFrame:
    """The rows of the fair table for the model on all p features that fit in 32 s bits."""
    return fair[(fair.model == "large") & (fair.total_bits <= FLOAT_BITS * s)]


def fair_summary(fair: pd.DataFrame, s: int) -> pd.DataFrame:
    """Per law: the best small model (lowest predicted risk) and the best affordable model of all p
    features, with their predicted and simulated risks."""
    rows = []
    for law, rows_of_law in fair.groupby("law", sort=False):
        small = rows_of_law[rows_of_law.model == "small"]
        for kind, group in (("best small", small), ("best of all p within budget", affordable_large(rows_of_law, s))):
            best = group.loc[group.theory.idxmin()]
            rows.append({"law": law, "model": kind, "fit": best.fit, "stored": best.quantizer, "k": best.k,
                         "bits": best.total_bits, "theory": best.theory, "simulated": best.simulated})
    return pd.DataFrame(rows)


def fair_budget_claim(fair: pd.DataFrame, draws: dict, s: int) -> dict:
    """Within 32 s bits, on every law of theta*, the best model of all p features (lowest predicted risk
    among the affordable ones) beats every small model (least squares and tuned ridge at each
    precision), judged by the paired interval of the per-draw difference (one draw per trial shared by
    every model of a law)."""
    points, where = [], []
    for law, rows_of_law in fair.groupby("law", sort=False):
        rows_of_law = rows_of_law.reset_index(drop=True)
        best = affordable_large(rows_of_law, s).theory.idxmin()
        for j in rows_of_law.index[rows_of_law.model == "small"]:
            row = rows_of_law.loc[j]
            label = f"{law}: {row.fit} {row.quantizer} k = {row.k}"
            where.append(label)
            points.append(comparison(draws[law][:, j] - draws[law][:, best],
                                     what=f"{label} minus {rows_of_law.loc[best, 'fit']} {rows_of_law.loc[best, 'quantizer']}"))
    return claim("quant-budget-beats-small-models", "Sec. 5 (open question)",
                 f"within the {FLOAT_BITS * s} bits of the 32-bit dense model on the s salient features, on every law "
                 "of theta*, the best quantized model of all p features beats every small model: least squares or "
                 "tuned ridge on the first k features, stored at 32 or fewer bits", over_range(points, where),
                 origin="beyond")


def shrinkage_claim(law_draws: dict, law_theory: pd.DataFrame) -> dict:
    """Is 3-bit rounding a shrinkage? Against the best scalar shrinkage c* theta_hat of the same fit,
    3-bit quantization is lower or higher on each law of theta* as the theory predicts (paired)."""
    theory = law_theory[law_theory.source == "theory"].set_index(["law", "curve"]).risk
    laws = list(law_draws)
    sign = {law: np.sign(theory[(law, "shrinkage")] - theory[(law, "uniform-3")]) for law in laws}
    points = [comparison(sign[law] * (law_draws[law]["shrinkage"] - law_draws[law]["uniform-3"]),
                         what=f"{law}: {'shrinkage minus 3-bit' if sign[law] > 0 else '3-bit minus shrinkage'} risk")
              for law in laws]
    lower = " and ".join(law for law in laws if sign[law] > 0) or "(none)"
    higher = " and ".join(law for law in laws if sign[law] < 0) or "(none)"
    return claim("quant-rounding-vs-shrinkage", "Sec. 5 (open question)",
                 f"against the best scalar shrinkage c* theta_hat of the same fit, 3-bit quantization of the fit on all "
                 f"p features has the lower risk on theta* {lower} and the higher on {higher}, as the theory predicts",
                 over_range(points, laws), origin="beyond")


def rf_control(per_task: dict, p_grid, curves) -> pd.DataFrame:
    """Per curve and p: the relative gap of the ReLU fits and of the Gaussian twin's fits to the sampled
    characterization (mean over tasks), and the paired ReLU-over-twin ratio minus 1 with its 95%
    Student interval over tasks (the same directions R for both)."""
    rows = []
    relu, twin, theory = (np.asarray(per_task[key]) for key in ("simulation", "gaussian twin", "theory"))
    ratio_mean, ratio_low, ratio_high = mean_ci(relu / twin - 1, student=True)
    for c, curve in enumerate(curves):
        for a, p in enumerate(p_grid):
            rows.append({"curve": curve, "p": int(p),
                         "relu gap": float(np.mean(relu[:, a, c]) / np.mean(theory[:, a, c]) - 1),
                         "twin gap": float(np.mean(twin[:, a, c]) / np.mean(theory[:, a, c]) - 1),
                         "relu / twin - 1": ratio_mean[a, c], "ci_low": ratio_low[a, c], "ci_high": ratio_high[a, c]})
    return pd.DataFrame(rows)


def plot_rf_control(ax, control: pd.DataFrame, curves, style_of, n: int) -> None:
    """The paired ReLU-over-twin ratio minus 1 against p, one marker series per curve (slightly offset
    in p so the bars do not overlap), 0 and p = n marked."""
    for offset, curve in zip(np.linspace(-0.04, 0.04, len(curves)), curves):
        rows, style = control[control.curve == curve], style_of(curve)
        x = rows.p * np.exp(offset)
        ax.errorbar(x, rows["relu / twin - 1"], yerr=[rows["relu / twin - 1"] - rows.ci_low, rows.ci_high - rows["relu / twin - 1"]],
                    fmt=style["marker"], ms=4, color=style["color"], capsize=2, lw=1, label=style["label"])
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(n, color="grey", ls=":", lw=1)
    log_axis(ax)
    ax.set(xlabel="number of random features, p", ylabel="ReLU risk / Gaussian-twin risk - 1")


def budget_numbers(fair: pd.DataFrame, s: int, law_table: pd.DataFrame, control: pd.DataFrame,
                   rf_feature_draws: int) -> dict:
    """The numbers the prose quotes for the fair budget, the shrinkage test and the random-features
    control, by glue key."""
    numbers = {"quant-rf-tasks": rf_feature_draws}  # the draws of R: independent tasks
    for row in fair_summary(fair, s).itertuples():
        key = "small" if row.model == "best small" else "large"
        numbers[f"quant-fair-{row.law}-{key}"] = float(row.theory)
        numbers[f"quant-fair-{row.law}-{key}-sim"] = float(row.simulated)
        numbers[f"quant-fair-{row.law}-{key}-model"] = f"{row.fit}, {row.stored}, k = {row.k}"
    constant = fair[fair.law == fair.law.iloc[0]].set_index(["model", "fit", "quantizer"]).theory
    numbers["quant-fair-ls-small"] = float(constant[("small", "least squares", "32-bit")])
    numbers["quant-fair-ridge-small"] = float(constant[("small", "tuned ridge", "32-bit")])
    if ("large", "tuned ridge", "uniform-3") in constant.index:
        numbers["quant-fair-ridge-large-3bit"] = float(constant[("large", "tuned ridge", "uniform-3")])
    for quantizer, key in (("uniform-3", "3bit"), ("lloyd-2", "lloyd2")):
        if ("large", "least squares", quantizer) in constant.index:
            numbers[f"quant-fair-ls-large-{key}"] = float(constant[("large", "least squares", quantizer)])
    theory = law_table[law_table.source == "theory"].set_index(["law", "curve"]).risk
    for law in law_table.law.unique():
        numbers[f"quant-{law}-shrinkage"] = float(theory[(law, "shrinkage")])
    resolved = (control.ci_low > 0) | (control.ci_high < 0)
    numbers["quant-rf-resolved"] = int(resolved.sum())
    numbers["quant-rf-points"] = int(len(control))
    numbers["quant-rf-relu-gap-max"] = float(control["relu gap"].abs().max())
    numbers["quant-rf-twin-gap-max"] = float(control["twin gap"].abs().max())
    numbers["quant-rf-ratio-max"] = float(control["relu / twin - 1"].abs().max())
    return numbers


def rf_pooled(per_task: dict, curves) -> pd.DataFrame:
    """Per quantizer, pooled over the sizes: the mean over p of the ReLU-over-twin ratio minus 1, minus
    the dense model's, per task; its mean and 95% Student interval over tasks. A quantizer that reads
    the non-Gaussian shape of the ReLU fits' law would deviate from its twin more than the dense model."""
    ratio = np.asarray(per_task["simulation"]) / np.asarray(per_task["gaussian twin"]) - 1
    pooled = ratio.mean(axis=1)  # (tasks, curves)
    excess = pooled[:, 1:] - pooled[:, :1]
    mean, low, high = mean_ci(excess, student=True)
    return pd.DataFrame({"curve": list(curves)[1:], "excess over dense": mean, "ci_low": low, "ci_high": high})
