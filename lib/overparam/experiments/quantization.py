"""Quantization of the trained model (beyond the paper): the registered quantizers, their bit costs,
and the chapter's simulations (the bit-budget comparison, random features); the tables, figures,
claims and quoted numbers are in :mod:`overparam.reports.quantization`.

Each quantizer is one registration in :data:`overparam.experiments.compressors.COMPRESSORS`: the
simulation quantizes each trained fit with statistics calibrated on that fit (scale, threshold,
step), the theory evaluates the same map under the DC law (:mod:`overparam.theory.quantization`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS, TrainedFit, register
from overparam.experiments.random_features import draw_task, feature_sampler
from overparam.theory.dc import sample_dc
from overparam.theory.features import equivalent_lgp
from overparam.theory.problems import fig3_problem
from overparam.theory.pruning import restrict
from overparam.theory.quantization import (best_map, best_shrinkage, binary_map, calibrated_step, empirical_binary,
                                           empirical_lloyd_max, empirical_step, empirical_ternary, lloyd_max_map, map_risk,
                                           posterior_target, prune_then_uniform_map, quantize, ternary_map, uniform_map)
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import min_norm_least_squares

FLOAT_BITS = 32


def _uniform(fit, bits):
    return quantize(fit.theta, uniform_map(empirical_step(fit.theta, bits), bits))


def _prune_uniform(fit, bits):
    kept = fit.support("magnitude")
    pruned = restrict(fit.theta, kept)
    step = empirical_step(fit.theta[kept], bits)
    return np.where(pruned != 0, quantize(pruned, uniform_map(step, bits)), 0.0)


def register_quantizers(bits=(2, 3, 4, 8)) -> list[str]:
    """Register binary, ternary, b-bit uniform and prune-then-b-bit quantizers (once per name);
    return their names."""
    names = []
    if "binary" not in COMPRESSORS:
        register("binary", lambda fit: quantize(fit.theta, empirical_binary(fit.theta)),
                 lambda law, s: map_risk(law, binary_map(law)), "sign times the mean magnitude")
        register("ternary", lambda fit: quantize(fit.theta, empirical_ternary(fit.theta)),
                 lambda law, s: map_risk(law, ternary_map(law)), "0 below 0.7 x mean magnitude, else sign times a scale")
    names += ["binary", "ternary"]
    for b in bits:
        if f"uniform-{b}" not in COMPRESSORS:
            register(f"uniform-{b}", lambda fit, b=b: _uniform(fit, b),
                     lambda law, s, b=b: map_risk(law, uniform_map(calibrated_step(law, b), b)),
                     f"{b}-bit uniform quantization, step calibrated on the weights")
            register(f"prune+uniform-{b}", lambda fit, b=b: _prune_uniform(fit, b),
                     lambda law, s, b=b: map_risk(law, prune_then_uniform_map(law, s, b)),
                     f"magnitude pruning to s, then {b}-bit quantization of the kept weights")
        names += [f"uniform-{b}"]
    return names


_BOUND_MAPS: dict = {}


def quantizer_map(law, name: str):
    """The map a registered quantizer applies under the DC law (its statistics from the law)."""
    if name == "binary":
        return binary_map(law)
    if name == "ternary":
        return ternary_map(law)
    bits = _bits_of(name)
    return uniform_map(calibrated_step(law, bits), bits)


def _bound_for(fit, name):
    """The bound map of quantizer ``name`` for the law of this fit's model size (cached per size)."""
    key = (id(fit.problem), fit.k, fit.X.shape[0], name)
    if key not in _BOUND_MAPS:
        law = FitLaw(fit.problem.prefix(fit.k), fit.X.shape[0])
        _BOUND_MAPS[key] = best_map(law, quantizer_map(law, name).levels)
    return _BOUND_MAPS[key]


def register_bounds(names) -> list[str]:
    """Register, for each quantizer in ``names``, its bound "bound-<name>": the best map of the value
    alone with the same output levels. It needs theta*, so it is a benchmark, not a method; the
    simulation applies that map (computed from the DC law of the model size) to every fit."""
    bounds = []
    for name in names:
        bound = f"bound-{name}"
        if bound not in COMPRESSORS:
            register(bound, lambda fit, name=name: quantize(fit.theta, _bound_for(fit, name)),
                     lambda law, s, name=name: map_risk(law, best_map(law, quantizer_map(law, name).levels)),
                     f"the best map of the value alone with the output levels of {name}")
        bounds.append(bound)
    return bounds



