"""Lemma 1 of the paper (perfectly correlated features, Sigma = zeta zeta^T): the dense fit, magnitude
pruning and retraining on the kept support, simulated over the sparsity s and the sample size n, with
the lemma's expected excess risks beside them. The tables, claims and quoted numbers of the chapter
are in :mod:`overparam.reports.lemma1_correlated_features`.

Magnitude and Hessian pruning keep the same support in this problem (Lemma 1), so the pruned curves
carry the registry names of magnitude pruning; retraining refits the kept weights on the training
sample, as in the lemma's train-prune-retrain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam import seeds
from overparam.theory.pruning import hessian_support, magnitude_support, restrict
from overparam.theory.rank_one import lemma1_excess_risks, rank_one_excess_risk, rank_one_sample
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

# Lemma 1's names (overparam.theory.rank_one) -> the book's curve names (overparam.book.curve_names)
CURVES = {"dense": "dense", "pruned": "magnitude", "retrained": "magnitude+retrain"}
SWEEPS = ("s", "n")  # the two panels: over the kept weights s, over the sample size n


def simulate_fits(zeta, theta_star, sigma: float, n: int, budgets, trials: int, seed_key):
    """Excess risks of the dense, pruned and retrained fits of ``trials`` draws of n samples, at every
    budget s: {curve: array (trials, len(budgets))}; and the per-draw identities of Lemma 1's proof:
    the largest relative deviation of zeta^T theta_retrained from zeta^T theta_dense ("retrain") and
    of zeta^T theta_pruned from a zeta^T theta_dense ("prune"), and the number of fits whose magnitude
    and Hessian supports differ ("supports differ")."""
    out = {name: np.empty((trials, len(budgets))) for name in CURVES.values()}
    identities = {"retrain": 0.0, "prune": 0.0, "supports differ": 0}
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        X, y = rank_one_sample(zeta, theta_star, sigma, n, np.random.default_rng(child))
        theta = min_norm_least_squares(X, y)
        along = zeta @ theta
        for j, s in enumerate(budgets):
            support = magnitude_support(theta, s)
            identities["supports differ"] += not np.array_equal(support, hessian_support(theta, X, s))
            pruned, retrained = restrict(theta, support), fit_on_support(X, y, support)
            a = np.sum(zeta[support] ** 2) / np.sum(zeta**2)
            identities["retrain"] = max(identities["retrain"], abs(zeta @ retrained - along) / abs(along))
            identities["prune"] = max(identities["prune"], abs(zeta @ pruned - a * along) / abs(along))
            for name, fit in (("dense", theta), ("magnitude", pruned), ("magnitude+retrain", retrained)):
                out[name][t, j] = rank_one_excess_risk(zeta, theta_star, fit)
    return out, identities


def simulate_sweeps(zeta, theta_star, sigma: float, n: int, budgets, n_grid, s_fixed: int, trials: int, seed: int):
    """Both sweeps of the chapter's figure: every budget in ``budgets`` at n samples, and s_fixed kept
    weights at every sample size of ``n_grid`` (one seed stream per sample size).

    Returns ({"s": {curve: (trials, len(budgets))}, "n": {curve: (trials, len(n_grid))}}, identity),
    identity holding the largest deviations over all fits (see :func:`simulate_fits`), the number of
    fits whose supports differ, and the number of fits, "fits"."""
    by_s, found = simulate_fits(zeta, theta_star, sigma, n, budgets, trials,
                                seeds.key(seed, "lemma1-correlated-features/budgets"))
    found = [found]
    by_n = []
    for j, size in enumerate(n_grid):
        sims, identities = simulate_fits(zeta, theta_star, sigma, size, [s_fixed], trials,
                                         seeds.key(seed, "lemma1-correlated-features/sample-sizes", j))
        by_n.append(sims)
        found.append(identities)
    identity = {name: max(f[name] for f in found) for name in ("retrain", "prune")}
    identity["supports differ"] = sum(f["supports differ"] for f in found)
    identity["fits"] = trials * (len(budgets) + len(n_grid))
    by_n = {name: np.column_stack([sims[name][:, 0] for sims in by_n]) for name in CURVES.values()}
    return {"s": by_s, "n": by_n}, identity


def theory_sweep(zeta, theta_star, sigma: float, key: str, values, **fixed) -> pd.DataFrame:
    """Lemma 1's expected excess risks at each value of ``key`` ("s" or "n"; the other one in
    ``fixed``), one column per registered curve, plus a, c and the pruned model's bias
    (1 - a)^2 c^2 ("pruned_bias")."""
    rows = [lemma1_excess_risks(zeta, theta_star, sigma, **{**fixed, key: v}) for v in values]
    return pd.DataFrame(rows).rename(columns=CURVES).assign(**{key: list(values)})
