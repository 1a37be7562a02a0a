"""The quantizers as registered compressors (overparam.experiments.quantization): bit accounting,
one registration each, and the registry's theory against the registry's simulation; and the chapter's
report (overparam.reports.quantization): bit widths in the tidy table, tables, claims, quoted numbers."""
import math

import numpy as np
import pandas as pd
import pytest

from overparam.book.stats import mean_ci
from overparam.experiments.compressors import COMPRESSORS
from overparam.experiments.linear import simulate_curves, theory_curves
from overparam.experiments.quantization import (bit_budget_table, model_bits, position_bits, random_features_quantization,
                                                register_bounds, register_quantizers)
from overparam.reports.quantization import (affordable_models, bound_table, fine_quantizers, peak_size,
                                            quantization_claims, quoted_numbers, rf_gaps, risk_table, tidy_bits)
from overparam.theory.problems import fig3_problem
from overparam.theory.risk import FitLaw


def test_bit_accounting():
    assert position_bits(1000, 10) == 10 * math.ceil(math.log2(1000))
    assert position_bits(1000, 400) == 1000  # the mask is cheaper
    assert model_bits("dense", 100) == 3200
    assert model_bits("quantized", 1000, bits=3) == 3032
    assert model_bits("pruned+quantized", 1000, 50, 4) == 4 * 50 + 500 + 32
    with pytest.raises(ValueError, match="unknown family"):
        model_bits("hashed", 10)


def test_registration_is_idempotent_and_named_by_bits():
    names = register_quantizers((2, 5))
    assert names == ["binary", "ternary", "uniform-2", "uniform-5"]
    assert register_quantizers((2, 5)) == names
    assert "prune+uniform-5" in COMPRESSORS and COMPRESSORS["uniform-5"].theory is not None


def test_registered_quantizers_theory_matches_simulation_on_prefix_models():
    problem, n, s = fig3_problem("b", 400, 40, 10.0, 0.5), 120, 40
    names = register_quantizers((3,))
    ks = [40, 90, 250, 400]
    theory = theory_curves(problem, n, s, ks, compressors=names + ["prune+uniform-3"])
    simulated = simulate_curves(problem, n, s, ks, 60, seed=1, progress=False, compressors=names + ["prune+uniform-3"])
    for name, risks in simulated.items():
        mean, low, high = mean_ci(risks)
        assert np.all(np.abs(mean - theory[name]) <= 1.5 * (high - low) + 0.02 * theory[name]), name


def test_bit_budget_table_has_every_family_on_both_sources():
    problem = fig3_problem("b", 200, 20, 10.0, 0.5)
    table, draws, configs = bit_budget_table(problem, 60, [10, 20], 4, register_quantizers((2,)), 3, seed=0)
    assert set(table.family) == {"pruned", "quantized", "pruned+quantized"}
    assert set(table.source) == {"theory", "simulation"}
    assert draws.shape == (3, len(configs))


def test_random_features_quantization_has_both_sources_and_close_dense_risks():
    names = register_quantizers((3,))
    table = random_features_quantization(5, 40, [15, 80], names, tasks=3, data_draws=4, dc_draws=4, seed=0)
    assert set(table.source) == {"theory", "simulation"} and set(table.curve) == {"dense", *names}
    assert (table.ci_low <= table.risk).all() and (table.risk <= table.ci_high).all()
    pivot = table.pivot_table(index=["curve", "p"], columns="source", values="risk")
    # the dense fit: the sampled DC and the ReLU simulation agree up to chapter 6's gaps and the noise
    dense = pivot.loc["dense"]
    assert ((dense.simulation - dense.theory).abs() / dense.theory).max() < 0.2


def test_bounds_are_registered_below_their_quantizers_and_the_csv_names_bits_apart():
    names = register_quantizers((3,))
    bounds = register_bounds(names)
    law = FitLaw(fig3_problem("b", 400, 40, 10.0, 0.5), 120)
    for name, bound in zip(names, bounds):
        assert COMPRESSORS[bound].theory(law, 40) < COMPRESSORS[name].theory(law, 40)
    tidy = tidy_bits(pd.DataFrame({"curve": ["dense", "uniform-3", "bound-uniform-3", "binary"]}))
    assert list(tidy.curve) == ["dense", "uniform", "bound-uniform", "binary"]
    assert list(tidy.bits.fillna(0)) == [0, 3, 3, 0]
    bounds_vs_risks = bound_table(law, names)
    assert list(bounds_vs_risks.quantizer) == names and (bounds_vs_risks.excess > 0).all()


