"""Execute the book's notebooks at their default parameters (what `make run` does).

For each MyST source notebooks/NN-topic.md: convert with jupytext, run with papermill in the
notebooks folder, drop run-specific metadata (timestamps, durations) so that an unchanged chapter
gives an unchanged file, and write notebooks/NN-topic.ipynb next to the source. The wall time of
each chapter is written to results/execution-times.csv.

A chapter whose inputs have not changed since its last run is skipped: its inputs are its source,
the package source (overparam/), requirements.txt and, for the reproduction report, every
chapter's claims.csv; their hash is kept in results/run-inputs.csv. `--force` (`make run FORCE=1`)
runs every chapter.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import shutil
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import papermill

ROOT = Path(__file__).resolve().parent.parent
HASHES = ROOT / "results" / "run-inputs.csv"
REPORT = "99-reproduction-report"


def input_hash(source: Path, root: Path = ROOT) -> str:
    """SHA-256 of everything a chapter's outputs depend on: its source, the package, the pinned
    requirements and, for the reproduction report, the claims files it reads."""
    files = [source, root / "requirements.txt", *sorted((root / "overparam").rglob("*.py"))]
    if source.stem == REPORT:
        files += sorted((root / "results").glob("*/claims.csv"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_table(path: Path, value: str) -> dict[str, str]:
    """A two-column CSV file (notebook, value) as a dict; empty when the file does not exist."""
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["notebook"]: row[value] for row in csv.DictReader(f)}


def write_table(path: Path, value: str, rows: dict[str, str]) -> None:
    path.parent.mkdir(exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", value])
        writer.writerows(sorted(rows.items()))


def update_table(path: Path, value: str, notebook: str, entry: str) -> None:
    """Set one row of a two-column table: read, change and write it under a file lock, so that two
    runs of this tool at once (two chapters in two shells) do not drop each other's rows."""
    path.parent.mkdir(exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = read_table(path, value)
        rows[notebook] = entry
        write_table(path, value, rows)


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


def main(sources: list[str], force: bool = False) -> None:
    from overparam.book.stamp import run_stamp

    timings_path = ROOT / "results" / "execution-times.csv"
    for source in map(Path, sources):
        digest = input_hash(source.resolve())
        if not force and read_table(HASHES, "inputs").get(source.stem) == digest and source.with_suffix(".ipynb").exists():
            print(f"{source.stem}: unchanged inputs, skipped (make run FORCE=1 runs it)", flush=True)
            continue
        seconds = execute(source)
        print(f"{source.stem}: {seconds:.1f} s", flush=True)
        update_table(timings_path, "seconds", source.stem, f"{seconds:.1f}")
        update_table(HASHES, "inputs", source.stem, digest)
        (ROOT / "results" / "run-stamp.txt").write_text(run_stamp() + "\n")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([a for a in arguments if a != "--force"], force="--force" in arguments)
