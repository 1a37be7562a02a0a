"""Where the book's conclusions hold, the points simulated: the grid rows on both sides of each
conclusion's boundary nearest to it with a margin a few draws can resolve, per family
(:func:`points_to_check`), and for a boundary that moves along one axis (chapter 12's rho* over n/p)
the rows that bracket it on several lines of the grid (:func:`row_boundary_points`). The margins and
their simulations are :mod:`overparam.experiments.phase_diagrams`."""
from __future__ import annotations

import numpy as np
import pandas as pd


def boundary_points(grid: pd.DataFrame, conclusion: str, per_side: int = 1, min_margin: float = 0.05,
                    **facet) -> pd.DataFrame:
    """Grid rows to simulate for one conclusion: on each side of its boundary (margin > 0 and < 0),
    the ``per_side`` rows closest to it whose |margin| is at least ``min_margin`` (a gap the
    simulation can resolve with a few draws), restricted to the ``facet`` columns given (for example
    theta_law="constant"). A side with no such row contributes none."""
    rows = grid
    for column, value in facet.items():
        rows = rows[rows[column] == value]
    margin = rows[conclusion]
    sides = [rows[margin >= min_margin].nsmallest(per_side, conclusion),
             rows[margin <= -min_margin].nlargest(per_side, conclusion)]
    return pd.concat(sides).assign(conclusion=conclusion)


def points_to_check(grid: pd.DataFrame, conclusions, per_side: int = 1, min_margin: float = 0.05) -> pd.DataFrame:
    """:func:`boundary_points` of every conclusion in every family (law of theta*, alignment) of the grid."""
    families = grid[["theta_law", "alignment"]].drop_duplicates().itertuples(index=False)
    return pd.concat([boundary_points(grid, conclusion, per_side, min_margin, theta_law=law, alignment=alignment)
                      for law, alignment in families for conclusion in conclusions], ignore_index=True)


def last_crossing_points(line: pd.DataFrame, conclusion: str, x: str, min_margin: float) -> pd.DataFrame:
    """On one line of a grid (sorted along ``x`` here): the two points that bracket the last sign change
    when the conclusion holds at the line's largest ``x`` (where it holds from there on: chapter 12's
    rho*): the last point before it with margin <= -``min_margin`` and the first after it with margin
    >= ``min_margin``; empty when there is no such change or a side has no resolvable point."""
    line = line.sort_values(x)
    margins = line[conclusion].to_numpy(float)
    failing = np.flatnonzero(~(margins > 0))
    if len(margins) == 0 or not margins[-1] > 0 or len(failing) == 0:
        return line.iloc[:0].assign(conclusion=conclusion)
    last = failing[-1]
    before = [j for j in range(last + 1) if margins[j] <= -min_margin]
    after = [j for j in range(last + 1, len(margins)) if margins[j] >= min_margin]
    if not before or not after:
        return line.iloc[:0].assign(conclusion=conclusion)
    return line.iloc[[before[-1], after[0]]].assign(conclusion=conclusion)


def row_boundary_points(grid: pd.DataFrame, conclusion: str, x: str = "rho", row: str = "n_over_p", rows: int = 3,
                        min_margin: float = 0.05) -> pd.DataFrame:
    """Grid rows to simulate for a boundary that moves along ``row`` (chapter 12's rho* over n/p, one
    family): on each value of ``row``, the two points that bracket its last crossing along ``x``
    (:func:`last_crossing_points`); of the values that have both, ``rows`` spread evenly from the
    smallest to the largest (all of them when there are fewer)."""
    pairs = {}
    for value, line in grid.groupby(row, sort=True):
        chosen = last_crossing_points(line, conclusion, x, min_margin)
        if len(chosen) == 2:
            pairs[value] = chosen
    values = list(pairs)
    picked = sorted({values[j] for j in np.linspace(0, len(values) - 1, min(rows, len(values))).round().astype(int)})
    return pd.concat([pairs[value] for value in picked], ignore_index=True) if picked else grid.iloc[:0].assign(
        conclusion=conclusion)
