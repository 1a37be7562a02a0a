"""The simulations of chapter 3: magnitude, Hessian and oracle pruning of one overparameterized
min-norm fit, closed-form risk (Cor. 1 of the paper, eqs. 61-65) and simulation over the kept
budget s, the two-level families where the Hessian rule beats or loses to the magnitude rule, and
the best small model of Lemma 7 against a pruned large one. The tables, figures and claims are in
:mod:`overparam.reports.pruning_risk`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from overparam import seeds
from overparam.experiments.montecarlo import min_norm_draws, pruning_risk_by_budget
from overparam.theory.problems import LinearGaussianProblem, fig3_problem
from overparam.theory.pruning import FIT_RULES, PRUNING
from overparam.theory.risk import FitLaw, best_underparameterized_risk, dense_risk
from overparam.theory.solvers import fit_on_support

# The pruning rules the chapter compares: those that rank the fit (FIT_RULES: magnitude and Hessian,
# with closed-form thresholds) and the oracle.
COMPARED_RULES = (*FIT_RULES, "oracle")
FAMILIES = ("aligned", "opposed")  # the two-level families of spread_family


def budget_grid(p: int, low: float = 0.02, num: int = 24) -> np.ndarray:
    """Numbers of kept weights s, log-spaced from ``low`` p to p."""
    return np.unique(np.round(np.geomspace(low, 1.0, num) * p).astype(int))


def rule_risk(problem: LinearGaussianProblem, n: int, s: int, rule: str) -> float:
    """Closed-form risk of keeping s weights by the pruning ``rule`` (Cor. 1; the oracle by eq. 65)."""
    law = FitLaw(problem, n)
    return law.oracle(int(s)) if PRUNING[rule].oracle else law.pruned(int(s), rule)


def theory_by_budget(problem: LinearGaussianProblem, n: int, budgets, rules=COMPARED_RULES) -> dict[str, list[float]]:
    """Closed-form risk of each pruning rule at each budget s."""
    return {rule: [rule_risk(problem, n, s, rule) for s in budgets] for rule in rules}


def simulate_by_budget(problem: LinearGaussianProblem, n: int, budgets, trials: int, seed,
                       progress: bool = False, desc: str = "") -> dict[str, np.ndarray]:
    """Simulated risk of each compared rule at each budget: arrays of shape (trials, len(budgets)).

    Magnitude keeps the largest |theta_hat_i|, Hessian the largest |theta_hat_i| sqrt(Sigma_hat_ii)
    of the sample (the registry's scores), the oracle the largest saliencies lambda_i theta*_i^2 (eq. 4).
    """
    thetas, hessians = min_norm_draws(problem, n, trials, seed=seed, progress=progress, desc=desc)
    saliency = problem.cov * problem.theta_star**2
    scores = {rule: PRUNING[rule].score(thetas, hessians) for rule in FIT_RULES}
    scores["oracle"] = np.broadcast_to(saliency, thetas.shape)
    return {rule: np.array([pruning_risk_by_budget(problem, theta, score, budgets)
                            for theta, score in zip(thetas, scores[rule])])
            for rule in COMPARED_RULES}


def two_level_family(p: int, spike: float, sigma: float, theta_law: str = "constant", alignment: str = "aligned",
                     seed: int = 0) -> LinearGaussianProblem:
    """The chapter's two-level problem in its family: Fig. 3(b)'s spectrum (the first p/10 features
    salient by ``spike``) with theta* drawn once from ``seed`` by ``theta_law`` and the variance aligned
    with or inverted against the saliency (:func:`overparam.theory.problems.fig3_problem`); the
    defaults are Fig. 3(b) itself, theta*_i = 1/sqrt(p)."""
    return fig3_problem("b", p, max(1, p // 10), spike, sigma, theta_law, alignment, seed)


def spread_family(kind: str, c: float, p: int, sigma: float, signal: float = 1.5) -> LinearGaussianProblem:
    """Two-level family: 10% of the features have variance c, the rest 1. ``aligned``: equal true
    weights (saliency follows variance, Fig. 3(b)); ``opposed``: theta*_i proportional to 1/lambda_i
    (saliency opposes variance). The total signal sum lambda_i theta*_i^2 is ``signal`` for every c."""
    lam = np.where(np.arange(p) < p // 10, c, 1.0)
    theta = np.ones(p) if kind == "aligned" else 1 / lam
    theta *= np.sqrt(signal / np.sum(lam * theta**2))
    return LinearGaussianProblem(theta, lam, sigma)


def spread_study(p: int, n: int, sigma: float, s: int, spreads, trials: int, seed: int, progress: bool = False,
                 points: int = 40) -> tuple[np.ndarray, dict, dict]:
    """Hessian against magnitude pruning at budget s over the variance ratio c of both families.

    Returns (fine grid of c, theory risks {family: array (2, points) for magnitude and Hessian},
    simulated paired ratios risk(Hessian)/risk(magnitude) {family: array (len(spreads), trials)})."""
    fine = np.geomspace(1, max(spreads), points)
    theory, ratios = {}, {}
    for kind in FAMILIES:
        theory[kind] = np.array([[FitLaw(spread_family(kind, c, p, sigma), n).pruned(s, rule) for c in fine]
                                 for rule in FIT_RULES])
        sims = [simulate_by_budget(spread_family(kind, c, p, sigma), n, [s], trials,
                                   seeds.key(seed, "pruning-risk/spread", j, int(kind == "aligned")), progress,
                                   f"{kind}, c = {c:g}")
                for j, c in enumerate(spreads)]
        ratios[kind] = np.array([sim["hessian"][:, 0] / sim["magnitude"][:, 0] for sim in sims])
    return fine, theory, ratios


def saliency_order(problem: LinearGaussianProblem) -> np.ndarray:
    """Feature indices by decreasing saliency lambda_i theta*_i^2 (ties to the lower index)."""
    return np.argsort(-problem.cov * problem.theta_star**2, kind="stable")


def small_model_risk(problem: LinearGaussianProblem, n: int, k: int) -> float:
    """Lemma 7: risk of the model fitted on the k most salient features alone (exact finite-n form),
    the unkept features' signal added to the noise."""
    order = saliency_order(problem)
    saliency = problem.cov * problem.theta_star**2
    return dense_risk(LinearGaussianProblem(problem.theta_star[order[:k]], problem.cov[order[:k]],
                                            np.sqrt(problem.sigma**2 + np.sum(saliency[order[k:]]))), n)


@dataclass
class SmallModelStudy:
    """Lemma 7 against pruning: theory over every k < n - 2 and simulated small models."""

    fine_k: np.ndarray
    small_theory: np.ndarray
    pruned_theory: dict[str, np.ndarray]
    best_k: int
    best_risk: float
    small_ks: np.ndarray
    small_sim: np.ndarray
    subsets: dict[str, np.ndarray]


def small_model_study(problem: LinearGaussianProblem, n: int, trials: int, seed: int, sizes: int = 22) -> SmallModelStudy:
    """The best small model (Lemma 7) against Hessian and oracle pruning of the p-feature fit.

    Simulates, on ``trials`` draws, the small model on the k most salient features for log-spaced k,
    and at the optimal size the top-k subset, the same with its least salient feature swapped for
    the most salient unkept one, and a random subset of the same size (paired over the draws)."""
    p = problem.p
    order = saliency_order(problem)
    best_k, best_risk = best_underparameterized_risk(problem, n)
    swapped = np.r_[order[:best_k - 1], order[best_k]]
    small_ks = np.unique(np.round(np.geomspace(1, n - 5, sizes)).astype(int))
    small_sim = np.empty((trials, small_ks.size))
    subsets = {name: np.empty(trials) for name in ["top", "swap", "random"]}
    for t, child in enumerate(seeds.stream(seed, "pruning-risk/subsets").spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        for j, k in enumerate(small_ks):
            small_sim[t, j] = problem.risk(fit_on_support(X, y, order[:k]))
        for name, subset in {"top": order[:best_k], "swap": swapped, "random": rng.choice(p, best_k, replace=False)}.items():
            subsets[name][t] = problem.risk(fit_on_support(X, y, subset))
    fine_k = np.arange(1, n - 2)
    return SmallModelStudy(fine_k, np.array([small_model_risk(problem, n, int(k)) for k in fine_k]),
                           {rule: np.array([rule_risk(problem, n, k, rule) for k in fine_k])
                            for rule in ["hessian", "oracle"]},
                           best_k, best_risk, small_ks, small_sim, subsets)
