"""Ridge with mu tuned, then pruned (chapter 10), for every model size at once: the calculator's
ridge curves (:mod:`overparam.reports.predict`).

The ridge DC (:mod:`overparam.theory.ridge`, plain penalty mu ||theta||^2) has the min-norm form
with an effective regularization tau: r_i = lambda_i / (lambda_i + tau), theta_mu,i ~
N(r_i theta*_i, gamma r_i^2 / (n lambda_i)), and mu = tau (1 - sum_i lambda_i / (lambda_i + tau) / n)
increases with tau above its floor. So a search over mu is a search over tau, and every row (model
size) is evaluated without a root finder for tau: the pruning thresholds and the refits are those of
:mod:`overparam.theory.risk_curves`, on a (rows x atoms) array. The laws are computed once per
distinct (size, tau) and the rows index them (no per-row copies), and the per-atom pruning terms
are evaluated on each row's leading atoms only (:func:`pruning_terms`): with an atom per feature
(a Gaussian theta*) these arrays, and the normal cdfs in them, are what the time goes to.

"Tuned" is chapter 10's oracle tuning (:func:`overparam.experiments.ridge_pruning.tune_mu`): mu
minimises the predicted risk of the pipeline itself (the dense fit, or the fit pruned, or pruned
and retrained), computed with theta* and Sigma known, over mu in :data:`MU_BOUNDS` and its
closed-form limit mu = inf (:func:`overparam.theory.ridge.screening_dc`). It is a benchmark of what
ridge can do, not a method a practitioner can run (chapter 10 compares it with cross-validation).
"""
from __future__ import annotations

import numpy as np

from overparam.book.curve_names import CurveName, curves_with
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import score_scale
from overparam.theory.ridge import MU_BOUNDS
from overparam.theory.risk import keep_probability, thresholded_sq_error
from overparam.theory.risk_curves import (BLOCK_COLUMNS, LawRows, column_blocks, law_rows, monotone_roots,
                                          prefix_weights, row_widths, score_thresholds)

# the ridge pipelines: the fit itself, pruned by a rule, or pruned and refitted on a fresh sample
PIPELINES = ("dense", "magnitude", "hessian", "magnitude+retrain", "hessian+retrain")
GRID_POINTS = 16  # a first look over log tau, then a parabolic search around its best point
# on log tau: the risk is flat at its minimum, so a step d off it costs about d^2 / 2 relative (1e-11 here),
# far below chapter 10's search (1e-3 on log mu) and the 1e-10 the curves are checked to
SEARCH_TOLERANCE = 1e-5
_GOLDEN = (np.sqrt(5) - 1) / 2


def ridge_law_rows(lam: np.ndarray, theta: np.ndarray, sigma2: np.ndarray, n: int, weights: np.ndarray,
                   tau: np.ndarray) -> LawRows:
    """The ridge DC (:func:`overparam.theory.ridge.ridge_dc`, plain penalty) of each row of
    ``weights`` at the effective regularization ``tau`` of that row (tau above the row's floor)."""
    t = tau[:, None]
    r = lam / (lam + t)
    bias = tau**2 * np.sum(weights * lam * theta**2 / (lam + t) ** 2, axis=1)
    gamma = (sigma2 + bias) / (1 - np.sum(weights * r**2, axis=1) / n)
    return LawRows(r * theta, gamma[:, None] * r**2 / (n * lam), gamma, weights.sum(axis=1))


def mu_of_tau(lam: np.ndarray, weights: np.ndarray, n: int, tau: np.ndarray) -> np.ndarray:
    """mu = tau (1 - sum_j w_j lambda_j / (lambda_j + tau) / n) for each row."""
    return tau * (1 - np.sum(weights * lam / (lam + tau[:, None]), axis=1) / n)


def tau_of_mu(lam: np.ndarray, weights: np.ndarray, n: int, mu: float) -> np.ndarray:
    """The tau of each row at which ridge has regularization mu > 0: the root of :func:`mu_of_tau`,
    which lies in [mu, mu + sum_j w_j lambda_j / n] (mu <= tau and mu >= tau - sum w lambda / n)."""
    def excess(tau, rows):
        w = weights[rows]
        r = lam / (lam + tau[:, None])
        return mu_of_tau(lam, w, n, tau) - mu, 1 - np.sum(w * r**2, axis=1) / n

    lo = np.full(weights.shape[0], float(mu))
    return monotone_roots(excess, lo, lo + weights @ lam / n, increasing=True)


def screening_rows(lam: np.ndarray, theta: np.ndarray, sigma2: np.ndarray, n: int, weights: np.ndarray) -> LawRows:
    """The mu -> inf limit (:func:`overparam.theory.ridge.screening_dc`): the law of the direction
    X^T y / n, with the risk of the zero fit it tends to."""
    null = sigma2 + weights @ (lam * theta**2)
    var = null[:, None] * lam / (n * np.ones_like(weights))
    return LawRows(np.broadcast_to(lam * theta, weights.shape).copy(), var, null, weights.sum(axis=1))


