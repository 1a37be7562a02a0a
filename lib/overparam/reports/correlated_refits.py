"""The report of chapter 12 (correlated features: which refit of a pruned support pays): theory
against simulation, the crossings and brackets in rho, the split and distillation read-outs, the
figures and the numbers the prose quotes (the claims: :mod:`overparam.reports.correlated_refits_claims`), from the runs of
:mod:`overparam.experiments.correlated_refits` (theory: its tidy table; simulation: per-draw risks
``{(family, rho): {(curve, split, m): array(trials)}}``).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.curve_names import CurveName
from overparam.book.curves import style_of
from overparam.book.stats import mean_ci
from overparam.book.style import COLUMN_INCHES, narrow_log_axis, plot_theory_and_simulation, theory_simulation_legend
from overparam.book.verdicts import Verdict, comparison, over_range, point_states
from overparam.experiments.correlated_refits import INF, key, select, theory_at, theory_keys, zero_risk
from overparam.theory.refit import RULES


def crossing(table: pd.DataFrame, family: str, refit: str, rule: str, **variant) -> float:
    """The first rho at which the theory of ``refit`` falls below pruning alone (``rule``),
    interpolated linearly in log rho between grid points; NaN when it never does. When it is below
    already at the first grid point, that point is returned (an upper bound: 0 when the grid starts
    at 0, the smallest positive grid rho when the change happens between it and 0)."""
    a = select(table, family, refit, "theory", **variant).set_index("rho").risk
    b = select(table, family, rule, "theory").set_index("rho").risk.reindex(a.index)
    gap = (a - b).to_numpy()
    rhos = a.index.to_numpy()
    below = np.flatnonzero(gap < -1e-9 * b.to_numpy())  # not a round-off tie (distillation at rho = 0)
    if below.size == 0:
        return float("nan")
    j = below[0]
    if j == 0 or rhos[j - 1] <= 0:
        return float(rhos[j])
    t = gap[j - 1] / (gap[j - 1] - gap[j])
    return float(np.exp(np.log(rhos[j - 1]) + t * (np.log(rhos[j]) - np.log(rhos[j - 1]))))


def paired(simulated: dict, family: str, rho: float, a: tuple, b: tuple, what: str):
    """Verdict of "a has lower risk than b" on shared draws (positive difference b - a)."""
    point = simulated[(family, rho)]
    return comparison(point[b], point[a], what=what)


FLIP = {"reproduced": "not reproduced", "not reproduced": "reproduced"}  # the other side of 0


def theory_ordered(simulated: Verdict, theory_a: float, theory_b: float, band: float) -> Verdict:
    """Does simulation find the order of a and b that the theory predicts? ``simulated`` is the paired
    Verdict of "a below b"; where the theory puts b below a its status is flipped. Where the theory's own
    gap |a - b| is within ``band`` of the smaller risk (its finite-size error) the theory predicts no order
    and the point is ``inconclusive``; the statuses at half and twice the band are recorded."""
    gap = (theory_b - theory_a) / min(theory_a, theory_b)

    def status(band):
        if abs(gap) <= band:
            return "inconclusive"
        return simulated.status if gap > 0 else FLIP.get(simulated.status, "inconclusive")
    order = "a below b" if gap > 0 else "b below a"
    measured = f"{simulated.measured}; theory: {order} by {abs(gap):.1%}"
    return Verdict(status(band), measured, rule=simulated.rule, tolerance=float(band),
                   at_half=status(band / 2), at_double=status(2 * band))


def sign_agreement(simulated: dict, theory: pd.DataFrame, family: str, rhos, a, b, band: float) -> Verdict:
    """Over the simulated rhos: does simulation find the order of a and b that theory predicts
    (:func:`theory_ordered` at each rho: the paired interval on the theory's side of 0, inconclusive
    across 0 or where the theory's gap is within ``band``)? ``a`` and ``b`` are keys, or functions of rho
    that return one."""
    points = []
    for rho in rhos:
        a_rho, b_rho = (k(rho) if callable(k) else k for k in (a, b))
        ta = theory_at(theory, family, a_rho[0], rho, a_rho[1], a_rho[2])
        tb = theory_at(theory, family, b_rho[0], rho, b_rho[1], b_rho[2])
        points.append(theory_ordered(paired(simulated, family, rho, a_rho, b_rho, "b - a"), ta, tb, band))
    return over_range(points, [f"{rho:g}" for rho in rhos], unit="rho = ")


def agreement_points(theory: pd.DataFrame, simulated: dict) -> pd.DataFrame:
    """Theory against simulation at every simulated (family, rho, curve variant) with a theory."""
    rows = []
    for (family, rho), result in simulated.items():
        for curve, split, m in theory_keys({(family, rho): result}):  # each family's own curves
            mean, low, high = mean_ci(result[(curve, split, m)], student=True)
            rows.append((family, rho, curve, split, m, theory_at(theory, family, curve, rho, split, m),
                         float(mean), float(low), float(high)))
    points = pd.DataFrame(rows, columns=["panel", "rho", "curve", "split", "m", "theory", "simulation",
                                         "ci_low", "ci_high"])
    return points.assign(gap=(points.simulation - points.theory) / points.theory)


def agreement_states(points: pd.DataFrame, tolerance: float) -> pd.Series:
    """Each point of :func:`agreement_points` judged alone by the per-point rule of
    :func:`overparam.book.verdicts.agreement` (:func:`overparam.book.verdicts.point_states`: its 95%
    interval of the relative gap inside, outside or across ``tolerance``): one status per point."""
    return pd.Series(point_states(points.theory, points.ci_low, points.ci_high, tolerance), index=points.index)


def agreement_summary(points: pd.DataFrame, band: float) -> dict:
    """Read-outs of :func:`agreement_points`: the largest and the median relative gap, the share of the
    95% intervals that contain the theory, how many points have each status within ``band``
    (:func:`agreement_states`) and the median half-width of the intervals relative to the theory."""
    return {"worst": points.gap.abs().max(), "median": points.gap.abs().median(),
            "covered": ((points.ci_low <= points.theory) & (points.theory <= points.ci_high)).mean(),
            "states": agreement_states(points, band).value_counts(),
            "half_width": ((points.ci_high - points.ci_low) / 2 / points.theory).median()}


FAMILY_TITLES = {"equicorrelated": "every pair correlated", "block": "correlated in blocks",
                 "random-sign": "every pair correlated, random signs"}
RHO_CURVES = ("dense", "{rule}", "{rule}+retrain", "{rule}+retrain-same-sample", "{rule}+distill")
EXTRA_CURVES = ("{rule}+retrain-pooled", "{rule}+retrain-same-design")  # simulation only, where the run has them


def zero_risks(families: dict, rhos) -> dict:
    """L(0) of every family at every rho: {(family, rho): L(0)}."""
    return {(family, float(rho)): zero_risk(families[family](float(rho))) for family in families for rho in rhos}


def relative(table: pd.DataFrame, zero: dict) -> pd.DataFrame:
    """The table with risk and interval divided by the zero model's risk L(0) at the same (family, rho)."""
    scale = np.array([zero[(family, float(rho))] for family, rho in zip(table.panel, table.rho)])
    return table.assign(risk=table.risk / scale, ci_low=table.ci_low / scale, ci_high=table.ci_high / scale)


def plot_over_rho(table: pd.DataFrame, zero: dict, rules=RULES, families=tuple(FAMILY_TITLES)):
    """Risk relative to the zero model's, L / L(0), against rho, one panel per (family, pruning rule):
    a row per family, a column per rule, one column of the page wide (COLUMN_INCHES); pruning alone and
    each refit, theory lines and simulated means with 95% bars; distillation at m = infinity; in the
    magnitude column also the 2n-sample baseline and the same-design refit."""
    smallest = table.rho[table.rho > 0].min()
    table = relative(table[table.panel.isin(families)], zero)
    fig, axes = plt.subplots(len(families), len(rules), figsize=(COLUMN_INCHES, 3.4 * len(families) + 1.6),
                             squeeze=False, sharex=True)
    for (family, rule), ax in zip([(f, r) for f in families for r in rules], axes.flat):
        rows = table[table.panel == family]
        rows = rows[rows.m.isna() | np.isinf(rows.m)]
        for curve in RHO_CURVES:
            name = curve.format(rule=rule)
            plot_theory_and_simulation(ax, rows[rows.split.isna()], name, x="rho",
                                       show_theory=not CurveName.parse(name).same_sample)
        for name in (curve.format(rule=rule) for curve in EXTRA_CURVES):
            if (rows.curve == name).any():
                plot_theory_and_simulation(ax, rows[rows.split.isna()], name, x="rho", show_theory=False)
        narrow_log_axis(ax, "y")
        ax.set_xscale("symlog", linthresh=smallest, linscale=0.5)
        ax.set_title(f"{style_of(rule)['label']}\n{FAMILY_TITLES[family]}")
    for ax in axes[-1]:
        ax.set_xlabel("feature correlation rho")
    for ax in axes[:, 0]:
        ax.set_ylabel("risk / risk of the zero model")
    theory_simulation_legend(fig, list(axes[0]), ncol=2)
    return fig


def _ratio_rows(table, family, curve, source, column, rho):
    """Rows of one curve variant at one rho, risk and interval divided by fresh-sample retraining's theory."""
    rule = curve.split("+")[0]
    base = theory_at(table, family, f"{rule}+retrain", rho)
    rows = table[(table.panel == family) & (table.curve == curve) & (table.source == source)
                 & np.isclose(table.rho, rho) & table[column].notna()].sort_values(column)
    return rows.assign(risk=rows.risk / base, ci_low=rows.ci_low / base, ci_high=rows.ci_high / base)


def plot_refit_budget(table: pd.DataFrame, column: str, rhos, rule: str = "magnitude",
                      families=tuple(FAMILY_TITLES)):
    """Risk of splitting (``column`` "split", against the fraction f) or distillation ("m", against
    the unlabelled inputs m; infinity drawn at the right end) relative to fresh-sample retraining,
    one line per rho; one panel per family, stacked, one column of the page wide (COLUMN_INCHES)."""
    fig, axes = plt.subplots(len(families), 1, figsize=(COLUMN_INCHES, 2.9 * len(families) + 0.6), sharex=True,
                             sharey=True, squeeze=False)
    axes = axes[:, 0]
    curve = f"{rule}+{'split' if column == 'split' else 'distill'}"
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(rhos)))
    for family, ax in zip(families, axes):
        for rho, color in zip(rhos, colors):
            for source in ("theory", "simulation"):
                rows = _ratio_rows(table, family, curve, source, column, rho)
                x = rows[column].replace(np.inf, 4 * rows[column][np.isfinite(rows[column])].max())
                if source == "theory":
                    ax.plot(x, rows.risk, color=color, lw=1.5, label=f"rho = {rho:g}")
                else:
                    ax.errorbar(x, rows.risk, yerr=[rows.risk - rows.ci_low, rows.ci_high - rows.risk], fmt="o",
                                color=color, ms=5, capsize=2, lw=1)
        ax.axhline(1, color="grey", ls=":", lw=1)
        ax.set_title(FAMILY_TITLES[family])
        if column == "split":
            axes[-1].set_xlabel("fraction f of the sample used to fit and prune")
        else:
            ms = sorted(set(table.m[np.isfinite(table.m)]))
            ax.set_xscale("log")
            ax.set_xticks(ms + [4 * max(ms)], [f"{m:g}" for m in ms] + ["∞"])
            ax.minorticks_off()
            axes[-1].set_xlabel("unlabelled inputs m")
        ax.set_ylabel("risk / fresh retraining's")
    axes[0].legend(ncol=min(len(rhos), 3))
    fig.tight_layout()
    return fig


