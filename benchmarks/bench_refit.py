"""Benchmark (issue 16): the sampled-DC theory of chapter 12 at one correlation. The batched
refit predictions (one stacked solve per chunk of draws, single-threaded BLAS) against the simple
reference: one `restrict_problem` per draw (Def. 5 written out), and one dense least-squares fit per
draw for distillation; both evaluate the same draws, so the results must agree to round-off."""
from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from overparam.theory.problems import correlated_problem, restrict_problem
from overparam.theory.refit import dc_draws, distilled_risks, retrained_risks, supports_of

P, N, S, RHO, DRAWS = 1000, 300, 100, 0.1, 400


def reference(problem, thetas, supports):
    """Per draw: sigma_D^2 (N - 1)/(N - s - 1) from the restricted LGP, and the infinite-m student."""
    cov, retrained, distilled = problem.cov_matrix, [], []
    for theta, kept in zip(thetas, supports):
        restricted = restrict_problem(problem, kept)
        retrained.append(restricted.sigma**2 * (N - 1) / (N - S - 1))
        student = np.zeros(P)
        student[kept] = np.linalg.solve(cov[np.ix_(kept, kept)], (cov @ theta)[kept])
        distilled.append(problem.risk(student))
    return np.array(retrained), np.array(distilled)


def main():
    problem = correlated_problem(P, S, 10.0, 0.5, RHO)
    problem.spectrum  # the eigendecomposition is shared by both sides: not timed
    with threadpool_limits(1):
        thetas = dc_draws(problem, N, DRAWS, np.random.default_rng(0))
        supports = supports_of(thetas, S, "magnitude", problem.cov_diagonal)
        start = time.perf_counter()
        batched = retrained_risks(problem, supports, N), distilled_risks(problem, thetas, supports, [np.inf])[np.inf]
        batched_time = time.perf_counter() - start
        start = time.perf_counter()
        simple = reference(problem, thetas, supports)
        simple_time = time.perf_counter() - start
    gap = max(np.max(np.abs(a - b) / b) for a, b in zip(batched, simple))
    print(f"refit theory, p={P}, s={S}, {DRAWS} DC draws (fresh-sample retraining + infinite-m distillation): "
          f"batched {batched_time:.2f} s, one solve per draw {simple_time:.2f} s: speed-up {simple_time / batched_time:.1f}x; "
          f"largest relative difference {gap:.1e}")


if __name__ == "__main__":
    main()
