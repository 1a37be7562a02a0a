"""Linear Gaussian problems (paper Def. 1) and their samplers.

An LGP(theta*, Sigma, sigma) draws x ~ N(0, Sigma) and y = x^T theta* + sigma z, z ~ N(0, 1).
``cov`` is a 1-D array for a diagonal Sigma (the common case of the paper) or a 2-D matrix.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class LinearGaussianProblem:
    """LGP(theta*, Sigma, sigma) of Def. 1; ``cov`` is diag(Sigma) (1-D) or Sigma (2-D)."""

    theta_star: np.ndarray
    cov: np.ndarray
    sigma: float

    def __post_init__(self):
        theta = np.asarray(self.theta_star, dtype=float)
        cov = np.asarray(self.cov, dtype=float)
        if theta.ndim != 1:
            raise ValueError("theta_star must be a vector")
        if cov.shape not in {(theta.size,), (theta.size, theta.size)}:
            raise ValueError(f"cov has shape {cov.shape}, expected ({theta.size},) or "
                             f"({theta.size}, {theta.size})")
        if self.sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {self.sigma}")
        object.__setattr__(self, "theta_star", theta)
        object.__setattr__(self, "cov", cov)

    @property
    def p(self) -> int:
        """Number of features."""
        return self.theta_star.size

    @property
    def is_diagonal(self) -> bool:
        """True when Sigma is stored as its diagonal."""
        return self.cov.ndim == 1

    @property
    def cov_matrix(self) -> np.ndarray:
        """Sigma as a p x p matrix."""
        return np.diag(self.cov) if self.is_diagonal else self.cov

    @property
    def cov_diagonal(self) -> np.ndarray:
        """The diagonal Sigma_ii (what Hessian pruning weighs with, in the population)."""
        return self.cov if self.is_diagonal else np.diag(self.cov).copy()

    @cached_property
    def cov_root(self) -> np.ndarray:
        """A matrix A with A A^T = Sigma, computed once per problem (for sampling)."""
        return covariance_root(self.cov_matrix)

    @cached_property
    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and eigenvectors (columns) of Sigma, computed once per problem (the DC of
        Def. 4 works in this basis)."""
        return np.linalg.eigh(self.cov_matrix)

    def risk(self, theta: np.ndarray) -> np.ndarray:
        """Test risk L(theta) = sigma^2 + (theta - theta*)^T Sigma (theta - theta*) (Sec. 1).

        ``theta`` may be a stack of models (..., p); the risk of each is returned.
        """
        err = np.asarray(theta, dtype=float) - self.theta_star
        if self.is_diagonal:
            quad = np.einsum("...i,i,...i->...", err, self.cov, err)
        else:
            quad = np.einsum("...i,ij,...j->...", err, self.cov, err)
        return self.sigma**2 + quad

    @cached_property
    def unexplained_saliency(self) -> np.ndarray:
        """For a diagonal Sigma, entry k (k = 0..p) is sum_{i > k} Sigma_ii theta*_i^2: the risk the
        first k features cannot remove (Lemma 7), one reversed cumulative sum per problem."""
        saliency = self.cov * self.theta_star**2
        return np.append(np.cumsum(saliency[::-1])[::-1], 0.0)

    def prefix_risk(self, theta_k: np.ndarray) -> np.ndarray:
        """Test risk of a model on the first k features held as a k-vector (or a stack (..., k)): the
        risk L of that model with zero weight on the other features (Sec. 1), for a diagonal Sigma
        sigma_k^2 + (theta - theta*_{1:k})^T Sigma_{1:k} (theta - theta*_{1:k}) with the sigma_k^2 of
        :meth:`prefix` (Lemma 7)."""
        theta_k = np.asarray(theta_k, dtype=float)
        k = theta_k.shape[-1]
        if not 1 <= k <= self.p:
            raise ValueError(f"a prefix model has 1..{self.p} weights, got {k}")
        if not self.is_diagonal:  # the kept features carry the others' signal: L on the full vector
            return self.risk(np.concatenate([theta_k, np.zeros(theta_k.shape[:-1] + (self.p - k,))], axis=-1))
        err = theta_k - self.theta_star[:k]
        quad = np.einsum("...i,i,...i->...", err, self.cov[:k], err)
        return self.sigma**2 + self.unexplained_saliency[k] + quad

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw n i.i.d. pairs: X (n x p) with rows N(0, Sigma), y = X theta* + sigma z."""
        z = rng.standard_normal((n, self.p))
        if self.is_diagonal:
            X = z * np.sqrt(self.cov)
        else:
            X = z @ self.cov_root.T
        y = X @ self.theta_star + self.sigma * rng.standard_normal(n)
        return X, y

    def prefix(self, k: int) -> "LinearGaussianProblem":
        """The problem seen by a model that uses only the first k features (Lemma 7, Sec. 8).

        For a diagonal Sigma the missing features are independent of the kept ones, so they act
        as extra noise: sigma_k^2 = sigma^2 + sum_{i > k} Sigma_ii theta*_i^2 (:attr:`unexplained_saliency`,
        the same sum :meth:`prefix_risk` adds).
        """
        if not self.is_diagonal:
            raise ValueError("prefix problems are defined here for a diagonal covariance only")
        if not 1 <= k <= self.p:
            raise ValueError(f"k must be in 1..{self.p}, got {k}")
        return LinearGaussianProblem(self.theta_star[:k], self.cov[:k],
                                     float(np.sqrt(self.sigma**2 + self.unexplained_saliency[k])))


def restrict_problem(problem: LinearGaussianProblem, support: np.ndarray) -> LinearGaussianProblem:
    """The LGP seen by a model that uses only the features in ``support`` (Def. 5, any Sigma).

    theta*_D = Sigma_DD^{-1} (Sigma theta*)_D is the best linear predictor from those features and
    sigma_D^2 = sigma^2 + theta*^T Sigma theta* - theta*_D^T Sigma_DD theta*_D the error it cannot remove.
    """
    support = np.asarray(support)
    if problem.is_diagonal:
        kept = np.zeros(problem.p, dtype=bool)
        kept[support] = True
        missing = float(np.sum(problem.cov[~kept] * problem.theta_star[~kept] ** 2))
        return LinearGaussianProblem(problem.theta_star[support], problem.cov[support],
                                     float(np.sqrt(problem.sigma**2 + missing)))
    cov = problem.cov
    sub_cov = cov[np.ix_(support, support)]
    sub_theta = np.linalg.solve(sub_cov, (cov @ problem.theta_star)[support])
    explained = problem.theta_star @ cov @ problem.theta_star - sub_theta @ sub_cov @ sub_theta
    return LinearGaussianProblem(sub_theta, sub_cov, float(np.sqrt(problem.sigma**2 + max(explained, 0.0))))


def covariance_root(cov: np.ndarray) -> np.ndarray:
    """A matrix A with A A^T = cov (Cholesky, or a symmetric root when cov is singular)."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(cov)
        return v * np.sqrt(np.clip(w, 0.0, None))


