"""The report of chapter 2 (the distributional characterization): the DC law against the pooled
draws (density, percentiles, their gaps), the W2 convergence, the isotropic risk against gamma and
the closed form of Hastie et al., the figures, the claims and the numbers the prose quotes, from the
runs of :mod:`overparam.experiments.distributional_characterization`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import style_of
from overparam.book.stats import loglog_slope, mean_ci
from overparam.book.style import plot_theory_and_simulation
from overparam.book.verdicts import agreement, deterministic, point_counts, point_states, small_number
from overparam.experiments.distributional_characterization import (W2_CURVES, hastie_risk, isotropic_gamma,
                                                                   isotropic_sizes)
from overparam.theory.dc import ScaledLaw

QQ_PROBS = np.arange(1, 100) / 100


def law_tables(spectrum: str, regime: str, law: ScaledLaw, values: np.ndarray,
               points: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DC law's density on the central 99.8% of ``values`` and its percentiles 1..99 next to the
    empirical ones (Thm. 1 / Thm. 3): two tidy frames, one row per point."""
    grid = np.linspace(*np.quantile(values, [0.001, 0.999]), points)
    density = pd.DataFrame({"spectrum": spectrum, "regime": regime, "x": grid, "density": law.pdf(grid)})
    quantiles = pd.DataFrame({"spectrum": spectrum, "regime": regime, "prob": QQ_PROBS,
                              "theory_quantile": law.quantile(QQ_PROBS),
                              "simulated_quantile": np.quantile(values, QQ_PROBS)})
    return density, quantiles


def law_iqr(quantiles: pd.DataFrame) -> float:
    """Interquartile range of the DC law, from the percentiles of :func:`law_tables`."""
    theory = quantiles.theory_quantile.to_numpy()
    return float(theory[np.flatnonzero(np.isclose(quantiles.prob, 0.75))[0]]
                 - theory[np.flatnonzero(np.isclose(quantiles.prob, 0.25))[0]])


def quantile_gaps(quantiles: list[pd.DataFrame]) -> pd.DataFrame:
    """For each case, the largest |empirical - DC quantile| over percentiles 1..99, relative to the
    law's interquartile range."""
    return pd.DataFrame([{"spectrum": q.spectrum.iloc[0], "regime": q.regime.iloc[0],
                          "largest |quantile gap| / IQR": np.max(np.abs(q.simulated_quantile - q.theory_quantile))
                          / law_iqr(q)} for q in quantiles])


def quantile_counts(quantiles: list[pd.DataFrame], band: float) -> dict:
    """How many plotted percentiles of all cases lie within ``band`` interquartile ranges of the law's
    (agree), out of how many (points), and the worst gap in those units."""
    gaps = np.concatenate([np.abs(q.simulated_quantile - q.theory_quantile) / law_iqr(q) for q in quantiles])
    return {"agree": int((gaps <= band).sum()), "points": int(gaps.size), "worst": float(gaps.max())}


def worst_quantile(quantiles: list[pd.DataFrame]) -> dict:
    """Where the largest quantile gap (in interquartile ranges of the law) falls: its spectrum,
    regime and percentile."""
    gaps = [(float(np.max(np.abs(q.simulated_quantile - q.theory_quantile)) / law_iqr(q)), q) for q in quantiles]
    gap, q = max(gaps, key=lambda pair: pair[0])
    worst = np.argmax(np.abs(q.simulated_quantile.to_numpy() - q.theory_quantile.to_numpy()))
    return {"spectrum": q.spectrum.iloc[0], "regime": q.regime.iloc[0],
            "percentile": int(round(100 * q.prob.iloc[worst]))}


def risk_counts(isotropic: pd.DataFrame, band: float) -> dict:
    """The isotropic risk points whose 95% interval of the relative gap from gamma lies inside
    [-band, band] (agree), entirely outside it (disagree) or across an edge (inconclusive), by the
    per-point rule of :func:`~overparam.book.verdicts.point_states`."""
    return point_counts(point_states(isotropic.theory_gamma, isotropic.ci_low, isotropic.ci_high, band))


