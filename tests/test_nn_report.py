"""The network sweep's claim rules and the cross-CPU tolerance, on made-up runs."""
import numpy as np
import pytest
import pandas as pd

from overparam.reports.network_reruns import rerun_agreement, verdicts_agree


def runs(shift=0.0, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for variant, base in [("dense", None), ("magnitude+retrain", 2)]:
        for width in [2, 4, 8]:
            for s in range(3):
                error = 0.3 / width + (shift if variant == "magnitude+retrain" else 0) + 0.02 * rng.standard_normal()
                rows.append({"variant": variant, "base_width": base, "width": width, "seed": s,
                             "test_error": float(np.clip(error, 0, 1)), "train_error": float(np.clip(error / 2, 0, 1))})
    return pd.DataFrame(rows)


def test_rerun_agreement_accepts_seed_noise_and_catches_an_effect():
    assert rerun_agreement(runs(seed=0), runs(seed=1)).agrees.all()
    assert not rerun_agreement(runs(seed=0), runs(shift=0.2, seed=1)).agrees.all()


def test_rerun_agreement_needs_the_same_runs():
    with pytest.raises(ValueError, match="same"):
        rerun_agreement(runs(), runs().iloc[:-1])


def test_verdicts_may_move_to_or_from_inconclusive_but_never_flip():
    claims = pd.DataFrame({"claim": ["a", "b", "c"], "status": ["reproduced", "not reproduced", "inconclusive"]})
    moved = claims.assign(status=["inconclusive", "inconclusive", "reproduced"])
    assert verdicts_agree(claims, moved).all()
    flipped = claims.assign(status=["not reproduced", "not reproduced", "inconclusive"])
    assert list(verdicts_agree(claims, flipped)) == [False, True, True]
    with pytest.raises(ValueError, match="same claims"):
        verdicts_agree(claims, claims.iloc[:2])


def sweep_rows(seed=0):
    """Made-up result rows of an MLP sweep over widths 2, 4, 8 with target 2, as training.sweep returns them."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(3):
        for width in [2, 4, 8]:
            variants = [("dense", None)] + [("dense-2x", None), ("dense-plateau", None)] * (width == 2) + [
                (v, 2) for v in ["magnitude", "magnitude+retrain", "random+retrain", "random-layerwise+retrain",
                                 "magnitude-reinit+retrain"] if width > 2]
            for variant, base in variants:
                error = {"dense": 0.4 / width, "dense-2x": 0.15, "dense-plateau": 0.1,
                         "magnitude+retrain": 0.05 + 0.01 * width}.get(variant, 0.5)
                kept = None if base is None else [int(0.8 * 1590 / width), 16]
                plateau = {"epochs": 20 + s, "epochs_run": 25 + s} if variant == "dense-plateau" else {}
                rows.append({**plateau, "width": width, "seed": s, "base_width": base, "variant": variant, "seconds": 1.0,
                             "train_error": error / 2, "validation_error": error + 0.01 * rng.standard_normal(),
                             "test_error": error + 0.01 * rng.standard_normal(), "test_loss": 1.0,
                             "kept_per_layer": kept})
    return rows


def test_sweep_tables_summarise_and_write_what_they_say(tmp_path):
    from overparam.reports.networks import sweep_tables, write_sweep_tables
    tables = sweep_tables(sweep_rows(), "mlp")
    assert "seconds" not in tables.runs and len(tables.runs) == 3 * (3 + 6 + 6)
    assert set(tables.summary.runs) == {3}
    assert set(tables.density.layer) == {"hidden", "out"} and (tables.density.density <= 1).all()
    line = write_sweep_tables(tables, tmp_path, "mlp")
    assert line.startswith("45 runs; files: mlp_runs.csv")
    written = pd.read_csv(tmp_path / "mlp_runs.csv")
    assert "kept_per_layer" not in written and len(written) == 45
    assert len(pd.read_csv(tmp_path / "mlp_errors.csv")) == len(tables.summary)
    assert len(pd.read_csv(tmp_path / "layer_density.csv")) == len(tables.density)


def test_best_width_is_chosen_on_validation_and_headline_numbers_are_plain():
    from overparam.reports.networks import best_pruned_width, sweep_headline, sweep_tables
    tables = sweep_tables(sweep_rows(), "mlp")
    assert best_pruned_width(tables.summary, 2, [2, 4, 8]) == (4, [4, 8])  # error 0.05 + 0.01 width
    assert best_pruned_width(tables.summary, 3, [2, 4, 8]) is None
    # on the validation error: make width 8 the best there, but not on the test error
    rigged = tables.summary.copy()
    rigged.loc[(rigged.variant == "magnitude+retrain") & (rigged.width == 8), "validation_error"] = 0.0
    assert best_pruned_width(rigged, 2, [2, 4, 8])[0] == 8
    headline = sweep_headline(tables, [2, 4, 8], [3, 2])  # target 3 has nothing to compare: the next one
    assert headline["target"] == 2 and headline["best-width"] == 4
    assert headline["small-2x-error"] == pytest.approx(0.15, abs=0.03)
    assert headline["small-plateau-error"] == pytest.approx(0.1, abs=0.03)
    assert (headline["plateau-epochs-min"], headline["plateau-epochs-mean"], headline["plateau-epochs-max"]) == (20, 21, 22)
    assert headline["first-layer-kept-min"] == headline["first-layer-kept-max"] == pytest.approx(
        int(0.8 * 1590 / 8) / (784 * 8))
    assert all(type(value) in (int, float) for value in headline.values())  # glue needs plain numbers
    with pytest.raises(ValueError, match="no sparsity target"):
        sweep_headline(tables, [2, 4, 8], [3])


def sweep_figure(base_widths=(2,)):
    """The sweep figure of the made-up MLP sweep, drawn under the book's style."""
    import matplotlib
    matplotlib.use("Agg")
    from overparam.book.style import BOOK_RC
    from overparam.networks.models import mlp_parameter_count
    from overparam.reports.network_figures import plot_width_sweep
    from overparam.reports.networks import sweep_tables
    with matplotlib.rc_context(BOOK_RC):
        fig = plot_width_sweep(sweep_tables(sweep_rows(), "mlp").summary, list(base_widths), mlp_parameter_count,
                               "network")
        fig.canvas.draw()  # lay out the ticks and the legend as a page would show them
    return fig


def test_the_sweep_figure_draws_every_curve_in_its_registered_style():
    from overparam.book.curves import style_of
    from overparam.reports.networks import SPARSE_VARIANTS
    fig = sweep_figure()
    (legend,) = fig.legends
    drawn = dict(zip([text.get_text() for text in legend.get_texts()], legend.legend_handles))
    artists, labels = fig.axes[0].get_legend_handles_labels()
    handles = dict(zip(labels, artists))
    for variant in SPARSE_VARIANTS:
        style = style_of(variant)
        line = handles[style["label"]].lines[0]
        assert line.get_marker() == style["marker"] and line.get_color() == style["color"]
        assert line.get_linestyle() == style["linestyle"] and style["label"] in drawn
    assert {"small network of the target width", "the same, twice the epochs", "the same, trained to a plateau",
            "dense network of that width"} <= set(drawn)
    assert fig.subfigs[0].get_suptitle() == "pruned to 1600 parameters (width 2)" and not fig.get_suptitle()


def test_the_small_networks_are_drawn_with_their_95_percent_bands():
    from overparam.book.curves import style_of
    from overparam.reports.networks import sweep_tables
    summary = sweep_tables(sweep_rows(), "mlp").summary
    fig = sweep_figure()
    for ax, split in zip(fig.axes, ["test_error", "train_error"]):
        for variant, linestyle in [("dense", ":"), ("dense-2x", style_of("dense-2x")["linestyle"]),
                                   ("dense-plateau", "-.")]:
            row = summary[(summary.variant == variant) & (summary.width == 2)].iloc[0]
            lines = [line for line in ax.get_lines() if line.get_linestyle() == linestyle
                     and np.allclose(line.get_ydata(), row[split])]
            assert lines, (variant, split)
            bands = [patch for patch in ax.patches  # axhspan: a rectangle in data units along y
                     if np.isclose(patch.get_y(), row[f"{split}_ci_low"])
                     and np.isclose(patch.get_y() + patch.get_height(), row[f"{split}_ci_high"])]
            assert bands, (variant, split)


def test_the_sweep_figure_fits_the_column_with_readable_labels():
    import matplotlib
    from IPython.core.pylabtools import print_figure
    from matplotlib.text import Text
    from overparam.book.style import BOOK_RC, COLUMN_INCHES, DISPLAY_DPI, SMALL_FONT_SIZE, png_size
    for targets in [(2,), (2, 4)]:
        fig = sweep_figure(targets)
        assert len(fig.axes) == 2 * len(targets)
        with matplotlib.rc_context(BOOK_RC):  # the PNG a kernel shows: cropped to its contents, padded
            png = print_figure(fig, fmt="png", dpi=DISPLAY_DPI)
        assert png_size(png)[0] <= COLUMN_INCHES * DISPLAY_DPI
        texts = [text for text in fig.findobj(Text) if text.get_visible() and text.get_text()]
        assert min(text.get_fontsize() for text in texts) >= SMALL_FONT_SIZE
        for ax in fig.axes:
            assert [label.get_text() for label in ax.get_xticklabels()] == ["2", "4", "8"]
            low, high = ax.get_ylim()
            labelled = [label.get_text() for label in ax.get_yticklabels()
                        if label.get_text() and low <= label.get_position()[1] <= high]
            assert len(labelled) >= 2, labelled  # a log axis narrower than a decade is labelled too
            assert all(float(text) > 0 for text in labelled)  # plain numbers, not 10^k


def test_best_width_needs_a_validation_error():
    from overparam.reports.networks import best_pruned_width, sweep_tables
    summary = sweep_tables(sweep_rows(), "mlp").summary
    blind = summary.drop(columns=[c for c in summary if c.startswith("validation_error")])
    with pytest.raises(ValueError, match="validation error"):
        best_pruned_width(blind, 2, [2, 4, 8])


@pytest.mark.parametrize("architecture, prefix, dd_key", [("mlp", "fig6", "no-clear-double-descent"),
                                                          ("resnet20", "fig1", "double-descent")])
def test_sweep_claims_score_each_figure_with_declared_ids(architecture, prefix, dd_key):
    from overparam.reports.networks import sweep_claims, sweep_tables
    tables = sweep_tables(sweep_rows(), "mlp")
    lines, claims = sweep_claims(tables.runs, tables.summary, [2, 4, 8], [2], architecture, "reduced")
    ids = [row["id"] for row in claims]
    assert f"{prefix}-pruned-beats-small-plateau-target-2" in ids and f"{prefix}-{dd_key}-target-2" in ids
    assert len(set(ids)) == len(ids) == 10
    rows = {row["id"].removesuffix("-target-2"): row for row in claims}
    # the plateau baseline (0.1) against the pruned width-4 net (0.09): a gain of 0.01 over 3 seeds
    assert "plateau" in rows[f"{prefix}-pruned-beats-small-plateau"]["claim"]
    assert rows[f"{prefix}-pruned-beats-small-equal-epochs"]["status"] == "reproduced"  # 0.15 against 0.09
    retrain = "fig6" if architecture == "mlp" else "fig5b"
    grows, no_help = rows[f"{retrain}-no-retrain-error-grows"], rows[f"{retrain}-no-retrain-wider-no-better"]
    assert grows["origin"] == "paper-extended" and no_help["origin"] == "paper"
    assert no_help["rule"] == "non-inferiority" and no_help["tolerance"] == 0.02
    assert all(row["scale"] == "reduced" for row in claims) and any("plateau" in line for line in lines)


def test_a_single_width_above_the_target_is_inconclusive_under_the_declared_rule():
    from overparam.reports.networks import sweep_claims, sweep_tables
    tables = sweep_tables([r for r in sweep_rows() if r["width"] != 8], "mlp")
    _, claims = sweep_claims(tables.runs, tables.summary, [2, 4], [2], "mlp", "reduced")
    rows = {row["id"].removesuffix("-target-2"): row for row in claims}
    for key in ("pruned-error-falls", "no-clear-double-descent", "no-retrain-wider-no-better"):
        assert rows[f"fig6-{key}"]["status"] == "inconclusive" and "only one width" in rows[f"fig6-{key}"]["measured"]


def test_same_status_on_rerun_is_high_far_from_zero_and_a_coin_at_the_edge():
    from scipy.stats import norm
    from scipy.stats import t as scipy_t
    from overparam.reports.network_reruns import same_status_on_rerun
    noise = np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) * 0.02  # mean 0, standard deviation about 0.016
    half = float(scipy_t.ppf(0.975, 4)) * noise.std(ddof=1) / np.sqrt(5)
    assert same_status_on_rerun(0.5 + noise) > 0.999  # reproduced far above its interval
    assert same_status_on_rerun(-0.5 + noise) > 0.999  # not reproduced, as stably
    assert same_status_on_rerun(half * 1.001 + noise) == pytest.approx(0.5, abs=0.01)  # an interval ending at zero
    quantile = float(scipy_t.ppf(0.975, 4))  # inconclusive at a mean of zero: P(|N(0, 2 e^2)| <= t e)
    assert same_status_on_rerun(noise) == pytest.approx(2 * norm.cdf(quantile / np.sqrt(2)) - 1)
    assert np.isnan(same_status_on_rerun([0.1])) and np.isnan(same_status_on_rerun([0.1, np.nan, 0.2]))


