"""`make run` skips a chapter whose inputs are unchanged: the hash of those inputs, and which
chapters are stale."""
import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)

CHAPTER, REPORT = "01-linear-gaussian", "99-reproduction-report"


def copy_of_the_inputs(tmp_path):
    for name in ["requirements.txt", "pyproject.toml"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "lib" / "overparam", tmp_path / "lib" / "overparam", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "notebooks").mkdir()
    for name in [f"{CHAPTER}.md", f"{REPORT}.md"]:
        shutil.copy(ROOT / "notebooks" / name, tmp_path / "notebooks" / name)
    (tmp_path / "results" / CHAPTER).mkdir(parents=True)
    (tmp_path / "results" / CHAPTER / "claims.csv").write_text("chapter,status\n")
    return tmp_path


def append_line(path):
    path.write_text(path.read_text() + "\n")


def test_the_inputs_hash_changes_with_each_input(tmp_path):
    root = copy_of_the_inputs(tmp_path)
    chapter, report = root / "notebooks" / f"{CHAPTER}.md", root / "notebooks" / f"{REPORT}.md"
    first, first_report = (execute_notebooks.input_hash(path, root) for path in (chapter, report))
    assert execute_notebooks.input_hash(chapter, root) == first  # deterministic
    append_line(chapter)
    assert execute_notebooks.input_hash(chapter, root) != first
    for name in ["lib/overparam/theory/dc.py", "requirements.txt", "pyproject.toml"]:
        edited = execute_notebooks.input_hash(chapter, root)
        append_line(root / name)
        assert execute_notebooks.input_hash(chapter, root) != edited, name
    # the report also depends on the claims it reads; a chapter does not
    before = execute_notebooks.input_hash(chapter, root), execute_notebooks.input_hash(report, root)
    (root / "results" / CHAPTER / "claims.csv").write_text("chapter,status\nx,reproduced\n")
    assert execute_notebooks.input_hash(chapter, root) == before[0]
    assert execute_notebooks.input_hash(report, root) != before[1] != first_report


def test_bytecode_and_other_files_of_the_package_are_not_inputs(tmp_path):
    root = copy_of_the_inputs(tmp_path)
    chapter = root / "notebooks" / f"{CHAPTER}.md"
    first = execute_notebooks.input_hash(chapter, root)
    package = root / "lib" / "overparam"
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "stamp.cpython-311.pyc").write_bytes(b"\0")
    (package / "__pycache__" / "generated.py").write_text("x = 1\n")
    (package / "notes.txt").write_text("not code\n")
    assert execute_notebooks.input_hash(chapter, root) == first


def test_only_the_modules_a_chapter_imports_are_its_inputs(tmp_path):
    """A module no import of the chapter reaches is not an input; editing one it reaches through
    another module is; the report's module is an input of the report, not of chapter 1."""
    root = copy_of_the_inputs(tmp_path)
    chapter, report = root / "notebooks" / f"{CHAPTER}.md", root / "notebooks" / f"{REPORT}.md"
    package = root / "lib" / "overparam"
    first, first_report = execute_notebooks.input_hash(chapter, root), execute_notebooks.input_hash(report, root)
    (package / "theory" / "unused.py").write_text("x = 1\n")
    append_line(package / "reports" / "reproduction.py")
    assert execute_notebooks.input_hash(chapter, root) == first
    assert execute_notebooks.input_hash(report, root) != first_report
    append_line(package / "book" / "stats.py")  # reached through the package's own imports
    assert execute_notebooks.input_hash(chapter, root) != first


def executed_copy(tmp_path):
    """A copy of two chapters, both executed and recorded with the hash of their current inputs."""
    root = copy_of_the_inputs(tmp_path)
    for stem in (CHAPTER, REPORT):
        (root / "notebooks" / f"{stem}.ipynb").write_text("{}")
    execute_notebooks.write_table(root / execute_notebooks.RUN_INPUTS, "inputs", {
        stem: execute_notebooks.input_hash(root / "notebooks" / f"{stem}.md", root) for stem in (CHAPTER, REPORT)})
    return root


def test_stale_chapters_names_each_reason(tmp_path):
    root = executed_copy(tmp_path)
    assert execute_notebooks.stale_chapters(root) == {}
    (root / "results" / CHAPTER / "claims.csv").write_text("chapter,status\nx,reproduced\n")  # read by the report
    assert execute_notebooks.stale_chapters(root) == {REPORT: "inputs changed since its last run"}
    (root / "notebooks" / f"{CHAPTER}.ipynb").unlink()
    assert execute_notebooks.stale_chapters(root)[CHAPTER] == "no executed notebook"
    execute_notebooks.write_table(root / execute_notebooks.RUN_INPUTS, "inputs", {})
    assert execute_notebooks.stale_chapters(root) == {CHAPTER: "no executed notebook", REPORT: "not in run-inputs.csv"}


def test_main_runs_only_stale_chapters_and_records_their_inputs(tmp_path, monkeypatch):
    root = executed_copy(tmp_path)
    ran = []
    monkeypatch.setattr(execute_notebooks, "execute", lambda source, root: ran.append(source.stem) or 1.0)
    monkeypatch.setattr(execute_notebooks, "run_stamp", lambda: "inputs at commit test")
    sources = [str(root / "notebooks" / f"{stem}.md") for stem in (CHAPTER, REPORT)]
    execute_notebooks.main(sources, root=root)
    assert ran == [] and not (root / "results" / "run-stamp.txt").exists()
    append_line(root / "notebooks" / f"{REPORT}.md")
    execute_notebooks.main(sources, root=root)
    assert ran == [REPORT] and execute_notebooks.stale_chapters(root) == {}
    assert (root / "results" / "run-stamp.txt").read_text() == "inputs at commit test\n"
    assert execute_notebooks.read_table(root / "results" / "execution-times.csv", "seconds") == {REPORT: "1.0"}
    execute_notebooks.main(sources, force=True, root=root)
    assert ran == [REPORT, CHAPTER, REPORT]


def test_update_table_keeps_rows_written_by_another_run(tmp_path):
    """Two runs at once each set their own row; neither drops the other's (read-change-write under a lock)."""
    path = tmp_path / "results" / "execution-times.csv"
    execute_notebooks.write_table(path, "seconds", {"a": "1.0", "b": "2.0"})
    execute_notebooks.update_table(path, "seconds", "c", "3.0")   # this run
    execute_notebooks.update_table(path, "seconds", "a", "1.5")   # a run started earlier, finishing later
    assert execute_notebooks.read_table(path, "seconds") == {"a": "1.5", "b": "2.0", "c": "3.0"}
