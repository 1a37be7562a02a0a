"""The claim rules: made-up numbers on both sides of each threshold give each status."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as scipy_t


from overparam.book.claims import CLAIM_COLUMNS, ClaimsView, claim, claims_html, share, write_claims
from overparam.book import claim_table
from overparam.book import stats
from overparam.book import tallies
from overparam.book import verdicts as v

NOISE = np.array([-1.0, 0.0, 1.0, -0.5, 0.5])  # mean 0, sd 0.79: t interval half-width 0.98


@pytest.mark.parametrize("shift, status", [(1.5, "reproduced"), (0.5, "inconclusive"), (-0.5, "inconclusive"),
                                           (-1.5, "not reproduced")])
def test_comparison_flips_with_the_interval(shift, status):
    verdict = v.comparison(NOISE + shift)
    assert verdict.status == status and verdict.rule == "comparison" and verdict.tolerance is None
    assert not verdict.fragile


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


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_draws_say_so(bad):
    for verdict in (v.comparison([1.0, 2.0, bad, 3.0]), v.comparison([1.0, 2.0, 3.0], [0.0, bad, 0.0]),
                    v.comparison([1.0, 2.0, 3.0], [0.0, bad, 0.0], paired=False),
                    v.equality([0.0, bad, 0.1], 1.0), v.non_inferiority([0.0, bad, 0.1], 1.0)):
        assert verdict.status == "inconclusive"
        assert "1 of" in verdict.measured and "NaN or infinite" in verdict.measured
        assert "fewer than" not in verdict.measured
    assert "NaN or infinite" in v.agreement([1.0, 1.0], [1.0, bad]).measured


def test_t_interval_is_student():
    mean, low, high = stats.t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert high - mean == pytest.approx(scipy_t.ppf(0.975, 2) * 1.0 / np.sqrt(3))


@pytest.mark.parametrize("margin, status", [(2.0, "reproduced"), (0.5, "inconclusive")])
def test_equality_needs_the_interval_inside_the_margin(margin, status):
    verdict = v.equality(NOISE, margin)
    assert verdict.status == status and verdict.rule == "equality" and verdict.tolerance == margin


def test_equality_fails_when_the_interval_is_outside_the_margin():
    assert v.equality(NOISE + 5.0, 2.0).status == "not reproduced"
    assert v.equality([0.0, 0.0], 1.0).status == "inconclusive"


def test_equality_at_half_and_twice_its_margin():
    # interval [-0.98, 0.98]: inside 1.0, across 0.5, inside 2.0
    verdict = v.equality(NOISE, 1.0)
    assert (verdict.status, verdict.at_half, verdict.at_double) == ("reproduced", "inconclusive", "reproduced")
    assert verdict.fragile
    sturdy = v.equality(NOISE / 10, 1.0)
    assert (sturdy.at_half, sturdy.at_double) == ("reproduced", "reproduced") and not sturdy.fragile


@pytest.mark.parametrize("shift, status", [(0.0, "reproduced"), (-1.5, "inconclusive"), (-5.0, "not reproduced")])
def test_non_inferiority_against_one_side_of_the_margin(shift, status):
    # interval of the mean: shift ± 0.98 against the bound -1
    verdict = v.non_inferiority(NOISE + shift, 1.0)
    assert verdict.status == status and verdict.rule == "non-inferiority"


def test_agreement_is_an_equivalence_at_every_point():
    theory = np.ones(4)
    # intervals inside ±3%: agree
    assert v.agreement(theory, theory * 1.01, theory * 1.0, theory * 1.02, tolerance=0.03).status == "reproduced"
    # intervals entirely outside ±3%: disagree, even though the means are close to it
    outside = v.agreement(theory, theory * 1.05, theory * 1.04, theory * 1.06, tolerance=0.03)
    assert outside.status == "not reproduced" and outside.holds == 0
    # intervals across the edge: inconclusive
    across = v.agreement(theory, theory * 1.03, theory * 1.0, theory * 1.06, tolerance=0.03)
    assert across.status == "inconclusive"


def test_agreement_has_a_precision_floor():
    # a 50% gap with a huge interval covering the theory is not an agreement (it was "reproduced" before)
    verdict = v.agreement([1, 1, 1], [1.5, 1.5, 1.5], [0, 0, 0], [10, 10, 10], tolerance=0.03)
    assert verdict.status == "inconclusive"
    assert "cover the theory at 3 of 3" in verdict.measured


def test_agreement_all_part_none():
    theory = np.ones(10)
    assert v.agreement(theory, theory * 1.02, tolerance=0.03).status == "reproduced"
    mostly = np.r_[np.ones(8) * 1.02, 1.2, 1.2]
    partly = v.agreement(theory, mostly, tolerance=0.03)
    assert partly.status == "partly" and partly.holds == pytest.approx(0.8)
    half = np.r_[np.ones(5) * 1.02, np.ones(5) * 1.2]
    assert v.agreement(theory, half, tolerance=0.03).status == "not reproduced"
    assert v.agreement(theory, theory * 1.5, tolerance=0.03).status == "not reproduced"


def test_agreement_text_mentions_bars_only_when_given():
    assert "no bars given" in v.agreement([1.0], [1.0], tolerance=0.1).measured
    with_bars = v.agreement([1.0], [1.0], [0.99], [1.01], tolerance=0.1).measured
    assert "95% bars cover the theory at 1 of 1" in with_bars and "no bars" not in with_bars


def test_agreement_of_zeros_and_absolute_gaps():
    assert v.agreement([0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], tolerance=0.01).status == "reproduced"
    assert v.agreement([0.0], [0.5], tolerance=0.1, relative=False).status == "not reproduced"
    assert v.agreement([0.0], [0.05], tolerance=0.1, relative=False).status == "reproduced"


def test_agreement_fragility():
    # gaps of 2%: inside 3% and 6%, outside 1.5%
    verdict = v.agreement(np.ones(3), np.ones(3) * 1.02, tolerance=0.03)
    assert (verdict.status, verdict.at_half, verdict.at_double) == ("reproduced", "not reproduced", "reproduced")
    assert verdict.fragile


def test_tally_of_point_statuses():
    assert tallies.tally(["reproduced"] * 3) == ("reproduced", 1.0)
    assert tallies.tally(["reproduced", "reproduced", "not reproduced"])[0] == "partly"
    # a claim that fails at least as often as it holds is not reproduced
    assert tallies.tally(["reproduced", "not reproduced"])[0] == "not reproduced"
    assert tallies.tally(["reproduced", "inconclusive"])[0] == "partly"
    assert tallies.tally(["inconclusive", "inconclusive"])[0] == "inconclusive"
    with pytest.raises(ValueError):
        tallies.tally([])


def test_over_range_names_where_the_claim_holds():
    assert v.over_range([True, True], [1, 2]).status == "reproduced"
    partly = v.over_range([True, False, True], [0.0, 0.5, 1.0], unit="sigma = ")
    assert partly.status == "partly" and "fails at sigma = 0.5" in partly.measured and "(2 of 3" in partly.measured
    assert v.over_range([False, False], [1, 2]).status == "not reproduced"
    mixed = v.over_range(["reproduced", "reproduced", "inconclusive", "not reproduced"], [1, 2, 3, 4])
    assert mixed.status == "partly" and "inconclusive at 3" in mixed.measured and "fails at 4" in mixed.measured
    assert v.over_range(["inconclusive", "inconclusive"], [1, 2]).status == "inconclusive"
    assert v.over_range(np.array([True, True]), [1, 2]).status == "reproduced"
    with pytest.raises(ValueError, match="statuses"):
        v.over_range(["partly"], [1])


def test_over_range_of_verdicts_keeps_inconclusive_points_and_fragility():
    points = [v.comparison(NOISE + 1.5), v.comparison(NOISE + 0.5), v.comparison(NOISE + 2.0)]
    verdict = v.over_range(points, [1, 2, 3])
    assert verdict.status == "partly" and "inconclusive at 2" in verdict.measured and "fails" not in verdict.measured
    assert verdict.rule == "over range of comparison"
    equalities = [v.equality(NOISE, 1.0), v.equality(NOISE / 10, 1.0)]
    ranged = v.over_range(equalities, [1, 2])
    assert ranged.tolerance == 1.0 and ranged.at_half == "partly" and ranged.fragile


def test_exists_of_point_statuses():
    assert tallies.exists(["not reproduced", "reproduced", "inconclusive"]) == ("reproduced", 1 / 3)
    assert tallies.exists(["not reproduced"] * 2)[0] == "not reproduced"
    # one undecided point may still hold
    assert tallies.exists(["not reproduced", "inconclusive"])[0] == "inconclusive"
    with pytest.raises(ValueError):
        tallies.exists([])


@pytest.mark.parametrize("shifts, status", [((-1.5, 1.5, 0.5), "reproduced"), ((-1.5, 0.5), "inconclusive"),
                                            ((-1.5, -2.0), "not reproduced")])
def test_at_some_point_holds_where_one_point_holds(shifts, status):
    verdict = v.at_some_point([v.comparison(NOISE + shift) for shift in shifts], range(len(shifts)), unit="s = ")
    assert verdict.status == status and verdict.rule == "at some point of comparison"
    assert verdict.holds == sum(shift > 1 for shift in shifts) / len(shifts)
    assert f"({int(verdict.holds * len(shifts))} of {len(shifts)} points hold)" in verdict.measured


def test_at_some_point_combines_the_shifted_statuses_the_same_way():
    # NOISE's t interval is +-0.98: NOISE / 10 + 0.3 lies inside every margin; NOISE + 2.5 ([1.52, 3.48]) outside
    # margins 1 and 0.5 and across 2; NOISE / 1.5 (+-0.65) inside 1 and 2, across 0.5
    equalities = [v.equality(NOISE / 10 + 0.3, 1.0), v.equality(NOISE + 2.5, 1.0), v.equality(NOISE / 1.5, 1.0)]
    assert [point.at_half for point in equalities] == ["reproduced", "not reproduced", "inconclusive"]
    assert [point.at_double for point in equalities] == ["reproduced", "inconclusive", "reproduced"]
    some = v.at_some_point(equalities, [1, 2, 3])
    every = v.over_range(equalities, [1, 2, 3])
    assert (some.status, some.at_half, some.at_double, some.fragile) == ("reproduced", "reproduced", "reproduced",
                                                                         False)
    assert (every.status, every.at_half, every.at_double) == ("partly", "not reproduced", "partly")
    failing = v.at_some_point([v.equality(NOISE + 2.5, 1.0), v.equality(NOISE + 6.0, 1.0)], [1, 2])
    assert (failing.status, failing.at_half, failing.at_double) == ("not reproduced", "not reproduced",
                                                                    "inconclusive")
    assert failing.fragile and failing.tolerance == 1.0


def test_spans_compress_runs_of_integers():
    assert tallies.spans([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert tallies.spans([0.5, 1.0]) == "0.5, 1.0"
    assert tallies.spans([]) == "none"


def test_deterministic_against_its_threshold_and_band():
    assert v.deterministic(1.0, 2.0, band=0).status == "reproduced"
    assert v.deterministic(3.0, 2.0, band=0).status == "not reproduced"
    assert v.deterministic(3.0, 2.0, band=0, claim_holds_when="above").status == "reproduced"
    # within the theory's own error band of the threshold: inconclusive
    inside = v.deterministic(1.01, 1.0, band=0.02, claim_holds_when="above")
    assert inside.status == "inconclusive" and inside.tolerance == 0.02 and inside.rule == "theory"
    assert inside.at_half == "reproduced" and inside.fragile
    assert v.deterministic(1.05, 1.0, band=0.02, claim_holds_when="above").status == "reproduced"
    assert v.deterministic(0.95, 1.0, band=0.02, claim_holds_when="above").status == "not reproduced"
    assert v.deterministic(np.nan, 1.0, band=0).status == "inconclusive"
    with pytest.raises(ValueError):
        v.deterministic(1.0, 1.0, band=0, claim_holds_when="near")


def steps(*kinds):
    """Made-up consecutive-width comparisons: 'f' a significant fall, 'r' a rise, 'u' unclear."""
    shift = {"f": 2.0, "r": -2.0, "u": 0.0}
    return [v.comparison(NOISE + shift[kind]) for kind in kinds]


@pytest.mark.parametrize("kinds, status", [
    ("frf", "reproduced"), ("rf", "reproduced"), ("ffrff", "reproduced"),
    ("fff", "not reproduced"),        # only falls
    ("rrr", "not reproduced"),        # only rises: no double descent either
    ("ffr", "not reproduced"),        # rises only after its last fall
    ("fuf", "inconclusive"),          # the unclear step may hide a rise
    ("ru", "inconclusive"),           # the unclear step may be the fall
    ("uu", "inconclusive"),
    ("ffu", "not reproduced"),        # nothing can rise and then fall
])
def test_double_descent_both_ways(kinds, status):
    widths = list(range(len(kinds) + 1))
    verdict = v.double_descent(steps(*kinds), widths)
    assert verdict.status == status and verdict.rule == "double descent"
    flipped = {"reproduced": "not reproduced", "not reproduced": "reproduced", "inconclusive": "inconclusive"}
    assert v.double_descent(steps(*kinds), widths, present=False).status == flipped[status]


def test_double_descent_reports_runs_of_steps():
    verdict = v.double_descent(steps("f", "f", "f", "r", "u", "u", "f"), [1, 2, 3, 4, 6, 8, 11, 15])
    assert verdict.measured == "1->4: fall (3 steps), 4->6: rise, 6->11: unclear (2 steps), 11->15: fall"
    assert v.step_runs([1, 2], ["rise"]) == "1->2: rise" and v.step_runs([1], []) == ""


def test_double_descent_needs_one_step_per_pair():
    with pytest.raises(ValueError, match="one step per pair"):
        v.double_descent(steps("f"), [1, 2, 3])


def test_inconclusive_with_a_reason():
    verdict = v.inconclusive("only one width above the target")
    assert verdict.status == "inconclusive" and verdict.rule == "none"


def test_a_verdict_has_one_of_the_four_statuses():
    with pytest.raises(ValueError, match="status"):
        v.Verdict("fails", "x")


def test_grouped_pools_draws_inside_a_group():
    assert list(stats.grouped([1.0, 3.0, 10.0, 20.0], ["b", "b", "a", "a"])) == [2.0, 15.0]


def test_small_number_prints_round_off_as_a_bound():
    assert v.small_number(6.3e-31) == "below 1e-12"
    assert v.small_number(2.5e-3) == "2.5e-03"


@pytest.fixture
def declared(monkeypatch):
    monkeypatch.setitem(claim_table.DECLARED, "test-sign", claim_table.Declared("comparison", None, "a test"))
    monkeypatch.setitem(claim_table.DECLARED, "test-equal", claim_table.Declared("equality", 0.5, "a test"))


def test_claims_file_follows_the_schema(tmp_path, declared):
    rows = [claim("test-sign", "Fig. 1", "A beats B", v.comparison(NOISE + 2)),
            claim("test-sign", "new", "ours", v.comparison([1.0]), origin="beyond", scale="reduced", variant="b"),
            claim("test-equal", "Lemma 1", "an identity", v.equality(NOISE / 10, 0.5), kind="check")]
    table = write_claims(rows, tmp_path, "00-test")
    assert list(table.columns) == CLAIM_COLUMNS
    written = pd.read_csv(tmp_path / "claims.csv")
    assert list(written.status) == ["reproduced", "inconclusive", "reproduced"]
    assert list(written.id) == ["test-sign", "test-sign-b", "test-equal"]
    assert list(written.kind) == ["claim", "claim", "check"]
    assert written.commit.nunique() == 1 and written.commit.iloc[0]


def test_claim_refuses_what_was_not_declared(tmp_path, declared):
    with pytest.raises(TypeError, match="overparam.book.verdicts"):
        claim("test-sign", "Fig. 1", "A beats B", "reproduced")
    with pytest.raises(KeyError, match="not declared"):
        claim("nobody-declared-this", "Fig. 1", "A beats B", v.comparison(NOISE))
    # another rule, or another tolerance, than the declared one
    with pytest.raises(ValueError, match="declared with rule"):
        claim("test-sign", "Fig. 1", "A equals B", v.equality(NOISE, 0.5))
    with pytest.raises(ValueError, match="declared with rule"):
        claim("test-equal", "Fig. 1", "A equals B", v.equality(NOISE, 0.25))
    with pytest.raises(ValueError, match="origin"):
        claim("test-sign", "x", "y", v.comparison([1.0]), origin="new")
    with pytest.raises(ValueError, match="kind"):
        claim("test-sign", "x", "y", v.comparison([1.0]), kind="identity")
    with pytest.raises(ValueError, match="scale"):
        claim("test-sign", "x", "y", v.comparison([1.0]), scale="paper")
    twice = [claim("test-sign", "x", "y", v.comparison([1.0]))] * 2
    with pytest.raises(ValueError, match="unique"):
        write_claims(twice, tmp_path, "00-test")


def test_every_declaration_names_a_rule_and_a_reason():
    rules = {"comparison", "equality", "non-inferiority", "agreement", "theory", "double descent", "none",
             "over range", "at some point"} | {f"{combined} of {rule}" for combined in ("over range", "at some point")
                                               for rule in ("comparison", "equality", "non-inferiority", "agreement",
                                                            "theory")}
    for key, declaration in claim_table.DECLARED.items():
        assert declaration.rule in rules, key
        assert len(declaration.reason) > 10, key
        assert declaration.tolerance is None or declaration.tolerance >= 0, key


def test_claims_html_puts_the_status_first_with_a_symbol(tmp_path, declared):
    rows = [claim("test-sign", "Fig. 1", "A | B beats C", v.comparison(NOISE + 2)),
            claim("test-equal", "Fig. 1", "A equals B", v.equality(NOISE * 0.5, 0.5), origin="paper-extended")]
    table = write_claims(rows, tmp_path, "00-test")
    page = claims_html(table)
    assert page.index("reproduced") < page.index("A | B beats C")
    assert "✔" in page and "paper-extended" in page and "fragile" in page
    assert repr(ClaimsView(table)).splitlines()[0] == "[reproduced] A | B beats C"


def test_a_partial_share_never_reads_as_all_or_none():
    assert share(395 / 396) == "99.7%" and share(0.5) == "50%" and share(1.0) == "100%" and share(0.0) == "0%"
    assert share(1 / 3000) == "under 0.1%" and share(1 - 1 / 3000) == "over 99.9%"
