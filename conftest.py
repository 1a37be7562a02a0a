"""Test-suite set-up shared by the unit tests and the nbval runs of the chapters.

- Chapters executed by the tests (nbval, papermill) write their results into a temporary folder,
  never into the book's tracked results/ (overparam.book.params.check_results_dir honours the variable).
- Every kernel gets one BLAS and torch thread (overparam.book.execution), as in `make run`: nbval
  compares against outputs made that way. `make test` runs the suite on several workers
  (pytest-xdist, ``--dist loadgroup``): the cells of one chapter form one group, run in order in one
  worker, and a test marked ``after_notebooks`` that reads what a chapter's nbval run wrote names the
  chapter as its ``chapter`` parameter and joins its group, after its cells.
- The state of the tracked files is recorded at the start and compared at the end of the session:
  the suite fails when it changed one of them.
"""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from overparam.book.execution import one_thread_each
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
    one_thread_each(os.environ)
    config.stash_tracked_changes = tracked_changes()


SITE_TESTS = ("test_site.py", "test_explorer_site.py")  # they share one build of the site (tests/conftest.py)


def chapter_group(item) -> str | None:
    """The group ``item`` joins: an nbval cell's notebook, the ``chapter`` parameter of a test
    marked ``after_notebooks``, or "site" for the tests that open the built site (one build per
    worker); None for any other test (xdist spreads those freely)."""
    if item.path.suffix == ".ipynb":
        return item.path.stem
    if item.path.name in SITE_TESTS:
        return "site"
    if item.get_closest_marker("after_notebooks") is not None and hasattr(item, "callspec"):
        return item.callspec.params.get("chapter")
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)
    for item in items:
        group = chapter_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session, exitstatus):
    """Fail the session when it changed a tracked file (checked once, by the controller, at the end;
    an xdist worker has ``workerinput``)."""
    before = session.config.stash_tracked_changes
    if hasattr(session.config, "workerinput") or before is None or tracked_changes() == before:
        return
    session.config.pluginmanager.get_plugin("terminalreporter").write_line(
        "FAILED: the tests changed tracked files (chapters must write to the redirect folder):\n"
        + tracked_changes(), red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
