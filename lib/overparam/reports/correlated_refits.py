"""The report of chapter 12 (correlated features: which refit of a pruned support pays): theory
against simulation, the crossings and brackets in rho, the split and distillation read-outs, the
figures, the claims and the numbers the prose quotes, from the runs of
:mod:`overparam.experiments.correlated_refits` (theory: its tidy table; simulation: per-draw risks
``{(family, rho): {(curve, split, m): array(trials)}}``).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.stats import mean_ci
from overparam.book.style import plot_theory_and_simulation, theory_simulation_legend
from overparam.book.verdicts import Verdict, agreement, comparison, deterministic, over_range, point_states
from overparam.experiments.correlated_refits import INF, LEMMA, key, select, theory_at, theory_keys
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
        for curve, split, m in theory_keys(simulated):
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


FAMILY_TITLES = {"equicorrelated": "every pair correlated", "block": "correlated in blocks"}
RHO_CURVES = ("dense", "{rule}", "{rule}+retrain", "{rule}+retrain-same-sample", "{rule}+distill")


def plot_over_rho(table: pd.DataFrame, rules=RULES, families=tuple(FAMILY_TITLES)):
    """Risk against rho, one panel per (pruning rule, family): pruning alone and each refit, theory
    lines and simulated means with 95% bars; distillation at m = infinity."""
    smallest = table.rho[table.rho > 0].min()
    fig, axes = plt.subplots(len(rules), len(families), figsize=(10, 4 * len(rules)), squeeze=False, sharex=True)
    for (rule, family), ax in zip([(r, f) for r in rules for f in families], axes.flat):
        rows = table[table.panel == family]
        rows = rows[rows.m.isna() | np.isinf(rows.m)]
        for curve in RHO_CURVES:
            name = curve.format(rule=rule)
            plot_theory_and_simulation(ax, rows[rows.split.isna()], name, x="rho",
                                       show_theory=not name.endswith("-same-sample"))
        ax.set_yscale("log")
        ax.set_xscale("symlog", linthresh=smallest, linscale=0.5)
        ax.set_xlabel("feature correlation rho")
        ax.set_ylabel("test risk")
        ax.set_title(f"{rule} pruning, {FAMILY_TITLES[family]}")
    theory_simulation_legend(fig, list(axes[:, 0]), ncol=3)
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
    one line per rho."""
    fig, axes = plt.subplots(1, len(families), figsize=(10, 3.8), sharey=True)
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
            ax.set_xlabel("fraction f of the sample used to fit and prune")
        else:
            ms = sorted(set(table.m[np.isfinite(table.m)]))
            ax.set_xscale("log")
            ax.set_xticks(ms + [4 * max(ms)], [f"{m:g}" for m in ms] + ["∞"])
            ax.minorticks_off()
            ax.set_xlabel("unlabelled inputs m")
    axes[0].set_ylabel("risk / risk of fresh-sample retraining")
    axes[0].legend(fontsize=8)
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


SOURCE = "beyond: correlated features"
ORDER_CLAIMS = {  # id: (text, better, worse), with m the distillation size nearest n
    "refit-same-beats-pruning": ("same-sample retraining beats pruning alone", "magnitude+retrain-same-sample", "magnitude"),
    "refit-same-beats-fresh": ("same-sample retraining beats fresh-sample retraining", "magnitude+retrain-same-sample",
                               "magnitude+retrain"),
    "refit-distill-beats-fresh": ("distillation with m = {m:g} unlabelled inputs beats fresh-sample retraining",
                                  "magnitude+distill", "magnitude+retrain"),
    "refit-distill-beats-same": ("distillation with m = {m:g} unlabelled inputs beats same-sample retraining",
                                 "magnitude+distill", "magnitude+retrain-same-sample"),
}