def plot_density(ax, values: np.ndarray, density: pd.DataFrame, bins: int = 80) -> None:
    """Histogram of the pooled draws (dense fit) against the DC law's density."""
    grid = density.x.to_numpy()
    ax.hist(values, bins=bins, range=(grid[0], grid[-1]), density=True, color=style_of("dense")["color"],
            alpha=0.3, label="simulation (histogram)")
    ax.plot(grid, density.density, color=style_of("dc-law")["color"], lw=1.5, label="DC law (theory)")
    ax.set_xlabel(r"$\sqrt{p}\,\hat\theta_i$")
    ax.set_ylabel("density")


def plot_qq(ax, quantiles: pd.DataFrame) -> None:
    """Empirical percentiles of the pooled draws against those of the DC law, with the line y = x."""
    predicted = quantiles.theory_quantile.to_numpy()
    dense = style_of("dense")
    ax.plot(predicted, quantiles.simulated_quantile, dense["marker"], ms=3, color=dense["color"],
            label="percentiles 1..99")
    ax.plot(predicted[[0, -1]], predicted[[0, -1]], color="grey", ls="--", lw=1, label="y = x")
    ax.set_xlabel("DC law quantile")
    ax.set_ylabel("empirical quantile")


def w2_table(w2: dict[str, np.ndarray], sizes) -> tuple[pd.DataFrame, dict[str, float]]:
    """Tidy rows (curve, source, p, w2, ci_low, ci_high) of the mean W2 per size with its 95% interval
    (the mean itself with one draw), and the log-log slope of each curve."""
    rows, slopes = [], {}
    for curve, values in w2.items():
        mean, low, high = mean_ci(values, axis=1) if values.shape[1] > 1 else (values[:, 0],) * 3
        slopes[curve] = loglog_slope(sizes, mean)
        rows.append(pd.DataFrame({"curve": curve, "source": "simulation", "p": sizes, "w2": mean,
                                  "ci_low": low, "ci_high": high}))
    return pd.concat(rows, ignore_index=True), slopes


def plot_w2(ax, table: pd.DataFrame, slopes: dict[str, float]) -> None:
    """W2 against p on log-log axes, each curve with its fitted slope, and a p^-1/2 reference line
    through the first i.i.d.-draws point."""
    for curve in table.curve.unique():
        plot_theory_and_simulation(ax, table, curve, show_theory=False, x="p", y="w2",
                                   label=f"{W2_CURVES[curve]} (fitted slope {slopes[curve]:.2f})")
    sizes = np.sort(table.p.unique()).astype(float)
    start = table[table.curve == "dc-law"].w2.iloc[0]
    ax.plot(sizes, start * (sizes / sizes[0]) ** -0.5, color="grey", ls="--", lw=1, label=r"$p^{-1/2}$ reference")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(int(size)) for size in sizes])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("number of features p (n = p / kappa)")
    ax.set_ylabel(r"$W_2$(empirical law, DC law)")
    ax.legend()


def isotropic_table(sizes, n: int, sigma: float, risks: list[np.ndarray]) -> pd.DataFrame:
    """One row per simulated p: kappa, gamma, the Hastie et al. limit and the simulated mean risk
    with its 95% interval."""
    mean, low, high = (np.array(v) for v in zip(*(mean_ci(r) for r in risks)))
    sizes = np.asarray(sizes)
    return pd.DataFrame({"p": sizes, "kappa": sizes / n, "theory_gamma": [isotropic_gamma(int(p), n, sigma) for p in sizes],
                         "hastie_limit": hastie_risk(sizes / n, sigma), "risk": mean, "ci_low": low, "ci_high": high})


def isotropic_checks(table: pd.DataFrame, away: float = 0.15) -> dict[str, float]:
    """gamma against the closed form above p = n (an identity: a check of the code), and the
    simulation against gamma for |kappa - 1| > ``away``: largest gap and interval coverage."""
    over = table.kappa > 1
    theory = table.theory_gamma
    far = (table.kappa - 1).abs() > away
    return {"gap_hastie": float(np.max(np.abs(theory[over] - table.hastie_limit[over]) / theory[over])),
            "gap_simulation": float(((table.risk - theory).abs() / theory)[far].max()),
            "coverage": float(np.mean((table.ci_low <= theory) & (theory <= table.ci_high)))}


