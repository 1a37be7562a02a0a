"""A fair bit budget for quantization (beyond the paper): within the bits of the 32-bit dense model on
the s salient features, the small models a practitioner would store (least squares or chapter 10's
tuned ridge on the first k features, at 32, 16 or 8 bits, k up to the largest size the budget affords) against the model on all p features,
quantized (uniform or Lloyd-Max, b bits) after least squares or after ridge tuned for the quantized
model.

Theory: the DC law of each fit (:class:`overparam.theory.risk.FitLaw`, with ``mu`` for ridge) and the
quantizer's map under it (:mod:`overparam.theory.quantization`); ridge's mu is tuned on that theory
(a bounded search on log mu, as :func:`overparam.experiments.ridge_pruning.tune_mu` does for the
registered compressors). Simulation: one draw per trial shared by every model (so every comparison
is paired), each fit quantized with statistics calibrated on its own weights. :func:`fair_budget` runs
the comparison on panel (b)'s problem under each law of theta* (chapter 11's laws).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from overparam.book.stats import mean_ci
from overparam.experiments.linear import theory_curves
from overparam.experiments.quantization import FLOAT_BITS, THETA_LAWS
from overparam.experiments.ridge_pruning import MU_BOUNDS, tune_mu
from overparam.theory.problems import fig3_problem
from overparam.theory.quantization import (calibrated_step, empirical_lloyd_max, empirical_step,
                                           lloyd_max_map, map_risk, quantize, uniform_map)
from overparam.theory.ridge import ridge_fit
from overparam.theory.risk import FitLaw


def quantizer_maps(name: str):
    """(map under a DC law, map calibrated on one fit's weights) of ``uniform-b`` (2^b - 1 levels, the
    step minimizing the squared error) or ``lloyd-b`` (2^b free levels, Lloyd-Max / 1-D k-means)."""
    family, bits = name.rsplit("-", 1)
    b = int(bits)
    if family == "uniform":
        return (lambda law: uniform_map(calibrated_step(law, b), b)), (lambda w: uniform_map(empirical_step(w, b), b))
    if family == "lloyd":
        return (lambda law: lloyd_max_map(law, b)), (lambda w: empirical_lloyd_max(w, b))
    raise ValueError(f"unknown quantizer {name!r}; use uniform-<b> or lloyd-<b>")


def stored_bits(k: int, precision: int, quantizer: str = "") -> int:
    """Bits of a model of k weights: 32 k unquantized; b k plus one 32-bit step (uniform) or a
    codebook of 2^b 32-bit levels (Lloyd-Max)."""
    if precision == FLOAT_BITS:
        return FLOAT_BITS * k
    return precision * k + FLOAT_BITS * (2**precision if quantizer.startswith("lloyd") else 1)


def quantized_risk(law: FitLaw, quantizer: str) -> float:
    """Predicted risk of the fit of ``law`` stored by ``quantizer`` ("" for 32 bits: the fit itself)."""
    return law.dense() if not quantizer else map_risk(law, quantizer_maps(quantizer)[0](law))


def tune_mu_for(problem, n: int, quantizer: str) -> tuple[float, float]:
    """(mu, risk): the ridge mu minimizing the predicted risk of the quantized ridge fit (bounded search
    on log mu over chapter 10's range)."""
    if not quantizer:
        return tune_mu(problem, n, 1, "dense")
    best = minimize_scalar(lambda log_mu: quantized_risk(FitLaw(problem, n, mu=float(np.exp(log_mu))), quantizer),
                           bounds=np.log(MU_BOUNDS), method="bounded", options={"xatol": 1e-3})
    return float(np.exp(best.x)), float(best.fun)


def budget_size(precision: int, budget: int, p: int, n: int) -> int:
    """The largest number of weights a small model stored at ``precision`` bits (uniform quantizer
    below 32) can have within ``budget`` bits, at most p; stepped down to n - 2 where that size is
    n - 1, n or n + 1: least squares on k features from n Gaussian samples has a finite expected risk
    only for k <= n - 2 or k >= n + 2 (the inverse-Wishart moments; the DC law is finite at n + 1 only
    as a large-p limit)."""
    quantizer = "" if precision == FLOAT_BITS else f"uniform-{precision}"
    k = min(p, (budget - stored_bits(0, precision, quantizer)) // precision)
    return n - 2 if n - 1 <= k <= n + 1 else k


def _small_row(problem, n: int, fit: str, precision: int, ks, budget: int, dense_theory=None) -> dict:
    """The best small model of one fit (least squares or tuned ridge) at one precision within
    ``budget``: k is the size with the lowest predicted risk of the *unquantized* fit (least squares:
    ``dense_theory`` at ``ks``, or its law at the budget's own size; ridge: its tuned risk) among the
    sizes of ``ks`` that fit and the largest size that fits (:func:`budget_size`, so that no precision
    is held to a coarse grid); then quantized."""
    quantizer = "" if precision == FLOAT_BITS else f"uniform-{precision}"
    largest = budget_size(precision, budget, problem.p, n)
    affordable = sorted({int(k) for k in ks if stored_bits(int(k), precision, quantizer) <= budget} | {largest})
    if fit == "least squares":
        grid = {int(k): risk for k, risk in zip(ks, dense_theory)}
        risks = {k: grid[k] if k in grid else FitLaw(problem.prefix(k), n).dense() for k in affordable}
        mus = dict.fromkeys(affordable, 0.0)
    else:
        tuned = {k: tune_mu(problem.prefix(k), n, 1, "dense") for k in affordable}
        risks, mus = {k: r for k, (_, r) in tuned.items()}, {k: m for k, (m, _) in tuned.items()}
    k = min(affordable, key=risks.get)
    law = FitLaw(problem.prefix(k), n, mu=mus[k])
    return {"model": "small", "fit": fit, "quantizer": quantizer or "32-bit", "k": k, "mu": mus[k],
            "bits": precision, "total_bits": stored_bits(k, precision, quantizer), "theory": quantized_risk(law, quantizer)}


def fair_models(problem, n: int, s: int, ks, dense_theory, precisions=(32, 16, 8), quantizers=("uniform-3",)) -> pd.DataFrame:
    """The models of the fair comparison, with their bits and predicted risks: the best small model of
    each fit (least squares, tuned ridge) at each precision within 32 s bits (:func:`_small_row`); the
    fit on all p features at 32 bits (least squares, tuned ridge) and quantized by each of ``quantizers``
    after least squares and after ridge tuned for that quantized model. Columns model, fit, quantizer, k, mu, bits, total_bits, theory."""
    budget, p = FLOAT_BITS * s, problem.p
    rows = [_small_row(problem, n, fit, b, ks, budget, dense_theory)
            for fit in ("least squares", "tuned ridge") for b in sorted(precisions, reverse=True)]
    law = FitLaw(problem, n)
    for quantizer in ("", *quantizers):
        bits = FLOAT_BITS if not quantizer else int(quantizer.rsplit("-", 1)[1])
        common = {"model": "large", "quantizer": quantizer or "32-bit", "k": p, "bits": bits,
                  "total_bits": stored_bits(p, bits, quantizer)}
        mu, tuned = tune_mu_for(problem, n, quantizer)
        rows.append({**common, "fit": "least squares", "mu": 0.0, "theory": quantized_risk(law, quantizer)})
        rows.append({**common, "fit": "tuned ridge", "mu": mu, "theory": tuned})
    return pd.DataFrame(rows)


def simulate_fair_models(problem, n: int, models: pd.DataFrame, trials: int, seed) -> np.ndarray:
    """Per-trial simulated risks (trials, rows of ``models``): one draw per trial shared by every model;
    each fit (least squares or ridge at the row's mu, on the first k features) computed once per draw
    and quantized with the statistics calibrated on its own weights."""
    draws = np.empty((trials, len(models)))
    seed = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    for t, child in enumerate(seed.spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        fits = {}
        for j, row in enumerate(models.itertuples()):
            key = (row.k, row.mu)
            if key not in fits:
                fits[key] = ridge_fit(X[:, :row.k], y, row.mu)
            theta = fits[key]
            if row.quantizer != "32-bit":
                theta = quantize(theta, quantizer_maps(row.quantizer)[1](theta))
            draws[t, j] = problem.prefix_risk(theta)
    return draws


def fair_table(models: pd.DataFrame, draws: np.ndarray) -> pd.DataFrame:
    """``models`` with the simulated mean risk and its 95% interval."""
    mean, low, high = mean_ci(draws)
    return models.assign(simulated=mean, ci_low=low, ci_high=high)


def fair_budget(p: int, n: int, s: int, spike: float, sigma: float, ks, precisions, quantizers, trials: int, seed,
                laws=THETA_LAWS, law_seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """The fair comparison (:func:`fair_models`, :func:`simulate_fair_models`) on panel (b)'s problem
    with theta* drawn from each law (:func:`overparam.theory.problems.fig3_problem`), the small least-
    squares models' k chosen on the theory at ``ks``; one seed per law (spawned from ``seed``). Returns
    (the table of :func:`fair_table` with a column law, {law: per-trial risks (trials, models)})."""
    tables, draws = [], {}
    for law, child in zip(laws, np.random.SeedSequence(seed).spawn(len(laws))):
        problem = fig3_problem("b", p, s, spike, sigma, theta_law=law, seed=law_seed)
        dense = theory_curves(problem, n, s, ks, compressors=["dense"])["dense"]
        models = fair_models(problem, n, s, ks, dense, precisions, quantizers)
        draws[law] = simulate_fair_models(problem, n, models, trials, child)
        tables.append(fair_table(models, draws[law]).assign(law=law))
    return pd.concat(tables, ignore_index=True), draws