def pipeline_rows(lam: np.ndarray, theta: np.ndarray, sigma2: np.ndarray, n: int, s: int, weights: np.ndarray,
                  fit: LawRows, pipelines: np.ndarray, limit: bool = False) -> np.ndarray:
    """The risk of the pipeline ``pipelines[row]`` (:data:`PIPELINES`) applied to the fit of each row,
    whose law is ``fit``; every row has more than s features. With ``limit`` the law is the screening
    direction of mu = inf, after which the fit (pruned or not) is zero and only a refit has another
    risk (:func:`pipeline_thresholds`)."""
    return pipeline_thresholds(lam, theta, sigma2, n, s, weights, fit, pipelines, limit)[0]


def distinct(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, back) of the rows of equal key (one value from each of ``keys`` per row): the
    position of one row of each distinct key, and for every row its key's place in ``first``
    (key[first][back] == key for each of ``keys``)."""
    order = np.lexsort(keys[::-1])
    new = np.arange(order.size) == 0  # where a row's key differs from the one before it in order
    for key in keys:
        new[1:] |= key[order][1:] != key[order][:-1]
    back = np.empty(order.size, dtype=int)
    back[order] = np.cumsum(new) - 1
    return order[new], back


def pipeline_thresholds(lam: np.ndarray, theta: np.ndarray, sigma2: np.ndarray, n: int, s: int, weights: np.ndarray,
                        fit: LawRows, pipelines: np.ndarray, limit: bool = False,
                        start: np.ndarray | None = None, same: np.ndarray | None = None,
                        law_of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(risk, score threshold) per row of :func:`pipeline_rows` (NaN threshold where nothing is pruned),
    each threshold's root search started from ``start`` (per row, NaN for none) when given, and
    solved once for the rows of equal ``same`` (per row, given when those rows have one law and one
    rule: a pipeline and its retrained twin at one size and one tau). A row's law and weights are
    row ``law_of[row]`` of ``fit`` and of ``weights`` (when given; else row ``row``), so that rows
    share them without copies. The thresholds of every row come from one root search: a rule's
    score scale_i |theta_hat_i| is the magnitude of scale_i theta_hat_i, whose law is the fit's scaled."""
    law_of = np.arange(len(pipelines)) if law_of is None else law_of
    risk, found = fit.risk[law_of], np.full(len(pipelines), np.nan)
    retrain = curves_with(pipelines, refit="retrain")
    rows = np.flatnonzero(retrain if limit else pipelines != "dense")
    if rows.size == 0:
        return risk, found
    names, which = np.unique(pipelines[rows], return_inverse=True)
    scales = np.stack([score_scale(CurveName.parse(str(name)).rule, lam) for name in names])
    solved, back = distinct(rows if same is None else same[rows])
    at, scale = law_of[rows[solved]], scales[which[solved]]
    found[rows] = score_thresholds(lam, weights[at], fit.mean[at] * scale, fit.var[at] * scale**2, s,
                                   "magnitude", None if start is None else start[rows[solved]], halley=True)[back]
    loss, keep = pruning_terms(lam, theta, weights, fit, law_of[rows], retrain[rows],
                               lambda some, columns: found[rows[some], None] / scales[which[some], :columns])
    pruned = ~retrain[rows]  # Cor. 1 with the ridge law
    risk[rows[pruned]] = sigma2[rows[pruned]] + loss[pruned]
    refit = rows[~pruned]  # Def. 5: the pruned features become noise of the refit
    if refit.size:
        kept_from = weights[law_of[refit]]
        noise = sigma2[refit] + np.sum(kept_from * (1 - keep[~pruned]) * lam * theta**2, axis=1)
        risk[refit] = law_rows(lam, theta, noise, n, kept_from * keep[~pruned]).risk
    return risk, found


