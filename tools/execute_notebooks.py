"""Execute the book's notebooks at their default parameters (what `make run` does).

For each MyST source notebooks/NN-topic.md: convert with jupytext, run with papermill in the
notebooks folder, drop run-specific metadata (timestamps, durations) so that an unchanged chapter
gives an unchanged file, and write notebooks/NN-topic.ipynb next to the source. The wall time of
each chapter is written to results/execution-times.csv. Only these runs write into the book's
results/ (they set BOOK_RUN; a chapter opened in Jupyter writes under ~/overparam-results/).

A chapter whose inputs have not changed since its last run is skipped: its inputs
(overparam.book.inputs.input_files) are its source, requirements.txt, pyproject.toml, the package
modules its code imports (directly or through other modules) and, for the reproduction report, every
chapter's claims.csv; their hash is kept in results/run-inputs.csv. `--force` (`make run FORCE=1`)
runs every chapter. `--stale` (`make stale`) runs nothing and lists the chapters that would run, and
why (:func:`stale_chapters`).

`--preset=NAME` (`make run PRESET=NAME`) runs every chapter named in presets/NAME.yaml at the
parameters given there (chapter stem -> papermill parameters), always, into a folder of its own:
NAME/<chapter>.ipynb, with ``results_dir`` set to NAME/results/<chapter> and the wall times in
NAME/execution-times.csv. It never writes notebooks/*.ipynb, and under results/ only one row per chapter
of results/NAME-runs.csv: the wall time at the preset and the status there of the chapter's main claim
(``main_claim`` in the preset), so that the committed record of a preset run survives the ignored
NAME/ folder (book/teachers-guide.md's table is made from it by tools/preset_table.py; see
:func:`run_preset`). The classroom preset (presets/classroom.yaml) runs every chapter in about half a
minute or less.
"""
from __future__ import annotations

import csv
import os
import fcntl
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import papermill

from overparam.book.execution import one_thread_each
from overparam.book.inputs import input_hash
from overparam.book.params import BOOK_RUN
from overparam.book.paths import CHAPTERS, REPORT
from overparam.book.stamp import run_stamp

PRESETS = Path("presets")  # relative to the root: NAME.yaml, chapter stem -> parameters
# the checkout this tool belongs to (a copy of the book runs its own chapters, whatever the installed
# package's location)
ROOT = Path(__file__).resolve().parent.parent
RUN_INPUTS = Path("results") / "run-inputs.csv"  # relative to the root: chapter, hash of its inputs
HASHES = ROOT / RUN_INPUTS


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


def why_stale(source: Path, recorded: str | None, current: str) -> str | None:
    """Why the chapter ``source`` must be run again, or None when its executed notebook is the
    product of its inputs: ``recorded`` is the hash of results/run-inputs.csv (None: no row),
    ``current`` that of its inputs now."""
    if not source.with_suffix(".ipynb").exists():
        return "no executed notebook"
    if recorded is None:
        return "not in run-inputs.csv"
    if recorded != current:
        return "inputs changed since its last run"
    return None


def stale_chapters(root: Path = ROOT) -> dict[str, str]:
    """Every chapter of ``root``/notebooks whose outputs are stale: chapter stem -> reason."""
    hashes = read_table(root / RUN_INPUTS, "inputs")
    reasons = {source.stem: why_stale(source, hashes.get(source.stem), input_hash(source, root))
               for source in sorted(root.glob(CHAPTERS))}
    return {stem: reason for stem, reason in reasons.items() if reason is not None}


def execute(source: Path, root: Path = ROOT, target: Path | None = None, parameters: dict | None = None,
            results: Path | None = None) -> float:
    """Run one chapter; return its wall time in seconds. By default at its own parameters into
    notebooks/NN-topic.ipynb; else with papermill ``parameters`` into ``target``. ``results`` is the
    chapter's results folder (default results/<chapter>): its ``runs`` cache is removed first."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    target = source.with_suffix(".ipynb") if target is None else target
    results = root / "results" / source.stem if results is None else results
    # the network chapters resume finished runs from results/<chapter>/runs: start from scratch
    # here, so that the committed outputs and the measured times are those of a full run
    shutil.rmtree(results / "runs", ignore_errors=True)
    start = time.perf_counter()
    executed = papermill.execute_notebook(notebook, None, parameters=parameters or {}, cwd=str(source.parent),
                                          progress_bar=False, kernel_name="python3")
    seconds = time.perf_counter() - start
    nbformat.write(strip_run_metadata(executed), target)
    return seconds


def read_preset_file(name: str, root: Path = ROOT) -> dict[str, dict]:
    """presets/NAME.yaml (or .json) as written: chapter stem -> papermill parameters and the
    preset's own keys (:data:`PRESET_KEYS`)."""
    import yaml

    for suffix in (".yaml", ".yml", ".json"):
        path = root / PRESETS / f"{name}{suffix}"
        if path.exists():
            presets = yaml.safe_load(path.read_text()) or {}  # JSON is YAML
            if not isinstance(presets, dict) or not all(isinstance(v, dict) for v in presets.values()):
                raise ValueError(f"{path}: expected a mapping of chapter -> parameters")
            return presets
    raise FileNotFoundError(f"no preset {name!r}: {root / PRESETS}/{name}.yaml does not exist")