def best_split(table: pd.DataFrame, family: str, rule: str, rho: float, fractions=None) -> float:
    """The split fraction with the lowest theory risk at rho (among ``fractions``, default all)."""
    rows = table[(table.panel == family) & (table.curve == f"{rule}+split") & (table.source == "theory")
                 & np.isclose(table.rho, rho)]
    if fractions is not None:
        rows = rows[np.isclose(rows.split.to_numpy()[:, None], np.asarray(fractions)[None, :]).any(axis=1)]
    return float(rows.split.to_numpy()[np.argmin(rows.risk.to_numpy())])


def split_against_fresh(theory: pd.DataFrame, family: str, rhos, split_fractions, rule: str = "magnitude") -> pd.Series:
    """The theory risk of the split at its best fraction among ``split_fractions``, divided by that of
    fresh-sample retraining, at every rho."""
    return pd.Series([theory_at(theory, family, f"{rule}+split", rho, best_split(theory, family, rule, rho, split_fractions))
                      / theory_at(theory, family, f"{rule}+retrain", rho) for rho in rhos], index=pd.Index(rhos, name="rho"))


def summary(theory: pd.DataFrame, simulated: dict, features, family: str, rhos, split_fractions, m: float,
            rule: str = "magnitude") -> pd.DataFrame:
    """Simulated mean risk of each refit of one family over rho, relative to the risk L(0) of the zero
    model (printed beside): the split at the theory's best simulated fraction (where the family has
    splits), distillation with m and with infinitely many inputs, the refit on the training inputs with
    fresh noise (same design) and the 2n-sample baseline; ``features(rho)`` builds the family's
    CorrelatedFeatures."""
    rows = []
    for rho in rhos:
        point = simulated[(family, rho)]
        zero = zero_risk(features(rho))
        row = {"rho": rho, "L(0)": zero, "dense": point[key("dense")].mean() / zero, "pruned": point[key(rule)].mean() / zero,
               "fresh": point[key(f"{rule}+retrain")].mean() / zero,
               "same design": point[key(f"{rule}+retrain-same-design")].mean() / zero,
               "same sample": point[key(f"{rule}+retrain-same-sample")].mean() / zero,
               "2n": point[key(f"{rule}+retrain-pooled")].mean() / zero}
        if key(f"{rule}+split", float(split_fractions[0])) in point:
            f = best_split(theory, family, rule, rho, split_fractions)
            row |= {"split f": f, "split": point[key(f"{rule}+split", f)].mean() / zero}
        row |= {f"distill m={m:g}": point[key(f"{rule}+distill", m=float(m))].mean() / zero,
                "distill m=inf": point[key(f"{rule}+distill", m=INF)].mean() / zero}
        rows.append(row)
    return pd.DataFrame(rows).set_index("rho")


