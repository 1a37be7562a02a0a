"""Why a bigger fit denoises (Sec. 3.4 of the paper): the error on the s salient weights of a least-squares
fit on the first k features, kept on the salient set (oracle pruning, no retraining), against k, for
several label-noise levels; simulation next to the distributional characterization
(``overparam.theory.risk.subset_estimation_error``). At k = s nothing is pruned: that point is the
small fit on the salient features alone.

The problem is panel (a) of Fig. 3 (Sigma = I, the first s features spiked) with d features in all.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.book.curves import OKABE_ITO, style_of
from overparam.book.claims import claim
from overparam.book.claim_table import tolerance
from overparam.book.verdicts import comparison, deterministic, over_range, small_number
from overparam.theory.problems import fig3_problem
from overparam.theory.risk import subset_estimation_error
from overparam.theory.solvers import prefix_min_norm_fits

CURVE = "oracle"  # the large fit kept on the salient set, in the curve registry's terms
NOISE_COLORS = [OKABE_ITO[i] for i in (0, 5, 6, 3, 7, 1, 2)]  # one colour per noise level, in order


def model_sizes(s: int, n: int, d: int, num: int = 22) -> np.ndarray:
    """Simulated sizes k of the large fit, from s (the small fit itself) to d, log-spaced, skipping
    |k - n| < 3 (the interpolation peak)."""
    ks = np.unique(np.round(np.geomspace(s, d, num)).astype(int))
    return ks[np.abs(ks - n) >= 3]


def theory_sizes(s: int, n: int, d: int, ks, num: int = 200) -> np.ndarray:
    """The sizes of a theory line: ``num`` log-spaced sizes from s to d and the simulated ``ks``,
    skipping |k - n| < 2."""
    fine = np.unique(np.concatenate([np.round(np.geomspace(s, d, num)).astype(int), ks]))
    return fine[np.abs(fine - n) >= 2]


def theory_errors(d: int, s: int, spike: float, sigma: float, n: int, ks) -> np.ndarray:
    """E ||theta_hat_Delta - theta*_Delta||^2 of the fit on the first k features, for every k in ``ks``
    (distributional characterization; exact in expectation for k < n - 1)."""
    problem = fig3_problem("a", d, s, spike, sigma)
    return np.array([subset_estimation_error(problem, n, int(k), np.arange(s)) for k in ks])


def salient_errors(d: int, s: int, spike: float, sigma: float, n: int, ks, trials: int, seed_key) -> np.ndarray:
    """Simulated squared error on the s salient weights of each prefix fit, shape (trials, len(ks));
    all sizes of one trial share its data draw."""
    problem = fig3_problem("a", d, s, spike, sigma)
    errors = np.empty((trials, len(ks)))
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        X, y = problem.sample(n, np.random.default_rng(child))
        for j, (k, theta) in enumerate(prefix_min_norm_fits(X, y, ks)):
            errors[t, j] = np.sum((theta[:s] - problem.theta_star[:s]) ** 2)
    return errors


def simulate_panels(panels: dict, sigmas, s: int, spike: float, n: int, trials: int, seed: int,
                    progress: bool = False) -> dict:
    """{(panel, sigma): salient_errors at model_sizes(s, n, d)} for every panel (name -> d) and noise
    level, one seed stream (seed, j) per pair."""
    jobs = [(panel, d, sigma) for panel, d in panels.items() for sigma in sigmas]
    return {(panel, sigma): salient_errors(d, s, spike, sigma, n, model_sizes(s, n, d), trials, (seed, j))
            for j, (panel, d, sigma) in enumerate(tqdm(jobs, disable=not progress, desc="panels x noise levels"))}


def error_curves(panels: dict, sigmas, simulated: dict, s: int, spike: float, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figure's points as tidy rows (panel, sigma, curve, source, k, error, ci_low, ci_high) and the
    summary table: per panel and noise level, the theory errors of the small fit (k = s) and of the
    fit on all d features, the best size in theory, and the share of simulated points away from the
    peak (|k - n| > 0.1 n) whose 95% interval contains the theory value."""
    rows, summary = [], []
    for panel, d in panels.items():
        ks = model_sizes(s, n, d)
        fine = theory_sizes(s, n, d, ks)
        for sigma in sigmas:
            theory = theory_errors(d, s, spike, sigma, n, fine)
            mean, low, high = mean_ci(simulated[panel, sigma])
            common = {"panel": panel, "sigma": sigma, "curve": CURVE}
            rows.append(pd.DataFrame({**common, "source": "theory", "k": fine, "error": theory}))
            rows.append(pd.DataFrame({**common, "source": "simulation", "k": ks, "error": mean,
                                      "ci_low": low, "ci_high": high}))
            at_ks = theory[np.searchsorted(fine, ks)]
            away = np.abs(ks - n) > 0.1 * n
            small, large = at_ks[0], at_ks[-1]
            summary.append({"panel": panel, "sigma": sigma, "small fit (k = s)": round(small, 4),
                            "large fit (k = d)": round(large, 4), "best k": int(fine[np.argmin(theory)]),
                            "large beats small": "yes" if large < small else "no",
                            "theory within 95% CI": f"{np.mean(((low <= at_ks) & (at_ks <= high))[away]):.0%}"})
    return pd.concat(rows, ignore_index=True), pd.DataFrame(summary)


