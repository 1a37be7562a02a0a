"""Pruning linear classifiers of sign labels (beyond the paper): does the squared-loss picture survive
cross-entropy?

Labels are y = sign(x^T theta* + sigma z) on the prefix models of chapter 1. Three fits of the first
k features: min-norm least squares on the +-1 labels, logistic regression by full-batch gradient
descent from zero (vectorized over draws, in the span of the samples), and the hard-margin SVM
(for the check of the max-margin limit). Each fit is pruned to s weights (magnitude, Hessian with
scores |theta_i| sqrt(SigmaHat_ii), random) and optionally refit on the kept support with the same
loss. Every model is judged by its exact test error arccos(c) / pi
(:func:`overparam.theory.classification.classification_error`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog, minimize
from scipy.special import expit
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.book.curves import SAME_SAMPLE
from overparam.book.claims import claim
from overparam.book.claim_table import declared
from overparam.book.claim_table import tolerance as declared_tolerance
from overparam.book.verdicts import (Verdict, agreement, comparison, deterministic, equality, over_range,
                                           t_interval)
from overparam.theory.classification import PRUNING_RULES, classification_error
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import hessian_support, restrict, select_support
from overparam.theory.solvers import fit_on_support, prefix_min_norm_fits

CURVE_COLUMNS = ["panel", "curve", "source", "k", "error", "ci_low", "ci_high"]
REFIT = "+retrain"


def sign_labels(problem: LinearGaussianProblem, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n samples of the problem with labels y = sign(x^T theta* + sigma z) in {-1, +1}."""
    X, latent = problem.sample(n, rng)
    return X, np.where(latent >= 0, 1.0, -1.0)


# ---------------------------------------------------------------------------------------------
# The fits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DescentResult:
    """Gradient descent on a batch of problems: the models (batch x d), the iterations each ran,
    whether each met the tolerance, and whether the stopped iterate classifies every training point
    correctly (this says nothing about whether the sample *can* be separated: see
    :func:`linearly_separable`)."""

    theta: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    classifies_all: np.ndarray


def logistic_descent(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-3, max_iterations: int = 20000
                     ) -> DescentResult:
    """Full-batch gradient descent from zero on the mean logistic loss, for a batch of problems.

    ``X`` has shape (batch, n, d), ``y`` (batch, n) with entries +-1. The step is 1/L with
    L = lambda_max(X^T X) / (4 n), the smoothness constant of the loss. A problem stops when the
    gradient norm falls to ``tolerance`` times its value at zero, or after ``max_iterations`` steps.

    The iterates stay in the span of the samples, theta = X^T alpha, so the descent runs on the
    n x n Gram matrix K = X X^T: the scores f = X theta move by (step / n) K h with
    h = y sigmoid(-y f), and |gradient|^2 = h^T K h / n^2. One batched n x n product per step,
    whatever d is; problems that have converged leave the batch.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise ValueError(f"X must be (batch, n, d) and y (batch, n); got {X.shape} and {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("labels must be +-1")
    if not tolerance > 0 or max_iterations < 1:
        raise ValueError(f"need tolerance > 0 and max_iterations >= 1, got {tolerance} and {max_iterations}")
    batch, n, _ = X.shape
    gram = X @ X.transpose(0, 2, 1)
    step = 4 / np.linalg.eigvalsh(gram)[:, -1]  # the step 1/L on theta, divided by n: the step on alpha
    alpha, scores = np.zeros((batch, n)), np.zeros((batch, n))
    iterations, converged = np.full(batch, max_iterations), np.zeros(batch, dtype=bool)
    start = np.sqrt(np.einsum("bi,bij,bj->b", y, gram, y)) / (2 * n)
    live = np.arange(batch)
    K, labels, f, a, rate, stop = gram, y, scores.copy(), alpha.copy(), step, tolerance * start
    for it in range(max_iterations + 1):
        h = labels * expit(-labels * f)
        Kh = np.matmul(K, h[..., None])[..., 0]
        met = np.sqrt(np.maximum(np.einsum("bi,bi->b", h, Kh), 0)) / n <= stop
        done = met | (it == max_iterations)
        if done.any():
            finished = live[done]
            alpha[finished], scores[finished] = a[done], f[done]
            iterations[finished], converged[finished] = it, met[done]
            keep = ~done
            live, K, labels, f, a, h, Kh, rate, stop = (live[keep], K[keep], labels[keep], f[keep], a[keep], h[keep],
                                                        Kh[keep], rate[keep], stop[keep])
        if live.size == 0:
            break
        f, a = f + rate[:, None] * Kh, a + rate[:, None] * h
    theta = np.einsum("bnd,bn->bd", X, alpha)
    return DescentResult(theta, iterations, converged, np.all(y * scores > 0, axis=1))


def separation_margin(X: np.ndarray, y: np.ndarray) -> float:
    """The largest t such that some w with every |w_j| <= 1 has y_i x_i^T w >= t for every i, capped
    at 1: a linear program (HiGHS). Positive exactly when the sample is linearly separable through the
    origin; the box keeps the program bounded and well scaled (the plain feasibility problem
    y_i x_i^T w >= 1 has huge solutions near the threshold and the solver can stall there)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    cost = np.zeros(d + 1)
    cost[-1] = -1.0
    constraints = np.hstack([-(X * y[:, None]), np.ones((n, 1))])  # t - y_i x_i^T w <= 0
    result = linprog(cost, A_ub=constraints, b_ub=np.zeros(n), bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    if result.status != 0:
        raise RuntimeError(f"the separation LP did not solve: {result.message}")
    return float(-result.fun)


def linearly_separable(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-8) -> bool:
    """Whether some linear classifier through the origin classifies every (x_i, y_i) correctly with a
    positive margin: :func:`separation_margin` above ``tolerance`` times the largest |x_ij|."""
    return separation_margin(X, y) > tolerance * max(float(np.abs(X).max()), 1e-300)


def separation_size(X: np.ndarray, y: np.ndarray) -> int:
    """The smallest k such that the sample on the first k features of ``X`` is linearly separable
    (bisection: a separating w on k features, padded with a zero, separates on k + 1); d + 1 when
    not even all d features separate it."""
    n, d = X.shape
    high = min(n, d)  # n generic features already separate n points: start the search there
    if not linearly_separable(X[:, :high], y):
        if high == d or not linearly_separable(X, y):
            return d + 1
        low = high
        high = d
    else:
        low = 0  # not separable with `low` features (none), separable with `high`
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if linearly_separable(X[:, :mid], y) else (mid, high)
    return high


def hard_margin_svm(X: np.ndarray, y: np.ndarray, tolerance: float = 1e-8) -> np.ndarray:
    """The max-margin linear classifier without intercept: min |w| subject to y_i x_i^T w >= 1.

    Solved in the dual, max sum(a) - |X^T (a y)|^2 / 2 over a >= 0 (L-BFGS-B); w = X^T (a y). Raises
    ValueError when the sample is not linearly separable (the dual is then unbounded)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    Z = X * y[:, None]
    Q = Z @ Z.T

    def dual(a):
        Qa = Q @ a
        return 0.5 * a @ Qa - a.sum(), Qa - 1

    result = minimize(dual, np.zeros(len(y)), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(y),
                      options={"ftol": 1e-15, "gtol": tolerance, "maxiter": 100000, "maxfun": 200000})
    w = Z.T @ result.x
    margins = Z @ w
    if not np.isfinite(result.fun) or margins.min() < 1 - 1e-4:
        raise ValueError(f"the sample is not linearly separable (smallest margin {margins.min():.3g} after the solve)")
    return w


def min_norm_interpolator_is_max_margin(X: np.ndarray, y: np.ndarray) -> bool:
    """True when the min-norm interpolator X^T a, a = (X X^T)^{-1} y, of the +-1 labels is the hard-margin
    SVM: exactly when every y_i a_i > 0 (every sample a support vector). False with fewer features than
    samples (no interpolator)."""
    n, d = X.shape
    if d <= n:
        return False
    a = np.linalg.solve(X @ X.T, y)
    return bool(np.all(y * a > 0))


# ---------------------------------------------------------------------------------------------
# Pruning
# ---------------------------------------------------------------------------------------------


def supports(theta: np.ndarray, X: np.ndarray, s: int, rng: np.random.Generator, rules=PRUNING_RULES) -> dict:
    """Kept indices of a model on d = len(theta) features under each rule (all d when d <= s)."""
    if theta.size <= s:  # nothing to prune (and no random draw spent)
        return {rule: np.arange(theta.size) for rule in rules}
    return {rule: select_support(rule, theta, X, s, rng=rng) for rule in rules}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of the angle between two models (0 if either is zero)."""
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norms) if norms > 0 else 0.0


