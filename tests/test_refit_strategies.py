"""Chapter 12's experiment and report: the structured sampler, the sweeps, the crossing and break-even
read-outs, the claims and the quoted numbers (overparam.experiments.correlated_refits,
overparam.reports.correlated_refits)."""
import numpy as np
import pandas as pd
import pytest

from overparam.book.claim_table import DECLARED, declared
from overparam.experiments.correlated_refits import (COLUMNS, REPLICATE_STREAMS, CorrelatedFeatures, feature_families, high_variance_share,
                                                     high_variance_shares, key, lemma1_limit, simulation_sweep,
                                                     theory_at, theory_sweep, tidy, zero_risk)
from overparam.reports.correlated_refits import (agreement_points, agreement_states, agreement_summary, crossing,
                                                 distillation_break_even, quoted_numbers, simulated_bracket,
                                                 split_against_fresh, summary, theory_ordered)
from overparam.reports.correlated_refits_claims import (ORDER_CLAIMS, Replicate, judge_sides, locate_sign_change,
                                                       refit_claims, replication_numbers, replication_points,
                                                       replication_table, sign_change)
from overparam.book.verdicts import STATUSES, comparison


@pytest.mark.parametrize("group", [None, 3])
def test_sampler_has_the_problem_covariance(group):
    features = CorrelatedFeatures(12, 3, 10.0, 0.5, 0.4, group)
    X, y = features.sample(200_000, np.random.default_rng(0))
    np.testing.assert_allclose(X.T @ X / len(X), features.problem.cov, atol=0.05 * features.problem.cov.max())
    residual = y - X @ features.problem.theta_star
    assert residual.std() == pytest.approx(0.5, rel=0.01)


def _theory_table(rhos, refit, pruned):
    rows = [("equicorrelated", "magnitude+retrain", "theory", r, np.nan, np.nan, a, np.nan, np.nan)
            for r, a in zip(rhos, refit)]
    rows += [("equicorrelated", "magnitude", "theory", r, np.nan, np.nan, b, np.nan, np.nan) for r, b in zip(rhos, pruned)]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_crossing_interpolates_in_log_rho():
    table = _theory_table([0.0, 0.01, 0.1], [3.0, 2.0, 1.0], [1.0, 1.5, 3.0])
    star = crossing(table, "equicorrelated", "magnitude+retrain", "magnitude")
    # gap +0.5 at 0.01, -2 at 0.1: a fifth of the way in log rho
    assert star == pytest.approx(np.exp(np.log(0.01) + 0.2 * np.log(10)))
    assert np.isnan(crossing(_theory_table([0.0, 0.1], [3.0, 2.0], [1.0, 1.0]), "equicorrelated",
                             "magnitude+retrain", "magnitude"))
    assert theory_at(table, "equicorrelated", "magnitude", 0.01) == 1.5


@pytest.fixture(scope="module")
def small_run():
    """Both sweeps at smoke size: p = 60, n = 30, s = 6, three rhos, 4 draws."""
    p, n, s, rhos = 60, 30, 6, [0.0, 0.05, 0.9]
    families = {"equicorrelated": lambda rho: CorrelatedFeatures(p, s, 10.0, 0.5, rho),
                "block": lambda rho: CorrelatedFeatures(p, s, 10.0, 0.5, rho, 3)}
    theory = theory_sweep(families, rhos, n, s, [0.2, 0.4], [10, 20, np.inf], 50, 0, progress=False)
    simulated = simulation_sweep(families, rhos, n, s, [0.2, 0.4], [10, 20, np.inf], 4, 0, progress=False)
    replicates = [Replicate(simulation_sweep(families, rhos, n, s, [], [20], 3, 0, False, REPLICATE_STREAMS[0]), 20,
                            "3 independent draws"),
                  Replicate(simulation_sweep({"equicorrelated": lambda rho: CorrelatedFeatures(40, 4, 10.0, 0.5, rho),
                                              "block": lambda rho: CorrelatedFeatures(40, 4, 10.0, 0.5, rho, 2)},
                                             rhos, 20, 4, [], [13], 3, 0, False, REPLICATE_STREAMS[1]), 13,
                            "3 draws at p = 40", "-second-size")]
    return dict(p=p, n=n, s=s, rhos=rhos, theory=theory, simulated=simulated, replicates=replicates)


