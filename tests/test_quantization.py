"""Quantization through the DC (overparam.theory.quantization): the quantizer against torch's fake
quantization, the truncated moments against quadrature, every quantizer's risk against simulation
(each fit quantized with its own calibrated statistics), and each bound below its quantizer."""
import numpy as np
import pytest
from scipy.integrate import quad

from overparam.book.stats import mean_ci
from overparam.theory.pruning import magnitude_support, restrict
from overparam.theory.quantization import (best_map, binary_map, calibrated_step, empirical_binary, empirical_step,
                                           empirical_ternary, map_risk, prune_then_uniform_map, quantize,
                                           ternary_map, truncated_moments, uniform_map, uniform_weight_error,
                                           weight_error)
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import min_norm_least_squares
from test_theory import power_law_problem, three_level_problem


@pytest.mark.parametrize("bits", [2, 3, 4, 8])
def test_uniform_quantizer_is_torch_fake_quantization(bits):
    import torch

    values = np.random.default_rng(bits).standard_normal(2000) * 0.3
    step, K = 0.037, 2 ** (bits - 1) - 1
    ours = quantize(values, uniform_map(step, bits))
    theirs = torch.fake_quantize_per_tensor_affine(torch.tensor(values, dtype=torch.float64), step, 0, -K, K).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_truncated_moments_against_quadrature():
    mean, sd = np.array([0.3, -1.0]), np.array([0.5, 2.0])
    edges = np.array([-np.inf, -0.4, 0.1, 1.5, np.inf])
    prob, first, second = truncated_moments(mean, sd, edges)
    for i in range(2):
        density = lambda t: np.exp(-0.5 * ((t - mean[i]) / sd[i]) ** 2) / (sd[i] * np.sqrt(2 * np.pi))
        for j in range(4):
            a, b = edges[j], edges[j + 1]
            assert prob[i, j] == pytest.approx(quad(density, a, b)[0], abs=1e-10)
            assert first[i, j] == pytest.approx(quad(lambda t: t * density(t), a, b)[0], abs=1e-9)
            assert second[i, j] == pytest.approx(quad(lambda t: t * t * density(t), a, b)[0], abs=1e-9)


def simulate(problem, n, s, trials, seed):
    out = {name: [] for name in ["binary", "ternary", "uniform-2", "uniform-3", "uniform-4", "prune+uniform-3"]}
    for child in np.random.SeedSequence(seed).spawn(trials):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        theta = min_norm_least_squares(X, y)
        out["binary"].append(problem.risk(quantize(theta, empirical_binary(theta))))
        out["ternary"].append(problem.risk(quantize(theta, empirical_ternary(theta))))
        for bits in (2, 3, 4):
            out[f"uniform-{bits}"].append(problem.risk(quantize(theta, uniform_map(empirical_step(theta, bits), bits))))
        kept = restrict(theta, magnitude_support(theta, s))
        step = empirical_step(theta[magnitude_support(theta, s)], 3)
        out["prune+uniform-3"].append(problem.risk(quantize(kept, uniform_map(step, 3)) * (kept != 0)))
    return out


def theory(law, s):
    return {"binary": map_risk(law, binary_map(law)), "ternary": map_risk(law, ternary_map(law)),
            **{f"uniform-{b}": map_risk(law, uniform_map(calibrated_step(law, b), b)) for b in (2, 3, 4)},
            "prune+uniform-3": map_risk(law, prune_then_uniform_map(law, s, 3))}


CASES = {"power-law, p > n": (power_law_problem(500), 200, 60), "three-level, p > n": (three_level_problem(500), 200, 80),
         "three-level, p < n": (three_level_problem(150), 400, 40)}


@pytest.mark.parametrize("case", CASES)
def test_quantizer_risks_match_simulation(case):
    problem, n, s = CASES[case]
    law = FitLaw(problem, n)
    predicted = theory(law, s)
    report = []
    for name, risks in simulate(problem, n, s, trials=60, seed=4).items():
        mean, low, high = mean_ci(risks)
        report.append(f"{name}: theory {predicted[name]:.4f}, simulation {mean:.4f} [{low:.4f}, {high:.4f}]")
        assert abs(mean - predicted[name]) <= 1.5 * (high - low) + 0.01 * predicted[name], "\n".join(report)


def test_each_bound_is_below_its_quantizer():
    problem, n, _ = CASES["three-level, p > n"]
    law = FitLaw(problem, n)
    for quantizer in [binary_map(law), ternary_map(law), uniform_map(calibrated_step(law, 3), 3)]:
        bound = best_map(law, quantizer.levels)
        assert map_risk(law, bound) <= map_risk(law, quantizer) + 1e-9


@pytest.mark.parametrize("bits", [2, 3, 8, 12, 16])
def test_uniform_weight_error_by_parts_is_the_bin_sum(bits):
    """The summation by parts that calibrates 16-bit steps equals the bin-by-bin sum of weight_error,
    with the step at the calibrated value and off it (coarse steps clip, fine ones do not), to round-off.
    Declared tolerance, relative and with no absolute floor (pytest.approx's default abs = 1e-12 is about
    the error itself at 16 bits, ~7e-12, and would pass anything): both sums cancel from about the
    clipping range squared, (K h)^2 with K = 2^(b-1) - 1, down to the error, about h^2 / 12, so each
    loses a factor 12 K^2 on the machine epsilon: 12 K^2 eps (2.9e-6 at 16 bits, 1.1e-8 at 12), at
    least 1e-14 (a few dozen ulps where little cancels). Measured on this case: 0.13 to 0.42 of it,
    e.g. a worst relative gap of 3.7e-7 at 16 bits and 2.4e-9 at 12, above the 1e-9 once written here."""
    problem, n, _ = CASES["three-level, p > n"]
    law = FitLaw(problem, n)
    step = calibrated_step(law, bits)
    tolerance = max(1e-14, 12 * (2 ** (bits - 1) - 1) ** 2 * np.finfo(float).eps)
    for scale in (0.5, 1.0, 3.0):
        by_parts = uniform_weight_error(law, scale * step, bits)
        assert by_parts == pytest.approx(weight_error(law, uniform_map(scale * step, bits)), rel=tolerance, abs=0)
    assert uniform_weight_error(law, step, bits) < min(uniform_weight_error(law, s * step, bits) for s in (0.9, 1.1))


@pytest.mark.parametrize("bits", [8, 16])
def test_calibrated_steps_are_interior_minima_at_high_bit_widths(bits):
    """The step searches find a minimum inside their bracket (a bracket that stopped at scale * 1e-4
    once returned its edge at 16 bits): the error there is below the error 10% either side."""
    values = np.random.default_rng(bits).standard_normal(20_000)
    step = empirical_step(values, bits)

    def error(h):
        return np.mean((quantize(values, uniform_map(h, bits)) - values) ** 2)
    assert error(step) < min(error(0.9 * step), error(1.1 * step))
    problem, n, _ = CASES["three-level, p > n"]
    law = FitLaw(problem, n)
    step = calibrated_step(law, bits)
    assert uniform_weight_error(law, step, bits) < min(uniform_weight_error(law, h * step, bits) for h in (0.9, 1.1))
