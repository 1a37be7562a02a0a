"""Benchmark 1 (issue 6): all feature-prefix min-norm fits, k = 1..p, against one pinv per k.

The reference (numpy's pseudo-inverse for every k) is far too slow to run on all 50 draws, so it
runs on the first `reference_draws` of the same draws; the ratio compares time per draw.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from overparam.theory.problems import fig3_problem
from overparam.theory.solvers import prefix_min_norm_fits


def reference_prefix_fits(X, y):
    return {k: np.linalg.pinv(X[:, :k]) @ y for k in range(1, X.shape[1] + 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--p", type=int, default=1000)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--reference-draws", type=int, default=2)
    args = parser.parse_args()
    problem = fig3_problem("b", args.p, args.p // 10, 10.0, 0.5)
    rng = np.random.default_rng(0)
    data = [problem.sample(args.n, rng) for _ in range(args.draws)]

    start = time.perf_counter()
    fast = [dict(prefix_min_norm_fits(X, y)) for X, y in data]
    fast_per_draw = (time.perf_counter() - start) / args.draws

    start = time.perf_counter()
    reference = [reference_prefix_fits(X, y) for X, y in data[:args.reference_draws]]
    reference_per_draw = (time.perf_counter() - start) / args.reference_draws

    finite = all(np.all(np.isfinite(theta)) for fits in fast for theta in fits.values())
    worst_away, worst_near = 0.0, 0.0
    for fits, ref in zip(fast, reference):
        for k, theta in fits.items():
            rel = np.linalg.norm(theta - ref[k]) / np.linalg.norm(ref[k])
            if 0.95 * args.n <= k <= 1.05 * args.n:
                worst_near = max(worst_near, rel)
            else:
                worst_away = max(worst_away, rel)
    print(f"prefix fits, p={args.p}, n={args.n}: {args.draws} draws in {fast_per_draw * args.draws:.2f} s "
          f"({fast_per_draw * 1e3:.0f} ms/draw); pinv per k: {reference_per_draw:.2f} s/draw "
          f"(on {args.reference_draws} draws)")
    print(f"  speed-up {reference_per_draw / fast_per_draw:.0f}x; largest relative difference "
          f"{worst_away:.1e} away from 0.95n..1.05n, {worst_near:.1e} inside; all finite: {finite}")


if __name__ == "__main__":
    main()
