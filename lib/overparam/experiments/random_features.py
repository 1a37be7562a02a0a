"""Random-features regression (Fig. 2 and Fig. 4): train-prune-retrain against the number of features.

One draw of the directions R serves every model size p (the first p rows), like the prefix models
of the linear chapter; each size is judged by its exact test risk through the equivalent LGP. The
chapter's table, figures' helpers, claims and quoted numbers are in :mod:`overparam.reports.random_features`;
real data (chapter 7) in :mod:`overparam.experiments.random_features_mnist`.
"""
from __future__ import annotations

import numpy as np

from overparam.theory.dc import dc_eigenbasis
from overparam.theory.features import equivalent_lgp, quadratic_labels, random_directions, relu_features
from overparam.theory.problems import restrict_problem
from overparam.theory.pruning import magnitude_support
from overparam.theory.refit import dc_draws as sample_dc_draws
from overparam.theory.refit import pruned_risks, retrained_risks, supports_of
from overparam.theory.risk import dense_risk
from overparam.theory.solvers import fit_on_support, min_norm_least_squares, prefix_min_norm_fits

# The simulated curves, by the book's curve names (overparam.book.curve_names). Two are not simulated
# risks but the Gaussian-design refit formula (Def. 5 given the support) on a simulated support:
# "kept-support" on the support magnitude pruning kept, which splits the retrained gap into the choice
# of support and the refit itself, and "random-support" on a random support of the same size, the
# formula for "random+retrain" (a control).
SIM_CURVES = ["dense", "magnitude", "magnitude+retrain", "magnitude+retrain-same-sample", "kept-support",
              "random+retrain", "random-support"]
THEORY_CURVES = ["dense", "magnitude", "magnitude+retrain"]  # the DC predictions of theory_task


def run_memory(p_grid, n: int, dc_draws: int) -> tuple[float, str]:
    """A rough estimate of the memory a run of simulate_task and theory_task needs, in bytes, and the
    parameters that drive it (for overparam.book.params.check_parameters): the equivalent LGP of every
    size (a p x p covariance each, held together), a few p x p work matrices of the largest size (the
    DC draws' factorisation), the two n x p samples with their factors, and a few stacks of the DC draws
    (the draws, their pruned models and their products with Sigma, all held at once by theory_task)."""
    p_max = max(p_grid)
    values = 2 * sum(p * p for p in p_grid) + 3 * p_max**2 + 6 * n * p_max + 4 * dc_draws * p_max
    return 8.0 * values, f"p_grid up to {p_max} and n={n} (a p x p covariance per size, two n x p samples)"


