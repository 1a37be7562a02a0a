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
from overparam.book.tidy import curve_rows
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import hessian_support, magnitude_support, oracle_support, restrict
from overparam.theory.risk import dense_risk, oracle_pruning_risk, pruning_risk, retrain_risk
from overparam.theory.solvers import fit_on_support, prefix_min_norm_fits

THEORY_CURVES = ["dense", "magnitude", "hessian", "oracle", "magnitude+retrain", "hessian+retrain"]
SAME_SAMPLE = "-same-sample"
SIMULATED_CURVES = THEORY_CURVES + ["magnitude+retrain" + SAME_SAMPLE, "hessian+retrain" + SAME_SAMPLE]


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


def theory_curves(problem: LinearGaussianProblem, n: int, s: int, ks) -> dict[str, np.ndarray]:
    """Closed-form risk of every method for the model of each size k in ``ks`` (Lemma 7 + Cor. 1 + Def. 5)."""
    out = {name: np.empty(len(ks)) for name in THEORY_CURVES}
    for j, k in enumerate(ks):
        sub = problem.prefix(int(k))
        out["dense"][j] = dense_risk(sub, n)
        out["oracle"][j] = oracle_pruning_risk(sub, n, s)
        for method in ("magnitude", "hessian"):
            out[method][j] = pruning_risk(sub, n, s, method)
            out[method + "+retrain"][j] = retrain_risk(sub, n, s, method)
    return out


def simulate_curves(problem: LinearGaussianProblem, n: int, s: int, ks, trials: int, seed,
                    progress: bool = True, desc: str = "") -> dict[str, np.ndarray]:
    """Monte-Carlo risk of every method: arrays of shape (trials, len(ks)), one row per data draw.

    Each trial draws a training sample (X, y) and an independent fresh sample of the same size
    for fresh-sample retraining; every model size k reuses the same draw, as in the paper.
    """
    ks = [int(k) for k in ks]
    risks = {name: np.empty((trials, len(ks))) for name in SIMULATED_CURVES}
    saliency_order = problem.cov_diagonal
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc=desc,
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        for j, (k, theta_k) in enumerate(prefix_min_norm_fits(X, y, ks)):
            theta = np.zeros(problem.p)
            theta[:k] = theta_k
            supports = {"magnitude": magnitude_support(theta[:k], s),
                        "hessian": hessian_support(theta[:k], X[:, :k], s)}
            oracle = oracle_support(problem.theta_star[:k], saliency_order[:k], s)
            models = {"dense": theta, "oracle": restrict(theta, oracle)}
            for method, support in supports.items():
                models[method] = restrict(theta, support)
                # with k <= s the support is all k features: "retraining" is then a dense refit
                models[method + "+retrain"] = fit_on_support(*fresh, support)
                models[method + "+retrain" + SAME_SAMPLE] = fit_on_support(X, y, support)
            for name, model in models.items():
                risks[name][t, j] = problem.risk(model)
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
    sim["theory_curve"] = sim.curve.str.replace(SAME_SAMPLE, "", regex=False)
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
