"""The report of chapter 4 (Lemma 1, perfectly correlated features): the tidy table and the figure
of both sweeps, the fit checks, the per-draw identities in words, the claims and the numbers the
prose quotes, from the runs of :mod:`overparam.experiments.lemma1_correlated_features`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import style_of
from overparam.book.stats import mean_ci
from overparam.book.style import COLUMN_INCHES, log_axis, plot_theory_and_simulation, theory_simulation_legend
from overparam.book.verdicts import agreement, deterministic, point_counts, point_states, small_number
from overparam.experiments.lemma1_correlated_features import CURVES, SWEEPS


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


def plot_sweeps(table: pd.DataFrame, theory: dict, n: int, s_fixed: int):
    """The chapter's figure: excess risk against the kept weights s at n samples (left) and against
    the sample size n at ``s_fixed`` kept weights (right, log-log), theory lines and simulated means
    (``table``, :func:`tidy_sweeps`), with the bias (1-a)^2 c^2 of train-prune dashed."""
    fig, axes = plt.subplots(1, 2, figsize=(COLUMN_INCHES, 5.2))
    for ax, key in zip(axes, ["s", "n"]):
        for curve in CURVES.values():
            plot_theory_and_simulation(ax, table[table.sweep == key], curve, x=key, y="excess_risk")
        ax.plot(theory[key][key], theory[key]["pruned_bias"], color=style_of("magnitude")["color"], ls="--", lw=1,
                label="bias of train-prune, (1-a)²c²")
        ax.set_ylabel("excess risk  E L(θ) - L(θ*)")
    log_axis(axes[1])
    axes[1].set_yscale("log")
    axes[0].set_xlabel(f"kept weights s (n = {n})")
    axes[1].set_xlabel(f"samples n (s = {s_fixed})")
    theory_simulation_legend(fig, axes[0], ncol=2)
    return fig


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
    within ``band`` of the theory, relative to it (agree), entirely outside it (disagree), across an
    edge (inconclusive), out of how many (points): :func:`overparam.book.verdicts.point_states`."""
    expected, _, low, high = sweep_points(theory, simulated, curve)
    return point_counts(point_states(expected, low, high, band))


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


def quoted_numbers(theory: dict, simulated: dict, plotted: int) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the points plotted per curve
    (``plotted``), the agreement band, and for retraining and train-prune the distinct points that
    agree, disagree, and their number (:func:`agreement_counts`)."""
    numbers = {"lemma1-retrain-plotted": plotted, "lemma1-band": tolerance("lemma1-retrained-risk")}
    for name, key in {"retrain": "lemma1-retrained-risk", "prune": "lemma1-pruned-risk"}.items():
        counts = agreement_counts(theory, simulated, CURVE_OF[key], tolerance(key))
        numbers |= {f"lemma1-{name}-{count}": counts[count] for count in ("agree", "disagree", "points")}
    return numbers
