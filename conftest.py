"""Test-suite set-up shared by the unit tests and the nbval runs of the chapters.

- Chapters executed by the tests (nbval, papermill) write their results into a temporary folder,
  never into the book's tracked results/ (overparam.book.params.check_results_dir honours the variable).
- Every kernel gets one BLAS and torch thread (overparam.book.execution), as in `make run`: nbval
  compares against outputs made that way. `make test` runs the suite on several workers
  (pytest-xdist, with the scheduler below): the cells of one chapter form one unit, run in order in
  one worker, and the test marked ``after_notebooks`` that reads what a network chapter's nbval run
  wrote joins that chapter's unit, after its cells.
- The state of the tracked files is recorded at the start and compared at the end of the session:
  the suite fails when it changed one of them.
"""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

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


SITE_TESTS = ("tests/test_site.py", "tests/test_explorer_site.py")  # one build of the site (tests/conftest.py)
AFTER_CHAPTER = "tests/test_network_reproducibility.py::test_network_chapter_at_its_defaults_agrees_with_the_committed_run["


def chapter_group(nodeid: str) -> str:
    """The unit of work an xdist worker takes whole, in collection order: a chapter for its nbval
    cells (they share one kernel) and for the test that reads what that run wrote (the ``chapter``
    parameter of the after-notebooks test, sorted after every cell); "site" for the tests that open
    the built site; the test file otherwise (as ``--dist loadfile``)."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        return path.rsplit("/", 1)[-1].removesuffix(".ipynb")
    if nodeid.startswith(AFTER_CHAPTER):
        return nodeid.removeprefix(AFTER_CHAPTER).removesuffix("]")
    return "site" if path in SITE_TESTS else path


class ChapterScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with :func:`chapter_group` as the scope (xdist's own loadgroup
    marks do not reach pytest 9's node ids)."""

    def _split_scope(self, nodeid: str) -> str:
        return chapter_group(nodeid)


def pytest_xdist_make_scheduler(config, log):
    return ChapterScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)


def pytest_sessionfinish(session, exitstatus):
    """Fail the session when it changed a tracked file (checked once, by the controller, at the end;
    an xdist worker has ``workerinput``)."""
    before = session.config.stash_tracked_changes
    if hasattr(session.config, "workerinput") or before is None:
        return
    after = tracked_changes()
    if after == before:
        return
    session.config.pluginmanager.get_plugin("terminalreporter").write_line(
        "FAILED: the tests changed tracked files (chapters must write to the redirect folder):\n" + after, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
