"""The report of chapter 3 (the risk of pruning): the tidy tables of risk against the budget, the
theory against the simulation, where the thresholds fall on the DC law, the Hessian-to-magnitude
ratio, the best small model against the pruned large one, the figures, the claims and the numbers
the prose quotes, from the runs of :mod:`overparam.experiments.pruning_risk`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curves import OKABE_ITO, style_of
from overparam.book.stats import mean_ci
from overparam.book.style import narrow_log_axis, plot_theory_and_simulation
from overparam.book.tallies import spans
from overparam.book.tidy import curve_rows
from overparam.book.verdicts import agreement, comparison, deterministic, over_range, point_counts
from overparam.experiments.pruning_risk import COMPARED_RULES, FAMILIES, SmallModelStudy
from overparam.theory.dc import atoms, scaled_law
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import FIT_RULES, score_scale
from overparam.theory.risk import keep_probability, pruning_threshold

FAMILY_STYLES = {"aligned": (OKABE_ITO[6], "^"), "opposed": (OKABE_ITO[5], "s")}  # colour and marker


def risk_table(budgets, p: int, theory: dict, simulation: dict) -> pd.DataFrame:
    """Tidy rows (spectrum, curve, source, s, kept_fraction, risk, ci_low, ci_high) of every rule
    on every spectrum: theory values and simulated means with 95% intervals."""
    parts = []
    for name in theory:
        for rule in COMPARED_RULES:
            parts.append(curve_rows(name, rule, "theory", budgets, theory[name][rule]))
            parts.append(curve_rows(name, rule, "simulation", budgets, *mean_ci(simulation[name][rule])))
    table = pd.concat(parts, ignore_index=True).rename(columns={"panel": "spectrum", "k": "s"})
    table.insert(4, "kept_fraction", table.s / p)
    return table


def theory_vs_simulation(table: pd.DataFrame) -> pd.DataFrame:
    """One row per simulated point of :func:`risk_table` with its theory value (risk_theory), the
    relative gap and whether the 95% interval covers the theory."""
    merged = table[table.source == "simulation"].merge(table[table.source == "theory"], on=["spectrum", "curve", "s"],
                                                       suffixes=("", "_theory"))
    merged["gap"] = (merged.risk - merged.risk_theory).abs() / merged.risk_theory
    merged["covered"] = (merged.ci_low <= merged.risk_theory) & (merged.risk_theory <= merged.ci_high)
    return merged


def agreement_summary(points: pd.DataFrame) -> pd.DataFrame:
    """Per spectrum and rule: the worst relative gap and the share of intervals covering the theory."""
    return points.groupby(["spectrum", "curve"], sort=False).agg(worst_gap=("gap", "max"), within_ci=("covered", "mean"))


def plot_risk_by_budget(ax, panel: pd.DataFrame, dense: float, p: int) -> None:
    """Risk against the number of kept weights s for every rule (theory lines, simulated markers),
    with the dense model's risk as a dotted line."""
    panel = panel.rename(columns={"s": "k"})
    for rule in COMPARED_RULES:
        plot_theory_and_simulation(ax, panel, rule)
    ax.axhline(dense, color=style_of("dense")["color"], ls=":", lw=1, label="dense model (no pruning)")
    narrow_log_axis(ax, "x")
    ax.set_xlabel("number of weights kept, s (of p = %d)" % p)
    ax.set_ylabel("test risk")


def threshold_densities(problem: LinearGaussianProblem, n: int, s: int, rules=FIT_RULES,
                        points: int = 500) -> pd.DataFrame:
    """The DC law of each rule's score, sqrt(p) theta_hat_i (magnitude) or sqrt(p lambda_i) theta_hat_i
    (Hessian), split into one part per feature variance (the weighted Gaussians of that variance's
    atoms (lambda, theta*), summed: one Gaussian when theta* is constant on the group), with the
    threshold that keeps s weights (Cor. 1): tidy rows (rule, variance, share of the features, x,
    density, threshold)."""
    law = scaled_law(problem, n)
    lam = atoms(problem)[0]
    variances = np.unique(lam)
    parts = []
    for rule in rules:
        threshold = np.sqrt(problem.p) * pruning_threshold(problem, n, s, rule)
        factor = score_scale(rule, lam)
        centers, scales = law.centers * factor, law.scales * factor
        grid = np.linspace(np.min(centers - 4 * scales), np.max(centers + 4 * scales), points)
        for variance in variances:
            group = np.flatnonzero(lam == variance)
            density = sum(law.weights[j] * np.exp(-0.5 * ((grid - centers[j]) / scales[j]) ** 2)
                          / (np.sqrt(2 * np.pi) * scales[j]) for j in group)
            parts.append(pd.DataFrame({"rule": rule, "variance": variance, "share": law.weights[group].sum(),
                                       "x": grid, "density": density, "threshold": threshold}))
    return pd.concat(parts, ignore_index=True)


