"""Closed-form risks of pruning and retraining for a diagonal LGP (Cor. 1, eqs. 61-65; Def. 5).

Given the DC, theta_hat_i ~ N(m_i, v_i) coordinate-wise, so the risk after keeping the
coordinates whose (scaled) magnitude clears a threshold is a sum of truncated Gaussian moments:
only normal pdf/cdf and a 1-D root for the threshold, no Monte-Carlo. Coordinates with the same
(Sigma_ii, theta*_i) are grouped into atoms, so a two-level spectrum costs two terms.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from overparam.theory.dc import atoms, diagonal_dc, sample_dc
from overparam.theory.problems import LinearGaussianProblem, restrict_problem
from overparam.theory.pruning import magnitude_support, oracle_support, pruning_rule, restrict, score_scale
from overparam.theory.ridge import ridge_dc

_PDF = 1 / np.sqrt(2 * np.pi)


def _normal_pdf(x):
    return _PDF * np.exp(-0.5 * x * x)


_VAR_FLOOR = 1e-300  # a zero variance (noise-free exact recovery) is a point mass: keep it finite


def keep_probability(mean, var, tau):
    """P(|Z| >= tau) for Z ~ N(mean, var)."""
    sd = np.sqrt(np.maximum(var, _VAR_FLOOR))
    return ndtr((mean - tau) / sd) + ndtr((-mean - tau) / sd)


def thresholded_sq_error(target, mean, var, tau):
    """E[(target - Z 1{|Z| >= tau})^2] for Z ~ N(mean, var): the loss of one pruned coordinate.

    Writes Z = mean + sd U and uses the moments of U on the pruned interval (-tau, tau):
    P = Phi(b) - Phi(a), E[U 1] = phi(a) - phi(b), E[U^2 1] = P + a phi(a) - b phi(b).
    """
    var = np.maximum(var, _VAR_FLOOR)
    sd = np.sqrt(var)
    a, b = (-tau - mean) / sd, (tau - mean) / sd
    pa, pb = _normal_pdf(a), _normal_pdf(b)
    p_in = ndtr(b) - ndtr(a)
    m1 = pa - pb
    m2 = p_in + a * pa - b * pb
    bias = target - mean
    err_in = bias**2 * p_in - 2 * bias * sd * m1 + var * m2  # E[(target - Z)^2 1{pruned}]
    return target**2 * p_in + (bias**2 + var) - err_in


def _threshold(mean, var, scale, weights, s) -> float:
    """The t with sum_j w_j P(scale_j |Z_j| >= t) = s (the t* / t_H of Cor. 1)."""
    def excess(t):
        return np.sum(weights * keep_probability(mean, var, t / scale)) - s

    hi = float(np.max(scale * (np.abs(mean) + 40 * np.sqrt(var)))) + 1e-300
    return brentq(excess, 0.0, hi, xtol=1e-15, rtol=1e-13)


class FitLaw:
    """The DC law of one fit, computed once and shared by every compressor's risk (Thm. 1, Def. 4).

    Holds the problem (diagonal Sigma), the sample size n, the atoms (lambda_j, theta*_j, w_j) that
    group equal coordinates, and the DC moments of theta_hat on them. The fit is min-norm least
    squares, or ridge with regularization ``mu`` and ``penalty`` (:mod:`overparam.theory.ridge`),
    whose law has the same form. The thresholds and keep probabilities of each pruning rule are
    computed on first use and kept (:meth:`kept`).

    Near the interpolation threshold the min-norm law is exact on one side only: for p <= n it is the
    finite-n law with n - p - 1 degrees of freedom (infinite risk at p = n - 1 and p = n), for p > n the
    large-p limit of Def. 4, which is finite at p = n + 1 although the exact expected risk of least
    squares there is infinite (the inverse-Wishart moments exist only for |p - n| >= 2). Every size
    grid of the book leaves k = n - 1, n, n + 1 out (:func:`overparam.experiments.linear.k_grid`,
    :func:`overparam.reports.predict.model_sizes`, :func:`overparam.experiments.quantization_budget.budget_size`).
    """

    def __init__(self, problem: LinearGaussianProblem, n: int, mu: float = 0.0, penalty: str = "identity"):
        self.problem, self.n, self.mu, self.penalty = problem, n, mu, penalty
        self.lam, self.theta, self.w = atoms(problem)
        if mu == 0 and penalty == "identity":
            self.dc = diagonal_dc(self.lam, self.theta, problem.sigma**2, n, self.w)
        else:
            self.dc = ridge_dc(self.lam, self.theta, problem.sigma**2, n, mu, self.w, penalty)
        self._kept: dict = {}

    @property
    def finite(self) -> bool:
        """False at the interpolation threshold, where the DC variance is infinite."""
        return bool(np.isfinite(self.dc.risk))

    def kept(self, s: int, rule: str) -> tuple[np.ndarray, np.ndarray]:
        """(P(kept), threshold on |theta_hat_i|) per atom for magnitude or Hessian pruning to s.

        At the interpolation threshold the ranking of the coordinates follows the limit of the scaled
        law, theta_hat_i ~ N(0, 1 / Sigma_ii), which still gives the retrained model a finite risk.
        """
        key = (s, rule)
        if key not in self._kept:
            mean, var = (self.dc.mean, self.dc.var) if self.finite else (np.zeros_like(self.lam), 1 / self.lam)
            scale = score_scale(rule, self.lam)
            tau = _threshold(mean, var, scale, self.w, s) / scale
            self._kept[key] = (keep_probability(mean, var, tau), tau)
        return self._kept[key]

    def coordinate_mse(self) -> np.ndarray:
        """E(theta_hat_i - theta*_i)^2 per atom."""
        return (self.dc.mean - self.theta) ** 2 + self.dc.var

    def dense(self) -> float:
        """Risk of the fit itself (Thm. 1): inf at p = n - 1 and p = n, and at p = n + 1 the finite
        large-p limit where the exact expected risk is infinite (see the class)."""
        return float(self.dc.risk)

    def pruned(self, s: int, rule: str) -> float:
        """Risk after magnitude or Hessian pruning to s weights (Cor. 1: :func:`_pruned_risk`)."""
        return _pruned_risk(self, s, rule)

    def retrained(self, s: int, rule: str) -> float:
        """Risk after pruning to s weights by ``rule`` (magnitude, Hessian or random) and refitting the
        kept ones on a fresh sample (Def. 5: :func:`_retrained_risk`)."""
        return _retrained_risk(self, s, rule)

    def oracle(self, s: int) -> float:
        """Risk after keeping the s most salient coordinates (eq. 65: :func:`_oracle_risk`)."""
        return _oracle_risk(self, s)

    def random(self, s: int) -> float:
        """Risk after keeping s coordinates chosen at random (:func:`_random_risk`)."""
        return _random_risk(self, s)


def dense_risk(problem: LinearGaussianProblem, n: int) -> float:
    """Predicted risk of min-norm least squares: gamma for p > n (Thm. 1), else sigma^2 (n-1)/(n-p-1).

    Any covariance: a non-diagonal Sigma is rotated to its eigenbasis first (Def. 4).
    """
    if not problem.is_diagonal:
        eigenvalues, basis = np.linalg.eigh(problem.cov)
        return diagonal_dc(eigenvalues, basis.T @ problem.theta_star, problem.sigma**2, n).risk
    return FitLaw(problem, n).dc.risk


def pruning_threshold(problem: LinearGaussianProblem, n: int, s: int, rule: str) -> float:
    """The threshold on the pruning score that keeps s weights in expectation: t* (MP) or t_H (HP), Cor. 1.

    The score is |theta_hat_i| for magnitude and sqrt(Sigma_ii) |theta_hat_i| for Hessian pruning.
    """
    law = FitLaw(problem, n)
    _, tau = law.kept(s, rule)
    return float((tau * score_scale(rule, law.lam))[0])


def _pruned_risk(law: FitLaw, s: int, rule: str) -> float:
    """Risk of train-prune with magnitude (eq. 61-62) or Hessian (eq. 63-64) pruning to s weights.

    sigma^2 + sum_i Sigma_ii E[(theta*_i - theta_hat_i 1{score_i >= t})^2], with the threshold t
    keeping s coordinates in expectation; score = |theta_hat_i| (MP) or sqrt(Sigma_ii)|theta_hat_i| (HP).
    """
    if s >= law.problem.p:
        return law.dc.risk
    if not law.finite:
        return np.inf
    _, tau = law.kept(s, rule)
    return float(law.problem.sigma**2 + np.sum(law.w * law.lam * thresholded_sq_error(law.theta, law.dc.mean, law.dc.var, tau)))


def _oracle_risk(law: FitLaw, s: int) -> float:
    """Risk of keeping the s top-saliency coordinates of theta_hat (eq. 65; eq. 4 saliency).

    sigma^2 + sum_{i in Delta*} Sigma_ii E(theta_hat_i - theta*_i)^2 + sum_{i not in Delta*} Sigma_ii theta*_i^2.
    """
    problem = law.problem
    if s >= problem.p:
        return law.dc.risk
    if not law.finite:
        return np.inf
    lam, theta = problem.cov, problem.theta_star
    # per-atom E(theta_hat - theta*)^2, looked up for each coordinate
    atom_of = {(a, b): j for j, (a, b) in enumerate(zip(law.lam, law.theta))}
    index = np.array([atom_of[(a, b)] for a, b in zip(lam, theta)])
    mse = law.coordinate_mse()[index]
    kept = np.zeros(problem.p, dtype=bool)
    kept[oracle_support(theta, lam, s)] = True
    return float(problem.sigma**2 + np.sum(lam[kept] * mse[kept]) + np.sum(lam[~kept] * theta[~kept] ** 2))


def _random_risk(law: FitLaw, s: int) -> float:
    """Risk of keeping s coordinates chosen uniformly at random, independently of the fit.

    Each coordinate is kept with probability q = s/p, independently of theta_hat, so by linearity
    sigma^2 + sum_i Sigma_ii [q E(theta_hat_i - theta*_i)^2 + (1 - q) theta*_i^2] (the DC moments).
    """
    if s >= law.problem.p:
        return law.dc.risk
    if not law.finite:
        return np.inf
    q = s / law.problem.p
    return float(law.problem.sigma**2 + np.sum(law.w * law.lam * (q * law.coordinate_mse() + (1 - q) * law.theta**2)))


def _refit_risk(law: FitLaw, keep: np.ndarray) -> float:
    """Retraining DC (Def. 5): the kept coordinates (expected count w_j keep_j per atom) are refit on a
    fresh sample; the pruned ones become noise sigma_Delta^2 = sigma^2 + sum_{i not kept} Sigma_ii theta*_i^2."""
    noise = law.problem.sigma**2 + np.sum(law.w * (1 - keep) * law.lam * law.theta**2)
    return diagonal_dc(law.lam, law.theta, noise, law.n, law.w * keep).risk


def _retrained_risk(law: FitLaw, s: int, rule: str) -> float:
    """Risk of train-prune-retrain on a fresh sample of size n (retraining DC, Def. 5).

    The kept set Delta has s coordinates; in the diagonal case the pruned coordinates become noise
    sigma_Delta^2 = sigma^2 + sum_{i not in Delta} Sigma_ii theta*_i^2, and the refit follows the DC
    of LGP(theta*_Delta, Sigma_DeltaDelta, sigma_Delta) with s features. Each atom contributes its
    expected kept count w_j P(kept), which is exact for s < n (the risk is then
    E[sigma_Delta^2] (n - 1)/(n - s - 1) whatever Delta is) and the DC limit for s > n.
    ``rule`` "random" keeps every coordinate with probability s/p, independently of the fit.
    With s >= p nothing is pruned and the refit is least squares on every feature.
    """
    if s >= law.problem.p:
        return _refit_risk(law, np.ones_like(law.lam))
    keep = np.full_like(law.lam, s / law.problem.p) if pruning_rule(rule).random else law.kept(s, rule)[0]
    return _refit_risk(law, keep)


def best_underparameterized_risk(problem: LinearGaussianProblem, n: int) -> tuple[int, float]:
    """Lemma 7: the best model with k < n features keeps the k top-saliency features.

    Returns (k, risk) minimising sigma_k^2 (n - 1)/(n - k - 1) over k < n - 1, where sigma_k^2
    is the noise left by the p - k least salient features.
    """
    lam, theta = problem.cov_diagonal, problem.theta_star
    saliency = np.sort(lam * theta**2)[::-1]
    missing = problem.sigma**2 + np.sum(saliency) - np.concatenate([[0.0], np.cumsum(saliency)])
    ks = np.arange(1, min(problem.p, n - 2) + 1)
    risks = missing[ks] * (n - 1) / (n - ks - 1)
    j = int(np.argmin(risks))
    return int(ks[j]), float(risks[j])


def subset_estimation_error(problem: LinearGaussianProblem, n: int, k: int, subset: np.ndarray) -> float:
    """E sum_{i in subset} Sigma_ii (theta_hat_i - theta*_i)^2 for the fit on the first k features (Sec. 3.4).

    ``subset`` must lie inside the first k features. With Sigma = I this is the error of estimating
    theta*_subset by fitting the larger problem, then keeping only the subset (oracle pruning to it).
    """
    subset = np.asarray(subset)
    if subset.size and subset.max() >= k:
        raise ValueError("the subset must lie inside the first k features")
    sub = problem.prefix(k)
    dc = diagonal_dc(sub.cov, sub.theta_star, sub.sigma**2, n)
    if not np.isfinite(dc.risk):
        return np.inf
    return float(np.sum(sub.cov[subset] * ((dc.mean[subset] - sub.theta_star[subset]) ** 2 + dc.var[subset])))


def sampled_prune_retrain_risks(problem: LinearGaussianProblem, n: int, budgets, draws: int,
                                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """DC prediction for magnitude train-prune and train-prune-retrain, any Sigma (Def. 4, Def. 5).

    Draws theta from the DC Gaussian (no data matrix), keeps its s largest magnitudes, and
    evaluates L exactly (pruned) or the dense DC risk of the LGP restricted to the kept support
    (retrained on a fresh sample of size n). Returns the mean over ``draws`` for every s in
    ``budgets``, as arrays under "pruned" and "retrained".
    """
    thetas = sample_dc(problem, n, draws, rng)
    budgets = list(budgets)
    pruned, retrained = np.empty((draws, len(budgets))), np.empty((draws, len(budgets)))
    for i, theta in enumerate(thetas):
        for j, s in enumerate(budgets):
            support = magnitude_support(theta, s)
            pruned[i, j] = problem.risk(restrict(theta, support))
            retrained[i, j] = dense_risk(restrict_problem(problem, support), n)
    return {"pruned": pruned.mean(axis=0), "retrained": retrained.mean(axis=0)}
