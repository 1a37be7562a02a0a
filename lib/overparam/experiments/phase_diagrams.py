"""Where the book's conclusions hold: each conclusion that the closed-form theory decides, written as
a signed margin over a problem, evaluated on a grid of problems, and checked by simulation at a few
points on both sides of the boundary. The figures, sentences and claims are in
:mod:`overparam.reports.phase_diagrams`.

A problem is a :class:`Config`: panel (b)'s diagonal problem of chapter 1 (a spike of the saliency on
s of the p features, noise sigma, the law of theta* and the alignment of variance with saliency) with
n samples. Every conclusion is a small pure function ``config -> margin``: positive where the
conclusion holds, negative where it fails, in units of the reference risk it names (a relative gap),
so 0 is the boundary on every diagram. :func:`evaluate_grid` maps one function over a list of
configurations with any ``mapper`` (the builtin ``map`` by default;
:func:`overparam.sweep.cluster.grid_mapper` gives a Dask ``client.map`` + ``client.gather`` pair on
the same client as ``overparam sweep``), so a larger grid runs unchanged on a cluster. Which grid
rows are simulated is :mod:`overparam.experiments.phase_points`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import product
from typing import NamedTuple

import numpy as np
import pandas as pd

from overparam import seeds
from overparam.experiments.classification import sign_labels, supports
from overparam.experiments.compressors import COMPRESSORS
from overparam.experiments.families import family_simulation
from overparam.experiments.linear import k_grid, simulate_curves
from overparam.experiments.quantization import FLOAT_BITS, model_bits, register_quantizers
from overparam.experiments.ridge_pruning import tune_mu
from overparam.experiments.correlated_refits import theory_point
from overparam.theory.classification import classification_error, least_squares_error_prediction
from overparam.theory.problems import LinearGaussianProblem, correlated_problem, rotated_problem
from overparam.theory.pruning import restrict, select_support
from overparam.theory.ridge import ridge_fit
from overparam.theory.solvers import prefix_min_norm_fits
from overparam.theory.risk import FitLaw, best_underparameterized_risk


@dataclass(frozen=True)
class Config:
    """One problem of a phase diagram: panel (b) of chapter 1 at p features, n = n_over_p p samples,
    a budget s = s_over_p p (also the number of salient features), the spike of the saliency, the
    noise sigma, the law of theta* and the alignment: "aligned", "inverted" or a rotation t in [0, 1]
    between them (:func:`overparam.theory.problems.rotated_problem`; 0 and 1 are the two names)."""

    n_over_p: float
    s_over_p: float
    spike: float = 10.0
    sigma: float = 0.5
    theta_law: str = "constant"
    alignment: str | float = "aligned"
    p: int = 200
    seed: int = 0
    rho: float = 0.0

    @property
    def n(self) -> int:
        """Training samples."""
        return max(2, round(self.n_over_p * self.p))

    @property
    def s(self) -> int:
        """Kept weights (and salient features)."""
        return max(1, round(self.s_over_p * self.p))

    def problem(self) -> LinearGaussianProblem:
        """The linear Gaussian problem this configuration names; with rho > 0, chapter 12's
        equicorrelated features (constant aligned theta* only)."""
        if self.rho > 0:
            if (self.theta_law, self.alignment) != ("constant", "aligned"):
                raise ValueError("correlated features (rho > 0) are defined for constant aligned theta* only")
            return correlated_problem(self.p, self.s, self.spike, self.sigma, self.rho)
        return rotated_problem(self.p, self.s, self.spike, self.sigma, self.theta_law, self.alignment, self.seed)


def smaller_sizes(config: Config) -> np.ndarray:
    """The model sizes k < p a conclusion about the best size compares with k = p: chapter 1's grid
    (log-spaced over 1..p, with s; k = n - 1, n, n + 1 left out, where the risk is infinite)."""
    ks = k_grid(config.p, config.n, config.s, num_log=16, peak_offsets=(0.8, 1.25))
    return ks[ks < config.p]


def _hessian_risk(problem: LinearGaussianProblem, n: int, s: int, k: int) -> float:
    """Predicted risk of the min-norm fit on the first k features, Hessian-pruned to s weights
    (a model with k <= s features is kept whole)."""
    return FitLaw(problem.prefix(int(k)), n).pruned(s, "hessian")


def best_smaller_size(config: Config) -> tuple[int, float]:
    """(k, risk) of the Hessian-pruned model with the lowest predicted risk among the sizes k < p."""
    problem = config.problem()
    risks = [_hessian_risk(problem, config.n, config.s, k) for k in smaller_sizes(config)]
    j = int(np.nanargmin(risks))
    return int(smaller_sizes(config)[j]), float(risks[j])


def best_size_is_p(config: Config) -> float:
    """Chapters 1 and 3: the best model size for Hessian pruning is k = p (the pruned largest model
    beats every pruned smaller one). Margin: (lowest predicted risk over k < p - risk at k = p) /
    risk at k = p, both Hessian-pruned to s weights (Cor. 1 on the prefix problems, Lemma 7)."""
    at_p = FitLaw(config.problem(), config.n).pruned(config.s, "hessian")
    return (best_smaller_size(config)[1] - at_p) / at_p


def pruned_beats_small(config: Config) -> float:
    """Chapters 1 and 3: the Hessian-pruned large model (k = p) beats the best small model handed the
    right features (least squares on the k < n most salient ones, Lemma 7). Margin: (best small
    model's risk - pruned large model's risk) / best small model's risk."""
    problem = config.problem()
    _, small = best_underparameterized_risk(problem, config.n)
    return (small - FitLaw(problem, config.n).pruned(config.s, "hessian")) / small


