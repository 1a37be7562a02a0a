"""Which regularization makes the best pruned model (beyond the paper): ridge, then prune; the
theory curves and the simulation (the chapter's figures, tables, claims and quoted numbers are in
:mod:`overparam.reports.ridge_pruning`).

The learner fits ridge with penalty mu sum_i omega_i theta_i^2 on the first k features (omega = 1,
1/lambda_i or lambda_i: :data:`overparam.theory.ridge.PENALTIES`), prunes to s weights by magnitude
or Hessian score, and may refit the kept weights by least squares on a fresh sample. The ridge DC
predicts every risk (:class:`overparam.theory.risk.FitLaw` with ``mu``); mu is tuned by a bounded
1-D search on log mu, either for the dense model (``dense-optimal``) or for the compressed pipeline
itself (``prune-optimal``), with min-norm least squares (mu = 0, tuning ``none``) as the baseline.
The simulated point of a tuned curve uses the theory's tuned mu itself (ridge fits at any mu cost
the same, from one SVD), so theory and simulation are compared at the same mu; a grid of mus gives
the heat map and the simulated best grid value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS, TrainedFit
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.ridge import penalty_weights, ridge_path
from overparam.theory.risk import FitLaw

PIPELINES = ["magnitude", "hessian", "magnitude+retrain", "hessian+retrain"]
TUNINGS = ["none", "dense-optimal", "prune-optimal"]
COLUMNS = ["panel", "curve", "source", "k", "mu", "penalty", "tuning", "risk", "ci_low", "ci_high"]
MU_BOUNDS = (1e-5, 1e2)


def pipeline_risk(problem: LinearGaussianProblem, n: int, s: int, curve: str, mu: float,
                  penalty: str = "identity") -> float:
    """Predicted risk of ridge (mu, penalty) on ``problem`` followed by the registered compressor
    ``curve`` (dense, magnitude, hessian, magnitude+retrain, hessian+retrain) at budget s."""
    return COMPRESSORS[curve].theory(FitLaw(problem, n, mu=mu, penalty=penalty), s)


def tune_mu(problem: LinearGaussianProblem, n: int, s: int, curve: str, penalty: str = "identity",
            bounds=MU_BOUNDS) -> tuple[float, float]:
    """(mu, risk) minimising :func:`pipeline_risk` over log mu in ``bounds`` (bounded Brent search)."""
    def objective(log_mu):
        risk = pipeline_risk(problem, n, s, curve, float(np.exp(log_mu)), penalty)
        return risk if np.isfinite(risk) else 1e300

    best = minimize_scalar(objective, bounds=np.log(bounds), method="bounded", options={"xatol": 1e-3})
    return float(np.exp(best.x)), float(best.fun)


def theory_table(problem: LinearGaussianProblem, n: int, s: int, ks, panel: str = "b",
                 penalties=("identity",), progress: bool = False) -> pd.DataFrame:
    """Theory rows of every curve and tuning at each model size k: mu = 0 (``none``), mu tuned for
    the dense fit (``dense-optimal``, the same mu for every pipeline), and mu tuned for each pipeline
    (``prune-optimal``); the dense fit with its own tuned mu is the curve ``dense``."""
    rows = []
    for k in tqdm(ks, desc="theory", disable=not progress, mininterval=1.0):
        sub = problem.prefix(int(k))
        for penalty in penalties:
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


def simulated_mus(theory: pd.DataFrame, ks) -> dict:
    """For each (k, penalty) of the simulated sizes, the mus the simulation needs: every mu of the
    theory rows there (the tuned ones, and mu = 0 for the tuning ``none``)."""
    needed = {}
    for row in theory[theory.k.isin(list(ks))].itertuples():
        needed.setdefault((int(row.k), row.penalty), set()).add(float(row.mu))
    return {key: sorted(values) for key, values in needed.items()}


def simulate(problem: LinearGaussianProblem, n: int, s: int, needed: dict, grid, trials: int, seed,
             progress: bool = True) -> dict:
    """Per-trial risks keyed by (curve, k, mu, penalty), arrays of length ``trials``.

    Each trial draws a training sample and a fresh one (for retraining); for every model size k and
    penalty, one SVD gives the ridge fits at all mus (:func:`overparam.theory.ridge.ridge_path`).
    The dense and pruned risks are computed at every mu of ``grid`` with the identity penalty (the
    heat map's simulated optimum), the retrained ones only at the mus in ``needed``.
    """
    out: dict = {}
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(trials), desc="simulation",
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        for (k, penalty), mus in needed.items():
            everywhere = sorted(set(mus) | (set(grid) if penalty == "identity" else set()))
            omega = penalty_weights(penalty, problem.cov_diagonal[:k])
            for mu, theta_k in zip(everywhere, ridge_path(X[:, :k], y, everywhere, omega)):
                theta = np.zeros(problem.p)
                theta[:k] = theta_k
                fit = TrainedFit(problem, theta, k, X, y, fresh, s)
                for curve in ["dense", *PIPELINES]:
                    if curve.endswith("+retrain") and mu not in mus:
                        continue
                    risks = out.setdefault((curve, k, mu, penalty), np.full(trials, np.nan))
                    risks[t] = problem.risk(COMPRESSORS[curve].compress(fit))
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
