"""The vectorised risk curves (overparam.theory.risk_curves) give the numbers of the per-size closed
forms (overparam.theory.risk.FitLaw, through overparam.experiments.linear.theory_curves) to 1e-10, on
chapter 1's panels and on every problem family, at sizes on both sides of the interpolation threshold,
at the threshold itself (where both are infinite) and at and below the budget."""
import numpy as np
import pytest

from overparam.experiments.linear import theory_curves
from overparam.reports.predict import model_sizes, predict
from overparam.theory.problems import fig3_problem, power_law_problem
from overparam.theory.risk_curves import CURVES, keep_excess, monotone_roots, risk_curves

TOLERANCE = 1e-10  # the roots of both are solved to about 1e-13 relative; the sums run in another order

FAMILIES = [  # (panel, theta law, alignment)
    ("b", "constant", "aligned"), ("a", "constant", "aligned"), ("b", "random-sign", "aligned"),
    ("b", "gaussian", "aligned"), ("b", "sparse", "aligned"), ("b", "constant", "inverted"),
    ("a", "gaussian", "aligned"),
]
SHAPES = [(300, 90, 30), (200, 120, 150), (160, 40, 50)]  # (p, n, s): s < n, s > n (the refit is wide), s > n


def sizes_to_check(p: int, n: int, s: int) -> np.ndarray:
    """Chapter 1's log-spaced sizes, every 13th size, and the edges: the interpolation threshold
    (n - 1, n: infinite risk; n + 1, n + 2), the budget (s, s + 1) and p."""
    sizes = np.r_[model_sizes(p, n, 40), np.arange(1, p + 1, 13), [n - 1, n, n + 1, n + 2, s, s + 1, p]]
    return np.unique(sizes[(sizes >= 1) & (sizes <= p)])


def assert_same_curves(expected: dict, actual: dict, label: str):
    for name in CURVES:
        a, b = expected[name], actual[name]
        assert np.array_equal(np.isinf(a), np.isinf(b)), f"{label} {name}: infinite at other sizes"
        finite = np.isfinite(a)
        np.testing.assert_allclose(b[finite], a[finite], rtol=TOLERANCE, atol=0, err_msg=f"{label} {name}")


@pytest.mark.parametrize("panel, law, alignment", FAMILIES)
@pytest.mark.parametrize("p, n, s", SHAPES)
def test_the_curves_are_the_per_size_closed_forms(panel, law, alignment, p, n, s):
    problem = fig3_problem(panel, p, s, 10.0, 0.5, law, alignment, seed=3)
    sizes = sizes_to_check(p, n, s)
    assert_same_curves(theory_curves(problem, n, s, sizes, CURVES), risk_curves(problem, n, s, sizes),
                       f"{panel}/{law}/{alignment} p={p} n={n} s={s}")


def test_a_continuous_spectrum_and_no_noise():
    """Every feature its own atom (a power-law spectrum), and sigma = 0."""
    for sigma in (0.0, 1.0):
        problem = power_law_problem(150, 1.0, sigma, seed=1)
        sizes = sizes_to_check(150, 50, 20)
        assert_same_curves(theory_curves(problem, 50, 20, sizes, CURVES), risk_curves(problem, 50, 20, sizes),
                           f"power law sigma={sigma}")


def test_a_subset_of_curves_and_an_unknown_one():
    problem = fig3_problem("b", 200, 20, 10.0, 0.5)
    sizes = model_sizes(200, 80, 20)
    some = risk_curves(problem, 80, 20, sizes, ("hessian+retrain", "oracle"))
    assert set(some) == {"hessian+retrain", "oracle"}
    full = risk_curves(problem, 80, 20, sizes)
    for name in some:
        np.testing.assert_array_equal(some[name], full[name])
    with pytest.raises(ValueError, match="no vectorised curve"):
        risk_curves(problem, 80, 20, sizes, ("binary",))


def test_the_calculator_uses_them():
    problem = fig3_problem("b", 200, 20, 10.0, 0.5, "random-sign")
    sizes = model_sizes(200, 80, 20)
    table = predict(problem, 80, 20, sizes)
    for name, curve in risk_curves(problem, 80, 20, sizes).items():
        shown = table[table.compressor == name]
        np.testing.assert_array_equal(shown.risk, curve[np.isin(sizes, shown.k)])


def test_monotone_roots_finds_each_rows_root():
    targets = np.array([0.5, 2.0, 7.0, 1e-3])

    def cube_minus_target(x, rows):  # increasing; root at target^(1/3)
        return x**3 - targets[rows], 3 * x**2

    roots = monotone_roots(cube_minus_target, np.zeros(4), np.full(4, 10.0), increasing=True)
    np.testing.assert_allclose(roots, np.cbrt(targets), rtol=1e-14)

    def decreasing(x, rows):
        return targets[rows] - x, -np.ones_like(x)

    np.testing.assert_allclose(monotone_roots(decreasing, np.zeros(4), np.full(4, 10.0), increasing=False),
                               targets, rtol=1e-14)


def test_halley_steps_find_the_same_roots_in_fewer_calls():
    """Given the curvature too, monotone_roots takes Halley steps (cubic convergence)."""
    targets = np.array([0.5, 2.0, 7.0, 1e-3])
    calls = {"newton": 0, "halley": 0}

    def cube_minus_target(kind):
        def func(x, rows):
            calls[kind] += 1
            value, slope = x**3 - targets[rows], 3 * x**2
            return (value, slope) if kind == "newton" else (value, slope, 6 * x)
        return func

    for kind in calls:
        roots = monotone_roots(cube_minus_target(kind), np.zeros(4), np.full(4, 10.0), increasing=True)
        np.testing.assert_allclose(roots, np.cbrt(targets), rtol=1e-14)
    assert calls["halley"] < calls["newton"], calls


def test_the_threshold_excess_has_its_derivatives_on_any_rows():
    """The slope and curvature in t of the pruning threshold's excess (keep_excess) are the central
    differences of its value and slope, and a subset of rows, in any order, gets those rows' numbers."""
    rng = np.random.default_rng(0)
    scale, sd = np.sqrt(rng.uniform(0.5, 2.0, 30)), rng.uniform(0.2, 1.0, (3, 30))
    weights, mean = rng.integers(0, 3, (3, 30)).astype(float), rng.normal(size=(3, 30))
    excess, t, rows, h = keep_excess(scale, weights, mean, sd, 5, True), np.array([0.3, 1.0, 2.0]), np.arange(3), 1e-6
    value, slope, curvature = excess(t, rows)
    up, down = excess(t + h, rows), excess(t - h, rows)
    # a central difference errs by ~h^2 |f'''| plus rounding ~1e-16 |f| / h: about 1e-9 here
    np.testing.assert_allclose(slope, (up[0] - down[0]) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(curvature, (up[1] - down[1]) / (2 * h), rtol=1e-6)
    some = np.array([2, 0])
    for whole, part in zip((value, slope, curvature), excess(t[some], some)):
        np.testing.assert_array_equal(part, whole[some])
