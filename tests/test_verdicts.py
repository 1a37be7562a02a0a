"""The claim rules: made-up numbers on both sides of each threshold flip the status."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as scipy_t

from overparam.book.tidy import claim, write_claims
from overparam.experiments import verdicts as v

NOISE = np.array([-1.0, 0.0, 1.0, -0.5, 0.5])  # mean 0, sd 0.79: t interval half-width 0.98


@pytest.mark.parametrize("shift, status", [(1.5, "reproduced"), (0.5, "inconclusive"), (-0.5, "inconclusive"),
                                           (-1.5, "not reproduced")])
def test_comparison_flips_with_the_interval(shift, status):
    assert v.comparison(NOISE + shift).status == status


def test_comparison_paired_and_unpaired_from_two_sides():
    assert v.comparison(NOISE + 12.0, NOISE[::-1] + 10.0, paired=False).status == "reproduced"
    assert v.comparison(NOISE + 10.0, NOISE[::-1] + 9.0, paired=False).status == "inconclusive"
    shared = np.array([0.0, 5.0, -5.0, 2.0, -2.0])
    # the shared draw-to-draw spread hides a +0.5 effect unpaired, not paired
    assert v.comparison(shared + 0.5 + NOISE / 100, shared).status == "reproduced"
    assert v.comparison(shared + 0.5 + NOISE / 100, shared, paired=False).status == "inconclusive"
    with pytest.raises(ValueError, match="equal count"):
        v.comparison([1, 2, 3], [1, 2])


def test_comparison_with_fewer_than_three_draws_is_inconclusive():
    assert v.comparison([5.0, 5.1]).status == "inconclusive"
    assert v.comparison([5.0, 5.1, 5.2]).status == "reproduced"
    assert "fewer than 3" in v.comparison([5.0, 5.1]).measured


def test_t_interval_is_student():
    mean, low, high = v.t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert high - mean == pytest.approx(scipy_t.ppf(0.975, 2) * 1.0 / np.sqrt(3))


@pytest.mark.parametrize("margin, status", [(2.0, "reproduced"), (0.5, "inconclusive")])
def test_equality_needs_the_interval_inside_the_margin(margin, status):
    assert v.equality(NOISE, margin).status == status


def test_equality_fails_when_the_interval_is_outside_the_margin():
    assert v.equality(NOISE + 5.0, 2.0).status == "not reproduced"
    assert v.equality([0.0, 0.0], 1.0).status == "inconclusive"


def test_agreement_all_part_none():
    theory = np.ones(10)
    assert v.agreement(theory, theory * 1.02, tolerance=0.03).status == "reproduced"
    mostly = np.r_[np.ones(8) * 1.02, 1.2, 1.2]
    assert v.agreement(theory, mostly, tolerance=0.03).status == "partly"
    assert v.agreement(theory, mostly, tolerance=0.03, partly_fraction=0.9).status == "not reproduced"
    assert v.agreement(theory, theory * 1.5, tolerance=0.03).status == "not reproduced"
    # a point outside the tolerance agrees when the theory is inside its interval
    assert v.agreement(theory, theory * 1.5, theory * 0.9, theory * 1.6, tolerance=0.03).status == "reproduced"


def test_over_range_names_where_the_claim_holds():
    assert v.over_range([True, True], [1, 2]).status == "reproduced"
    partly = v.over_range([True, False, True], [0.0, 0.5, 1.0], unit="sigma = ")
    assert partly.status == "partly" and "fails at sigma = 0.5" in partly.measured
    assert v.over_range([False, False], [1, 2]).status == "not reproduced"
    mixed = v.over_range(["reproduced", "inconclusive", "not reproduced"], [1, 2, 3])
    assert mixed.status == "partly" and "inconclusive at 2" in mixed.measured and "fails at 3" in mixed.measured
    assert v.over_range(["inconclusive", "inconclusive"], [1, 2]).status == "inconclusive"
    assert v.over_range(np.array([True, True]), [1, 2]).status == "reproduced"
    with pytest.raises(ValueError, match="statuses"):
        v.over_range(["partly"], [1])


def test_spans_compress_runs_of_integers():
    assert v.spans([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert v.spans([0.5, 1.0]) == "0.5, 1.0"
    assert v.spans([]) == "none"


def test_deterministic_against_its_threshold():
    assert v.deterministic(1.0, 2.0).status == "reproduced"
    assert v.deterministic(3.0, 2.0).status == "not reproduced"
    assert v.deterministic(3.0, 2.0, "above").status == "reproduced"


def test_grouped_pools_draws_inside_a_group():
    assert list(v.grouped([1.0, 3.0, 10.0, 20.0], ["b", "b", "a", "a"])) == [2.0, 15.0]


def test_small_number_prints_round_off_as_a_bound():
    assert v.small_number(6.3e-31) == "below 1e-12"
    assert v.small_number(2.5e-3) == "2.5e-03"


def test_claims_file_follows_the_schema(tmp_path):
    rows = [claim("Fig. 1", "A beats B", v.comparison(NOISE + 2)),
            claim("new", "ours", v.comparison([1.0]), origin="beyond", scale="reduced")]
    table = write_claims(rows, tmp_path, "00-test")
    assert list(table.columns) == ["chapter", "paper", "origin", "scale", "claim", "status", "measured"]
    assert list(pd.read_csv(tmp_path / "claims.csv").status) == ["reproduced", "inconclusive"]
    with pytest.raises(TypeError, match="overparam.experiments.verdicts"):
        claim("Fig. 1", "A beats B", "reproduced")
    with pytest.raises(ValueError, match="origin"):
        write_claims([claim("x", "y", v.comparison([1.0]), origin="new")], tmp_path, "00-test")
