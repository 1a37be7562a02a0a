"""Chapter 11's fair bit budget (overparam.experiments.quantization_budget, overparam.reports.quantization_budget)
and the quantizers it adds to overparam.theory.quantization: Lloyd-Max against Max's table and against
simulated k-means fits, the best scalar shrinkage against its parabola and simulation, the fair models'
bits and predicted risks against simulation, and the random-features control's tables."""
import numpy as np
import pytest

from overparam.book.stats import mean_ci
from overparam.experiments.linear import theory_curves
from overparam.experiments.quantization_budget import (budget_size, fair_models, fair_table, quantizer_maps,
                                                       simulate_fair_models, stored_bits)
from overparam.reports.quantization_budget import (affordable_large, fair_summary, relative_table, rf_control,
                                                   rf_pooled)
from overparam.theory.problems import fig3_problem
from overparam.theory.quantization import (best_shrinkage, empirical_lloyd_max, lloyd_max_map, map_risk, quantize,
                                           truncated_moments)
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import min_norm_least_squares


def test_lloyd_max_of_a_standard_normal_sample_is_maxs_table():
    # Max (1960), Table I: the 4-level quantizer of N(0, 1) has outputs +-0.4528 and +-1.510. The sample is
    # symmetrized: on a raw sample k-means can stop at a slightly asymmetric fixed point (levels -0.444,
    # +0.464 on this one), the flat direction of the 4-level Gaussian problem
    values = np.random.default_rng(0).standard_normal(400_000)
    levels = empirical_lloyd_max(np.r_[values, -values], 2).levels
    np.testing.assert_allclose(levels, [-1.510, -0.4528, 0.4528, 1.510], atol=0.005)


def test_lloyd_max_of_the_law_is_a_fixed_point_and_predicts_kmeans_fits():
    problem, n = fig3_problem("b", 400, 40, 10.0, 0.5), 120
    law = FitLaw(problem, n)
    f = lloyd_max_map(law, 2)
    # the centroid condition: each level is the mean of the law on its bin
    mean, sd, share = law.dc.mean, np.sqrt(law.dc.var), law.w / law.w.sum()
    prob, first, _ = truncated_moments(mean, sd, f.edges)
    np.testing.assert_allclose((share @ first) / (share @ prob), f.levels, rtol=1e-6)
    risks = []
    for t in range(40):
        X, y = problem.sample(n, np.random.default_rng(t))
        theta = min_norm_least_squares(X, y)
        risks.append(problem.risk(quantize(theta, empirical_lloyd_max(theta, 2))))
    m, low, high = mean_ci(np.array(risks))
    assert abs(m - map_risk(law, f)) <= 1.5 * (high - low) + 0.02 * m


def test_best_shrinkage_is_the_vertex_of_the_parabola_and_matches_simulation():
    problem, n = fig3_problem("b", 400, 40, 10.0, 0.5, theta_law="gaussian"), 120
    law = FitLaw(problem, n)
    c, risk = best_shrinkage(law)
    w = law.w * law.lam

    def risk_of(scale):
        m, v = law.dc.mean, law.dc.var
        return problem.sigma**2 + np.sum(w * ((scale * m - law.theta) ** 2 + scale**2 * v))
    assert risk == pytest.approx(risk_of(c)) and risk_of(c) < min(risk_of(0.98 * c), risk_of(1.02 * c))
    assert risk_of(1.0) == pytest.approx(law.dense(), rel=1e-9)
    simulated = [problem.risk(c * min_norm_least_squares(*problem.sample(n, np.random.default_rng(t)))) for t in range(40)]
    m, low, high = mean_ci(np.array(simulated))
    assert abs(m - risk) <= 1.5 * (high - low) + 0.02 * risk


def test_stored_bits_and_quantizer_names():
    assert stored_bits(100, 32) == 3200
    assert stored_bits(1000, 3, "uniform-3") == 3032
    assert stored_bits(1000, 2, "lloyd-2") == 2000 + 4 * 32  # a codebook of 2^b 32-bit levels
    with pytest.raises(ValueError, match="unknown quantizer"):
        quantizer_maps("huffman-3")


def test_budget_size_is_the_largest_model_that_fits():
    for precision, quantizer in ((32, ""), (16, "uniform-16"), (8, "uniform-8")):
        k = budget_size(precision, 3200, 1000, 300)
        assert stored_bits(k, precision, quantizer) <= 3200 < stored_bits(k + 1, precision, quantizer)
    assert budget_size(8, 3200, 250, 100) == 250  # never more than p


