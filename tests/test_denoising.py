"""Sec. 3.4's experiment (overparam.experiments.denoising: sizes, simulation) and its report
(overparam.reports.denoising: tidy rows, summary, claims, quoted numbers)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from overparam.book.curves import style_of  # noqa: E402
from overparam.experiments.denoising import (CURVE, best_overparameterized, denoising_problem, model_sizes,  # noqa: E402
                                             salient_errors, simulate_panels, theory_errors, theory_margins, theory_sizes)
from overparam.reports.denoising import (best_size_lines, denoising_claims, error_curves,  # noqa: E402
                                         plot_noise_levels, quoted_numbers, theory_covered, theory_points)
from overparam.theory.problems import fig3_problem  # noqa: E402

N, S, SPIKE = 40, 4, 10.0
PANELS = {"d < n": 30, "d > n": 90}
SIGMAS = [0.0, 0.5]


@pytest.fixture(scope="module")
def simulated():
    return simulate_panels(PANELS, SIGMAS, S, SPIKE, N, 6, seed=2)


def test_sizes_skip_the_peak_and_start_at_s():
    ks = model_sizes(S, N, 90)
    assert ks[0] == S and ks[-1] == 90 and np.all(np.abs(ks - N) >= 3) and np.all(np.diff(ks) > 0)
    fine = theory_sizes(S, N, 90, ks)
    assert set(ks) <= set(fine) and np.all(np.abs(fine - N) >= 2)


def test_the_curve_is_registered():
    assert style_of(CURVE)["label"] == "oracle pruning"  # raises for a name with unknown parts


def test_noise_free_fit_on_all_features_is_exact_and_small_fit_matches_its_formula():
    ks = np.array([S, 30])
    errors = salient_errors(30, S, SPIKE, 0.0, N, ks, 400, (1, 2))
    assert errors[:, -1].max() < 1e-20
    theory = theory_errors(30, S, SPIKE, 0.0, N, ks)
    assert theory[-1] == pytest.approx(0, abs=1e-12)
    mean, sd = errors[:, 0].mean(), errors[:, 0].std(ddof=1) / np.sqrt(400)
    assert abs(mean - theory[0]) < 3 * sd  # exact in expectation below the interpolation point


def test_simulation_is_keyed_by_panel_and_noise_and_reproducible(simulated):
    assert set(simulated) == {(panel, sigma) for panel in PANELS for sigma in SIGMAS}
    assert simulated["d > n", 0.5].shape == (6, len(model_sizes(S, N, 90)))
    again = simulate_panels(PANELS, SIGMAS, S, SPIKE, N, 6, seed=2)
    np.testing.assert_array_equal(again["d < n", 0.0], simulated["d < n", 0.0])


def test_error_curves_tidy_rows_and_summary(simulated):
    table, summary = error_curves(PANELS, SIGMAS, simulated, S, SPIKE, N)
    assert set(table.curve) == {CURVE} and set(table.source) == {"theory", "simulation"}
    sim = table[table.source == "simulation"]
    assert (sim.ci_low <= sim.error).all() and (sim.error <= sim.ci_high).all()
    assert len(summary) == 4 and set(summary["large beats small"]) <= {"yes", "no"}
    row = summary[(summary.panel == "d < n") & (summary.sigma == 0.0)].iloc[0]
    assert row["large fit (k = d)"] == 0 and row["large beats small"] == "yes"
    fig, ax = plt.subplots()
    plot_noise_levels(ax, table[table.panel == "d > n"], SIGMAS)
    assert len(ax.get_legend_handles_labels()[1]) == len(SIGMAS)
    plt.close(fig)


def test_best_size_is_overparameterized_and_margins_are_consistent():
    ks = model_sizes(S, N, 90)
    j = best_overparameterized(90, S, SPIKE, 0.5, N)
    assert ks[j] > N
    (small, best), = theory_margins(90, S, SPIKE, [0.5], N).values()
    assert best <= theory_errors(90, S, SPIKE, 0.5, N, [ks[j]])[0] + 1e-12
    assert small == pytest.approx(theory_errors(90, S, SPIKE, 0.5, N, [S])[0])


def test_claims_include_exact_recovery_and_follow_the_margins(simulated):
    at_best = {sigma: best_overparameterized(90, S, SPIKE, sigma, N) for sigma in SIGMAS}
    margins = theory_margins(90, S, SPIKE, SIGMAS, N)
    claims = denoising_claims(simulated, PANELS, SIGMAS, margins, at_best)
    assert len(claims) == 5 and claims[0]["kind"] == "check" and claims[0]["status"] == "reproduced"
    assert "exactly" in claims[0]["claim"] and claims[1]["origin"] == "paper"
    assert claims[1]["status"] == "reproduced"
    assert [c["origin"] for c in claims[2:]] == ["paper-extended"] * 3
    losing = {sigma: (small, small * 2) for sigma, (small, _) in margins.items()}
    assert denoising_claims(simulated, PANELS, SIGMAS, losing, at_best)[2]["status"] == "not reproduced"
    one = denoising_claims(simulated, PANELS, [0.5], {0.5: margins[0.5]}, {0.5: at_best[0.5]})
    assert len(one) == 3  # no noise-free level: neither the exact recovery nor the paper's own statement


def test_theory_points_are_inconclusive_inside_the_band():
    margins = {0.0: (1.0, 0.99), 1.0: (1.0, 0.5), 2.0: (1.0, 1.5)}
    assert [v.status for v in theory_points(margins, 0.02)] == ["inconclusive", "reproduced", "not reproduced"]
    assert theory_points(margins, 0.005)[0].status == "reproduced"


def test_coverage_counts_an_interval_around_the_theory_and_an_exact_zero_only_when_reached():
    covered = theory_covered(np.array([1.0, 1.0, 1.0, 0.0, 0.0]), np.array([0.9, 1.05, 0.8, 1e-31, 0.0]),
                             np.array([1.1, 1.2, 0.95, 2e-31, 1e-31]))
    assert list(covered) == [True, False, False, False, True]


def test_best_size_lines_and_quoted_numbers(simulated):
    at_best = {sigma: best_overparameterized(90, S, SPIKE, sigma, N) for sigma in SIGMAS}
    margins = theory_margins(90, S, SPIKE, SIGMAS, N)
    lines = best_size_lines(simulated, at_best, S, N, 90).splitlines()
    assert len(lines) == len(SIGMAS) and lines[0].startswith("d > n, sigma = 0: small fit ")
    numbers = quoted_numbers(simulated, SIGMAS, margins, at_best)
    assert set(numbers) == {"denoising-margin-lowest-noise", "denoising-margin-highest-noise",
                            "denoising-sim-lowest-noise", "denoising-band"}
    small, best = margins[SIGMAS[0]]
    assert numbers["denoising-margin-lowest-noise"] == pytest.approx(1 - best / small)
    assert all(isinstance(value, float) for value in numbers.values())


def test_the_default_problem_is_panel_a_and_the_family_keeps_every_saliency():
    default = denoising_problem(30, S, SPIKE, 0.5)
    panel_a = fig3_problem("a", 30, S, SPIKE, 0.5)
    np.testing.assert_array_equal(default.theta_star, panel_a.theta_star)
    np.testing.assert_array_equal(default.cov, panel_a.cov)
    inverted = denoising_problem(30, S, SPIKE, 0.5, "random-sign", "inverted", seed=1)
    np.testing.assert_allclose(inverted.cov[:S], 1 / SPIKE)
    np.testing.assert_allclose(inverted.cov * inverted.theta_star**2, panel_a.theta_star**2)
    with pytest.raises(ValueError, match="alignment"):
        denoising_problem(30, S, SPIKE, 0.5, alignment="sideways")


@pytest.mark.parametrize("theta_law, alignment", [("gaussian", "inverted"), ("random-sign", "aligned"),
                                                  ("sparse", "identity")])
def test_the_familys_theory_is_exact_below_the_peak(theta_law, alignment):
    family = {"theta_law": theta_law, "alignment": alignment, "seed": 3}
    ks = np.array([S, 12, 30])
    trials = 400
    errors = salient_errors(30, S, SPIKE, 0.5, N, ks, trials, (4, 5), **family)
    theory = theory_errors(30, S, SPIKE, 0.5, N, ks, **family)
    mean, se = errors.mean(axis=0), errors.std(axis=0, ddof=1) / np.sqrt(trials)
    # exact in expectation; 4 standard errors, not 3, because nine points (3 sizes x 3 families) are checked
    assert np.all(np.abs(mean - theory) < 4 * se), (mean, theory, se)
    noise_free = salient_errors(30, S, SPIKE, 0.0, N, [30], 20, (4, 6), **family)
    assert noise_free.max() < 1e-20  # d < n and no noise: exact recovery in every family
