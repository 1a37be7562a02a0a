"""Quantization of the trained model (beyond the paper), the report: the tidy table with bit widths,
the printed tables, the bit-budget figure, the claims and the numbers the prose quotes, from the runs
of :mod:`overparam.experiments.quantization` and of the growing-model experiment
(:mod:`overparam.experiments.linear`: ``theory`` = {curve: risks at ``theory_ks``}, ``simulation`` =
{curve: per-trial risks of shape (trials, simulated sizes)}).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curve_names import CurveName
from overparam.book.style import log_axis
from overparam.book.verdicts import comparison, deterministic, non_inferiority, over_range
from overparam.experiments.quantization import FLOAT_BITS, position_bits, quantizer_map
from overparam.reports.quantization_budget import fair_budget_claim, shrinkage_claim
from overparam.theory.quantization import best_map, map_risk

# the theory's finite-size band (chapter 1's 3%, declared with quant-largest-model-best): a change of the
# peak that the theory predicts inside it is not a point of quant-peak-height
BAND = tolerance("quant-largest-model-best")
SIGN_SYMMETRIC = ("random-sign", "gaussian")
LAW_MARKERS = {"constant": "o", "random-sign": "s", "gaussian": "D", "sparse": "^"}
FAMILY_STYLE = [("pruned", "s", "#0072B2"), ("quantized", "o", "#D55E00"), ("pruned+quantized", "D", "#CC79A7")]


def tidy_bits(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with a bit width named by its own column: curve "uniform-3" becomes curve
    "uniform" with bits 3 (likewise the bounds); other curves keep their name, bits empty."""
    names = table.curve.map(CurveName.parse)
    out = table.copy()
    out["bits"] = names.map(lambda name: name.bits).astype(float)
    out["curve"] = names.map(lambda name: str(name.renamed(bits=None)))
    return out


def peak_size(simulated_ks, n: int) -> int:
    """The simulated size nearest 1.05 n, just past the interpolation peak."""
    return min(list(simulated_ks), key=lambda k: abs(k - 1.05 * n))


def risk_table(theory: dict, theory_ks, curves, s: int, peak_k: int) -> pd.DataFrame:
    """Per curve, its theory risk at k = s, at ``peak_k`` and at k = p (the last size), and the size
    with the lowest theory risk."""
    at = list(theory_ks).index
    return pd.DataFrame([{"quantizer": name, "risk at k = s": theory[name][at(s)], f"at k = {peak_k}": theory[name][at(peak_k)],
                          "at k = p": theory[name][-1], "best k (theory)": int(theory_ks[np.nanargmin(theory[name])])}
                         for name in curves])


def affordable_models(budget_table: pd.DataFrame, s: int, column: str = "total_bits") -> pd.DataFrame:
    """The theory rows of the bit-budget table whose models fit in the bits of the dense model on the
    s salient features (``FLOAT_BITS`` * s), the positions of pruned weights charged as ``column``
    says (``total_bits``: the cheaper of a mask and indices; ``entropy_bits``: an entropy-coded mask)."""
    return budget_table[(budget_table.source == "theory") & (budget_table[column] <= FLOAT_BITS * s)]


def plot_bit_budget(ax, budget_table: pd.DataFrame, dense_theory: pd.DataFrame, dense_at_p: float, s: int) -> None:
    """Risk against total bits: the dense model on k features (``dense_theory``: total_bits, risk) and
    each family of compressions of the model on all p features (theory: line and open markers;
    simulation: filled markers with 95% bars), the budget 32 s marked; the y axis up to 3 times the
    dense risk at k = p."""
    ax.plot(dense_theory.total_bits, dense_theory.risk, color="black", lw=1.2, label="dense model on k features")
    for family, marker, color in FAMILY_STYLE:
        rows = budget_table[budget_table.family == family].sort_values("total_bits")
        th, sim = rows[rows.source == "theory"], rows[rows.source == "simulation"]
        ax.plot(th.total_bits, th.risk, marker=marker, mfc="none", color=color, lw=1)
        ax.errorbar(sim.total_bits, sim.risk, yerr=[sim.risk - sim.ci_low, sim.ci_high - sim.risk], fmt=marker, ms=4,
                    color=color, capsize=2, lw=1, label=family.replace("+", " then ") + " (all p features)")
    ax.axvline(FLOAT_BITS * s, color="grey", ls="--", lw=1, label="32 s bits")
    log_axis(ax)
    log_axis(ax, "y")
    ax.set_yticks([1.2, 1.5, 2, 2.5, 3])
    ax.set_ylim(0.9 * budget_table.risk.min(), 3 * dense_at_p)
    ax.set(xlabel="total bits of the model", ylabel="test risk")