# keys of a chapter's entry in a preset that are not papermill parameters: the stable id of the claim
# that states the chapter's main conclusion, and (optional) why its verdict at the preset may differ
# from the defaults'
PRESET_KEYS = ("main_claim", "verdict_differs")


def read_preset(name: str, root: Path = ROOT) -> dict[str, dict]:
    """presets/NAME.yaml (or .json): chapter stem -> papermill parameters (its own keys left out)."""
    return {stem: {key: value for key, value in entry.items() if key not in PRESET_KEYS}
            for stem, entry in read_preset_file(name, root).items()}


def read_main_claims(name: str, root: Path = ROOT) -> dict[str, dict]:
    """presets/NAME.yaml: chapter stem -> {"main_claim": id or None, "verdict_differs": reason or None}."""
    return {stem: {key: entry.get(key) for key in PRESET_KEYS} for stem, entry in read_preset_file(name, root).items()}


def claim_statuses(results: Path) -> dict[str, str]:
    """Claim id -> status of the claims (not the checks or controls) in results/claims.csv; empty when
    there is none."""
    path = Path(results) / "claims.csv"
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["id"]: row["status"] for row in csv.DictReader(f) if row.get("kind", "claim") == "claim"}


def preset_record(stem: str, seconds: float, main_claim: str | None, preset: dict, defaults: dict) -> dict:
    """A chapter's row of results/NAME-runs.csv: its wall time at the preset, its main claim's status
    there ("missing" when the run did not make it), and how many of the claims made at both the preset
    (``preset``: id -> status) and the defaults (``defaults``) have the same status."""
    both = set(preset) & set(defaults)
    return {"notebook": stem, "seconds": f"{seconds:.1f}", "main_claim": main_claim or "",
            "status": preset.get(main_claim, "missing") if main_claim else "",
            "same_verdicts": sum(preset[key] == defaults[key] for key in both), "compared": len(both)}


RUN_COLUMNS = ["notebook", "seconds", "main_claim", "status", "same_verdicts", "compared"]


def update_runs(path: Path, row: dict) -> None:
    """Set the row of ``row["notebook"]`` in a preset's record results/NAME-runs.csv (under a lock, as
    :func:`update_table`)."""
    path.parent.mkdir(exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = {}
        if path.exists():
            with path.open() as f:
                rows = {old["notebook"]: old for old in csv.DictReader(f)}
        rows[row["notebook"]] = row
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, RUN_COLUMNS)
            writer.writeheader()
            writer.writerows(rows[key] for key in sorted(rows))


def run_preset(source: Path, name: str, root: Path = ROOT, out: Path | None = None) -> float:
    """Run the chapter ``source`` at its parameters in the preset ``name`` into ``out`` (default
    ROOT/NAME): the notebook out/<chapter>.ipynb, the results out/results/<chapter>/ (its
    ``results_dir``), the time a row of out/execution-times.csv. The book's notebooks and results are
    left alone, but for the default ``out``, whose time and main claim's status are also recorded in
    root/results/NAME-runs.csv (:func:`update_runs`). Returns the wall time in seconds."""
    record = out is None
    out = root / name if out is None else Path(out)
    parameters = dict(read_preset(name, root)[source.stem])
    results = (out / "results" / source.stem).resolve()
    results.mkdir(parents=True, exist_ok=True)
    parameters["results_dir"] = str(results)
    seconds = execute(source, root, target=out / f"{source.stem}.ipynb", parameters=parameters, results=results)
    print(f"{source.stem}: {seconds:.1f} s (preset {name})", flush=True)
    update_table(out / "execution-times.csv", "seconds", source.stem, f"{seconds:.1f}")
    if record:
        main_claim = read_main_claims(name, root)[source.stem]["main_claim"]
        update_runs(root / "results" / f"{name}-runs.csv",
                    preset_record(source.stem, seconds, main_claim, claim_statuses(results),
                                  claim_statuses(root / "results" / source.stem)))
    return seconds


