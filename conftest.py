"""Test-suite set-up shared by the unit tests and the nbval runs of the chapters.

- Chapters executed by the tests (nbval, papermill) write their results into a temporary folder,
  never into the book's tracked results/ (overparam.book.params.check_results_dir honours the variable).
- Tests marked ``after_notebooks`` run after the nbval items: they read what those runs wrote.
- The state of the tracked files is recorded at the start, for the test that checks the suite
  changed none of them.
"""
import os
import subprocess
import tempfile
from pathlib import Path

from overparam.book.params import RESULTS_REDIRECT

ROOT = Path(__file__).resolve().parent


def tracked_changes() -> str | None:
    """`git status --porcelain` of the tracked files, or None outside a git checkout."""
    try:
        return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def pytest_configure(config):
    config.addinivalue_line("markers", "after_notebooks: run after the nbval runs of the chapters")
    os.environ.setdefault(RESULTS_REDIRECT, tempfile.mkdtemp(prefix="book-results-"))
    config.stash_tracked_changes = tracked_changes()


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)
