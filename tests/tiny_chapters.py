"""A throw-away chapter for the tests of the parameter validation (tests/test_params.py,
tests/test_results_destination.py): a parameters cell (sigma, results_dir), the cell declaring and
checking their rules as every chapter does, and a cell of work given by the test."""
from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
VALIDATION = ("from overparam.book.params import Real, ResultsDir, check_parameters\n"
              "PARAMETERS = {'sigma': Real('noise', low=0), 'results_dir': ResultsDir()}\n"
              "globals().update(check_parameters(PARAMETERS, globals()))")
WRITE_DONE = ("pathlib.Path(results_dir).mkdir(parents=True, exist_ok=True)\n"
              "(pathlib.Path(results_dir) / 'done.txt').write_text(str(sigma))")


def tiny_chapter(folder: Path, results_dir: str = "results", work: str = WRITE_DONE) -> Path:
    """Write ``folder``/tiny.ipynb: sigma = 0.5 and ``results_dir`` in the cell tagged parameters,
    the validation cell, and ``work`` (which may use ``pathlib``); its path."""
    parameters = nbformat.v4.new_code_cell(f"sigma = 0.5\nresults_dir = {results_dir!r}")
    parameters.metadata["tags"] = ["parameters"]
    cells = [parameters, nbformat.v4.new_code_cell(VALIDATION), nbformat.v4.new_code_cell(f"import pathlib\n{work}")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = KERNELSPEC
    path = folder / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path