def test_sweeps_are_tidy_and_reproducible(small_run):
    table = pd.concat([small_run["theory"], tidy(small_run["simulated"], "simulation")])
    assert list(table.columns) == COLUMNS
    assert table.ci_low[table.source == "theory"].isna().all()
    assert (table.ci_low[table.source == "simulation"] <= table.risk[table.source == "simulation"]).all()
    distilled = table[table.curve == "magnitude+distill"]
    assert distilled.m.notna().all() and distilled.split.isna().all() and np.isinf(distilled.m).any()
    again = simulation_sweep({"block": lambda rho: CorrelatedFeatures(60, 6, 10.0, 0.5, rho, 3)}, [0.05], 30, 6,
                             [0.2, 0.4], [10, 20, np.inf], 4, 0, progress=False)
    np.testing.assert_array_equal(again[("block", 0.05)][key("magnitude+split", 0.2)],
                                  small_run["simulated"][("block", 0.05)][key("magnitude+split", 0.2)])


def test_read_outs(small_run):
    theory, simulated, rhos = small_run["theory"], small_run["simulated"], small_run["rhos"]
    points = agreement_points(theory, simulated)
    assert len(points) == 2 * len(rhos) * (1 + 2 * (1 + 1 + 3) + 2)  # dense; per rule: pruned, fresh, 3 m; 2 splits (magnitude)
    table = summary(theory, simulated, lambda rho: CorrelatedFeatures(60, 6, 10.0, 0.5, rho, 3), "block", rhos,
                    [0.2, 0.4], 20)
    assert list(table.index) == rhos and table["split f"].isin([0.2, 0.4]).all()
    assert (table["distill m=inf"] < 1).all()  # relative to the zero model's risk
    m_star = distillation_break_even(theory, "equicorrelated", 0.9, small_run["s"], 20)
    if np.isfinite(m_star):  # the break-even m makes the theory of distillation equal to retraining
        limit = theory_at(theory, "equicorrelated", "magnitude+distill", 0.9, m=np.inf)
        finite = theory_at(theory, "equicorrelated", "magnitude+distill", 0.9, m=20.0)
        variance = (finite - limit) * (20 - small_run["s"] - 1)
        assert limit + variance / (m_star - small_run["s"] - 1) == pytest.approx(
            theory_at(theory, "equicorrelated", "magnitude+retrain", 0.9))
    ratio = split_against_fresh(theory, "block", rhos, [0.2, 0.4])
    assert list(ratio.index) == rhos and (ratio > 0).all()
    best = table["split f"].iloc[-1]  # the summary's split is at the same best fraction
    assert ratio.iloc[-1] == pytest.approx(theory_at(theory, "block", "magnitude+split", rhos[-1], best)
                                           / theory_at(theory, "block", "magnitude+retrain", rhos[-1]))
    low, high = simulated_bracket(simulated, "equicorrelated", rhos, key("magnitude+retrain"), key("magnitude"))
    assert np.isnan(high) or high in rhos


