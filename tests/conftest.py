"""Fixtures shared by the test modules: the built site, built once per worker for every test that
opens it (tests/test_site.py, tests/test_explorer_site.py; the root conftest.py puts those tests in
one xdist group, so one worker builds it once)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The book built into a temporary folder with warnings as errors; its html folder."""
    out = tmp_path_factory.mktemp("site")
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
                    "--warningiserror", "--quiet"], check=True, capture_output=True, text=True)
    return out / "_build" / "html"
