"""What the kept support of a pruned model is refit to, for any covariance Sigma, predicted by
sampling the distributional characterization (Def. 4) and evaluating every model exactly.

Every function works on a stack of draws: ``thetas`` (draws x p) are min-norm fits drawn from their
DC Gaussian (:func:`dc_draws`, no data matrix), ``supports`` (draws x s) the indices each pruning
rule keeps. The refits:

- retraining on a fresh labelled sample of size N (retraining DC, Def. 5): the kept features see
  the LGP(theta*_D, Sigma_DD, sigma_D) with theta*_D = Sigma_DD^{-1} (Sigma theta*)_D and
  sigma_D^2 = sigma^2 + theta*^T Sigma theta* - theta*_D^T Sigma_DD theta*_D. Given the support and
  s < N - 1, the least-squares refit of a Gaussian design has risk sigma_D^2 (N - 1)/(N - s - 1)
  exactly, whatever the conditioning of Sigma_DD (Def. 5 states the proportional limit
  sigma_D^2 / (1 - s/N)); the support itself comes from the DC, an approximation at finite n, p;
- sample splitting: fit and prune on n1 = f n samples, retrain on the other n - n1 (the two parts
  are independent, so the first stage is the DC with n1 samples and the second the line above);
- distillation: least squares of the big model's predictions x^T theta_hat on m unlabelled inputs,
  restricted to the support. For m -> infinity this is the population projection
  theta_D = Sigma_DD^{-1} (Sigma theta_hat)_D; for finite m > s + 1 the student adds the
  least-squares error of a Gaussian design with m rows, s columns and "noise" variance
  v = theta_hat^T Sigma theta_hat - theta_D^T Sigma_DD theta_D (the part of the teacher the support
  cannot express), which costs v s / (m - s - 1) in expected risk.
"""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from overparam.theory.dc import dc_eigenbasis, principal_root
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import FIT_RULES, fit_supports

RULES = FIT_RULES  # the rules that rank the fit (kept for the modules that import this name)
CHUNK = 256  # draws per batched solve: CHUNK s^2 doubles in memory (s = 100: 20 MB)