def _claims_inputs(at_p_theory: float):
    """Synthetic inputs of quantization_claims: one quantizer, k = s, peak, p; a peak at k = n in the draws
    (with some spread), and the theory at k = p set to ``at_p_theory`` against 1.0 elsewhere."""
    n, s, p, trials = 30, 10, 100, 6
    ks = [s, 32, p]
    spread = np.linspace(-0.05, 0.05, trials)[:, None]
    simulation = {"binary": np.array([1.0, 3.0, 0.8]) + spread}
    theory_ks = np.array([s, 20, 32, 60, p])
    theory = {"binary": np.array([1.0, 1.2, 3.0, 1.0, at_p_theory])}
    configs = [("quantized", "binary", None, 1), ("pruned", "magnitude", 5, 32)]
    budget_table = pd.DataFrame({"source": "theory", "total_bits": [p, 160], "risk": [0.7, 0.9],
                                 "curve": ["binary", "magnitude"], "s": [np.nan, 5]})
    budget_draws = np.c_[0.7 + spread[:, 0], 0.9 + spread[:, 0]]
    dense_at_s = 1.0 + spread[:, 0]
    return simulation, ks, theory, theory_ks, budget_draws, configs, budget_table, dense_at_s, ["binary"], n, s, p


@pytest.mark.parametrize("at_p, expected", [(0.9, "reproduced"), (0.99, "inconclusive"), (1.1, "not reproduced")])
def test_quantization_claims_ids_rules_and_the_theory_band(at_p, expected):
    claims = {row["id"]: row for row in quantization_claims(*_claims_inputs(at_p))}
    assert set(claims) == {"quant-peak-near-n-binary", "quant-largest-model-best-binary", "quant-budget-beats-dense"}
    assert all(row["origin"] == "beyond" for row in claims.values())
    assert claims["quant-peak-near-n-binary"]["status"] == "reproduced"
    assert claims["quant-peak-near-n-binary"]["rule"] == "over range of comparison"
    best = claims["quant-largest-model-best-binary"]
    assert best["rule"] == "theory" and best["tolerance"] == 0.03
    # 1 / 0.99 - 1 is 1%, inside the 3% band: inconclusive; a lower risk elsewhere fails the claim
    assert best["status"] == expected
    assert claims["quant-budget-beats-dense"]["status"] == "reproduced"


def test_report_tables_and_quoted_numbers():
    simulation, ks, theory, theory_ks, _, _, budget_table, _, names, n, s, p = _claims_inputs(0.9)
    assert peak_size(ks, n) == 32
    theory = {**theory, "dense": np.array([2.0, 2.2, 5.0, 1.5, 1.2])}
    table = risk_table(theory, theory_ks, ["dense", *names], s, 32)
    assert list(table.columns) == ["quantizer", "risk at k = s", "at k = 32", "at k = p", "best k (theory)"]
    assert list(table["best k (theory)"]) == [p, p]
    assert list(affordable_models(budget_table, 4).curve) == ["binary"]
    assert fine_quantizers(["binary", "uniform-2", "uniform-4", "uniform-8"]) == ["dense", "uniform-4", "uniform-8"]
    rf = pd.DataFrame({"curve": ["dense", "dense", "binary", "binary"], "p": 10, "source": ["theory", "simulation"] * 2,
                       "risk": [1.0, 1.1, 2.0, 1.0]})
    gaps = rf_gaps(rf)
    assert gaps.loc[("binary", 10), "gap"] == pytest.approx(-0.5)
    fit = pd.DataFrame({"worst_gap": [0.01, 0.02]})
    numbers = quoted_numbers(fit, theory, theory_ks, budget_table, gaps, names, s, 4, 5)
    assert numbers["quant-worst-gap"] == 0.02 and numbers["quant-best-risk-at-budget"] == 0.7
    assert numbers["quant-rf-fine-gap"] == pytest.approx(0.1) and numbers["quant-rf-coarse-gap"] == pytest.approx(0.5)
    assert np.isnan(numbers["quant-uniform3-at-p"]) and numbers["quant-dense-at-s"] == 2.0
    assert (numbers["quant-prune-bits"], numbers["quant-rf-tasks"]) == (4, 5)
