"""Benchmark (issue 15): a 200-point closed-form curve of 4-bit quantization (step calibrated under
the DC law at every k) against a Monte-Carlo evaluation of the same DC law and the same map, 1e5
coordinates drawn per point. The closed form needs normal cdfs only; its accuracy is checked by
adaptive quadrature at a few k, the Monte-Carlo's by its gap to the closed form."""
from __future__ import annotations

import time

import numpy as np
from scipy.integrate import quad

from overparam.theory.problems import fig3_problem
from overparam.theory.quantization import calibrated_step, map_risk, uniform_map
from overparam.theory.risk import FitLaw

P, N, S, BITS, SAMPLES = 1000, 300, 100, 4, 100_000


def monte_carlo(law, f, rng):
    atom = rng.choice(law.lam.size, size=SAMPLES, p=law.w / law.w.sum())
    z = law.dc.mean[atom] + np.sqrt(law.dc.var[atom]) * rng.standard_normal(SAMPLES)
    return law.problem.sigma**2 + law.problem.p * np.mean(law.lam[atom] * (f(z) - law.theta[atom]) ** 2)


def quadrature(law, f):
    total = law.problem.sigma**2
    for j in range(law.lam.size):
        m, sd = law.dc.mean[j], np.sqrt(law.dc.var[j])
        inner = [quad(lambda t: (f(np.array([t]))[0] - law.theta[j]) ** 2 * np.exp(-0.5 * ((t - m) / sd) ** 2)
                      / (sd * np.sqrt(2 * np.pi)), lo, hi, epsabs=1e-14)[0]
                 for lo, hi in zip(f.edges[:-1], f.edges[1:])]
        total += law.w[j] * law.lam[j] * sum(inner)
    return total


def main():
    problem = fig3_problem("b", P, S, 10.0, 0.5)
    ks = np.arange(2, P + 1, 5)
    ks = ks[np.abs(ks - N) > 1][:200]
    start = time.perf_counter()
    laws = [FitLaw(problem.prefix(int(k)), N) for k in ks]
    maps = [uniform_map(calibrated_step(law, BITS), BITS) for law in laws]
    closed = np.array([map_risk(law, f) for law, f in zip(laws, maps)])
    closed_time = time.perf_counter() - start
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    mc = np.array([monte_carlo(law, f, rng) for law, f in zip(laws, maps)])
    mc_time = time.perf_counter() - start
    check = [int(i) for i in np.linspace(0, len(ks) - 1, 5)]
    quad_gap = max(abs(closed[i] - quadrature(laws[i], maps[i])) / closed[i] for i in check)
    print(f"{BITS}-bit quantization, {len(ks)} model sizes: closed form (laws, calibrated steps, risks) {closed_time:.2f} s; "
          f"Monte-Carlo of the same law and maps (1e5 draws/point) {mc_time:.2f} s: speed-up {mc_time / closed_time:.1f}x")
    print(f"  accuracy: closed form vs adaptive quadrature at 5 sizes, largest relative gap {quad_gap:.1e}; "
          f"Monte-Carlo vs closed form, largest relative gap {np.max(np.abs(mc - closed) / closed):.2%}")


if __name__ == "__main__":
    main()