def _pad(theta: np.ndarray, p: int) -> np.ndarray:
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
    hard-margin SVM where both were fit (NaN elsewhere); and whether the min-norm interpolator was the
    max-margin classifier (trials, ks)."""

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
    svm_fits: dict = field(default_factory=dict, repr=False)

    @property
    def separable(self) -> np.ndarray:
        """Whether each logistic draw's training sample is linearly separable on k features (draws x logistic sizes)."""
        return self.separation_sizes[:, None] <= np.asarray(self.logistic_ks)[None, :]

    def draws(self, curve: str, k: int) -> np.ndarray:
        """Per-trial errors of one curve at one size."""
        grid = self.logistic_ks if curve.startswith("logistic/") else self.ks
        return self.errors[curve][:, list(grid).index(k)]


def least_squares_curve_names(rules=PRUNING_RULES) -> list[str]:
    return ["ls/dense", *(f"ls/{r}" for r in rules), *(f"ls/{r}{REFIT}" for r in rules),
            *(f"ls/{r}{REFIT}{SAME_SAMPLE}" for r in rules)]


def logistic_curve_names(rules=PRUNING_RULES) -> list[str]:
    return ["logistic/dense", *(f"logistic/{r}" for r in rules), *(f"logistic/{r}{REFIT}{SAME_SAMPLE}" for r in rules)]