def hessian_beats_magnitude(config: Config) -> float:
    """Chapter 3 (and 1): at k = p, Hessian pruning beats magnitude pruning. Margin: (magnitude risk -
    Hessian risk) / magnitude risk, both pruning the min-norm fit to s weights (Cor. 1)."""
    law = FitLaw(config.problem(), config.n)
    magnitude = law.pruned(config.s, "magnitude")
    return (magnitude - law.pruned(config.s, "hessian")) / magnitude


def retraining_hurts_at_p(config: Config) -> float:
    """Chapter 1: away from the peak k = n retraining does not help; at k = p the Hessian-pruned fit
    beats the same support refit by least squares on a fresh sample (Def. 5). Margin: (retrained risk
    - pruned risk) / pruned risk."""
    law = FitLaw(config.problem(), config.n)
    pruned = law.pruned(config.s, "hessian")
    return (law.retrained(config.s, "hessian") - pruned) / pruned


def tuned_ridge_risks(config: Config) -> dict:
    """Chapter 10's two models with mu tuned for each by the ridge DC: the k = s model (dense ridge on
    the s salient features) and the k = p model, ridge then Hessian pruning to s weights. Returns
    their risks and tuned mus."""
    problem, n, s = config.problem(), config.n, config.s
    small_mu, small = tune_mu(problem.prefix(s), n, s, "dense")
    large_mu, large = tune_mu(problem, n, s, "hessian")
    return {"small": small, "small_mu": small_mu, "large": large, "large_mu": large_mu}


def ridge_large_still_gains(config: Config) -> float:
    """Chapter 10: with mu tuned for each, ridge + Hessian pruning of the k = p model still beats the
    k = s model (ridge on the s salient features). Margin: (k = s risk - k = p risk) / k = s risk,
    the relative gain of the large model (chapter 10 calls a gain within 3% 'little')."""
    risks = tuned_ridge_risks(config)
    return (risks["small"] - risks["large"]) / risks["small"]


QUANT_BITS = 3  # chapter 11's headline quantizer