def draw_task(d: int, p_max: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One random-features task: directions R (p_max x d) and a unit label direction beta."""
    beta = rng.standard_normal(d)
    return random_directions(p_max, d, rng), beta / np.linalg.norm(beta)


def task_problems(R, beta, p_grid) -> dict:
    """The equivalent LGP (Def. 2) of the model with the first p rows of R, for every p of the grid:
    {p: LinearGaussianProblem}, shared by a task's simulations and its theory."""
    return {int(p): equivalent_lgp(R[:p], beta) for p in p_grid}


DESIGNS = ["relu", "gaussian", "relu-independent-noise"]  # the real model, its Gaussian twin, and a hybrid


def feature_sampler(R, beta, design: str, problem=None):
    """A sampler ``draw(n, rng) -> (Phi, y)`` of training pairs of one task, with all len(R) features.

    - ``"relu"``: x ~ N(0, I_d), (ReLU(R x), (beta^T x)^2), the real model.
    - ``"relu-independent-noise"``: the same features, but y = phi^T theta* + sigma z with z ~ N(0, 1)
      independent of x: the best linear predictor plus a noise of the right variance that ignores x.
    - ``"gaussian"``: the task's equivalent LGP (Def. 2), its *Gaussian twin*: Gaussian features with
      the same uncentred second moments E[phi phi^T], E[y phi], E[y^2] (but mean zero, where ReLU
      features have a positive mean) and a Gaussian noise independent of them.

    All three have the same equivalent LGP, for the whole feature set and for every subset of it,
    so they differ only in what the DC ignores, the higher moments. ``problem`` is that equivalent
    LGP of (R, beta) when the caller has already computed it.
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    if design != "relu" and problem is None:
        problem = equivalent_lgp(R, beta)
    if design == "gaussian":
        return problem.sample

    def draw(n, rng):
        X = rng.standard_normal((n, R.shape[1]))
        Phi = relu_features(X, R)
        if design == "relu":
            return Phi, quadratic_labels(X, beta)
        return Phi, Phi @ problem.theta_star + problem.sigma * rng.standard_normal(n)
    return draw


def supported_risk(problem, image: np.ndarray, energy: float, values: np.ndarray, support: np.ndarray) -> float:
    """Test risk L(theta) = sigma^2 + (theta - theta*)^T Sigma (theta - theta*) (Sec. 1) of a model with
    ``values`` on ``support`` and zeros elsewhere, from the support's block of Sigma alone:
    sigma^2 + energy - 2 theta_D^T image_D + theta_D^T Sigma_DD theta_D, with image = Sigma theta* and
    energy = theta*^T Sigma theta* computed once per problem (O(s^2) instead of O(p^2))."""
    quadratic = values @ problem.cov[np.ix_(support, support)] @ values
    return float(problem.sigma**2 + energy - 2 * values @ image[support] + quadratic)


def support_refit_formula(problem, image: np.ndarray, energy: float, support: np.ndarray, n: int) -> float:
    """Def. 5 given the support: the dense DC risk of the LGP the kept features see, sigma_D^2 (n - 1)/(n - s - 1)
    for s < n - 1, with sigma_D^2 = sigma^2 + energy - image_D^T Sigma_DD^{-1} image_D (see
    overparam.theory.problems.restrict_problem; image and energy as in :func:`supported_risk`); for
    s >= n - 1 the dense DC risk of the restricted LGP itself."""
    s = len(support)
    if s >= n - 1:
        return dense_risk(restrict_problem(problem, support), n)
    explained = image[support] @ np.linalg.solve(problem.cov[np.ix_(support, support)], image[support])
    return float((problem.sigma**2 + max(energy - explained, 0.0)) * (n - 1) / (n - s - 1))


def simulate_task(R, beta, n, p_grid, budgets, data_draws, seed, design: str = "relu", problems=None) -> dict:
    """Simulated risks for one R: {curve: array (data_draws, len(p_grid), len(budgets))}.

    The dense curve does not depend on the budget and is repeated along the last axis. Budgets not
    below p are marked NaN (nothing to prune). ``design`` is one of DESIGNS
    (see ``feature_sampler``). Every sparse model is scored on its support's block of Sigma
    (:func:`supported_risk`, :func:`support_refit_formula`). ``problems`` is :func:`task_problems` of
    (R, beta, p_grid) when the caller has already computed it.
    """
    p_grid, budgets = [int(p) for p in p_grid], [int(s) for s in budgets]
    problems = task_problems(R, beta, p_grid) if problems is None else problems
    images = {p: problem.cov @ problem.theta_star for p, problem in problems.items()}
    energies = {p: float(problems[p].theta_star @ images[p]) for p in p_grid}
    out = {name: np.full((data_draws, len(p_grid), len(budgets)), np.nan) for name in SIM_CURVES}
    draw = feature_sampler(R[:max(p_grid)], beta, design, problems[max(p_grid)])
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(data_draws)):
        support_rng = np.random.default_rng(child.spawn(1)[0])  # its own stream: the data draws stay as they were
        rng = np.random.default_rng(child)
        (Phi, y), (Phi_fresh, y_fresh) = draw(n, rng), draw(n, rng)
        for a, (p, theta) in enumerate(prefix_min_norm_fits(Phi, y, p_grid)):
            problem, image, energy = problems[p], images[p], energies[p]

            def risk(values, support):
                return supported_risk(problem, image, energy, values, support)

            out["dense"][t, a, :] = problem.risk(theta)
            for b, s in enumerate(budgets):
                if s >= p:
                    continue
                support = magnitude_support(theta, s)
                random_support = np.sort(support_rng.choice(p, size=s, replace=False))
                out["magnitude"][t, a, b] = risk(theta[support], support)
                out["magnitude+retrain"][t, a, b] = risk(min_norm_least_squares(Phi_fresh[:, support], y_fresh), support)
                out["magnitude+retrain-same-sample"][t, a, b] = risk(min_norm_least_squares(Phi[:, support], y), support)
                out["kept-support"][t, a, b] = support_refit_formula(problem, image, energy, support, n)
                out["random+retrain"][t, a, b] = risk(min_norm_least_squares(Phi_fresh[:, random_support], y_fresh),
                                                      random_support)
                out["random-support"][t, a, b] = support_refit_formula(problem, image, energy, random_support, n)
    return out


def retrained_dc_risks(problem, supports: np.ndarray, n: int) -> np.ndarray:
    """The retraining DC (Def. 5) of each draw's kept support (draws x s), retrained on a fresh sample
    of size n: sigma_D^2 (n - 1)/(n - s - 1) in one batched solve when s < n - 1
    (:func:`overparam.theory.refit.retrained_risks`), else the dense DC risk of each restricted LGP."""
    if supports.shape[1] < n - 1:
        return retrained_risks(problem, supports, n)
    return np.array([dense_risk(restrict_problem(problem, support), n) for support in supports])


def theory_task(R, beta, n, p_grid, budgets, dc_draws, seed, problems=None) -> dict:
    """DC predictions for one R (Def. 4 and Def. 5 on the equivalent LGP, Def. 2): {"dense": (len(p_grid),),
    "magnitude"/"magnitude+retrain": (len(p_grid), len(budgets))}, the last two Monte-Carlo means over
    ``dc_draws`` draws of theta_hat from its DC Gaussian (pruned to each budget by magnitude), with their
    Monte-Carlo standard errors under "magnitude mc_se"/"magnitude+retrain mc_se" (NaN for one draw).

    All draws of one size are handled as one stack (one eigendecomposition of Sigma per size, batched
    supports, risks and refits): at the chapter's defaults 1,000 draws take about as long per task (3.6 s)
    as 30 did one by one (2.7 s).
    ``problems`` is :func:`task_problems` of (R, beta, p_grid) when the caller has already computed it.
    """
    rng = np.random.default_rng(seed)
    problems = task_problems(R, beta, p_grid) if problems is None else problems
    shape = (len(p_grid), len(budgets))
    out = {"dense": np.empty(len(p_grid)), **{key: np.full(shape, np.nan) for key in
                                              ["magnitude", "magnitude+retrain", "magnitude mc_se", "magnitude+retrain mc_se"]}}
    for a, p in enumerate(p_grid):
        problem = problems[int(p)]
        out["dense"][a] = dc_eigenbasis(problem, n)[1].risk
        below = [b for b, s in enumerate(budgets) if s < p]
        if not below or not np.isfinite(out["dense"][a]):
            continue
        thetas = sample_dc_draws(problem, n, dc_draws, rng)
        for b in below:
            supports = supports_of(thetas, budgets[b], "magnitude", problem.cov_diagonal)
            for curve, risks in [("magnitude", pruned_risks(problem, thetas, supports)),
                                 ("magnitude+retrain", retrained_dc_risks(problem, supports, n))]:
                out[curve][a, b] = risks.mean()
                out[f"{curve} mc_se"][a, b] = risks.std(ddof=1) / np.sqrt(dc_draws) if dc_draws > 1 else np.nan
    return out


def refit_on_fixed_support(d: int, n: int, s: int, trials: int, seed) -> dict[str, np.ndarray]:
    """The retraining step alone: least squares on s random ReLU features, on each of DESIGNS.

    Each trial draws a fresh task (s directions R, a unit beta; a random subset of i.i.d. rows is
    itself i.i.d., so this is a random support of any larger model) and one sample of size n of
    each design. Returns arrays of shape (trials,): "theory", the Gaussian-design risk
    sigma^2 (n - 1) / (n - s - 1) of the task's equivalent LGP (Def. 5; exact in expectation for
    mean-zero Gaussian features with an independent noise, s < n - 1), and the test risk of the
    fit for every design.
    """
    if not 1 <= s < n - 1:
        raise ValueError(f"need 1 <= s < n - 1 for an underparameterized refit, got s={s}, n={n}")
    out = {name: np.empty(trials) for name in ["theory", *DESIGNS]}
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        R, beta = draw_task(d, s, rng)
        problem = equivalent_lgp(R, beta)
        out["theory"][t] = dense_risk(problem, n)
        for design in DESIGNS:
            Phi, y = feature_sampler(R, beta, design, problem)(n, rng)
            out[design][t] = problem.risk(np.linalg.lstsq(Phi, y, rcond=None)[0])
    return out


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