def simulate_panel(problem: LinearGaussianProblem, n: int, s: int, ks, logistic_ks, trials: int, logistic_trials: int,
                   seed, tolerance: float, max_iterations: int, progress: bool = True, desc: str = "",
                   rules=PRUNING_RULES, refits: bool = True, svm: bool = False) -> PanelRun:
    """Least squares, logistic regression (and the hard-margin SVM) on the first k features of the
    same data draws, pruned by each rule and refit.

    Each trial draws a training sample and a fresh one of the same size (for the least-squares refit
    that the retraining theory describes). Least squares, all ``trials`` draws: min-norm fits for every
    k in ``ks``, pruned, refit on the kept support on the fresh sample ("+retrain") and on the
    training sample ("+retrain-same-sample"). Logistic regression, on the first ``logistic_trials``
    draws and every k in ``logistic_ks``: gradient descent vectorized over the draws, pruned, refit by
    gradient descent on the kept support of the training sample. ``svm``: the hard-margin SVM at every
    logistic size k > n (the min-norm interpolator itself when every sample is a support vector),
    pruned; NaN elsewhere. Random supports use streams of their own, so they change no other curve.
    """
    ks, logistic_ks = [int(k) for k in ks], [int(k) for k in logistic_ks]
    if not 1 <= logistic_trials <= trials:
        raise ValueError(f"logistic_trials must lie in 1..trials = {trials}, got {logistic_trials}")
    run = PanelRun(ks, logistic_ks)
    names = least_squares_curve_names(rules) if refits else ["ls/dense", *(f"ls/{r}" for r in rules)]
    run.errors = {c: np.full((trials, len(ks)), np.nan) for c in names}
    if svm:
        run.errors |= {c: np.full((trials, len(ks)), np.nan) for c in ["svm/dense", *(f"svm/{r}" for r in rules)]}
    logistic = logistic_curve_names(rules) if refits else ["logistic/dense", *(f"logistic/{r}" for r in rules)]
    run.errors |= {c: np.empty((logistic_trials, len(logistic_ks))) for c in logistic}
    run.interpolator_is_max_margin = np.zeros((trials, len(ks)), dtype=bool)
    samples = []
    bar = tqdm(total=trials + len(logistic_ks), desc=desc, disable=not progress, mininterval=1.0)
    # small products: one BLAS thread is as fast, stays fast when the cores are shared, and sums in a fixed order
    with threadpool_limits(1):
        for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
            rng = np.random.default_rng(child)
            X, y = sign_labels(problem, n, rng)
            fresh = sign_labels(problem, n, rng)
            ls_rng, logistic_rng = (np.random.default_rng(c) for c in child.spawn(2))
            samples.append((X, y, logistic_rng))
            for j, (k, theta) in enumerate(prefix_min_norm_fits(X, y, ks)):
                _record_least_squares(run, problem, t, j, theta, X, y, fresh if refits else None, s, rules, ls_rng, svm)
            bar.update()
        _simulate_logistic(run, problem, samples[:logistic_trials], s, tolerance, max_iterations, bar, rules, refits)
    bar.close()
    return run


def _record_least_squares(run, problem, t, j, theta, X, y, fresh, s, rules, rng, svm):
    k, p, n = theta.size, problem.p, X.shape[0]
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
    if svm and k > n and k in run.logistic_ks:
        w = theta if run.interpolator_is_max_margin[t, j] else hard_margin_svm(X[:, :k], y)
        run.svm_fits[t, k] = w
        run.errors["svm/dense"][t, j] = classification_error(_pad(w, p), problem)
        for rule, support in supports(w, X[:, :k], s, rng, rules).items():
            run.errors[f"svm/{rule}"][t, j] = classification_error(_pad(restrict(w, support), p), problem)


def _simulate_logistic(run, problem, samples, s, tolerance, max_iterations, bar, rules, refits):
    trials, p = len(samples), problem.p
    X = np.stack([sample[0] for sample in samples])
    y = np.stack([sample[1] for sample in samples])
    shape = (trials, len(run.logistic_ks))
    run.iterations, run.converged = np.empty(shape, dtype=int), np.empty(shape, dtype=bool)
    run.classifies_all = np.empty(shape, dtype=bool)
    run.svm_cosine = np.full(shape, np.nan)
    run.refit_converged = np.ones(shape + (len(rules),), dtype=bool)
    run.separation_sizes = np.array([separation_size(X[t, :, :max(run.logistic_ks)], y[t]) for t in range(trials)])
    for j, k in enumerate(run.logistic_ks):
        dense = logistic_descent(X[:, :, :k], y, tolerance, max_iterations)
        run.iterations[:, j], run.converged[:, j] = dense.iterations, dense.converged
        run.classifies_all[:, j] = dense.classifies_all
        for t in range(trials):
            if (t, k) in run.svm_fits:
                run.svm_cosine[t, j] = cosine(dense.theta[t], run.svm_fits[t, k])
        run.errors["logistic/dense"][:, j] = classification_error(_pad(dense.theta, p), problem)
        kept = [supports(dense.theta[t], X[t, :, :k], s, samples[t][2], rules) for t in range(trials)]
        for rule in rules:
            pruned = np.stack([restrict(dense.theta[t], kept[t][rule]) for t in range(trials)])
            run.errors[f"logistic/{rule}"][:, j] = classification_error(_pad(pruned, p), problem)
        if refits:
            _refit_logistic(run, problem, j, k, s, X, y, dense, kept, rules, tolerance, max_iterations)
        bar.update()


def _refit_logistic(run, problem, j, k, s, X, y, dense, kept, rules, tolerance, max_iterations):
    """Gradient descent from zero on each kept support of the training sample, all rules and draws in one batch."""
    trials = len(kept)
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


# ---------------------------------------------------------------------------------------------
# Tables, claims and figures
# ---------------------------------------------------------------------------------------------


def error_rows(panel: str, curve: str, source: str, k, error, ci_low=None, ci_high=None) -> pd.DataFrame:
    """One curve as tidy rows (columns CURVE_COLUMNS); the interval stays empty for theory."""
    k = np.asarray(k)
    nan = np.full(k.shape, np.nan)
    return pd.DataFrame({"panel": panel, "curve": curve, "source": source, "k": k,
                         "error": np.asarray(error, dtype=float),
                         "ci_low": nan if ci_low is None else ci_low, "ci_high": nan if ci_high is None else ci_high})


