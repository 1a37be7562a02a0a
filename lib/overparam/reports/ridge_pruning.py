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
from overparam.book.style import COLUMN_INCHES, fitted_legend, log_axis, theory_simulation_legend
from overparam.book.stats import t_interval
from overparam.book.verdicts import agreement, comparison, equality, non_inferiority, point_counts, point_states
from overparam.experiments.ridge_pruning import LASSO, PIPELINES, interior_maxima, pipeline_risk
from overparam.reports.denoising import theory_covered
from overparam.theory.problems import LinearGaussianProblem

PRUNING = ["magnitude", "hessian"]  # the pipelines without retraining, which the claims are about
TUNING_STYLE = {"none": dict(ls=":", marker="v", mfc="none", label="min-norm (mu = 0)"),
                "dense-optimal": dict(ls="--", marker="s", mfc="none", label="mu tuned for the dense model"),
                "prune-optimal": dict(ls="-", marker="o", mfc=None, label="mu tuned for the pruned model")}
PENALTY_STYLE = {"identity": dict(ls="-", marker="o", label="plain ridge, Ω = I"),
                 "inverse-covariance": dict(ls="--", marker="s", label="Ω = Σ⁻¹"),
                 "covariance": dict(ls=":", marker="^", label="Ω = Σ"),
                 LASSO: dict(ls="-.", marker="D", label="Lasso, μ‖θ‖₁")}


def _draw(ax, rows: pd.DataFrame, color, marker, ls, mfc, label, legend_color=None):
    """One curve of ``rows``: its theory line and its simulated means with 95% bars; its legend entry
    shows the line style and the marker together (in ``legend_color`` if given)."""
    theory, simulation = rows[rows.source == "theory"], rows[rows.source == "simulation"]
    ax.plot(theory.k, theory.risk, color=color, ls=ls, lw=1.4)
    ax.errorbar(simulation.k, simulation.risk, yerr=[simulation.risk - simulation.ci_low, simulation.ci_high - simulation.risk],
                fmt=marker, ms=5, color=color, mfc=mfc or color, capsize=2, lw=1)
    shown = legend_color or color
    ax.plot([], [], color=shown, ls=ls, marker=marker, ms=5, mfc=mfc or shown, lw=1.4, label=label)


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
    fig, axes = plt.subplots(1, len(curves), figsize=(COLUMN_INCHES, 5.2), sharey=True)
    for ax, curve in zip(axes, curves):
        dense = style_of("dense")
        _draw(ax, plain[(plain.curve == "dense") & (plain.tuning == "dense-optimal")], dense["color"], dense["marker"],
              "-", None, "dense model, mu tuned for it")
        for tuning, look in TUNING_STYLE.items():
            style = style_of(curve)
            _draw(ax, plain[(plain.curve == curve) & (plain.tuning == tuning)], style["color"], look["marker"],
                  look["ls"], look["mfc"], f"pruned model, {look['label']}", legend_color="dimgrey")
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
    """One panel per pipeline: its risk against k with mu tuned for it, for each penalty (the Lasso
    among them, where the table has its rows)."""
    tuned = table[table.tuning == "prune-optimal"]
    fig, axes = plt.subplots(1, len(curves), figsize=(COLUMN_INCHES, 5.2), sharey=True)
    for ax, curve in zip(axes, curves):
        for penalty, look in PENALTY_STYLE.items():
            if penalty not in set(tuned.penalty):
                continue
            _draw(ax, tuned[(tuned.curve == curve) & (tuned.penalty == penalty)], style_of(curve)["color"],
                  look["marker"], look["ls"], None, look["label"], legend_color="dimgrey")
        _risk_axes(ax, n, s, style_of(curve)["label"] + ", mu tuned for it")
    axes[1].set_ylabel("")
    theory_simulation_legend(fig, axes[0], ncol=2)
    return fig


