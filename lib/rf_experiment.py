"""Random-features regression (Fig. 2 and Fig. 4): train-prune-retrain against the number of features.

One draw of the directions R serves every model size p (the first p rows), like the prefix models
of the linear chapter; each size is judged by its exact test risk through the equivalent LGP.
"""
from __future__ import annotations

import numpy as np

from .features import equivalent_lgp, quadratic_labels, random_directions, relu_features
from .pruning import magnitude_support, restrict
from .risk import dense_risk, sampled_prune_retrain_risks
from .solvers import fit_on_support, prefix_min_norm_fits

SIM_CURVES = ["dense", "pruned", "retrained", "retrained-same-sample"]


def draw_task(d: int, p_max: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One random-features task: directions R (p_max x d) and a unit label direction beta."""
    beta = rng.standard_normal(d)
    return random_directions(p_max, d, rng), beta / np.linalg.norm(beta)


DESIGNS = ["relu", "gaussian"]


def feature_sampler(R, beta, design: str):
    """A sampler ``draw(n, rng) -> (Phi, y)`` of training pairs of one task, with all len(R) features.

    ``design="relu"`` draws x ~ N(0, I_d) and returns (ReLU(R x), (beta^T x)^2): the real model.
    ``design="gaussian"`` draws from the task's equivalent LGP instead (Def. 2), its *Gaussian twin*:
    Gaussian features with the same second moments E[phi phi^T], E[y phi], E[y^2], and a Gaussian
    noise independent of them. Every prefix or subset of the twin's features has the same
    equivalent LGP as the ReLU one, so the two designs differ only in what the DC ignores, the
    higher moments.
    """
    if design == "relu":
        def draw(n, rng):
            X = rng.standard_normal((n, R.shape[1]))
            return relu_features(X, R), quadratic_labels(X, beta)
        return draw
    if design == "gaussian":
        return equivalent_lgp(R, beta).sample
    raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")


def simulate_task(R, beta, n, p_grid, budgets, data_draws, seed, design: str = "relu") -> dict:
    """Simulated risks for one R: {curve: array (data_draws, len(p_grid), len(budgets))}.

    The dense curve does not depend on the budget and is repeated along the last axis. Budgets not
    below p are marked NaN (nothing to prune). ``design`` picks ReLU data or its Gaussian twin
    (see ``feature_sampler``).
    """
    p_grid, budgets = [int(p) for p in p_grid], [int(s) for s in budgets]
    problems = {p: equivalent_lgp(R[:p], beta) for p in p_grid}
    out = {name: np.full((data_draws, len(p_grid), len(budgets)), np.nan) for name in SIM_CURVES}
    draw = feature_sampler(R[:max(p_grid)], beta, design)
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(data_draws)):
        rng = np.random.default_rng(child)
        (Phi, y), (Phi_fresh, y_fresh) = draw(n, rng), draw(n, rng)
        for a, (p, theta) in enumerate(prefix_min_norm_fits(Phi, y, p_grid)):
            problem = problems[p]
            out["dense"][t, a, :] = problem.risk(theta)
            for b, s in enumerate(budgets):
                if s >= p:
                    continue
                support = magnitude_support(theta, s)
                out["pruned"][t, a, b] = problem.risk(restrict(theta, support))
                out["retrained"][t, a, b] = problem.risk(fit_on_support(Phi_fresh[:, :p], y_fresh, support))
                out["retrained-same-sample"][t, a, b] = problem.risk(fit_on_support(Phi[:, :p], y, support))
    return out


def theory_task(R, beta, n, p_grid, budgets, dc_draws, seed) -> dict:
    """DC predictions for one R: {"dense": (len(p_grid),), "pruned"/"retrained": (len(p_grid), len(budgets))}."""
    rng = np.random.default_rng(seed)
    out = {"dense": np.empty(len(p_grid)), "pruned": np.full((len(p_grid), len(budgets)), np.nan),
           "retrained": np.full((len(p_grid), len(budgets)), np.nan)}
    for a, p in enumerate(p_grid):
        problem = equivalent_lgp(R[:p], beta)
        out["dense"][a] = dense_risk(problem, n)
        below = [b for b, s in enumerate(budgets) if s < p]
        if below and np.isfinite(out["dense"][a]):
            risks = sampled_prune_retrain_risks(problem, n, [budgets[b] for b in below], dc_draws, rng)
            out["pruned"][a, below] = risks["pruned"]
            out["retrained"][a, below] = risks["retrained"]
    return out


def refit_on_fixed_support(d: int, n: int, p: int, s: int, trials: int, seed) -> dict:
    """The retraining step alone, on both designs: least squares on ``s`` fixed random features.

    Draws one task (R with p rows, beta) and a uniformly random support of size s < n - 1, then
    fits the s features on ``trials`` fresh samples of size n, from ReLU data and from its Gaussian
    twin. Returns {"theory": the Gaussian-design risk sigma_D^2 (n - 1) / (n - s - 1) of the
    restricted LGP (Def. 5), "relu": risks (trials,), "gaussian": risks (trials,)}. The refit is
    underparameterized, so the theory is exact for the Gaussian twin; any gap on ReLU data comes
    from the features' and the noise's higher moments, which the DC ignores.
    """
    if not 1 <= s < n - 1:
        raise ValueError(f"need 1 <= s < n - 1 for an underparameterized refit, got s={s}, n={n}")
    rng = np.random.default_rng(seed)
    R, beta = draw_task(d, p, rng)
    support = np.sort(rng.choice(p, size=s, replace=False))
    problem = equivalent_lgp(R[support], beta)
    draws = {design: feature_sampler(R[support], beta, design) for design in DESIGNS}
    risks = {design: np.empty(trials) for design in DESIGNS}
    for t in range(trials):
        for design, draw in draws.items():
            risks[design][t] = problem.risk(np.linalg.lstsq(*draw(n, rng), rcond=None)[0])
    return {"theory": dense_risk(problem, n), **risks}


REAL_DATA_CURVES = ["dense", "magnitude", "magnitude+retrain", "random", "random+retrain"]


def real_data_sweep(X_train, Y_train, X_test, Y_test, R, p_grid, budget, rng) -> dict[str, np.ndarray]:
    """Random ReLU features on real data: min-norm least squares with one target column per class,
    feature pruning to ``budget`` features (by the norm of a feature's row of weights, or at random),
    and retraining on the same training sample.

    Returns {curve: array (len(p_grid), 2)} with the test squared loss (mean over samples, summed
    over classes) and the test classification error (argmax of the outputs).
    """
    p_grid = [int(p) for p in p_grid]
    features, test_features = relu_features(X_train, R), relu_features(X_test, R)
    labels = Y_test.argmax(axis=1)

    def scores(theta, p):
        outputs = test_features[:, :p] @ theta
        return np.mean(np.sum((Y_test - outputs) ** 2, axis=1)), np.mean(outputs.argmax(axis=1) != labels)

    out = {name: np.full((len(p_grid), 2), np.nan) for name in REAL_DATA_CURVES}
    for a, (p, theta) in enumerate(prefix_min_norm_fits(features, Y_train, p_grid)):
        out["dense"][a] = scores(theta, p)
        if budget >= p:
            continue
        supports = {"magnitude": magnitude_support(np.linalg.norm(theta, axis=1), budget),
                    "random": np.sort(rng.choice(p, size=budget, replace=False))}
        for method, support in supports.items():
            pruned = np.zeros_like(theta)
            pruned[support] = theta[support]
            out[method][a] = scores(pruned, p)
            out[method + "+retrain"][a] = scores(fit_on_support(features[:, :p], Y_train, support), p)
    return out
