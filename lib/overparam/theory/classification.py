"""Linear classification of sign labels on the linear Gaussian problem (beyond the paper).

Labels are y = sign(x^T theta* + sigma z) with x ~ N(0, Sigma). For a linear classifier theta the
scores x^T theta and the latent u = x^T theta* + sigma z are jointly Gaussian with correlation

    c = theta^T Sigma theta* / sqrt(theta^T Sigma theta * v),   v = theta*^T Sigma theta* + sigma^2,

and two centred Gaussians with correlation c have different signs with probability arccos(c) / pi,
so that is the test error; no test sample is needed.

Least squares on the +-1 labels, in the population, fits the equivalent linear problem of the labels:
E[y x] = sqrt(2 / pi) Sigma theta* / sqrt(v), so the target is sqrt(2 / pi) theta* / sqrt(v) and the
noise variance is E[y^2] minus the explained part, 1 - (2 / pi) theta*^T Sigma theta* / v. The
distributional characterization (DC) of that problem predicts the least-squares classifier; the
error is not a function of the mean risk, so the prediction samples theta from the DC and averages
arccos(c) / pi over the draws.
"""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from overparam.theory.dc import dc_gaussian
from overparam.theory.problems import LinearGaussianProblem, restrict_problem
from overparam.theory.pruning import DATA_RULES, fit_supports, pruning_rule

PRUNING_RULES = DATA_RULES  # the rules a classifier can apply (the oracle needs theta*)


def latent_variance(problem: LinearGaussianProblem) -> float:
    """v = theta*^T Sigma theta* + sigma^2: the variance of the latent score whose sign is the label."""
    return float(problem.sigma**2 + problem.theta_star @ _times_cov(problem, problem.theta_star))


def _times_cov(problem: LinearGaussianProblem, theta: np.ndarray) -> np.ndarray:
    return theta * problem.cov if problem.is_diagonal else theta @ problem.cov


def label_correlation(theta, problem: LinearGaussianProblem) -> np.ndarray:
    """Correlation c of the score x^T theta with the latent x^T theta* + sigma z, for each model in
    ``theta`` (shape (..., p)); 0 for the zero model (its predictions carry no information)."""
    theta = np.asarray(theta, dtype=float)
    if theta.shape[-1] != problem.p:
        raise ValueError(f"theta has {theta.shape[-1]} coordinates, the problem {problem.p}")
    cov_theta = _times_cov(problem, theta)
    cross = cov_theta @ problem.theta_star
    norm2 = np.einsum("...i,...i->...", cov_theta, theta)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(norm2 > 0, cross / np.sqrt(np.maximum(norm2, 1e-300) * latent_variance(problem)), 0.0)
    return np.clip(c, -1.0, 1.0)


def classification_error(theta, problem: LinearGaussianProblem) -> np.ndarray:
    """P(sign(x^T theta) != y) = arccos(c) / pi for each model in ``theta`` (shape (..., p))."""
    return np.arccos(label_correlation(theta, problem)) / np.pi


def bayes_error(problem: LinearGaussianProblem) -> float:
    """The error of theta* itself, arccos(sqrt(theta*^T Sigma theta* / v)) / pi: the Bayes error, since
    P(y = 1 | x) is increasing in x^T theta* and so sign(x^T theta*) is the Bayes classifier."""
    return float(classification_error(problem.theta_star, problem))


def equivalent_label_problem(problem: LinearGaussianProblem) -> LinearGaussianProblem:
    """The linear problem that least squares on the +-1 labels sees: target sqrt(2/pi) theta* / sqrt(v),
    same covariance, noise variance 1 - (2/pi) theta*^T Sigma theta* / v (so that E[y^2] = 1)."""
    v = latent_variance(problem)
    explained = (v - problem.sigma**2) / v
    return LinearGaussianProblem(np.sqrt(2 / np.pi / v) * problem.theta_star, problem.cov,
                                 float(np.sqrt(max(1 - 2 / np.pi * explained, 0.0))))


def _supports(thetas: np.ndarray, curvature: np.ndarray, s: int, rule: str, rng: np.random.Generator) -> np.ndarray:
    """Kept indices (draws x s) of each draw in ``thetas`` under one pruning rule (the Hessian one
    weighs with the diagonal ``curvature`` of the Hessian)."""
    draws, k = thetas.shape
    if pruning_rule(rule).random:
        return np.stack([np.sort(rng.choice(k, size=s, replace=False)) for _ in range(draws)])
    return fit_supports(rule, thetas, curvature, s)


