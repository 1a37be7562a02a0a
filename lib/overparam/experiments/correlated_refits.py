"""Chapter 12: between uncorrelated features (chapter 1) and perfectly correlated ones (Lemma 1),
which refit of a pruned support pays: none, retraining on a fresh or on the same sample, sample
splitting, or distillation from the dense fit. The simulations and the sampled theory; the
read-outs, figures, claims and quoted numbers are in :mod:`overparam.reports.correlated_refits`.

The features follow Fig. 3(b)'s problem at k = p with correlation rho (every pair, or inside blocks
of consecutive features; :func:`overparam.theory.problems.correlated_problem`), with theta* = 1/sqrt(p)
(aligned with the common factor) or with the same |theta*_i| and random signs (``law``). Theory comes from
sampled DC draws (:mod:`overparam.theory.refit`); simulation refits real min-norm fits. A result is
a dict ``{(curve, split, m): per-draw risks}``, with ``split`` and ``m`` None where they do not apply
(NaN in the tidy tables).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from overparam import seeds
from overparam.book.stats import mean_ci
from overparam.theory.problems import LinearGaussianProblem, correlated_problem, theta_from_law
from overparam.theory.pruning import restrict, select_support
from overparam.theory.rank_one import lemma1_excess_risks
from overparam.theory.refit import (RULES, dc_draws, distilled_risks, pruned_risks, retrained_risks, risks,
                                    split_risks, supports_of)
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

COLUMNS = ["panel", "curve", "source", "rho", "split", "m", "risk", "ci_low", "ci_high"]
NA = None  # split or m where it does not apply (a key; NaN in tables)
INF = np.inf  # m of the population (infinite-m) distillation
SPLIT_RULES = ("magnitude",)  # the rules whose sample splitting is computed (the report reads magnitude only)
# curves without a theory, simulated for magnitude pruning: same-sample retraining; the refit on the
# training inputs with fresh noise (same design); distillation on the training inputs (an identity check:
# the min-norm teacher interpolates, so it is same-sample retraining); the dense fit of all 2n labelled
# points (training and fresh sample together) pruned, and pruned then retrained on those 2n points
SIMULATION_ONLY = ("-same-sample", "-same-design", "-training-inputs", "-pooled")


@lru_cache(maxsize=32)
def _covariance_problem(p: int, s: int, spike: float, sigma: float, rho: float, group: int | None):
    """correlated_problem, cached: the theta* families share Sigma and its eigendecomposition, and the
    chapter's sweeps (theory, simulation, replicates) revisit every (rho, group) several times; 32
    entries hold every covariance of a default run (about 12 rhos, 2 groups; some 20 MB each at p = 1000)."""
    return correlated_problem(p, s, spike, sigma, rho, group)


@dataclass(frozen=True)
class CorrelatedFeatures:
    """Fig. 3(b)'s features with correlation rho: inside blocks of ``group`` consecutive features
    (None: one block, every pair correlated). theta* has |theta*_i| = 1/sqrt(p) with signs from
    ``law`` ("constant": all positive, aligned with the common factor; "random-sign": independent
    fair signs drawn once from ``theta_seed``, the same at every rho). Holds the LGP and a sampler
    that uses the block structure, x = D^{1/2} (sqrt(1 - rho) z + sqrt(rho) g_block), in O(n p)."""

    p: int
    s: int
    spike: float
    sigma: float
    rho: float
    group: int | None = None
    law: str = "constant"
    theta_seed: int = 0

    @cached_property
    def problem(self) -> LinearGaussianProblem:
        base = _covariance_problem(self.p, self.s, self.spike, self.sigma, self.rho, self.group)
        if self.law == "constant":
            return base
        theta = theta_from_law(base.theta_star, self.law, seeds.rng(self.theta_seed, "correlated-refits/theta-signs"))
        problem = LinearGaussianProblem(theta, base.cov, self.sigma)
        problem.__dict__["spectrum"] = base.spectrum  # the same Sigma: reuse its eigendecomposition
        return problem

    def sample(self, n: int, rng: np.random.Generator, labels: bool = True):
        """n inputs (n x p) and, with ``labels``, their labels y = x^T theta* + sigma z."""
        blocks = np.zeros(self.p, dtype=int) if self.group is None else np.arange(self.p) // self.group
        shared = rng.standard_normal((n, blocks.max() + 1))
        X = rng.standard_normal((n, self.p))
        X *= np.sqrt(1 - self.rho)
        X += np.sqrt(self.rho) * (shared if self.group is None else shared[:, blocks])
        X *= np.sqrt(self.problem.cov_diagonal)
        if not labels:
            return X
        return X, X @ self.problem.theta_star + self.sigma * rng.standard_normal(n)


def feature_families(p: int, s: int, spike: float, sigma: float, group: int, theta_seed: int) -> dict:
    """The chapter's three families at one size, each a function of rho: every pair correlated with
    theta* aligned ("equicorrelated"), blocks of ``group`` ("block"), every pair with random signs of
    theta* drawn from ``theta_seed`` ("random-sign")."""
    return {"equicorrelated": lambda rho: CorrelatedFeatures(p, s, spike, sigma, rho),
            "block": lambda rho: CorrelatedFeatures(p, s, spike, sigma, rho, group),
            "random-sign": lambda rho: CorrelatedFeatures(p, s, spike, sigma, rho, law="random-sign",
                                                          theta_seed=theta_seed)}


def zero_risk(features: CorrelatedFeatures) -> float:
    """The risk L(0) = sigma^2 + theta*^T Sigma theta* of the zero model (the scale of the problem)."""
    problem = features.problem
    return float(problem.sigma**2 + problem.theta_star @ problem.cov_matrix @ problem.theta_star)


def theory_point(problem: LinearGaussianProblem, n: int, s: int, split_fractions, unlabeled, draws: int,
                 seed_key) -> dict:
    """Sampled-DC risks of every refit, per draw: dense, pruned, retrained on a fresh sample,
    split at each fraction (magnitude pruning), distilled with each m (np.inf: the population
    projection). The same seed at every rho (common random numbers) keeps the curves over rho smooth."""
    rng = np.random.default_rng(seed_key)
    thetas = dc_draws(problem, n, draws, rng)
    out = {("dense", NA, NA): risks(problem, thetas)}
    for rule in RULES:
        supports = supports_of(thetas, s, rule, problem.cov_diagonal)
        out[(rule, NA, NA)] = pruned_risks(problem, thetas, supports)
        out[(f"{rule}+retrain", NA, NA)] = retrained_risks(problem, supports, n)
        for m, values in distilled_risks(problem, thetas, supports, unlabeled).items():
            out[(f"{rule}+distill", NA, m)] = values
        for f in split_fractions if rule in SPLIT_RULES else ():
            out[(f"{rule}+split", float(f), NA)] = split_risks(problem, n, f, s, rule, draws, rng)
    return out


def _distilled(theta: np.ndarray, support: np.ndarray, inputs: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """The student on ``support`` fit to the teacher's predictions on ``inputs`` (None: the
    population projection Sigma_DD^{-1} (Sigma theta)_D)."""
    if inputs is not None:
        return fit_on_support(inputs, inputs @ theta, support)
    student = np.zeros_like(theta)
    student[support] = np.linalg.solve(cov[np.ix_(support, support)], (cov @ theta)[support])
    return student


def simulate_point(features: CorrelatedFeatures, n: int, s: int, split_fractions, unlabeled, trials: int,
                   seed_key) -> dict:
    """Risks of real fits, per draw (``trials`` of them): a training sample of n, a fresh one of n
    for fresh-sample retraining (and, pooled with the training sample, for the 2n baseline), max(unlabeled)
    unlabelled inputs for distillation and, last, fresh noise on the training inputs (same design)."""
    problem, finite = features.problem, [int(m) for m in unlabeled if np.isfinite(m)]
    out: dict = {}
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = features.sample(n, rng)
        fresh = features.sample(n, rng)
        inputs = features.sample(max(finite, default=0), rng, labels=False)
        renoised = X @ problem.theta_star + features.sigma * rng.standard_normal(n)
        theta = min_norm_least_squares(X, y)
        fits = {("dense", NA, NA): theta}
        for rule in RULES:
            support = select_support(rule, theta, X, s)
            fits[(rule, NA, NA)] = restrict(theta, support)
            fits[(f"{rule}+retrain", NA, NA)] = fit_on_support(*fresh, support)
            for m in unlabeled:
                fits[(f"{rule}+distill", NA, float(m))] = _distilled(
                    theta, support, inputs[:int(m)] if np.isfinite(m) else None, problem.cov_matrix)
            if rule not in SPLIT_RULES:
                fits[(f"{rule}+retrain-same-sample", NA, NA)] = fit_on_support(X, y, support)
                continue
            same = fit_on_support(X, np.column_stack([y, renoised, X @ theta]), support)
            for j, name in enumerate(("retrain-same-sample", "retrain-same-design", "distill-training-inputs")):
                fits[(f"{rule}+{name}", NA, NA)] = same[:, j]
            for f in split_fractions:
                first = int(round(f * n))
                theta_first = min_norm_least_squares(X[:first], y[:first])
                kept = select_support(rule, theta_first, X[:first], s)
                fits[(f"{rule}+split", float(f), NA)] = fit_on_support(X[first:], y[first:], kept)
            pooled_X, pooled_y = np.vstack([X, fresh[0]]), np.r_[y, fresh[1]]
            theta_pooled = min_norm_least_squares(pooled_X, pooled_y)
            kept = select_support(rule, theta_pooled, pooled_X, s)
            fits[(f"{rule}-pooled", NA, NA)] = restrict(theta_pooled, kept)
            fits[(f"{rule}+retrain-pooled", NA, NA)] = fit_on_support(pooled_X, pooled_y, kept)
        keys = list(fits)
        values = risks(problem, np.stack([fits[key] for key in keys]))
        for key, value in zip(keys, values):
            out.setdefault(key, np.empty(trials))[t] = value
    return out


def sweep(kind: str, families: dict, rhos, point, progress: bool = True) -> dict:
    """``point(features)`` at every (family, rho): {(family, rho): result}, with a progress bar.
    Single-threaded BLAS: the fits and solves are small, and threads only contend for the cores."""
    grid = [(family, float(rho)) for rho in rhos for family in families]  # families that share Sigma share its eigh
    with threadpool_limits(1):
        return {(family, rho): point(families[family](rho))
                for family, rho in tqdm(grid, desc=kind, disable=not progress, mininterval=1.0)}


def tidy(results: dict, source: str) -> pd.DataFrame:
    """Tidy rows (COLUMNS) of a sweep: the mean per point; simulated points carry 95% intervals."""
    rows = []
    for (family, rho), result in results.items():
        for (curve, split, m), values in result.items():
            mean, low, high = mean_ci(values)
            if source == "theory":
                low = high = np.nan
            rows.append((family, curve, source, rho, np.nan if split is NA else split, np.nan if m is NA else m,
                         float(mean), float(low), float(high)))
    return pd.DataFrame(rows, columns=COLUMNS).astype({column: float for column in COLUMNS[3:]})  # float when empty


def key(curve: str, split=NA, m=NA) -> tuple:
    """The key of a curve variant in a sweep's result dict."""
    return (curve, split, m)