def plot_heat_map(risks: np.ndarray, ks, mus, theory: pd.DataFrame, best_simulated: pd.DataFrame, n: int, s: int):
    """The magnitude-pruned risk of plain ridge over (k, mu), log colour scale, with the mu tuned for
    the dense model and for the pruned one (theory lines) and the simulated best grid mu (markers)."""
    fig, ax = plt.subplots(figsize=(COLUMN_INCHES, 6.2))
    mesh = ax.pcolormesh(ks, mus, risks, norm=LogNorm(vmin=np.nanmin(risks), vmax=min(np.nanmax(risks), 10 * np.nanmin(risks))),
                         cmap="viridis", shading="nearest")
    bar = fig.colorbar(mesh, ax=ax, label="magnitude-pruned test risk (theory)")
    for axis in (bar.ax.yaxis.set_major_formatter, bar.ax.yaxis.set_minor_formatter):
        axis(FuncFormatter(lambda value, _: f"{value:.2g}"))  # plain numbers, not 2x10^0
    plain = theory[(theory.penalty == "identity") & (theory.k > s)]
    for curve, tuning, color, label in [("dense", "dense-optimal", "white", "mu tuned for the dense model"),
                                        ("magnitude", "prune-optimal", "#E69F00", "mu tuned for the pruned model")]:
        line = plain[(plain.curve == curve) & (plain.tuning == tuning)]
        ax.plot(line.k, line.mu, color=color, lw=2, label=label)
    ax.plot(best_simulated.k, best_simulated.mu, "o", color="#E69F00", mec="black", ms=6,
            label="best grid mu in simulation (pruned)")
    row, column = np.unravel_index(np.nanargmin(risks), risks.shape)
    ax.plot(ks[column], mus[row], "*", color="red", mec="white", ms=14, label="lowest risk on the map (theory)")
    log_axis(ax)
    ax.set_xticks([k for k in (10, 20, 50, 100, 200, 500, 1000, 2000) if min(ks) <= k <= max(ks)])
    log_axis(ax, "y")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.axvline(s, color="white", ls="--", lw=1, label="k = s")
    ax.axvline(n, color="white", ls=":", lw=1, label="k = n")
    ax.set_xlabel("number of features used, k")
    ax.set_ylabel("ridge regularization mu")
    # below the map, on the map's darkest colour: its white lines would not show on the page
    fitted_legend(fig, *ax.get_legend_handles_labels(), ncol=2, frameon=True, facecolor=plt.get_cmap("viridis")(0.0),
                  framealpha=1, labelcolor="white")
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
    relative gap, whether its 95% interval contains the theory, and its state under the agreement
    rule with the declared tolerance (``reproduced``: agrees, ``not reproduced``, ``inconclusive``)."""
    points = simulation[(simulation.k < window[0] * n) | (simulation.k > window[1] * n)].copy()
    points["risk_theory"] = [pipeline_risk(problem.prefix(int(row.k)), n, s, row.curve, row.mu, row.penalty)
                             for row in points.itertuples()]
    points["gap"] = (points.risk - points.risk_theory).abs() / points.risk_theory
    points["covered"] = theory_covered(points.risk_theory, points.ci_low, points.ci_high)
    points["state"] = point_states(points.risk_theory.to_numpy(), points.ci_low.to_numpy(), points.ci_high.to_numpy(),
                                   tolerance("ridge-dc-agreement"))
    return points


def agreement_counts(points: pd.DataFrame) -> dict:
    """How many of the agreement ``points`` agree, disagree and are inconclusive, out of how many."""
    return point_counts(points.state)


def _draws(theory: pd.DataFrame, simulated: dict, curve: str, k: int, tuning: str, penalty: str = "identity"):
    """The per-trial simulated risks of the theory row (curve, k, tuning, penalty), at that row's mu."""
    row = theory[(theory.curve == curve) & (theory.k == k) & (theory.tuning == tuning) & (theory.penalty == penalty)]
    return simulated[(curve, int(k), float(row.mu.iloc[0]), penalty)]


def _theory_risk(theory: pd.DataFrame, curve: str, k: int, tuning: str) -> float:
    """The theory risk of the plain-ridge row (curve, k, tuning)."""
    row = theory[(theory.curve == curve) & (theory.k == k) & (theory.tuning == tuning) & (theory.penalty == "identity")]
    return float(row.risk.iloc[0])


def gains(theory: pd.DataFrame, s: int, p: int) -> pd.DataFrame:
    """What pruning the largest model buys over the model handed the s salient features, in theory:
    per pruning rule (rows) and tuning (``none``: mu = 0 on both sides, ``prune-optimal``: mu tuned
    for each side), the relative gain (risk at k = s - risk at k = p) / risk at k = s."""
    return pd.DataFrame({tuning: {curve: 1 - _theory_risk(theory, curve, p, tuning) / _theory_risk(theory, curve, s, tuning)
                                  for curve in PRUNING} for tuning in ["none", "prune-optimal"]})


def _relative_gain(theory, simulated, curve, s, p, tuning):
    """Per trial, (risk at k = s - risk at k = p) over the mean risk at k = s (paired: same draws)."""
    small = _draws(theory, simulated, curve, s, tuning)
    return (small - _draws(theory, simulated, curve, p, tuning)) / small.mean()


