"""The Lasso on a diagonal linear Gaussian problem: its asymptotic (CGMT / AMP) characterization.

The fit is theta_hat = argmin_theta (1/(2n)) ||y - X theta||^2 + mu ||theta||_1, the scaling of
scikit-learn's ``Lasso(alpha=mu, fit_intercept=False)``. Rows of X are N(0, Sigma), Sigma =
diag(lambda_1..lambda_p), n and p proportional.

Derivation. With v = Sigma^{1/2} theta and X = Z Sigma^{1/2} (Z i.i.d. N(0, 1)), the fit is a weighted
Lasso with isotropic design, (1/(2n)) ||y - Z v||^2 + mu sum_i |v_i| / sqrt(lambda_i). For a
separable penalty sum_i f_i(v_i) the fixed point of approximate message passing (Bayati and
Montanari 2012) / of the CGMT (Thrampoulidis, Abbasi and Hassibi 2018) has two scalars, the noise
level tau of the effective scalar problem and a threshold scale zeta >= 1:
v_hat_i ~ prox_{zeta f_i}(v*_i + tau g), tau^2 = sigma^2 / n + (1/n) sum_i E(v_hat_i - v*_i)^2 and
1/zeta = 1 - (1/n) sum_i E prox'. Mapped back to theta (gamma = n tau^2):

    (L1) theta_hat_i ~ soft(theta*_i + sqrt(gamma / (n lambda_i)) g, kappa_i),  kappa_i = zeta mu / lambda_i,
    (L2) gamma = sigma^2 + sum_i lambda_i E(theta_hat_i - theta*_i)^2         (gamma is the test risk),
    (L3) 1 / zeta = 1 - df / n,  df = sum_i P(theta_hat_i != 0)               (df: the expected support),

with g ~ N(0, 1) and soft(x, k) = sign(x) (|x| - k)_+. Equivalently coordinate i solves the scalar Lasso
argmin_t (lambda_i / (2 zeta)) (t - theta*_i - sqrt(gamma / (n lambda_i)) g)^2 + mu |t|. For the quadratic
penalty the same equations give the ridge DC of :mod:`overparam.theory.ridge` (its tau is zeta mu).

Solver: for fixed gamma, (L3) has one root zeta(gamma) >= 1 (its two sides are monotone in zeta);
(L2) is then a 1-D root in log gamma, bracketed between gamma -> 0 (where the bias of soft(theta*,
kappa) exceeds gamma) and large gamma. Both regimes p < n and p > n work for mu > 0, and so does
sigma = 0 (where the Bayati-Montanari parametrization by alpha = zeta mu sqrt(n / gamma) degenerates).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import ndtr

from overparam.theory.dc import atoms, diagonal_dc
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import score_scale

_PDF = 1 / np.sqrt(2 * np.pi)


def _pdf(x):
    return _PDF * np.exp(-0.5 * x * x)


def soft_threshold(x, kappa):
    """soft(x, kappa) = sign(x) max(|x| - kappa, 0): the proximal map of kappa |.|."""
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.maximum(np.abs(x) - kappa, 0.0)


def soft_keep_probability(mean, sd, cut):
    """P(|X| > cut) for X ~ N(mean, sd^2): the chance that soft(X, kappa) survives a cut >= kappa."""
    sd = np.maximum(sd, 1e-300)
    return ndtr((mean - cut) / sd) + ndtr((-mean - cut) / sd)


def soft_sq_error(mean, sd, kappa, cut=None):
    """E[(soft(X, kappa) 1{|X| > cut} - mean)^2] for X = mean + sd g, g ~ N(0, 1), cut >= kappa.

    ``cut`` = kappa (the default) is the error of the Lasso coordinate itself (eq. L2); a larger cut
    zeroes the coordinates that pruning removes. With b = (cut - mean)/sd and a = (-cut - mean)/sd:
    above b the error is (sd g - kappa)^2, below a it is (sd g + kappa)^2, in between mean^2, and
    E[g^2; g > b] = Q(b) + b phi(b), E[g; g > b] = phi(b) (and their mirror images below a).
    """
    mean, sd, kappa = (np.asarray(v, dtype=float) for v in (mean, sd, kappa))
    cut = kappa if cut is None else np.asarray(cut, dtype=float)
    sd = np.maximum(sd, 1e-300)
    b, a = (cut - mean) / sd, (-cut - mean) / sd
    pb, pa, qb, qa = _pdf(b), _pdf(a), ndtr(-b), ndtr(a)
    upper = sd**2 * (qb + b * pb) - 2 * sd * kappa * pb + kappa**2 * qb
    lower = sd**2 * (qa - a * pa) - 2 * sd * kappa * pa + kappa**2 * qa
    return upper + lower + mean**2 * (1 - qb - qa)


def solve_zeta(gamma, mu, lam, theta, n, weights=None) -> float:
    """The root zeta >= 1 of (L3) for a fixed gamma: 1/zeta - 1 + df(zeta)/n = 0, df(zeta) =
    sum_i w_i P(|theta*_i + sqrt(gamma / (n lambda_i)) g| > zeta mu / lambda_i).

    Both terms decrease in zeta, from >= 0 at zeta = 1 to -1 as zeta grows, so the root is unique.
    """
    lam, theta = np.asarray(lam, dtype=float), np.asarray(theta, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    sd = np.sqrt(gamma / (n * lam))

    def excess(log_zeta):
        zeta = np.exp(log_zeta)
        return 1 / zeta - 1 + np.sum(w * soft_keep_probability(theta, sd, zeta * mu / lam)) / n

    if excess(0.0) <= 0:
        return 1.0
    hi = 1.0
    while excess(hi) > 0:
        hi *= 2
    return float(np.exp(brentq(excess, 0.0, hi, xtol=1e-14, rtol=1e-13)))


@dataclass(frozen=True)
class LassoLaw:
    """The fixed point (L1)-(L3) on the atoms (lambda_j, theta*_j) with multiplicities w_j.

    Coordinate j: theta_hat ~ soft(theta*_j + sd_j g, kappa_j), sd_j = sqrt(gamma / (n lambda_j)),
    kappa_j = zeta mu / lambda_j. ``risk`` = gamma (eq. L2), ``df`` the expected number of non-zeros
    (eq. L3), tau = sqrt(gamma / n) the noise level of the effective problem in v = Sigma^{1/2} theta.
    """

    lam: np.ndarray
    theta: np.ndarray
    w: np.ndarray
    n: int
    mu: float
    sigma2: float
    gamma: float
    zeta: float

    @property
    def risk(self) -> float:
        """Predicted test risk sigma^2 + E (theta_hat - theta*)^T Sigma (theta_hat - theta*) = gamma."""
        return self.gamma

    @property
    def tau(self) -> float:
        """Noise level of the effective scalar problem in v = Sigma^{1/2} theta: sqrt(gamma / n)."""
        return float(np.sqrt(self.gamma / self.n))

    @property
    def sd(self) -> np.ndarray:
        """Per-atom noise sd of the effective observation theta*_j + sd_j g: tau / sqrt(lambda_j)."""
        return np.sqrt(self.gamma / (self.n * self.lam))

    @property
    def kappa(self) -> np.ndarray:
        """Per-atom threshold zeta mu / lambda_j (eq. L1)."""
        return self.zeta * self.mu / self.lam

    @property
    def nonzero_probability(self) -> np.ndarray:
        """Per-atom P(theta_hat_j != 0) = P(|theta*_j + sd_j g| > kappa_j)."""
        return soft_keep_probability(self.theta, self.sd, self.kappa)

    @property
    def df(self) -> float:
        """Predicted expected number of non-zeros of the Lasso fit, n (1 - 1/zeta) (eq. L3)."""
        return float(np.sum(self.w * self.nonzero_probability))

    def sample(self, rng: np.random.Generator, size: int = 1) -> np.ndarray:
        """Draws of theta_hat on the atoms (shape size x atoms) from the scalar law (L1)."""
        noise = rng.standard_normal((size, self.lam.size))
        return soft_threshold(self.theta + self.sd * noise, self.kappa)


def lasso_fixed_point(lam, theta, sigma2, n, mu, weights=None) -> LassoLaw:
    """Solve (L1)-(L3) for mu > 0 on a diagonal spectrum (atoms ``lam``, ``theta``, multiplicities ``weights``).

    Root in log gamma of R(gamma) = gamma - sigma^2 - sum_i w_i lambda_i E(theta_hat_i - theta*_i)^2 (L2),
    with zeta = zeta(gamma) from (L3) (:func:`solve_zeta`). R < 0 as gamma -> 0 (the error of
    soft(theta*, kappa) remains) and R > 0 for large gamma, in both regimes p < n and p > n.
    """
    if mu <= 0:
        raise ValueError(f"mu must be > 0, got {mu}")
    lam, theta = np.asarray(lam, dtype=float), np.asarray(theta, dtype=float)
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=float)
    if np.any(lam <= 0):
        raise ValueError("every Sigma_ii must be > 0")
    null = sigma2 + float(np.sum(w * lam * theta**2))  # the risk of theta_hat = 0
    if null == 0:
        return LassoLaw(lam, theta, w, n, float(mu), float(sigma2), 0.0, 1.0)

    def residual(log_gamma):
        gamma = np.exp(log_gamma)
        zeta = solve_zeta(gamma, mu, lam, theta, n, w)
        sd = np.sqrt(gamma / (n * lam))
        return gamma - sigma2 - np.sum(w * lam * soft_sq_error(theta, sd, zeta * mu / lam))

    lo = hi = np.log(null)
    while residual(hi) <= 0:
        hi += 2.0
    while residual(lo) >= 0:
        lo -= 4.0
        if lo < np.log(null) - 1400:
            raise RuntimeError("no root of the Lasso fixed point above gamma = 0")
    gamma = float(np.exp(brentq(residual, lo, hi, xtol=1e-13, rtol=1e-12)))
    return LassoLaw(lam, theta, w, n, float(mu), float(sigma2), gamma, solve_zeta(gamma, mu, lam, theta, n, w))


def lasso_law(problem: LinearGaussianProblem, n: int, mu: float) -> LassoLaw:
    """:func:`lasso_fixed_point` on the atoms of a diagonal ``problem`` (:func:`overparam.theory.dc.atoms`)."""
    lam, theta, counts = atoms(problem)
    return lasso_fixed_point(lam, theta, problem.sigma**2, n, mu, counts)


def lasso_risk(problem: LinearGaussianProblem, n: int, mu: float) -> float:
    """Predicted test risk of the Lasso fit, E(theta_hat - theta*)^T Sigma (theta_hat - theta*) + sigma^2 (eq. L2)."""
    return lasso_law(problem, n, mu).risk


def lasso_support_size(problem: LinearGaussianProblem, n: int, mu: float) -> float:
    """Predicted expected number of non-zero weights of the Lasso fit, df = n (1 - 1/zeta) (eq. L3)."""
    return lasso_law(problem, n, mu).df


def pruning_cut(law: LassoLaw, s: float, rule: str) -> np.ndarray:
    """Per-atom cut on |theta*_j + sd_j g| that keeps s weights of the Lasso fit in expectation.

    The score is |theta_hat_i| (magnitude) or sqrt(lambda_i) |theta_hat_i| (Hessian, with the population
    Sigma_ii as in :mod:`overparam.theory.risk`); since
    |soft(x, kappa)| >= t iff |x| >= kappa + t, a score threshold t keeps atom j when
    |x| > kappa_j + t / scale_j, and t solves sum_j w_j P(kept_j) = s (as t* / t_H in
    :mod:`overparam.theory.risk`). When s >= df nothing is pruned: the cut is kappa.
    """
    scale = score_scale(rule, law.lam)
    sd, kappa = law.sd, law.kappa
    if s >= law.df:
        return kappa

    def excess(t):
        return np.sum(law.w * soft_keep_probability(law.theta, sd, kappa + t / scale)) - s

    hi = float(np.max(scale * (np.abs(law.theta) + 40 * sd))) + 1e-300
    t = brentq(excess, 0.0, hi, xtol=1e-15, rtol=1e-13)
    return kappa + t / scale


def lasso_pruned_risk(law: LassoLaw, s: float, rule: str) -> float:
    """Predicted risk after pruning the Lasso fit to its s largest scores (magnitude or Hessian):

    sigma^2 + sum_j w_j lambda_j E[(soft(x_j, kappa_j) 1{|x_j| > cut_j} - theta*_j)^2], x_j = theta*_j + sd_j g,
    with the cut of :func:`pruning_cut`; equal to the Lasso risk when s >= df.
    """
    cut = pruning_cut(law, s, rule)
    return float(law.sigma2 + np.sum(law.w * law.lam * soft_sq_error(law.theta, law.sd, law.kappa, cut)))


def lasso_kept_probability(law: LassoLaw, s: float, rule: str) -> np.ndarray:
    """Per-atom probability that a weight survives pruning the Lasso fit to s (magnitude or Hessian)."""
    return soft_keep_probability(law.theta, law.sd, pruning_cut(law, s, rule))


def mu_scale(problem: LinearGaussianProblem, n: int) -> float:
    """A natural scale of mu: sqrt((sigma^2 + theta*^T Sigma theta*) max_i Sigma_ii / n).

    At 5-10 times this value the predicted fit is zero (df < 0.5 in the book's problems); the
    risk-optimal mu lies below it.
    """
    lam = problem.cov_diagonal
    total = problem.sigma**2 + float(np.sum(lam * problem.theta_star**2))
    return float(np.sqrt(total * lam.max() / n))


def optimal_mu(problem: LinearGaussianProblem, n: int, bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """The mu minimizing the predicted Lasso risk (eq. L2) and that risk: bounded scalar search on log mu.

    ``bounds`` default to (1e-4, 10) times :func:`mu_scale`.
    """
    lam, theta, counts = atoms(problem)
    lo, hi = bounds if bounds is not None else (1e-4 * mu_scale(problem, n), 10 * mu_scale(problem, n))

    def risk(log_mu):
        return lasso_fixed_point(lam, theta, problem.sigma**2, n, float(np.exp(log_mu)), counts).risk

    result = minimize_scalar(risk, bounds=(np.log(lo), np.log(hi)), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x)), float(result.fun)


LASSO_CURVES = ("dense", "magnitude", "hessian", "magnitude+retrain", "hessian+retrain", "support", "support+retrain")


def lasso_refit_risk(law: LassoLaw, keep: np.ndarray) -> float:
    """Risk of a least-squares refit, on a fresh sample of n, of the coordinates kept with probability
    ``keep`` per atom (the retraining DC, Def. 5, as for the min-norm and ridge fits in
    :mod:`overparam.theory.risk`): the dropped coordinates turn into noise
    sigma^2 + sum_j w_j (1 - keep_j) lambda_j theta*_j^2, and the refit has the DC of least squares on
    the expected kept counts w_j keep_j."""
    noise = law.sigma2 + float(np.sum(law.w * (1 - keep) * law.lam * law.theta**2))
    return float(diagonal_dc(law.lam, law.theta, noise, law.n, law.w * keep).risk)


def lasso_pipeline_risk(law: LassoLaw, s: float, curve: str) -> float:
    """Predicted risk of the Lasso fit ``law`` followed by ``curve`` (:data:`LASSO_CURVES`): the fit
    itself (``dense``) or its own support (``support``: no pruning, the fit has df weights), magnitude or
    Hessian pruning to s weights (:func:`lasso_pruned_risk`), and either rule or the fit's own support
    followed by a least-squares refit on a fresh sample (:func:`lasso_refit_risk`)."""
    if curve in ("dense", "support"):
        return law.risk
    rule, _, retrain = curve.partition("+")
    if not retrain:
        return lasso_pruned_risk(law, s, rule)
    keep = law.nonzero_probability if rule == "support" else lasso_kept_probability(law, s, rule)
    return lasso_refit_risk(law, keep)


def mu_for_support_size(problem: LinearGaussianProblem, n: int, size: float) -> float:
    """The mu whose predicted number of non-zeros df (eq. L3) is ``size``: a root in log mu (df falls
    from min(p, n) toward 0 as mu grows); the Lasso's own support at this mu is a pruning rule to
    about ``size`` weights."""
    scale = mu_scale(problem, n)
    if not 0 < size < min(problem.p, n):
        raise ValueError(f"a support size must be in (0, min(p, n)), got {size}")
    log_mu = brentq(lambda v: lasso_support_size(problem, n, float(np.exp(v))) - size,
                    np.log(1e-6 * scale), np.log(20 * scale), xtol=1e-6)
    return float(np.exp(log_mu))
