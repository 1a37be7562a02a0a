"""The DC-law checks of chapter 2 (overparam.experiments and overparam.reports.distributional_characterization)
on made-up inputs."""
import numpy as np
import pytest

from overparam.book.curves import style_of
from overparam.experiments import distributional_characterization as dc
from overparam.experiments.montecarlo import min_norm_draws
from overparam.reports import distributional_characterization as report
from overparam.reports.problem import problem_table
from overparam.theory.dc import ScaledLaw


LAW = ScaledLaw(np.array([0.0, 2.0]), np.array([1.0, 0.5]), np.array([0.8, 0.2]))


def law_values(law, size=20000):
    """A sample with the law's exact quantiles (no sampling error)."""
    return law.quantile((np.arange(size) + 0.5) / size)


def test_two_level_problem_puts_the_spike_on_the_first_tenth():
    problem = dc.two_level_problem(50, 7.0, 0.3)
    np.testing.assert_allclose(problem.cov, np.r_[np.full(5, 7.0), np.ones(45)])
    np.testing.assert_allclose(problem.theta_star, 1 / np.sqrt(50))
    assert problem.sigma == 0.3


def test_isotropic_problem_is_the_simulated_one_and_its_table_gives_every_smaller_size():
    """problem.csv's isotropic rows (the largest p of the check) hold every size the check simulates: the first
    p rows rescaled to norm 1 are that size's theta*, and the simulation's risk is that problem's risk."""
    sizes = dc.isotropic_sizes(20)
    largest = dc.isotropic_problem(int(max(sizes)), 0.4, 3)
    rows = problem_table(largest, spectrum="isotropic")
    assert len(rows) == max(sizes) and (rows.variance == 1).all()
    np.testing.assert_allclose(np.linalg.norm(rows.theta_star), 1.0)
    for size in sizes[:3]:
        head = rows.theta_star.to_numpy()[:size]
        np.testing.assert_allclose(dc.isotropic_problem(int(size), 0.4, 3, int(max(sizes))).theta_star,
                                   head / np.linalg.norm(head))
    first = dc.isotropic_problem(int(sizes[0]), 0.4, 3)  # the largest of the sizes simulated here
    thetas, _ = min_norm_draws(first, 20, 2, seed=(3, 400))
    np.testing.assert_array_equal(dc.isotropic_simulation(sizes[:1], 20, 0.4, 2, 3)[0], first.risk(thetas))
    assert not np.allclose(dc.isotropic_problem(10, 0.4, 4).theta_star, dc.isotropic_problem(10, 0.4, 3).theta_star)


def test_law_tables_and_quantile_gaps_measure_a_shift_in_iqr_units():
    density, quantiles = report.law_tables("s", "r", LAW, law_values(LAW))
    assert len(density) == 400 and set(density.columns) == {"spectrum", "regime", "x", "density"}
    np.testing.assert_allclose(quantiles.simulated_quantile, quantiles.theory_quantile, atol=2e-3)
    iqr = report.law_iqr(quantiles)
    assert iqr == pytest.approx(float(np.diff(LAW.quantile(np.array([0.25, 0.75])))[0]))
    _, shifted = report.law_tables("s", "r", LAW, law_values(LAW) + 0.3)
    gaps = report.quantile_gaps([quantiles, shifted])["largest |quantile gap| / IQR"]
    assert gaps.iloc[0] < 0.01
    assert gaps.iloc[1] == pytest.approx(0.3 / iqr, rel=0.02)


def test_w2_table_slopes_and_single_draw_bounds():
    sizes = [100, 400, 1600]
    w2 = {"dense": np.outer(np.array(sizes, float) ** -0.5, [1.0, 1.0]),
          "dc-law": np.outer(np.array(sizes, float) ** -1.0, [1.0])}
    table, slopes = report.w2_table(w2, sizes)
    assert slopes["dense"] == pytest.approx(-0.5) and slopes["dc-law"] == pytest.approx(-1.0)
    law_rows = table[table.curve == "dc-law"]
    np.testing.assert_allclose(law_rows.ci_low, law_rows.w2)  # one draw: the bounds are the mean
    for curve in table.curve.unique():
        style_of(curve)  # registered names only


def test_w2_study_is_small_for_a_fit_and_for_draws_from_the_law():
    w2 = dc.w2_study(lambda size: dc.two_level_problem(size, 10.0, 0.5), [200, 400], 2.0, 2, seed=1)
    assert set(w2) == {"dense", "dc-law"} and w2["dense"].shape == (2, 2)
    assert np.all(w2["dense"] < 0.3) and np.all(w2["dc-law"] < 0.3)


def test_hastie_risk_and_gamma_on_both_sides_of_the_interpolation_point():
    np.testing.assert_allclose(dc.hastie_risk([0.5, 2.0], 0.5), [0.5, 1.0])
    n = 100
    assert dc.isotropic_gamma(200, n, 0.5) == pytest.approx(float(dc.hastie_risk(2.0, 0.5)), rel=1e-9)
    assert dc.isotropic_gamma(50, n, 0.5) == pytest.approx(0.25 * (n - 1) / (n - 50 - 1))