def select(table: pd.DataFrame, family: str, curve: str, source: str, split=NA, m=NA) -> pd.DataFrame:
    """The rows of one curve of one family over rho (``split`` / ``m`` pick the variant)."""
    rows = table[(table.panel == family) & (table.curve == curve) & (table.source == source)]
    for column, value in (("split", split), ("m", m)):
        rows = rows[rows[column].isna()] if pd.isna(value) else rows[np.isclose(rows[column], value)]
    return rows.sort_values("rho")


def theory_at(table: pd.DataFrame, family: str, curve: str, rho: float, split=NA, m=NA) -> float:
    """The theory risk of one curve variant at one rho."""
    return float(select(table, family, curve, "theory", split, m).set_index("rho").risk[rho])


def theory_keys(simulated: dict) -> list:
    """The simulated curve variants that have a theory (all but those of SIMULATION_ONLY)."""
    first = next(iter(simulated.values()))
    return [k for k in first if not k[0].endswith(SIMULATION_ONLY)]


def theory_sweep(families: dict, rhos, n: int, s: int, split_fractions, unlabeled, draws: int, seed: int,
                 progress: bool = True) -> pd.DataFrame:
    """Tidy theory rows of every family at every rho (common random numbers across rho)."""
    theory_seed = seeds.key(seed, "correlated-refits/theory")
    point = lambda features: theory_point(features.problem, n, s, split_fractions, unlabeled, draws, theory_seed)
    return tidy(sweep("theory", families, rhos, point, progress), "theory")


