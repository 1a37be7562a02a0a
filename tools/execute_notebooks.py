"""Execute the book's notebooks at their default parameters (what `make run` does).

For each MyST source notebooks/NN-topic.md: convert with jupytext, run with papermill in the
notebooks folder, drop run-specific metadata (timestamps, durations) so that an unchanged chapter
gives an unchanged file, and write notebooks/NN-topic.ipynb next to the source. The wall time of
each chapter is written to results/execution-times.csv.
"""
from __future__ import annotations

import csv
import shutil
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import papermill

ROOT = Path(__file__).resolve().parent.parent


def strip_run_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes on every run: papermill's timestamps, random cell ids, and stderr
    (progress bars with their rates; the book hides stderr anyway)."""
    nb.metadata.pop("papermill", None)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs
                            if not (out.output_type == "stream" and out.name == "stderr")]
    return nb


def execute(source: Path) -> float:
    """Run one chapter; return its wall time in seconds."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    target = source.with_suffix(".ipynb")
    # the network chapters resume finished runs from results/<chapter>/runs: start from scratch
    # here, so that the committed outputs and the measured times are those of a full run
    shutil.rmtree(ROOT / "results" / source.stem / "runs", ignore_errors=True)
    start = time.perf_counter()
    executed = papermill.execute_notebook(notebook, None, cwd=str(source.parent), progress_bar=False,
                                          kernel_name="python3")
    seconds = time.perf_counter() - start
    nbformat.write(strip_run_metadata(executed), target)
    return seconds


def main(sources: list[str]) -> None:
    timings = ROOT / "results" / "execution-times.csv"
    rows = {}
    if timings.exists():
        with timings.open() as f:
            rows = {row["notebook"]: row["seconds"] for row in csv.DictReader(f)}
    for source in map(Path, sources):
        seconds = execute(source)
        rows[source.stem] = f"{seconds:.1f}"
        print(f"{source.stem}: {seconds:.1f} s", flush=True)
    timings.parent.mkdir(exist_ok=True)
    with timings.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", "seconds"])
        writer.writerows(sorted(rows.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
