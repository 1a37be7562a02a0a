import numpy as np
import pytest

from overparam.theory import pruning
from overparam.theory.pruning import (DATA_RULES, FIT_RULES, PRUNING, fit_supports, hessian_diagonal,
                                      hessian_support, magnitude_support, oracle_support, random_support, restrict,
                                      score_scale, select_support, top_s, train_prune, train_prune_retrain)
from overparam.theory.solvers import fit_on_support


def test_top_s_breaks_ties_by_lower_index_and_keeps_all_when_s_is_large():
    np.testing.assert_array_equal(top_s([1, 3, 3, 2, 3], 2), [1, 2])
    np.testing.assert_array_equal(top_s([1, 2], 5), [0, 1])


def test_magnitude_uses_absolute_values():
    np.testing.assert_array_equal(magnitude_support(np.array([0.1, -5.0, 2.0, -0.3]), 2), [1, 2])


def test_hessian_weighs_by_column_scale():
    X = np.array([[10.0, 1.0, 1.0], [10.0, 1.0, 1.0]])  # column 0 has variance 100
    theta = np.array([0.2, 1.0, 0.5])
    np.testing.assert_array_equal(magnitude_support(theta, 1), [1])
    np.testing.assert_array_equal(hessian_support(theta, X, 1), [0])  # 0.2 * 10 > 1.0 * 1


def test_oracle_uses_latent_saliency():
    np.testing.assert_array_equal(oracle_support(np.array([1.0, 0.5, 2.0]), np.array([1.0, 9.0, 0.1]), 1), [1])


def test_random_support_has_the_right_size_and_is_reproducible():
    a = random_support(50, 7, np.random.default_rng(0))
    b = random_support(50, 7, np.random.default_rng(0))
    assert len(set(a.tolist())) == 7
    np.testing.assert_array_equal(a, b)


def test_the_registry_says_what_each_rule_needs():
    assert list(PRUNING) == ["magnitude", "hessian", "oracle", "random"]
    assert FIT_RULES == ("magnitude", "hessian") and DATA_RULES == ("magnitude", "hessian", "random")
    assert [name for name, rule in PRUNING.items() if rule.random] == ["random"]
    assert [name for name, rule in PRUNING.items() if rule.oracle] == ["oracle"]
    lam = np.array([0.25, 1.0, 4.0])
    np.testing.assert_array_equal(score_scale("magnitude", lam), [1, 1, 1])
    np.testing.assert_array_equal(score_scale("hessian", lam), [0.5, 1, 2])
    with pytest.raises(ValueError, match="closed-form threshold"):
        score_scale("random", lam)


def test_a_stack_of_fits_is_pruned_row_by_row_as_one_fit_is():
    rng = np.random.default_rng(4)
    thetas, X = rng.standard_normal((5, 12)), rng.standard_normal((8, 12))
    curvature = np.einsum("ij,ij->j", X, X) / 8
    for rule, one in (("magnitude", lambda theta: magnitude_support(theta, 3)),
                      ("hessian", lambda theta: hessian_support(theta, X, 3))):
        np.testing.assert_array_equal(fit_supports(rule, thetas, curvature, 3), [one(theta) for theta in thetas])
        np.testing.assert_array_equal(select_support(rule, thetas[0], X, 3), one(thetas[0]))


def test_only_a_rule_flagged_curvature_computes_the_hessian_diagonal(monkeypatch):
    assert [name for name, rule in PRUNING.items() if rule.curvature] == ["hessian"]
    rng = np.random.default_rng(6)
    theta, X = rng.standard_normal(12), rng.standard_normal((8, 12))
    always = {rule: fit_supports(rule, theta, hessian_diagonal(X), 5) for rule in FIT_RULES}
    calls = []
    monkeypatch.setattr(pruning, "hessian_diagonal", lambda X: calls.append(X.shape) or hessian_diagonal(X))
    for rule in FIT_RULES:
        calls.clear()
        kept = select_support(rule, theta, X, 5)
        np.testing.assert_array_equal(kept, always[rule])  # the same support as with the diagonal always computed
        assert kept.dtype == always[rule].dtype
        assert len(calls) == int(PRUNING[rule].curvature)


def test_the_oracle_and_random_rules_ask_for_what_they_need():
    with pytest.raises(ValueError, match="needs theta_star"):
        select_support("oracle", np.ones(4), np.ones((2, 4)), 2)
    with pytest.raises(ValueError, match="needs an rng"):
        select_support("random", np.ones(4), np.ones((2, 4)), 2)
    with pytest.raises(ValueError, match="ranks the fit"):
        fit_supports("oracle", np.ones(4), None, 2)


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError, match="unknown pruning rule"):
        select_support("biggest", np.ones(3), np.ones((2, 3)), 1)


def test_pipelines():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((40, 12)), rng.standard_normal(40)
    pruned = train_prune(X, y, 4)
    assert np.count_nonzero(pruned) == 4
    retrained = train_prune_retrain(X, y, 4)
    np.testing.assert_array_equal(np.flatnonzero(retrained), np.flatnonzero(pruned))
    np.testing.assert_allclose(retrained, fit_on_support(X, y, np.flatnonzero(pruned)))
    X2, y2 = rng.standard_normal((40, 12)), rng.standard_normal(40)
    fresh = train_prune_retrain(X, y, 4, retrain_data=(X2, y2))
    np.testing.assert_allclose(fresh, fit_on_support(X2, y2, np.flatnonzero(pruned)))
    np.testing.assert_allclose(restrict(np.arange(4.0), np.array([0, 3])), [0, 0, 0, 3])