def tidy_panel(panel: str, run: PanelRun, theory: dict, theory_ks) -> pd.DataFrame:
    """Theory (the DC prediction for least squares, curves "ls/<name>") and every simulated curve of
    one panel: mean and 95% Student-t interval over the draws; sizes without draws are left out."""
    parts = [error_rows(panel, f"ls/{name}", "theory", theory_ks, values.mean(axis=0))
             for name, values in theory.items()]
    for curve, errors in run.errors.items():
        grid = np.asarray(run.logistic_ks if curve.startswith("logistic/") else run.ks)
        have = ~np.isnan(errors).any(axis=0)
        if have.any():
            parts.append(error_rows(panel, curve, "simulation", grid[have], *mean_ci(errors[:, have], student=True)))
    return pd.concat(parts, ignore_index=True)


def separation_threshold(run: PanelRun) -> int | None:
    """The smallest k at which at least half of the logistic draws' training samples are linearly
    separable (by the linear program of :func:`separation_size`, on any k, not only the logistic
    sizes); None if even all features leave more than half inseparable."""
    sizes = np.sort(run.separation_sizes)
    k = int(sizes[-(-sizes.size // 2) - 1])
    return k if k <= max(run.logistic_ks) else None


def descent_summary(runs: dict) -> pd.DataFrame:
    """Per panel and logistic size: the share of draws whose training sample is linearly separable
    (a linear program), the share whose stopped dense iterate classifies every training point, the
    median iterations of the dense fit (two significant digits), and how many dense fits and refits
    missed the tolerance (hit the iteration cap)."""
    rows = []
    for panel, run in runs.items():
        for j, k in enumerate(run.logistic_ks):
            rows.append({"panel": panel, "k": k, "separable": run.separable[:, j].mean(),
                         "iterate separates": run.classifies_all[:, j].mean(),
                         # two digits: the count stays the same on another CPU
                         "median iterations": int(float(f"{np.median(run.iterations[:, j]):.2g}")),
                         "dense not converged": int((~run.converged[:, j]).sum()),
                         "refits not converged": int((~run.refit_converged[:, j]).sum())})
    return pd.DataFrame(rows)


def max_margin_share(runs: dict) -> pd.DataFrame:
    """Per panel and size k > n: the share of draws whose min-norm interpolator is the max-margin
    classifier (every y_i a_i > 0)."""
    rows = []
    for panel, (run, n) in runs.items():
        for j, k in enumerate(run.ks):
            if k > n:
                rows.append({"panel": panel, "n": n, "k": k, "share": run.interpolator_is_max_margin[:, j].mean()})
    return pd.DataFrame(rows)


def ls_agreement_points(table: pd.DataFrame, n_of: dict, s_of: dict, window=(0.9, 1.1)) -> pd.DataFrame:
    """Every distinct simulated least-squares point beside its DC prediction (fresh-sample refits
    against the retraining prediction), away from the interpolation peak (k outside window * n); the
    pruned curves at k <= s, identical to the dense one (nothing is pruned), are left out. ``gap`` is
    the distance to the prediction relative to the prediction's distance from chance, 1/2 - error."""
    sim = table[(table.source == "simulation") & table.curve.str.startswith("ls/")
                & ~table.curve.str.endswith(SAME_SAMPLE)]
    theory = table[table.source == "theory"][["panel", "curve", "k", "error"]]
    merged = sim.merge(theory, on=["panel", "curve", "k"], suffixes=("", "_theory"))
    n, s = merged.panel.map(n_of), merged.panel.map(s_of)
    pruned_only = merged.curve.isin([f"ls/{rule}" for rule in PRUNING_RULES])
    merged = merged[((merged.k < window[0] * n) | (merged.k > window[1] * n)) & ~(pruned_only & (merged.k <= s))].copy()
    merged["gap"] = (merged.error - merged.error_theory).abs() / (0.5 - merged.error_theory)
    return merged


def advantage_agreement(theory, error, ci_low, ci_high, tolerance: float):
    """:func:`overparam.book.verdicts.agreement` on the distance from chance, 1/2 - error: a point
    agrees when the 95% interval of its gap lies within ``tolerance`` of the predicted distance, disagrees
    when it lies entirely outside, and is inconclusive across an edge."""
    theory, error = np.asarray(theory, dtype=float), np.asarray(error, dtype=float)
    return agreement(0.5 - theory, 0.5 - error, 0.5 - np.asarray(ci_high, dtype=float),
                     0.5 - np.asarray(ci_low, dtype=float), tolerance=tolerance)


def advantage_states(points: pd.DataFrame, tolerance: float) -> pd.Series:
    """Each point of :func:`ls_agreement_points` judged alone by :func:`advantage_agreement`: one status per point."""
    return pd.Series([advantage_agreement([row.error_theory], [row.error], [row.ci_low], [row.ci_high], tolerance).status
                      for row in points.itertuples()], index=points.index, dtype=object)


def dense_for_every_rule(points: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The same points with a deliberately wrong prediction, the dense curve's, for every rule: what a
    test that cannot tell the rules apart would accept."""
    theory = table[(table.source == "theory") & (table.curve == "ls/dense")][["panel", "k", "error"]]
    wrong = points.drop(columns="error_theory").merge(theory.rename(columns={"error": "error_theory"}), on=["panel", "k"])
    return wrong


def peak_sizes(runs: dict, s_of: dict, fits=("ls", "logistic"), rules=("magnitude", "hessian")) -> pd.DataFrame:
    """Per panel, fit and pruning rule: the simulated size s < k < p with the highest mean pruned error
    (chosen on the same draws, so the comparisons below favour a peak), its error, and the paired differences
    err(peak) - err(k = s) and err(peak) - err(k = p) with their 95% intervals."""
    rows = []
    for panel, run in runs.items():
        for fit in fits:
            grid = run.logistic_ks if fit == "logistic" else run.ks
            s, p = s_of[panel], max(grid)
            for rule in rules:
                curve = f"{fit}/{rule}"
                if curve not in run.errors:
                    continue
                means = {k: run.draws(curve, k).mean() for k in grid if s <= k <= p}
                inside = {k: m for k, m in means.items() if s < k < p}
                peak = max(inside, key=inside.get) if inside else p
                row = {"panel": panel, "curve": curve, "peak k": peak, "error there": means[peak],
                       "error at k = s": means.get(s, np.nan), "error at k = p": means[p]}
                for label, k in [("s", s), ("p", p)]:
                    mean, low, high = paired_gap(run, curve, curve, peak, k) if k in grid else (np.nan,) * 3
                    row |= {f"peak - {label}": mean, f"peak - {label} low": low, f"peak - {label} high": high}
                rows.append(row)
    return pd.DataFrame(rows)


SECTION = "Sec. 5 (open question)"


def classification_claims(runs: dict, theories: dict, theory_ks: dict, table: pd.DataFrame, n_of: dict, s_of: dict,
                          wide: str, spiked=("b",), full_share: float = 0.75, dc_confirm: dict | None = None) -> list:
    """The chapter's four answers as claims (origin ``beyond``), each from a rule of
    :mod:`overparam.book.verdicts` with the tolerance declared in
    :mod:`overparam.book.claim_table`; comparisons are paired over the draws the curves share.

    ``spiked`` names the panels with a spiked covariance, where Hessian and magnitude pruning differ.
    (1) double descent (:func:`_peak_claim`); (2) the largest model is the best to prune
    (:func:`_largest_claim`; the prediction's version on the fresh draws ``dc_confirm[panel] =
    (k, errors at k, errors at p)`` when given, a theory-only inequality), and on the spiked panels
    whether cross-entropy moves k = s against k = p more than least squares does (the paired
    interaction); (3) Hessian beats magnitude pruning on the spiked panels at every k > s; (4) the DC
    prediction of the least-squares classifier agrees with simulation on the distance from chance, away
    from the peak; cross-entropy equals least squares (paired draws) at every logistic size k <= s, at
    every k > s, and on panel ``wide`` at the sizes where the interpolator is the max-margin classifier
    in a share ``full_share`` of the draws or more.
    """
    claims = []
    for panel, run in runs.items():
        n, s = n_of[panel], s_of[panel]
        for fit in ["ls", "logistic"]:
            for rule in ["magnitude", "hessian"]:
                peak = _peak_claim(panel, run, f"{fit}/{rule}", s, n)
                claims += [peak] if peak else []
                claims.append(_largest_claim(panel, run, f"{fit}/{rule}", theories[panel], list(theory_ks[panel])))
        if panel in spiked:
            claims += _spiked_claims(panel, run, s, max(run.ks))
        claims.append(_dc_best_claim(panel, theories[panel]["hessian"], list(theory_ks[panel]), max(run.ks),
                                     (dc_confirm or {}).get(panel)))
    claims += _agreement_claims(ls_agreement_points(table, n_of, s_of), runs)
    for panel, run in runs.items():
        claims += _loss_claims(panel, run, s_of[panel], panel == wide, full_share)
    return claims


def held_out_choice(run: PanelRun, curve: str, sizes, highest: bool) -> tuple[int, int]:
    """A size of ``curve`` chosen on the first half of its draws (the highest mean error, or the lowest),
    so that the other half judges it without the choice's bias: (the size, the first draw left to judge)."""
    half = len(run.errors[curve]) // 2
    means = {k: run.draws(curve, k)[:half].mean() for k in sizes}
    return (max if highest else min)(means, key=means.get), half


def _peak_claim(panel, run, curve, s, n):
    """"The pruned error rises past k = s and falls back by k = p": the error at the peak above the error
    at k = s and at k = p (paired). For least squares the peak is the size nearest 1.05 n, fixed in
    advance; for logistic regression the size of highest mean error on the first half of the draws, judged
    on the other half. None when k = s was not simulated or no size lies between s and p."""
    grid = run.ks if curve.startswith("ls/") else run.logistic_ks
    p, inner = max(grid), [k for k in grid if s < k < max(grid)]
    if s not in grid or not inner:
        return None
    if curve.startswith("ls/"):
        peak, first, where = min(inner, key=lambda k: abs(k - 1.05 * n)), 0, "near n, fixed in advance"
    else:
        peak, first = held_out_choice(run, curve, inner, highest=True)
        where = (f"the size of highest mean error on the first {first} draws, judged on the other "
                 f"{len(run.errors[curve]) - first}")
    above = [comparison((run.draws(curve, peak) - run.draws(curve, k))[first:],
                        what=f"error at k = {peak} minus at k = {k}") for k in (s, p)]
    text = f"({panel}) {curve}: the pruned error rises past k = s and falls back by k = p (peak at k = {peak}, {where})"
    return claim("cls-peak", SECTION, text, over_range(above, [f"vs k = {s}", f"vs k = {p}"]), origin="beyond",
                 variant=f"{panel}-{curve.replace('/', '-')}")


def _largest_claim(panel, run, curve, theory, theory_sizes):
    """"The largest model is the best one to prune": the error at the best other size minus at k = p,
    paired. For least squares the best other size by the DC prediction (fixed before the draws); for
    logistic regression by the first half of the draws, judged on the other half."""
    grid = run.ks if curve.startswith("ls/") else run.logistic_ks
    p, others = max(grid), [k for k in grid if k != max(grid)]
    if curve.startswith("ls/"):
        predicted = theory[curve.split("/")[1]]
        best, first = min(others, key=lambda k: predicted[:, theory_sizes.index(k)].mean()), 0
        chosen = "the best other size by the DC prediction"
    else:
        best, first = held_out_choice(run, curve, others, highest=False)
        chosen = f"the best other size on the first {first} draws, judged on the other {len(run.errors[curve]) - first}"
    verdict = comparison((run.draws(curve, best) - run.draws(curve, p))[first:],
                         what=f"error at k = {best} ({chosen}) minus at k = p")
    return claim("cls-largest-best", SECTION, f"({panel}) {curve}: the largest model (k = {p}) is the best one to prune",
                 verdict, origin="beyond", variant=f"{panel}-{curve.replace('/', '-')}")


def _spiked_claims(panel, run, s, p):
    """Hessian against magnitude pruning at every k > s (both fits), and the loss's effect on k = s
    against k = p (the paired interaction)."""
    claims = []
    for fit in ["ls", "logistic"]:
        grid = [k for k in (run.ks if fit == "ls" else run.logistic_ks) if k > s]
        wins = [comparison(run.draws(f"{fit}/magnitude", k) - run.draws(f"{fit}/hessian", k),
                           what="magnitude minus Hessian error") for k in grid]
        claims.append(claim("cls-hessian-beats-magnitude", SECTION,
                            f"({panel}) {fit}: Hessian pruning beats magnitude pruning at every k > s",
                            over_range(wins, grid, "k = "), origin="beyond", variant=f"{panel}-{fit}"))
    trials = len(run.errors["logistic/hessian"])
    interaction = ((run.draws("logistic/hessian", s) - run.draws("logistic/hessian", p))
                   - (run.draws("ls/hessian", s) - run.draws("ls/hessian", p))[:trials])
    claims.append(claim("cls-interaction", SECTION, f"({panel}) Hessian: cross-entropy favours the largest model "
                        "(k = p against k = s) more than least squares does",
                        comparison(interaction, what="(logistic - least squares) of [error at k = s minus at k = p]"),
                        origin="beyond", variant=panel))
    return claims


def _dc_best_claim(panel, predicted, sizes, p, confirm):
    """The prediction's own answer to "the largest model is the best one to prune" (Hessian): a theory-only
    inequality, the predicted advantage of k = p over the best other size relative to the predicted
    distance from chance at k = p, inconclusive within the prediction's declared accuracy."""
    if confirm is None:
        best_k = min((k for k in sizes if k != p), key=lambda k: predicted[:, sizes.index(k)].mean())
        confirm = (best_k, predicted[:, sizes.index(best_k)], predicted[:, sizes.index(p)])
    best_k, at_best, at_p = confirm
    difference, chance = float(np.mean(at_best) - np.mean(at_p)), 0.5 - float(np.mean(at_p))
    text = (f"predicted error {np.mean(at_best):.3f} at the best other size k = {best_k}, {np.mean(at_p):.3f} at k = p "
            f"({len(at_p)} draws): difference {difference:+.3f}, {difference / chance:+.1%} of the distance from chance")
    return claim("cls-dc-largest-best", SECTION, f"({panel}) DC prediction: the largest least-squares model is the best "
                 "one to prune (Hessian)", deterministic(difference / chance, 0.0, declared_tolerance("cls-dc-largest-best"),
                                                         "above", text), origin="beyond", variant=panel)


def _agreement_claims(points: pd.DataFrame, runs: dict) -> list:
    """Per panel: the DC prediction against the simulated least-squares classifier, on the distance from chance."""
    claims, margin = [], declared_tolerance("cls-dc-agreement")
    for panel in runs:
        here = points[points.panel == panel]
        what = "dense, pruned" + (", refit on a fresh sample" if here.curve.str.endswith(REFIT).any() else "")
        claims.append(claim("cls-dc-agreement", SECTION, f"({panel}) the DC prediction matches the least-squares "
                            f"classifier's distance from chance, 1/2 - error ({what}), within {margin:.0%}, away from "
                            "the peak", advantage_agreement(here.error_theory, here.error, here.ci_low, here.ci_high, margin),
                            origin="beyond", variant=panel))
    return claims


def _no_points(reason: str, key: str) -> Verdict:
    """A claim over a range with no point to judge: inconclusive, under the rule and tolerance it is declared with."""
    rule = declared(key)
    return Verdict("inconclusive", reason, rule=rule.rule, tolerance=rule.tolerance, at_half="inconclusive",
                   at_double="inconclusive")


def _loss_claims(panel, run, s, wide, full_share):
    """Cross-entropy against least squares (paired equality within the declared margin): at every logistic
    size k <= s, and at every k > s (or, on the wide panel, where the interpolator is the max-margin
    classifier in a share ``full_share`` of the draws or more)."""
    claims, trials = [], len(run.errors["logistic/dense"])

    def close(rule, k, key):
        return equality(run.draws(f"logistic/{rule}", k) - run.draws(f"ls/{rule}", k)[:trials],
                        declared_tolerance(key), what="logistic minus least-squares error")
    small = [k for k in run.logistic_ks if k <= s]
    if small:
        margin = declared_tolerance("cls-loss-small-k")
        claims.append(claim("cls-loss-small-k", SECTION, f"({panel}) dense: cross-entropy is within {margin:g} of least "
                            "squares at every k <= s (nothing pruned)",
                            over_range([close("dense", k, "cls-loss-small-k") for k in small], small, "k = "),
                            origin="beyond", variant=panel))
    shared, where, key = [k for k in run.logistic_ks if k > s], "at every k > s", "cls-loss-large-k"
    if wide:
        share = dict(zip(run.ks, run.interpolator_is_max_margin.mean(axis=0)))
        shared = [k for k in shared if share.get(k, 0) >= full_share]
        key = "cls-loss-max-margin"
        where = f"where the interpolator is the max-margin classifier in {full_share:.0%} of the draws or more"
    for rule in ["dense", "hessian"]:
        verdict = (over_range([close(rule, k, key) for k in shared], shared, "k = ") if shared
                   else _no_points("no size qualifies", key))
        claims.append(claim(key, SECTION, f"({panel}) {rule}: cross-entropy is within {declared_tolerance(key):g} of "
                            f"least squares {where}", verdict, origin="beyond", variant=f"{panel}-{rule}"))
    return claims


def dc_best_size_check(problem, n: int, s: int, predicted: np.ndarray, sizes, draws: int, rng) -> tuple:
    """The prediction's best Hessian-pruned size other than p, chosen on ``predicted`` (draws x sizes),
    then the predicted errors at that size and at p from ``draws`` fresh draws (so that the choice
    does not bias the comparison): (k, errors at k, errors at p)."""
    from overparam.theory.classification import least_squares_error_prediction

    sizes, p = [int(k) for k in sizes], problem.p
    best_k = min((k for k in sizes if k != p), key=lambda k: predicted[:, sizes.index(k)].mean())
    fresh = least_squares_error_prediction(problem, n, s, [best_k, p], draws, rng, rules=("hessian",), refits=False)
    return best_k, fresh["hessian"][:, 0], fresh["hessian"][:, 1]


def plot_error_panels(table: pd.DataFrame, panels: dict, curves, n_of: dict, s_of: dict, theory_of=None,
                      ylim=(0.3, 0.5), lines: str = "theory (lines)"):
    """One axis per panel: test error against k (log axis) for the registered ``curves``, theory lines
    (``theory_of`` maps a curve to the theory line drawn with it; default: its own; ``lines`` says what
    they are in the legend) and simulated means with 95% bars; grey lines at k = s (dashed) and k = n
    (dotted)."""
    import matplotlib.pyplot as plt

    from overparam.book.style import log_axis, plot_theory_and_simulation

    fig, axes = plt.subplots(1, len(panels), figsize=(11, 4.6), squeeze=False)
    for ax, (panel, title) in zip(axes[0], panels.items()):
        here = table[table.panel == panel]
        for curve in curves:
            theory_curve = (theory_of or {}).get(curve, curve)
            show = (here.curve == theory_curve).any() and (here[here.curve == theory_curve].source == "theory").any()
            plot_theory_and_simulation(ax, here, curve, theory_curve=theory_curve, show_theory=show, y="error")
        log_axis(ax)
        ax.axvline(s_of[panel], color="grey", ls="--", lw=1)
        ax.axvline(n_of[panel], color="grey", ls=":", lw=1)
        ax.set_ylim(*ylim)
        ax.set(xlabel="number of features used, k", ylabel="test error", title=title)
    legend_below(fig, axes[0][-1], lines, ncol=3)
    return fig


def legend_below(fig, ax, lines: str, ncol: int = 3) -> None:
    """The book's legend below the panels, with the grey line entry saying what the lines are."""
    from overparam.book.style import simulation_handle

    handles, labels = ax.get_legend_handles_labels()
    entries = dict(zip(labels, handles))
    handles = [*entries.values(), plt_line(), simulation_handle()]
    labels = [*entries, lines, "simulation: mean and 95% CI (markers)"]
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=9)
    fig.tight_layout(rect=(0, 0.045 * -(-len(labels) // ncol) + 0.02, 1, 1))


def plt_line():
    import matplotlib.pyplot as plt

    return plt.Line2D([], [], color="grey", lw=1.5)


def fit_comparison(table: pd.DataFrame, rules=("dense", "hessian")) -> pd.DataFrame:
    """At every size where logistic regression was simulated: the least-squares DC prediction, the
    simulated least-squares, logistic (and SVM) errors for each rule in ``rules``, one row per panel, rule and k."""
    sim = table[table.source == "simulation"]
    logistic_sizes = sim[sim.curve == "logistic/dense"][["panel", "k"]]
    wide = table.assign(fit=table.curve.str.split("/").str[0], rule=table.curve.str.split("/").str[1])
    wide = wide[wide.rule.isin(rules)]
    wide["column"] = np.where(wide.source == "theory", "ls prediction", wide.fit)
    out = wide.pivot_table(index=["panel", "rule", "k"], columns="column", values="error").reset_index()
    out = out.merge(logistic_sizes, on=["panel", "k"])
    out["logistic - prediction"] = out["logistic"] - out["ls prediction"]
    return out


def agreement_summary(points: pd.DataFrame) -> pd.DataFrame:
    """Per panel and curve of :func:`ls_agreement_points`: the number of points, the worst relative gap
    and the share of 95% intervals that contain the prediction."""
    inside = (points.ci_low <= points.error_theory) & (points.error_theory <= points.ci_high)
    return (points.assign(inside=inside).groupby(["panel", "curve"])
            .agg(points=("k", "size"), worst_gap=("gap", "max"), within_ci=("inside", "mean")).reset_index())


def plot_wide_panel(ax, table: pd.DataFrame, rules, n: int, s: int, bayes: float) -> None:
    """Test error against k on one axis: for each rule, the least-squares prediction (line) and
    simulation, the hard-margin SVM and logistic regression (markers with 95% bars); the Bayes error
    and chance (1/2) as grey references, and the axis from just below the Bayes error to 1/2."""
    from overparam.book.style import log_axis, plot_theory_and_simulation

    for rule in rules:
        plot_theory_and_simulation(ax, table, f"ls/{rule}", y="error")
        for fit in ["svm", "logistic"]:
            plot_theory_and_simulation(ax, table, f"{fit}/{rule}", show_theory=False, y="error")
    log_axis(ax)
    ax.axvline(s, color="grey", ls="--", lw=1)
    ax.axvline(n, color="grey", ls=":", lw=1)
    ax.axhline(bayes, color="grey", lw=1, ls="-.")
    ax.axhline(0.5, color="grey", lw=1, ls="-")
    ax.text(ax.get_xlim()[0], bayes, " Bayes error", va="bottom", fontsize=8, color="grey")
    ax.set_ylim(bayes - 0.03, 0.505)
    ax.set(xlabel="number of features used, k", ylabel="test error", title=f"(c) spiked Σ, n = {n}")


def paired_gap(run: PanelRun, curve: str, other: str, k: int, other_k: int | None = None) -> tuple[float, float, float]:
    """Mean and 95% t interval of the per-draw difference err(curve at k) - err(other at other_k) over the
    draws both were fit on (logistic regression is fit on the first draws of the least-squares ones)."""
    a, b = run.draws(curve, k), run.draws(other, k if other_k is None else other_k)
    shared = min(a.size, b.size)
    return t_interval(a[:shared] - b[:shared])


def best_sizes(runs: dict, fits=("ls", "logistic"), rules=("magnitude", "hessian")) -> pd.DataFrame:
    """Per panel, fit and pruning rule: the simulated size with the lowest mean error other than the
    largest, its error, the error of the largest model, and the paired difference (other - largest)
    with its 95% interval: positive when the largest model is the better one to prune."""
    rows = []
    for panel, run in runs.items():
        for fit in fits:
            grid = run.logistic_ks if fit == "logistic" else run.ks
            p = max(grid)
            for rule in rules:
                curve = f"{fit}/{rule}"
                means = {k: run.draws(curve, k).mean() for k in grid if k != p}
                best = min(means, key=means.get)
                mean, low, high = paired_gap(run, curve, curve, best, p)
                rows.append({"panel": panel, "curve": curve, "best other k": best, "error there": means[best],
                             "error at k = p": run.draws(curve, p).mean(), "difference": mean,
                             "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def refit_summary(run: PanelRun, k: int, rules=("magnitude", "hessian")) -> pd.DataFrame:
    """Mean test error at size k of each pruned fit, its refit on the training sample and (least squares)
    on a fresh sample, one row per fit and rule."""
    rows = []
    for fit in ["ls", "logistic"]:
        for rule in rules:
            row = {"fit": fit, "rule": rule, "pruned": run.draws(f"{fit}/{rule}", k).mean(),
                   "refit, same sample": run.draws(f"{fit}/{rule}{REFIT}{SAME_SAMPLE}", k).mean()}
            if fit == "ls":
                row["refit, fresh sample"] = run.draws(f"ls/{rule}{REFIT}", k).mean()
            rows.append(row)
    return pd.DataFrame(rows)


def descent_stability(problem: LinearGaussianProblem, n: int, s: int, ks, draws: int, trials: int, seed,
                      runs: tuple) -> pd.DataFrame:
    """How much the stopped logistic iterate depends on where gradient descent stops: on the first
    ``draws`` training samples of :func:`simulate_panel` with ``trials`` and ``seed``, the dense and
    Hessian-pruned logistic errors after each (tolerance, max_iterations) of ``runs`` (the first is the
    chapter's), per size k; at k > n also the cosine of each fit with the hard-margin SVM."""
    samples = [sign_labels(problem, n, np.random.default_rng(child))
               for child in np.random.SeedSequence(seed).spawn(trials)[:draws]]
    X, y = np.stack([x for x, _ in samples]), np.stack([labels for _, labels in samples])
    rows = []
    with threadpool_limits(1):
        for k in [int(k) for k in ks]:
            svms = [hard_margin_svm(X[t, :, :k], y[t]) for t in range(draws)] if k > n else None
            for tolerance, max_iterations in runs:
                fit = logistic_descent(X[:, :, :k], y, tolerance, max_iterations)
                pruned = [restrict(theta, hessian_support(theta, X[t, :, :k], s)) if k > s else theta
                          for t, theta in enumerate(fit.theta)]
                rows.append({"k": k, "tolerance": tolerance, "max iterations": max_iterations,
                             "converged": int(fit.converged.sum()), "draws": draws,
                             "dense": classification_error(_pad(fit.theta, problem.p), problem),
                             "hessian": classification_error(_pad(np.stack(pruned), problem.p), problem),
                             "cosine with svm": (np.array([cosine(theta, w) for theta, w in zip(fit.theta, svms)])
                                                 if svms else np.full(draws, np.nan))})
    return pd.DataFrame(rows)


def stability_summary(stability: pd.DataFrame) -> pd.DataFrame:
    """Per size: the mean errors of the chapter's descent and of the longest one, the largest change of
    any draw's error (dense or Hessian-pruned), and the mean cosines with the SVM."""
    rows = []
    for k, group in stability.groupby("k"):
        first, last = group.iloc[0], group.iloc[-1]
        change = max(np.abs(last[c] - first[c]).max() for c in ("dense", "hessian"))
        rows.append({"k": k, "draws": int(first["draws"]), "dense": first["dense"].mean(), "dense, longer": last["dense"].mean(),
                     "hessian": first["hessian"].mean(), "hessian, longer": last["hessian"].mean(),
                     "largest change": change, "cosine with svm": np.mean(first["cosine with svm"]),
                     "cosine, longer": np.mean(last["cosine with svm"])})
    return pd.DataFrame(rows)