@pytest.mark.parametrize("architecture", ["mlp", "resnet20"])
def test_rerun_stability_gives_each_paired_claim_its_status_from_the_claims_rule(architecture):
    from overparam.reports.network_reruns import rerun_stability
    from overparam.reports.networks import sweep_claims, sweep_tables
    tables = sweep_tables(sweep_rows(), "mlp")
    _, claims = sweep_claims(tables.runs, tables.summary, [2, 4, 8], [2], architecture, "reduced")
    status = {row["id"]: row["status"] for row in claims}
    table = rerun_stability(tables.runs, tables.summary, [2, 4, 8], [2], architecture)
    # every claim but the double descent (several comparisons in one), with the claims table's status
    assert len(table) == len(claims) - 1 and set(table.id) < set(status)
    assert list(table.status) == [status[i] for i in table.id]
    assert len(set(table.status)) == 3 and set(table.rule) == {"comparison", "non-inferiority"}  # not one kind only
    assert table.same_status_on_rerun.between(0, 1).all()
    assert rerun_stability(tables.runs, tables.summary, [2, 4, 8], [3], architecture).empty


def test_a_non_inferiority_is_judged_and_predicted_against_its_margin():
    from overparam.book.claim_table import tolerance
    from overparam.reports.network_reruns import judged_differences, same_status_on_rerun
    margin = tolerance("fig5b-no-retrain-wider-no-better")
    around_zero = np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) * margin / 10  # an interval of about +-0.1 margin
    status, shifted = judged_differences(around_zero, "fig5b-no-retrain-wider-no-better")
    assert status == "reproduced"  # the whole interval above minus the margin
    assert judged_differences(around_zero, "fig5b-no-retrain-error-grows")[0] == "inconclusive"  # across zero
    assert judged_differences(around_zero - 1.5 * margin, "fig5b-no-retrain-wider-no-better")[0] == "not reproduced"
    assert np.allclose(shifted, around_zero + margin) and same_status_on_rerun(shifted) > 0.99
    with pytest.raises(ValueError, match="double descent"):
        judged_differences(around_zero, "fig1-double-descent")


