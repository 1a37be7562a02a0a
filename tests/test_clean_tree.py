"""The test suite never writes into tracked files (it runs last: see conftest.py)."""
import pytest

from conftest import tracked_changes


@pytest.mark.after_notebooks
def test_the_suite_left_every_tracked_file_as_it_found_it(pytestconfig):
    before = pytestconfig.stash_tracked_changes
    if before is None:
        pytest.skip("not a git checkout")
    assert tracked_changes() == before, "the tests changed tracked files (chapters must write to the redirect folder)"
