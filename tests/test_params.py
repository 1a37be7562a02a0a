from pathlib import Path

import papermill as pm
import pytest
from tiny_chapters import tiny_chapter

from overparam.book.params import (ParameterError, Real, ResultsDir, check_choice, check_int, check_list,
                                   check_parameters, check_path, check_real, check_results_dir, injected_names)


def test_check_int():
    assert check_int("p", 5, low=1) == 5
    for bad in (0, 2.5, True, "3"):
        with pytest.raises(ParameterError, match="parameter 'p'"):
            check_int("p", bad, low=1)


def test_check_real():
    assert check_real("sigma", 1, low=0) == 1.0
    with pytest.raises(ParameterError, match="'sigma' must lie in"):
        check_real("sigma", -0.1, low=0)
    with pytest.raises(ParameterError, match="must be > 0"):
        check_real("spike", 0.0, positive=True)
    with pytest.raises(ParameterError, match="real number"):
        check_real("sigma", float("nan"))


def test_check_list_path_and_choice():
    assert check_list("ks", [3, 1, 3], check_int, min_length=2, low=1) == [1, 3]
    with pytest.raises(ParameterError, match="at least 2"):
        check_list("ks", [1], check_int, min_length=2)
    with pytest.raises(ParameterError, match="parameter 'ks'"):
        check_list("ks", [1, -1], check_int, low=0)
    assert check_list("ks", [1, 2], check_int, max_length=2) == [1, 2]
    with pytest.raises(ParameterError, match="parameter 'ks' takes at most 2 values, got 3"):
        check_list("ks", [1, 2, 3], check_int, max_length=2)
    with pytest.raises(ParameterError, match="results_dir"):
        check_path("results_dir", "")
    with pytest.raises(ParameterError, match="one of"):
        check_choice("s", 7, [5, 10])


# ------------------------------------------------------------------------------------------------
# Parameters papermill injects: a name the chapter does not declare is refused (a typo would
# otherwise run the chapter at its defaults and exit 0), and so is a results folder that cannot be
# written, both at the validation cell, before any work.
# ------------------------------------------------------------------------------------------------

TINY_RULES = {"sigma": Real("noise", low=0), "results_dir": ResultsDir()}


def test_injected_names_are_read_from_papermills_cell_in_the_history():
    history = ["", "sigma = 0.5\nresults_dir = 'r'", "# Parameters\nsigmma = 0.3\nresults_dir = \"/tmp/x\"\n"]
    assert injected_names({"In": history}) == ["sigmma", "results_dir"]
    assert injected_names({"In": history[:2]}) == []
    assert injected_names({}) == []


def test_check_results_dir_refuses_a_folder_where_nothing_can_be_created(tmp_path):
    assert check_results_dir("results_dir", str(tmp_path / "new" / "results")) == str(tmp_path / "new" / "results")
    assert not (tmp_path / "new").exists()  # checked, not created
    if Path("/proc").is_dir():
        with pytest.raises(ParameterError, match="'/proc/x'.*not a writable folder"):
            check_results_dir("results_dir", "/proc/x")


def test_check_parameters_refuses_an_injected_name_the_rules_do_not_declare(tmp_path):
    namespace = {"sigma": 0.5, "results_dir": str(tmp_path), "sigmma": 0.3,
                 "In": ["", "# Parameters\nsigmma = 0.3\n"]}
    with pytest.raises(ParameterError, match="parameter 'sigmma' is not a parameter of this chapter"):
        check_parameters(TINY_RULES, namespace, summary=False)
    namespace["In"] = ["", "# Parameters\nsigma = 0.3\n"]
    assert check_parameters(TINY_RULES, namespace, summary=False)["sigma"] == 0.5


def run_tiny(tmp_path, **parameters):
    return pm.execute_notebook(str(tiny_chapter(tmp_path)), str(tmp_path / "out.ipynb"), parameters=parameters,
                               cwd=str(tmp_path), progress_bar=False, kernel_name="python3")


def test_a_papermill_run_with_a_typo_in_a_parameter_name_stops_at_validation(tmp_path):
    results = tmp_path / "results"
    with pytest.raises(pm.PapermillExecutionError) as error:
        run_tiny(tmp_path, sigmma=0.3, results_dir=str(results))
    assert error.value.ename == "ParameterError" and "parameter 'sigmma'" in str(error.value)
    assert "not a parameter of this chapter" in str(error.value)
    assert not results.exists()
    run_tiny(tmp_path, sigma=0.3, results_dir=str(results))
    assert (results / "done.txt").read_text() == "0.3"


@pytest.mark.parametrize("where", ["under-a-file", "/proc/x"])
def test_a_papermill_run_into_an_unwritable_results_dir_stops_at_validation(tmp_path, where):
    """A path under a file, and one under /proc (where even root cannot create a folder, though
    its permission bits say writable)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    results = blocker / "results" if where == "under-a-file" else Path(where)
    if not results.parent.exists():
        pytest.skip(f"{results.parent} does not exist here")
    with pytest.raises(pm.PapermillExecutionError) as error:
        run_tiny(tmp_path, results_dir=str(results))
    assert error.value.ename == "ParameterError" and "parameter 'results_dir'" in str(error.value)
    assert "not a writable folder" in str(error.value)
