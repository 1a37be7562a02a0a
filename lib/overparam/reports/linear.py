"""The report helpers of the growing-model experiment (:mod:`overparam.experiments.linear`), shared
by the chapters that run it: its curves as one tidy table, and every simulated point next to its
theory value, summarised per curve.
"""
from __future__ import annotations

import pandas as pd

from overparam.book.stats import mean_ci
from overparam.book.tidy import curve_rows
from overparam.experiments.compressors import theory_of


def tidy_curves(panel: str, theory_ks, theory: dict, simulation_ks, simulation: dict) -> pd.DataFrame:
    """All curves of one panel in the long format panel, curve, source, k, risk, ci_low, ci_high."""
    parts = [curve_rows(panel, name, "theory", theory_ks, values) for name, values in theory.items()]
    for name, samples in simulation.items():
        parts.append(curve_rows(panel, name, "simulation", simulation_ks, *mean_ci(samples)))
    return pd.concat(parts, ignore_index=True)


def agreement_points(table: pd.DataFrame, n: int, window: tuple[float, float] = (0.9, 1.1)) -> pd.DataFrame:
    """Every simulated point next to its theory value, at the simulated k outside window * n
    (near the peak the finite-size theory is not accurate and the simulated mean is dominated by
    rare huge values). Same-sample retraining is set against the fresh-sample theory it is often
    assumed to follow. Adds columns risk_theory, gap (|sim - theory| / theory) and covered (the 95%
    interval contains the theory value)."""
    sim = table[table.source == "simulation"].copy()
    sim["theory_curve"] = sim.curve.map(theory_of)
    theory = table[table.source == "theory"][["panel", "curve", "k", "risk"]]
    merged = sim.merge(theory, left_on=["panel", "theory_curve", "k"],
                       right_on=["panel", "curve", "k"], suffixes=("", "_theory"))
    merged = merged[(merged.k < window[0] * n) | (merged.k > window[1] * n)].copy()
    merged["gap"] = (merged.risk - merged.risk_theory).abs() / merged.risk_theory
    merged["covered"] = (merged.ci_low <= merged.risk_theory) & (merged.risk_theory <= merged.ci_high)
    return merged


def agreement_table(points: pd.DataFrame) -> pd.DataFrame:
    """Per panel and curve: points, worst_gap and within_ci (share of points whose interval
    contains the theory value), from :func:`agreement_points`."""
    return (points.groupby(["panel", "curve"], sort=False)
            .agg(points=("k", "size"), worst_gap=("gap", "max"), within_ci=("covered", "mean"))
            .reset_index())