def _refit_draw(labels: LinearGaussianProblem, support: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """One draw of the least-squares refit on ``support`` with a fresh sample of n points (the
    retraining DC: the DC of the labels' problem restricted to the kept features), padded to p."""
    mean, var = dc_gaussian(restrict_problem(labels, support), n)
    theta = np.zeros(labels.p)
    theta[support] = mean + rng.standard_normal(support.size) * np.sqrt(var)
    return theta


def least_squares_error_prediction(problem: LinearGaussianProblem, n: int, s: int, ks, draws: int,
                                   rng: np.random.Generator, rules=PRUNING_RULES, refits: bool = True
                                   ) -> dict[str, np.ndarray]:
    """DC prediction of the test error of least squares on +-1 labels, fit on the first k features:
    dense, pruned to s weights by each rule, and pruned then refit on a fresh sample ("<rule>+retrain").

    For each k: ``draws`` models from the DC of the labels' equivalent problem on k features, each
    pruned (scores |theta_i|, |theta_i| sqrt(Sigma_ii) or a random support) and its error arccos(c)/pi
    evaluated exactly; a refit draws once from the DC of the kept support (left out when ``refits`` is
    False). Returns, per curve, an
    array (draws, len(ks)) of errors. The diagonal covariance of the prefix models is required; k
    must avoid n - 1, n and n + 1, where the DC variance is infinite.
    """
    if not problem.is_diagonal:
        raise ValueError("the prediction on prefix models needs a diagonal covariance")
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    ks = [int(k) for k in ks]
    if any(abs(k - n) <= 1 for k in ks):
        raise ValueError(f"k = n - 1, n, n + 1 have an infinite DC variance; got ks {ks} with n = {n}")
    labels = equivalent_label_problem(problem)
    curves = ["dense", *rules, *(f"{rule}+retrain" for rule in rules if refits)]
    out = {curve: np.empty((draws, len(ks))) for curve in curves}
    with threadpool_limits(1):  # many small draws: threads only add overhead
        for j, k in enumerate(ks):
            _predict_size(out, problem, labels, n, s, j, k, draws, rng, rules, refits)
    return out


def _predict_size(out, problem, labels, n, s, j, k, draws, rng, rules, refits=True):
    """The prediction's draws at one size k, written into column j of every curve of ``out``."""
    mean, var = dc_gaussian(labels.prefix(k), n)
    thetas = np.zeros((draws, problem.p))
    thetas[:, :k] = mean + rng.standard_normal((draws, k)) * np.sqrt(var)
    out["dense"][:, j] = classification_error(thetas, problem)
    for rule in rules:
        kept = _supports(thetas[:, :k], problem.cov[:k], min(s, k), rule, rng)
        pruned = np.zeros_like(thetas)
        np.put_along_axis(pruned, kept, np.take_along_axis(thetas, kept, axis=1), axis=1)
        out[rule][:, j] = classification_error(pruned, problem)
        if not refits:
            continue
        refit = np.stack([_refit_draw(labels, support, n, rng) for support in kept])
        out[f"{rule}+retrain"][:, j] = classification_error(refit, problem)


def bilevel_problem(p: int, s: int, ratio: float, sigma: float) -> LinearGaussianProblem:
    """A few high-variance features carrying the signal over a large low-variance bulk: Sigma = ratio on
    the first s features and 1 on the other p - s, theta* = 1 / sqrt(s ratio) on the first s and 0
    elsewhere (so theta*^T Sigma theta* = 1). With p much larger than n the bulk acts on the min-norm
    interpolator as a ridge, the interpolator can be the max-margin classifier and still classify well
    (the bi-level model of Muthukumar et al., 2021)."""
    if not 1 <= s < p or not ratio > 0:
        raise ValueError(f"need 1 <= s < p and ratio > 0, got s = {s}, p = {p}, ratio = {ratio}")
    cov, theta = np.ones(p), np.zeros(p)
    cov[:s], theta[:s] = ratio, 1 / np.sqrt(s * ratio)
    return LinearGaussianProblem(theta, cov, sigma)
