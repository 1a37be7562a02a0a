"""Lemma 1 of the paper (perfectly correlated features, Sigma = zeta zeta^T): the dense fit, magnitude
pruning and retraining on the kept support, simulated over the sparsity s and the sample size n and
checked against the lemma's expected excess risks and its per-draw identities.

Magnitude and Hessian pruning keep the same support in this problem (Lemma 1), so the pruned curves
carry the registry names of magnitude pruning; retraining refits the kept weights on the training
sample, as in the lemma's train-prune-retrain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.stats import mean_ci
from overparam.book.claims import claim
from overparam.book.claim_table import tolerance
from overparam.book.verdicts import agreement, deterministic, small_number
from overparam.theory.pruning import hessian_support, magnitude_support, restrict
from overparam.theory.rank_one import lemma1_excess_risks, rank_one_excess_risk, rank_one_sample
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

# Lemma 1's names (overparam.theory.rank_one) -> the curve registry's (overparam.book.curves.CURVES)
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
    by_s, found = simulate_fits(zeta, theta_star, sigma, n, budgets, trials, (seed, 2))
    found = [found]
    by_n = []
    for j, size in enumerate(n_grid):
        sims, identities = simulate_fits(zeta, theta_star, sigma, size, [s_fixed], trials, (seed, 3, j))
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


def tidy_sweeps(theory: dict, simulated: dict) -> pd.DataFrame:
    """The figure's points as tidy rows: sweep ("s" or "n"), curve, source (theory or simulation),
    the swept value, excess_risk and the 95% interval of the simulated mean."""
    rows = []
    for key in SWEEPS:
        values = theory[key][key].to_numpy()
        for name in CURVES.values():
            mean, low, high = mean_ci(simulated[key][name])
            rows.append(pd.DataFrame({"sweep": key, "curve": name, "source": "theory", key: values,
                                      "excess_risk": theory[key][name].to_numpy()}))
            rows.append(pd.DataFrame({"sweep": key, "curve": name, "source": "simulation", key: values,
                                      "excess_risk": mean, "ci_low": low, "ci_high": high}))
    return pd.concat(rows, ignore_index=True)


def fit_checks(theory: dict, simulated: dict) -> pd.DataFrame:
    """For every curve and sweep, the largest relative gap between the simulated mean and Lemma 1
    and the share of points whose 95% interval contains the theory value."""
    checks = []
    for name in CURVES.values():
        row = {"curve": name}
        for key in SWEEPS:
            expected = theory[key][name].to_numpy()
            mean, low, high = mean_ci(simulated[key][name])
            row[f"worst gap, sweep over {key}"] = f"{np.max(np.abs(mean - expected) / expected):.1%}"
            row[f"within 95% CI ({key})"] = f"{np.mean((low <= expected) & (expected <= high)):.0%}"
        checks.append(row)
    return pd.DataFrame(checks)


def identity_summary(identity: dict) -> str:
    """One line on Lemma 1's per-draw identities over every fit of the run."""
    return (f"in each of {identity['fits']} fits: zeta^T theta of the retrained fit equals the dense one (largest "
            f"relative deviation {small_number(identity['retrain'])}), that of the pruned fit is a times the dense "
            f"one ({small_number(identity['prune'])}); magnitude and Hessian supports differ in "
            f"{identity['supports differ']} fits")


def sweep_points(theory: dict, simulated: dict, curve: str) -> tuple[np.ndarray, ...]:
    """Theory, simulated mean and 95% interval of one curve at every distinct point of both sweeps:
    points that repeat one value (the retrained fit has the same excess risk at every s of a draw,
    Lemma 1's identity) are counted once."""
    stats = [mean_ci(simulated[key][curve]) for key in SWEEPS]
    expected = np.concatenate([theory[key][curve].to_numpy() for key in SWEEPS])
    columns = np.column_stack([expected, *(np.concatenate(parts) for parts in zip(*stats))])
    _, first = np.unique(np.round(columns, 12), axis=0, return_index=True)
    return tuple(columns[np.sort(first)].T)


CURVE_OF = {"lemma1-retrained-risk": "magnitude+retrain", "lemma1-pruned-risk": "magnitude"}


def agreement_counts(theory: dict, simulated: dict, curve: str, band: float) -> dict:
    """How many distinct points of ``curve`` (:func:`sweep_points`) have their whole 95% interval
    within ``band`` of the theory, relative to it (agree), entirely outside it (disagree), out of how
    many (points)."""
    expected, _, low, high = sweep_points(theory, simulated, curve)
    low, high = (low - expected) / expected, (high - expected) / expected
    inside, outside = (low >= -band) & (high <= band), (low > band) | (high < -band)
    return {"agree": int(inside.sum()), "disagree": int(outside.sum()), "points": int(expected.size)}


def lemma1_claims(theory: dict, simulated: dict, identity: dict) -> list[dict]:
    """The claims of Lemma 1 checked on a run: the expected excess risks of retraining and of
    train-prune (agreement at every distinct point of both sweeps, the declared tolerance); and, as
    consistency checks that can only fail through a bug, the per-draw identities of its proof
    (round-off 1e-9: retraining gives back the dense prediction, pruning scales it by a) and the
    coincidence of the magnitude and Hessian supports."""
    fits = identity["fits"]

    def exact(key):
        return deterministic(identity[key], 1e-9, 0.0, text=f"largest relative deviation "
                                                            f"{small_number(identity[key])} over {fits} fits")

    band = tolerance("lemma1-retrained-risk")
    return [
        claim("lemma1-retrained-risk", "Lemma 1, eq. 6",
              "retraining has the expected dense excess risk sigma^2/(n-2) (distinct points of both sweeps)",
              agreement(*sweep_points(theory, simulated, CURVE_OF["lemma1-retrained-risk"]), tolerance=band)),
        claim("lemma1-pruned-risk", "Lemma 1, eq. 5",
              "train-prune has the expected excess risk a^2 sigma^2/(n-2) + (1-a)^2 c^2 (distinct points)",
              agreement(*sweep_points(theory, simulated, CURVE_OF["lemma1-pruned-risk"]),
                        tolerance=tolerance("lemma1-pruned-risk"))),
        claim("lemma1-retrain-identity", "Lemma 1 (proof)",
              "in every draw, retraining gives back the dense fit's prediction (for every s)", exact("retrain"),
              kind="check"),
        claim("lemma1-prune-identity", "Lemma 1 (proof)",
              "in every draw, pruning scales the dense fit's prediction by a = ||T_s(zeta)||^2 / ||zeta||^2",
              exact("prune"), kind="check"),
        claim("lemma1-same-support", "Lemma 1",
              "magnitude and Hessian pruning keep the same support",
              deterministic(identity["supports differ"], 1, 0.0,
                            text=f"supports differ in {identity['supports differ']} of {fits} fits"), kind="check"),
    ]
