"""The chapters as a user runs them: paired sources in sync, papermill runs with other
parameters, and bad parameters stopped by the validation cell. (nbval re-executes the committed
notebooks with their defaults and compares the printed outputs; see the Makefile's test target.)"""
import re
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import papermill as pm
import pytest
from chapter_runs import bad_parameter_error, run_chapter, smoke_run

from overparam.book.chapters import chapter_parameters, chapter_rules, chapter_sources
from overparam.book.params import smoke_parameters

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHAPTERS = chapter_sources()
LINEAR = NOTEBOOKS / "01-linear-gaussian.ipynb"
SMALL = smoke_parameters(chapter_rules(NOTEBOOKS / "01-linear-gaussian.md"))


def code_sources(nb):
    return [cell.source.strip() for cell in nb.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_markdown_source_and_executed_notebook_are_in_sync(source):
    executed = source.with_suffix(".ipynb")
    assert executed.exists(), f"{executed.name} is missing: run `make run`"
    assert code_sources(jupytext.read(source)) == code_sources(nbformat.read(executed, as_version=4)), \
        f"{source.name} changed after {executed.name} was executed: run `make run`"


@pytest.mark.parametrize("source", [path for path in CHAPTERS if path.stem != "99-reproduction-report"],
                         ids=lambda path: path.stem)
def test_a_chapter_writes_under_its_own_name(source):
    """The chapter's default results folder and the chapter its claims name are its file name."""
    assert chapter_parameters(source)["results_dir"] == f"../results/{source.stem}"
    named = re.findall(r'results_dir,\s*"(\d\d-[a-z0-9-]+)"\)', source.read_text())
    assert named == [source.stem], f"write_claims names {named}, not {source.stem}"


def run(tmp_path, notebook=LINEAR, **parameters):
    return run_chapter(notebook, tmp_path / "out.ipynb", NOTEBOOKS, **parameters)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has a GPU")
def test_network_chapter_refuses_cuda_without_a_gpu(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as error:
        run(tmp_path, NOTEBOOKS / "08-two-layer-networks.ipynb", device="cuda")
    assert "parameter 'device'" in str(error.value) and "no CUDA GPU" in str(error.value)


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_declares_its_parameter_rules(source):
    rules = chapter_rules(source)
    assert rules, f"{source.name} has no cell assigning PARAMETERS (see overparam.book.params)"
    names = set(chapter_parameters(source.with_suffix(".ipynb")))  # the executed notebook's defaults
    assert names == set(rules), f"{source.name}: parameters {sorted(names)} but rules for {sorted(rules)}"


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_runs_with_its_smoke_parameters(tmp_path, source):
    written = smoke_run(source, tmp_path)
    if source.stem != "99-reproduction-report":
        assert written, f"{source.name} wrote no CSV file with {smoke_parameters(chapter_rules(source))}"
    for path in written:
        assert not pd.read_csv(path).empty, path.name


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_rejects_a_bad_parameter(tmp_path, source):
    try:
        name, error = bad_parameter_error(source, tmp_path)
    except ValueError:
        pytest.skip(f"{source.name} has no parameter with a fixed bound or a choice")
    assert f"parameter '{name}'" in str(error) and error.ename == "ParameterError"


def test_linear_gaussian_runs_with_other_parameters_and_writes_tidy_csv(tmp_path):
    results = tmp_path / "results"
    run(tmp_path, **{**SMALL, "spike": 5.0, "sigma": 0.3, "seed": 3, "results_dir": str(results)})
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