def pruning_terms(lam: np.ndarray, theta: np.ndarray, weights: np.ndarray, fit: LawRows, law_of: np.ndarray,
                  retrain: np.ndarray, threshold) -> tuple[np.ndarray, np.ndarray]:
    """Per row (its law and weights: row ``law_of[row]`` of ``fit`` and of ``weights``) pruned at the
    thresholds on |theta_hat_j| ``threshold(rows, columns)`` (rows x columns): for a row not
    ``retrain`` its loss sum_j w_j lam_j E(theta*_j - Z_j 1{|Z_j| >= t_j})^2 (Cor. 1), and for a
    ``retrain`` row its keep probabilities (rows x atoms; 0 for the rest). Each row is evaluated on
    its leading columns only (:func:`column_blocks`): beyond them its weights are zero, and the sums
    run over every column, so that they add the same numbers in the same order as over all."""
    loss, keep = np.zeros((len(law_of), len(lam))), np.zeros((len(law_of), len(lam)))
    for some, columns in column_blocks(weights, width=row_widths(weights)[law_of]):
        some = np.arange(len(law_of))[some]
        law, hard, tau = law_of[some], ~retrain[some], threshold(some, columns)
        mean, var = fit.mean[law, :columns], fit.var[law, :columns]
        loss[some[hard], :columns] = weights[law[hard], :columns] * lam[:columns] * thresholded_sq_error(
            theta[:columns], mean[hard], var[hard], tau[hard])
        keep[some[~hard], :columns] = keep_probability(mean[~hard], var[~hard], tau[~hard])
    return np.sum(loss, axis=1), keep


def parabolic_minimum(objective, a: np.ndarray, b: np.ndarray, c: np.ndarray, fa: np.ndarray, fb: np.ndarray,
                      fc: np.ndarray, tolerance: float, iterations: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Per row, (x, objective there) at a local minimum of ``objective(x, rows)`` in [a, c], from a
    point b inside with the value fb there no larger than the values fa and fc at a and c: the
    vertex of the parabola through the values at a, b, c (or a golden-section point of the longer
    side, when the vertex is not inside or the three are degenerate), the bracket shrunk around the
    better point; a row stops when a step is shorter than ``tolerance``, every row at once (Brent's
    method without its bookkeeping)."""
    a, b, c, fa, fb, fc = (np.array(x, dtype=float) for x in (a, b, c, fa, fb, fc))
    active = np.arange(a.size)
    for _ in range(iterations):
        A, B, C, FA, FB, FC = a[active], b[active], c[active], fa[active], fb[active], fc[active]
        numerator = (B - A) ** 2 * (FB - FC) - (B - C) ** 2 * (FB - FA)
        denominator = (B - A) * (FB - FC) - (B - C) * (FB - FA)
        with np.errstate(divide="ignore", invalid="ignore"):
            vertex = B - 0.5 * numerator / denominator
        golden = np.where(C - B > B - A, B + (1 - _GOLDEN) * (C - B), B - (1 - _GOLDEN) * (B - A))
        usable = np.isfinite(vertex) & (vertex > A) & (vertex < C)
        u = np.where(usable, vertex, golden)
        u = np.where(np.abs(u - B) < tolerance / 2, B + np.where(C - B > B - A, 1, -1) * tolerance / 2, u)
        fu = objective(u, active)
        better, left = fu < FB, u < B
        # the new bracket: around u when it is better, else around b with u as the new end on its side
        a[active] = np.where(better, np.where(left, A, B), np.where(left, u, A))
        c[active] = np.where(better, np.where(left, B, C), np.where(left, C, u))
        fa[active] = np.where(better, np.where(left, FA, FB), np.where(left, fu, FA))
        fc[active] = np.where(better, np.where(left, FB, FC), np.where(left, FC, fu))
        b[active], fb[active] = np.where(better, u, B), np.where(better, fu, FB)
        done = (np.abs(u - B) <= tolerance) | (c[active] - a[active] <= tolerance)
        active = active[~done]
        if active.size == 0:
            break
    return b, fb


def grid_minimum(objective, lo: np.ndarray, hi: np.ndarray, points: int, tolerance: float,
                 by_column: bool = False) -> np.ndarray:
    """Per row, the x in [lo, hi] minimising ``objective(x, rows)`` (:func:`grid_minimum_value`)."""
    return grid_minimum_value(objective, lo, hi, points, tolerance, by_column)[0]


def grid_minimum_value(objective, lo: np.ndarray, hi: np.ndarray, points: int, tolerance: float,
                       by_column: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per row, (x, objective there) at the x in [lo, hi] minimising ``objective(x, rows)``: the best
    of ``points`` evenly spaced values (one evaluation of every row at all of them, or with
    ``by_column`` one evaluation per grid point in increasing order, for an objective that starts
    each row from its previous call), then :func:`parabolic_minimum` between its two neighbours,
    from their values on the grid (a local minimum elsewhere than the grid's best is not followed)."""
    count = lo.size
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, points)
    if by_column:
        on_grid = np.stack([objective(column, np.arange(count)) for column in grid.T], axis=1)
    else:
        on_grid = objective(grid.ravel(), np.repeat(np.arange(count), points)).reshape(count, points)
    best, rows = np.argmin(on_grid, axis=1), np.arange(count)
    left, right = np.maximum(best - 1, 0), np.minimum(best + 1, points - 1)
    return parabolic_minimum(objective, grid[rows, left], grid[rows, best], grid[rows, right], on_grid[rows, left],
                             on_grid[rows, best], on_grid[rows, right], tolerance)


