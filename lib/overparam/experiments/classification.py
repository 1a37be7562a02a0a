"""Pruning linear classifiers of sign labels (beyond the paper): does the squared-loss picture survive
cross-entropy? The simulations of chapter 13.

Labels are y = sign(x^T theta* + sigma z) on the prefix models of chapter 1. Three fits of the first
k features: min-norm least squares on the +-1 labels, logistic regression by full-batch gradient
descent from zero (vectorized over draws, in the span of the samples), and the hard-margin SVM
(for the check of the max-margin limit); the solvers are in :mod:`overparam.theory.classifiers`.
Each fit is pruned to s weights (magnitude, Hessian with scores |theta_i| sqrt(SigmaHat_ii), random)
and optionally refit on the kept support with the same loss. Every model is judged by its exact test
error arccos(c) / pi (:func:`overparam.theory.classification.classification_error`). What is
simulated comes back raw (:class:`PanelRun`, data frames of per-draw errors); the tables, claims and
figures are in :mod:`overparam.reports.classification`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from overparam.book.curve_names import SAME_SAMPLE
from overparam.theory.classification import PRUNING_RULES, classification_error, least_squares_error_prediction
from overparam.theory.classifiers import (cosine, hard_margin_svm, linearly_separable, logistic_descent,
                                          logistic_hessian_diagonal, min_norm_interpolator_is_max_margin,
                                          separation_size)
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import PRUNING, hessian_support, restrict, select_support, top_s
from overparam.theory.solvers import fit_on_support, prefix_min_norm_fits

REFIT = "+retrain"


def sign_labels(problem: LinearGaussianProblem, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n samples of the problem with labels y = sign(x^T theta* + sigma z) in {-1, +1}."""
    X, latent = problem.sample(n, rng)
    return X, np.where(latent >= 0, 1.0, -1.0)


def supports(theta: np.ndarray, X: np.ndarray, s: int, rng: np.random.Generator, rules=PRUNING_RULES) -> dict:
    """Kept indices of a model on d = len(theta) features under each rule (all d when d <= s)."""
    if theta.size <= s:  # nothing to prune (and no random draw spent)
        return {rule: np.arange(theta.size) for rule in rules}
    return {rule: select_support(rule, theta, X, s, rng=rng) for rule in rules}


def _pad(theta: np.ndarray, p: int) -> np.ndarray:
    """Models on the first k features as vectors of all p coordinates (zeros beyond k)."""
    out = np.zeros(theta.shape[:-1] + (p,))
    out[..., :theta.shape[-1]] = theta
    return out


@dataclass
class PanelRun:
    """What one panel's simulation measured: per curve an array (trials, sizes) of test errors, for
    least squares on ``ks`` and for logistic regression on ``logistic_ks``; the descent's iterations
    and convergence, and whether its stopped iterate classifies every training point (trials, logistic
    sizes); the convergence of its refits; per logistic draw the smallest k at which the training
    sample is linearly separable (a linear program); the cosine between the dense logistic fit and the
    hard-margin SVM where both were fit (NaN elsewhere: the SVM is fit on the logistic draws at every
    logistic size where the linear program finds the sample separable, its errors under "svm/<rule>");
    whether the min-norm interpolator was the max-margin classifier (trials, ks); and the error of the
    dense logistic fit pruned by the diagonal of the cross-entropy's own Hessian, |theta_i| sqrt(H_ii)
    (logistic draws x logistic sizes), kept apart from the curves; and the logistic draws' training
    samples (X: draws x n x p, y: draws x n), for later checks on the same data without redrawing it."""

    ks: list
    logistic_ks: list
    errors: dict = field(default_factory=dict)
    iterations: np.ndarray | None = None
    converged: np.ndarray | None = None
    classifies_all: np.ndarray | None = None
    separation_sizes: np.ndarray | None = None
    svm_cosine: np.ndarray | None = None
    refit_converged: np.ndarray | None = None
    interpolator_is_max_margin: np.ndarray | None = None
    cross_entropy_hessian: np.ndarray | None = None
    training: tuple | None = None

    @property
    def separable(self) -> np.ndarray:
        """Whether each logistic draw's training sample is linearly separable on k features (draws x logistic sizes)."""
        return self.separation_sizes[:, None] <= np.asarray(self.logistic_ks)[None, :]

    def draws(self, curve: str, k: int) -> np.ndarray:
        """Per-trial errors of one curve at one size."""
        grid = self.logistic_ks if on_logistic_draws(curve) else self.ks
        return self.errors[curve][:, list(grid).index(k)]


def on_logistic_draws(curve: str) -> bool:
    """Whether a curve is fit on the logistic draws and sizes (logistic regression and the SVM)."""
    return curve.startswith(("logistic/", "svm/"))


