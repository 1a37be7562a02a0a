"""Test-suite set-up shared by the unit tests and the nbval runs of the chapters.

- Chapters executed by the tests (nbval, papermill) write their results into a temporary folder,
  never into the book's tracked results/ (overparam.book.params.check_results_dir honours the variable).
- Every kernel gets one BLAS and torch thread (overparam.book.execution), as in `make run`: nbval
  compares against outputs made that way. `make test` runs the suite on several workers
  (pytest-xdist, with the scheduler below): the cells of one chapter form one unit, run in order in
  one worker, and the test marked ``after_notebooks`` that reads what a network chapter's nbval run
  wrote joins that chapter's unit, after its cells. Units are handed out longest first (their
  expected seconds: :func:`unit_seconds`), so that no worker is left with a long chapter at the end.
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
from overparam.book.paths import RESULTS
from overparam.book.run_times import TIMES, read_run_times

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
# tests whose every parametrized item is one papermill run of a chapter, with no fixture shared
# between items: each item is a unit of its own, timed by its chapter's run at those parameters
PRESET_RUN = "tests/test_presets.py::test_at_its_preset_the_main_conclusion_keeps_its_verdict["
SMOKE_RUN = "tests/test_notebooks.py::test_chapter_runs_with_its_smoke_parameters["
PRESET_TIMES = RESULTS / "classroom-runs.csv"  # notebook, seconds at the preset (make run PRESET=classroom)
# seconds of the other long units and of the smoke runs, measured with --durations on the 2-core
# reference machine, one thread (3 December 2026); only the order they give matters, not their precision
MEASURED_SECONDS = {"site": 111.0, "tests/test_pdf.py": 79.0, "tests/test_network_reproducibility.py": 126.0,
                    "tests/test_sweep.py": 91.0, "tests/test_notebooks.py": 55.0, "tests/test_new_chapter.py": 26.0,
                    "tests/test_phase_diagrams.py": 17.0, "tests/test_launch_buttons.py": 16.0,
                    "tests/test_data_download.py": 15.0, "tests/test_digits.py": 12.0}
SMOKE_SECONDS = {"01-linear-gaussian": 14.1, "02-distributional-characterization": 10.9, "03-pruning-risk": 8.6,
                 "04-lemma1-correlated-features": 5.3, "05-denoising": 5.8, "06-random-features": 7.3,
                 "07-random-features-mnist": 10.9, "08-two-layer-networks": 14.1, "09-resnet20": 21.1,
                 "10-ridge-pruning": 19.1, "11-quantization": 14.6, "12-correlated-refits": 11.1,
                 "13-classification": 13.1, "14-where-conclusions-hold": 11.0,  # (the others' median: it
                 "99-reproduction-report": 11.0}  # failed in that measurement, its page being edited)
ITEM_SECONDS = 0.05  # any other test: the cost of its unit grows with its number of tests, as xdist's own order


def chapter_group(nodeid: str) -> str:
    """The unit of work an xdist worker takes whole: a chapter for its nbval cells (they share one
    kernel) and for the test that reads what that run wrote (the ``chapter`` parameter of the
    after-notebooks test, sorted after every cell); "site" for the tests that open the built site;
    the test itself for one papermill run of a chapter (PRESET_RUN, SMOKE_RUN); the test file
    otherwise (as ``--dist loadfile``)."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        return path.rsplit("/", 1)[-1].removesuffix(".ipynb")
    if nodeid.startswith(AFTER_CHAPTER):
        return nodeid.removeprefix(AFTER_CHAPTER).removesuffix("]")
    if nodeid.startswith((PRESET_RUN, SMOKE_RUN)):
        return nodeid
    return "site" if path in SITE_TESTS else path


def unit_seconds(unit: str, size: int, chapter_seconds: dict[str, float], preset_seconds: dict[str, float]) -> float:
    """Expected seconds of the unit ``unit`` of ``size`` tests: a chapter's time at its defaults
    (``chapter_seconds``, for its nbval cells), its time at its preset (``preset_seconds``) or at its
    smoke parameters (SMOKE_SECONDS) for one such run, a measured time (MEASURED_SECONDS) for the
    other long units; plus ITEM_SECONDS a test. A chapter without a recorded time counts as 0 s."""
    chapter = unit.rsplit("[", 1)[-1].removesuffix("]")
    if unit.startswith(PRESET_RUN):
        base = preset_seconds.get(chapter, 0.0)
    elif unit.startswith(SMOKE_RUN):
        base = SMOKE_SECONDS.get(chapter, 0.0)
    else:
        base = chapter_seconds.get(unit, MEASURED_SECONDS.get(unit, 0.0))
    return base + ITEM_SECONDS * size


def longest_first(nodeids: list[str], chapter_seconds: dict[str, float], preset_seconds: dict[str, float]) -> list[str]:
    """``nodeids`` grouped into their units (:func:`chapter_group`), the units ordered by their
    expected seconds (:func:`unit_seconds`), longest first, ties in order of first appearance;
    within a unit the given order is kept."""
    units: dict[str, list[str]] = {}
    for nodeid in nodeids:
        units.setdefault(chapter_group(nodeid), []).append(nodeid)
    ordered = sorted(units.items(), key=lambda unit: -unit_seconds(unit[0], len(unit[1]), chapter_seconds,
                                                                   preset_seconds))
    return [nodeid for _, members in ordered for nodeid in members]


class ChapterScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with :func:`chapter_group` as the scope (xdist's own loadgroup
    marks do not reach pytest 9's node ids), handing out the units in collection order, which
    :func:`pytest_collection_modifyitems` makes longest first (instead of xdist's largest number of
    tests first, which put chapter 9's ten cells near the end)."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        return chapter_group(nodeid)


def pytest_xdist_make_scheduler(config, log):
    return ChapterScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """The after-notebooks tests after everything else, then the units longest first (:func:`longest_first`)."""
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)
    order = {nodeid: rank for rank, nodeid in enumerate(longest_first(
        [item.nodeid for item in items], read_run_times(TIMES), read_run_times(PRESET_TIMES)))}
    items.sort(key=lambda item: order[item.nodeid])


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