def plot_isotropic(ax, table: pd.DataFrame, n: int, sigma: float) -> None:
    """Risk of the min-norm fit against kappa = p / n: the Hastie et al. limit, gamma on a fine grid
    of p, and the simulated means with 95% bars."""
    fine = np.concatenate([np.linspace(0.05, 0.97, 120), np.linspace(1.03, 5.2, 150)])
    fine_ps = isotropic_sizes(n, fine, min_gap=2)
    ax.plot(fine, hastie_risk(fine, sigma), color="grey", lw=4, alpha=0.45, label="Hastie et al. closed form (limit)")
    ax.plot(fine_ps / n, [isotropic_gamma(int(p), n, sigma) for p in fine_ps], color=style_of("dense")["color"],
            lw=1.2, label=r"DC: $\gamma$ (finite p; exact $\sigma^2(n-1)/(n-p-1)$ for p < n)")
    simulated = table.assign(curve="dense", source="simulation")
    plot_theory_and_simulation(ax, simulated, "dense", show_theory=False, x="kappa", label="simulation")
    ax.set_ylim(0, 6 * sigma**2 + 2)
    ax.axvline(1, color="grey", ls=":", lw=1)
    ax.set_xlabel(r"$\kappa = p / n$")
    ax.set_ylabel("test risk of the min-norm fit")
    ax.legend()


def dc_claims(quantiles: list[pd.DataFrame], isotropic: pd.DataFrame, checks: dict) -> list[dict]:
    """The chapter's claims (Thm. 1, Thm. 3): every plotted percentile of every case within the
    declared share of the law's interquartile range, and the simulated dense risk within the declared
    relative band of gamma (each point's 95% interval inside it); and, as a consistency check, gamma
    against the isotropic closed form above the interpolation point (``checks`` from
    :func:`isotropic_checks`), an identity that can only fail through a bug."""
    theory = np.concatenate([q.theory_quantile / law_iqr(q) for q in quantiles])
    simulated = np.concatenate([q.simulated_quantile / law_iqr(q) for q in quantiles])
    quantile_band, risk_band = tolerance("dc-law-matches-quantiles"), tolerance("dc-risk-matches-gamma")
    return [
        claim("dc-law-matches-quantiles", "Thm. 1, Thm. 3",
              "the empirical law of sqrt(p) theta_hat matches the DC law (two spectra, both regimes; every "
              f"percentile within {quantile_band:g} of the law's interquartile range)",
              agreement(theory, simulated, tolerance=quantile_band, relative=False)),
        claim("dc-risk-matches-gamma", "Thm. 1, Thm. 3",
              f"the simulated dense risk matches gamma (each point's 95% interval within {risk_band:.0%})",
              agreement(isotropic.theory_gamma, isotropic.risk, isotropic.ci_low, isotropic.ci_high,
                        tolerance=risk_band)),
        claim("dc-gamma-equals-hastie", "Thm. 1",
              "gamma equals the isotropic closed form of Hastie et al. above the interpolation point (an identity)",
              deterministic(checks["gap_hastie"], 1e-9, 0.0,
                            text=f"largest relative difference {small_number(checks['gap_hastie'])}"), kind="check"),
    ]


def quoted_numbers(two_level_law: ScaledLaw, slopes: dict[str, float], quantiles: list[pd.DataFrame],
                   isotropic: pd.DataFrame) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the centres and standard
    deviations of the first and last components of the two-level law, the W2 slopes
    (:func:`w2_table`), the declared bands of the claims, how many percentiles and risk points agree
    (:func:`quantile_counts`, :func:`risk_counts`) and where the worst percentile falls."""
    numbers = {}
    for part, values in [("centre", two_level_law.centers), ("sd", two_level_law.scales)]:
        numbers |= {f"dc-{part}-low": values[0], f"dc-{part}-high": values[-1]}
    numbers |= {f"dc-w2-slope-{curve}": slope for curve, slope in slopes.items()}
    bands = {"quantile": tolerance("dc-law-matches-quantiles"), "risk": tolerance("dc-risk-matches-gamma")}
    numbers |= {f"dc-{name}-band": band for name, band in bands.items()}
    for name, counts in {"quantile": quantile_counts(quantiles, bands["quantile"]),
                         "risk": risk_counts(isotropic, bands["risk"])}.items():
        numbers |= {f"dc-{name}-{key}": value for key, value in counts.items()}
    worst = worst_quantile(quantiles)
    return numbers | {"dc-worst-percentile": worst["percentile"],
                      "dc-worst-case": f"{worst['spectrum']}, {worst['regime']}"}
