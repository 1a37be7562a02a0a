"""How the test suite runs a chapter as a user would, through papermill: with the small values its
parameter rules declare for the tests, and with a value its rules must refuse. tests/test_notebooks.py
runs every chapter so, tests/test_new_chapter.py a chapter just added."""
from pathlib import Path

import papermill as pm
import pytest

from overparam.book.chapters import chapter_rules
from overparam.book.params import bad_parameter, smoke_parameters


def run_chapter(notebook: Path, out: Path, cwd: Path, **parameters):
    """Execute ``notebook`` into ``out`` from the folder ``cwd`` with papermill's injected ``parameters``."""
    return pm.execute_notebook(str(notebook), str(out), parameters=parameters, cwd=str(cwd), progress_bar=False,
                               kernel_name="python3")


def smoke_run(source: Path, folder: Path) -> list[Path]:
    """Run the executed notebook of the chapter ``source`` (its .ipynb beside it, from its folder) with
    its smoke parameters, its tables written under ``folder``/results; the CSV files it wrote."""
    rules = chapter_rules(source)
    results = folder / "results"
    small = smoke_parameters(rules)
    parameters = {**small, "results_dir": str(results)} if "results_dir" in rules else small
    run_chapter(source.with_suffix(".ipynb"), folder / "smoke.ipynb", source.parent, **parameters)
    return sorted(results.glob("*.csv")) if results.exists() else []


def bad_parameter_error(source: Path, folder: Path) -> tuple[str, pm.PapermillExecutionError]:
    """Run the chapter ``source`` with the value its rules must refuse (:func:`bad_parameter`; its
    ValueError when there is none); the parameter's name and the error the run stopped with."""
    name, value = bad_parameter(chapter_rules(source))
    with pytest.raises(pm.PapermillExecutionError) as error:
        run_chapter(source.with_suffix(".ipynb"), folder / "bad.ipynb", source.parent, **{name: value})
    return name, error.value
