"""The compression calculator: the predicted test risk of every compressor with a closed form
for the model of each size k, on one problem, with the best size for each; optionally beside a
simulation with 95% intervals, so that a user can check the prediction on their own problem.
`overparam predict` (overparam.cli) prints it.

The compressors: the dense min-norm fit, magnitude / Hessian / oracle / random pruning, and
magnitude, Hessian and random pruning with retraining on a fresh sample (:data:`PREDICTED`, the
explorer's curves); ridge with mu tuned, alone or then pruned and retrained (:data:`RIDGE`, chapter
10: "tuned" is oracle tuning, mu minimising the predicted risk of the whole pipeline with theta* and
Sigma known, :mod:`overparam.theory.ridge_curves`); and the quantizers of chapter 11 at b bits per
weight (:func:`quantizers`: binary, ternary, b-bit uniform with its step calibrated on the weights,
and magnitude pruning to s then b-bit uniform)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.curve_names import CurveName
from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS, TrainedFit
from overparam.experiments.linear import simulate_curves, theory_curves
from overparam.experiments.quantization import register_quantizers
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.quantization_curves import quantizer_curves
from overparam.theory.ridge import ridge_path
from overparam.theory.ridge_curves import PIPELINES, ridge_curves
from overparam.theory.risk_curves import CURVES, risk_curves

COLUMNS = ["compressor", "k", "risk", "simulated", "ci_low", "ci_high", "mu"]
# the pruning curves (the explorer's): the registry's compressors with a theory before any quantizer or
# bound is registered in it, named here so that what else a process registered does not change them
PREDICTED = CURVES
# ridge with mu tuned for each pipeline of overparam.theory.ridge_curves: "ridge" is the fit itself
RIDGE = tuple("ridge" if pipeline == "dense" else f"ridge+{pipeline}" for pipeline in PIPELINES)
# bits per weight of the b-bit quantizers: chapter 11's bit width after pruning (its prune_bits), and
# the range of widths its quantizer theory is checked over (its parameter bits: 2 to 8; at b = 1 a
# uniform quantizer with a zero level has the one level 0, and the 1-bit quantizer is "binary")
DEFAULT_BITS = 4
BITS_RANGE = (2, 8)


def quantizers(bits: int = DEFAULT_BITS) -> tuple[str, ...]:
    """The names of chapter 11's quantizers at ``bits`` bits per weight (registered on first use):
    binary (1 bit), ternary (2), the b-bit uniform quantizer of the fit, and magnitude pruning to s
    followed by the b-bit uniform quantizer of the kept weights."""
    low, high = BITS_RANGE
    if not low <= bits <= high:
        raise ValueError(f"bits must lie in [{low}, {high}] (chapter 11's range; 1 bit per weight is the "
                         f"compressor 'binary'), got {bits}")
    return (*register_quantizers((bits,)), f"prune+uniform-{bits}")


def all_compressors(bits: int = DEFAULT_BITS) -> tuple[str, ...]:
    """Every compressor the calculator predicts, with the quantizers at ``bits`` bits per weight."""
    return (*PREDICTED, *RIDGE, *quantizers(bits))


def prunes(name: str) -> bool:
    """Whether compressor ``name`` keeps s weights of the k-feature model (then it needs k >= s)."""
    return name not in ("dense", "ridge", "binary", "ternary") and not name.startswith("uniform-")


def check_compressors(compressors, bits: int = DEFAULT_BITS) -> None:
    """Refuse a compressor the calculator has no prediction for, naming the valid ones."""
    valid = all_compressors(bits)
    unknown = [name for name in compressors if name not in valid]
    if unknown:
        raise ValueError(f"unknown compressor {', '.join(map(repr, unknown))}; the valid ones "
                         f"(at {bits} bits per weight): {', '.join(valid)}")


def model_sizes(p: int, n: int, count: int = 60) -> np.ndarray:
    """``count`` model sizes log-spaced over 1..p (distinct integers), without k = n - 1, n, n + 1,
    where the expected risk of the min-norm fit is infinite."""
    sizes = np.unique(np.geomspace(1, p, count).round().astype(int))
    return sizes[~np.isin(sizes, [n - 1, n, n + 1])]


def check_inputs(problem: LinearGaussianProblem, n: int, s: int, sizes) -> np.ndarray:
    """The sizes as integers, after refusing inputs no prediction exists for: a budget s outside
    1..p, fewer than 2 samples, a size outside 1..p, a non-diagonal covariance (the closed forms
    are for diagonal ones)."""
    if not problem.is_diagonal:
        raise ValueError("the closed forms need a diagonal covariance (give its diagonal)")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not 1 <= s <= problem.p:
        raise ValueError(f"the budget s must lie in [1, p = {problem.p}], got {s}")
    sizes = np.asarray(sizes, dtype=int)
    if sizes.size == 0 or sizes.min() < 1 or sizes.max() > problem.p:
        raise ValueError(f"model sizes must lie in [1, p = {problem.p}]")
    return sizes


def ridge_pipeline(name: str) -> str:
    """The pipeline of overparam.theory.ridge_curves that the ridge compressor ``name`` runs."""
    return name.removeprefix("ridge").removeprefix("+") or "dense"


def per_size_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, compressors) -> dict[str, np.ndarray]:
    """The risk of registered compressors one size at a time (overparam.experiments.linear.theory_curves),
    those that prune to s weights at the sizes k >= s only (NaN below: no s weights to keep)."""
    out = {name: np.full(len(sizes), np.nan) for name in compressors}
    for pruning in (False, True):
        names = [name for name in compressors if prunes(name) == pruning]
        at = sizes >= s if pruning else np.ones(len(sizes), dtype=bool)
        if names and at.any():
            for name, risk in theory_curves(problem, n, s, sizes[at], names).items():
                out[name][at] = risk
    return out


def predicted_curves(problem: LinearGaussianProblem, n: int, s: int, sizes, compressors,
                     bits: int = DEFAULT_BITS) -> dict[str, tuple]:
    """(risk, mu) of each compressor at every size (mu: the tuned ridge regularization, NaN for the
    others), all sizes at once: the pruning curves of overparam.theory.risk_curves (the numbers of
    FitLaw), the ridge curves of overparam.theory.ridge_curves (chapter 10's tuning) and the
    quantizers of overparam.theory.quantization_curves (chapter 11's maps) at ``bits`` bits."""
    sizes = np.asarray(sizes, dtype=int)
    none = np.full(len(sizes), np.nan)
    curves = risk_curves(problem, n, s, sizes, [name for name in compressors if name in CURVES])
    out = {name: (risk, none) for name, risk in curves.items()}
    quantized = [name for name in compressors if name not in CURVES and name not in RIDGE]
    if quantized:
        out.update({name: (risk, none) for name, (risk, _) in
                    quantizer_curves(problem, n, s, sizes, bits, quantized).items()})
    ridge = [name for name in compressors if name in RIDGE]
    tuned = ridge_curves(problem, n, s, sizes, [ridge_pipeline(name) for name in ridge]) if ridge else {}
    for name in ridge:
        mu, risk = tuned[ridge_pipeline(name)]
        out[name] = (risk, mu)
    return out


def ridge_model(fits: dict, name: str, k: int, mu: float, X, y, fresh, s: int, problem) -> np.ndarray:
    """The model of ridge compressor ``name`` at size k from one draw: the ridge fit at mu
    (``fits[mu]``, its k weights), pruned by the pipeline's rule and refitted on ``fresh`` if it
    retrains: a k-vector. At mu = inf ``fits`` holds the limit direction X^T y / n: the fit and its pruned
    models are then zero, a refit keeps the weights the direction ranks first."""
    pipeline = ridge_pipeline(name)
    if np.isinf(mu) and CurveName.parse(pipeline).refit != "retrain":
        return np.zeros(k)
    if pipeline == "dense":
        return fits[mu]
    return COMPRESSORS[pipeline].compress(TrainedFit(problem, fits[mu], k, X, y, fresh, s))


def simulate_ridge(problem: LinearGaussianProblem, n: int, s: int, sizes, mus: dict, trials: int, seed) -> dict:
    """Monte-Carlo risk of each ridge compressor of ``mus`` ({name: tuned mu per size}) at its own
    mu: arrays (trials x sizes). The draws are those of simulate_curves (same seed: the same
    training and fresh samples), the ridge fits at every mu of a size from one SVD."""
    risks = {name: np.empty((trials, len(sizes))) for name in mus}
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        for j, k in enumerate(int(k) for k in sizes):
            needed = sorted({float(mu[j]) for mu in mus.values()})
            finite = [mu for mu in needed if np.isfinite(mu)]
            fits = dict(zip(finite, ridge_path(X[:, :k], y, finite) if finite else []))
            if np.inf in needed:
                fits[np.inf] = X[:, :k].T @ y / n
            for name, mu in mus.items():
                risks[name][t, j] = problem.prefix_risk(ridge_model(fits, name, k, float(mu[j]), X, y, fresh, s, problem))
    return risks


def predict(problem: LinearGaussianProblem, n: int, s: int, sizes=None, compressors=PREDICTED,
            simulate: int = 0, seed: int = 0, progress: bool = False, bits: int = DEFAULT_BITS) -> pd.DataFrame:
    """One row per compressor and model size k: the predicted risk (the closed forms of the
    chapters: Thm. 1 for the dense fit, the DC of pruning and retraining, the ridge DC with mu tuned
    (its mu in the column ``mu``), the DC law of the fit under a quantizer's map) and, with
    ``simulate`` = R > 0, the mean over R simulated data sets and its 95% interval (a ridge
    compressor simulated at the tuned mu of its size). A compressor that prunes the k-feature model
    to s weights has no row at sizes below s. ``bits`` names the valid quantizers (:func:`quantizers`)."""
    check_compressors(compressors, bits)
    sizes = check_inputs(problem, n, s, model_sizes(problem.p, n) if sizes is None else sizes)
    predicted = predicted_curves(problem, n, s, sizes, compressors, bits)
    simulated = {}
    if simulate:
        registered = [name for name in compressors if name not in RIDGE]
        simulated = simulate_curves(problem, n, s, sizes, simulate, seed, progress=progress,
                                    compressors=registered) if registered else {}
        tuned = {name: predicted[name][1] for name in compressors if name in RIDGE}
        simulated.update(simulate_ridge(problem, n, s, sizes, tuned, simulate, seed) if tuned else {})
    rows = []
    for name in compressors:
        risk, mu = predicted[name]
        for j, k in enumerate(sizes):
            if prunes(name) and k < s:
                continue
            stats = mean_ci(simulated[name][:, j]) if simulate else (np.nan, np.nan, np.nan)
            rows.append((name, int(k), float(risk[j]), *map(float, stats), float(mu[j])))
    return pd.DataFrame(rows, columns=COLUMNS)


def best_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """For each compressor, the model size with the lowest predicted risk, and that risk."""
    best = table.loc[table.groupby("compressor", sort=False).risk.idxmin(), ["compressor", "k", "risk"]]
    return best.rename(columns={"k": "best_k", "risk": "lowest_risk"}).reset_index(drop=True)