def plot_threshold_densities(ax, rows: pd.DataFrame) -> None:
    """The components of one score's law, their kept tails shaded, and the thresholds ±t."""
    threshold = rows.threshold.iloc[0]
    for (lam, group), color in zip(rows.groupby("variance", sort=True), [OKABE_ITO[5], OKABE_ITO[6]]):
        ax.plot(group.x, group.density, color=color, label=f"features with variance {lam:g} ({group.share.iloc[0]:.0%})")
        ax.fill_between(group.x, group.density, where=np.abs(group.x) >= threshold, color=color, alpha=0.3)
    ax.axvline(threshold, color="black", ls="--", lw=1, label=f"threshold ±{threshold:.2f}")
    ax.axvline(-threshold, color="black", ls="--", lw=1)
    ax.set_ylabel("density (weighted by group share)")
    ax.legend()


def salient_variance(problem: LinearGaussianProblem) -> float:
    """The variance of the salient group: of the feature variances, the one whose features have the
    largest mean saliency lambda_i theta*_i^2 (the high variance when saliency follows variance, the
    low one when the alignment is inverted)."""
    saliency = problem.cov_diagonal * problem.theta_star**2
    variances = np.unique(problem.cov_diagonal)
    return float(variances[np.argmax([saliency[problem.cov_diagonal == v].mean() for v in variances])])


def salient_share(problem: LinearGaussianProblem, n: int, s: int, rule: str) -> tuple[float, float]:
    """(scaled threshold sqrt(p) t, share of the salient group (:func:`salient_variance`) among the kept
    weights), from the closed form: each atom keeps its weight times P(|score| >= t)."""
    law = scaled_law(problem, n)
    lam = atoms(problem)[0]
    threshold = pruning_threshold(problem, n, s, rule)
    tau = threshold / score_scale(rule, lam)
    root_p = np.sqrt(problem.p)
    kept = law.weights * keep_probability(law.centers / root_p, (law.scales / root_p) ** 2, tau)
    return root_p * threshold, float(kept[lam == salient_variance(problem)].sum() / kept.sum())


def spread_table(fine, theory: dict, spreads, ratios: dict) -> pd.DataFrame:
    """Tidy rows (family, source, spread, ratio, ci_low, ci_high) of the Hessian/magnitude risk ratio."""
    rows = []
    for kind in FAMILIES:
        mean, low, high = mean_ci(ratios[kind], axis=1)
        rows.append(pd.DataFrame({"family": kind, "source": "theory", "spread": fine, "ratio": theory[kind][1] / theory[kind][0]}))
        rows.append(pd.DataFrame({"family": kind, "source": "simulation", "spread": spreads, "ratio": mean,
                                  "ci_low": low, "ci_high": high}))
    return pd.concat(rows, ignore_index=True)


def plot_spread(ax, table: pd.DataFrame) -> None:
    """Risk ratio Hessian/magnitude against the variance ratio c: theory lines, paired simulated ratios."""
    for kind, (color, marker) in FAMILY_STYLES.items():
        th = table[(table.family == kind) & (table.source == "theory")]
        sim = table[(table.family == kind) & (table.source == "simulation")]
        ax.plot(th.spread, th.ratio, color=color, label=f"{kind}: theory")
        ax.errorbar(sim.spread, sim.ratio, yerr=[sim.ratio - sim.ci_low, sim.ci_high - sim.ratio], fmt=marker,
                    color=color, capsize=3, label=f"{kind}: simulation (paired ratio, 95% CI)")
    ax.axhline(1, color="grey", lw=1)
    narrow_log_axis(ax, "x")
    ax.set_xlabel("variance ratio c of the two groups")
    ax.set_ylabel("risk(Hessian) / risk(magnitude)")
    ax.legend()