def equal_bit_small_size(config: Config) -> int:
    """The largest k whose 32-bit dense model fits in the bits of the 3-bit quantized model on all p
    features (b p weights + one 32-bit step: chapter 11's accounting)."""
    return min(config.p, model_bits("quantized", config.p, bits=QUANT_BITS) // FLOAT_BITS)


def quantized_beats_small(config: Config) -> float:
    """Chapter 11: the min-norm fit on all p features, quantized to 3 bits per weight, beats the
    32-bit min-norm model on the first k features that fits in the same number of bits (Thm. 1 for
    the small model, the DC of the quantizer for the large). Margin: (small - quantized) / small."""
    problem, n = config.problem(), config.n
    name = register_quantizers((QUANT_BITS,))[-1]
    small = FitLaw(problem.prefix(equal_bit_small_size(config)), n).dense()
    quantized = COMPRESSORS[name].theory(FitLaw(problem, n), config.p)
    return (small - quantized) / small


DC_DRAWS = 200  # draws of the sampled DC per problem (chapter 12 uses 400 at p = 1000)


def retraining_pays_correlated(config: Config) -> float:
    """Chapter 12: with correlated features, retraining the magnitude-pruned k = p model on a fresh
    sample beats pruning alone from a correlation rho* on (at rho = 0 it does not: chapter 1). Margin:
    (pruned risk - retrained risk) / pruned risk, from the sampled DC (Def. 4, Def. 5; the same draws
    at every configuration)."""
    risks = theory_point(config.problem(), config.n, config.s, [], [], DC_DRAWS,
                         seeds.key(config.seed, "where-conclusions-hold/refit-theory"))
    pruned = float(np.mean(risks[("magnitude", None, None)]))
    return (pruned - float(np.mean(risks[("magnitude+retrain", None, None)]))) / pruned


CLASSIFIER_DRAWS = 200  # draws of the least-squares classifier's prediction per size (chapter 13's dc_draws)


def classifier_errors(config: Config, ks, draws: int = CLASSIFIER_DRAWS) -> np.ndarray:
    """Chapter 13's prediction of the test error arccos(c)/pi of least squares on the +-1 labels
    sign(x^T theta* + sigma z), fit on the first k features and Hessian-pruned to s weights, for every
    k in ``ks``: (draws, len(ks)) draws from the characterization of the labels' equivalent linear
    problem (:func:`overparam.theory.classification.least_squares_error_prediction`), the same random
    stream at every configuration."""
    rng = seeds.rng(config.seed, "where-conclusions-hold/classifier-prediction")
    return least_squares_error_prediction(config.problem(), config.n, config.s, [int(k) for k in ks], draws, rng,
                                          rules=("hessian",), refits=False)["hessian"]


def classifier_best_smaller_size(config: Config) -> tuple[int, float, float]:
    """(k, predicted error at k, predicted error at p): the size k < p whose Hessian-pruned least-squares
    classifier has the lowest predicted mean error, on :func:`smaller_sizes`."""
    ks = [*smaller_sizes(config), config.p]
    errors = classifier_errors(config, ks).mean(axis=0)
    j = int(np.argmin(errors[:-1]))
    return int(ks[j]), float(errors[j]), float(errors[-1])


def classifier_best_size_is_p(config: Config) -> float:
    """Chapter 13: the best size of the Hessian-pruned least-squares classifier is k = p. Margin: (lowest
    predicted error over k < p - predicted error at p) / (1/2 - error at p), the gap as a share of the
    largest model's distance from chance (how chapter 13 judges its prediction). The minimum over k
    of sampled means leans, by the draws' noise, toward a smaller size: a margin of a few per cent
    near 0 is within that noise."""
    _, smaller, at_p = classifier_best_smaller_size(config)
    return (smaller - at_p) / (0.5 - at_p)


CONCLUSIONS = {
    "best-size-is-p": best_size_is_p,
    "pruned-beats-small": pruned_beats_small,
    "hessian-beats-magnitude": hessian_beats_magnitude,
    "retraining-hurts-at-p": retraining_hurts_at_p,
    "ridge-large-still-gains": ridge_large_still_gains,
    "quantized-beats-small": quantized_beats_small,
    "retraining-pays-correlated": retraining_pays_correlated,
    "classifier-best-size-is-p": classifier_best_size_is_p,
}


def config_grid(n_over_p, s_over_p, theta_laws=("constant",), alignments=("aligned",), **fixed) -> list[Config]:
    """Every combination of the axes as a list of configurations (the other fields ``fixed``)."""
    return [Config(float(a), float(b), theta_law=law, alignment=alignment, **fixed)
            for law, alignment, a, b in product(theta_laws, alignments, n_over_p, s_over_p)]


def margins_of(config: Config, conclusions: tuple[str, ...]) -> dict:
    """One row of a grid: the configuration's fields and the margin of each named conclusion (the
    unit of work a mapper ships to a worker)."""
    return {**asdict(config), **{name: float(CONCLUSIONS[name](config)) for name in conclusions}}


def _row_of(task) -> dict:
    config, conclusions = task
    return margins_of(config, conclusions)


def evaluate_grid(configs, conclusions, mapper=map) -> pd.DataFrame:
    """The margins of ``conclusions`` at every configuration, one row each. ``mapper(f, tasks)`` maps a
    picklable one-argument function over a list: the builtin ``map`` (in process), or on a Dask
    cluster ``lambda f, xs: client.gather(client.map(f, xs))``; the rows come back in order."""
    conclusions = tuple(conclusions)
    unknown = [name for name in conclusions if name not in CONCLUSIONS]
    if unknown:
        raise ValueError(f"unknown conclusions {unknown}; use {list(CONCLUSIONS)}")
    tasks = [(config, conclusions) for config in configs]
    return pd.DataFrame(list(mapper(_row_of, tasks)))


def config_of(row) -> Config:
    """The configuration a grid row was computed at."""
    values = {name: row[name] for name in Config.__dataclass_fields__}
    return Config(**{**values, "p": int(values["p"]), "seed": int(values["seed"]), "rho": float(values.get("rho", 0.0))})


# --- simulation at chosen points: per-draw paired differences whose sign the margin predicts ---

class Paired(NamedTuple):
    """A simulated point, per draw: the difference of the two risks whose sign the margin predicts
    (positive where the conclusion holds), and the reference risk the margin divides by (the same
    draw), so that mean(differences) / mean(references) is the simulated margin."""

    differences: np.ndarray
    references: np.ndarray


def _paired_curves(config: Config, ks, compressors, trials: int, seed) -> dict:
    problem = config.problem()
    return simulate_curves(problem, config.n, config.s, ks, trials, seed, progress=False, compressors=compressors)


def simulate_best_size(config: Config, trials: int, seed) -> Paired:
    """Per draw: Hessian-pruned risk of the theory's best size k < p minus that at k = p (same draw);
    reference: the risk at k = p."""
    k, _ = best_smaller_size(config)
    risks = _paired_curves(config, [k, config.p], ("hessian",), trials, seed)["hessian"]
    return Paired(risks[:, 0] - risks[:, 1], risks[:, 1])


def simulate_pruned_vs_small(config: Config, trials: int, seed) -> Paired:
    """Per draw: the best small model's risk (oracle-ordered features, Lemma 7's size) minus the
    Hessian-pruned large model's, on the same sample; reference: the small model's risk."""
    problem = config.problem()
    small_k, _ = best_underparameterized_risk(problem, config.n)
    risks = family_simulation(problem, config.n, config.s, small_k, trials, seed)
    return Paired(risks["small"] - risks["hessian"], risks["small"])


def simulate_hessian_vs_magnitude(config: Config, trials: int, seed) -> Paired:
    """Per draw at k = p: magnitude-pruned minus Hessian-pruned risk (both prune the same fit);
    reference: the magnitude-pruned risk."""
    risks = _paired_curves(config, [config.p], ("magnitude", "hessian"), trials, seed)
    return Paired(risks["magnitude"][:, 0] - risks["hessian"][:, 0], risks["magnitude"][:, 0])


def simulate_retraining(config: Config, trials: int, seed) -> Paired:
    """Per draw at k = p: fresh-sample retrained minus Hessian-pruned risk (same kept support);
    reference: the Hessian-pruned risk."""
    risks = _paired_curves(config, [config.p], ("hessian", "hessian+retrain"), trials, seed)
    return Paired(risks["hessian+retrain"][:, 0] - risks["hessian"][:, 0], risks["hessian"][:, 0])


def ridge_or_limit(X: np.ndarray, y: np.ndarray, mu: float) -> np.ndarray:
    """The ridge fit at ``mu``; at mu = inf (a tuning the theory may return: its closed-form limit,
    :func:`overparam.experiments.ridge_pruning.tune_mu`) the limit of the fit itself, the zero model
    (pruned or not, the model the theory's risk at mu = inf describes)."""
    return np.zeros(X.shape[1]) if np.isinf(mu) else ridge_fit(X, y, mu)


def simulate_ridge_gain(config: Config, trials: int, seed) -> Paired:
    """Per draw: ridge on the s salient features minus ridge + Hessian pruning of the k = p model, each
    at the mu the theory tuned for it (mu = inf: the zero model, :func:`ridge_or_limit`), both fitted on
    the same sample; reference: the k = s model's risk."""
    problem, n, s = config.problem(), config.n, config.s
    mus = tuned_ridge_risks(config)
    small_risks, large_risks = np.empty(trials), np.empty(trials)
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        small = ridge_or_limit(X[:, :s], y, mus["small_mu"])
        theta = ridge_or_limit(X, y, mus["large_mu"])
        large = restrict(theta, select_support("hessian", theta, X, s))
        small_risks[t], large_risks[t] = problem.prefix_risk(small), problem.risk(large)
    return Paired(small_risks - large_risks, small_risks)


def simulate_quantized_vs_small(config: Config, trials: int, seed) -> Paired:
    """Per draw: the equal-bit 32-bit small model's risk minus the 3-bit quantized large model's (the
    quantizer's step calibrated on each fit), on the same draw; reference: the small model's risk."""
    name = register_quantizers((QUANT_BITS,))[-1]
    k = equal_bit_small_size(config)
    risks = _paired_curves(config, [k, config.p], ("dense", name), trials, seed)
    return Paired(risks["dense"][:, 0] - risks[name][:, 1], risks["dense"][:, 0])


def simulate_correlated_retraining(config: Config, trials: int, seed) -> Paired:
    """Per draw at k = p: magnitude-pruned minus fresh-sample retrained risk (same kept support);
    reference: the magnitude-pruned risk."""
    risks = _paired_curves(config, [config.p], ("magnitude", "magnitude+retrain"), trials, seed)
    return Paired(risks["magnitude"][:, 0] - risks["magnitude+retrain"][:, 0], risks["magnitude"][:, 0])


def simulate_classifier_best_size(config: Config, trials: int, seed) -> Paired:
    """Per draw, on one sample with sign labels: the test error of the least-squares classifier on the
    prediction's best size k < p minus that on all p features, both Hessian-pruned to s weights
    (the sample's Hessian diagonal, as chapter 13 simulates); reference: 1/2 minus the error at p."""
    problem, n, s = config.problem(), config.n, config.s
    k, _, _ = classifier_best_smaller_size(config)
    gaps, distances = np.empty(trials), np.empty(trials)
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = sign_labels(problem, n, rng)
        errors = []
        for size, theta in prefix_min_norm_fits(X, y, [k, problem.p]):
            kept = supports(theta, X[:, :size], s, rng, ("hessian",))["hessian"]
            pruned = np.zeros(problem.p)
            pruned[kept] = theta[kept]
            errors.append(float(classification_error(pruned, problem)))
        gaps[t], distances[t] = errors[0] - errors[1], 0.5 - errors[1]
    return Paired(gaps, distances)


SIMULATIONS = {
    "best-size-is-p": simulate_best_size,
    "pruned-beats-small": simulate_pruned_vs_small,
    "hessian-beats-magnitude": simulate_hessian_vs_magnitude,
    "retraining-hurts-at-p": simulate_retraining,
    "ridge-large-still-gains": simulate_ridge_gain,
    "quantized-beats-small": simulate_quantized_vs_small,
    "retraining-pays-correlated": simulate_correlated_retraining,
    "classifier-best-size-is-p": simulate_classifier_best_size,
}


def simulate_point(row, conclusion: str, trials: int, seed) -> Paired:
    """The per-draw paired differences at one grid row whose sign the conclusion's margin predicts,
    with the per-draw reference risk the margin divides by (:class:`Paired`)."""
    return SIMULATIONS[conclusion](config_of(row), trials, seed)