def training_samples(problem: LinearGaussianProblem, n: int, seed, trials: int, count: int) -> list:
    """The first ``count`` training samples (X, y) that :func:`simulate_panel` draws with ``trials`` and ``seed``."""
    return [sign_labels(problem, n, np.random.default_rng(child))
            for child in np.random.SeedSequence(seed).spawn(trials)[:count]]


def separation_sizes(problem: LinearGaussianProblem, n: int, seed, trials: int, count: int, max_k: int) -> np.ndarray:
    """Per training sample of the first ``count`` draws of :func:`simulate_panel`, the smallest k <= max_k
    at which it is linearly separable on its first k features (a linear program; max_k + 1 if never).
    A property of the training data alone: it can fix a size before any classifier is fit."""
    with threadpool_limits(1):
        return np.array([separation_size(X[:, :max_k], y) for X, y in training_samples(problem, n, seed, trials, count)])


def half_separable_size(sizes) -> int:
    """The smallest k at which at least half of the samples with these separation sizes are separable."""
    sizes = np.sort(np.asarray(sizes))
    return int(sizes[-(-sizes.size // 2) - 1])


def least_squares_curve_names(rules=PRUNING_RULES) -> list[str]:
    return ["ls/dense", *(f"ls/{r}" for r in rules), *(f"ls/{r}{REFIT}" for r in rules),
            *(f"ls/{r}{REFIT}{SAME_SAMPLE}" for r in rules)]


def logistic_curve_names(rules=PRUNING_RULES) -> list[str]:
    """The logistic curves: dense, pruned by each rule, and refit on the training sample after each
    rule but the random one (:func:`_scored_rules`)."""
    return ["logistic/dense", *(f"logistic/{r}" for r in rules),
            *(f"logistic/{r}{REFIT}{SAME_SAMPLE}" for r in _scored_rules(rules))]


def simulate_panel(problem: LinearGaussianProblem, n: int, s: int, ks, logistic_ks, trials: int, logistic_trials: int,
                   seed, tolerance: float, max_iterations: int, progress: bool = True, desc: str = "",
                   rules=PRUNING_RULES, refits: bool = True, svm: bool = True, separation=None) -> PanelRun:
    """Least squares, logistic regression (and the hard-margin SVM) on the first k features of the
    same data draws, pruned by each rule and refit.

    Each trial draws a training sample and a fresh one of the same size (for the least-squares refit
    that the retraining theory describes). Least squares, all ``trials`` draws: min-norm fits for every
    k in ``ks``, pruned, refit on the kept support on the fresh sample ("+retrain") and on the
    training sample ("+retrain-same-sample"). Logistic regression, on the first ``logistic_trials``
    draws and every k in ``logistic_ks``: gradient descent vectorized over the draws, pruned, refit by
    gradient descent on the kept support of the training sample. ``svm``: the hard-margin SVM, pruned,
    on the logistic draws at every logistic size where the linear program finds the sample separable
    (NaN elsewhere). ``separation``: the draws' separation sizes when already computed
    (:func:`separation_sizes`). Random supports use streams of their own, so they change no other curve.
    """
    ks, logistic_ks = [int(k) for k in ks], [int(k) for k in logistic_ks]
    if not 1 <= logistic_trials <= trials:
        raise ValueError(f"logistic_trials must lie in 1..trials = {trials}, got {logistic_trials}")
    run = PanelRun(ks, logistic_ks)
    names = least_squares_curve_names(rules) if refits else ["ls/dense", *(f"ls/{r}" for r in rules)]
    run.errors = {c: np.full((trials, len(ks)), np.nan) for c in names}
    logistic = logistic_curve_names(rules) if refits else ["logistic/dense", *(f"logistic/{r}" for r in rules)]
    run.errors |= {c: np.empty((logistic_trials, len(logistic_ks))) for c in logistic}
    if svm:
        run.errors |= {c: np.full((logistic_trials, len(logistic_ks)), np.nan)
                       for c in ["svm/dense", *(f"svm/{r}" for r in _scored_rules(rules))]}
    run.interpolator_is_max_margin = np.zeros((trials, len(ks)), dtype=bool)
    samples = []
    bar = tqdm(total=trials + len(logistic_ks), desc=desc, disable=not progress, mininterval=1.0)
    # small products: one BLAS thread is as fast, stays fast when the cores are shared, and sums in a fixed order
    with threadpool_limits(1):
        for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
            rng = np.random.default_rng(child)
            X, y = sign_labels(problem, n, rng)
            fresh = sign_labels(problem, n, rng)
            ls_rng, logistic_rng, svm_rng = (np.random.default_rng(c) for c in child.spawn(3))  # the first two as before
            samples.append((X, y, logistic_rng, svm_rng))
            for j, (k, theta) in enumerate(prefix_min_norm_fits(X, y, ks)):
                _record_least_squares(run, problem, t, j, theta, X, y, fresh if refits else None, s, rules, ls_rng)
            bar.update()
        _simulate_logistic(run, problem, samples[:logistic_trials], s, tolerance, max_iterations, bar, rules, refits,
                           svm, separation)
    bar.close()
    return run


def _record_least_squares(run, problem, t, j, theta, X, y, fresh, s, rules, rng):
    k, p = theta.size, problem.p
    run.errors["ls/dense"][t, j] = classification_error(_pad(theta, p), problem)
    run.interpolator_is_max_margin[t, j] = min_norm_interpolator_is_max_margin(X[:, :k], y)
    kept = supports(theta, X[:, :k], s, rng, rules)
    for rule in rules:
        run.errors[f"ls/{rule}"][t, j] = classification_error(_pad(restrict(theta, kept[rule]), p), problem)
        if fresh is not None:
            refit = fit_on_support(fresh[0][:, :k], fresh[1], kept[rule])
            run.errors[f"ls/{rule}{REFIT}"][t, j] = classification_error(_pad(refit, p), problem)
            same = fit_on_support(X[:, :k], y, kept[rule])
            run.errors[f"ls/{rule}{REFIT}{SAME_SAMPLE}"][t, j] = classification_error(_pad(same, p), problem)


def _simulate_logistic(run, problem, samples, s, tolerance, max_iterations, bar, rules, refits, svm, separation):
    trials, p = len(samples), problem.p
    X = np.stack([sample[0] for sample in samples])
    y = np.stack([sample[1] for sample in samples])
    run.training = (X, y)
    shape = (trials, len(run.logistic_ks))
    run.iterations, run.converged = np.empty(shape, dtype=int), np.empty(shape, dtype=bool)
    run.classifies_all = np.empty(shape, dtype=bool)
    run.svm_cosine = np.full(shape, np.nan)
    run.cross_entropy_hessian = np.empty(shape)
    run.refit_converged = np.ones(shape + (len(_scored_rules(rules)),), dtype=bool)
    run.separation_sizes = (np.asarray(separation) if separation is not None else
                            np.array([separation_size(X[t, :, :max(run.logistic_ks)], y[t]) for t in range(trials)]))
    for j, k in enumerate(run.logistic_ks):
        dense = logistic_descent(X[:, :, :k], y, tolerance, max_iterations)
        run.iterations[:, j], run.converged[:, j] = dense.iterations, dense.converged
        run.classifies_all[:, j] = dense.classifies_all
        if svm:
            _record_svm(run, problem, j, k, s, X, y, dense.theta, samples, rules)
        run.errors["logistic/dense"][:, j] = classification_error(_pad(dense.theta, p), problem)
        kept = [supports(dense.theta[t], X[t, :, :k], s, samples[t][2], rules) for t in range(trials)]
        for rule in rules:
            pruned = np.stack([restrict(dense.theta[t], kept[t][rule]) for t in range(trials)])
            run.errors[f"logistic/{rule}"][:, j] = classification_error(_pad(pruned, p), problem)
        scores = [np.abs(dense.theta[t]) * np.sqrt(logistic_hessian_diagonal(X[t, :, :k], dense.theta[t]))
                  for t in range(trials)]
        pruned = np.stack([restrict(dense.theta[t], top_s(scores[t], s)) for t in range(trials)])
        run.cross_entropy_hessian[:, j] = classification_error(_pad(pruned, p), problem)
        if refits:
            _refit_logistic(run, problem, j, k, s, X, y, dense, kept, rules, tolerance, max_iterations)
        bar.update()


def _record_svm(run, problem, j, k, s, X, y, logistic, samples, rules):
    """The hard-margin SVM of every logistic draw whose sample the linear program finds separable on
    k features, pruned by each rule (the supports drawn from a stream of its own), and its cosine with
    the dense logistic fit."""
    for t in np.flatnonzero(run.separation_sizes <= k):
        w = hard_margin_svm(X[t, :, :k], y[t])
        run.svm_cosine[t, j] = cosine(logistic[t], w)
        run.errors["svm/dense"][t, j] = classification_error(_pad(w, problem.p), problem)
        for rule, support in supports(w, X[t, :, :k], s, samples[t][3], _scored_rules(rules)).items():
            run.errors[f"svm/{rule}"][t, j] = classification_error(_pad(restrict(w, support), problem.p), problem)


def _scored_rules(rules) -> list:
    """The pruning rules the SVM is pruned by, and after which logistic regression is refit: the chapter's,
    without the random support (a control that the other fits already give; no figure, table or claim
    reads a random support's logistic refit, the costliest fit of the chapter)."""
    return [rule for rule in rules if not PRUNING[rule].random]


def _refit_logistic(run, problem, j, k, s, X, y, dense, kept, rules, tolerance, max_iterations):
    """Gradient descent from zero on each kept support of the training sample, all rules (but random:
    :func:`_scored_rules`) and draws in one batch."""
    trials, rules = len(kept), _scored_rules(rules)
    if k <= s:  # nothing was pruned: the refit is the dense fit
        refits = np.repeat(dense.theta[None], len(rules), axis=0)
        run.refit_converged[:, j] = dense.converged[:, None]
    else:
        design = np.stack([X[t][:, kept[t][rule]] for rule in rules for t in range(trials)])
        refit = logistic_descent(design, np.tile(y, (len(rules), 1)), tolerance, max_iterations)
        refits = np.zeros((len(rules), trials, k))
        for r, rule in enumerate(rules):
            for t in range(trials):
                refits[r, t, kept[t][rule]] = refit.theta[r * trials + t]
        run.refit_converged[:, j] = refit.converged.reshape(len(rules), trials).T
    for r, rule in enumerate(rules):
        refit_errors = classification_error(_pad(refits[r], problem.p), problem)
        run.errors[f"logistic/{rule}{REFIT}{SAME_SAMPLE}"][:, j] = refit_errors


def descent_stability(problem: LinearGaussianProblem, s: int, ks, training: tuple, draws: int,
                      runs: tuple) -> pd.DataFrame:
    """How much the stopped logistic iterate depends on where gradient descent stops: on the first
    ``draws`` of the ``training`` samples (X, y) a panel ran on (:attr:`PanelRun.training`), the dense and
    Hessian-pruned logistic errors after each (tolerance, max_iterations) of ``runs`` (the first is the
    chapter's), per size k; where the sample is separable also the cosine of each fit with the hard-margin
    SVM (NaN elsewhere). A run with a smaller tolerance and a larger cap than the one before it continues
    that one's descent (the same iterate as from zero, without repeating its steps)."""
    X, y = (samples[:draws] for samples in training)
    rows = []
    with threadpool_limits(1):
        for k in [int(k) for k in ks]:
            svms = [hard_margin_svm(X[t, :, :k], y[t]) if linearly_separable(X[t, :, :k], y[t]) else None
                    for t in range(draws)]
            fit, before = None, (np.inf, 0)
            for tolerance, max_iterations in runs:
                # a run with a smaller tolerance and a larger cap continues the one before it (the same iterate)
                ahead = fit if tolerance <= before[0] and max_iterations >= before[1] else None
                fit = logistic_descent(X[:, :, :k], y, tolerance, max_iterations, start=ahead)
                before = (tolerance, max_iterations)
                pruned = [restrict(theta, hessian_support(theta, X[t, :, :k], s)) if k > s else theta
                          for t, theta in enumerate(fit.theta)]
                rows.append({"k": k, "tolerance": tolerance, "max iterations": max_iterations,
                             "converged": int(fit.converged.sum()), "draws": draws,
                             "dense": classification_error(_pad(fit.theta, problem.p), problem),
                             "hessian": classification_error(_pad(np.stack(pruned), problem.p), problem),
                             "cosine with svm": np.array([cosine(theta, w) if w is not None else np.nan
                                                          for theta, w in zip(fit.theta, svms)])})
    return pd.DataFrame(rows)


def predicted_best_size(predicted: np.ndarray, sizes, candidates) -> int:
    """The size among ``candidates`` with the lowest mean of ``predicted`` (draws x ``sizes``)."""
    return min(candidates, key=lambda k: predicted[:, sizes.index(k)].mean())


def dc_best_size_check(problem, n: int, s: int, predicted: np.ndarray, sizes, draws: int, rng) -> tuple:
    """The prediction's best Hessian-pruned size other than p, chosen on ``predicted`` (draws x sizes),
    then the predicted errors at that size and at p from ``draws`` fresh draws (so that the choice
    does not bias the comparison): (k, errors at k, errors at p)."""
    sizes, p = [int(k) for k in sizes], problem.p
    best_k = predicted_best_size(predicted, sizes, (k for k in sizes if k != p))
    fresh = least_squares_error_prediction(problem, n, s, [best_k, p], draws, rng, rules=("hessian",), refits=False)
    return best_k, fresh["hessian"][:, 0], fresh["hessian"][:, 1]