def small_model_table(study: SmallModelStudy) -> pd.DataFrame:
    """Tidy rows (curve, source, k, risk, ci_low, ci_high): the small model (theory and simulation)
    and the Hessian and oracle pruning of the p-feature fit (theory)."""
    mean, low, high = mean_ci(study.small_sim)
    return pd.concat([pd.DataFrame({"curve": "small-model", "source": "theory", "k": study.fine_k, "risk": study.small_theory}),
                      pd.DataFrame({"curve": "small-model", "source": "simulation", "k": study.small_ks, "risk": mean,
                                    "ci_low": low, "ci_high": high})]
                     + [pd.DataFrame({"curve": rule, "source": "theory", "k": study.fine_k, "risk": risk})
                        for rule, risk in study.pruned_theory.items()], ignore_index=True)


def plot_small_model(ax, table: pd.DataFrame, study: SmallModelStudy, top: float) -> None:
    """Risk against the number of weights k: the small model (theory line, simulated markers), the
    pruned p-feature fits (theory lines in the pruning rules' styles) and the Lemma 7 optimum (star)."""
    plot_theory_and_simulation(ax, table, "small-model", label="k most salient features, trained alone")
    for rule in study.pruned_theory:
        th = table[(table.curve == rule) & (table.source == "theory")]
        style = style_of(rule)
        ax.plot(th.k, th.risk, color=style["color"], ls=style["linestyle"],
                label=f"all p features trained, then {style['label']} to k (theory)")
    ax.plot(study.best_k, study.best_risk, "*", ms=14, color=OKABE_ITO[1],
            label=f"best small model: k = {study.best_k}, risk {study.best_risk:.3f}")
    narrow_log_axis(ax, "x")
    ax.set_ylim(0, top)
    ax.set_xlabel("number of weights k")
    ax.set_ylabel("test risk")


def small_model_summary(study: SmallModelStudy) -> list[str]:
    """The printed lines of the Lemma 7 comparison."""
    k, fine_k, small = study.best_k, study.fine_k, study.small_theory
    lines = [f"Lemma 7 optimum: k = {k} (risk {study.best_risk:.3f}); simulated risk of the top-{k} subset "
             f"{study.subsets['top'].mean():.3f}, one swap {study.subsets['swap'].mean():.3f}, "
             f"a random subset {study.subsets['random'].mean():.3f}"]
    for rule, risk in study.pruned_theory.items():
        wins = fine_k[risk < small]
        lines.append(f"{rule} pruning of the p-feature fit beats the small model of the same size k at {wins.size} of "
                     f"{fine_k.size} sizes ({spans(wins)}); at k = {k}: {risk[k - 1]:.3f} vs {small[k - 1]:.3f}")
    hessian = study.pruned_theory["hessian"]
    lines.append(f"lowest risk with fewer than n weights: Hessian-pruned p-feature model {hessian.min():.3f} "
                 f"(k = {fine_k[np.argmin(hessian)]}), best small model {study.best_risk:.3f} (k = {k})")
    return lines