def test_claims_come_from_the_rules(small_run):
    limit = lemma1_limit(small_run["p"], small_run["s"], 10.0, 0.5, small_run["n"], [0.99, 0.9999], 50, 0)
    assert limit.rho.iloc[-1] == "1 (Lemma 1)" and limit["retrained bias"].iloc[-1] == 0
    assert limit["high-variance kept"].iloc[-1] == 1.0
    rows = refit_claims(small_run["theory"], small_run["simulated"], limit, small_run["rhos"], [0.2, 0.4],
                        small_run["n"], small_run["replicates"])
    assert len(rows) == 1 + 4 + 2 * (1 + 2 * len(ORDER_CLAIMS)) + 1 + 2  # each order claim judged on 2 replicates
    assert {row["status"] for row in rows} <= set(STATUSES)
    assert all(row["origin"] == "beyond" for row in rows)
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids) and "refit-retrain-beats-pruning-block-hessian" in ids
    for row in rows:  # every claim under its declared rule and tolerance
        stem = max((k for k in DECLARED if row["id"] == k or row["id"].startswith(k + "-")), key=len)
        assert row["rule"] == declared(stem).rule and row["tolerance"] == declared(stem).tolerance
    assert rows[-3]["kind"] == "check" and rows[-3]["status"] == "reproduced"  # distilling on X is same-sample
    assert rows[-2]["status"] == "reproduced"  # with noise, the dense fit does not tend to Lemma 1
    assert rows[-1]["status"] == "reproduced"  # the retrained bias shrinks like 1 - rho
    table = replication_table(pd.DataFrame(rows), small_run["replicates"])
    assert table.shape == (2 * len(ORDER_CLAIMS), 2) and table.notna().all().all()
    points = replication_points(small_run["simulated"], 20, ["equicorrelated", "block"], small_run["rhos"],
                                small_run["replicates"])
    assert len(points) == 2 * len(ORDER_CLAIMS) * 2 * len(small_run["rhos"])
    assert (points.status.isna() == points.side.isna()).all()  # a point left out is not judged
    numbers = replication_numbers(table, points, small_run["replicates"])
    assert sum(numbers[f"replicated-second-{state}"] for state in ("reproduced", "partly", "not-reproduced",
                                                                   "inconclusive")) == numbers["replicated-claims"]
    assert sum(numbers[f"replicated-same-points-{word}"] for word in ("hold", "fail", "unclear")) == numbers[
        "replicated-points"]
    without = refit_claims(small_run["theory"], small_run["simulated"], limit, small_run["rhos"], [0.2, 0.4],
                           small_run["n"])
    assert len(without) == len(rows) - 2 * 2 * len(ORDER_CLAIMS)  # no independent draws, no order claims


def test_lemma_claim_can_fail_without_noise(small_run):
    """With sigma = 0 the dense fit does tend to Lemma 1 (excess 0): the claim that it does not must fail."""
    limit = lemma1_limit(small_run["p"], small_run["s"], 10.0, 0.0, small_run["n"], [0.99, 0.999999], 50, 0)
    rows = refit_claims(small_run["theory"], small_run["simulated"], limit, small_run["rhos"], [0.2, 0.4],
                        small_run["n"])
    assert rows[-2]["status"] == "not reproduced"


def test_small_first_stage_keeps_more_high_variance_features():
    """The chapter's explanation of lopsided splits: a min-norm fit of few samples shrinks low-variance
    weights more, so magnitude pruning keeps more high-variance features (rho = 0, Fig. 3(b) problem)."""
    problem = CorrelatedFeatures(400, 40, 10.0, 0.5, 0.0).problem
    assert high_variance_share(problem, 12, 40, 200, 0) > high_variance_share(problem, 120, 40, 200, 0) + 0.1


def test_theory_order_is_inconclusive_inside_the_band():
    """Simulation finds a below b; the point holds where the theory agrees, fails where the theory says the
    opposite, and is inconclusive where the theory's own gap is within the band."""
    simulated = comparison(np.array([1.0, 1.1, 0.9, 1.0]), np.zeros(4))  # b - a > 0: a below b
    assert simulated.status == "reproduced"
    assert theory_ordered(simulated, 1.0, 2.0, 0.06).status == "reproduced"
    assert theory_ordered(simulated, 2.0, 1.0, 0.06).status == "not reproduced"
    near = theory_ordered(simulated, 1.0, 1.04, 0.06)  # a 4% theory gap inside a 6% band
    assert near.status == "inconclusive" and near.at_half == "reproduced" and near.tolerance == 0.06
    unclear = comparison(np.array([1.0, -1.0, 0.5, -0.5]))
    assert theory_ordered(unclear, 1.0, 2.0, 0.06).status == "inconclusive"


