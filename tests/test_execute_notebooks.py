"""`make run` skips a chapter whose inputs are unchanged: the hash of those inputs."""
import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def copy_of_the_inputs(tmp_path):
    for name in ["requirements.txt"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "overparam", tmp_path / "overparam", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "notebooks").mkdir()
    for name in ["01-linear-gaussian.md", "99-reproduction-report.md"]:
        shutil.copy(ROOT / "notebooks" / name, tmp_path / "notebooks" / name)
    (tmp_path / "results" / "01-linear-gaussian").mkdir(parents=True)
    (tmp_path / "results" / "01-linear-gaussian" / "claims.csv").write_text("chapter,status\n")
    return tmp_path


def test_the_inputs_hash_changes_with_each_input(tmp_path):
    root = copy_of_the_inputs(tmp_path)
    chapter, report = root / "notebooks" / "01-linear-gaussian.md", root / "notebooks" / "99-reproduction-report.md"
    first, first_report = (execute_notebooks.input_hash(path, root) for path in (chapter, report))
    assert execute_notebooks.input_hash(chapter, root) == first  # deterministic
    chapter.write_text(chapter.read_text() + "\n")
    assert execute_notebooks.input_hash(chapter, root) != first
    edited = execute_notebooks.input_hash(chapter, root)
    (root / "overparam" / "theory" / "dc.py").write_text((root / "overparam" / "theory" / "dc.py").read_text() + "\n")
    assert execute_notebooks.input_hash(chapter, root) != edited
    # the report also depends on the claims it reads; a chapter does not
    before = execute_notebooks.input_hash(chapter, root), execute_notebooks.input_hash(report, root)
    (root / "results" / "01-linear-gaussian" / "claims.csv").write_text("chapter,status\nx,reproduced\n")
    assert execute_notebooks.input_hash(chapter, root) == before[0]
    assert execute_notebooks.input_hash(report, root) != before[1] != first_report


def test_update_table_keeps_rows_written_by_another_run(tmp_path):
    """Two runs at once each set their own row; neither drops the other's (read-change-write under a lock)."""
    path = tmp_path / "results" / "execution-times.csv"
    execute_notebooks.write_table(path, "seconds", {"a": "1.0", "b": "2.0"})
    execute_notebooks.update_table(path, "seconds", "c", "3.0")   # this run
    execute_notebooks.update_table(path, "seconds", "a", "1.5")   # a run started earlier, finishing later
    assert execute_notebooks.read_table(path, "seconds") == {"a": "1.5", "b": "2.0", "c": "3.0"}