STREAM = 13  # the seed-stream marker of the chapter's simulation
REPLICATE_STREAMS = (18, 19)  # independent streams: the replicate at the same size, the one at the second size


def simulation_sweep(families: dict, rhos, n: int, s: int, split_fractions, unlabeled, trials: int, seed: int,
                     progress: bool = True, stream_marker: int = STREAM) -> dict:
    """Per-draw simulated risks {(family, rho): {key: array(trials)}}; each point its own stream (a
    theta* family other than "constant" adds its theta_seed and a marker to the key). Another
    ``stream_marker`` (REPLICATE_STREAMS) gives draws independent of the chapter's at the same seed."""
    def stream(features):
        extra = [] if features.law == "constant" else [features.theta_seed, 17]
        return [seed, stream_marker, int(round(features.rho * 1e6)), features.group or 0, *extra]
    point = lambda features: simulate_point(features, n, s, split_fractions, unlabeled, trials, stream(features))
    return sweep("simulation", families, rhos, point, progress)


def high_variance_share(problem: LinearGaussianProblem, n: int, s: int, draws: int, seed: int) -> float:
    """Mean share of the first s (high-variance) features in the magnitude support of a fit of n
    samples, from sampled DC draws."""
    thetas = dc_draws(problem, n, draws, seeds.rng(seed, "correlated-refits/high-variance-share"))
    return float(np.mean(supports_of(thetas, s, "magnitude", problem.cov_diagonal) < s))