def plot_noise_levels(ax, rows: pd.DataFrame, sigmas) -> None:
    """One panel: per noise level, its theory line and its simulated means with 95% bars, in the
    noise level's colour and the marker of the registered curve; the y axis up to 2.5 times the
    largest theory error of the small fit (k = s)."""
    marker = style_of(CURVE)["marker"]
    theory_rows = rows[rows.source == "theory"]
    small = theory_rows[theory_rows.k == theory_rows.k.min()].error.max()
    ax.set_ylim(0, 2.5 * max(small, 1e-3))
    for j, sigma in enumerate(sigmas):
        color = NOISE_COLORS[j % len(NOISE_COLORS)]
        theory = rows[(rows.sigma == sigma) & (rows.source == "theory")]
        sim = rows[(rows.sigma == sigma) & (rows.source == "simulation")]
        ax.plot(theory.k, theory.error, color=color)
        ax.errorbar(sim.k, sim.error, yerr=[sim.error - sim.ci_low, sim.ci_high - sim.error], fmt=marker, ms=4,
                    color=color, capsize=2, label=f"σ = {sigma:g}")


def best_overparameterized(d: int, s: int, spike: float, sigma: float, n: int) -> int:
    """Index, in model_sizes(s, n, d), of the simulated k > n with the lowest theoretical error."""
    ks = model_sizes(s, n, d)
    over = ks > n
    theory = np.full(len(ks), np.inf)
    theory[over] = theory_errors(d, s, spike, sigma, n, ks[over])
    return int(np.argmin(theory))


def theory_margins(d: int, s: int, spike: float, sigmas, n: int) -> dict:
    """Per noise level, the theory error of the small fit and the lowest theory error of the large fit
    over every overparameterized size n + 2 <= k <= d: {sigma: (small, best)}."""
    sizes = np.arange(n + 2, d + 1)
    return {sigma: (theory_errors(d, s, spike, sigma, n, [s])[0], theory_errors(d, s, spike, sigma, n, sizes).min())
            for sigma in sigmas}


def theory_points(margins: dict, band: float) -> list:
    """Per noise level, the theory's relative margin (small - best) / small of the large fit at its
    best overparameterized size over the small fit, judged against 0 with ``band`` (the theory's
    finite-size error above the interpolation point): one Verdict per level."""
    return [deterministic((small - best) / small, 0.0, band, "above",
                          text=f"margin {(small - best) / small:+.2%} (small {small:.4f}, best {best:.4f})")
            for small, best in margins.values()]


def noise_free_claims(simulated: dict) -> list[dict]:
    """The paper's own statement (Sec. 3.4, l. 68): noise-free, with fewer features than samples, the
    fit on all features recovers the salient weights (a consistency check: it is algebra) and so
    estimates them better than the small fit (a paired comparison over the draws)."""
    errors = simulated["d < n", 0.0]
    exact = errors[:, -1].max()
    return [claim("dn-exact-recovery", "Sec. 3.4, l. 68",
                  "noise-free with d < n: the fit on all features recovers the salient weights exactly",
                  deterministic(exact, 1e-12, 0.0, text=f"largest simulated error of the large fit {small_number(exact)}"),
                  kind="check"),
            claim("dn-large-beats-small-noise-free", "Sec. 3.4, l. 68",
                  "noise-free with d < n: the fit on all features estimates the salient weights better than the "
                  "small fit on the salient features alone",
                  comparison(errors[:, 0], errors[:, -1], what="small minus large error"))]


def denoising_claims(simulated: dict, panels: dict, sigmas, margins: dict, at_best: dict) -> list[dict]:
    """The claims of Sec. 3.4 checked on a run, each comparison paired over the trials (the small fit
    is the first simulated size). With a noise-free level and a panel "d < n", the paper's own
    statement first (:func:`noise_free_claims`); then our extensions to every noise level and to
    d > n: in theory at the best overparameterized size (``margins`` from :func:`theory_margins`,
    which picks that size with the true theta* and sigma; band: the theory's finite-size error), in
    simulation at the simulated size nearest it (``at_best`` from :func:`best_overparameterized`),
    and with all d features."""
    best_wins = [comparison(simulated["d > n", sigma][:, 0], simulated["d > n", sigma][:, j], what="small minus large")
                 for sigma, j in at_best.items()]
    largest_wins = {(panel, sigma): comparison(simulated[panel, sigma][:, 0], simulated[panel, sigma][:, -1],
                                               what="small minus large")
                    for panel in panels for sigma in sigmas}
    band = tolerance("dn-theory-best-beats-small")
    claims = noise_free_claims(simulated) if 0.0 in sigmas and ("d < n", 0.0) in simulated else []
    return claims + [
        claim("dn-theory-best-beats-small", "Sec. 3.4, l. 68",
              "in theory, with d > n and at every noise level, the large fit at its best overparameterized size "
              "(chosen with the true theta* and sigma) estimates the salient weights better than the small fit",
              over_range(theory_points(margins, band), list(margins), "sigma = "), origin="paper-extended"),
        claim("dn-simulated-best-beats-small", "Sec. 3.4, l. 68",
              "in simulation, the same comparison at the simulated size nearest that optimum, at every noise level",
              over_range(best_wins, list(at_best), "sigma = "), origin="paper-extended"),
        claim("dn-all-features-beat-small", "Sec. 3.4, l. 68",
              "the fit on all d features estimates the salient weights better than the small fit (both panels, "
              "every noise level)",
              over_range(list(largest_wins.values()), [f"{panel} with sigma {sigma:g}" for panel, sigma in largest_wins]),
              origin="paper-extended")]