def distinct_points(points: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`theory_vs_simulation` with each distinct point counted once: at s = p every
    rule keeps every weight, so the curves are one dense fit there and only the first rule's point is
    kept. By construction, not by comparing the numbers: the rules sum the same fit in different orders,
    which may differ in the last bit from one machine to another."""
    return points[~(points.kept_fraction.eq(1) & points.duplicated(["spectrum", "s"]))]


def budget_margins(study: SmallModelStudy, rule: str, band: float) -> list:
    """At every budget k < n, the theory's relative margin (small - pruned) / small of pruning the
    p-feature fit to k weights by ``rule`` over the best k-feature model, judged against 0 with
    ``band`` (the theory's finite-size error): one Verdict per budget."""
    small, pruned = study.small_theory, study.pruned_theory[rule]
    return [deterministic((a - b) / a, 0.0, band, "above", text=f"margin {(a - b) / a:+.3%}")
            for a, b in zip(small, pruned)]


def pruning_claims(points: pd.DataFrame, ratios: dict[str, np.ndarray], study: SmallModelStudy) -> list[dict]:
    """The chapter's claims: Cor. 1 against simulation (distinct points), Lemma 7 by paired
    comparisons, Hessian against magnitude at the largest spread of each family (ours), and the
    equal-budget statement of Sec. 3 from the closed forms with the theory's finite-size band: the
    paper's (the lowest risk with fewer than n weights) and ours (at every budget k < n)."""
    k, fine_k, top = study.best_k, study.fine_k, study.subsets["top"]
    hessian = study.pruned_theory["hessian"]
    band, agree = tolerance("pr-lowest-risk-below-n-is-pruned"), tolerance("pr-theory-matches-simulation")
    distinct = distinct_points(points)
    claims = [
        claim("pr-theory-matches-simulation", "Cor. 1, eqs. 61-65",
              f"closed-form pruning risks match simulation (MP, HP, oracle; two spectra; within {agree:.0%}; "
              "distinct points)",
              agreement(distinct.risk_theory, distinct.risk, distinct.ci_low, distinct.ci_high, tolerance=agree)),
        claim("pr-lemma7-beats-swap", "Lemma 7",
              f"the best {k}-feature model (its k most salient features) beats the same model with one feature swapped",
              comparison(study.subsets["swap"], top, what="risk difference")),
        claim("pr-lemma7-beats-random", "Lemma 7", f"the best {k}-feature model beats a model on {k} random features",
              comparison(study.subsets["random"], top, what="risk difference")),
        claim("pr-hessian-wins-aligned", "Fig. 3(b), extended",
              "Hessian beats magnitude pruning when variance follows saliency (largest spread)",
              comparison(1 - ratios["aligned"][-1], what="1 - risk ratio"), origin="beyond"),
        claim("pr-hessian-loses-opposed", "Fig. 3(b), extended",
              "Hessian loses to magnitude pruning when variance opposes saliency (largest spread)",
              comparison(ratios["opposed"][-1] - 1, what="risk ratio - 1"), origin="beyond"),
    ]
    best = (study.best_risk - hessian.min()) / study.best_risk
    claims.append(claim("pr-lowest-risk-below-n-is-pruned", "Sec. 3.1, l. 57",
                        "the lowest risk reachable with fewer than n weights belongs to a pruned p-feature fit (theory)",
                        deterministic(best, 0.0, band, "above",
                                      text=f"{hessian.min():.3f} (Hessian pruning, k = {fine_k[np.argmin(hessian)]}) "
                                           f"vs {study.best_risk:.3f} (best small model, k = {k}): relative margin "
                                           f"{best:+.1%}")))
    for rule in ["hessian", "oracle"]:
        claims.append(claim("pr-every-budget", "Sec. 3.1, l. 57",
                            f"at every budget k < n, {rule} pruning of the p-feature fit beats the best k-feature "
                            "model (theory)",
                            over_range(budget_margins(study, rule, band), fine_k, "k = "),
                            origin="paper-extended", variant=rule))
    return claims


def quoted_numbers(shares: dict, study: SmallModelStudy) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: the share of the salient
    features among the weights each rule keeps (``shares``: each rule's :func:`salient_share`), the
    lowest risk of Hessian pruning and of the best small model (``study``), and the band of the
    equal-budget claim with the budgets where its Hessian version holds, is inconclusive and fails
    (:func:`budget_margins`)."""
    band = tolerance("pr-every-budget")
    counts = point_counts(verdict.status for verdict in budget_margins(study, "hessian", band))
    numbers = {f"pr-salient-share-{rule}": share for rule, (_, share) in shares.items()}
    return numbers | {"pr-lowest-pruned": study.pruned_theory["hessian"].min(), "pr-best-small": study.best_risk,
                      "pr-band": band, "pr-every-budget-holds": counts["agree"],
                      "pr-every-budget-inconclusive": counts["inconclusive"],
                      "pr-every-budget-fails": counts["disagree"], "pr-every-budget-points": counts["points"]}
