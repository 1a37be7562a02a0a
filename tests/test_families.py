"""Chapter 1's comparison across the problem families (overparam.experiments.families and the scope
parts of overparam.reports.linear_gaussian), at a small size."""
import numpy as np

from overparam.experiments.families import FAMILIES, family_problems, family_simulation, family_theory
from overparam.experiments.linear import k_grid
from overparam.reports.linear_gaussian import scope_claims, scope_numbers, scope_table

P, N, S = 200, 60, 20


def small_run(trials=6):
    problems = family_problems(P, S, 10.0, 0.5, seed=1)
    ks = k_grid(P, N, S)
    theories = {family: family_theory(problem, N, S, ks) for family, problem in problems.items()}
    draws = {family: family_simulation(problem, N, S, theories[family]["small_k"], trials, seed=(2, j))
             for j, (family, problem) in enumerate(problems.items())}
    return theories, draws


def test_every_family_is_run_and_the_paper_problem_comes_first():
    theories, draws = small_run()
    assert list(theories) == list(FAMILIES) and FAMILIES[0] == ("constant", "aligned")
    assert all(len(values) == 6 for family in draws.values() for values in family.values())


def test_inverted_alignment_moves_the_best_pruned_model_to_the_small_size():
    """The theory's best Hessian-pruned model is overparameterized on the paper's problem and at
    k <= n once the salient features have the low variance."""
    theories, _ = small_run()
    assert theories[("constant", "aligned")]["best_k"] > N
    assert theories[("constant", "inverted")]["best_k"] <= N


def test_the_scope_claims_and_table_follow_the_draws():
    theories, draws = small_run()
    table = scope_table(theories, draws, N)
    assert len(table) == len(FAMILIES) and table.pruned_beats_small.str.match(r"^(reproduced|not reproduced|inconclusive):").all()
    claims = {row["id"]: row for row in scope_claims(draws)}
    assert set(claims) == {"lg-scope-pruned-beats-small", "lg-scope-hessian-beats-magnitude"}
    assert claims["lg-scope-pruned-beats-small"]["origin"] == "paper-extended"
    # the same draws with the pruned model made worse by a constant: the claim must fail everywhere
    worse = {family: {**values, "hessian": values["small"] + 1.0} for family, values in draws.items()}
    assert {row["status"] for row in scope_claims(worse)} >= {"not reproduced"}
    numbers = scope_numbers(theories, N)
    assert numbers["lg-scope-families"] == 8 and 0 <= numbers["lg-scope-overparameterized-best"] <= 8
    assert np.isfinite(table.hessian_at_p).all()
