"""The continuous rotation between aligned and inverted saliency
(overparam.theory.problems.rotated_problem) and the refinements of chapter 14 it and the simulated
points feed (overparam.reports.phase_bands): the crossings along t and the per-conclusion undecided
bands."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from overparam.experiments import phase_diagrams as experiment
from overparam.reports import phase_bands, phase_figures
from overparam.reports.phase_diagrams import band_of, sign_crossings, tidy_grid
from overparam.theory.problems import THETA_LAWS, fig3_problem, rotated_problem, rotation_of

P, S, SPIKE, SIGMA = 60, 6, 10.0, 0.5


@pytest.mark.parametrize("law", THETA_LAWS)
@pytest.mark.parametrize("name, rotation", [("aligned", 0.0), ("inverted", 1.0), ("inverted", 1)])
def test_the_ends_of_the_rotation_are_the_named_alignments_exactly(law, name, rotation):
    named = fig3_problem("b", P, S, SPIKE, SIGMA, law, name, seed=7)
    for alignment in (rotation, name):
        rotated = rotated_problem(P, S, SPIKE, SIGMA, law, alignment, seed=7)
        assert np.array_equal(rotated.theta_star, named.theta_star) and np.array_equal(rotated.cov_diagonal,
                                                                                     named.cov_diagonal)


@pytest.mark.parametrize("rotation", [0.0, 0.25, 0.5, 0.8, 1.0])
def test_every_saliency_is_kept_and_the_variance_moves_geometrically(rotation):
    problem = rotated_problem(P, S, SPIKE, SIGMA, "constant", rotation)
    saliency = np.r_[np.full(S, SPIKE), np.ones(P - S)]
    np.testing.assert_allclose(problem.cov_diagonal * problem.theta_star**2, saliency / P, rtol=1e-12)
    np.testing.assert_allclose(problem.cov_diagonal, saliency ** (1 - 2 * rotation), rtol=1e-12)


def test_the_middle_of_the_rotation_has_unit_variance_so_hessian_and_magnitude_agree():
    config = experiment.Config(0.3, 0.1, p=100, alignment=0.5)
    np.testing.assert_allclose(config.problem().cov_diagonal, 1.0)
    assert experiment.hessian_beats_magnitude(config) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("alignment", [-0.1, 1.5, "sideways"])
def test_a_rotation_outside_the_interval_is_refused(alignment):
    with pytest.raises(ValueError, match="alignment"):
        rotation_of(alignment)


def rotation_grid(points=9):
    configs = [experiment.Config(0.3, 0.1, p=100, alignment=float(t)) for t in np.linspace(0, 1, points)]
    return experiment.evaluate_grid(configs, ["best-size-is-p", "hessian-beats-magnitude"])


def test_the_named_default_sits_on_the_rotation_grid():
    grid = rotation_grid()
    named = experiment.evaluate_grid([experiment.Config(0.3, 0.1, p=100, alignment=name)
                                      for name in ("aligned", "inverted")], ["best-size-is-p"])
    assert list(grid["best-size-is-p"].iloc[[0, -1]]) == list(named["best-size-is-p"])


def test_crossings_along_the_rotation():
    """The paper's problem prunes best at k = p aligned and not inverted, so its margin crosses once;
    a margin of exactly zero (Hessian = magnitude at t = 1/2) is one crossing, not two."""
    grid = rotation_grid()
    crossings = phase_bands.rotation_crossings(grid, "best-size-is-p")
    assert len(crossings) == 1 and 0 < crossings[0] < 1
    # t = 1/2 is on the grid of 9 points, where every variance is 1: the crossing is exactly there
    assert phase_bands.rotation_crossings(grid, "hessian-beats-magnitude") == [0.5]
    assert sign_crossings([0, 1, 2], [0.2, 0.0, -0.2]) == [1.0]
    assert sign_crossings([0, 1, 2], [0.4, 0.0, -0.1]) == [1.0]  # at the zero, not interpolated past it
    assert sign_crossings([0, 1, 2, 3], [0.4, 0.0, 0.0, -0.1]) == [1.5]
    assert sign_crossings([0, 1, 2], [0.4, 0.0, 0.1]) == []  # touches zero without changing sign
    assert sign_crossings([0, 1, 2], [0.4, -0.1, -0.2]) == [0.8]
    assert sign_crossings([0, 1, 2], [0.2, np.nan, -0.2]) == []
    text = phase_bands.rotation_switch(grid, "best-size-is-p", 0.03)
    assert text.startswith(f"switches sign at t ≈ {crossings[0]:.2f}") and "holds, at t = 0" in text
    flat = grid.assign(**{"best-size-is-p": 0.5})
    assert phase_bands.rotation_switch(flat, "best-size-is-p", 0.03).startswith("keeps its sign")
    assert phase_bands.rotation_numbers(grid, ["best-size-is-p"], "constant", {"best-size-is-p": 0.03}) == {
        "where-rotation-best-size-is-p": text}


def confirmation_table(gaps_by_conclusion):
    rows = [{"conclusion": conclusion, "predicted_margin": 0.2, "simulated_margin": 0.2 + gap}
            for conclusion, gaps in gaps_by_conclusion.items() for gap in gaps]
    return pd.DataFrame(rows)


def test_bands_are_a_quantile_of_the_gaps_where_there_are_enough_points():
    gaps = np.linspace(0.01, 0.10, 10)
    table = confirmation_table({"a": gaps, "b": [0.5] * 9, "c": [*-gaps, np.nan]})
    bands = phase_bands.derived_bands(table, ["a", "b", "c"], quantile=0.9, fallback=0.03).set_index("conclusion")
    assert phase_bands.min_points_for(0.9) == 10 and phase_bands.min_points_for(0.95) == 20
    assert bands.loc["a", "band"] == pytest.approx(np.quantile(gaps, 0.9)) and bands.loc["a", "points"] == 10
    assert bands.loc["b", "band"] == 0.03 and "9 points, fewer than 10" in bands.loc["b", "rule"]
    assert bands.loc["c", "band"] == pytest.approx(bands.loc["a", "band"])  # |gap|, the NaN left out
    numbers = phase_bands.band_numbers(bands.reset_index())
    assert numbers["where-bands-derived"] == 2 and numbers["where-band-b-points"] == 9
    assert (numbers["where-band-points-fewest"], numbers["where-band-points-most"]) == (9, 10)


def test_a_band_per_conclusion_sets_each_conclusions_phases():
    grid = rotation_grid(5)
    bands = {"best-size-is-p": 10.0, "hessian-beats-magnitude": 0.0}
    assert band_of(bands, "best-size-is-p") == 10.0 and band_of(0.03, "anything") == 0.03
    tidy = tidy_grid(grid, list(bands), bands)
    assert set(tidy[tidy.conclusion == "best-size-is-p"].phase) == {"undecided"}
    assert "undecided" not in set(tidy[(tidy.conclusion == "hessian-beats-magnitude") & (tidy.margin != 0)].phase)


def test_the_rotation_figure_has_a_panel_per_conclusion_and_fits_the_page():
    grid = rotation_grid(5).assign(theta_law="constant")
    fig = phase_figures.plot_rotation(grid, ["best-size-is-p", "hessian-beats-magnitude"],
                                      experiment.Config(0.3, 0.1, p=100), {"best-size-is-p": 0.02,
                                                                            "hessian-beats-magnitude": 0.05})
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2 and fig.get_figwidth() <= 8
    assert all(ax.get_ylabel().startswith("margin (band ±") and ax.get_xlabel().startswith("rotation t")
               for ax in axes)
    assert "band ±5%" in axes[1].get_ylabel() and "band" not in axes[1].get_title() and fig.legends
    plt.close(fig)