def simulated_bracket(simulated: dict, family: str, rhos, better: tuple, worse: tuple) -> tuple[float, float]:
    """Where simulation places a crossing: the largest simulated rho at which ``worse`` is still
    significantly better than ``better`` below the first rho at which ``better`` is significantly
    better (NaN where there is none)."""
    states = [paired(simulated, family, rho, better, worse, "d").status for rho in rhos]
    first = next((i for i, state in enumerate(states) if state == "reproduced"), None)
    if first is None:
        return float("nan"), float("nan")
    before = [rho for rho, state in zip(rhos[:first], states[:first]) if state == "not reproduced"]
    return (before[-1] if before else float("nan")), float(rhos[first])


def distillation_break_even(theory: pd.DataFrame, family: str, rho: float, s: int, m: float,
                            rule: str = "magnitude") -> float:
    """The number of unlabelled inputs above which distillation beats fresh-sample retraining in
    theory: the expected risk is L_inf + E[v] s/(m - s - 1), so m* = s + 1 + s E[v]/(R - L_inf),
    with E[v] read off the theory at ``m`` (infinite when L_inf >= R)."""
    limit = theory_at(theory, family, f"{rule}+distill", rho, m=INF)
    finite = theory_at(theory, family, f"{rule}+distill", rho, m=float(m))
    retrained = theory_at(theory, family, f"{rule}+retrain", rho)
    if limit >= retrained:
        return float("inf")
    return s + 1 + (finite - limit) * (m - s - 1) / (retrained - limit)


