"""Benchmark 3 (issue 6): one trial of the Fig. 3 / Fig. 7 simulation against a naive loop.

The naive loop fits each model size with numpy's pseudo-inverse and every retraining with
numpy's SVD least squares; the book's code reuses one factorisation across k and solves the
restricted refits through Cholesky. Same draws, so the risks must agree.
"""
from __future__ import annotations

import time

import numpy as np

from overparam.experiments.linear import SIMULATED_CURVES, k_grid, simulate_curves
from overparam.theory.problems import fig3_problem
from overparam.theory.pruning import hessian_support, magnitude_support, oracle_support, restrict

P, N, S, TRIALS = 1000, 300, 100, 4


def naive_trial(problem, ks, child):
    rng = np.random.default_rng(child)
    X, y = problem.sample(N, rng)
    Xf, yf = problem.sample(N, rng)

    def refit(A, b, support):
        theta = np.zeros(problem.p)
        theta[support] = np.linalg.lstsq(A[:, support], b, rcond=None)[0]
        return theta

    rows = {name: [] for name in SIMULATED_CURVES}
    for k in ks:
        theta = np.zeros(problem.p)
        theta[:k] = np.linalg.pinv(X[:, :k]) @ y
        supports = {"magnitude": magnitude_support(theta[:k], S), "hessian": hessian_support(theta[:k], X[:, :k], S)}
        models = {"dense": theta, "oracle": restrict(theta, oracle_support(problem.theta_star[:k], problem.cov[:k], S))}
        for method, support in supports.items():
            models[method] = restrict(theta, support)
            models[method + "+retrain"] = refit(Xf, yf, support if k > S else np.arange(k))
            models[method + "+retrain-same-sample"] = refit(X, y, support)
        for name, model in models.items():
            rows[name].append(problem.risk(model))
    return rows


def main():
    problem = fig3_problem("b", P, S, 10.0, 0.5)
    ks = [int(k) for k in k_grid(P, N, S)]
    start = time.perf_counter()
    fast = simulate_curves(problem, N, S, ks, TRIALS, seed=0, progress=False)
    fast_time = time.perf_counter() - start
    children = np.random.SeedSequence(0).spawn(TRIALS)
    start = time.perf_counter()
    naive = [naive_trial(problem, ks, child) for child in children]
    naive_time = time.perf_counter() - start
    far = np.array([(k < 0.95 * N) or (k > 1.05 * N) for k in ks])
    worst = max(np.max(np.abs(fast[name][t][far] - np.array(naive[t][name])[far]) / np.array(naive[t][name])[far])
                for name in SIMULATED_CURVES for t in range(TRIALS))
    print(f"chapter 1 simulation, {len(ks)} model sizes, 8 curves: {fast_time / TRIALS:.2f} s/trial; naive loop "
          f"{naive_time / TRIALS:.2f} s/trial: speed-up {naive_time / fast_time:.1f}x; largest relative "
          f"difference in risk away from the peak {worst:.1e}")


if __name__ == "__main__":
    main()
