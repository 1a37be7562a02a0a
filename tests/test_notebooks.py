"""The chapters as a user runs them: paired sources in sync, papermill runs with other
parameters, and bad parameters stopped by the validation cell. (nbval re-executes the committed
notebooks with their defaults and compares the printed outputs; see the Makefile's test target.)"""
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import papermill as pm
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("*.md"))
LINEAR = NOTEBOOKS / "01-linear-gaussian.ipynb"
SMALL = dict(p=120, n=40, s=12, trials=3)


def code_sources(nb):
    return [cell.source.strip() for cell in nb.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_markdown_source_and_executed_notebook_are_in_sync(source):
    executed = source.with_suffix(".ipynb")
    assert executed.exists(), f"{executed.name} is missing: run `make run`"
    assert code_sources(jupytext.read(source)) == code_sources(nbformat.read(executed, as_version=4)), \
        f"{source.name} changed after {executed.name} was executed: run `make run`"


def run(tmp_path, notebook=LINEAR, **parameters):
    return pm.execute_notebook(str(notebook), str(tmp_path / "out.ipynb"), parameters=parameters,
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_name="python3")


# chapter -> (small parameters, CSV files it must write, one bad parameter)
OTHER_CHAPTERS = {
    "02-distributional-characterization": (
        dict(p=200, trials=2, w2_sizes=[100, 200, 400], w2_trials=2, iso_n=60, iso_trials=3, power=1.5),
        ["dc_density.csv", "dc_quantiles.csv", "w2_convergence.csv", "isotropic_risk.csv"],
        ("kappa_over", 0.5)),
    "03-pruning-risk": (
        dict(p=120, n=60, trials=3, spreads=[1, 4]),
        ["risk_vs_kept_fraction.csv", "thresholds_on_dc_law.csv", "hessian_vs_magnitude.csv", "best_small_model.csv"],
        ("spike", -1.0)),
    "04-lemma1-correlated-features": (
        dict(p=10, n=8, s_fixed=2, n_grid=[6, 12], trials=20),
        ["lemma1_excess_risk.csv"],
        ("n", 2)),
    "05-denoising": (
        dict(n=60, s=5, d_small=40, d_large=150, sigmas=[0.0, 0.5], trials=3),
        ["salient_weight_error.csv"],
        ("d_small", 299)),
    "06-random-features": (
        dict(d=5, n=30, p_grid=[10, 20, 50, 80], sparsities=[5], fig4_sparsity=5, n_features_draws=2,
             n_data_draws=2, dc_draws=2, gap_dims=[5, 40], gap_trials=20),
        ["rf_risk_curves.csv", "refit_gap_by_dimension.csv"],
        ("fig4_sparsity", 7)),
    "07-random-features-mnist": (
        dict(n_train=100, n_test=100, p_grid=[20, 50, 90, 150], budget=20, draws=2),
        ["mnist_rf_curves.csv"],
        ("n_train", 4500)),
    "08-two-layer-networks": (
        dict(widths=[2, 4], base_widths=[2], epochs=1, seeds=[0]),
        ["mlp_runs.csv", "mlp_errors.csv", "layer_density.csv", "claims.csv"],
        ("base_widths", [300])),
    "09-resnet20": (
        dict(n_train=64, n_validation=16, widths=[1, 2], base_widths=[1], epochs=1, seeds=[0]),
        ["resnet20_runs.csv", "resnet20_errors.csv", "layer_density.csv", "claims.csv"],
        ("dataset", "imagenet")),
}


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has a GPU")
def test_network_chapter_refuses_cuda_without_a_gpu(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, NOTEBOOKS / "08-two-layer-networks.ipynb", device="cuda")
    assert "parameter 'device'" in str(error.value) and "no CUDA GPU" in str(error.value)


@pytest.mark.parametrize("chapter", OTHER_CHAPTERS)
def test_chapter_runs_with_other_parameters(tmp_path, chapter):
    small, files, _ = OTHER_CHAPTERS[chapter]
    results = tmp_path / "results"
    run(tmp_path, NOTEBOOKS / f"{chapter}.ipynb", **small, seed=5, progress=False, results_dir=str(results))
    for name in files:
        assert not pd.read_csv(results / name).empty, name


@pytest.mark.parametrize("chapter", OTHER_CHAPTERS)
def test_chapter_rejects_a_bad_parameter(tmp_path, chapter):
    name, value = OTHER_CHAPTERS[chapter][2]
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, NOTEBOOKS / f"{chapter}.ipynb", **{name: value})
    assert f"parameter '{name}'" in str(error.value)


def test_linear_gaussian_runs_with_other_parameters_and_writes_tidy_csv(tmp_path):
    results = tmp_path / "results"
    run(tmp_path, **SMALL, spike=5.0, sigma=0.3, seed=3, progress=False, results_dir=str(results))
    table = pd.read_csv(results / "risk_curves.csv")
    assert {"panel", "curve", "source", "k", "risk", "ci_low", "ci_high"} <= set(table.columns)
    assert set(table.source) == {"theory", "simulation"}
    assert {"dense", "magnitude", "hessian", "oracle", "magnitude+retrain", "hessian+retrain"} <= set(table.curve)
    assert set(table.panel) == {"a", "b"}
    assert table.k.max() == SMALL["p"]
    assert table[table.source == "theory"].ci_low.isna().all()
    simulated = table[table.source == "simulation"]
    assert (simulated.ci_low <= simulated.risk).all() and (simulated.risk <= simulated.ci_high).all()


def test_a_results_dir_that_cannot_be_written_stops_at_validation(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, **{**SMALL, "results_dir": str(blocker / "results")})
    assert "parameter 'results_dir'" in str(error.value) and "not a writable folder" in str(error.value)


def test_a_model_too_large_for_the_memory_stops_at_validation(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, **{**SMALL, "p": 10_000_000, "results_dir": str(tmp_path / "results")})
    assert "GiB of memory" in str(error.value) and error.value.ename == "ParameterError"


@pytest.mark.parametrize("name, value", [("s", 2000), ("n", 0), ("sigma", -0.1), ("trials", 0), ("p", 100.5),
                                         ("spike", 0.0)])
def test_bad_parameter_stops_at_validation_with_its_name(tmp_path, name, value):
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, **{**SMALL, name: value, "results_dir": str(tmp_path / "results")})
    assert f"parameter '{name}'" in str(error.value)
    assert error.value.ename == "ParameterError"
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    ran = [cell for cell in executed.cells if cell.cell_type == "code" and cell.execution_count]
    # the parameters cell, the injected parameters and the validation cell; nothing after it
    assert len(ran) <= 3
    assert not (tmp_path / "results").exists()
