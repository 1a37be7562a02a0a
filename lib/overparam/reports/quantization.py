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
from overparam.book.curves import BITS
from overparam.book.style import log_axis
from overparam.book.verdicts import comparison, deterministic, over_range
from overparam.experiments.quantization import FLOAT_BITS, quantizer_map
from overparam.theory.quantization import best_map, map_risk

FAMILY_STYLE = [("pruned", "s", "#0072B2"), ("quantized", "o", "#D55E00"), ("pruned+quantized", "D", "#CC79A7")]


def tidy_bits(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with a bit width named by its own column: curve "uniform-3" becomes curve
    "uniform" with bits 3 (likewise the bounds); other curves keep their name, bits empty."""
    parts = table.curve.str.extract(BITS.pattern)
    out = table.copy()
    out["bits"] = parts.bits.astype(float)
    out["curve"] = parts.base.where(parts.base.notna(), table.curve)
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


def affordable_models(budget_table: pd.DataFrame, s: int) -> pd.DataFrame:
    """The theory rows of the bit-budget table whose models fit in the bits of the dense model on the
    s salient features (``FLOAT_BITS`` * s)."""
    return budget_table[(budget_table.source == "theory") & (budget_table.total_bits <= FLOAT_BITS * s)]


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


def rf_gaps(rf: pd.DataFrame) -> pd.DataFrame:
    """The random-features risks by (curve, p), one column per source, with the relative gap
    (simulation - sampled DC) / sampled DC."""
    pivot = rf.pivot_table(index=["curve", "p"], columns="source", values="risk")
    pivot["gap"] = (pivot.simulation - pivot.theory) / pivot.theory
    return pivot


def fine_quantizers(names) -> list[str]:
    """The dense model and the uniform quantizers of 4 bits or more (nearly the identity)."""
    return ["dense"] + [name for name in names if name.startswith("uniform-") and int(name.split("-")[1]) >= 4]


def _peak_claim(simulation: dict, ks: list, name: str, peak: int, s: int, p: int) -> dict:
    """Quantizer ``name``: the simulated risk at ``peak`` above those at k = s and k = p (paired)."""
    above = [comparison(simulation[name][:, ks.index(peak)] - simulation[name][:, ks.index(k)],
                        what=f"risk at k = {peak} minus at k = {k}") for k in (s, p)]
    return claim("quant-peak-near-n", "Sec. 5 (open question)",
                 f"{name}: the quantized risk peaks near k = n (above k = s and k = p)",
                 over_range(above, [f"vs k = {s}", f"vs k = {p}"]), origin="beyond", variant=name)


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


def _budget_claim(budget_draws, configs, budget_table: pd.DataFrame, dense_at_s, s: int) -> dict:
    """The compressed model with the lowest theory risk within the bits of the dense model on the s
    salient features beats that model in simulation (unpaired: different draws)."""
    affordable = affordable_models(budget_table, s)
    best = affordable.loc[affordable.risk.idxmin()]
    j = next(i for i, c in enumerate(configs) if c[1] == best.curve and (c[2] == best.s or (c[2] is None and np.isnan(best.s))))
    return claim("quant-budget-beats-dense", "Sec. 5 (open question)",
                 f"with the {FLOAT_BITS * s} bits of the dense model on the s salient features, a compressed model on "
                 f"all p features ({best.curve}) beats it",
                 comparison(dense_at_s, budget_draws[:, j], paired=False, what="dense minus compressed risk"),
                 origin="beyond")


def quantization_claims(simulation: dict, simulated_ks, theory: dict, theory_ks, budget_draws, configs,
                        budget_table, dense_at_s, names, n: int, s: int, p: int) -> list:
    """The chapter's answers as claims (origin ``beyond``): a peak at k = n (paired comparisons against
    k = s and k = p), the largest model best (a statement about the theory, with the theory's
    finite-size band declared in overparam.book.claim_table), and the best compressed model at
    the bit budget of the s-weight dense model against that model."""
    ks, peak = list(simulated_ks), peak_size(simulated_ks, n)
    claims = []
    for name in names:
        claims += [_peak_claim(simulation, ks, name, peak, s, p), _largest_claim(theory, theory_ks, name, p)]
    return claims + [_budget_claim(budget_draws, configs, budget_table, dense_at_s, s)]


def quoted_numbers(fit: pd.DataFrame, theory: dict, theory_ks, budget_table: pd.DataFrame, gaps: pd.DataFrame,
                   names, s: int, prune_bits: int, rf_tasks: int) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the worst gap of theory and
    simulation (``fit``: the agreement table of :func:`overparam.reports.linear.agreement_table`), the
    theory risks at k = p and k = s, the bit-budget comparison, the random-features gaps (``gaps``
    from :func:`rf_gaps`) of the fine and of the coarse quantizers, and two parameters."""
    at_s = list(theory_ks).index(s)
    fine = gaps.index.get_level_values("curve").isin(fine_quantizers(names))
    return {"quant-worst-gap": float(fit.worst_gap.max()),
            "quant-binary-at-p": float(theory["binary"][-1]),
            "quant-dense-at-p": float(theory["dense"][-1]),
            "quant-uniform3-at-p": float(theory["uniform-3"][-1]) if "uniform-3" in theory else float("nan"),
            "quant-prune-bits": prune_bits,
            "quant-best-risk-at-budget": float(affordable_models(budget_table, s).risk.min()),
            "quant-dense-at-s": float(theory["dense"][at_s]),
            "quant-rf-fine-gap": float(gaps.gap.abs()[fine].max()),
            "quant-rf-coarse-gap": float(gaps.gap.abs()[~fine].max()),
            "quant-rf-tasks": rf_tasks}