def dense_mu_cost(theory: pd.DataFrame, simulated: dict, p: int) -> pd.DataFrame:
    """Per pipeline at k = p: the mu tuned for the dense model over the pipeline's own tuned mu, and
    the relative increase of the pipeline's risk at the dense model's mu against its own optimal mu,
    in theory and in simulation (mean and 95% interval of the paired per-trial increase)."""
    rows = []
    for curve in PIPELINES:
        own, dense = (theory[(theory.curve == curve) & (theory.k == p) & (theory.tuning == tuning)
                             & (theory.penalty == "identity")].iloc[0] for tuning in ["prune-optimal", "dense-optimal"])
        base = _draws(theory, simulated, curve, p, "prune-optimal")
        mean, low, high = t_interval((_draws(theory, simulated, curve, p, "dense-optimal") - base) / base.mean())
        rows.append({"pipeline": curve, "mu dense / mu own": dense.mu / own.mu, "cost (theory)": dense.risk / own.risk - 1,
                     "cost (simulation)": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows).set_index("pipeline")


def cv_table(theory: pd.DataFrame, simulated: dict, p: int, curves=("hessian", "hessian+retrain")) -> pd.DataFrame:
    """Per pipeline at k = p: the oracle-tuned mu (theory) and the median cross-validated one, the
    simulated risks at each, and the relative excess of the cross-validated risk (paired: same draws)."""
    rows = []
    for curve in curves:
        oracle = _draws(theory, simulated, curve, p, "prune-optimal")
        cv = simulated[("cv", curve, p)]
        mean, low, high = t_interval((cv - oracle) / oracle.mean())
        row = theory[(theory.curve == curve) & (theory.k == p) & (theory.tuning == "prune-optimal") & (theory.penalty == "identity")]
        rows.append({"pipeline": curve, "mu oracle": float(row.mu.iloc[0]),
                     "mu cv (median)": float(np.median(simulated[("cv-mu", curve, p)])), "risk oracle mu": oracle.mean(),
                     "risk cv mu": cv.mean(), "excess": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows).set_index("pipeline")


def peak_lines(theory: pd.DataFrame, simulated: dict, n: int, sim_ks) -> str:
    """Per pruning rule with mu tuned for it, two peak tests: the interior local maxima of the theory curve
    on its grid (:func:`interior_maxima`), and in simulation whether the risk at k ~ 1.05n is significantly
    above both k ~ 0.8n and k ~ 1.3n (two paired comparisons, which a peak needs both of)."""
    left, mid, right = (min(sim_ks, key=lambda k: abs(k - f * n)) for f in (0.8, 1.05, 1.3))
    lines = []
    for curve in PRUNING:
        draws = {k: _draws(theory, simulated, curve, k, "prune-optimal") for k in (left, mid, right)}
        sides = [comparison(draws[mid] - draws[k], what=f"risk at k = {mid} minus at k = {k}") for k in (left, right)]
        peak = all(side.status == "reproduced" for side in sides)
        lines.append(f"{curve}: interior maxima of the theory curve: {interior_maxima(theory, curve) or 'none'}; "
                     f"simulation: {'; '.join(side.measured for side in sides)}: {'a' if peak else 'no'} peak")
    return "\n".join(lines)


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


def ridge_claims(theory: pd.DataFrame, simulated: dict, n: int, s: int, p: int, sim_ks,
                 points: pd.DataFrame) -> list:
    """The chapter's answers as claims judged by the rules (origin ``beyond``): the ridge DC agrees
    with the simulation (``points`` from :func:`agreement_points`); with mu tuned, Hessian pruning of
    the model with all p features is within the declared band of the model handed the s salient
    features; the min-norm comparison overstates that gain; the tuned curves have no peak at k = n;
    a cross-validated mu is about as good as the oracle-tuned one; where the run has the Lasso's rows,
    the Lasso's fixed point agrees with the simulation (a variant of the agreement claim)."""
    ridge_points, lasso_points = points[points.penalty != LASSO], points[points.penalty == LASSO]
    fit = claim("ridge-dc-agreement", "Sec. 5 (open question)",
                "the ridge DC predicts every simulated risk (dense, pruned, retrained; three penalties), away from "
                "the peak (each retrained point refits on a fresh sample of its own)",
                agreement(ridge_points.risk_theory, ridge_points.risk, ridge_points.ci_low, ridge_points.ci_high,
                          tolerance("ridge-dc-agreement")), origin="beyond")
    lasso_claims = [claim("ridge-dc-agreement", "Sec. 5 (open question)",
                          "the Lasso's fixed point predicts every simulated risk of scikit-learn Lasso fits (the fit, "
                          "pruned, its own support, retrained), away from the peak",
                          agreement(lasso_points.risk_theory, lasso_points.risk, lasso_points.ci_low,
                                    lasso_points.ci_high, tolerance("ridge-dc-agreement")),
                          origin="beyond", variant="lasso")] if len(lasso_points) else []
    band = tolerance("ridge-tuned-gain-small")
    tuned = claim("ridge-tuned-gain-small", "Sec. 5 (open question)",
                  f"with mu tuned for each, Hessian pruning of the model with all p features is within {band:.0%} of the "
                  "model handed the s salient features (simulation)",
                  equality(_relative_gain(theory, simulated, "hessian", s, p, "prune-optimal"), band,
                           what="(risk at k = s - risk at k = p) / risk at k = s"), origin="beyond")
    overstated = claim("ridge-untuned-overstates-gain", "Sec. 5 (open question)",
                       "with mu = 0 on both sides, the gain of Hessian pruning at k = p over the k = s model is larger "
                       "than with mu tuned (simulation)",
                       comparison(_relative_gain(theory, simulated, "hessian", s, p, "none")
                                  - _relative_gain(theory, simulated, "hessian", s, p, "prune-optimal"),
                                  what="relative gain at mu = 0 minus relative gain with mu tuned"), origin="beyond")
    oracle = _draws(theory, simulated, "hessian", p, "prune-optimal")
    margin = tolerance("ridge-cv-near-oracle")
    cv = claim("ridge-cv-near-oracle", "Sec. 5 (open question)",
               f"Hessian pruning at k = p with mu chosen by cross-validation on the training sample: risk at most "
               f"{margin:.0%} above that with the oracle-tuned mu (simulation)",
               non_inferiority((oracle - simulated[("cv", "hessian", p)]) / oracle.mean(), margin,
                               what="(risk with oracle mu - risk with cross-validated mu) / risk with oracle mu"),
               origin="beyond")
    return [fit, *lasso_claims, tuned, overstated, *_no_peak_claims(theory, simulated, n, sim_ks), cv]


def quoted_numbers(theory: pd.DataFrame, simulated: dict, points: pd.DataFrame, n: int, s: int, p: int, sim_ks) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the agreement of theory and simulation
    for ridge and for the Lasso (``points``: :func:`agreement_points`), the gains of pruning the largest model
    (:func:`gains`; the simulated tuned Hessian gain), the min-norm Hessian-pruned risk near the peak over the
    k = s risk, the range of the tuned mus' ratio, the cost of the dense model's mu (:func:`dense_mu_cost`),
    the cross-validated mu (:func:`cv_table`), each rule's best size and risks at k = p and k = s, and
    magnitude pruning at k = p with the inverse-covariance penalty and with plain ridge."""
    ratios = mu_ratios(theory, s)
    numbers = {}
    for prefix, subset in (("ridge", points[points.penalty != LASSO]), ("lasso", points[points.penalty == LASSO])):
        if len(subset):
            counts = agreement_counts(subset)
            numbers.update({f"{prefix}-worst-gap": float(subset.gap.max()), f"{prefix}-covered": float(subset.covered.mean()),
                            f"{prefix}-agree": int(counts["agree"]), f"{prefix}-points": int(len(subset)),
                            f"{prefix}-inconclusive": int(counts["inconclusive"]), f"{prefix}-disagree": int(counts["disagree"])})
    table = gains(theory, s, p)
    for curve in PRUNING:
        numbers[f"ridge-gain-tuned-{curve}"] = float(table.loc[curve, "prune-optimal"])
        numbers[f"ridge-gain-untuned-{curve}"] = float(table.loc[curve, "none"])
    numbers["ridge-gain-tuned-sim"] = float(np.mean(_relative_gain(theory, simulated, "hessian", s, p, "prune-optimal")))
    near = min(sim_ks, key=lambda k: abs(k - 1.05 * n))
    numbers["ridge-untuned-peak"] = _theory_risk(theory, "hessian", near, "none") / _theory_risk(theory, "hessian", s, "none")
    for curve in PRUNING:
        numbers[f"ridge-ratio-{curve}-min"] = float(ratios[curve].min())
        numbers[f"ridge-ratio-{curve}-max"] = float(ratios[curve].max())
    for curve, row in dense_mu_cost(theory, simulated, p).iterrows():
        numbers[f"ridge-cost-{curve.replace('+', '-')}"] = float(row["cost (theory)"])
    cv = cv_table(theory, simulated, p)
    numbers["ridge-cv-excess"] = float(cv.loc["hessian", "excess"])
    numbers["ridge-cv-excess-retrain"] = float(cv.loc["hessian+retrain", "excess"])
    for curve in PRUNING:
        rows = tuned_risks(theory, curve)
        numbers[f"ridge-best-k-{curve}"] = int(rows.idxmin())
        numbers[f"ridge-at-p-{curve}"] = float(rows[p])
    numbers["ridge-at-s-hessian"] = float(tuned_risks(theory, "hessian")[s])
    at_p = risks_at_p(theory, p)
    numbers["ridge-inverse-magnitude"] = float(at_p.loc["magnitude", "inverse-covariance"])
    numbers["ridge-plain-magnitude"] = float(at_p.loc["magnitude", "identity"])
    return numbers
