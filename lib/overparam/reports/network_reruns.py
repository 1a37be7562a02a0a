"""Reruns of a network sweep: how far the numbers and verdicts of a rerun (another CPU's kernels,
another thread count) may move from the committed run's, and how likely a rerun is to keep each
verdict, predicted from the run's own spread over its seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as scipy_t

from overparam.book.claim_table import declared
from overparam.book.verdicts import comparison, non_inferiority
from overparam.reports.networks import SPLITS, figure_prefix, paired_sides


def same_status_on_rerun(differences, level: float = 0.95) -> float:
    """The chance that an independent rerun (another CPU, whose last-bit differences grow through
    training into the spread of another draw of the seeds) gives a paired comparison the status
    this one has: with mean d, standard error e = s / sqrt(m) of the m per-seed differences and
    half-width h = t(m - 1) e of the interval, the rerun's mean is predicted as normal with mean d
    and variance 2 e^2 (both runs' means scatter by e around the truth) and is judged with the same
    h: P(mean > h) for "reproduced", P(mean < -h) for "not reproduced", P(|mean| <= h) for
    "inconclusive". NaN with fewer than two finite differences."""
    values = np.asarray(differences, dtype=float).ravel()
    if values.size < 2 or not np.isfinite(values).all():
        return float("nan")
    mean, error = values.mean(), values.std(ddof=1) / np.sqrt(values.size)
    if error == 0:
        return 1.0
    half = float(scipy_t.ppf(0.5 + level / 2, values.size - 1)) * error
    spread = np.sqrt(2) * error
    above, below = norm.sf((half - mean) / spread), norm.cdf((-half - mean) / spread)
    if mean - half > 0:
        return float(above)
    if mean + half < 0:
        return float(below)
    return float(1 - above - below)


def judged_differences(differences, claim_id: str) -> tuple[str, np.ndarray]:
    """The status of a paired claim under its declared rule (overparam.book.claim_table): a
    comparison against zero, or a non-inferiority against its declared margin, and the differences
    shifted so that the rule's threshold is zero (what :func:`same_status_on_rerun` judges)."""
    differences = np.asarray(differences, dtype=float)
    rule = declared(claim_id)
    if rule.rule == "non-inferiority":
        return non_inferiority(differences, rule.tolerance).status, differences + rule.tolerance
    if rule.rule != "comparison":
        raise ValueError(f"claim {claim_id!r} is judged by {rule.rule!r}, not by a paired comparison")
    return comparison(differences).status, differences


def rerun_stability(runs: pd.DataFrame, summary: pd.DataFrame, widths, base_widths, architecture: str) -> pd.DataFrame:
    """One row per paired claim of :func:`paired_sides` and sparsity target: the claim id (as in
    :func:`sweep_claims`), its rule, its status (by that rule, as in the claims table), the mean
    difference, and :func:`same_status_on_rerun`, the predicted chance that a rerun keeps that status."""
    rows = []
    for base in base_widths:
        sides = paired_sides(runs, summary, widths, base)
        for key, (a, b) in (sides or {}).items():
            claim_id = f"{figure_prefix(architecture, key)}-{key}"
            differences = (a - b).to_numpy()
            status, shifted = judged_differences(differences, claim_id)
            rows.append({"id": f"{claim_id}-target-{base}", "rule": declared(claim_id).rule, "status": status,
                         "mean": differences.mean(), "same_status_on_rerun": same_status_on_rerun(shifted)})
    return pd.DataFrame(rows, columns=["id", "rule", "status", "mean", "same_status_on_rerun"])


def margin_statuses(claims: pd.DataFrame, claim_id: str) -> dict:
    """How a claim's status depends on its declared tolerance, for the prose (plain values for
    glue): the tolerance, half and twice it, the status at each, and ``fragile`` (the status changes
    within that range, as the reproduction report flags it) or ``not fragile``, with its ``reading``
    (:func:`fragility`). Raises ValueError
    for a claim without a tolerance."""
    row = claims.set_index("id").loc[claim_id]
    if pd.isna(row.tolerance):
        raise ValueError(f"claim {claim_id!r} has no tolerance to halve or double")
    return {"tolerance": float(row.tolerance), "half": float(row.tolerance) / 2, "double": 2 * float(row.tolerance),
            "status": row.status, "at-half": row.at_half, "at-double": row.at_double,
            **fragility(str(row.fragile) == "True")}


def fragility(fragile: bool) -> dict:
    """The words for a claim whose status does (not) change between half and twice its tolerance:
    ``fragile`` and ``reading``, what that says about the verdict."""
    if fragile:
        return {"fragile": "fragile", "reading": "it says as much about the margin chosen as about the networks"}
    return {"fragile": "not fragile", "reading": "the margin chosen does not decide it"}


ADJACENT = [{"reproduced", "inconclusive"}, {"not reproduced", "inconclusive"}]


def verdicts_agree(reference: pd.DataFrame, rerun: pd.DataFrame) -> pd.Series:
    """Do two runs of the same sweep reach the same verdicts, up to the noise between CPUs? The
    claims must be the same, in the same order; a status may move by one step, to or from
    ``inconclusive`` (an interval that ends near zero on one CPU can cross it on another), never to
    the opposite verdict. One boolean per claim (by its id, or its text in files without ids)."""
    key = "id" if "id" in reference and "id" in rerun else "claim"
    if list(reference[key]) != list(rerun[key]):
        raise ValueError("the two runs do not check the same claims")
    return pd.Series([a == b or {a, b} in ADJACENT for a, b in zip(reference.status, rerun.status)],
                     index=reference[key])


def rerun_agreement(reference: pd.DataFrame, rerun: pd.DataFrame, family_level: float = 0.01) -> pd.DataFrame:
    """Do two runs of the same sweep (say, on two CPUs with different vector kernels) agree within
    the seed-to-seed noise? One row per (variant, base width, width, split) with the two mean errors,
    their difference and its tolerance, and ``agrees``.

    Tiny floating-point differences grow through training into the spread of a different seed, so
    each run's mean over its m seeds is treated as one draw of that spread. On the arcsine-square-root
    scale an error rate's spread is about the same at every level, so its variance is pooled over all
    rows and both runs; a difference of two means then has standard error sqrt(2 v / m), and the
    tolerance is a Student-t quantile Bonferroni-corrected over the rows (all rows agree with
    probability at least 1 - ``family_level`` when the runs differ only by noise).
    """
    keys = ["variant", "base_width", "width", "seed"]
    splits = [split for split in SPLITS if split in reference and split in rerun]
    long = [frame.assign(base_width=frame.base_width.fillna(0).astype(int)).melt(keys, splits, "split", "error")
            for frame in (reference, rerun)]
    both = long[0].merge(long[1], on=keys + ["split"], suffixes=("_reference", "_rerun"), validate="one_to_one")
    if len(both) != len(long[0]) or len(both) != len(long[1]):
        raise ValueError("the two runs do not have the same (variant, base width, width, seed) rows")
    for side in ("reference", "rerun"):
        both[f"angle_{side}"] = np.arcsin(np.sqrt(both[f"error_{side}"]))
    cells = both.groupby(["variant", "base_width", "width", "split"])
    seeds = cells.size().iloc[0]
    variance = np.mean([cells[f"angle_{side}"].var(ddof=1).mean() for side in ("reference", "rerun")])
    table = cells[["error_reference", "error_rerun", "angle_reference", "angle_rerun"]].mean().reset_index()
    degrees = 2 * len(table) * (seeds - 1)
    quantile = float(scipy_t.ppf(1 - family_level / (2 * len(table)), degrees))
    table["difference"] = table.angle_rerun - table.angle_reference
    table["tolerance"] = quantile * np.sqrt(2 * variance / seeds)
    table["agrees"] = table.difference.abs() <= table.tolerance
    return table.drop(columns=["angle_reference", "angle_rerun"])
