"""Which regularization makes the best pruned model (beyond the paper): ridge, then prune; the
theory curves and the simulation (the chapter's figures, tables, claims and quoted numbers are in
:mod:`overparam.reports.ridge_pruning`).

The learner fits ridge with penalty mu sum_i omega_i theta_i^2 on the first k features (omega = 1,
1/lambda_i or lambda_i: :data:`overparam.theory.ridge.PENALTIES`), prunes to s weights by magnitude
or Hessian score, and may refit the kept weights by least squares on a fresh sample (in the
simulation, a fresh sample of its own for every retrained point: :func:`refit_on_fresh`). The ridge DC
predicts every risk (:class:`overparam.theory.risk.FitLaw` with ``mu``); mu is tuned by a bounded
1-D search on log mu, either for the dense model (``dense-optimal``) or for the compressed pipeline
itself (``prune-optimal``), with min-norm least squares (mu = 0, tuning ``none``) as the baseline.
The simulated point of a tuned curve uses the theory's tuned mu itself (ridge fits at any mu cost
the same, from one SVD), so theory and simulation are compared at the same mu; a grid of mus gives
the heat map and the simulated best grid value. :func:`cv_mus` is what a practitioner can do instead
of the theory's tuning: K-fold cross-validation of the pruned pipeline on the training sample.
For ridge, mu = inf is the closed-form limit (:func:`overparam.theory.ridge.screening_dc`; fitted as
X^T y / n). The Lasso is the penalty "lasso" of the same tables: its fixed point
(:mod:`overparam.theory.lasso`), scikit-learn's Lasso path in the simulation, and its own support as
a pruning rule (curves ``support`` and ``support+retrain``, :func:`lasso_rows`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from sklearn.linear_model import lasso_path
from tqdm import tqdm

from overparam.book.curve_names import CurveName
from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS, TrainedFit
from overparam.theory.problems import LinearGaussianProblem, restrict_problem
from overparam.theory.lasso import lasso_law, lasso_pipeline_risk, mu_for_support_size, mu_scale
from overparam.theory.pruning import restrict, select_support
from overparam.theory.ridge import MU_BOUNDS, penalty_weights
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

PIPELINES = ["magnitude", "hessian", "magnitude+retrain", "hessian+retrain"]
TUNINGS = ["none", "dense-optimal", "prune-optimal"]
COLUMNS = ["panel", "curve", "source", "k", "mu", "penalty", "tuning", "risk", "ci_low", "ci_high"]
LASSO = "lasso"  # the penalty column of the Lasso's rows: mu ||theta||_1 in the scaling of overparam.theory.lasso
LASSO_BOUNDS = (1e-3, 10.0)  # the Lasso's mu search, in units of overparam.theory.lasso.mu_scale


def pipeline_risk(problem: LinearGaussianProblem, n: int, s: int, curve: str, mu: float,
                  penalty: str = "identity") -> float:
    """Predicted risk of ridge (mu, penalty) on ``problem`` followed by the registered compressor
    ``curve`` (dense, magnitude, hessian, magnitude+retrain, hessian+retrain) at budget s; with
    ``penalty`` "lasso", of the Lasso at mu followed by ``curve`` (the Lasso's fixed point,
    :func:`overparam.theory.lasso.lasso_pipeline_risk`, which also knows the curves support and
    support+retrain: the Lasso's own non-zeros, refitted or not)."""
    if penalty == LASSO:
        return lasso_pipeline_risk(lasso_law(problem, n, mu), s, curve)
    if np.isinf(mu) and CurveName.parse(curve).refit != "retrain":  # the fit tends to 0: see overparam.theory.ridge.screening_dc
        return FitLaw(problem, n, mu=mu, penalty=penalty).dense()
    return COMPRESSORS[curve].theory(FitLaw(problem, n, mu=mu, penalty=penalty), s)


def tune_mu(problem: LinearGaussianProblem, n: int, s: int, curve: str, penalty: str = "identity",
            bounds=None) -> tuple[float, float]:
    """(mu, risk) minimising :func:`pipeline_risk` over log mu in ``bounds`` (bounded Brent search;
    by default :data:`MU_BOUNDS` for ridge, :data:`LASSO_BOUNDS` times the problem's mu scale for the Lasso);
    for ridge, mu = inf (its closed-form limit) when that is no worse than the search's best."""
    if bounds is None:
        bounds = MU_BOUNDS if penalty != LASSO else tuple(b * mu_scale(problem, n) for b in LASSO_BOUNDS)
    def objective(log_mu):
        risk = pipeline_risk(problem, n, s, curve, float(np.exp(log_mu)), penalty)
        return risk if np.isfinite(risk) else 1e300

    best = minimize_scalar(objective, bounds=np.log(bounds), method="bounded", options={"xatol": 1e-3})
    if penalty != LASSO:  # ridge's limit mu -> infinity in closed form (screening, then a refit)
        limit = pipeline_risk(problem, n, s, curve, np.inf, penalty)
        if limit <= best.fun:
            return np.inf, float(limit)
    return float(np.exp(best.x)), float(best.fun)


def theory_table(problem: LinearGaussianProblem, n: int, s: int, ks, panel: str = "b",
                 penalties=("identity",), progress: bool = False) -> pd.DataFrame:
    """Theory rows of every curve and tuning at each model size k: mu = 0 (``none``), mu tuned for
    the dense fit (``dense-optimal``, the same mu for every pipeline), and mu tuned for each pipeline
    (``prune-optimal``); the dense fit with its own tuned mu is the curve ``dense``. The penalty
    "lasso" (:func:`lasso_rows`) has rows only at k > s."""
    rows = []
    for k in tqdm(ks, desc="theory", disable=not progress, mininterval=1.0):
        sub = problem.prefix(int(k))
        for penalty in penalties:
            if penalty == LASSO:
                rows.extend(lasso_rows(sub, n, s, int(k)) if k > s else [])
                continue
            dense_mu, dense_risk = tune_mu(sub, n, s, "dense", penalty)
            if penalty == "identity":
                rows.append(("dense", k, 0.0, penalty, "none", pipeline_risk(sub, n, s, "dense", 0.0)))
                rows.append(("dense", k, dense_mu, penalty, "dense-optimal", dense_risk))
            for curve in PIPELINES:
                if penalty == "identity":
                    rows.append((curve, k, 0.0, penalty, "none", pipeline_risk(sub, n, s, curve, 0.0)))
                    rows.append((curve, k, dense_mu, penalty, "dense-optimal", pipeline_risk(sub, n, s, curve, dense_mu)))
                mu, risk = tune_mu(sub, n, s, curve, penalty)
                rows.append((curve, k, mu, penalty, "prune-optimal", risk))
    table = pd.DataFrame(rows, columns=["curve", "k", "mu", "penalty", "tuning", "risk"])
    return table.assign(panel=panel, source="theory", ci_low=np.nan, ci_high=np.nan)[COLUMNS]


def lasso_rows(problem: LinearGaussianProblem, n: int, s: int, k: int) -> list:
    """Theory rows of the Lasso on the k features of ``problem`` (k > s): the fit at its own tuned mu
    (``dense``, ``dense-optimal``), every pipeline of :data:`PIPELINES` at the mu tuned for it
    (``prune-optimal``), and at the mu whose predicted number of non-zeros is s (``support-size``) the
    fit itself (``support``: its own support as the pruning rule) and its support refitted
    (``support+retrain``)."""
    mu, risk = tune_mu(problem, n, s, "dense", LASSO)
    rows = [("dense", k, mu, LASSO, "dense-optimal", risk)]
    for curve in PIPELINES:
        mu, risk = tune_mu(problem, n, s, curve, LASSO)
        rows.append((curve, k, mu, LASSO, "prune-optimal", risk))
    mu = mu_for_support_size(problem, n, s)
    rows += [(curve, k, mu, LASSO, "support-size", pipeline_risk(problem, n, s, curve, mu, LASSO))
             for curve in ("support", "support+retrain")]
    return rows


def simulated_mus(theory: pd.DataFrame, ks) -> dict:
    """For each (k, penalty) of the simulated sizes, the mus the simulation needs and, at each, the
    retrained pipelines whose theory rows use it: {(k, penalty): {mu: {curve, ...}}} (every mu of
    the theory rows there: the tuned ones, and mu = 0 for the tuning ``none``)."""
    needed: dict = {}
    for row in theory[theory.k.isin(list(ks))].itertuples():
        curves = needed.setdefault((int(row.k), row.penalty), {}).setdefault(float(row.mu), set())
        if CurveName.parse(row.curve).refit == "retrain":
            curves.add(row.curve)
    return needed


def gram_ridge_path(X: np.ndarray, y: np.ndarray, mus, penalty_diagonal: np.ndarray | None = None) -> np.ndarray:
    """The fits of :func:`overparam.theory.ridge.ridge_path` (rows theta_mu, mu = 0 the min-norm fit),
    from one eigendecomposition of the smaller Gram matrix instead of an SVD (several times faster
    for the n x k designs here): with Z Z^T = U D^2 U^T, theta_mu = Z^T U (U^T y) / (D^2 + n mu)
    when k > n, and with Z^T Z = V D^2 V^T, theta_mu = V (V^T Z^T y) / (D^2 + n mu) otherwise
    (directions with D^2 at the rounding level of the largest are dropped, as the SVD path does); a
    row for mu = inf holds the limit direction mu theta_mu -> Z^T y / n (mapped back by Omega^{-1/2})."""
    n, k = X.shape
    omega = np.ones(k) if penalty_diagonal is None else np.asarray(penalty_diagonal, dtype=float)
    Z = X / np.sqrt(omega)
    wide = k > n
    d2, basis = np.linalg.eigh(Z @ Z.T if wide else Z.T @ Z)
    keep = d2 > d2.max() * max(n, k) * np.finfo(float).eps
    basis, d2 = basis[:, keep], d2[keep]
    projected = basis.T @ (y if wide else Z.T @ y)
    fits = np.array([basis @ (projected / (d2 + n * mu)) for mu in mus])
    fits = fits @ Z if wide else fits
    fits[np.isinf(np.asarray(mus, dtype=float))] = Z.T @ y / n  # the direction mu theta_mu as mu -> infinity
    return fits / np.sqrt(omega)


def lasso_fits(X: np.ndarray, y: np.ndarray, mus) -> np.ndarray:
    """Lasso fits argmin (1/(2n))||y - X theta||^2 + mu ||theta||_1 (scikit-learn's ``alpha`` = mu, no
    intercept) for every mu in ``mus``, rows in the order of ``mus``, from one warm-started path."""
    order = np.argsort(mus)[::-1]  # the path runs from the largest mu down
    _, coefs, _ = lasso_path(X, y, alphas=np.asarray(mus, dtype=float)[order], tol=1e-7, max_iter=20_000)
    fits = np.empty((len(mus), X.shape[1]))
    fits[order] = coefs.T
    return fits


def refit_on_fresh(problem: LinearGaussianProblem, n: int, support: np.ndarray, rng: np.random.Generator,
                   k: int | None = None) -> np.ndarray:
    """Least squares on the kept features ``support``, fitted on a fresh sample of n draws of its own,
    as a model on the first ``k`` features (all p by default; ``support`` inside them).

    Only the kept columns are drawn: with a diagonal covariance the other features are independent
    of them, so their part of the label is Gaussian noise of variance sum lambda_i theta*_i^2 (the
    problem seen by the kept features, :func:`restrict_problem`); the refit has exactly the law of a
    refit on a full fresh n x p sample, at a fraction of its cost.
    """
    X, y = restrict_problem(problem, support).sample(n, rng)
    theta = np.zeros(problem.p if k is None else k)  # a pruned model keeps zeros off its support
    theta[support] = min_norm_least_squares(X, y)
    return theta


def _compress(fit: TrainedFit, curve: str, rng: np.random.Generator) -> np.ndarray:
    """The model of ``curve`` from ``fit``: retrained pipelines refit on a fresh sample of their own
    the kept weights that are non-zero (a Lasso fit with fewer than s non-zeros keeps only those, as its
    theory does); ``support`` is the fit itself (a Lasso fit: its own non-zeros are the kept weights)."""
    name = CurveName.parse(curve)
    rule = name.rule
    if name.refit == "retrain":
        kept = np.flatnonzero(fit.theta) if rule == "support" else fit.support(rule)
        return refit_on_fresh(fit.problem, len(fit.y), kept[fit.theta[kept] != 0], rng, fit.k)
    return fit.theta if curve == "support" else COMPRESSORS[curve].compress(fit)


def cv_mus(X: np.ndarray, y: np.ndarray, s: int, curves, grid, folds: int = 5) -> dict:
    """For each pipeline of ``curves``, the mu of ``grid`` that a practitioner picks by K-fold
    cross-validation on the training sample (X, y): for each fold, plain ridge on the other folds
    at every mu (one eigendecomposition), pruned to s by the rule of the pipeline and, for a
    ``+retrain`` pipeline, refitted by least squares on those same folds (the fresh sample is not
    used for the choice); the mu with the lowest held-out squared error summed over the folds."""
    fold = np.arange(len(y)) % folds
    errors = {curve: np.zeros(len(grid)) for curve in curves}
    for f in range(folds):
        train, held = fold != f, fold == f
        for i, theta in enumerate(gram_ridge_path(X[train], y[train], grid)):
            for curve in curves:
                name = CurveName.parse(curve)
                kept = select_support(name.rule, theta, X[train], s)
                model = fit_on_support(X[train], y[train], kept) if name.refit == "retrain" else restrict(theta, kept)
                errors[curve][i] += np.sum((y[held] - X[held] @ model) ** 2)
    return {curve: float(grid[int(np.argmin(values))]) for curve, values in errors.items()}


def simulate(problem: LinearGaussianProblem, n: int, s: int, needed: dict, grid, trials: int, seed,
             progress: bool = True, cv_k: int | None = None, cv_curves=("hessian", "hessian+retrain"),
             folds: int = 5) -> dict:
    """Per-trial risks keyed by (curve, k, mu, penalty), arrays of length ``trials``.

    Each trial draws one training sample; for every model size k and penalty, one eigendecomposition gives
    the ridge fits at all mus (:func:`gram_ridge_path`), one warm-started path the Lasso fits
    (:func:`lasso_fits`; also recorded: the fit itself as ``support`` and its number of non-zeros). The dense and pruned risks
    are computed at every mu of ``grid`` with the identity penalty (the heat map's simulated
    optimum) and at every mu in ``needed``; a retrained pipeline only where ``needed`` lists it,
    each such point refitted on a fresh sample of its own (:func:`refit_on_fresh`), so no two
    retrained points share a fresh sample. With ``cv_k``, each pipeline of ``cv_curves`` at k =
    ``cv_k`` is also fitted at the mu chosen by :func:`cv_mus` on the grid: its risks under
    ("cv", curve, cv_k) and the chosen mus under ("cv-mu", curve, cv_k).
    """
    out: dict = {}

    def record(key, t, value):
        out.setdefault(key, np.full(trials, np.nan))[t] = value

    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc="simulation",
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        for (k, penalty), by_mu in needed.items():
            everywhere = sorted(set(by_mu) | (set(grid) if penalty == "identity" else set()))
            if penalty == LASSO:
                fits = lasso_fits(X[:, :k], y, everywhere)
            else:
                fits = gram_ridge_path(X[:, :k], y, everywhere, penalty_weights(penalty, problem.cov_diagonal[:k]))
            for mu, theta_k in zip(everywhere, fits):
                fit = TrainedFit(problem, theta_k, k, X, y, None, s)
                lasso = ["support"] if penalty == LASSO else []
                for curve in ["dense", "magnitude", "hessian", *lasso, *sorted(by_mu.get(mu, ()))]:
                    record((curve, k, mu, penalty), t, problem.prefix_risk(_compress(fit, curve, rng)))
                if lasso:
                    record(("non-zeros", k, mu, penalty), t, np.count_nonzero(theta_k))
        if cv_k is not None:
            for curve, mu in cv_mus(X[:, :cv_k], y, s, cv_curves, grid, folds).items():
                fit = TrainedFit(problem, gram_ridge_path(X[:, :cv_k], y, [mu])[0], cv_k, X, y, None, s)
                record(("cv", curve, cv_k), t, problem.prefix_risk(_compress(fit, curve, rng)))
                record(("cv-mu", curve, cv_k), t, mu)
    return out


def simulation_table(theory: pd.DataFrame, simulated: dict, panel: str = "b") -> pd.DataFrame:
    """Simulated rows for every theory row at a simulated size: mean and 95% interval at the
    row's mu."""
    rows = []
    for row in theory.itertuples():
        mu = float(row.mu)
        risks = simulated.get((row.curve, int(row.k), mu, row.penalty))
        if risks is not None:
            mean, low, high = mean_ci(risks)
            rows.append((panel, row.curve, "simulation", row.k, mu, row.penalty, row.tuning, mean, low, high))
    return pd.DataFrame(rows, columns=COLUMNS)


def interior_maxima(theory: pd.DataFrame, curve: str, tuning: str = "prune-optimal", penalty: str = "identity") -> list:
    """The model sizes k at which the theory curve (curve, tuning, penalty) has an interior local maximum on
    its grid: a risk strictly above both neighbours' (a peak, however small; the ends cannot be one)."""
    rows = theory[(theory.curve == curve) & (theory.tuning == tuning) & (theory.penalty == penalty)].sort_values("k")
    risk, ks = rows.risk.to_numpy(), rows.k.to_numpy()
    return [int(k) for k in ks[1:-1][(risk[1:-1] > risk[:-2]) & (risk[1:-1] > risk[2:])]]


def heat_map(problem: LinearGaussianProblem, n: int, s: int, ks, mus, curve: str = "magnitude") -> np.ndarray:
    """Predicted risk of ridge (identity penalty) then ``curve`` on the grid (mu, k): shape (len(mus), len(ks))."""
    return np.array([[pipeline_risk(problem.prefix(int(k)), n, s, curve, float(mu)) for k in ks] for mu in mus])


def simulated_best_mu(simulated: dict, ks, grid, curve: str) -> pd.DataFrame:
    """At each simulated k, the grid mu with the lowest simulated mean risk (identity penalty)."""
    rows = []
    for k in ks:
        means = [np.mean(simulated[(curve, int(k), mu, "identity")]) for mu in grid]
        rows.append({"k": int(k), "mu": float(grid[int(np.argmin(means))]), "risk": float(np.min(means))})
    return pd.DataFrame(rows)
