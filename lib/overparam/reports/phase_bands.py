"""Where the book's conclusions hold, two refinements of the report (:mod:`overparam.reports.phase_diagrams`):

- the undecided band of each conclusion, derived from the chapter's own simulated points instead of one
  borrowed convention: a stated quantile of |simulated - predicted| margin over that conclusion's
  evaluated points, where they are enough to estimate it (:func:`derived_bands`);
- the conclusions along the continuous rotation t from aligned (0) to inverted (1) saliency
  (:func:`overparam.theory.problems.rotated_problem`): where along t each changes sign
  (:func:`rotation_crossings`, :func:`rotation_sentence`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from overparam.reports.phase_diagrams import band_of, band_text, phase_of, sign_crossings, statement
from overparam.theory.problems import rotation_of


def min_points_for(quantile: float) -> int:
    """The fewest points whose empirical ``quantile`` lies inside the data rather than at its largest
    value: 1 / (1 - quantile) (10 for the 90th percentile, 20 for the 95th)."""
    return math.ceil(round(1 / (1 - quantile), 9))


def margin_gaps(table: pd.DataFrame, conclusion: str) -> np.ndarray:
    """|simulated - predicted| margin at the evaluated confirmation points of ``conclusion`` (both
    finite), the theory's error on a margin plus the simulation's noise at its draws."""
    rows = table[table.conclusion == conclusion]
    gaps = np.abs(rows.simulated_margin.to_numpy(float) - rows.predicted_margin.to_numpy(float))
    return gaps[np.isfinite(gaps)]


def derived_bands(table: pd.DataFrame, conclusions, quantile: float, fallback: float) -> pd.DataFrame:
    """Per conclusion, its undecided band: the ``quantile`` (linear interpolation) of
    :func:`margin_gaps` over its confirmation points where there are at least
    :func:`min_points_for` (quantile) of them, else ``fallback`` (the convention), with the count either
    way. Columns: conclusion, points, band, rule."""
    needed = min_points_for(quantile)
    rows = []
    for conclusion in conclusions:
        gaps = margin_gaps(table, conclusion)
        derived = gaps.size >= needed
        rows.append({"conclusion": conclusion, "points": int(gaps.size),
                     "band": float(np.quantile(gaps, quantile)) if derived else float(fallback),
                     "rule": f"{quantile:.0%} quantile of {gaps.size} points" if derived else
                     f"convention {fallback:.0%}: {gaps.size} points, fewer than {needed}"})
    return pd.DataFrame(rows)


def band_numbers(bands: pd.DataFrame) -> dict:
    """The bands by glue key: ``where-band-C`` (the band), ``where-band-C-points`` and ``-rule`` per
    conclusion C, ``where-bands-derived`` (how many conclusions have a derived band, not the convention)
    and the fewest and most points of a conclusion (``where-band-points-fewest``, ``-most``)."""
    numbers = {"where-bands-derived": int(bands.rule.str.contains("quantile").sum()),
               "where-band-points-fewest": int(bands.points.min()), "where-band-points-most": int(bands.points.max())}
    for row in bands.itertuples():
        numbers[f"where-band-{row.conclusion}"] = row.band
        numbers[f"where-band-{row.conclusion}-points"] = row.points
        numbers[f"where-band-{row.conclusion}-rule"] = row.rule
    return numbers


def rotation_crossings(rows: pd.DataFrame, conclusion: str) -> list[float]:
    """The rotations t where the margin of ``conclusion`` changes sign along one family's rows (their
    ``alignment`` a rotation t, :func:`overparam.theory.problems.rotation_of`): :func:`sign_crossings` in t."""
    line = rows.assign(t=[rotation_of(value) for value in rows.alignment]).sort_values("t")
    return sign_crossings(line.t.to_numpy(float), line[conclusion].to_numpy(float))


def rotation_switch(rows: pd.DataFrame, conclusion: str, band: float) -> str:
    """Where along t one family's margin switches, in words: 'switches sign at t ≈ 0.42' (every
    crossing) or 'keeps its sign over t in [0, 1]', with the margins and phases (band ``band``) at
    t = 0 and t = 1."""
    line = rows.assign(t=[rotation_of(value) for value in rows.alignment]).sort_values("t")
    ends = line[conclusion].to_numpy(float)[[0, -1]]
    phases = phase_of(ends, band)
    crossings = rotation_crossings(rows, conclusion)
    where = ("switches sign at t ≈ " + ", ".join(f"{value:.2f}" for value in crossings)) if crossings else \
        "keeps its sign over t in [0, 1]"
    return (f"{where} (margin {ends[0]:+.1%}, {phases[0]}, at t = 0; {ends[1]:+.1%}, {phases[1]}, at t = 1; "
            f"band {band_text(band)})")


def rotation_sentence(grid: pd.DataFrame, conclusion: str, band: float) -> str:
    """One sentence per conclusion over the rotation grid: :func:`rotation_switch` for each law of
    theta*, in the grid's order."""
    laws = "; ".join(f"θ* {law}: {rotation_switch(rows, conclusion, band)}"
                     for law, rows in grid.groupby("theta_law", sort=False))
    return f"Along t, the conclusion that {statement(conclusion)}: {laws}."


def rotation_numbers(grid: pd.DataFrame, conclusions, theta_law: str, tolerance) -> dict:
    """By glue key ``where-rotation-C``: :func:`rotation_switch` of each conclusion C on the rotation
    grid's rows of ``theta_law`` (the default's), with its band (:func:`band_of`)."""
    rows = grid[grid.theta_law == theta_law]
    return {f"where-rotation-{conclusion}": rotation_switch(rows, conclusion, band_of(tolerance, conclusion))
            for conclusion in conclusions}
