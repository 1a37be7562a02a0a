"""Which regularization makes the best pruned model (beyond the paper), the report: the figures, the
printed tables, the agreement of the ridge DC with the simulation, the claims and the numbers the prose
quotes, from the theory table and the simulation of :mod:`overparam.experiments.ridge_pruning`
(``theory`` and ``table`` with its ``COLUMNS``; ``simulated`` = {(curve, k, mu, penalty): per-trial
risks}).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import style_of
from overparam.book.style import log_axis, theory_simulation_legend
from overparam.book.verdicts import agreement, comparison, deterministic, non_inferiority, over_range
from overparam.experiments.ridge_pruning import PIPELINES, pipeline_risk
from overparam.reports.denoising import theory_covered
from overparam.theory.problems import LinearGaussianProblem

PRUNING = ["magnitude", "hessian"]  # the pipelines without retraining, which the claims are about
TUNING_STYLE = {"none": dict(ls=":", mfc="none", label="min-norm (mu = 0)"),
                "dense-optimal": dict(ls="--", mfc="none", label="mu tuned for the dense model"),
                "prune-optimal": dict(ls="-", mfc=None, label="mu tuned for the pruned model")}
PENALTY_STYLE = {"identity": dict(ls="-", marker="o", label="plain ridge, Ω = I"),
                 "inverse-covariance": dict(ls="--", marker="s", label="Ω = Σ⁻¹"),
                 "covariance": dict(ls=":", marker="^", label="Ω = Σ")}


def _draw(ax, rows: pd.DataFrame, color, marker, ls, mfc, label):
    """One curve of ``rows``: its theory line and its simulated means with 95% bars."""
    theory, simulation = rows[rows.source == "theory"], rows[rows.source == "simulation"]
    ax.plot(theory.k, theory.risk, color=color, ls=ls, lw=1.4)
    ax.errorbar(simulation.k, simulation.risk, yerr=[simulation.risk - simulation.ci_low, simulation.ci_high - simulation.risk],
                fmt=marker, ms=5, color=color, mfc=mfc or color, capsize=2, lw=1, label=label)


def _risk_axes(ax, n, s, title):
    """A risk-against-k panel: log k axis, k = s and k = n marked, labels and title."""
    log_axis(ax)
    ax.axvline(s, color="grey", ls="--", lw=0.8)
    ax.axvline(n, color="grey", ls=":", lw=0.8)
    ax.set_xlabel("number of features used, k")
    ax.set_ylabel("test risk")
    ax.set_title(title)


def plot_tunings(table: pd.DataFrame, curves, n: int, s: int, ylim=None):
    """One panel per pipeline in ``curves``: its risk against k for the three tunings of mu (plain
    ridge), with the dense model at its own best mu as the reference."""
    plain = table[table.penalty == "identity"]
    fig, axes = plt.subplots(1, len(curves), figsize=(11, 4.6), sharey=True)
    for ax, curve in zip(axes, curves):
        dense = style_of("dense")
        _draw(ax, plain[(plain.curve == "dense") & (plain.tuning == "dense-optimal")], dense["color"], dense["marker"],
              "-", None, "dense model, mu tuned for it")
        for tuning, look in TUNING_STYLE.items():
            style = style_of(curve)
            _draw(ax, plain[(plain.curve == curve) & (plain.tuning == tuning)], style["color"], style["marker"],
                  look["ls"], look["mfc"], f"pruned model, {look['label']}")
        _risk_axes(ax, n, s, style_of(curve)["label"])
        log_axis(ax, "y")
        ax.set_yticks([1.5, 2, 3, 5, 10, 20])
        if ylim:
            ax.set_ylim(*ylim)
    for ax in axes[1:]:
        ax.set_ylabel("")
    theory_simulation_legend(fig, axes[0], ncol=2)
    return fig


def plot_penalties(table: pd.DataFrame, curves, n: int, s: int):
    """One panel per pipeline: its risk against k with mu tuned for it, for each penalty."""
    tuned = table[table.tuning == "prune-optimal"]
    fig, axes = plt.subplots(1, len(curves), figsize=(11, 4.6), sharey=True)
    for ax, curve in zip(axes, curves):
        for penalty, look in PENALTY_STYLE.items():
            _draw(ax, tuned[(tuned.curve == curve) & (tuned.penalty == penalty)], style_of(curve)["color"],
                  look["marker"], look["ls"], None, look["label"])
        _risk_axes(ax, n, s, style_of(curve)["label"] + ", mu tuned for it")
    axes[1].set_ylabel("")
    theory_simulation_legend(fig, axes[0], ncol=3)
    return fig


def plot_heat_map(risks: np.ndarray, ks, mus, theory: pd.DataFrame, best_simulated: pd.DataFrame, n: int, s: int):
    """The magnitude-pruned risk of plain ridge over (k, mu), log colour scale, with the mu tuned for
    the dense model and for the pruned one (theory lines) and the simulated best grid mu (markers)."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    mesh = ax.pcolormesh(ks, mus, risks, norm=LogNorm(vmin=np.nanmin(risks), vmax=min(np.nanmax(risks), 10 * np.nanmin(risks))),
                         cmap="viridis", shading="nearest")
    fig.colorbar(mesh, ax=ax, label="magnitude-pruned test risk (theory)")
    plain = theory[(theory.penalty == "identity") & (theory.k > s)]
    for curve, tuning, color, label in [("dense", "dense-optimal", "white", "mu tuned for the dense model"),
                                        ("magnitude", "prune-optimal", "#E69F00", "mu tuned for the pruned model")]:
        line = plain[(plain.curve == curve) & (plain.tuning == tuning)]
        ax.plot(line.k, line.mu, color=color, lw=2, label=label)
    ax.plot(best_simulated.k, best_simulated.mu, "o", color="#E69F00", mec="black", ms=6,
            label="best grid mu in simulation (pruned)")
    log_axis(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.axvline(n, color="white", ls=":", lw=1)
    ax.set_xlabel("number of features used, k")
    ax.set_ylabel("ridge regularization mu")
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def mu_ratios(theory: pd.DataFrame, s: int) -> pd.DataFrame:
    """Per k > s (plain ridge): the mu tuned for each pipeline over the mu tuned for the dense model."""
    plain = theory[(theory.penalty == "identity") & (theory.k > s)]
    dense = plain[(plain.curve == "dense") & (plain.tuning == "dense-optimal")].set_index("k").mu
    tuned = plain[plain.tuning == "prune-optimal"].pivot(index="k", columns="curve", values="mu")
    return tuned.div(dense, axis=0)[PIPELINES]


def tuned_risks(theory: pd.DataFrame, curve: str) -> pd.Series:
    """The theory risk of ``curve`` with plain ridge and mu tuned for it, by model size k."""
    tuned = theory[(theory.curve == curve) & (theory.tuning == "prune-optimal") & (theory.penalty == "identity")]
    return tuned.set_index("k").risk


def best_size_lines(theory: pd.DataFrame, s: int, p: int) -> str:
    """Per pruning rule (mu tuned for it): the best model size in theory and the risks at k = s and
    k = p, one line each."""
    lines = []
    for curve in PRUNING:
        rows = tuned_risks(theory, curve)
        lines.append(f"{curve}: best k = {rows.idxmin()}, risk at k = s: {rows[s]:.3f}, at k = p: {rows[p]:.3f}")
    return "\n".join(lines)


def risks_at_p(theory: pd.DataFrame, p: int) -> pd.DataFrame:
    """The theory risk at k = p of every pipeline (rows) with each penalty (columns), mu tuned for each."""
    at_p = theory[(theory.tuning == "prune-optimal") & (theory.k == p)]
    return at_p.pivot(index="curve", columns="penalty", values="risk")


def agreement_points(problem: LinearGaussianProblem, n: int, s: int, simulation: pd.DataFrame,
                     window=(0.9, 1.1)) -> pd.DataFrame:
    """Every simulated point outside ``window`` x n next to the theory at the same mu, with the
    relative gap and whether its 95% interval contains the theory."""
    points = simulation[(simulation.k < window[0] * n) | (simulation.k > window[1] * n)].copy()
    points["risk_theory"] = [pipeline_risk(problem.prefix(int(row.k)), n, s, row.curve, row.mu, row.penalty)
                             for row in points.itertuples()]
    points["gap"] = (points.risk - points.risk_theory).abs() / points.risk_theory
    points["covered"] = theory_covered(points.risk_theory, points.ci_low, points.ci_high)
    return points


def _draws(theory: pd.DataFrame, simulated: dict, curve: str, k: int, tuning: str, penalty: str = "identity"):
    """The per-trial simulated risks of the theory row (curve, k, tuning, penalty), at that row's mu."""
    row = theory[(theory.curve == curve) & (theory.k == k) & (theory.tuning == tuning) & (theory.penalty == penalty)]
    return simulated[(curve, int(k), float(row.mu.iloc[0]), penalty)]


def _no_peak_claims(theory: pd.DataFrame, simulated: dict, n: int, sim_ks) -> list:
    """Per pruning rule, mu tuned for it: the simulated risk at k = 1.05n at most the declared margin
    above the risk at k = 1.3n (the sizes nearest those among ``sim_ks``)."""
    near = min(sim_ks, key=lambda k: abs(k - 1.05 * n))
    beyond = min(sim_ks, key=lambda k: abs(k - 1.3 * n))
    margin = tolerance("ridge-no-peak")
    claims = []
    for curve in PRUNING:
        at_beyond = _draws(theory, simulated, curve, beyond, "prune-optimal")
        bump = non_inferiority((at_beyond - _draws(theory, simulated, curve, near, "prune-optimal")) / at_beyond.mean(),
                               margin, what=f"(risk at k = {beyond} minus at k = {near}) / risk at k = {beyond}")
        claims.append(claim("ridge-no-peak", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: no peak at "
                            f"k = n (risk at k ≈ 1.05n at most {margin:.0%} above the risk at k ≈ 1.3n)", bump,
                            origin="beyond", variant=curve))
    return claims


def _larger_mu_claims(theory: pd.DataFrame, s: int) -> list:
    """Per pruning rule: the mu tuned for it above the dense model's at every k > s (theory, with the
    declared band on the ratio)."""
    ratios = mu_ratios(theory, s)
    band = tolerance("ridge-pruning-needs-larger-mu")
    return [claim("ridge-pruning-needs-larger-mu", "Sec. 5 (open question)",
                  f"{curve} pruning needs a larger mu than the dense model at every k > s (theory)",
                  over_range([deterministic(float(ratio), 1.0, band, "above") for ratio in ratios[curve]],
                             [int(k) for k in ratios.index], "k = "), origin="beyond", variant=curve)
            for curve in PRUNING]


def _largest_model_claims(theory: pd.DataFrame, simulated: dict, s: int, p: int) -> list:
    """Per pruning rule, mu tuned for it: k = p best in theory (with the declared band), and k = p
    beating k = s in simulation (paired)."""
    claims = []
    for curve in PRUNING:
        risks = tuned_risks(theory, curve)
        others = risks.drop(p)
        claims.append(claim("ridge-largest-model-best", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: the "
                            "best pruned model is the largest one, k = p (theory)",
                            deterministic(float(others.min() / risks[p] - 1), 0.0, tolerance("ridge-largest-model-best"),
                                          "above", text=f"lowest risk at k < p over the risk at k = p, minus 1: "
                                          f"{others.min() / risks[p] - 1:+.3f} (at k = {int(others.idxmin())})"),
                            origin="beyond", variant=curve))
        claims.append(claim("ridge-largest-beats-s", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: k = p "
                            "beats k = s (simulation)",
                            comparison(_draws(theory, simulated, curve, s, "prune-optimal")
                                       - _draws(theory, simulated, curve, p, "prune-optimal"),
                                       what="risk at k = s minus risk at k = p"), origin="beyond", variant=curve))
    return claims


def _penalty_claims(theory: pd.DataFrame, simulated: dict, p: int) -> list:
    """Per pruning rule and covariance-informed penalty: it beats plain ridge at k = p (simulation,
    paired, mu tuned for each)."""
    return [claim("ridge-penalty-beats-plain", "Sec. 5 (open question)", f"at k = p, the penalty {penalty} "
                  f"beats plain ridge for {curve} pruning (mu tuned for each)",
                  comparison(_draws(theory, simulated, curve, p, "prune-optimal")
                             - _draws(theory, simulated, curve, p, "prune-optimal", penalty),
                             what="plain minus covariance-informed risk"), origin="beyond",
                  variant=f"{curve}-{penalty}")
            for curve in PRUNING for penalty in ["inverse-covariance", "covariance"]]


def ridge_claims(theory: pd.DataFrame, simulated: dict, n: int, s: int, p: int, sim_ks,
                 points: pd.DataFrame) -> list:
    """The four answers of the chapter, and the agreement of the ridge DC with the simulation
    (``points`` from :func:`agreement_points`), as claims judged by the rules (origin ``beyond``).
    The statements about the theory alone carry the theory's finite-size band (declared in
    overparam.book.claim_table), inside which they are inconclusive."""
    fit = claim("ridge-dc-agreement", "Sec. 5 (open question)",
                "the ridge DC predicts every simulated risk (dense, pruned, retrained; three penalties), away from "
                "the peak (the retrained points of a trial share one fresh sample across k and mu: the points are "
                "not independent tests)",
                agreement(points.risk_theory, points.risk, points.ci_low, points.ci_high,
                          tolerance("ridge-dc-agreement")), origin="beyond")
    return [fit, *_no_peak_claims(theory, simulated, n, sim_ks), *_larger_mu_claims(theory, s),
            *_largest_model_claims(theory, simulated, s, p), *_penalty_claims(theory, simulated, p)]


def quoted_numbers(theory: pd.DataFrame, points: pd.DataFrame, s: int, p: int) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the agreement of theory and
    simulation (``points`` from :func:`agreement_points`), the range of the ratio of tuned mus, the
    best size and the risks at k = s and k = p of each pruning rule, and magnitude pruning at k = p
    with the inverse-covariance penalty and with plain ridge."""
    ratios = mu_ratios(theory, s)
    numbers = {"ridge-worst-gap": float(points.gap.max()), "ridge-covered": float(points.covered.mean())}
    for curve in PRUNING:
        numbers[f"ridge-ratio-{curve}-min"] = float(ratios[curve].min())
        numbers[f"ridge-ratio-{curve}-max"] = float(ratios[curve].max())
    for curve in PRUNING:
        rows = tuned_risks(theory, curve)
        numbers[f"ridge-best-k-{curve}"] = int(rows.idxmin())
        numbers[f"ridge-at-p-{curve}"] = float(rows[p])
        numbers[f"ridge-at-s-{curve}"] = float(rows[s])
        numbers[f"ridge-margin-{curve}"] = float(rows.drop(p).min() / rows[p] - 1)
    at_p = risks_at_p(theory, p)
    numbers["ridge-inverse-magnitude"] = float(at_p.loc["magnitude", "inverse-covariance"])
    numbers["ridge-plain-magnitude"] = float(at_p.loc["magnitude", "identity"])
    return numbers