def test_agreement_states_judge_each_point(small_run):
    points = agreement_points(small_run["theory"], small_run["simulated"])
    states = agreement_states(points, 0.03)
    assert len(states) == len(points) and set(states) <= set(STATUSES)
    exact = points.assign(simulation=points.theory, ci_low=points.theory * 0.99, ci_high=points.theory * 1.01)
    assert (agreement_states(exact, 0.03) == "reproduced").all()
    assert (agreement_states(exact.assign(ci_low=exact.theory * 1.2, ci_high=exact.theory * 1.3), 0.03)
            == "not reproduced").all()


def test_agreement_summary_and_quoted_numbers(small_run):
    theory, simulated, rhos, n, s = (small_run[k] for k in ("theory", "simulated", "rhos", "n", "s"))
    points = agreement_points(theory, simulated)
    found = agreement_summary(points, 0.03)
    assert found["states"].sum() == len(points) and found["worst"] >= found["median"] >= 0
    families = {"equicorrelated": lambda rho: CorrelatedFeatures(60, s, 10.0, 0.5, rho),
                "block": lambda rho: CorrelatedFeatures(60, s, 10.0, 0.5, rho, 3)}
    shares = high_variance_shares(families["equicorrelated"](0.0).problem, n, s, [0.2, 0.4], 50, 0)
    assert list(shares) == [6, 30]
    limit = lemma1_limit(60, s, 10.0, 0.5, n, [0.99, 0.9999], 50, 0)
    noiseless = lemma1_limit(60, s, 10.0, 0.0, n, [0.9999], 50, 0)
    numbers = quoted_numbers(theory, simulated, families, shares, limit, noiseless, n=n, s=s, sigma=0.5, group=3,
                             trials=4, rhos=rhos, split_fractions=[0.2, 0.4], unlabeled=[10, 20])
    assert numbers["m-near-n"] == 20 and numbers["share-small-n"] == 6 and numbers["refit-points"] == len(points)
    assert sum(numbers[f"refit-points-{name}"] for name in ("agree", "disagree", "unclear")) == len(points)
    assert {"bracket-equi-same-low", "bracket-block-high", "rho-star-equi-hessian", "split-fresh-unclear-block",
            "limit-lemma-pruned", "distill-gain-max"} <= set(numbers)
    assert numbers["limit-variance"] == pytest.approx(0.25 * s / (n - s - 1))


def _verdicts(statuses):
    """Paired Verdicts of "a beats b" with the given statuses (intervals above, below or across 0)."""
    draws = {"reproduced": [1.0, 1.1, 0.9], "not reproduced": [-1.0, -1.1, -0.9], "inconclusive": [1.0, -1.0, 0.1]}
    return [comparison(np.array(draws[state])) for state in statuses]


def test_sign_change_states_the_run_and_can_fail():
    rhos = [0.0, 0.1, 0.2, 0.3, 0.4]
    R, N, I = "reproduced", "not reproduced", "inconclusive"
    verdict, text = sign_change(_verdicts([N, N, I, R, R]), rhos, "A", "B")
    assert verdict.status == "reproduced" and "B beats A up to rho = 0.1" in text and "0.3" in text
    assert "0.2" not in verdict.measured  # the point between the bracket is left out
    verdict, text = sign_change(_verdicts([R, N, I, R, R]), rhos, "A", "B")  # the sign changes back
    assert verdict.status == "reproduced" and "B beats A at rho = 0.1" in text and "2 times" in text
    assert "0.2" not in verdict.measured
    verdict, text = sign_change(_verdicts([N, I, N, R, I]), rhos, "A", "B")  # inconclusive inside a run
    assert verdict.status == "partly" and "between 0.2 and 0.3" in text
    verdict, text = sign_change(_verdicts([N, N, I, N, N]), rhos, "A", "B")  # no change: B everywhere
    assert verdict.status == "partly" and text == "B beats A at every simulated rho"