def refit_claims(theory: pd.DataFrame, simulated: dict, limit: pd.DataFrame, rhos, split_fractions,
                 n: int) -> list[dict]:
    """The chapter's claims (origin ``beyond``), each judged by a rule of overparam.book.verdicts
    with the tolerance declared in overparam.book.claim_table. ``limit`` is
    :func:`~overparam.experiments.correlated_refits.lemma1_limit`'s table (two correlations near 1 at least, then Lemma 1's row)."""
    points = agreement_points(theory, simulated)
    rows = [claim("refit-dc-agreement", SOURCE, "the sampled DC predicts every refit (dense, pruned, fresh-sample "
                  "retraining, split sample, distillation) at every simulated correlation, within "
                  f"{tolerance('refit-dc-agreement'):.0%} of its risk",
                  agreement(points.theory, points.simulation, points.ci_low, points.ci_high,
                            tolerance("refit-dc-agreement")), origin="beyond")]
    band = tolerance("refit-retrain-beats-pruning")
    for family in FAMILY_TITLES:
        for rule in RULES:
            star = crossing(theory, family, f"{rule}+retrain", rule)
            where_theory = f"above rho* = {star:.3g}" if np.isfinite(star) else f"nowhere up to rho = {max(rhos):g}"
            verdict = sign_agreement(simulated, theory, family, rhos, key(f"{rule}+retrain"), key(rule), band)
            rows.append(claim("refit-retrain-beats-pruning", SOURCE, f"{family}, {rule}: fresh-sample retraining beats "
                              f"pruning alone where the DC says ({where_theory} in theory), at every simulated rho",
                              verdict, origin="beyond", variant=f"{family}-{rule}"))
    rows += _simulated_order_claims(theory, simulated, rhos, split_fractions, n)
    return rows + _lemma1_claims(limit)


def _simulated_order_claims(theory, simulated, rhos, split_fractions, n) -> list[dict]:
    """Per family: the best split against fresh-sample retraining (the order the DC predicts), and the
    purely simulated paired comparisons of ORDER_CLAIMS at every simulated rho."""
    rows, where = [], [f"{rho:g}" for rho in rhos]
    finite = sorted(k[2] for k in theory_keys(simulated) if k[0] == "magnitude+distill" and np.isfinite(k[2]))
    m_near_n = nearest_m(finite, n)
    as_key = lambda curve: key(curve, m=m_near_n) if curve.endswith("distill") else key(curve)
    for family in FAMILY_TITLES:
        split_vs_fresh = sign_agreement(simulated, theory, family, rhos, key("magnitude+retrain"), lambda rho: key(
            "magnitude+split", best_split(theory, family, "magnitude", rho, split_fractions)),
            tolerance("refit-split-vs-fresh"))
        rows.append(claim("refit-split-vs-fresh", SOURCE, f"{family}, magnitude: the split at the theory's best "
                          "fraction is better or worse than fresh-sample retraining as the DC says, at every "
                          "simulated rho", split_vs_fresh, origin="beyond", variant=family))
        for name, (text, better, worse) in ORDER_CLAIMS.items():
            verdicts = [paired(simulated, family, rho, as_key(better), as_key(worse), "worse - better")
                        for rho in rhos]
            rows.append(claim(name, SOURCE, f"{family}, magnitude: {text.format(m=m_near_n)}",
                              over_range(verdicts, where, unit="rho = "), origin="beyond", variant=family))
    return rows


def _lemma1_claims(limit: pd.DataFrame) -> list[dict]:
    """The two theory-only claims about rho -> 1, each a ratio to its threshold judged with the
    characterization's finite-size error as the band."""
    near = limit[limit.rho != LEMMA]
    lemma = limit[limit.rho == LEMMA].iloc[0]
    last, before = near.iloc[-1], near.iloc[-2]
    threshold = max(10 * lemma.dense, 1e-4)
    dense = deterministic(last.dense / threshold, 1.0, tolerance("refit-lemma1-dense-gap"), "above",
                          f"{last.dense:.3g} at rho = {last.rho}, {last.dense / threshold:.3g} times the threshold "
                          f"{threshold:.3g} (Lemma 1: {lemma.dense:.3g})")
    shrink = (1 - float(last.rho)) / (1 - float(before.rho))
    ratio = last["retrained bias"] / before["retrained bias"] if before["retrained bias"] > 0 else 0.0
    bias = deterministic(ratio / (2 * shrink), 1.0, tolerance("refit-lemma1-bias-vanishes"), "below",
                         f"bias {before['retrained bias']:.2g} at rho = {before.rho}, {last['retrained bias']:.2g} "
                         f"at rho = {last.rho}: ratio {ratio:.2g}, {ratio / (2 * shrink):.2g} times the bound")
    return [claim("refit-lemma1-dense-gap", "Lemma 1", "the dense fit's excess risk does not tend to Lemma 1's "
                  f"sigma^2/(n-2) as rho -> 1 (more than 10 times it, and above 1e-4, at rho = {last.rho})", dense,
                  origin="beyond"),
            claim("refit-lemma1-bias-vanishes", "Lemma 1", "retraining removes the pruning bias as rho -> 1, as in "
                  "Lemma 1: the bias shrinks at least in proportion to 1 - rho (ratio at most "
                  f"{2 * shrink:.2g} from rho = {before.rho} to {last.rho})", bias, origin="beyond")]


