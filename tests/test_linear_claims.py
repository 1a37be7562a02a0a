"""Chapter 1's claims (overparam.reports.linear_gaussian, on runs of overparam.experiments.linear) on a
tiny problem: ids, origins, distinct points, the theory's retraining window, claims that fail when
the data say otherwise, the numbers the prose quotes, the screened small model (marginal screening,
then least squares) against the oracle one, and the figures' width and fonts."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from overparam.book.curve_names import SAME_SAMPLE
from overparam.book.style import COLUMN_INCHES, SMALL_FONT_SIZE, use_book_style
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
    distinct = report.distinct_points(points, S)
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


def test_screening_orders_by_the_marginal_covariance_with_ties_by_index():
    X = np.array([[1.0, -5.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(linear.screening_order(X, np.array([1.0, 3.0])), [1, 2, 3, 0])


def test_with_a_huge_spike_the_screen_finds_the_salient_features_and_is_the_oracle_small_model():
    """Panel (b) with spike 1e4: |X_j^T y| of a salient feature is about n spike / sqrt(p), two orders
    above the others', so the screened small model on s features is the model on the first s (the
    oracle small model) on every draw; on the same draws (same seed) the two risks are equal."""
    problem = fig3_problem("b", P, S, 1e4, 0.5)
    ks = linear.k_grid(P, N, S, num_log=8)
    small = report.small_sizes(ks, N, S)
    screened = linear.simulate_screened(problem, N, small, TRIALS, seed=3)
    oracle = linear.simulate_curves(problem, N, S, ks, TRIALS, seed=3, progress=False, compressors=["dense"])["dense"]
    np.testing.assert_allclose(screened[:, small.index(S)], oracle[:, list(ks).index(S)], rtol=1e-9)


def test_the_screened_small_model_is_not_the_oracle_one_when_the_screen_is_noisy(run):
    """At spike 10 and n = 20 the screen picks some wrong features: on the same draws, the screened model
    on s features has a different (here higher) mean risk than the model on the s salient ones."""
    ks, _, simulation, _, _ = run
    problem = fig3_problem("a", P, S, 10.0, 0.5)
    small = report.small_sizes(ks, N, S)
    screened = linear.simulate_screened(problem, N, small, TRIALS, seed=(0, 0))
    oracle = simulation["a"]["dense"][:, list(ks).index(S)]
    assert screened[:, small.index(S)].mean() > oracle.mean()


def test_small_sizes_stop_below_the_peak_and_keep_the_budget():
    assert report.small_sizes([1, 5, 18, 22, 30, 60], 20, 5) == [1, 5, 18]
    assert report.small_sizes([1, 5, 18, 22, 30, 60], 20, 30) == [1, 5, 18, 30]


def test_best_pruned_size_is_the_theory_argmin_among_the_simulated_sizes():
    theory = {"hessian": np.array([3.0, 1.0, 2.0, 0.5])}
    assert report.best_pruned_size(theory, [1, 2, 3, 4], [1, 3, 4]) == 4
    assert report.best_pruned_size(theory, [1, 2, 3, 4], [1, 2, 3]) == 2


def test_best_screened_size_is_the_lowest_simulated_mean_within_the_budget():
    screened = np.array([[3.0, 2.0, 1.0, 0.5], [3.0, 2.2, 1.0, 0.5]])
    assert report.best_screened_size(screened, [1, 2, 4, 9], 4) == 4
    assert report.best_screened_size(screened, [1, 2, 4, 9], 3) == 2  # k = 4 and k = 9 exceed the budget


def _screened_against(simulation, best, ks, small, shift):
    """A screened model whose risk is the (pruned or oracle) model's plus ``shift`` at every size, and 5 more at
    the sizes other than the first k <= S: its best size within the budget is then the first."""
    out = {}
    for panel, k in best.items():
        base = simulation[panel]["hessian" if k > S else "dense"][:, list(ks).index(k)]
        out[panel] = np.repeat((base + shift)[:, None], len(small), axis=1) + 5.0 * (np.arange(len(small)) > 0)
    return out


def test_the_screened_claim_is_paired_can_fail_and_names_what_it_compares(run):
    ks, theory, simulation, _, _ = run
    small = report.small_sizes(ks, N, S)
    best = {"a": S, "b": max(ks)}  # (a): the best pruned size is k = s, nothing pruned; (b): it is k = p
    worse, better = (_screened_against(simulation, best, ks, small, shift) for shift in (1.0, -1.0))
    claims = report.screened_claims(simulation, worse, best, ks, small, S)
    assert [c["id"] for c in claims] == ["lg-oracle-beats-screened-small-a", "lg-pruned-beats-screened-small-b"]
    assert {c["origin"] for c in claims} == {"beyond"}
    assert {c["status"] for c in claims} == {"reproduced"}
    assert all(f"best simulated size k = {small[0]} <= s" in c["claim"] for c in claims)
    assert {c["status"] for c in report.screened_claims(simulation, better, best, ks, small, S)} == {"not reproduced"}
    assert report.screened_claims(simulation, worse, best, ks, [k for k in small if k > S], S) == []
    zero = {"a": 0.0, "b": 1e9}
    numbers = report.screened_numbers(simulation, worse, best, ks, small, S, zero)
    assert numbers["lg-screened-best-k"] == small[0]
    assert numbers["lg-screened-at-best"] == pytest.approx(numbers["lg-pruned-at-best"] + 1.0)
    assert numbers["lg-screened-at-s"] == pytest.approx(numbers["lg-screened-at-best"] + 5.0)
    within = [k for k in small if k <= S]  # the extremes and the count are over the sizes within the budget
    assert (numbers["lg-screened-above-zero-a"], numbers["lg-screened-above-zero-b"]) == (len(within), 0)
    assert numbers["lg-screened-sizes"] == len(within) < len(small) and numbers["lg-pruned-best-k-a"] == S
    assert numbers["lg-screened-max-a"] == pytest.approx(numbers["lg-screened-min-a"] + 5.0)  # + 5 but at the first


def test_chapter_one_figures_fit_the_column_with_readable_text(run):
    ks, _, simulation, table, line = run
    use_book_style()
    problems = {panel: fig3_problem(panel, P, S, 10.0, 0.5) for panel in "ab"}
    best = {panel: P for panel in problems}
    small = report.small_sizes(ks, N, S)
    with_screened = pd.concat([table, *(report.screened_rows(panel, small, np.ones((TRIALS, len(small))))
                                        for panel in problems)], ignore_index=True)
    figures = [report.plot_risk_panels(table, problems, {"a": "(a)", "b": "(b)"}, ["dense", "hessian"], line, N, S),
               report.plot_small_models(with_screened, problems, report.pruned_at_best(simulation, best, ks), N, S)]
    for fig in figures:
        assert fig.get_size_inches()[0] <= COLUMN_INCHES
        sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_text()]
        assert min(sizes) >= SMALL_FONT_SIZE
        plt.close(fig)