def test_isotropic_sizes_leave_out_the_interpolation_point():
    sizes = dc.isotropic_sizes(100, [0.5, 0.98, 1.0, 1.02, 1.04, 2.0])
    np.testing.assert_array_equal(sizes, [50, 104, 200])


def test_isotropic_table_checks_and_claims():
    sizes = np.array([50, 80, 150, 300])
    n, sigma = 100, 0.5
    theory = np.array([dc.isotropic_gamma(int(p), n, sigma) for p in sizes])
    rng = np.random.default_rng(0)
    good = report.isotropic_table(sizes, n, sigma, [t + 0.01 * rng.standard_normal(20) for t in theory])
    checks = report.isotropic_checks(good)
    assert checks["gap_hastie"] < 1e-9 and checks["gap_simulation"] < 0.02
    _, quantiles = report.law_tables("s", "r", LAW, law_values(LAW))
    claims = report.dc_claims([quantiles], good, checks)
    assert [row["status"] for row in claims] == ["reproduced"] * 3
    assert [row["kind"] for row in claims] == ["claim", "claim", "check"]
    bad = report.isotropic_table(sizes, n, sigma, [1.5 * t + 0.01 * rng.standard_normal(20) for t in theory])
    _, shifted = report.law_tables("s", "r", LAW, law_values(LAW) + 1.0)
    broken = dict(checks, gap_hastie=0.1)
    assert [row["status"] for row in report.dc_claims([shifted], bad, broken)] == ["not reproduced"] * 3


def test_counts_follow_the_declared_bands():
    sizes = np.array([50, 150])
    n, sigma = 100, 0.5
    theory = np.array([dc.isotropic_gamma(int(p), n, sigma) for p in sizes])
    rng = np.random.default_rng(1)
    noisy = report.isotropic_table(sizes, n, sigma, [t * (1 + 0.2 * rng.standard_normal(5)) for t in theory])
    counts = report.risk_counts(noisy, 0.05)
    assert counts["points"] == 2 and counts["agree"] + counts["disagree"] + counts["inconclusive"] == 2
    assert report.risk_counts(noisy, 10.0)["agree"] == 2
    _, shifted = report.law_tables("s", "r", LAW, law_values(LAW) + 1.0)
    assert report.quantile_counts([shifted], 0.08)["agree"] == 0


def test_isotropic_simulation_matches_gamma_roughly():
    sizes = dc.isotropic_sizes(40, [0.5, 2.0])
    risks = dc.isotropic_simulation(sizes, 40, 0.5, 40, seed=2)
    table = report.isotropic_table(sizes, 40, 0.5, risks)
    assert np.all(np.abs(table.risk / table.theory_gamma - 1) < 0.25)


def test_design_memory_grows_with_the_largest_fit():
    values = {"p": 1000, "kappa_under": 0.5, "w2_sizes": [250, 4000], "kappa_over": 2.0, "iso_n": 200}
    size, text = dc.design_memory(values)
    assert size == 8 * 4 * 4000**2 / 2 and "4000" in text
    assert dc.design_memory({**values, "p": 10000})[0] == 8 * 4 * 10000**2 / 0.5


def test_worst_quantile_names_its_case_and_percentile():
    _, good = report.law_tables("s", "r", LAW, law_values(LAW))
    _, shifted = report.law_tables("t", "u", LAW, law_values(LAW) + 1.0)
    worst = report.worst_quantile([good, shifted])
    assert (worst["spectrum"], worst["regime"]) == ("t", "u") and 1 <= worst["percentile"] <= 99


def test_quoted_numbers_gather_the_counts_and_the_law_components():
    sizes = np.array([50, 150])
    n, sigma = 100, 0.5
    theory = np.array([dc.isotropic_gamma(int(p), n, sigma) for p in sizes])
    iso = report.isotropic_table(sizes, n, sigma, [t * (1 + 0.01 * np.arange(-2, 3)) for t in theory])
    _, good = report.law_tables("s", "r", LAW, law_values(LAW))
    _, shifted = report.law_tables("t", "u", LAW, law_values(LAW) + 1.0)
    numbers = report.quoted_numbers(LAW, {"dense": -0.5, "dc-law": -0.4}, [good, shifted], iso)
    assert (numbers["dc-centre-low"], numbers["dc-centre-high"]) == (0.0, 2.0)
    assert (numbers["dc-sd-low"], numbers["dc-sd-high"]) == (1.0, 0.5)
    assert numbers["dc-w2-slope-dc-law"] == -0.4 and numbers["dc-worst-case"] == "t, u"
    counts = report.risk_counts(iso, numbers["dc-risk-band"])
    assert {key: numbers[f"dc-risk-{key}"] for key in counts} == counts and counts["points"] == 2
    assert numbers["dc-quantile-points"] == 2 * 99
