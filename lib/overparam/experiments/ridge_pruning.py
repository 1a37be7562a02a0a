"""Which regularization makes the best pruned model (beyond the paper): ridge, then prune.

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


TUNING_STYLE = {"none": dict(ls=":", mfc="none", label="min-norm (mu = 0)"),
                "dense-optimal": dict(ls="--", mfc="none", label="mu tuned for the dense model"),
                "prune-optimal": dict(ls="-", mfc=None, label="mu tuned for the pruned model")}
PENALTY_STYLE = {"identity": dict(ls="-", marker="o", label="plain ridge, Ω = I"),
                 "inverse-covariance": dict(ls="--", marker="s", label="Ω = Σ⁻¹"),
                 "covariance": dict(ls=":", marker="^", label="Ω = Σ")}


def _draw(ax, rows: pd.DataFrame, color, marker, ls, mfc, label):
    theory, simulation = rows[rows.source == "theory"], rows[rows.source == "simulation"]
    ax.plot(theory.k, theory.risk, color=color, ls=ls, lw=1.4)
    ax.errorbar(simulation.k, simulation.risk, yerr=[simulation.risk - simulation.ci_low, simulation.ci_high - simulation.risk],
                fmt=marker, ms=5, color=color, mfc=mfc or color, capsize=2, lw=1, label=label)


def _risk_axes(ax, n, s, title):
    from overparam.book.style import log_axis

    log_axis(ax)
    ax.axvline(s, color="grey", ls="--", lw=0.8)
    ax.axvline(n, color="grey", ls=":", lw=0.8)
    ax.set_xlabel("number of features used, k")
    ax.set_ylabel("test risk")
    ax.set_title(title)


def plot_tunings(table: pd.DataFrame, curves, n: int, s: int, ylim=None):
    """One panel per pipeline in ``curves``: its risk against k for the three tunings of mu (plain
    ridge), with the dense model at its own best mu as the reference."""
    import matplotlib.pyplot as plt

    from overparam.book.curves import style_of

    from overparam.book.style import log_axis, theory_simulation_legend

    plain = table[table.penalty == "identity"]
    fig, axes = plt.subplots(1, len(curves), figsize=(11, 4.6), sharey=True)
    for ax, curve in zip(axes, curves):
        dense = style_of("dense")
        _draw(ax, plain[(plain.curve == "dense") & (plain.tuning == "dense-optimal")], dense["color"], dense["marker"],
              "-", None, "dense model, mu tuned for it")
        for tuning, look in TUNING_STYLE.items():
            style = style_of(curve)
            _draw(ax, plain[(plain.curve == curve) & (plain.tuning == tuning)], style["color"], style["marker"],
                  look["ls"], look["mfc"], f"pruned model, {look['label']}")
        _risk_axes(ax, n, s, style_of(curve)["label"])
        log_axis(ax, "y")
        ax.set_yticks([1.5, 2, 3, 5, 10, 20])
        if ylim:
            ax.set_ylim(*ylim)
    for ax in axes[1:]:
        ax.set_ylabel("")
    theory_simulation_legend(fig, axes[0], ncol=2)
    return fig


def plot_penalties(table: pd.DataFrame, curves, n: int, s: int):
    """One panel per pipeline: its risk against k with mu tuned for it, for each penalty."""
    import matplotlib.pyplot as plt

    from overparam.book.curves import style_of

    from overparam.book.style import theory_simulation_legend

    tuned = table[table.tuning == "prune-optimal"]
    fig, axes = plt.subplots(1, len(curves), figsize=(11, 4.6), sharey=True)
    for ax, curve in zip(axes, curves):
        for penalty, look in PENALTY_STYLE.items():
            _draw(ax, tuned[(tuned.curve == curve) & (tuned.penalty == penalty)], style_of(curve)["color"],
                  look["marker"], look["ls"], None, look["label"])
        _risk_axes(ax, n, s, style_of(curve)["label"] + ", mu tuned for it")
    axes[1].set_ylabel("")
    theory_simulation_legend(fig, axes[0], ncol=3)
    return fig


def plot_heat_map(risks: np.ndarray, ks, mus, theory: pd.DataFrame, best_simulated: pd.DataFrame, n: int, s: int):
    """The magnitude-pruned risk of plain ridge over (k, mu), log colour scale, with the mu tuned for
    the dense model and for the pruned one (theory lines) and the simulated best grid mu (markers)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from overparam.book.style import log_axis

    fig, ax = plt.subplots(figsize=(8, 4.8))
    mesh = ax.pcolormesh(ks, mus, risks, norm=LogNorm(vmin=np.nanmin(risks), vmax=min(np.nanmax(risks), 10 * np.nanmin(risks))),
                         cmap="viridis", shading="nearest")
    fig.colorbar(mesh, ax=ax, label="magnitude-pruned test risk (theory)")
    plain = theory[(theory.penalty == "identity") & (theory.k > s)]
    for curve, tuning, color, label in [("dense", "dense-optimal", "white", "mu tuned for the dense model"),
                                        ("magnitude", "prune-optimal", "#E69F00", "mu tuned for the pruned model")]:
        line = plain[(plain.curve == curve) & (plain.tuning == tuning)]
        ax.plot(line.k, line.mu, color=color, lw=2, label=label)
    ax.plot(best_simulated.k, best_simulated.mu, "o", color="#E69F00", mec="black", ms=6,
            label="best grid mu in simulation (pruned)")
    from matplotlib.ticker import FuncFormatter

    log_axis(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.axvline(n, color="white", ls=":", lw=1)
    ax.set_xlabel("number of features used, k")
    ax.set_ylabel("ridge regularization mu")
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def mu_ratios(theory: pd.DataFrame, s: int) -> pd.DataFrame:
    """Per k > s (plain ridge): the mu tuned for each pipeline over the mu tuned for the dense model."""
    plain = theory[(theory.penalty == "identity") & (theory.k > s)]
    dense = plain[(plain.curve == "dense") & (plain.tuning == "dense-optimal")].set_index("k").mu
    tuned = plain[plain.tuning == "prune-optimal"].pivot(index="k", columns="curve", values="mu")
    return tuned.div(dense, axis=0)[PIPELINES]


def agreement_points(problem: LinearGaussianProblem, n: int, s: int, simulation: pd.DataFrame,
                     window=(0.9, 1.1)) -> pd.DataFrame:
    """Every simulated point outside ``window`` x n next to the theory at the same mu, with the
    relative gap and whether its 95% interval contains the theory."""
    points = simulation[(simulation.k < window[0] * n) | (simulation.k > window[1] * n)].copy()
    points["risk_theory"] = [pipeline_risk(problem.prefix(int(row.k)), n, s, row.curve, row.mu, row.penalty)
                             for row in points.itertuples()]
    points["gap"] = (points.risk - points.risk_theory).abs() / points.risk_theory
    points["covered"] = (points.ci_low <= points.risk_theory) & (points.risk_theory <= points.ci_high)
    return points


def ridge_claims(theory: pd.DataFrame, simulated: dict, n: int, s: int, p: int, sim_ks,
                 points: pd.DataFrame) -> list:
    """The four answers of the chapter, and the agreement of the ridge DC with the simulation
    (``points`` from :func:`agreement_points`), as claims judged by the rules (origin ``beyond``).
    The statements about the theory alone carry the theory's finite-size band (declared in
    overparam.book.claim_table), inside which they are inconclusive."""
    from overparam.book.claims import claim
    from overparam.book.claim_table import tolerance
    from overparam.book.verdicts import agreement, comparison, deterministic, non_inferiority, over_range

    def draws(curve, k, tuning, penalty="identity"):
        row = theory[(theory.curve == curve) & (theory.k == k) & (theory.tuning == tuning) & (theory.penalty == penalty)]
        return simulated[(curve, int(k), float(row.mu.iloc[0]), penalty)]

    claims = [claim("ridge-dc-agreement", "Sec. 5 (open question)",
                    "the ridge DC predicts every simulated risk (dense, pruned, retrained; three penalties), away from "
                    "the peak (the retrained points of a trial share one fresh sample across k and mu: the points are "
                    "not independent tests)",
                    agreement(points.risk_theory, points.risk, points.ci_low, points.ci_high,
                              tolerance("ridge-dc-agreement")), origin="beyond")]
    near = min(sim_ks, key=lambda k: abs(k - 1.05 * n))
    beyond = min(sim_ks, key=lambda k: abs(k - 1.3 * n))
    margin = tolerance("ridge-no-peak")
    for curve in ["magnitude", "hessian"]:
        at_beyond = draws(curve, beyond, "prune-optimal")
        bump = non_inferiority((at_beyond - draws(curve, near, "prune-optimal")) / at_beyond.mean(), margin,
                               what=f"(risk at k = {beyond} minus at k = {near}) / risk at k = {beyond}")
        claims.append(claim("ridge-no-peak", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: no peak at "
                            f"k = n (risk at k ≈ 1.05n at most {margin:.0%} above the risk at k ≈ 1.3n)", bump,
                            origin="beyond", variant=curve))
    ratios = mu_ratios(theory, s)
    band = tolerance("ridge-pruning-needs-larger-mu")
    for curve in ["magnitude", "hessian"]:
        claims.append(claim("ridge-pruning-needs-larger-mu", "Sec. 5 (open question)",
                            f"{curve} pruning needs a larger mu than the dense model at every k > s (theory)",
                            over_range([deterministic(float(ratio), 1.0, band, "above") for ratio in ratios[curve]],
                                       [int(k) for k in ratios.index], "k = "), origin="beyond", variant=curve))
    for curve in ["magnitude", "hessian"]:
        tuned = theory[(theory.curve == curve) & (theory.tuning == "prune-optimal") & (theory.penalty == "identity")]
        risks = tuned.set_index("k").risk
        others = risks.drop(p)
        claims.append(claim("ridge-largest-model-best", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: the "
                            "best pruned model is the largest one, k = p (theory)",
                            deterministic(float(others.min() / risks[p] - 1), 0.0, tolerance("ridge-largest-model-best"),
                                          "above", text=f"lowest risk at k < p over the risk at k = p, minus 1: "
                                          f"{others.min() / risks[p] - 1:+.3f} (at k = {int(others.idxmin())})"),
                            origin="beyond", variant=curve))
        claims.append(claim("ridge-largest-beats-s", "Sec. 5 (open question)", f"{curve} pruning, mu tuned for it: k = p "
                            "beats k = s (simulation)",
                            comparison(draws(curve, s, "prune-optimal") - draws(curve, p, "prune-optimal"),
                                       what="risk at k = s minus risk at k = p"), origin="beyond", variant=curve))
    for curve in ["magnitude", "hessian"]:
        for penalty in ["inverse-covariance", "covariance"]:
            claims.append(claim("ridge-penalty-beats-plain", "Sec. 5 (open question)", f"at k = p, the penalty {penalty} "
                                f"beats plain ridge for {curve} pruning (mu tuned for each)",
                                comparison(draws(curve, p, "prune-optimal") - draws(curve, p, "prune-optimal", penalty),
                                           what="plain minus covariance-informed risk"), origin="beyond",
                                variant=f"{curve}-{penalty}"))
    return claims
