"""The problem a linear chapter ran, as a tidy table (``problem.csv``): one row per feature of its
largest model with the feature's variance Sigma_ii and its true weight theta*_i, so that any curve of
the chapter can be recomputed from the file by someone else's code."""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.theory.problems import LinearGaussianProblem


def problem_table(problem: LinearGaussianProblem, **labels) -> pd.DataFrame:
    """Tidy rows (``labels``..., feature, variance, theta_star), feature numbered from 0: the diagonal
    of Sigma and theta* of the linear Gaussian problem (Def. 1). ``labels`` are constant columns put
    first (for example ``panel="d > n"`` when a chapter runs several problems)."""
    rows = pd.DataFrame({"feature": np.arange(problem.p), "variance": problem.cov_diagonal,
                         "theta_star": problem.theta_star})
    for position, (name, value) in enumerate(labels.items()):
        rows.insert(position, name, value)
    return rows
