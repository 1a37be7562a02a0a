"""Where a chapter writes its tables (overparam.book.params.results_destination): into the book's
results/ only in `make run`; under the redirect folder in the tests (silently, so that nbval's
outputs match `make run`'s); where papermill was told; and otherwise, a chapter opened in any
Jupyter, under a user folder that the chapter prints."""
import importlib.util
import os
import textwrap
from collections import Counter
from pathlib import Path

import nbclient
import nbformat
import papermill as pm
import pytest
import tiny_chapters
from tiny_chapters import WRITE_DONE

from overparam.book.params import (BOOK_RESULTS, BOOK_RUN, RESULTS_REDIRECT, USER_RESULTS,
                                   results_destination)

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = "zz-results-destination-test"  # a chapter that does not exist: nothing of the book is touched
DEFAULT = str(BOOK_RESULTS / CHAPTER)  # what a chapter's parameters cell says, resolved
ANNOUNCE = "This run writes its tables to"


def test_make_run_writes_into_the_books_results_silently():
    assert results_destination(DEFAULT, explicit=False, environ={BOOK_RUN: "1"}) == (DEFAULT, False)


def test_the_tests_redirect_wins_and_is_silent(tmp_path):
    for environ in ({RESULTS_REDIRECT: str(tmp_path)}, {RESULTS_REDIRECT: str(tmp_path), BOOK_RUN: "1"}):
        for explicit in (True, False):
            assert results_destination(DEFAULT, explicit, environ) == (str(tmp_path / CHAPTER), False)


def test_a_chapter_run_in_jupyter_writes_to_the_user_folder_and_says_so(tmp_path):
    assert results_destination(DEFAULT, explicit=False, environ={USER_RESULTS: str(tmp_path)}) == (
        str(tmp_path / CHAPTER), True)
    home = Path("~/overparam-results").expanduser() / CHAPTER
    assert results_destination(DEFAULT, explicit=False, environ={}) == (str(home), True)


class CountingEnviron(dict):
    """An environment that counts how often each variable is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = Counter()

    def get(self, key, default=None):
        self.reads[key] += 1
        return super().get(key, default)


@pytest.mark.parametrize("variables", [{}, {BOOK_RUN: "1"}, {USER_RESULTS: "/tmp/elsewhere"}])
def test_each_environment_variable_is_read_once(variables):
    environ = CountingEnviron(variables)
    results_destination(DEFAULT, explicit=False, environ=environ)
    assert environ.reads[BOOK_RUN] == 1 and environ.reads[RESULTS_REDIRECT] == 1
    assert max(environ.reads.values()) == 1


def test_a_folder_papermill_was_given_or_outside_the_book_is_used_as_given(tmp_path):
    assert results_destination(DEFAULT, explicit=True, environ={}) == (DEFAULT, True)
    assert results_destination(str(tmp_path), explicit=False, environ={}) == (str(tmp_path), True)


def tiny_chapter(folder: Path, results_dir: str) -> Path:
    """The tests' throw-away chapter whose default results folder is ``results_dir``; its last cell
    prints the folder the validation chose, and writes a file there only when it is under ``folder``."""
    return tiny_chapters.tiny_chapter(folder, results_dir, work=(
        "print('chosen:', results_dir)\n"
        f"if pathlib.Path(results_dir).resolve().is_relative_to({str(folder.resolve())!r}):\n"
        + textwrap.indent(WRITE_DONE, "    ")))


def text_of(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def run_in_a_kernel(path: Path) -> list:
    """Execute the notebook as Jupyter does (nbclient, no papermill: no injected parameters); its cells."""
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook.cells


@pytest.fixture
def plain_environment(monkeypatch):
    """Neither the tests' redirect nor `make run`: what a reader's Jupyter has (the kernel inherits it)."""
    monkeypatch.delenv(RESULTS_REDIRECT, raising=False)
    monkeypatch.delenv(BOOK_RUN, raising=False)
    return monkeypatch


def test_a_chapter_opened_in_jupyter_does_not_write_into_the_books_results(tmp_path, plain_environment):
    user = tmp_path / "user"
    plain_environment.setenv(USER_RESULTS, str(user))
    cells = run_in_a_kernel(tiny_chapter(tmp_path, DEFAULT))
    assert f"{ANNOUNCE} {user / CHAPTER}" in text_of(cells[1])
    assert text_of(cells[2]).strip() == f"chosen: {user / CHAPTER}"
    assert (user / CHAPTER / "done.txt").read_text() == "0.5"
    assert not (BOOK_RESULTS / CHAPTER).exists()


def test_make_run_and_the_tests_print_the_same_validation_output(tmp_path, plain_environment):
    """nbval compares the committed outputs of `make run` with a re-execution under the redirect:
    the validation cell must print the same in both (no path)."""
    notebook = tiny_chapter(tmp_path, DEFAULT)
    plain_environment.setenv(BOOK_RUN, "1")
    book_run = run_in_a_kernel(notebook)
    assert text_of(book_run[2]).strip() == f"chosen: {DEFAULT}"  # printed, not written: the book is left alone
    plain_environment.delenv(BOOK_RUN)
    plain_environment.setenv(RESULTS_REDIRECT, str(tmp_path / "redirect"))
    tests = run_in_a_kernel(notebook)
    assert text_of(tests[2]).strip() == f"chosen: {tmp_path / 'redirect' / CHAPTER}"
    assert text_of(book_run[1]) == text_of(tests[1]) and ANNOUNCE not in text_of(tests[1])
    assert not (BOOK_RESULTS / CHAPTER).exists()


def test_papermill_with_an_explicit_results_dir_writes_there_and_says_so(tmp_path, plain_environment):
    chosen = tmp_path / "mine"
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(tiny_chapter(tmp_path, DEFAULT)), str(out), parameters={"results_dir": str(chosen)},
                        cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    cells = [cell for cell in nbformat.read(out, as_version=4).cells if cell.cell_type == "code"]
    assert f"{ANNOUNCE} {chosen}" in "".join(text_of(cell) for cell in cells)
    assert (chosen / "done.txt").read_text() == "0.5"


def test_make_run_sets_the_variable_its_kernels_inherit(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
    execute_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(execute_notebooks)
    monkeypatch.delenv(BOOK_RUN, raising=False)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # main() sets it in the process: keep this one clean
    execute_notebooks.main([], root=tmp_path)
    assert os.environ[BOOK_RUN] == "1"