def test_margin_statuses_say_when_a_claim_is_fragile():
    from overparam.reports.network_reruns import margin_statuses
    claims = pd.DataFrame({"id": ["a", "b", "c"], "status": ["inconclusive", "reproduced", "reproduced"],
                           "tolerance": [0.02, 0.02, None], "at_half": ["inconclusive", "reproduced", None],
                           "at_double": ["reproduced", "reproduced", None], "fragile": [True, "False", False]})
    fragile = margin_statuses(claims, "a")
    assert fragile == {"tolerance": 0.02, "half": 0.01, "double": 0.04, "status": "inconclusive",
                       "at-half": "inconclusive", "at-double": "reproduced", "fragile": "fragile",
                       "reading": "it says as much about the margin chosen as about the networks"}
    assert margin_statuses(claims, "b")["fragile"] == "not fragile"  # as read back from claims.csv
    assert margin_statuses(claims, "b")["reading"] == "the margin chosen does not decide it"
    with pytest.raises(ValueError, match="no tolerance"):
        margin_statuses(claims, "c")


def test_run_settings_quote_the_parameters_and_the_data():
    import torch
    from overparam.networks.training import Plateau, TrainConfig
    from overparam.reports.networks import enumeration, run_settings
    assert (enumeration([2]), enumeration([2, 3]), enumeration([2, 3, 4, 6])) == ("2", "2 and 3", "2, 3, 4 and 6")
    with pytest.raises(ValueError):
        enumeration([])
    data = {"x_train": torch.zeros(50, 3, 32, 32), "y_train": torch.arange(50) % 7,
            "x_validation": torch.zeros(10, 3, 32, 32), "y_validation": torch.arange(10) % 7,
            "x_test": torch.zeros(20, 3, 32, 32), "y_test": torch.arange(20) % 10}
    settings = run_settings(data, [2, 3, 4, 6], [2], TrainConfig(epochs=3, batch_size=16, learning_rate=0.003),
                            Plateau(3, 20), [0, 1, 2, 3, 4])
    assert settings == {"train-images": 50, "validation-images": 10, "images": 60, "test-images": 20,
                        "widths": "2, 3, 4 and 6",
                        "width-count": 4, "narrowest": 2, "widest": 6, "targets": "2", "target-count": 1,
                        "epochs": 3, "epochs-2x": 6, "batch-size": 16, "learning-rate": 0.003, "optimizer": "Adam",
                        "patience": 3, "max-epochs": 20, "seeds": 5, "classes": 10, "chance-error": 0.9,
                        "image-side": 32, "channels": 3}
    assert all(type(value) in (int, float, str) for value in settings.values())  # glue needs plain values
    flat = {key: value.reshape(len(value), -1) if key.startswith("x") else value for key, value in data.items()}
    assert "image-side" not in run_settings(flat, [2, 4], [2], TrainConfig(), Plateau(), [0])
