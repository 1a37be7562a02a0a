"""Benchmark (issue 26): chapter 13's batched logistic gradient descent, run in chunks of the
current :data:`overparam.theory.classifiers.CACHE_BYTES` against the 2 MiB chunks it used before
(a core's own cache). Chunking changes no value: the two runs must agree bit for bit."""
from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from overparam.experiments.classification import sign_labels
from overparam.theory import classifiers
from overparam.theory.problems import fig3_problem

P, N, S, TRIALS, MAX_ITERATIONS = 1000, 300, 100, 10, 5000
OLD_CACHE_BYTES = 2**21


def batches() -> list:
    """Chapter 13's two shapes of descent: dense fits of panel (b) on k = 150 features (K = X X^T
    formed) and refits of two supports of s features per draw among the first 150 (applied as
X (X^T h), 2 s < n): near the separability threshold, where the chapter's descents are long."""
    problem = fig3_problem("b", P, S, 10.0, 0.5)
    rng = np.random.default_rng(0)
    samples = [sign_labels(problem, N, rng) for _ in range(TRIALS)]
    X, y = np.stack([x for x, _ in samples]), np.stack([labels for _, labels in samples])
    supports = [np.sort(rng.choice(150, size=S, replace=False)) for _ in range(2 * TRIALS)]
    refits = np.stack([X[j % TRIALS][:, support] for j, support in enumerate(supports)])
    return [("dense, k = 150", X[:, :, :150], y), ("refits, s = 100", refits, np.tile(y, (2, 1)))]


def timed(X, y, cache_bytes):
    """The descent with chunks of ``cache_bytes`` and its wall time."""
    saved, classifiers.CACHE_BYTES = classifiers.CACHE_BYTES, cache_bytes
    try:
        start = time.perf_counter()
        result = classifiers.logistic_descent(X, y, 1e-3, MAX_ITERATIONS)
        return result, time.perf_counter() - start
    finally:
        classifiers.CACHE_BYTES = saved


def main():
    with threadpool_limits(1):
        for name, X, y in batches():
            new, new_time = timed(X, y, classifiers.CACHE_BYTES)
            old, old_time = timed(X, y, OLD_CACHE_BYTES)
            same = all(np.array_equal(getattr(new, field), getattr(old, field))
                       for field in ("theta", "iterations", "converged", "alpha", "scores"))
            print(f"logistic descent, {name}, batch {X.shape[0]} x {X.shape[1]} x {X.shape[2]}: chunks of "
                  f"{classifiers.CACHE_BYTES >> 20} MiB {new_time:.2f} s, of {OLD_CACHE_BYTES >> 20} MiB {old_time:.2f} s: "
                  f"speed-up {old_time / new_time:.2f}x; {'bit-identical' if same else 'RESULTS DIFFER'}")


if __name__ == "__main__":
    main()