def position_bits(p: int, s: int, mask: str = "min") -> int:
    """Bits to say which s of p weights are kept: the smaller of a p-bit mask and s indices
    (``mask="min"``), or an entropy-coded mask, ceil(log2 C(p, s)) (``mask="entropy"``)."""
    if mask == "entropy":
        return math.ceil((math.lgamma(p + 1) - math.lgamma(s + 1) - math.lgamma(p - s + 1)) / math.log(2))
    if mask != "min":
        raise ValueError(f"unknown mask accounting {mask!r}")
    return min(p, s * math.ceil(math.log2(p)))


def model_bits(family: str, p: int, s: int | None = None, bits: int | None = None, mask: str = "min") -> int:
    """Total bits of a model: dense (32 per weight), pruned (32 per kept weight and positions),
    quantized (b per weight, 2 for ternary, 1 for binary, plus one 32-bit scale or step), or pruned
    then quantized (b per kept weight, positions and the step); ``mask`` as in :func:`position_bits`."""
    if family == "dense":
        return FLOAT_BITS * p
    if family == "pruned":
        return FLOAT_BITS * s + position_bits(p, s, mask)
    if family == "quantized":
        return bits * p + FLOAT_BITS
    if family == "pruned+quantized":
        return bits * s + position_bits(p, s, mask) + FLOAT_BITS
    raise ValueError(f"unknown family {family!r}")


def bit_budget_table(problem, n: int, budgets, bits: int, quantizers, trials: int, seed):
    """Risk against total bits of the compressed models on all p features (theory and simulation):
    magnitude pruning to each s in ``budgets`` (``pruned``), every quantizer (``quantized``), and
    pruning to each s then ``bits``-bit quantization (``pruned+quantized``). Columns family, curve,
    s, bits, total_bits, source, risk, ci_low, ci_high; the simulation quantizes each fit with its
    own calibrated statistics and shares the data draws across families. Returns (table, per-trial
    simulated risks of shape (trials, configurations), the configurations (family, curve, s, bits)).
    ``total_bits`` charges the positions of a pruned model's weights as :func:`position_bits` does,
    ``entropy_bits`` with an entropy-coded mask."""
    p = problem.p
    register_quantizers((bits,))
    configs = [("pruned", "magnitude", s, 32) for s in budgets]
    configs += [("quantized", name, None, _bits_of(name)) for name in quantizers]
    configs += [("pruned+quantized", f"prune+uniform-{bits}", s, bits) for s in budgets]
    law = FitLaw(problem, n)
    draws = np.empty((trials, len(configs)))
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        theta = min_norm_least_squares(X, y)
        fits = {}
        for j, (_, curve, s, _) in enumerate(configs):
            budget = s if s is not None else p
            fit = fits.setdefault(budget, TrainedFit(problem, theta, p, X, y, (X, y), budget))
            draws[t, j] = problem.risk(COMPRESSORS[curve].compress(fit))
    rows = []
    for j, (family, curve, s, b) in enumerate(configs):
        total, entropy = model_bits(family, p, s, b), model_bits(family, p, s, b, mask="entropy")
        theory = COMPRESSORS[curve].theory(law, s if s is not None else p)
        mean, low, high = mean_ci(draws[:, j])
        rows.append((family, curve, s, b, total, entropy, "theory", theory, np.nan, np.nan))
        rows.append((family, curve, s, b, total, entropy, "simulation", mean, low, high))
    columns = ["family", "curve", "s", "bits", "total_bits", "entropy_bits", "source", "risk", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns), draws, configs


def _bits_of(name: str) -> int:
    """Bits per weight of a registered quantizer: 1 binary, 2 ternary (log2 3 = 1.58 would be the
    entropy bound), b for uniform-b."""
    if name == "binary":
        return 1
    if name == "ternary":
        return 2
    return int(name.rsplit("-", 1)[1])