def crossings(theory: pd.DataFrame, families) -> dict:
    """rho* (:func:`crossing`) of fresh-sample retraining and of infinite-m distillation against pruning
    alone, for every family and pruning rule: {(family, rule, refit): rho*}."""
    return {(family, rule, refit): crossing(theory, family, f"{rule}+{refit}", rule, m=INF if refit == "distill" else np.nan)
            for family in families for rule in ("magnitude", "hessian") for refit in ("retrain", "distill")}


def crossing_brackets(simulated: dict, families, rhos) -> dict:
    """Where simulation places the crossing of magnitude pruning with either retraining
    (:func:`simulated_bracket`): {(family, refit): (rho below, rho above)}."""
    return {(family, refit): simulated_bracket(simulated, family, rhos, key(f"magnitude+{refit}"), key("magnitude"))
            for family in families for refit in ("retrain", "retrain-same-sample")}


def nearest_m(unlabeled, n: int):
    """The distillation size m nearest the number of labels n."""
    return min(unlabeled, key=lambda m: abs(m - n))


def break_even_table(theory: pd.DataFrame, families, rhos, s: int, m: float) -> pd.DataFrame:
    """:func:`distillation_break_even` (theory, read off at ``m``) for every family (columns) and rho."""
    return pd.DataFrame({family: [distillation_break_even(theory, family, rho, s, m) for rho in rhos]
                         for family in families}, index=pd.Index(rhos, name="rho"))


