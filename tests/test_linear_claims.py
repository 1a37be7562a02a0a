"""Chapter 1's claims (overparam.reports.linear_gaussian, on runs of overparam.experiments.linear) on a
tiny problem: ids, origins, distinct points, the theory's retraining window, claims that fail when
the data say otherwise, and the numbers the prose quotes."""
import numpy as np
import pandas as pd
import pytest

from overparam.book.curves import SAME_SAMPLE
from overparam.experiments import linear
from overparam.reports import linear as tables
from overparam.reports import linear_gaussian as report
from overparam.theory.problems import fig3_problem

P, N, S, TRIALS = 60, 20, 6, 4


@pytest.fixture(scope="module")
def run():
    problems = {panel: fig3_problem(panel, P, S, 10.0, 0.5) for panel in "ab"}
    ks = linear.k_grid(P, N, S, num_log=8)
    theory = {panel: linear.theory_curves(problem, N, S, ks) for panel, problem in problems.items()}
    simulation = {panel: linear.simulate_curves(problem, N, S, ks, TRIALS, seed=(0, j), progress=False)
                  for j, (panel, problem) in enumerate(problems.items())}
    table = pd.concat([tables.tidy_curves(panel, ks, theory[panel], ks, simulation[panel]) for panel in problems],
                      ignore_index=True)
    line = {panel: report.reference_risk(theory[panel], ks, N) for panel in problems}
    return ks, theory, simulation, table, line


def test_claims_have_unique_ids_and_the_paper_statement_beside_the_extension(run):
    ks, theory, simulation, table, line = run
    claims, window = report.fig3_claims(simulation, theory, table, ks, ks, line, N, S, P)
    ids = [c["id"] for c in claims]
    assert len(ids) == len(set(ids))
    by_id = {c["id"]: c for c in claims}
    assert by_id["fig3-b-hessian-beats-magnitude"]["origin"] == "paper"
    assert by_id["fig3-b-hessian-beats-magnitude-every-k"]["origin"] == "paper-extended"
    assert by_id["lg-retraining-theory-predicts-same-sample"]["origin"] == "paper"
    for sample in ("fresh", "same"):
        assert f"fig7-retraining-helps-only-at-peak-a-magnitude-{sample}" in by_id
    assert set(window) == {(panel, method, sample) for panel in "ab" for method in ("magnitude", "hessian")
                           for sample in ("fresh", "same")}


def test_distinct_points_drop_curves_that_coincide_by_construction(run):
    ks, _, _, table, _ = run
    points = tables.agreement_points(table, N)
    distinct = report.distinct_points(points)
    small = distinct[(distinct.k <= S) & ~distinct.curve.str.endswith(SAME_SAMPLE)]
    # at k <= s every pruning rule is the dense fit and both fresh refits are one refit: two points per size
    assert (small.groupby(["panel", "k"]).size() == 2).all()
    assert len(distinct) < len(points)


def test_theory_window_and_its_text(run):
    ks, theory, _, _, _ = run
    window = report.theory_window(theory["b"], ks, S, "magnitude")
    assert (window > S).all()
    helps = theory["b"]["magnitude+retrain"] < theory["b"]["magnitude"]
    np.testing.assert_array_equal(window, np.asarray(ks)[helps & (np.asarray(ks) > S)])
    assert report.window_text([], N) == "nowhere"
    assert report.window_text([10, 30], 20) == "k/n from 0.50 to 1.50"


def test_a_claim_fails_when_the_simulation_says_otherwise(run):
    ks, theory, simulation, table, line = run
    swapped = {panel: dict(curves) for panel, curves in simulation.items()}
    swapped["b"]["hessian"], swapped["b"]["magnitude"] = simulation["b"]["magnitude"] + 1.0, simulation["b"]["hessian"]
    claims, _ = report.fig3_claims(swapped, theory, table, ks, ks, line, N, S, P)
    by_id = {c["id"]: c for c in claims}
    assert by_id["fig3-b-hessian-beats-magnitude"]["status"] == "not reproduced"


def test_window_extents_span_the_panels_and_rules(run):
    ks, theory, simulation, table, line = run
    _, window = report.fig3_claims(simulation, theory, table, ks, ks, line, N, S, P)
    extents = report.window_extents(window, theory, ks, N, S)
    assert set(extents) == {"theory", "fresh", "same"}
    low, high = extents["theory"]
    assert S / N < low <= high <= P / N
    empty = report.window_extents({key: [] for key in window}, theory, ks, N, S)
    assert np.isnan(empty["fresh"][0])


def test_quoted_numbers_gather_the_gap_the_windows_and_the_reference(run):
    ks, theory, simulation, table, line = run
    _, window = report.fig3_claims(simulation, theory, table, ks, ks, line, N, S, P)
    gaps = report.same_sample_gap(table, S)
    numbers = report.quoted_numbers(gaps, window, theory, ks, line, N, S)
    extents = report.window_extents(window, theory, ks, N, S)
    assert list(numbers) == (["lg-same-sample-worst"]
                             + [f"lg-{name}-window-{end}" for name in extents for end in ("low", "high")]
                             + ["lg-hessian-at-p", "lg-reference-b"])
    assert numbers["lg-same-sample-worst"] == gaps.worst.max() and numbers["lg-reference-b"] == line["b"]
    np.testing.assert_equal((numbers["lg-fresh-window-low"], numbers["lg-fresh-window-high"]), extents["fresh"])
