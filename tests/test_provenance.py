"""The book's outputs are the product of one commit: every executed chapter was run on the inputs
that are committed now, and the stamps of the run name a commit without uncommitted inputs."""
import subprocess

import pytest

from overparam.book.stamp import inputs_commit, run_stamp
from test_execute_notebooks import ROOT, execute_notebooks

SOURCES = sorted((ROOT / "notebooks").glob("*.md"))
REPORT_NOTEBOOK = ROOT / "notebooks" / "99-reproduction-report.ipynb"
RUN_STAMP = ROOT / "results" / "run-stamp.txt"


@pytest.mark.parametrize("source", SOURCES, ids=[source.stem for source in SOURCES])
def test_each_chapter_was_executed_on_its_current_inputs(source):
    recorded = execute_notebooks.read_table(execute_notebooks.HASHES, "inputs").get(source.stem)
    assert recorded == execute_notebooks.input_hash(source), (
        f"{source.stem}: its inputs changed since its outputs were written; run `make run` and commit")


@pytest.mark.parametrize("output", [REPORT_NOTEBOOK, RUN_STAMP], ids=lambda path: path.name)
def test_the_run_was_made_from_committed_inputs(output):
    assert "uncommitted" not in output.read_text(), f"{output.name} names a commit with uncommitted inputs"


def git(root, *arguments):
    """Run git in ``root`` with a fixed identity and no signing (whatever the user's configuration)."""
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *arguments],
                          cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def write(root, name, text):
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


@pytest.fixture
def book_repo(tmp_path):
    """A git repository with a chapter's inputs (source, package, environment) and outputs, committed."""
    files = {"notebooks/01-chapter.md": "# Chapter\n", "notebooks/01-chapter.ipynb": "{}\n",
             "lib/overparam/__init__.py": "", "lib/overparam/theory/model.py": "x = 1\n",
             "requirements.txt": "numpy==2.4.6\n", "pyproject.toml": "[project]\n",
             "results/01-chapter/claims.csv": "chapter,status\n", "results/run-stamp.txt": "inputs at commit\n",
             ".gitignore": "__pycache__/\n"}
    for name, text in files.items():
        write(tmp_path, name, text)
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "--quiet", "-m", "inputs and outputs")
    return tmp_path


def test_a_committed_tree_names_its_commit(book_repo):
    assert inputs_commit(root=book_repo) == git(book_repo, "rev-parse", "--short=12", "HEAD")
    assert len(inputs_commit(root=book_repo)) == 12


def test_new_outputs_leave_the_commit_clean(book_repo):
    write(book_repo, "results/01-chapter/claims.csv", "chapter,status\n01,reproduced\n")
    write(book_repo, "results/run-stamp.txt", "inputs at commit abc\n")
    write(book_repo, "results/02-new/draws.csv", "x\n1\n")
    write(book_repo, "notebooks/01-chapter.ipynb", '{"cells": []}\n')
    write(book_repo, "lib/overparam/__pycache__/model.cpython-311.pyc", "\0")
    write(book_repo, "lib/overparam/notes.txt", "not code\n")
    assert "uncommitted" not in inputs_commit(root=book_repo)


@pytest.mark.parametrize("name", ["notebooks/01-chapter.md", "lib/overparam/theory/model.py", "requirements.txt",
                                  "pyproject.toml"])
def test_a_changed_input_makes_it_dirty(book_repo, name):
    write(book_repo, name, (book_repo / name).read_text() + "\n")
    assert inputs_commit(root=book_repo).endswith(" + uncommitted changes to its inputs")


@pytest.mark.parametrize("name", ["lib/overparam/theory/new.py", "lib/overparam/new_package/module.py",
                                  "notebooks/02-new-chapter.md"])
def test_an_untracked_input_makes_it_dirty(book_repo, name):
    write(book_repo, name, "x = 2\n")
    assert "uncommitted changes to its inputs" in inputs_commit(root=book_repo)


def test_a_deleted_input_makes_it_dirty(book_repo):
    (book_repo / "lib" / "overparam" / "theory" / "model.py").unlink()
    assert "uncommitted changes to its inputs" in inputs_commit(root=book_repo)


def test_only_the_given_files_count(book_repo):
    write(book_repo, "lib/overparam/theory/model.py", "x = 3\n")
    chapter = book_repo / "notebooks" / "01-chapter.md"
    assert "uncommitted" not in inputs_commit([chapter], root=book_repo)
    assert "uncommitted" in inputs_commit([chapter, "lib/overparam/theory/model.py"], root=book_repo)


def test_outside_a_checkout_the_commit_is_unknown(tmp_path):
    assert inputs_commit(root=tmp_path) == "unknown (not a git checkout)"


def test_the_stamp_names_the_commit_of_the_inputs():
    assert f"inputs at commit {inputs_commit()};" in run_stamp()
