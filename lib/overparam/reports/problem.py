"""The problem a linear chapter ran, as a tidy table (``problem.csv``): one row per feature of its
largest model with the feature's variance Sigma_ii and its true weight theta*_i, so that any curve of
the chapter can be recomputed from the file by someone else's code.

Every linear chapter (1-5, 10-13) writes one. A diagonal Sigma is the columns ``feature, variance,
theta_star``. The chapters with correlated features (4 and 12) add a column ``block``: features in the
same block have correlation rho, features in different blocks none, so that
Sigma_ij = rho sqrt(variance_i variance_j) for i != j in one block (:func:`block_covariance`). rho is not
a column: chapter 12 sweeps it (the ``rho`` column of its curve file, every value with this same
variance and theta*), and chapter 4 is Lemma 1's rank-one problem, rho = 1 in a single block. Chapter 13
classifies the sign of y = x^T theta* + sigma z: its table is that latent linear problem.

A chapter that runs several problems writes them all to its one problem.csv, told apart by label columns
(:func:`feature_table`'s ``labels``): chapter 2 labels ``spectrum`` and ``study`` (its two spectra, the
convergence study's largest p and the isotropic risk check's largest p, whose first rows rescaled give every
smaller p of that check), chapter 11 ``theta_law`` (the chapter's constant theta* and each other law of
theta* it compares), chapters 1, 5 and 13 ``panel``, chapter 3 ``spectrum``, chapter 10 ``role`` and
``theta_law``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.theory.problems import LinearGaussianProblem


def feature_table(variance, theta_star, block=None, **labels) -> pd.DataFrame:
    """Tidy rows (``labels``..., feature, variance, theta_star[, block]), feature numbered from 0.
    ``labels`` are constant columns put first (for example ``panel="d > n"`` when a chapter runs several
    problems); ``block`` (one integer per feature) names the correlation blocks of a correlated Sigma."""
    variance, theta_star = np.asarray(variance, dtype=float), np.asarray(theta_star, dtype=float)
    if variance.shape != theta_star.shape or variance.ndim != 1:
        raise ValueError(f"variance {variance.shape} and theta_star {theta_star.shape} must be vectors of one length")
    rows = pd.DataFrame({"feature": np.arange(variance.size), "variance": variance, "theta_star": theta_star})
    if block is not None:
        rows["block"] = np.broadcast_to(np.asarray(block, dtype=int), variance.shape)
    for position, (name, value) in enumerate(labels.items()):
        rows.insert(position, name, value)
    return rows


def problem_table(problem: LinearGaussianProblem, **labels) -> pd.DataFrame:
    """The rows of :func:`feature_table` for a linear Gaussian problem (Def. 1) with a diagonal Sigma.
    A correlated Sigma is refused (its diagonal alone would not be the problem that ran): use
    :func:`block_problem_table`."""
    if not problem.is_diagonal and np.count_nonzero(problem.cov - np.diag(np.diag(problem.cov))):
        raise ValueError("Sigma is not diagonal: write its correlation blocks with block_problem_table")
    return feature_table(problem.cov_diagonal, problem.theta_star, **labels)


def block_covariance(table: pd.DataFrame, rho: float) -> np.ndarray:
    """Sigma read back from the rows of one problem: Sigma_ii = variance_i and, for i != j in the same
    block, Sigma_ij = rho sqrt(variance_i variance_j); 0 across blocks (no ``block`` column: diagonal)."""
    root = np.sqrt(table.variance.to_numpy())
    if "block" not in table:
        return np.diag(root**2)
    block = table.block.to_numpy()
    same = (block[:, None] == block[None, :]).astype(float)
    return root[:, None] * ((1 - rho) * np.eye(root.size) + rho * same) * root[None, :]


def block_problem_table(problem: LinearGaussianProblem, block, rho: float, **labels) -> pd.DataFrame:
    """The rows of :func:`feature_table` with the correlation blocks of a correlated Sigma, checked: the
    problem's Sigma must be :func:`block_covariance` of the rows at ``rho`` (to 1e-9 of its largest
    entry, rounding), else ValueError, so the file always describes the Sigma that ran."""
    rows = feature_table(problem.cov_diagonal, problem.theta_star, block=block, **labels)
    cov = problem.cov_matrix
    if not np.allclose(block_covariance(rows, rho), cov, rtol=0, atol=1e-9 * np.abs(cov).max()):
        raise ValueError(f"Sigma is not the block-equicorrelated matrix of these blocks at rho = {rho}")
    return rows


def correlated_features_table(features, **labels) -> pd.DataFrame:
    """:func:`block_problem_table` of chapter 12's features (an
    :class:`overparam.experiments.correlated_refits.CorrelatedFeatures`): blocks of ``features.group``
    consecutive features, or one block when ``group`` is None, checked at the features' own rho."""
    block = 0 if features.group is None else np.arange(features.p) // features.group
    return block_problem_table(features.problem, block, features.rho, **labels)
