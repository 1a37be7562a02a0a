"""Chapter 1's headline comparison across the problem families: is the Hessian-pruned large model
still the best pruned model, and does it still beat the best small model, when theta* is not
constant (random signs, Gaussian, sparse) or when the salient features have the low variance
(inverted alignment)? The closed forms answer for every family in milliseconds (they work atom by
atom on any law of theta*; tests/test_problem_families.py checks them against simulation), and a
paired simulation at k = p checks the two comparisons on the same draws. Between the two alignments,
:func:`rotated_problem` moves the variances continuously (a number t in [0, 1]) with every saliency
kept."""
from __future__ import annotations

import numpy as np

from overparam.experiments.linear import theory_curves
from overparam.theory.problems import (ALIGNMENTS, THETA_LAWS, LinearGaussianProblem, fig3_problem, spiked_saliency,
                                       theta_from_law)
from overparam.theory.pruning import FIT_RULES, oracle_support, restrict, select_support
from overparam.theory.risk import best_underparameterized_risk
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

FAMILIES = tuple((law, alignment) for alignment in ALIGNMENTS for law in THETA_LAWS)
RULES = FIT_RULES  # the pruning rules compared (both have closed forms)
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
    (:func:`overparam.theory.problems.theta_from_law`). At t = 0 and t = 1 the arrays are exactly
    :func:`overparam.theory.problems.fig3_problem`'s "aligned" and "inverted" (``alignment`` takes
    those names as aliases, :func:`rotation_of`)."""
    t = rotation_of(alignment)
    saliency = spiked_saliency(p, s, spike)
    variance = saliency ** (1 - t) * (1 / saliency) ** t
    magnitude = np.full(p, 1 / np.sqrt(p)) ** (1 - t) * (saliency / np.sqrt(p)) ** t
    theta = theta_from_law(magnitude, theta_law, np.random.default_rng(seed), fraction)
    return LinearGaussianProblem(theta, variance, sigma)


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