def spiked_saliency(p: int, s: int, spike: float) -> np.ndarray:
    """The saliency vector of Fig. 3: the first s entries equal ``spike``, the others 1."""
    saliency = np.ones(p)
    saliency[:s] = spike
    return saliency


THETA_LAWS = ("constant", "random-sign", "gaussian", "sparse")
ALIGNMENTS = ("aligned", "inverted")


def theta_from_law(magnitude: np.ndarray, law: str, rng: np.random.Generator, fraction: float = 0.1) -> np.ndarray:
    """A theta* drawn once from its law, each coordinate's mean square kept at ``magnitude_i^2`` (so
    every saliency Sigma_ii theta*_i^2 keeps its expected value):

    - ``constant``: theta*_i = magnitude_i (no draw);
    - ``random-sign``: +-magnitude_i with independent fair signs (same |theta*_i|);
    - ``gaussian``: magnitude_i g_i with g_i ~ N(0, 1) independent;
    - ``sparse``: magnitude_i / sqrt(fraction) on a random ``fraction`` of the coordinates (at least
      one), 0 elsewhere.
    """
    magnitude = np.asarray(magnitude, dtype=float)
    if law == "constant":
        return magnitude.copy()
    if law == "random-sign":
        return magnitude * rng.choice([-1.0, 1.0], size=magnitude.size)
    if law == "gaussian":
        return magnitude * rng.standard_normal(magnitude.size)
    if law == "sparse":
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction}")
        nonzero = rng.permutation(magnitude.size)[:max(1, round(fraction * magnitude.size))]
        theta = np.zeros_like(magnitude)
        theta[nonzero] = magnitude[nonzero] / np.sqrt(fraction)
        return theta
    raise ValueError(f"theta_law must be one of {list(THETA_LAWS)}, got {law!r}")


def fig3_problem(panel: str, p: int, s: int, spike: float, sigma: float, theta_law: str = "constant",
                 alignment: str = "aligned", seed: int = 0, fraction: float = 0.1) -> LinearGaussianProblem:
    """The diagonal LGPs of Fig. 3 / Fig. 7, in finite-p scaling, and their families.

    Panel ``"a"``: Sigma = I, theta* = sqrt(saliency / p) (magnitude and Hessian pruning agree).
    Panel ``"b"``: Sigma = diag(saliency), theta* = 1 / sqrt(p) (the Hessian sees the spike).
    Either way the latent saliency Sigma_ii theta*_i^2 (eq. 4) is saliency / p, with saliency
    ``spike`` on the first s features and 1 elsewhere.

    The families (the defaults are the paper's problems): ``theta_law`` draws theta* once from
    ``seed`` around these magnitudes (:func:`theta_from_law`); ``alignment="inverted"`` (panel b)
    gives the s salient features the low variance 1/spike and theta*_i = spike/sqrt(p), so that
    every saliency is kept but the salient features are the least visible to a variance-weighted
    rule.
    """
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {list(ALIGNMENTS)}, got {alignment!r}")
    saliency = spiked_saliency(p, s, spike)
    if panel == "a":
        if alignment != "aligned":
            raise ValueError("alignment 'inverted' needs panel 'b': in panel 'a' every feature has variance 1")
        cov, magnitude = np.ones(p), np.sqrt(saliency / p)
    elif panel == "b":
        cov = saliency if alignment == "aligned" else 1 / saliency
        magnitude = np.full(p, 1 / np.sqrt(p)) if alignment == "aligned" else saliency / np.sqrt(p)
    else:
        raise ValueError(f"panel must be 'a' or 'b', got {panel!r}")
    theta = theta_from_law(magnitude, theta_law, np.random.default_rng(seed), fraction)
    return LinearGaussianProblem(theta, cov, sigma)