def small_models(problem, n: int, s: int, dense_theory, ks, budget: int, precisions=(32, 16, 8)) -> pd.DataFrame:
    """The small dense model at each precision within ``budget`` bits: the min-norm fit on the first k
    features stored at 32 bits (curve ``dense``, 32 k bits) or quantized to b bits (curve
    ``uniform-b``, its step calibrated on the weights: b k + 32 bits). k is chosen before quantizing:
    the size in ``ks`` with the lowest theory risk of the unquantized fit (``dense_theory``, risks at
    ``ks``) among those that fit; its quantized risk is then predicted at that k only (a 16-bit
    quantizer has 65,535 levels, and its calibration costs about a second per size)."""
    precisions = sorted(precisions, reverse=True)
    register_quantizers(tuple(b for b in precisions if b != FLOAT_BITS))
    rows = []
    for b in precisions:
        curve = "dense" if b == FLOAT_BITS else f"uniform-{b}"
        cost = {int(k): FLOAT_BITS * int(k) if b == FLOAT_BITS else b * int(k) + FLOAT_BITS for k in ks}
        j = min((j for j, k in enumerate(ks) if cost[int(k)] <= budget), key=lambda j: dense_theory[j])
        k = int(ks[j])
        risk = COMPRESSORS[curve].theory(FitLaw(problem.prefix(k), n), s) if curve != "dense" else float(dense_theory[j])
        rows.append({"precision": b, "curve": curve, "k": k, "total_bits": cost[k], "risk": float(risk)})
    return pd.DataFrame(rows)


def simulate_small_models(problem, n: int, small: pd.DataFrame, trials: int, seed) -> np.ndarray:
    """Per-trial simulated risks (trials, rows of ``small``) of the small models of :func:`small_models`:
    one draw per trial, the min-norm fit on the first k features, quantized with its own calibrated step."""
    draws = np.empty((trials, len(small)))
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        fits = {}
        for j, row in enumerate(small.itertuples()):
            if row.k not in fits:
                fits[row.k] = TrainedFit(problem, min_norm_least_squares(X[:, :row.k], y), row.k, X, y, None, row.k)
            fit = fits[row.k]
            draws[t, j] = problem.prefix_risk(COMPRESSORS[row.curve].compress(fit))
    return draws


THETA_LAWS = ("constant", "random-sign", "gaussian", "sparse")


def law_problems(p: int, s: int, spike: float, sigma: float, laws=THETA_LAWS, law_seed: int = 0) -> dict:
    """{law: panel (b)'s problem with theta* drawn once from that law} (:func:`overparam.theory.problems.fig3_problem`:
    the same covariance and each coordinate's mean square for every law), the problems compared by
    :func:`theta_law_comparison`."""
    return {law: fig3_problem("b", p, s, spike, sigma, theta_law=law, seed=law_seed) for law in laws}


def theta_law_comparison(p: int, n: int, s: int, spike: float, sigma: float, names, trials: int, seed,
                         laws=THETA_LAWS, law_seed: int = 0, lloyd_bits=()):
    """The fit on all p features, dense, quantized and bounded, on panel (b)'s problem with theta*
    drawn from each law of ``laws`` (:func:`overparam.theory.problems.fig3_problem`; same covariance,
    each coordinate's mean square kept). Theory: the DC law of each problem, every quantizer with its
    statistics from the law and its bound ("bound-<name>": the best map of the value alone with the same
    levels), and the best scalar shrinkage c* theta_hat ("shrinkage", c* from the law: a benchmark).
    Simulation: per trial one design X and one noise draw shared by every law (so comparisons
    across curves and laws are paired), the min-norm fit of each law's labels, each quantizer calibrated
    on the fit's weights and each bound map of the law applied to it. Returns (table with columns law,
    curve, source, risk, ci_low, ci_high; {law: {curve: per-trial risks}}). ``lloyd_bits`` adds the b-bit
    Lloyd-Max quantizers "lloyd-<b>" and their bounds: theory on the law (:func:`lloyd_max_map`),
    simulation by 1-D k-means on each fit's weights (:func:`empirical_lloyd_max`)."""
    lloyd = {f"lloyd-{b}": int(b) for b in lloyd_bits}
    problems = law_problems(p, s, spike, sigma, laws, law_seed)
    cov = problems[laws[0]].cov
    fit_laws = {law: FitLaw(problem, n) for law, problem in problems.items()}
    maps, theory, shrink = {}, {}, {}
    for law, fit_law in fit_laws.items():
        target = posterior_target(fit_law)
        shrink[law], shrunk = best_shrinkage(fit_law)
        theory[law] = {"dense": float(fit_law.dc.risk), "dense-s": float(FitLaw(problems[law].prefix(s), n).dc.risk),
                       "shrinkage": shrunk}
        for name in names:
            quantizer = quantizer_map(fit_law, name)
            maps[law, name] = best_map(fit_law, quantizer.levels, target=target)
            theory[law][name] = map_risk(fit_law, quantizer)
            theory[law][f"bound-{name}"] = map_risk(fit_law, maps[law, name])
        for name, b in lloyd.items():
            quantizer = lloyd_max_map(fit_law, b)
            maps[law, name] = best_map(fit_law, quantizer.levels, target=target)
            theory[law][name] = map_risk(fit_law, quantizer)
            theory[law][f"bound-{name}"] = map_risk(fit_law, maps[law, name])
    curves = list(theory[laws[0]])
    draws = {law: {curve: np.empty(trials) for curve in curves} for law in laws}
    thetas = np.stack([problems[law].theta_star for law in laws], axis=1)
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        X = rng.standard_normal((n, p)) * np.sqrt(cov)
        labels = X @ thetas + sigma * rng.standard_normal(n)[:, None]
        fits, small = min_norm_least_squares(X, labels), min_norm_least_squares(X[:, :s], labels)
        for j, law in enumerate(laws):
            problem, theta = problems[law], fits[:, j]
            fit = TrainedFit(problem, theta, p, X, None, None, p)
            draws[law]["dense"][t] = problem.risk(theta)
            draws[law]["dense-s"][t] = problem.prefix_risk(small[:, j])
            draws[law]["shrinkage"][t] = problem.risk(shrink[law] * theta)
            for name in names:
                draws[law][name][t] = problem.risk(COMPRESSORS[name].compress(fit))
                draws[law][f"bound-{name}"][t] = problem.risk(quantize(theta, maps[law, name]))
            for name, b in lloyd.items():
                draws[law][name][t] = problem.risk(quantize(theta, empirical_lloyd_max(theta, b)))
                draws[law][f"bound-{name}"][t] = problem.risk(quantize(theta, maps[law, name]))
    rows = []
    for law in laws:
        for curve in curves:
            mean, low, high = mean_ci(draws[law][curve])
            rows += [(law, curve, "theory", theory[law][curve], np.nan, np.nan), (law, curve, "simulation", mean, low, high)]
    return pd.DataFrame(rows, columns=["law", "curve", "source", "risk", "ci_low", "ci_high"]), draws