def bound_table(law, names) -> pd.DataFrame:
    """Each quantizer's predicted risk next to its bound: the best single map of the value alone with
    the same output levels (:func:`overparam.theory.quantization.best_map`)."""
    rows = []
    for name in names:
        quantizer = quantizer_map(law, name)
        risk, bound = map_risk(law, quantizer), map_risk(law, best_map(law, quantizer.levels))
        rows.append({"quantizer": name, "risk": risk, "bound": bound, "excess": risk / bound - 1})
    return pd.DataFrame(rows)


def law_summary(law_table: pd.DataFrame, names) -> pd.DataFrame:
    """Per theta* law and quantizer (theory): the risk of the fit on all p features, its change over
    the dense fit's, its bound and the excess over the bound; with the simulated change and excess, and
    the theory risk of the 32-bit dense fit on the first s features (curve "dense-s", where present)."""
    risk = law_table.pivot_table(index=["law", "curve"], columns="source", values="risk")
    rows = []
    for law in law_table.law.unique():
        dense = risk.loc[(law, "dense")]
        for name in names:
            q, b = risk.loc[(law, name)], risk.loc[(law, f"bound-{name}")]
            rows.append({"law": law, "quantizer": name, "risk": q.theory, "vs dense": q.theory / dense.theory - 1,
                         "bound": b.theory, "excess": q.theory / b.theory - 1,
                         "vs dense (sim.)": q.simulation / dense.simulation - 1, "excess (sim.)": q.simulation / b.simulation - 1,
                         "dense k = s": risk.loc[(law, "dense-s")].theory if (law, "dense-s") in risk.index else np.nan})
    return pd.DataFrame(rows)


def plot_theta_laws(axes, law_table: pd.DataFrame, names) -> None:
    """One panel per theta* law: each quantizer's risk on all p features and its bound (theory: open
    markers; simulation: filled markers with 95% bars), the dense fit's risk as a horizontal line."""
    x = np.arange(len(names))
    for ax, law in zip(np.ravel(axes), law_table.law.unique()):
        rows = law_table[law_table.law == law].set_index(["curve", "source"])
        for prefix, color, label in (("", "#D55E00", "quantizer"), ("bound-", "#0072B2", "its bound")):
            th = [rows.loc[(prefix + name, "theory"), "risk"] for name in names]
            sim = rows.loc[[(prefix + name, "simulation") for name in names]]
            ax.plot(x, th, "o", mfc="none", ms=8, color=color, label=f"{label}, theory")
            ax.errorbar(x, sim.risk, yerr=[sim.risk - sim.ci_low, sim.ci_high - sim.risk], fmt="o", ms=3, color=color,
                        capsize=2, lw=1, label=f"{label}, simulation")
        ax.axhline(rows.loc[("dense", "theory"), "risk"], color="black", lw=1, label="dense fit, theory")
        ax.set_xticks(x, names, rotation=45, ha="right", rotation_mode="anchor")
        ax.set(title=f"theta*: {law}", xlabel="quantizer", ylabel="test risk at k = p")


def _peak_height_claim(simulation: dict, ks: list, theory: dict, theory_ks, names, peak: int) -> dict:
    """Quantization changes the height of the interpolation peak (k = ``peak``) as the theory predicts:
    each quantizer whose predicted change over the dense peak exceeds the theory's band is a point,
    judged by the paired interval of its simulated change, in the predicted direction."""
    at_th, at_sim = list(theory_ks).index(peak), ks.index(peak)
    change = {name: theory[name][at_th] / theory["dense"][at_th] - 1 for name in names}
    shown = [name for name in names if abs(change[name]) > BAND]
    points = [comparison(np.sign(change[name]) * (simulation[name][:, at_sim] - simulation["dense"][:, at_sim]),
                         what=f"{name}: {'rise' if change[name] > 0 else 'fall'} of the risk over the dense fit's")
              for name in shown]
    text = ", ".join(f"{name} {change[name]:+.0%}" for name in shown)
    verdict = over_range(points, shown) if shown else over_range(["inconclusive"], ["no quantizer"])
    return claim("quant-peak-height", "Sec. 5 (open question)",
                 f"at the interpolation peak (k = {peak}) coarse quantization changes the risk of the dense fit as "
                 f"the theory predicts ({text})", verdict, origin="beyond")


