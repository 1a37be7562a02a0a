import pytest

from overparam.book.params import ParameterError, check_choice, check_int, check_list, check_path, check_real


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
    with pytest.raises(ParameterError, match="results_dir"):
        check_path("results_dir", "")
    with pytest.raises(ParameterError, match="one of"):
        check_choice("s", 7, [5, 10])
