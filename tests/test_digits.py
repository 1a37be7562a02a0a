"""Random features on the bundled MNIST digits (overparam.experiments.random_features_mnist and
overparam.reports.random_features_mnist): sweep, tables, figure, claims, quoted numbers."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from overparam.book.curves import style_of  # noqa: E402
from overparam.book.style import BOOK_RC, COLUMN_INCHES  # noqa: E402
from overparam.experiments.random_features import REAL_DATA_CURVES  # noqa: E402
from overparam.experiments.random_features_mnist import ERROR, METRICS, digits_sweep  # noqa: E402
from overparam.reports.random_features_mnist import (budget_label, digits_claims, direct_gain,  # noqa: E402
                                                     error_summary, magnitude_against_random, plot_curves,
                                                     plot_measured, quoted_numbers, size_effect, tidy_digits)

P_GRID, BUDGET = [10, 30, 80], 10


@pytest.fixture(scope="module")
def results():
    return digits_sweep(60, 50, P_GRID, BUDGET, 3, seed=4)


def test_sweep_shapes_nan_where_nothing_is_pruned_and_reproducible(results):
    assert set(results) == set(REAL_DATA_CURVES) and all(style_of(name)["label"] for name in results)  # styled
    assert results["dense"].shape == (3, len(P_GRID), len(METRICS))
    assert np.isnan(results["magnitude"][:, 0]).all() and not np.isnan(results["magnitude"][:, 1:]).any()
    errors = results["dense"][:, :, ERROR]
    assert ((0 <= errors) & (errors <= 1)).all()
    again = digits_sweep(60, 50, P_GRID, BUDGET, 3, seed=4)
    np.testing.assert_array_equal(again["random+retrain"], results["random+retrain"])


def test_tidy_rows_and_summaries(results):
    table = tidy_digits(results, P_GRID)
    assert set(table.metric) == set(METRICS) and set(table.curve) == set(REAL_DATA_CURVES)
    assert (table.ci_low <= table.value).all() and (table.value <= table.ci_high).all()
    assert len(table[(table.curve == "magnitude") & (table.metric == "squared loss")]) == 2
    summary = error_summary(table, P_GRID, BUDGET)
    assert list(summary.curve) == ["dense", "magnitude+retrain", "random+retrain"]
    assert summary["error at the smallest p"].iloc[1].endswith("(p = 30)")
    size = size_effect(results, P_GRID, BUDGET)
    assert (size["p_first"], size["p_last"]) == (30, 80) and size["verdict"].rule == "comparison"
    assert size["status"] == size["verdict"].status
    assert size["error_first"] == pytest.approx(results["magnitude+retrain"][:, 1, ERROR].mean())
    assert isinstance(size["error_first"], float)
    assert magnitude_against_random(results).startswith("magnitude minus random pruning")


def test_direct_gain_is_the_paired_difference(results):
    gain = direct_gain(results, P_GRID, BUDGET, "magnitude+retrain")
    expected = results["dense"][:, 0, ERROR].mean() - results["magnitude+retrain"][:, -1, ERROR].mean()
    assert gain["gain"] == pytest.approx(expected) and gain["low"] <= gain["gain"] <= gain["high"]
    assert all(isinstance(v, float) for v in gain.values())


def test_claims_a_control_and_the_size_effect(results):
    claims = digits_claims(results, P_GRID, BUDGET)
    assert [c["id"] for c in claims] == ["digits-magnitude-beats-small", "digits-random-equals-small", "digits-size-effect"]
    assert [c["origin"] for c in claims] == ["beyond"] * 3
    assert [c["kind"] for c in claims] == ["claim", "control", "claim"]
    assert claims[0]["measured"].startswith("error gain") and "(p = 80)" in claims[0]["claim"]
    assert claims[1]["rule"] == "equality" and claims[1]["tolerance"] == 0.02
    assert claims[2]["rule"] == "comparison" and "p = 30 minus at p = 80" in claims[2]["measured"]
    # without the budget in the grid, only the size effect can be judged
    assert [c["id"] for c in digits_claims(results, [30, 80], BUDGET)] == ["digits-size-effect"]


def test_the_control_fails_when_random_pruning_is_not_null():
    """A random-pruned model far better than the small one must fail the equality control, and the size
    effect must fail when the larger model is worse: the rules can fail."""
    draws, grid = 4, [10, 30, 80]
    base = np.linspace(0.2, 0.23, draws)[:, None, None] * np.ones((draws, len(grid), 2))
    results = {name: base.copy() for name in REAL_DATA_CURVES}
    results["random+retrain"][:, -1, ERROR] -= 0.2
    results["magnitude+retrain"][:, -1, ERROR] += 0.1
    claims = {c["id"]: c for c in digits_claims(results, grid, 10)}
    assert claims["digits-random-equals-small"]["status"] == "not reproduced"
    assert claims["digits-size-effect"]["status"] == "not reproduced"
    results["random+retrain"][:, -1, ERROR] += 0.2 + np.array([1e-3, -1e-3, 2e-3, -2e-3])
    assert {c["id"]: c for c in digits_claims(results, grid, 10)}["digits-random-equals-small"]["status"] == "reproduced"


def test_labels_and_plot():
    assert budget_label("dense", 7) == style_of("dense")["label"]
    assert budget_label("random+retrain", 7) == f"{style_of('random+retrain')['label']}, 7 features kept"
    rows = pd.DataFrame({"curve": "magnitude", "source": "simulation", "p": [20, 40], "value": [1.0, 2.0],
                         "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5]})
    fig, ax = plt.subplots()
    plot_measured(ax, rows, "magnitude", 7)
    assert ax.get_legend_handles_labels()[1] == ["magnitude pruning, 7 features kept"]
    plt.close(fig)


def test_the_loss_axis_has_several_labels_in_plain_numbers(results):
    fig = plot_curves(tidy_digits(results, P_GRID), BUDGET, 60)
    fig.canvas.draw()
    low, high = fig.axes[0].get_ylim()
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels() if low <= tick.get_position()[1] <= high]
    assert len(labels) >= 2 and all(float(label) > 0 for label in labels)  # "0.5", not a lone "10^0"
    plt.close(fig)


def test_figure_and_quoted_numbers(results):
    with plt.rc_context(BOOK_RC):
        fig = plot_curves(tidy_digits(results, P_GRID), BUDGET, 60)
        assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"
        saved = io.BytesIO()  # as the page shows it: cropped to its contents, legend included
        fig.savefig(saved, format="png", dpi=100, bbox_inches="tight")
    assert plt.imread(io.BytesIO(saved.getvalue())).shape[1] / 100 <= COLUMN_INCHES
    plt.close(fig)
    numbers = quoted_numbers(results, P_GRID, BUDGET)
    size, gain = size_effect(results, P_GRID, BUDGET), direct_gain(results, P_GRID, BUDGET, "random+retrain")
    assert numbers["digits-size-p_first"] == size["p_first"] and numbers["digits-size-status"] == size["status"]
    assert numbers["digits-random-low"] == gain["low"] and len(numbers) == 5 + 6
    assert np.isnan(quoted_numbers(results, [30, 80], BUDGET)["digits-magnitude-gain"])
