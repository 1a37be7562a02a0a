"""Why a bigger fit denoises (Sec. 3.4 of the paper), the report: the figure's tidy points and the
summary table, the figure's panels, the claims and the numbers the prose quotes, from the simulation
of :mod:`overparam.experiments.denoising` (``simulated`` = {(panel, sigma): errors of shape (trials,
sizes)}, the sizes of :func:`~overparam.experiments.denoising.model_sizes`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import OKABE_ITO, style_of
from overparam.book.stats import mean_ci
from overparam.book.verdicts import comparison, deterministic, over_range, point_states, small_number
from overparam.experiments.denoising import CURVE, model_sizes, theory_errors, theory_sizes

NOISE_COLORS = [OKABE_ITO[i] for i in (0, 5, 6, 3, 7, 1, 2)]  # one colour per noise level, in order


def theory_covered(theory, ci_low, ci_high) -> np.ndarray:
    """Per point, whether its 95% interval [``ci_low``, ``ci_high``] contains the theory value (>= 0):
    the points that :func:`overparam.book.verdicts.point_states` with no tolerance does not call
    outside. A theory value of 0 (an exact recovery) is covered only by an interval reaching 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return point_states(theory, ci_low, ci_high, 0.0) != "not reproduced"


def _summary_row(panel: str, sigma: float, fine, theory, ks, low, high, n: int) -> dict:
    """One row of the summary table: the theory errors of the small and the largest fit, the best size
    in theory, and the share of simulated points away from the peak whose interval covers the theory."""
    at_ks = theory[np.searchsorted(fine, ks)]
    away = np.abs(ks - n) > 0.1 * n
    small, large = at_ks[0], at_ks[-1]
    return {"panel": panel, "sigma": sigma, "small fit (k = s)": round(small, 4),
            "large fit (k = d)": round(large, 4), "best k": int(fine[np.argmin(theory)]),
            "large beats small": "yes" if large < small else "no",
            "theory within 95% CI": f"{np.mean(theory_covered(at_ks, low, high)[away]):.0%}"}


def error_curves(panels: dict, sigmas, simulated: dict, s: int, spike: float, n: int,
                 **family) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figure's points as tidy rows (panel, sigma, curve, source, k, error, ci_low, ci_high) and the
    summary table: per panel and noise level, the theory errors of the small fit (k = s) and of the
    fit on all d features, the best size in theory, and the share of simulated points away from the
    peak (|k - n| > 0.1 n) whose 95% interval contains the theory value. ``family`` (theta_law,
    alignment, seed) names the problem, as in :func:`overparam.experiments.denoising.theory_errors`."""
    rows, summary = [], []
    for panel, d in panels.items():
        ks = model_sizes(s, n, d)
        fine = theory_sizes(s, n, d, ks)
        for sigma in sigmas:
            theory = theory_errors(d, s, spike, sigma, n, fine, **family)
            mean, low, high = mean_ci(simulated[panel, sigma])
            common = {"panel": panel, "sigma": sigma, "curve": CURVE}
            rows.append(pd.DataFrame({**common, "source": "theory", "k": fine, "error": theory}))
            rows.append(pd.DataFrame({**common, "source": "simulation", "k": ks, "error": mean,
                                      "ci_low": low, "ci_high": high}))
            summary.append(_summary_row(panel, sigma, fine, theory, ks, low, high, n))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(summary)


def error_label(alignment: str) -> str:
    """The y label of the error on the salient weights: the plain squared error when Sigma = I, else
    weighted by Sigma_ii (the salient weights' share of the excess test risk)."""
    if alignment == "identity":
        return r"$E\,\|\hat\theta_\Delta - \theta^\star_\Delta\|^2$"
    return r"$E\,\sum_{i\in\Delta}\Sigma_{ii}(\hat\theta_i - \theta^\star_i)^2$"


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


def best_size_lines(simulated: dict, at_best: dict, s: int, n: int, d: int) -> str:
    """Per noise level, the simulated mean error of the small fit and of the large fit (panel "d > n",
    ``d`` features in all) at its best overparameterized size (``at_best``: {sigma: index into
    :func:`~overparam.experiments.denoising.model_sizes`}), one line each."""
    ks = model_sizes(s, n, d)
    return "\n".join(f"d > n, sigma = {sigma:g}: small fit {simulated['d > n', sigma][:, 0].mean():.4f}, large fit at "
                     f"k = {ks[j]} {simulated['d > n', sigma][:, j].mean():.4f}" for sigma, j in at_best.items())


def theory_points(margins: dict, band: float) -> list:
    """Per noise level, the theory's relative margin (small - best) / small of the large fit at its
    best overparameterized size over the small fit, judged against 0 with ``band`` (the theory's
    finite-size error above the interpolation point): one Verdict per level."""
    return [deterministic((small - best) / small, 0.0, band, "above",
                          text=f"margin {(small - best) / small:+.2%} (small {small:.4f}, best {best:.4f})")
            for small, best in margins.values()]


def noise_free_claims(simulated: dict) -> list[dict]:
    """The paper's own statement, noise-free with fewer features than samples: the fit on all
    features recovers the salient weights (a consistency check: it is algebra) and so estimates them
    better than the small fit (a paired comparison over the draws); Section 3.4, l. 68."""
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
    """The claims of Section 3.4 checked on a run, each comparison paired over the trials (the small fit
    is the first simulated size). With a noise-free level and a panel "d < n", the paper's own
    statement first (:func:`noise_free_claims`); then our extensions to every noise level and to
    d > n: in theory at the best overparameterized size (``margins`` from
    :func:`overparam.experiments.denoising.theory_margins`, which picks that size with the true
    theta* and sigma; band: the theory's finite-size error), in simulation at the simulated size
    nearest it (``at_best`` from :func:`overparam.experiments.denoising.best_overparameterized`), and
    with all d features."""
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


def quoted_numbers(simulated: dict, sigmas, margins: dict, at_best: dict) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the theory's relative margin of
    the best overparameterized fit over the small fit at the lowest and the highest noise level
    (``margins`` from :func:`overparam.experiments.denoising.theory_margins`), the simulated one at
    the lowest noise level (at ``at_best``), and the theory's declared finite-size band."""
    gain = {sigma: 1 - best / small for sigma, (small, best) in margins.items()}
    lowest = simulated["d > n", sigmas[0]]
    return {"denoising-margin-lowest-noise": float(gain[sigmas[0]]),
            "denoising-margin-highest-noise": float(gain[sigmas[-1]]),
            "denoising-sim-lowest-noise": float(1 - lowest[:, at_best[sigmas[0]]].mean() / lowest[:, 0].mean()),
            "denoising-band": tolerance("dn-theory-best-beats-small")}