def tuned_rows(lam, theta, sigma2, n: int, s: int, weights, pipelines: np.ndarray,
               size_of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(mu, risk) per row with mu tuned for the row's pipeline (``pipelines``, one a row): the best
    of a grid of log tau over :data:`MU_BOUNDS`, refined by :func:`grid_minimum`, or mu = inf when
    its limit is no worse (as chapter 10's tune_mu). ``size_of`` (per row, the model size it is of,
    when given) lets the rows of one size and one rule, e.g. magnitude and magnitude+retrain, solve
    their threshold once wherever they are at the same tau (every point of the grid), and their
    bounds on tau and their law once."""
    size_of = np.arange(weights.shape[0]) if size_of is None else size_of
    sized, by_size = distinct(size_of)
    log_lo, log_hi = (np.log(tau_of_mu(lam, weights[sized], n, mu))[by_size] for mu in MU_BOUNDS)
    latest = np.full(weights.shape[0], np.nan)  # each row's last threshold: where its next root search starts
    rules, rule_of = np.unique([CurveName.parse(str(name)).rule for name in pipelines], return_inverse=True)
    law_of = size_of * len(rules) + rule_of.ravel()

    def risk(log_tau, rows):
        solved, back = distinct(size_of[rows], log_tau)  # one size, one tau: one law
        at = rows[solved]
        law_weights = weights[at]
        law = ridge_law_rows(lam, theta, sigma2[at], n, law_weights, np.exp(log_tau[solved]))
        same = distinct(law_of[rows], log_tau)[1]  # one size, one rule, one tau
        value, latest[rows] = pipeline_thresholds(lam, theta, sigma2[rows], n, s, law_weights, law,
                                                  pipelines[rows], start=latest[rows], same=same, law_of=back)
        return value

    many_atoms = weights.shape[1] > BLOCK_COLUMNS  # then a root's steps, not the calls, take the time
    log_tau, tuned = grid_minimum_value(risk, log_lo, log_hi, GRID_POINTS, SEARCH_TOLERANCE, by_column=many_atoms)
    mu = mu_of_tau(lam, weights, n, np.exp(log_tau))
    limit = pipeline_rows(lam, theta, sigma2, n, s, weights, screening_rows(lam, theta, sigma2, n, weights),
                          pipelines, limit=True)
    at_limit = limit <= tuned
    return np.where(at_limit, np.inf, mu), np.where(at_limit, limit, tuned)


def ridge_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, pipelines=PIPELINES) -> dict:
    """{pipeline: (mu, risk)}: for the model on the first k features, k in ``sizes``, of a diagonal
    problem, ridge with mu tuned for the pipeline (oracle tuning, theta* and Sigma known), then the
    pipeline; the numbers of chapter 10's per-size ``tune_mu`` and ``pipeline_risk`` for all sizes
    at once, every pipeline searched together. At k <= s nothing is pruned: a pruned pipeline is the
    dense fit with its tuned mu, a retrained one the min-norm refit of all k features (whatever mu,
    reported as mu = 0)."""
    unknown = set(pipelines) - set(PIPELINES)
    if unknown:
        raise ValueError(f"no ridge pipeline {sorted(unknown)}; these are: {list(PIPELINES)}")
    sizes = np.asarray(sizes, dtype=int)
    lam, theta, atom_of, weights = prefix_weights(problem, sizes)
    total = np.bincount(atom_of, minlength=len(lam)).astype(float)
    sigma2 = problem.sigma**2 + (total - weights) @ (lam * theta**2)  # Lemma 7: the left-out features are noise
    # every (pipeline, size) a row: the dense fit at every size, each other pipeline where it prunes
    pruned = sizes > s
    names = [pipeline for pipeline in pipelines if pipeline != "dense"]
    rows = np.concatenate([np.arange(len(sizes))] + [np.flatnonzero(pruned)] * len(names))
    labels = np.array(["dense"] * len(sizes) + [name for name in names for _ in range(int(pruned.sum()))])
    mu, risk = tuned_rows(lam, theta, sigma2[rows], n, s, weights[rows], labels, size_of=rows)
    dense = mu[:len(sizes)], risk[:len(sizes)]
    out = {"dense": dense} if "dense" in pipelines else {}
    for name in names:
        at = labels == name
        mu_k, risk_k = dense[0].copy(), dense[1].copy()
        if CurveName.parse(name).refit == "retrain" and not pruned.all():
            mu_k[~pruned] = 0.0
            risk_k[~pruned] = law_rows(lam, theta, sigma2[~pruned], n, weights[~pruned]).risk
        mu_k[pruned], risk_k[pruned] = mu[at], risk[at]
        out[name] = (mu_k, risk_k)
    return out