def _largest_claim(theory: dict, theory_ks, name: str, p: int) -> dict:
    """Quantizer ``name``: in theory, no smaller model beats k = p by more than the declared band."""
    risks = np.asarray(theory[name], dtype=float)
    at_p = risks[list(theory_ks).index(p)]
    others = np.where(np.asarray(theory_ks) == p, np.nan, risks)
    j = int(np.nanargmin(others))
    excess = float(others[j] / at_p - 1)
    return claim("quant-largest-model-best", "Sec. 5 (open question)",
                 f"{name}: the best quantized model is the largest, k = p (theory)",
                 deterministic(excess, 0.0, tolerance("quant-largest-model-best"), "above",
                               text=f"lowest risk at k < p over the risk at k = p, minus 1: {excess:+.3f} "
                                    f"(at k = {int(theory_ks[j])})"),
                 origin="beyond", variant=name)


def _law_claims(law_draws: dict, law_theory: pd.DataFrame, names) -> list:
    """On panel (b) with theta* drawn from each law: 3-bit quantization moves the risk of the fit on
    all p features in the direction the theory predicts (paired over the shared draws); on the
    sign-symmetric laws every quantizer is within 3% of its bound (paired non-inferiority of the
    per-draw ratio)."""
    theory = law_theory[law_theory.source == "theory"].set_index(["law", "curve"]).risk
    laws = list(law_draws)
    claims = []
    if "uniform-3" in names:
        sign = {law: np.sign(theory[(law, "dense")] - theory[(law, "uniform-3")]) for law in laws}
        points = [comparison(sign[law] * (law_draws[law]["dense"] - law_draws[law]["uniform-3"]),
                             what=f"{law}: {'dense minus 3-bit' if sign[law] > 0 else '3-bit minus dense'} risk")
                  for law in laws]
        lower = [law for law in laws if sign[law] > 0]
        higher = [law for law in laws if sign[law] < 0]
        claims.append(claim("quant-3bit-follows-theory", "Sec. 5 (open question)",
                            f"3-bit quantization of the fit on all p features lowers its risk on theta* "
                            f"{' and '.join(lower) or '(none)'} and raises it on {' and '.join(higher) or '(none)'}, "
                            "as the theory predicts", over_range(points, laws), origin="beyond"))
        if all("dense-s" in law_draws[law] for law in laws):
            points = [comparison(law_draws[law]["dense-s"] - law_draws[law]["uniform-3"],
                                 what=f"{law}: dense on s features minus 3-bit risk") for law in laws]
            claims.append(claim("quant-3bit-beats-small-dense", "Sec. 5 (open question)",
                                "on every law of theta*, 3-bit quantization of the fit on all p features beats the "
                                "32-bit dense fit on the first s features, which takes more bits",
                                over_range(points, laws), origin="beyond"))
    margin = tolerance("quant-near-bound")
    for law in [law for law in SIGN_SYMMETRIC if law in laws]:
        points = [non_inferiority(1 - law_draws[law][name] / law_draws[law][f"bound-{name}"], margin,
                                  what=f"{name}: 1 minus risk over bound") for name in names]
        claims.append(claim("quant-near-bound", "Sec. 5 (open question)",
                            f"on theta* {law}, every quantizer's risk on all p features is within {margin:.0%} of its "
                            "bound (the best map of the value alone with its levels)",
                            over_range(points, names), origin="beyond", variant=law))
    return claims