def test_budget_size_steps_below_the_sizes_where_least_squares_has_no_finite_risk():
    """At 32 bits a budget of 32 k bits affords k weights. Least squares on k features from n samples has a
    finite expected risk only for k <= n - 2 or k >= n + 2, so an affordable n - 1, n or n + 1 becomes n - 2
    (the old rule stepped only from n, to n - 1, whose risk is also infinite); other sizes stay."""
    n, problem = 198, fig3_problem("b", 1000, 100, 10.0, 0.5)
    for affordable in range(n - 3, n + 4):
        expected = n - 2 if n - 1 <= affordable <= n + 1 else affordable
        assert budget_size(32, 32 * affordable, 1000, n) == expected
    assert budget_size(32, 32 * (n - 1), 1000, n) == n - 2  # 197 under the old rule
    assert not np.isfinite(FitLaw(problem.prefix(n - 1), n).dense())
    assert np.isfinite(FitLaw(problem.prefix(budget_size(32, 32 * (n - 1), 1000, n)), n).dense())
    k16 = (32 * 100 - stored_bits(0, 16, "uniform-16")) // 16  # 16 bits: the affordable size is n itself here
    assert k16 == n and budget_size(16, 32 * 100, 1000, n) == n - 2


def test_fair_models_fit_the_budget_and_their_theory_matches_simulation():
    problem, n, s = fig3_problem("b", 300, 30, 10.0, 0.5), 90, 30
    ks = np.array([10, 20, 30, 60, 100, 200, 300])
    dense = theory_curves(problem, n, s, ks, compressors=["dense"])["dense"]
    models = fair_models(problem, n, s, ks, dense, (32, 16, 8), ("uniform-3", "lloyd-2"))
    small = models[models.model == "small"]
    assert (small.total_bits <= 32 * s).all() and set(small.fit) == {"least squares", "tuned ridge"}
    assert set(small.bits) == {32, 16, 8}
    assert (models[models.fit == "tuned ridge"].mu > 0).all() and (models[models.fit == "least squares"].mu == 0).all()
    # tuned ridge is never worse than least squares with the same storage (mu = 0 is in reach of the search)
    by = models.set_index(["model", "fit", "quantizer"]).theory
    assert by[("large", "tuned ridge", "uniform-3")] <= by[("large", "least squares", "uniform-3")] + 1e-9
    assert by[("small", "tuned ridge", "32-bit")] <= by[("small", "least squares", "32-bit")] + 1e-9
    draws = simulate_fair_models(problem, n, models, 40, seed=3)
    table = fair_table(models, draws)
    width = table.ci_high - table.ci_low
    assert ((table.simulated - table.theory).abs() <= 1.5 * width + 0.03 * table.theory).all(), table.to_string()
    summary = fair_summary(table.assign(law="constant"), s)
    assert list(summary.model) == ["best small", "best of all p within budget"]
    assert (affordable_large(table, s).total_bits <= 32 * s).all()


def test_relative_table_and_the_random_features_control():
    theory = {"dense": np.array([2.0, 4.0]), "binary": np.array([3.0, 4.0])}
    simulation = {"dense": np.array([[2.0, 4.0], [2.0, 4.0], [2.0, 4.0]]), "binary": np.array([[3.0, 4.0], [2.0, 4.0], [4.0, 4.0]])}
    relative = relative_table(theory, [10, 20], simulation, [10, 20], ["binary"])
    th = relative[relative.source == "theory"].risk.to_numpy()
    sim = relative[relative.source == "simulation"]
    np.testing.assert_allclose(th, [1.5, 1.0])
    np.testing.assert_allclose(sim.risk, [1.5, 1.0])
    assert sim.ci_low.iloc[0] < 1.5 < sim.ci_high.iloc[0]
    # three tasks, two sizes, two curves: the ReLU fits 10% above their twin for binary, equal for dense
    twin = np.ones((3, 2, 2))
    relu = twin * np.array([1.0, 1.1]) + np.array([0.0, 0.01, -0.01])[:, None, None]
    per_task = {"theory": twin, "gaussian twin": twin, "simulation": relu}
    control = rf_control(per_task, [10, 20], ["dense", "binary"])
    assert control.loc[control.curve == "binary", "relu / twin - 1"].to_numpy() == pytest.approx([0.1, 0.1])
    assert (control.loc[control.curve == "binary", "ci_low"] > 0).all()
    pooled = rf_pooled(per_task, ["dense", "binary"])
    assert list(pooled.curve) == ["binary"] and pooled["excess over dense"].iloc[0] == pytest.approx(0.1)