def high_variance_shares(problem: LinearGaussianProblem, n: int, s: int, split_fractions, draws: int,
                         seed: int) -> dict:
    """:func:`high_variance_share` for a support chosen from the first part of the smallest split and
    from all n samples: {samples: share}."""
    return {size: high_variance_share(problem, size, s, draws, seed) for size in (round(min(split_fractions) * n), n)}


LEMMA = "1 (Lemma 1)"


def lemma1_limit(p: int, s: int, spike: float, sigma: float, n: int, rhos, draws: int, seed: int) -> pd.DataFrame:
    """Excess risks (over sigma^2) of the dense fit, magnitude pruning and fresh-sample retraining as
    rho -> 1 in the equicorrelated family (sampled DC), beside Lemma 1's values at rho = 1
    (Sigma = zeta zeta^T with zeta = D^{1/2} 1); ``retrained bias`` is E[sigma_D^2] - sigma^2 and
    ``high-variance kept`` the share of the first s features in the magnitude support."""
    rows = []
    for rho in rhos:
        problem = correlated_problem(p, s, spike, sigma, rho)
        thetas = dc_draws(problem, n, draws, seeds.rng(seed, "correlated-refits/lemma1-limit"))
        supports = supports_of(thetas, s, "magnitude", problem.cov_diagonal)
        retrained = retrained_risks(problem, supports, n)
        rows.append((f"{rho:g}", risks(problem, thetas).mean() - sigma**2,
                     pruned_risks(problem, thetas, supports).mean() - sigma**2, retrained.mean() - sigma**2,
                     retrained.mean() * (n - s - 1) / (n - 1) - sigma**2, float(np.mean(supports < s))))
    zeta = np.sqrt(correlated_problem(p, s, spike, sigma, 0.0).cov_diagonal)
    lemma = lemma1_excess_risks(zeta, np.full(p, 1 / np.sqrt(p)), sigma, n, s)
    rows.append((LEMMA, lemma["dense"], lemma["pruned"], lemma["retrained"], 0.0, float(np.mean(np.argsort(-zeta)[:s] < s))))
    return pd.DataFrame(rows, columns=["rho", "dense", "magnitude", "magnitude+retrain", "retrained bias",
                                       "high-variance kept"])