def quantization_claims(simulation: dict, simulated_ks, theory: dict, theory_ks, fair: pd.DataFrame, fair_draws: dict,
                        law_draws, law_theory, names, n: int, s: int, p: int) -> list:
    """The chapter's answers as claims (origin ``beyond``): the height of the interpolation peak, the
    largest model best (a statement about the theory, with the theory's finite-size band declared in
    overparam.book.claim_table), the theta* laws (3-bit quantization against the dense fit, against the
    best scalar shrinkage, and the bound), and the fair bit budget: the best quantized model of all p
    features against every small model, least squares or tuned ridge (``fair``, ``fair_draws``: the
    table and draws of :func:`overparam.experiments.quantization_budget.fair_budget`)."""
    ks, peak = list(simulated_ks), peak_size(simulated_ks, n)
    claims = [_peak_height_claim(simulation, ks, theory, theory_ks, names, peak)]
    claims += [_largest_claim(theory, theory_ks, name, p) for name in names]
    claims += _law_claims(law_draws, law_theory, names)
    if all("shrinkage" in law_draws[law] for law in law_draws) and "uniform-3" in names:
        claims.append(shrinkage_claim(law_draws, law_theory))
    return claims + [fair_budget_claim(fair, fair_draws, s)]


def _relative(theory: dict, theory_ks, curve: str, k: int) -> float:
    at = list(theory_ks).index(k)
    return float(theory[curve][at] / theory["dense"][at] - 1)


def excess_numbers(summary: pd.DataFrame, infix: str = "") -> dict:
    """Per law of a :func:`law_summary` table, the smallest and largest excess of its quantizers over
    their bounds, by glue key ``quant-<law>-<infix>excess-min`` / ``-max``."""
    numbers = {}
    for law, rows in summary.groupby("law", sort=False):
        numbers[f"quant-{law}-{infix}excess-min"] = float(rows.excess.min())
        numbers[f"quant-{law}-{infix}excess-max"] = float(rows.excess.max())
    return numbers


def quoted_numbers(fit: pd.DataFrame, theory: dict, theory_ks, budget_table: pd.DataFrame, names, s: int,
                   prune_bits: int, laws: pd.DataFrame, small: pd.DataFrame, peak: int,
                   lloyd: pd.DataFrame | None = None) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the worst gap of theory and
    simulation (``fit``: the agreement table of :func:`overparam.reports.linear.agreement_table`), the
    theory risks at k = p, k = s and the peak, the theta* laws (``laws`` from :func:`law_summary`; the
    Lloyd-Max quantizers' excess over their bounds from ``lloyd``, the same table for them), the
    bit-budget comparison (``small``: :func:`overparam.experiments.quantization.small_models`) and a
    parameter."""
    at_s = list(theory_ks).index(s)
    p = int(theory_ks[-1])
    numbers = {"quant-worst-gap": float(fit.worst_gap.max()),
               "quant-binary-at-p": float(theory["binary"][-1]),
               "quant-dense-at-p": float(theory["dense"][-1]),
               "quant-uniform3-at-p": float(theory["uniform-3"][-1]) if "uniform-3" in theory else float("nan"),
               "quant-peak-k": peak,
               "quant-peak-binary": _relative(theory, theory_ks, "binary", peak),
               "quant-peak-uniform2": _relative(theory, theory_ks, "uniform-2", peak) if "uniform-2" in theory else float("nan"),
               "quant-prune-bits": prune_bits,
               "quant-budget-bits": FLOAT_BITS * s,
               "quant-mask-bits": position_bits(p, s),
               "quant-entropy-mask-bits": position_bits(p, s, "entropy"),
               "quant-best-risk-at-budget": float(affordable_models(budget_table, s).risk.min()),
               "quant-best-at-budget-bits": int(affordable_models(budget_table, s).sort_values("risk").bits.iloc[0]),
               "quant-dense-at-s": float(theory["dense"][at_s])}
    for row in small.itertuples():
        numbers[f"quant-small-{row.precision}-k"] = row.k
        numbers[f"quant-small-{row.precision}-risk"] = row.risk
    numbers.update(excess_numbers(laws))
    if lloyd is not None:
        numbers.update(excess_numbers(lloyd, "lloyd-"))
    numbers["quant-small-bits"] = " or ".join(str(int(b)) for b in small.precision if b != FLOAT_BITS)
    for law, rows in laws.groupby("law", sort=False):
        three = rows[rows.quantizer == "uniform-3"]
        numbers[f"quant-{law}-3bit"] = float(three["vs dense"].iloc[0]) if len(three) else float("nan")
        numbers[f"quant-{law}-3bit-risk"] = float(three["risk"].iloc[0]) if len(three) else float("nan")
        numbers[f"quant-{law}-small"] = float(rows["dense k = s"].iloc[0])
    return numbers
