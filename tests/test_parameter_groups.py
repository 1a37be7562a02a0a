"""The parameter groups chapters share: the linear problem's block (overparam.experiments.settings),
the trials and run controls (overparam.book.params), and how a chapter adapts a shared rule."""
import pytest

from overparam.book.chapters import chapter_rules, chapter_sources
from overparam.book.params import Int, ParameterError, Trials, changed, check_parameters, run_controls
from overparam.experiments.settings import LINEAR_PROBLEM, linear_problem
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS


def test_the_linear_problem_block_comes_in_its_order_or_in_the_order_asked():
    assert list(linear_problem()) == ["p", "n", "s", "spike", "sigma", "theta_law", "alignment"]
    assert list(linear_problem("spike", "n")) == ["spike", "n"]
    assert linear_problem()["theta_law"].choices == THETA_LAWS
    assert linear_problem()["alignment"].choices == ALIGNMENTS


def test_a_change_replaces_only_the_fields_it_names():
    standard, adapted = LINEAR_PROBLEM["n"], linear_problem(n=dict(low=3, smoke=40))["n"]
    assert (adapted.low, adapted.smoke) == (3, 40)
    assert (adapted.kind, adapted.help, adapted.high) == (standard.kind, standard.help, standard.high)
    assert linear_problem()["n"] == standard  # the shared declaration itself is not changed


def test_a_scope_prefixes_the_help():
    assert changed(Int("training samples"), scope="panel c").help == "panel c: training samples"
    assert changed(Int("a"), scope="panel c", help="b").help == "panel c: b"
    assert linear_problem(alignment=dict(scope="panel (b) only"))["alignment"].help.startswith("panel (b) only: ")


def test_unknown_or_unrequested_names_are_refused():
    with pytest.raises(ValueError, match="not parameters of the linear problem"):
        linear_problem("p", "kappa")
    with pytest.raises(ValueError, match="not parameters of the linear problem"):
        linear_problem(sigmma=dict(low=1))
    with pytest.raises(ValueError, match="not among the parameters asked for"):
        linear_problem("p", "n", s=dict(smoke=5))


def test_the_shared_bounds_still_check_values(tmp_path):
    """The standard s may be at most n // 2 (a bound that reads n, checked before it)."""
    rules = {**linear_problem("n", "s"), "trials": Trials(), **run_controls()}
    values = {"n": 60, "s": 30, "trials": 3, "seed": 0, "progress": False, "results_dir": str(tmp_path)}
    assert check_parameters(rules, values, summary=False)["s"] == 30
    with pytest.raises(ParameterError, match="parameter 's' must lie in"):
        check_parameters(rules, {**values, "s": 31}, summary=False)
    with pytest.raises(ParameterError, match="parameter 'trials' must lie in"):
        check_parameters(rules, {**values, "trials": 1}, summary=False)


SHARED = {**LINEAR_PROBLEM, "trials": Trials(), **run_controls()}


@pytest.mark.parametrize("source", chapter_sources(), ids=lambda path: path.stem)
def test_a_chapter_declares_a_shared_name_with_the_shared_type(source):
    """A chapter may change a shared parameter's bounds or help, not what kind of value it is (p is
    an integer everywhere, theta_law one of the same laws)."""
    rules = chapter_rules(source) or {}
    for name in set(rules) & set(SHARED):
        assert rules[name].kind == SHARED[name].kind, f"{source.name}: {name} is a {rules[name].kind}"
        if name == "theta_law":
            assert rules[name].choices == THETA_LAWS, f"{source.name}: other laws of theta*"
