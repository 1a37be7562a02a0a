"""The compressor registry: every registered compressor with a DC prediction against its simulation,
through the same registry entries the chapters use, and the DC law computed once per fit."""
import numpy as np
import pytest

from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS, TrainedFit, register, theory_of
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import min_norm_least_squares
from test_theory import CASES, SLACK

WITH_THEORY = [name for name, compressor in COMPRESSORS.items() if compressor.theory is not None]


def simulate_registry(problem, n, s, trials, seed):
    """Per-trial risks of every registered compressor on fits of all p features."""
    out = {name: np.empty(trials) for name in COMPRESSORS}
    for t, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = problem.sample(n, rng)
        fresh = problem.sample(n, rng)
        fit = TrainedFit(problem, min_norm_least_squares(X, y), problem.p, X, y, fresh, s, rng)
        for name, compressor in COMPRESSORS.items():
            out[name][t] = problem.risk(compressor.compress(fit))
    return out


@pytest.mark.parametrize("case", ["power-law, p > n", "three-level, p < n", "three-level, p > n, s > n"])
def test_every_registered_theory_matches_its_simulation(case):
    problem, n, s = CASES[case]
    law = FitLaw(problem, n)
    simulated = simulate_registry(problem, n, s, trials=80, seed=3)
    report = []
    for name in WITH_THEORY:
        predicted = COMPRESSORS[name].theory(law, s)
        mean, low, high = mean_ci(simulated[name])
        se = (high - low) / (2 * 1.96)
        report.append(f"{name}: theory {predicted:.4f}, simulation {mean:.4f} +- {1.96 * se:.4f}")
        assert abs(mean - predicted) <= 3 * se + SLACK * predicted, "\n".join(report)


def test_random_pruning_is_worse_than_magnitude_when_weights_differ():
    problem, n, s = CASES["three-level, p > n"]
    law = FitLaw(problem, n)
    assert COMPRESSORS["random"].theory(law, s) > COMPRESSORS["magnitude"].theory(law, s)


def test_the_dc_law_is_computed_once_and_its_thresholds_cached():
    problem, n, s = CASES["power-law, p > n"]
    law = FitLaw(problem, n)
    first = COMPRESSORS["magnitude"].theory(law, s)
    assert set(law._kept) == {(s, "magnitude")}
    COMPRESSORS["magnitude+retrain"].theory(law, s)
    assert set(law._kept) == {(s, "magnitude")}  # the retrained risk reused the pruning threshold
    assert COMPRESSORS["magnitude"].theory(law, s) == first


def test_same_sample_refits_are_compared_with_the_fresh_sample_theory():
    assert theory_of("hessian+retrain-same-sample") == "hessian+retrain"
    assert COMPRESSORS["hessian+retrain-same-sample"].theory is None


def test_a_compressor_needs_a_registered_curve():
    with pytest.raises(KeyError, match="unknown rule 'no-such-curve'; known rules"):
        register("no-such-curve", lambda fit: fit.theta, None, "")
