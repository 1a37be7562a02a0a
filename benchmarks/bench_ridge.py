"""Benchmark (issue 14): the ridge chapter's theory panel, and one of its curves against a
Monte-Carlo evaluation of the same ridge DC.

The panel: every curve and tuning of plain ridge (mu = 0, mu tuned for the dense model, mu tuned
for each of four pipelines by a bounded search) at about 100 model sizes of Fig. 3(b). The
reference evaluates the magnitude-pruned risk at the same tuned mus by drawing 10^5 coordinates
per size from the ridge DC law and pruning at the empirical quantile. The simulation's ridge path:
one eigendecomposition of the smaller Gram matrix (``gram_ridge_path``) against one SVD
(``overparam.theory.ridge.ridge_path``), at k = p with the chapter's grid of mus.

The calculator's tuned ridge curves (issue 27, ``overparam.theory.ridge_curves.ridge_curves``: every
pipeline, at the calculator's sizes ``model_sizes(P, N, 60)``) for a constant theta* (two atoms) and a Gaussian one (an atom per feature, where
the normal cdfs of the pruning thresholds take the time), best of 5.
"""
from __future__ import annotations

import time

import numpy as np

from overparam.experiments.ridge_pruning import gram_ridge_path, pipeline_risk, theory_table
from overparam.reports.predict import model_sizes
from overparam.theory.problems import fig3_problem
from overparam.theory.ridge import ridge_path
from overparam.theory.ridge_curves import ridge_curves
from overparam.theory.risk import FitLaw

P, N, S, SAMPLES = 1000, 300, 100, 100_000


def monte_carlo_pruned(problem, n, s, mu, rng):
    """Magnitude pruning to s of draws from the ridge DC law of ``problem``."""
    law = FitLaw(problem, n, mu=mu)
    atom = rng.choice(law.lam.size, size=SAMPLES, p=law.w / law.w.sum())
    z = law.dc.mean[atom] + np.sqrt(law.dc.var[atom]) * rng.standard_normal(SAMPLES)
    kept = np.abs(z) >= np.quantile(np.abs(z), 1 - s / problem.p)
    return problem.sigma**2 + problem.p * np.mean(law.lam[atom] * (law.theta[atom] - z * kept) ** 2)


def calculator_curves(repeats: int = 5) -> None:
    """The calculator's tuned ridge curves at its sizes, per law of theta*: the best of ``repeats`` runs."""
    sizes = model_sizes(P, N, 60)
    for law in ("constant", "gaussian"):
        problem = fig3_problem("b", P, S, 10.0, 0.5, law, "aligned")
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            ridge_curves(problem, N, S, sizes)
            times.append(time.perf_counter() - start)
        print(f"calculator's tuned ridge curves, theta* {law}, {len(sizes)} sizes x 5 pipelines: "
              f"{1000 * min(times):.0f} ms (best of {repeats})")


def main():
    calculator_curves()
    problem = fig3_problem("b", P, S, 10.0, 0.5)
    ks = np.unique(np.geomspace(S + 1, P, 104).round().astype(int))
    ks = ks[np.abs(ks - N) > 1]
    start = time.perf_counter()
    table = theory_table(problem, N, S, ks)
    panel = time.perf_counter() - start
    tuned = table[(table.curve == "magnitude") & (table.tuning == "prune-optimal")]
    start = time.perf_counter()
    closed = [pipeline_risk(problem.prefix(int(k)), N, S, "magnitude", mu) for k, mu in zip(tuned.k, tuned.mu)]
    closed_time = time.perf_counter() - start
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    mc = [monte_carlo_pruned(problem.prefix(int(k)), N, S, mu, rng) for k, mu in zip(tuned.k, tuned.mu)]
    mc_time = time.perf_counter() - start
    gap = np.max(np.abs(np.array(mc) - np.array(closed)) / np.array(closed))
    print(f"ridge theory panel, {len(ks)} sizes x (dense + 4 pipelines) x 3 tunings, mu searched: {panel:.2f} s")
    print(f"  magnitude-pruned curve at the tuned mus: closed form {closed_time:.3f} s, Monte-Carlo of the same DC "
          f"(1e5 draws/point) {mc_time:.2f} s: speed-up {mc_time / closed_time:.0f}x; largest relative gap {gap:.2%}")
    X, y = problem.sample(N, rng)
    mus = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0]
    timings = {}
    for name, path in [("gram", gram_ridge_path), ("svd", ridge_path)]:
        start = time.perf_counter()
        for _ in range(5):
            fits = path(X, y, mus)
        timings[name] = ((time.perf_counter() - start) / 5, fits)
    gap = np.max(np.abs(timings["gram"][1] - timings["svd"][1])) / np.max(np.abs(timings["svd"][1]))
    print(f"ridge path at k = p, {len(mus)} mus: Gram eigendecomposition {timings['gram'][0] * 1e3:.0f} ms, SVD "
          f"{timings['svd'][0] * 1e3:.0f} ms; largest relative difference of the fits {gap:.1e}")


if __name__ == "__main__":
    main()