SHORT = {"equicorrelated": "equi", "block": "block", "random-sign": "random"}  # family names in glue keys


def _refit_numbers(theory, simulated, families, family, rhos, split_fractions, m) -> dict:
    """The quoted ratios of one family (simulated means): same-sample, same-design and 2n-sample retraining
    to fresh-sample retraining; where the family has splits, the best split to same-sample retraining
    and (theory) to fresh-sample retraining, and at how many rhos the latter is within the theory's own
    error; the lowest and highest best fraction on the theory's fine grid of fractions (at the simulated
    rhos where the theory has all of it), at how many of those rhos it is the grid's lowest, and how many
    they are."""
    table = summary(theory, simulated, families[family], family, rhos, split_fractions, m)
    ratios = {"same-fresh": table["same sample"] / table["fresh"], "design-fresh": table["same design"] / table["fresh"],
              "pooled-fresh": table["2n"] / table["fresh"]}
    numbers = {}
    if "split" in table:
        ratios["split-same"] = table["split"] / table["same sample"]
        ratios["split-fresh"] = split_against_fresh(theory, family, rhos, split_fractions)
        within = (ratios["split-fresh"] - 1).abs() / ratios["split-fresh"].clip(upper=1) <= tolerance("refit-split-vs-fresh")
        rows = theory[(theory.panel == family) & theory.split.notna()]
        grid = sorted(set(rows.split))
        full = [rho for rho in rhos if rows.split[np.isclose(rows.rho, rho)].nunique() == len(grid)]  # the fine grid
        best = [best_split(theory, family, "magnitude", rho) for rho in full]
        numbers |= {f"split-fresh-unclear-{family}": int(within.sum()), f"split-grid-low-{family}": grid[0],
                    f"split-best-min-{family}": min(best), f"split-best-max-{family}": max(best),
                    f"split-edge-count-{family}": int(np.sum(np.isclose(best, grid[0]))),
                    f"split-grid-rhos-{family}": len(full)}
    for name, ratio in ratios.items():
        numbers |= {f"{name}-min-{family}": float(ratio.min()), f"{name}-max-{family}": float(ratio.max())}
    zero = table["L(0)"]
    return numbers | {f"signal-growth-{family}": float(zero.iloc[-1] / zero.iloc[0])}


def _design_numbers(simulated: dict) -> dict:
    """Over every simulated (family, rho): the range of same-sample to fresh-sample retraining, and the
    median share of their gap that the refit on the training inputs with fresh noise already closes
    (where same-sample retraining is more than 2% better: elsewhere the share is the ratio of two
    differences near 0)."""
    same, design, fresh = (np.array([point[key(f"magnitude+retrain{suffix}")].mean() for point in simulated.values()])
                           for suffix in ("-same-sample", "-same-design", ""))
    clear = fresh - same > 0.02 * fresh
    return {"same-fresh-min-all": float(np.min(same / fresh)), "same-fresh-max-all": float(np.max(same / fresh)),
            "design-share": float(np.median(((fresh - design) / (fresh - same))[clear])) if clear.any() else np.nan}


