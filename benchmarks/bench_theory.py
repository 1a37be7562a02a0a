"""Benchmark 2 (issue 6): the closed-form theory curves against a Monte-Carlo evaluation of the DC.

Both evaluate the same finite-p DC of Fig. 3(b) on 200 model sizes k. The reference draws 10^5
samples of (Sigma_ii, theta*_i, theta_hat_i) per k from the DC law, prunes at the empirical
threshold and averages the loss. Accuracy is judged against adaptive quadrature of the DC law
(scipy.integrate.quad) at a few k.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.integrate import quad

from overparam.experiments.linear import theory_curves
from overparam.theory.dc import diagonal_dc
from overparam.theory.dc import atoms
from overparam.theory.problems import fig3_problem
from overparam.theory.risk import FitLaw

P, N, S, SAMPLES = 1000, 300, 100, 100_000


def monte_carlo_risk(problem, n, s, method, rng):
    """Monte-Carlo of the DC law: draw coordinates, keep the top s/p fraction of scores."""
    lam, theta, w = atoms(problem)
    dc = diagonal_dc(lam, theta, problem.sigma**2, n, w)
    atom = rng.choice(lam.size, size=SAMPLES, p=w / w.sum())
    z = dc.mean[atom] + np.sqrt(dc.var[atom]) * rng.standard_normal(SAMPLES)
    score = np.abs(z) * (np.sqrt(lam[atom]) if method == "hessian" else 1.0)
    kept = score >= np.quantile(score, 1 - s / problem.p)
    loss = lam[atom] * (theta[atom] - z * kept) ** 2
    return problem.sigma**2 + problem.p * loss.mean()


def quadrature_risk(problem, n, s, method):
    """The same DC risk by adaptive quadrature, per atom, at the closed form's threshold."""
    law = FitLaw(problem, n)
    lam, theta, w, dc, (_, tau) = law.lam, law.theta, law.w, law.dc, law.kept(s, method)
    total = problem.sigma**2
    for j in range(lam.size):
        sd = np.sqrt(dc.var[j])

        def integrand(u, keep):
            z = dc.mean[j] + sd * u
            return (theta[j] - z * keep) ** 2 * np.exp(-u * u / 2) / np.sqrt(2 * np.pi)

        lo, hi = (-tau[j] - dc.mean[j]) / sd, (tau[j] - dc.mean[j]) / sd
        value = quad(integrand, -np.inf, lo, args=(1,), epsabs=1e-14)[0] \
            + quad(integrand, lo, hi, args=(0,), epsabs=1e-14)[0] \
            + quad(integrand, hi, np.inf, args=(1,), epsabs=1e-14)[0]
        total += w[j] * lam[j] * value
    return total


def main():
    problem = fig3_problem("b", P, S, 10.0, 0.5)
    ks = np.linspace(S + 1, P, 240).round().astype(int)
    ks = ks[(ks < 0.95 * N) | (ks > 1.05 * N)][:200]

    start = time.perf_counter()
    theory_curves(problem, N, S, ks)
    all_curves_time = time.perf_counter() - start
    start = time.perf_counter()
    for method in ("magnitude", "hessian"):
        [FitLaw(problem.prefix(int(k)), N).pruned(S, method) for k in ks]
    closed_time = time.perf_counter() - start

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    mc = {method: [monte_carlo_risk(problem.prefix(int(k)), N, S, method, rng) for k in ks]
          for method in ("magnitude", "hessian")}
    mc_time = time.perf_counter() - start
    print(f"theory over {len(ks)} values of k: all six curves (dense, MP, HP, oracle, MP/HP+retrain) "
          f"{all_curves_time:.2f} s")
    print(f"  magnitude and Hessian pruning curves: closed form {closed_time:.2f} s, Monte-Carlo of the "
          f"same DC (1e5 samples/point) {mc_time:.2f} s: speed-up {mc_time / closed_time:.0f}x")
    for method in ("magnitude", "hessian"):
        errors_closed, errors_mc = [], []
        for j in np.linspace(0, len(ks) - 1, 5).astype(int):
            sub = problem.prefix(int(ks[j]))
            exact = quadrature_risk(sub, N, S, method)
            errors_closed.append(abs(FitLaw(sub, N).pruned(S, method) - exact) / exact)
            errors_mc.append(abs(mc[method][j] - exact) / exact)
        print(f"  {method}: largest relative error against quadrature at 5 k: closed form "
              f"{max(errors_closed):.1e}, Monte-Carlo {max(errors_mc):.1e}")


if __name__ == "__main__":
    main()