def run_one(source: Path, force: bool = False, root: Path = ROOT) -> None:
    """Run the chapter ``source`` unless its outputs are up to date (``force``: run it anyway), and
    record its time and the hash of the inputs it read. A chapter is judged when its turn comes,
    not before the first one runs: the report's inputs include the claims that the chapters before
    it have just rewritten."""
    hashes_path = root / RUN_INPUTS
    digest = input_hash(source, root)  # of the inputs this run reads, before it writes anything
    recorded = read_table(hashes_path, "inputs").get(source.stem)
    reason = "forced" if force else why_stale(source, recorded, digest)
    if reason is None:
        print(f"{source.stem}: unchanged inputs, skipped (make run FORCE=1 runs it)", flush=True)
        return
    seconds = execute(source, root)
    print(f"{source.stem}: {seconds:.1f} s ({reason})", flush=True)
    update_table(root / "results" / "execution-times.csv", "seconds", source.stem, f"{seconds:.1f}")
    update_table(hashes_path, "inputs", source.stem, digest)
    (root / "results" / "run-stamp.txt").write_text(run_stamp() + "\n")


def run_in_subprocess(source: Path, force: bool, preset: str | None = None) -> None:
    """:func:`run_one` (or :func:`run_preset`) in a fresh process of this tool (so that chapters run
    side by side)."""
    options = (["--force"] if force else []) + ([f"--preset={preset}"] if preset else [])
    subprocess.run([sys.executable, __file__, *options, str(source)], check=True)


def main(sources: list[str], force: bool = False, root: Path = ROOT, jobs: int = 1, preset: str | None = None) -> None:
    """Run the chapters ``sources`` whose outputs are not up to date (``force``: all), each kernel
    on one thread (overparam.book.execution), ``jobs`` chapters at a time, the longest first by their
    last recorded time; the reproduction report runs last, after every chapter whose claims it reads.
    With ``preset``, run every chapter of ``sources`` named in presets/<preset>.yaml at those
    parameters, into the folder <preset>/ (:func:`run_preset`); the others, the report among them,
    are left out. The chapters' kernels inherit BOOK_RUN (overparam.book.params): a chapter left at
    its default ``results_dir`` writes into the book's results/ only in this run."""
    one_thread_each(os.environ)
    os.environ[BOOK_RUN] = "1"
    sources = [Path(name).resolve() for name in sources]
    if preset is not None:
        presets = read_preset(preset, root)
        chapters = [source for source in sources if source.stem in presets]
        if jobs > 1 and len(chapters) > 1:
            with ThreadPoolExecutor(jobs) as pool:
                list(pool.map(lambda source: run_in_subprocess(source, False, preset), chapters))
        else:
            for source in chapters:
                run_preset(source, preset, root)
        return
    chapters = [source for source in sources if source.stem != REPORT]
    if jobs > 1 and len(chapters) > 1:
        times = read_table(root / "results" / "execution-times.csv", "seconds")
        chapters.sort(key=lambda source: -float(times.get(source.stem, "inf")))
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(lambda source: run_in_subprocess(source, force), chapters))
    else:
        for source in chapters:
            run_one(source, force, root)
    for source in sources:
        if source.stem == REPORT:
            run_one(source, force, root)


def print_stale(root: Path = ROOT) -> None:
    """What `make stale` prints: each chapter `make run` would execute, and why."""
    stale = stale_chapters(root)
    for stem, reason in stale.items():
        print(f"{stem}: {reason}")
    print(f"{len(stale)} of {len(list(root.glob(CHAPTERS)))} chapters would run" if stale else "every chapter is up to date")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--stale" in arguments:
        print_stale()
    else:
        jobs = next((int(a.split("=", 1)[1]) for a in arguments if a.startswith("--jobs=")), 1)
        preset = next((a.split("=", 1)[1] for a in arguments if a.startswith("--preset=")), None) or None
        main([a for a in arguments if not a.startswith("--")], force="--force" in arguments, jobs=jobs, preset=preset)