ALIGNMENT_ALIASES = {"aligned": 0.0, "inverted": 1.0}  # the two named alignments as rotations t


def rotation_of(alignment) -> float:
    """The rotation t in [0, 1] an ``alignment`` names: "aligned" is 0, "inverted" is 1, a number is
    itself (refused outside [0, 1])."""
    t = ALIGNMENT_ALIASES[alignment] if isinstance(alignment, str) and alignment in ALIGNMENT_ALIASES else alignment
    if isinstance(t, str) or not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"alignment must be one of {list(ALIGNMENT_ALIASES)} or a number in [0, 1], got {alignment!r}")
    return float(t)


def rotated_problem(p: int, s: int, spike: float, sigma: float, theta_law: str = "constant", alignment=0.0,
                    seed: int = 0, fraction: float = 0.1) -> LinearGaussianProblem:
    """Panel (b) of Fig. 3 with the alignment rotated continuously from aligned (t = 0) to inverted
    (t = 1), every saliency lambda_i theta*_i^2 = saliency_i / p kept at every t (eq. 4). Geometric
    interpolation of both ends, lambda_i(t) = lambda_aligned,i^(1-t) lambda_inverted,i^t with
    lambda_aligned = saliency and lambda_inverted = 1 / saliency (so lambda_i(t) = saliency_i^(1-2t)),
    and of the magnitudes, |theta*_i|(t) = (1/sqrt p)^(1-t) (saliency_i / sqrt p)^t, the rescaling that
    keeps lambda_i theta*_i^2; theta* is then drawn from ``theta_law`` around these magnitudes
    (:func:`theta_from_law`). At t = 0 and t = 1 the arrays are exactly :func:`fig3_problem`'s
    "aligned" and "inverted" (``alignment`` takes those names as aliases, :func:`rotation_of`)."""
    t = rotation_of(alignment)
    saliency = spiked_saliency(p, s, spike)
    variance = saliency ** (1 - t) * (1 / saliency) ** t
    magnitude = np.full(p, 1 / np.sqrt(p)) ** (1 - t) * (saliency / np.sqrt(p)) ** t
    theta = theta_from_law(magnitude, theta_law, np.random.default_rng(seed), fraction)
    return LinearGaussianProblem(theta, variance, sigma)


def correlated_problem(p: int, s: int, spike: float, sigma: float, rho: float,
                       group: int | None = None) -> LinearGaussianProblem:
    """Fig. 3(b)'s problem with correlated features: Sigma = D^{1/2} ((1 - rho) I + rho G) D^{1/2},
    D = diag(spiked saliency), theta* = 1/sqrt(p). G is the all-ones matrix (``group`` None: every
    pair of features has correlation rho) or block-diagonal with blocks of ``group`` consecutive
    features (correlation rho inside a block, 0 across). rho = 0 is Fig. 3(b) at k = p."""
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be in [0, 1), got {rho} (rho = 1 is Lemma 1's rank-one problem)")
    blocks = np.zeros(p, dtype=int) if group is None else np.arange(p) // group
    root = np.sqrt(spiked_saliency(p, s, spike))
    shared = (blocks[:, None] == blocks[None, :]).astype(float)
    cov = root[:, None] * ((1 - rho) * np.eye(p) + rho * shared) * root[None, :]
    return LinearGaussianProblem(np.full(p, 1 / np.sqrt(p)), cov, sigma)


def power_law_problem(p: int, power: float, sigma: float, seed: int = 0) -> LinearGaussianProblem:
    """A continuous spectrum Sigma_ii proportional to i^-power (mean 1), theta*_i ~ N(0, 1/p) drawn once.

    A spectrum the paper does not use; its empirical law of (Lambda, B) has p distinct atoms.
    """
    cov = np.arange(1, p + 1, dtype=float) ** -power
    cov /= cov.mean()
    theta = np.random.default_rng(seed).standard_normal(p) / np.sqrt(p)
    return LinearGaussianProblem(theta, cov, sigma)
