"""The calculator's tuned ridge curves (overparam.theory.ridge_curves) on a law with an atom per
feature, where the tuning evaluates its grid one point at a time with warm-started thresholds and
solves the threshold of a pipeline and of its retrained twin once at each shared tau."""
from __future__ import annotations

import numpy as np

from overparam.experiments.ridge_pruning import pipeline_risk
from overparam.theory.problems import fig3_problem
from overparam.theory.ridge_curves import PIPELINES, distinct, ridge_curves
from overparam.theory.risk_curves import BLOCK_COLUMNS

N, S, SIZES = 50, 12, [30, 120]


def test_distinct_groups_rows_of_equal_keys():
    """first holds one row per distinct (key, key) pair and back sends every row to its pair."""
    sizes, taus = np.array([3, 1, 3, 1, 3]), np.array([0.5, 0.5, 0.5, 0.7, 0.2])
    first, back = distinct(sizes, taus)
    assert len(first) == 4
    assert np.array_equal(sizes[first][back], sizes) and np.array_equal(taus[first][back], taus)


def test_the_shared_thresholds_give_chapter_tens_pipeline_risk():
    """Gaussian theta* (more atoms than BLOCK_COLUMNS): at the mu each pipeline reports, its risk is
    chapter 10's per-size pipeline_risk to 1e-10 (the curves are checked to 1e-10), twins included."""
    problem = fig3_problem("b", 120, S, 10.0, 0.5, theta_law="gaussian", seed=3)
    assert len(np.unique(problem.theta_star)) > BLOCK_COLUMNS
    curves = ridge_curves(problem, N, S, SIZES)
    for pipeline in PIPELINES:
        for j, k in enumerate(SIZES):
            mu, risk = curves[pipeline][0][j], curves[pipeline][1][j]
            expected = pipeline_risk(problem.prefix(k), N, S, pipeline, mu)
            assert abs(expected / risk - 1) < 1e-10, (pipeline, k, mu, risk, expected)
