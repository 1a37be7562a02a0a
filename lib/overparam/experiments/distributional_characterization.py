"""The simulations of the distributional characterization (DC) of the min-norm fit (chapter 2).

The DC law (Def. 3 and Def. 4 of the paper, Thm. 1 above and Thm. 3 below the interpolation point)
predicts the empirical law of the scaled coordinates sqrt(p) theta_hat_i and the dense risk gamma.
This module draws them: pooled coordinates of a few fits, the Wasserstein-2 distance to the law as
p grows, and the isotropic risk, with the closed forms (gamma, Hastie et al.) they are set against.
The comparisons, figures and claims are in :mod:`overparam.reports.distributional_characterization`.
"""
from __future__ import annotations

import numpy as np

from overparam import seeds
from overparam.book.curves import style_of
from overparam.book.stats import wasserstein2_to_law
from overparam.experiments.montecarlo import min_norm_draws
from overparam.theory.dc import scaled_law
from overparam.theory.problems import LinearGaussianProblem, fig3_problem
from overparam.theory.risk import dense_risk

ISO_KAPPAS = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.2, 1.4, 1.7, 2, 2.5, 3, 4, 5])
W2_CURVES = {"dense": "min-norm fit", "dc-law": style_of("dc-law")["label"]}


def design_memory(values: dict) -> tuple[float, str]:
    """Rough memory of the chapter's largest fit, for ``check_parameters(memory=...)``: the n x p
    design of the density study (n = p / kappa_under), of the largest W2 size (n = p / kappa_over)
    or of the isotropic study (p up to 5 iso_n), with its Gram matrix and factor (4 such arrays)."""
    largest = max(values["p"] ** 2 / values["kappa_under"], max(values["w2_sizes"]) ** 2 / values["kappa_over"],
                  5 * values["iso_n"] ** 2)
    return 8 * 4 * largest, (f"p={values['p']}, w2_sizes up to {max(values['w2_sizes'])} and iso_n={values['iso_n']} "
                             "(the n x p design of the largest fit, its Gram matrix and factor)")


def two_level_problem(p: int, spike: float, sigma: float) -> LinearGaussianProblem:
    """The two-level spectrum of Fig. 3(b): the first 10% of the features have variance ``spike``,
    the rest 1, and theta*_i = 1/sqrt(p)."""
    return fig3_problem("b", p, max(1, p // 10), spike, sigma)


def scaled_draws(problem: LinearGaussianProblem, n: int, trials: int, seed, progress: bool = False,
                 desc: str = "") -> np.ndarray:
    """sqrt(p) theta_hat_i of the min-norm fit (eq. 3), pooled over all coordinates of ``trials`` draws."""
    thetas, _ = min_norm_draws(problem, n, trials, seed=seed, progress=progress, desc=desc)
    return np.sqrt(problem.p) * thetas.ravel()


def w2_study(problem_of_size, sizes, kappa: float, trials: int, seed: int,
             progress: bool = False) -> dict[str, np.ndarray]:
    """W2 distance to the DC law (Thm. 1 is convergence in W2) of the law of sqrt(p) theta_hat_i from
    one data draw ("dense") and of p i.i.d. draws from the law itself ("dc-law"), for each p in
    ``sizes`` at n = p / kappa: arrays of shape (len(sizes), trials)."""
    w2 = {curve: np.empty((len(sizes), trials)) for curve in W2_CURVES}
    for a, size in enumerate(sizes):
        problem, n = problem_of_size(size), round(size / kappa)
        law = scaled_law(problem, n)
        fits_seed = seeds.key(seed, "distributional-characterization/w2-fits", a)
        thetas, _ = min_norm_draws(problem, n, trials, seed=fits_seed, progress=progress, desc=f"W2, p = {size}")
        rng = seeds.rng(seed, "distributional-characterization/w2-law", a)
        for t in range(trials):
            w2["dense"][a, t] = wasserstein2_to_law(np.sqrt(size) * thetas[t], law.quantile)
            w2["dc-law"][a, t] = wasserstein2_to_law(law.sample(size, rng), law.quantile)
    return w2


def hastie_risk(kappa, sigma: float) -> np.ndarray:
    """Isotropic limiting risk of ridgeless least squares with ||theta*|| = 1 (Hastie et al. 2022):
    sigma^2 kappa / (kappa - 1) + 1 - 1/kappa above the interpolation point, sigma^2 / (1 - kappa) below."""
    kappa = np.asarray(kappa, dtype=float)
    return np.where(kappa > 1, sigma**2 * kappa / (kappa - 1) + 1 - 1 / kappa, sigma**2 / (1 - kappa))


def isotropic_gamma(p: int, n: int, sigma: float) -> float:
    """The DC's dense risk gamma (Def. 4; exact sigma^2 (n-1)/(n-p-1) below p = n) for Sigma = I and
    ||theta*|| = 1 spread evenly over the coordinates."""
    return dense_risk(LinearGaussianProblem(np.full(p, 1 / np.sqrt(p)), np.ones(p), sigma), n)


def isotropic_sizes(n: int, kappas=ISO_KAPPAS, min_gap: int = 3) -> np.ndarray:
    """Numbers of features p = kappa n, leaving out those within ``min_gap`` of n (infinite risk)."""
    sizes = np.unique(np.round(np.asarray(kappas) * n).astype(int))
    return sizes[np.abs(sizes - n) >= min_gap]


def isotropic_problem(size: int, sigma: float, seed: int, largest: int | None = None) -> LinearGaussianProblem:
    """The isotropic risk check's problem with ``size`` features: Sigma = I and theta* the first ``size``
    coordinates of one standard normal direction of length ``largest`` (default ``size``; drawn from
    ``seed``), rescaled to norm 1, so every size of the check shares its leading coordinates."""
    direction_rng = seeds.rng(seed, "distributional-characterization/isotropic-direction")
    direction = direction_rng.standard_normal(largest or size)[:size]
    return LinearGaussianProblem(direction / np.linalg.norm(direction), np.ones(size), sigma)


def isotropic_simulation(sizes, n: int, sigma: float, trials: int, seed: int,
                         progress: bool = False) -> list[np.ndarray]:
    """Test risk of the min-norm fit for Sigma = I and one random theta* of norm 1 (its first p
    coordinates for each p, :func:`isotropic_problem`), ``trials`` draws per size."""
    risks = []
    for a, size in enumerate(sizes):
        problem = isotropic_problem(int(size), sigma, seed, int(max(sizes)))
        fits_seed = seeds.key(seed, "distributional-characterization/isotropic-fits", a)
        thetas, _ = min_norm_draws(problem, n, trials, seed=fits_seed, progress=progress,
                                   desc=f"isotropic, p = {size}")
        risks.append(problem.risk(thetas))
    return risks