def _limit_numbers(limit: pd.DataFrame, noiseless: pd.DataFrame, sigma: float, s: int, n: int) -> dict:
    """The quoted read-outs of :func:`~overparam.experiments.correlated_refits.lemma1_limit` (last row
    Lemma 1's), with and without label noise."""
    near = limit.magnitude.iloc[:-1]
    return {"limit-share": float(limit["high-variance kept"].iloc[-2]), "noiseless-pruned": float(noiseless.magnitude[0]),
            "noiseless-lemma-pruned": float(noiseless.magnitude[1]), "limit-dense": float(limit.dense.iloc[-2]),
            "limit-lemma-dense": float(limit.dense.iloc[-1]), "limit-variance": sigma**2 * s / (n - s - 1),
            "limit-pruned-min": float(near.min()), "limit-pruned-max": float(near.max()),
            "limit-lemma-pruned": float(limit.magnitude.iloc[-1])}


def quoted_numbers(theory: pd.DataFrame, simulated: dict, families: dict, shares: dict, limit: pd.DataFrame,
                   noiseless: pd.DataFrame, *, n: int, s: int, sigma: float, group: int, trials: int, rhos,
                   split_fractions, unlabeled) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key: ``shares`` and ``limit`` /
    ``noiseless`` from :mod:`overparam.experiments.correlated_refits` (its high_variance_shares, lemma1_limit)."""
    points = agreement_points(theory, simulated)
    found = agreement_summary(points, tolerance("refit-dc-agreement"))
    numbers = {"group-size": group, "trials-count": trials, "refit-worst-gap": found["worst"],
               "refit-median-gap": found["median"], "refit-covered": found["covered"],
               "refit-tolerance": tolerance("refit-dc-agreement"), "refit-band": tolerance("refit-retrain-beats-pruning"),
               "refit-points": len(points)}
    for state, name in [("reproduced", "agree"), ("not reproduced", "disagree"), ("inconclusive", "unclear")]:
        numbers[f"refit-points-{name}"] = int(found["states"].get(state, 0))
    numbers["refit-half-width"] = found["half_width"]
    signs = points[points.panel == "random-sign"]
    if len(signs):
        states = agreement_states(signs, tolerance("refit-dc-agreement"))
        numbers |= {"random-points": len(signs), "random-points-agree": int((states == "reproduced").sum()),
                    "random-points-disagree": int((states == "not reproduced").sum()),
                    "random-median-gap": float(signs.gap.abs().median()), "random-worst-gap": float(signs.gap.abs().max()),
                    "random-worst-rho": float(signs.rho[signs.gap.abs().idxmax()])}
    stars = crossings(theory, families)
    numbers |= {f"rho-star-{name}": stars[(family, rule, "retrain")] for name, family, rule in
                [("equi", "equicorrelated", "magnitude"), ("block", "block", "magnitude"),
                 ("equi-hessian", "equicorrelated", "hessian")]}
    numbers["rho-star-random"] = stars[("random-sign", "magnitude", "retrain")] if "random-sign" in families else np.nan
    for (family, refit), (low, high) in crossing_brackets(simulated, families, rhos).items():
        name = SHORT[family] + ("-same" if CurveName.parse(f"magnitude+{refit}").same_sample else "")
        numbers |= {f"bracket-{name}-low": low, f"bracket-{name}-high": high}
    numbers["m-near-n"] = m_near_n = nearest_m(unlabeled, n)
    for family in families:
        numbers |= _refit_numbers(theory, simulated, families, family, rhos, split_fractions, m_near_n)
    numbers |= _design_numbers(simulated)
    (small_n, small), (_, full) = shares.items()
    numbers |= {"rho-count": len(rhos), "share-small": small, "share-small-n": small_n, "share-full": full}
    break_even = break_even_table(theory, families, rhos, s, max(unlabeled))
    gain = [theory_at(theory, family, "magnitude+distill", rho, m=np.inf) / theory_at(theory, family, "magnitude+retrain", rho)
            for family in families for rho in rhos]
    numbers |= {"break-even-max": float(break_even.max().max()), "break-even-min": float(break_even.min().min()),
                "n-labels": n, "distill-gain-min": 1 - max(gain), "distill-gain-max": 1 - min(gain)}
    return numbers | _limit_numbers(limit, noiseless, sigma, s, n)