def summary(theory: pd.DataFrame, simulated: dict, features, family: str, rhos, split_fractions, m: float,
            rule: str = "magnitude") -> pd.DataFrame:
    """Simulated mean risk of each refit of one family over rho (the split at the theory's best
    simulated fraction, distillation with m and with infinitely many inputs), beside the risk
    L(0) of the zero model; ``features(rho)`` builds the family's CorrelatedFeatures."""
    rows = []
    for rho in rhos:
        point, problem = simulated[(family, rho)], features(rho).problem
        f = best_split(theory, family, rule, rho, split_fractions)
        rows.append({"rho": rho, "L(0)": float(problem.risk(np.zeros(problem.p))), "pruned": point[key(rule)].mean(),
                     "fresh": point[key(f"{rule}+retrain")].mean(),
                     "same sample": point[key(f"{rule}+retrain-same-sample")].mean(), "split f": f,
                     "split": point[key(f"{rule}+split", f)].mean(),
                     f"distill m={m:g}": point[key(f"{rule}+distill", m=float(m))].mean(),
                     "distill m=inf": point[key(f"{rule}+distill", m=INF)].mean()})
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


def _split_numbers(theory, simulated, families, family, rhos, split_fractions, m) -> dict:
    """The quoted ratios of one family: same-sample to fresh-sample retraining, the best split to either
    (fresh: theory), and at how many rhos the latter is within the theory's own error."""
    table = summary(theory, simulated, families[family], family, rhos, split_fractions, m)
    same, split = table["same sample"] / table["fresh"], table["split"] / table["same sample"]
    split_ratio = split_against_fresh(theory, family, rhos, split_fractions)
    within = (split_ratio - 1).abs() / split_ratio.clip(upper=1) <= tolerance("refit-split-vs-fresh")
    return {f"same-fresh-min-{family}": same.min(), f"same-fresh-max-{family}": same.max(),
            f"split-same-min-{family}": split.min(), f"split-same-max-{family}": split.max(),
            f"split-fresh-min-{family}": split_ratio.min(), f"split-fresh-max-{family}": split_ratio.max(),
            f"split-fresh-unclear-{family}": int(within.sum())}


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
    stars = crossings(theory, families)
    numbers |= {f"rho-star-{name}": stars[(family, rule, "retrain")] for name, family, rule in
                [("equi", "equicorrelated", "magnitude"), ("block", "block", "magnitude"),
                 ("equi-hessian", "equicorrelated", "hessian")]}
    for (family, refit), (low, high) in crossing_brackets(simulated, families, rhos).items():
        name = ("equi" if family == "equicorrelated" else family) + ("-same" if refit.endswith("-sample") else "")
        numbers |= {f"bracket-{name}-low": low, f"bracket-{name}-high": high}
    numbers["m-near-n"] = m_near_n = nearest_m(unlabeled, n)
    for family in families:
        numbers |= _split_numbers(theory, simulated, families, family, rhos, split_fractions, m_near_n)
    (small_n, small), (_, full) = shares.items()
    numbers |= {"rho-count": len(rhos), "share-small": small, "share-small-n": small_n, "share-full": full}
    break_even = break_even_table(theory, families, rhos, s, max(unlabeled))
    gain = [theory_at(theory, family, "magnitude+distill", rho, m=np.inf) / theory_at(theory, family, "magnitude+retrain", rho)
            for family in families for rho in rhos]
    numbers |= {"break-even-max": float(break_even.max().max()), "break-even-min": float(break_even.min().min()),
                "n-labels": n, "distill-gain-min": 1 - max(gain), "distill-gain-max": 1 - min(gain)}
    return numbers | _limit_numbers(limit, noiseless, sigma, s, n)
