"""The experiment of Fig. 3 and Fig. 7: prune the model that uses the first k features, for many k.

For every model size k the learner fits min-norm least squares on the first k features of one
data draw, then prunes it to s weights (magnitude, Hessian or oracle) and, optionally, retrains
on the kept support. Simulation and closed-form theory are computed on the same k grid.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.book.style import SAME_SAMPLE
from overparam.book.tidy import curve_rows
from overparam.experiments.compressors import COMPRESSORS, TrainedFit, theory_of
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import prefix_min_norm_fits

# the compressors of Fig. 3 and Fig. 7, in the order of their curves
FIG3_COMPRESSORS = ["dense", "magnitude", "hessian", "oracle", "magnitude+retrain", "hessian+retrain",
                    "magnitude+retrain" + SAME_SAMPLE, "hessian+retrain" + SAME_SAMPLE]
THEORY_CURVES = [name for name in FIG3_COMPRESSORS if COMPRESSORS[name].theory is not None]
SIMULATED_CURVES = FIG3_COMPRESSORS


def k_grid(p: int, n: int, s: int, num_log: int = 24, peak_offsets=(0.8, 0.9, 0.95, 1.05, 1.1, 1.25)
           ) -> np.ndarray:
    """Model sizes to simulate: log-spaced over 1..p, denser around the interpolation point k = n.

    Always contains s and p; k = n - 1, n and n + 1 are left out: there the expected risk is
    infinite (E[(X^T X)^{-1}] and E[(X X^T)^{-1}] exist only for |k - n| >= 2), so a simulated
    mean has no expectation to estimate.
    """
    ks = set(np.unique(np.geomspace(1, p, num_log).round().astype(int)).tolist())
    ks |= {int(round(f * n)) for f in peak_offsets} | {s, p}
    return np.array(sorted(k for k in ks if 1 <= k <= p and k not in (n - 1, n, n + 1)))


def theory_curves(problem: LinearGaussianProblem, n: int, s: int, ks, compressors=tuple(THEORY_CURVES)
                  ) -> dict[str, np.ndarray]:
    """Closed-form risk of each registered compressor (with a theory) for the model of each size k in
    ``ks``; the DC law of each size is computed once and shared (Lemma 7 + Cor. 1 + Def. 5)."""
    out = {name: np.empty(len(ks)) for name in compressors}
    for j, k in enumerate(ks):
        law = FitLaw(problem.prefix(int(k)), n)
        for name in compressors:
            out[name][j] = COMPRESSORS[name].theory(law, s)
    return out


def simulate_curves(problem: LinearGaussianProblem, n: int, s: int, ks, trials: int, seed,
                    progress: bool = True, desc: str = "", compressors=tuple(SIMULATED_CURVES)
                    ) -> dict[str, np.ndarray]:
    """Monte-Carlo risk of each registered compressor: arrays of shape (trials, len(ks)), one row
    per data draw.

    Each trial draws a training sample (X, y) and an independent fresh sample of the same size
    for fresh-sample retraining; every model size k reuses the same draw, as in the paper. A
    compressor that draws (random pruning) uses its own stream, so adding it changes no other curve.
    """
    ks = [int(k) for k in ks]
    risks = {name: np.empty((trials, len(ks))) for name in compressors}
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc=desc,
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        compressor_rng = np.random.default_rng(child.spawn(1)[0])
        for j, (k, theta_k) in enumerate(prefix_min_norm_fits(X, y, ks)):
            theta = np.zeros(problem.p)
            theta[:k] = theta_k
            fit = TrainedFit(problem, theta, k, X, y, fresh, s, compressor_rng)
            for name in compressors:
                risks[name][t, j] = problem.risk(COMPRESSORS[name].compress(fit))
    return risks


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


def reference_risk(theory: dict, theory_ks, n: int) -> float:
    """The dash-dot line of Fig. 3 and Fig. 7: the lowest theory risk of a dense model on k < n
    features or of any retrained model (by Lemma 7, the model on the s most salient features)."""
    under = theory["dense"][np.asarray(theory_ks) < n - 1].min()
    retrained = min(theory["magnitude+retrain"].min(), theory["hessian+retrain"].min())
    return min(under, retrained)


def plot_risk_panels(table: pd.DataFrame, problems: dict, titles: dict, curves, reference: dict, n: int, s: int,
                     same_sample: bool = False, ncol: int = 4):
    """One panel per problem: risk against k on a log axis for the registered ``curves``, with the
    k = s and k = n markers and the reference line; the y axis runs from below the lowest theory
    value to twice the risk of the zero model. ``same_sample`` adds each curve's same-sample refit
    as hollow markers (no theory line)."""
    import matplotlib.pyplot as plt

    from overparam.book.style import plot_theory_and_simulation, theory_simulation_legend

    fig, axes = plt.subplots(1, len(titles), figsize=(11, 4.8))
    for ax, (panel, title) in zip(axes, titles.items()):
        panel_table = table[table.panel == panel]
        for curve in curves:
            plot_theory_and_simulation(ax, panel_table, curve)
            if same_sample:
                plot_theory_and_simulation(ax, panel_table, curve + SAME_SAMPLE, show_theory=False)
        theory = panel_table[panel_table.source == "theory"]
        ax.set_xscale("log")
        problem = problems[panel]
        ax.set_ylim(0.8 * theory.risk.min(), 2 * problem.risk(np.zeros(problem.p)))
        ax.axvline(s, color="grey", ls="--", lw=1, label="k = s")
        ax.axvline(n, color="grey", ls=":", lw=1, label="k = n")
        ax.axhline(reference[panel], color="black", ls="-.", lw=1, label="best k < n or retrained model")
        ax.set_xlabel("number of features used, k")
        ax.set_ylabel(f"test risk L(θ)  (floor σ² = {problem.sigma**2:g})")
        ax.set_title(title)
    theory_simulation_legend(fig, axes[-1], ncol=ncol)
    return fig


def same_sample_gap(table: pd.DataFrame, s: int) -> pd.DataFrame:
    """Per panel and pruning rule, the relative gap (same - fresh) / fresh of the simulated refit
    risks at k > s: the largest, the range of k where it is positive, and the most negative."""
    simulated = table[table.source == "simulation"].set_index(["panel", "curve", "k"]).risk.sort_index()
    rows = []
    for panel in table.panel.unique():
        for method in ["magnitude", "hessian"]:
            fresh = simulated[panel, f"{method}+retrain"]
            gap = (simulated[panel, f"{method}+retrain{SAME_SAMPLE}"] - fresh) / fresh
            gap = gap[gap.index > s]
            worse = gap[gap > 0]
            rows.append({"panel": panel, "method": method, "worst": gap.max(), "worst_k": gap.idxmax(),
                         "worse_from": worse.index.min() if worse.size else None,
                         "worse_to": worse.index.max() if worse.size else None,
                         "best": gap.min(), "best_k": gap.idxmin()})
    return pd.DataFrame(rows)


def format_same_sample_gap(gaps: pd.DataFrame) -> str:
    """:func:`same_sample_gap` as the chapter prints it."""
    rows = [{"panel": g.panel, "method": g.method,
             "same sample worse by up to": f"{g.worst:+.1%} at k = {g.worst_k}",
             "same sample worse for k in": "-" if g.worse_from is None or pd.isna(g.worse_from)
             else f"[{int(g.worse_from)}, {int(g.worse_to)}]",
             "same sample better by up to": f"{g.best:+.1%} at k = {g.best_k}"} for g in gaps.itertuples()]
    return pd.DataFrame(rows).to_string(index=False)


def fig3_claims(simulation: dict, theory: dict, table: pd.DataFrame, simulated_ks, theory_ks,
                reference: dict, n: int, s: int, p: int):
    """The claims of Fig. 3 and Fig. 7 judged on one run, and the window of sizes where retraining
    helps for each (panel, rule). Comparisons are paired over the trials (every curve shares each
    data draw); "near the peak" is read as 0.75 n <= k <= 1.33 n."""
    from overparam.book.tidy import claim
    from overparam.experiments.verdicts import agreement, comparison, deterministic, equality, over_range

    simulated_ks = list(simulated_ks)

    def draws(panel, curve, k):
        return simulation[panel][curve][:, simulated_ks.index(k)]

    def beats(panel, better, worse, k):
        return comparison(draws(panel, worse, k), draws(panel, better, k), what="risk difference")

    away = [k for k in simulated_ks if k > s and not 0.9 * n <= k <= 1.1 * n]
    pruned_ks = [k for k in simulated_ks if k > s]
    same_within = [equality((draws("a", "hessian", k) - draws("a", "magnitude", k)) / draws("a", "magnitude", k),
                            0.03).status == "reproduced" for k in away]
    claims = [claim("Fig. 3", "(a) magnitude and Hessian pruning give the same risk (within 3%, away from the peak)",
                    over_range(same_within, away, "k = "))]
    hessian_wins = [beats("b", "hessian", "magnitude", k).status == "reproduced" for k in pruned_ks]
    claims.append(claim("Fig. 3", "(b) Hessian pruning beats magnitude pruning at every size k > s",
                        over_range(hessian_wins, pruned_ks, "k = ")))
    line = reference["b"]
    for method in ["hessian", "oracle"]:
        best_k = theory_ks[np.argmin(theory["b"][method])]
        claims.append(claim("Fig. 3", f"(b) in theory, {method} pruning is best at k = p",
                            deterministic(p - best_k, 1, text=f"theory minimum at k = {best_k} (p = {p})")))
        below = comparison(line - draws("b", method, p), what=f"line {line:.3f} minus risk")
        claims.append(claim("Fig. 3", f"(b) {method} pruning at k = p beats the best k < n or retrained model", below))
    claims.append(claim("Fig. 3", "(b) magnitude pruning at k = p does not reach that line",
                        comparison(draws("b", "magnitude", p) - line, what=f"risk minus line {line:.3f}")))
    window = {}
    for panel in simulation:
        for method in ["magnitude", "hessian"]:
            helps = [beats(panel, f"{method}+retrain", method, k).status == "reproduced" for k in pruned_ks]
            hurts = [beats(panel, method, f"{method}+retrain", k).status == "reproduced" for k in pruned_ks]
            as_claimed = [h if 0.75 * n <= k <= 1.33 * n else x for h, x, k in zip(helps, hurts, pruned_ks)]
            window[panel, method] = [k for k, h in zip(pruned_ks, helps) if h]
            claims.append(claim("Fig. 7", f"({panel}) {method}: retraining helps near k = n and hurts elsewhere",
                                over_range(as_claimed, pruned_ks, "k = ")))
    points = agreement_points(table, n)
    fresh = points[~points.curve.str.endswith(SAME_SAMPLE)]
    claims.append(claim("Fig. 3, Fig. 7, Cor. 1, Def. 5",
                        "theory predicts every simulated curve (fresh-sample retraining) within 3%, away from the peak",
                        agreement(fresh.risk_theory, fresh.risk, fresh.ci_low, fresh.ci_high, tolerance=0.03)))
    same = points[points.curve.str.endswith(SAME_SAMPLE)]
    claims.append(claim("Def. 5", "the retraining theory also predicts same-sample retraining (within 3%, away from the peak)",
                        agreement(same.risk_theory, same.risk, same.ci_low, same.ci_high, tolerance=0.03),
                        origin="beyond"))
    return claims, window
