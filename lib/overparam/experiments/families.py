"""Chapter 1's headline comparison across the problem families: is the Hessian-pruned large model
still the best pruned model, and does it still beat the best small model, when theta* is not
constant (random signs, Gaussian, sparse) or when the salient features have the low variance
(inverted alignment)? The closed forms answer for every family in milliseconds (they work atom by
atom on any law of theta*; tests/test_problem_families.py checks them against simulation), and a
paired simulation at k = p checks the two comparisons on the same draws. Between the two alignments,
:func:`overparam.theory.problems.rotated_problem` moves the variances continuously (a number t in
[0, 1]) with every saliency kept."""
from __future__ import annotations

import numpy as np

from overparam.experiments.linear import theory_curves
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS, LinearGaussianProblem, fig3_problem
from overparam.theory.pruning import FIT_RULES, oracle_support, restrict, select_support
from overparam.theory.risk import best_underparameterized_risk
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

FAMILIES = tuple((law, alignment) for alignment in ALIGNMENTS for law in THETA_LAWS)
RULES = FIT_RULES  # the pruning rules compared (both have closed forms)


def family_problems(p: int, s: int, spike: float, sigma: float, seed: int) -> dict[tuple[str, str], LinearGaussianProblem]:
    """Panel (b)'s problem in every family (theta* drawn once from ``seed`` where its law draws)."""
    return {(law, alignment): fig3_problem("b", p, s, spike, sigma, law, alignment, seed)
            for law, alignment in FAMILIES}


def family_theory(problem: LinearGaussianProblem, n: int, s: int, ks) -> dict:
    """The closed forms on one family member: the model size whose Hessian-pruned fit has the lowest
    risk on the grid ``ks`` (which ends at p), both pruning risks at k = p, and the best small model
    (Lemma 7: the k < n most salient features, ordered by an oracle)."""
    curves = theory_curves(problem, n, s, ks, RULES)
    small_k, small_risk = best_underparameterized_risk(problem, n)
    return {"best_k": int(np.asarray(ks)[np.nanargmin(curves["hessian"])]),
            "hessian_at_p": float(curves["hessian"][-1]), "magnitude_at_p": float(curves["magnitude"][-1]),
            "small_k": small_k, "small_risk": small_risk}


def family_simulation(problem: LinearGaussianProblem, n: int, s: int, small_k: int, trials: int, seed) -> dict:
    """Per data draw, on the same sample: the risks of the min-norm fit on all p features pruned to s
    weights by magnitude and by Hessian score, and of least squares on the ``small_k`` most salient
    features (the oracle-ordered small model); arrays of length ``trials``."""
    small = oracle_support(problem.theta_star, problem.cov_diagonal, small_k)
    risks = {name: np.empty(trials) for name in (*RULES, "small")}
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        theta = min_norm_least_squares(X, y)
        for rule in RULES:
            risks[rule][t] = problem.risk(restrict(theta, select_support(rule, theta, X, s)))
        risks["small"][t] = problem.risk(fit_on_support(X, y, small))
    return risks