def dc_draws(problem: LinearGaussianProblem, n: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``draws`` min-norm fits of n samples sampled from their DC Gaussian (Def. 4), draws x p: the mean
    plus standard normals times the principal square root of the DC covariance (:func:`principal_root`),
    so that the draws do not depend on which eigenbasis LAPACK returns for a repeated eigenvalue of Sigma."""
    basis, dc = dc_eigenbasis(problem, n)
    if not np.isfinite(dc.risk):
        raise ValueError(f"the DC of a fit with n = {n} samples and p = {problem.p} features is not "
                         "finite (interpolation threshold)")
    return dc.mean @ basis.T + rng.standard_normal((draws, problem.p)) @ principal_root(basis, dc.var)


def supports_of(thetas: np.ndarray, s: int, rule: str, cov_diagonal: np.ndarray) -> np.ndarray:
    """The s indices each draw keeps (draws x s): the largest |theta_i| (magnitude) or
    |theta_i| sqrt(Sigma_ii) (Hessian, with the population diagonal of the Hessian)."""
    if rule not in FIT_RULES:
        raise ValueError(f"rule must be one of {FIT_RULES}, got {rule!r}")
    if not 1 <= s < thetas.shape[1]:
        raise ValueError(f"s must be in 1..{thetas.shape[1] - 1}, got {s}")
    return fit_supports(rule, thetas, cov_diagonal, s)


def embed(values: np.ndarray, supports: np.ndarray, p: int) -> np.ndarray:
    """Models in R^p (draws x p) with ``values`` (draws x s) on their supports and zeros elsewhere."""
    models = np.zeros((supports.shape[0], p))
    np.put_along_axis(models, supports, values, axis=1)
    return models


def risks(problem: LinearGaussianProblem, models: np.ndarray) -> np.ndarray:
    """Test risk L(theta) = sigma^2 + (theta - theta*)^T Sigma (theta - theta*) of each row of
    ``models`` (draws x p); the same as ``problem.risk``, with one matrix product for the stack."""
    err = models - problem.theta_star
    return problem.sigma**2 + np.sum((err @ problem.cov_matrix) * err, axis=1)


def pruned_risks(problem: LinearGaussianProblem, thetas: np.ndarray, supports: np.ndarray) -> np.ndarray:
    """Risk L of each draw pruned to its support (train-prune): the fit with zeros off the support."""
    return risks(problem, embed(np.take_along_axis(thetas, supports, axis=1), supports, problem.p))


def projections(problem: LinearGaussianProblem, supports: np.ndarray, *targets: np.ndarray):
    """Population least squares of target models on each draw's support: for a target t (a p-vector,
    or one row per draw), t_D = Sigma_DD^{-1} (Sigma t)_D and the variance t^T Sigma t - t_D^T Sigma_DD t_D
    the support cannot express. Returns one (t_D, unexplained) pair per target; all targets share
    one batched solve per chunk of draws (single-threaded: BLAS threads only slow small solves)."""
    cov, draws = problem.cov_matrix, supports.shape[0]
    targets = [np.broadcast_to(t, (draws, problem.p)) for t in targets]
    coefs = [np.empty(supports.shape) for _ in targets]
    unexplained = [np.empty(draws) for _ in targets]
    with threadpool_limits(1):
        for start in range(0, draws, CHUNK):
            rows = slice(start, start + CHUNK)
            kept = supports[rows]
            sub_cov = cov[kept[:, :, None], kept[:, None, :]]
            images = [t[rows] @ cov for t in targets]
            rhs = np.stack([np.take_along_axis(image, kept, axis=1) for image in images], axis=2)
            solution = np.linalg.solve(sub_cov, rhs)
            for j, (t, image) in enumerate(zip(targets, images)):
                coefs[j][rows] = solution[:, :, j]
                explained = np.einsum("ds,ds->d", solution[:, :, j], rhs[:, :, j])
                unexplained[j][rows] = np.maximum(np.sum(image * t[rows], axis=1) - explained, 0.0)
    return list(zip(coefs, unexplained))


def least_squares_factor(samples: int, s: int) -> float:
    """Exact E[risk] / noise of least squares with s Gaussian features and ``samples`` rows:
    (N - 1)/(N - s - 1), any feature covariance (infinite when N <= s + 1)."""
    return (samples - 1) / (samples - s - 1) if samples > s + 1 else np.inf


def retrained_risks(problem: LinearGaussianProblem, supports: np.ndarray, samples: int) -> np.ndarray:
    """Retraining DC (Def. 5) on a fresh labelled sample of size ``samples``, per draw:
    sigma_D^2 (N - 1)/(N - s - 1), with sigma_D^2 the noise the kept support leaves."""
    [(_, unexplained)] = projections(problem, supports, problem.theta_star)
    return (problem.sigma**2 + unexplained) * least_squares_factor(samples, supports.shape[1])


def distilled_risks(problem: LinearGaussianProblem, thetas: np.ndarray, supports: np.ndarray,
                    unlabeled) -> dict[float, np.ndarray]:
    """Risk of the student that refits the support to the big model's predictions on m unlabelled
    inputs, per draw, for every m in ``unlabeled`` (np.inf: the population projection):
    L(theta_D embedded) + v s / (m - s - 1). Returns {m: risks}."""
    s = supports.shape[1]
    too_few = [m for m in unlabeled if m <= s + 1]
    if too_few:
        raise ValueError(f"distillation needs more than s + 1 = {s + 1} unlabeled inputs, got {too_few}")
    [(coef, unexplained)] = projections(problem, supports, thetas)
    risk = risks(problem, embed(coef, supports, problem.p))
    return {float(m): risk + unexplained * s / (m - s - 1) if np.isfinite(m) else risk for m in unlabeled}


def split_risks(problem: LinearGaussianProblem, n: int, fraction: float, s: int, rule: str,
                draws: int, rng: np.random.Generator) -> np.ndarray:
    """Sample splitting: fit and prune on n1 = round(f n) samples (DC with n1), retrain the kept
    support on the other n - n1 (retraining DC with n - n1 samples), per draw."""
    first = int(round(fraction * n))
    if not 0 < first < n:
        raise ValueError(f"split fraction {fraction} leaves no samples for one of the two stages (n = {n})")
    thetas = dc_draws(problem, first, draws, rng)
    return retrained_risks(problem, supports_of(thetas, s, rule, problem.cov_diagonal), n - first)