RF_SOURCES = {"theory": None, "simulation": "relu", "gaussian twin": "gaussian"}


def random_features_quantization(d: int, n: int, p_grid, names, tasks: int, data_draws: int, dc_draws: int,
                                 seed, progress: bool = False):
    """Quantizing random-features models (chapter 6's task: ReLU features of Gaussian inputs, a
    quadratic label), theory against simulation, with the Gaussian twin as the control, and p running
    through the interpolation point.

    Theory: the sampled DC of the task's equivalent LGP (Def. 2, Def. 4; the covariance is not
    diagonal, so theta_hat is drawn from its DC Gaussian) quantized with statistics calibrated on
    each draw, as a trained fit is. Simulation: min-norm fits on ReLU data (source "simulation") and on
    the task's Gaussian twin (source "gaussian twin": Gaussian features with the same second moments,
    for which the characterization is exact up to its finite-size error), quantized the same way. All
    are judged by the exact test risk of the equivalent LGP, on the same tasks (directions R), so the
    sources can be compared task by task. Returns (table: per (curve, p, source) the mean over tasks
    and draws and the 95% Student interval over the tasks; {source: per-task mean risks of shape
    (tasks, len(p_grid), curves)})."""
    curves = ["dense", *names]
    per_task = {source: np.full((tasks, len(p_grid), len(curves)), np.nan) for source in RF_SOURCES}
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(tasks), desc="random-features tasks",
                                   disable=not progress, mininterval=1.0)):
        rng = np.random.default_rng(child)
        R, beta = draw_task(d, max(p_grid), rng)
        for a, p in enumerate(p_grid):
            problem = equivalent_lgp(R[:p], beta)
            thetas = {"theory": sample_dc(problem, n, dc_draws, rng)}
            for source, design in RF_SOURCES.items():
                if design is not None:
                    draw = feature_sampler(R[:p], beta, design, problem)
                    thetas[source] = [min_norm_least_squares(*draw(n, rng)) for _ in range(data_draws)]
            for source, fits in thetas.items():
                risks = [[problem.risk(COMPRESSORS[c].compress(TrainedFit(problem, theta, p, None, None, None, p)))
                          for c in curves] for theta in fits]
                per_task[source][t, a] = np.mean(risks, axis=0)
    rows = []
    for source, values in per_task.items():
        mean, low, high = mean_ci(values, student=True)
        for a, p in enumerate(p_grid):
            for c, curve in enumerate(curves):
                rows.append(("rf", curve, source, p, mean[a, c], low[a, c], high[a, c]))
    return pd.DataFrame(rows, columns=["panel", "curve", "source", "p", "risk", "ci_low", "ci_high"]), per_task