def test_located_statement_is_judged_on_other_draws_and_can_fail():
    """The bracket located on one run is a prediction for another: it fails where the other run finds
    the opposite side, and the points left out in the locating run do not count in the judging one."""
    rhos = [0.0, 0.1, 0.2, 0.3, 0.4]
    R, N, I = "reproduced", "not reproduced", "inconclusive"
    sides, text = locate_sign_change(_verdicts([N, N, I, R, R]), rhos, "A", "B")
    assert sides == [N, N, None, R, R] and "between 0.1 and 0.3" in text
    assert judge_sides(_verdicts([N, N, R, R, R]), sides, rhos).status == "reproduced"  # 0.2 left out
    assert judge_sides(_verdicts([N, N, N, N, R]), sides, rhos).status == "partly"  # the crossing moved right
    assert judge_sides(_verdicts([R, R, I, N, N]), sides, rhos).status == "not reproduced"  # the order flipped
    assert judge_sides(_verdicts([N, I, I, I, R]), sides, rhos).status == "partly"
    sides, text = locate_sign_change(_verdicts([I, I, I, I, I]), rhos, "A", "B")  # nothing located
    assert sides == [None] * 5 and judge_sides(_verdicts([R] * 5), sides, rhos).status == "inconclusive"


def test_families_at_a_size():
    built = feature_families(60, 6, 10.0, 0.5, 3, 0)
    assert set(built) == {"equicorrelated", "block", "random-sign"}
    assert built["block"](0.2) == CorrelatedFeatures(60, 6, 10.0, 0.5, 0.2, 3)
    assert built["random-sign"](0.2).law == "random-sign"


def test_random_sign_family_keeps_the_signal_variance():
    """Random signs remove the alignment with the common factor: L(0) stays of order one as rho grows,
    where the aligned theta* makes it grow with rho sum d_i; |theta*_i| and Sigma are the same."""
    aligned = [zero_risk(CorrelatedFeatures(200, 20, 10.0, 0.5, rho)) for rho in (0.0, 0.9)]
    signs = [CorrelatedFeatures(200, 20, 10.0, 0.5, rho, law="random-sign") for rho in (0.0, 0.9)]
    assert aligned[1] > 50 * aligned[0]
    assert zero_risk(signs[1]) < 3 * zero_risk(signs[0]) and zero_risk(signs[0]) == pytest.approx(aligned[0])
    np.testing.assert_array_equal(np.abs(signs[1].problem.theta_star), CorrelatedFeatures(200, 20, 10.0, 0.5, 0.9).problem.theta_star)
    np.testing.assert_array_equal(signs[0].problem.theta_star, signs[1].problem.theta_star)
    np.testing.assert_allclose(signs[1].problem.spectrum[0], np.linalg.eigvalsh(signs[1].problem.cov_matrix))


def test_the_curves_of_the_rho_figure_have_distinct_styles():
    """Every curve drawn in the figure over rho (both pruning rules, one legend) has its own colour or
    marker, so that no two legend entries look alike (the two distilled curves once shared one green)."""
    from overparam.book.curves import style_of
    from overparam.reports.correlated_refits import RHO_CURVES
    from overparam.theory.refit import RULES

    names = sorted({curve.format(rule=rule) for rule in RULES for curve in RHO_CURVES})
    looks = {name: (style_of(name)["color"], style_of(name)["marker"], style_of(name).get("hollow", False))
             for name in names}
    assert len(set(looks.values())) == len(looks), looks
