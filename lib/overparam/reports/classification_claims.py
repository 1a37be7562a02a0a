"""Chapter 13's claims (classification of sign labels, beyond the paper), and the paired comparisons
they rest on: the least-squares points set against the prediction on the distance from chance, the
per-draw differences of two curves, and the sizes chosen on one half of the draws and judged on the
other.

Every claim comes from a rule of :mod:`overparam.book.verdicts` with the tolerance declared in
:mod:`overparam.book.claim_table`; the tables and the quoted numbers are in
:mod:`overparam.reports.classification`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.curve_names import CurveName, curves_with
from overparam.book.claims import claim
from overparam.book.claim_table import declared
from overparam.book.claim_table import tolerance as declared_tolerance
from overparam.book.verdicts import (Verdict, agreement, comparison, deterministic, equality, over_range, point_states,
                                     t_interval)
from overparam.experiments.classification import PanelRun, half_separable_size, predicted_best_size
from overparam.theory.classification import PRUNING_RULES

SECTION = "Sec. 5 (open question)"
# answer number -> a regular expression matching the texts of the claims that answer it (answer_counts)
ANSWER_PATTERNS = {"1": "rises past|peaks|is lower than", "2": "largest|favours", "3": "Hessian pruning beats",
                   "4": "matches|within"}


def ls_agreement_points(table: pd.DataFrame, n_of: dict, s_of: dict, window=(0.9, 1.1)) -> pd.DataFrame:
    """Every distinct simulated least-squares point beside its DC prediction (fresh-sample refits
    against the retraining prediction), away from the interpolation peak (k outside window * n); the
    pruned curves at k <= s, identical to the dense one (nothing is pruned), are left out. ``gap`` is
    the distance to the prediction relative to the prediction's distance from chance, 1/2 - error."""
    sim = table[(table.source == "simulation") & table.curve.str.startswith("ls/")
                & ~curves_with(table.curve, same_sample=True)]
    theory = table[table.source == "theory"][["panel", "curve", "k", "error"]]
    merged = sim.merge(theory, on=["panel", "curve", "k"], suffixes=("", "_theory"))
    n, s = merged.panel.map(n_of), merged.panel.map(s_of)
    pruned_only = merged.curve.isin([f"ls/{rule}" for rule in PRUNING_RULES])
    merged = merged[((merged.k < window[0] * n) | (merged.k > window[1] * n)) & ~(pruned_only & (merged.k <= s))].copy()
    merged["gap"] = (merged.error - merged.error_theory).abs() / (0.5 - merged.error_theory)
    return merged


def advantage_agreement(theory, error, ci_low, ci_high, tolerance: float):
    """:func:`overparam.book.verdicts.agreement` on the distance from chance, 1/2 - error: a point
    agrees when the 95% interval of its gap lies within ``tolerance`` of the predicted distance, disagrees
    when it lies entirely outside, and is inconclusive across an edge."""
    theory, error = np.asarray(theory, dtype=float), np.asarray(error, dtype=float)
    return agreement(0.5 - theory, 0.5 - error, 0.5 - np.asarray(ci_high, dtype=float),
                     0.5 - np.asarray(ci_low, dtype=float), tolerance=tolerance)


def advantage_states(points: pd.DataFrame, tolerance: float) -> pd.Series:
    """Each point of :func:`ls_agreement_points` judged alone by the rule of :func:`advantage_agreement`
    (:func:`overparam.book.verdicts.point_states` on the distance from chance): one status per point."""
    states = point_states(0.5 - points.error_theory.to_numpy(dtype=float), 0.5 - points.ci_high.to_numpy(dtype=float),
                          0.5 - points.ci_low.to_numpy(dtype=float), tolerance)
    return pd.Series(states, index=points.index, dtype=object)


def dense_for_every_rule(points: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The same points with a deliberately wrong prediction, the dense curve's, for every rule: what a
    test that cannot tell the rules apart would accept."""
    theory = table[(table.source == "theory") & (table.curve == "ls/dense")][["panel", "k", "error"]]
    wrong = points.drop(columns="error_theory").merge(theory.rename(columns={"error": "error_theory"}), on=["panel", "k"])
    return wrong


def held_out_choice(run: PanelRun, curve: str, sizes, highest: bool) -> tuple[int, int]:
    """A size of ``curve`` chosen on the first half of its draws (the highest mean error, or the lowest),
    so that the other half judges it without the choice's bias: (the size, the first draw left to judge)."""
    half = len(run.errors[curve]) // 2
    means = {k: run.draws(curve, k)[:half].mean() for k in sizes}
    return (max if highest else min)(means, key=means.get), half


def paired_gap(run: PanelRun, curve: str, other: str, k: int, other_k: int | None = None) -> tuple[float, float, float]:
    """Mean and 95% t interval of the per-draw difference err(curve at k) - err(other at other_k) over the
    draws both were fit on (logistic regression is fit on the first draws of the least-squares ones)."""
    a, b = run.draws(curve, k), run.draws(other, k if other_k is None else other_k)
    shared = min(a.size, b.size)
    return t_interval(a[:shared] - b[:shared])


def loss_interaction(run: PanelRun, s: int, p: int, rule: str = "hessian") -> np.ndarray:
    """Per shared draw, (logistic - least squares) of [error at k = s minus at k = p]: how much more
    cross-entropy favours the largest model than least squares does."""
    trials = len(run.errors[f"logistic/{rule}"])
    return ((run.draws(f"logistic/{rule}", s) - run.draws(f"logistic/{rule}", p))
            - (run.draws(f"ls/{rule}", s) - run.draws(f"ls/{rule}", p))[:trials])


def held_out_difference(run: PanelRun, curve: str) -> tuple[int, int, np.ndarray]:
    """The best size of ``curve`` other than the largest, chosen on the first half of its draws
    (:func:`held_out_choice`), and the per-draw error there minus at the largest size on the other
    half: (the size, the first draw judged, the differences)."""
    grid = run.ks if curve.startswith("ls/") else run.logistic_ks
    p = max(grid)
    best, first = held_out_choice(run, curve, [k for k in grid if k != p], highest=False)
    return best, first, (run.draws(curve, best) - run.draws(curve, p))[first:]


def classification_claims(runs: dict, theories: dict, theory_ks: dict, table: pd.DataFrame, n_of: dict, s_of: dict,
                          wide: str, spiked=("b",), full_share: float = 0.75, dc_confirm: dict | None = None) -> list:
    """The chapter's four answers as claims (origin ``beyond``), each from a rule of
    :mod:`overparam.book.verdicts` with the tolerance declared in
    :mod:`overparam.book.claim_table`; comparisons are paired over the draws the curves share.

    ``spiked`` names the panels with a spiked covariance, where Hessian and magnitude pruning differ.
    (1) double descent (:func:`_peak_claim`); (2) the largest model is the best to prune
    (:func:`_largest_claim`; the prediction's version on the fresh draws ``dc_confirm[panel] =
    (k, errors at k, errors at p)`` when given, a theory-only inequality), and on the spiked panels
    whether cross-entropy moves k = s against k = p more than least squares does (the paired
    interaction); (3) Hessian beats magnitude pruning on the spiked panels at every k > s; (4) the DC
    prediction of the least-squares classifier agrees with simulation on the distance from chance, away
    from the peak; cross-entropy equals least squares (paired draws) at every logistic size k <= s, at
    every k > s, and on panel ``wide`` at the sizes where the interpolator is the max-margin classifier
    in a share ``full_share`` of the draws or more.
    """
    claims = []
    for panel, run in runs.items():
        n, s = n_of[panel], s_of[panel]
        for fit in ["ls", "logistic"]:
            for rule in ["dense", "magnitude", "hessian"]:
                peak = _peak_claim(panel, run, f"{fit}/{rule}", s, n)
                claims += [peak] if peak else []
                if rule != "dense":
                    claims.append(_largest_claim(panel, run, f"{fit}/{rule}", theories[panel], list(theory_ks[panel])))
        smaller = _peak_smaller_claim(panel, run, n)
        claims += [smaller] if smaller else []
        if panel in spiked:
            claims += _spiked_claims(panel, run, s, max(run.ks))
        claims.append(_dc_best_claim(panel, theories[panel]["hessian"], list(theory_ks[panel]), max(run.ks),
                                     (dc_confirm or {}).get(panel)))
    claims += _agreement_claims(ls_agreement_points(table, n_of, s_of), runs)
    for panel, run in runs.items():
        claims += _loss_claims(panel, run, s_of[panel], panel == wide, full_share, theories[panel], list(theory_ks[panel]))
    return claims


def fixed_peak(run: PanelRun, fit: str, s: int, n: int) -> int | None:
    """Where the peak of a fit's error is looked for, fixed before any error is looked at: for least
    squares the simulated size nearest 1.05 n (the interpolation threshold); for logistic regression the
    separability threshold, the smallest k at which the linear program finds half of the training samples
    separable (a property of the training data alone). None when it is not a simulated size strictly
    between s and p."""
    grid = run.ks if fit == "ls" else run.logistic_ks
    inner = [k for k in grid if s < k < max(grid)]
    if fit == "ls":
        return min(inner, key=lambda k: abs(k - 1.05 * n)) if inner else None
    threshold = half_separable_size(run.separation_sizes)
    return threshold if threshold in inner else None


def _peak_claim(panel, run, curve, s, n):
    """"The error rises past k = s and falls back by k = p": the error at the peak (:func:`fixed_peak`)
    above the error at k = s and at k = p (paired, every draw). None when k = s or the peak was not
    simulated."""
    fit = CurveName.parse(curve).fit
    grid, peak = (run.ks if fit == "ls" else run.logistic_ks), fixed_peak(run, fit, s, n)
    if s not in grid or peak is None:
        return None
    where = "near n" if fit == "ls" else "the separability threshold"
    above = [comparison(run.draws(curve, peak) - run.draws(curve, k), what=f"error at k = {peak} minus at k = {k}")
             for k in (s, max(grid))]
    what = "error" if CurveName.parse(curve).rule == "dense" else "pruned error"
    text = (f"({panel}) {curve}: the {what} rises past k = s and falls back by k = p (peak at k = {peak}, {where}, "
            "fixed in advance)")
    return claim("cls-peak", SECTION, text, over_range(above, [f"vs k = {s}", f"vs k = {max(grid)}"]), origin="beyond",
                 variant=f"{panel}-{curve.replace('/', '-')}")


def peak_drop(run: PanelRun, n: int) -> np.ndarray:
    """Per draw both fits share: the dense least-squares error at its peak (near n) minus the dense
    logistic error at the separability threshold (empty when the threshold was not simulated)."""
    threshold = half_separable_size(run.separation_sizes)
    if threshold not in run.logistic_ks:
        return np.array([])
    logistic = run.draws("logistic/dense", threshold)
    return run.draws("ls/dense", fixed_peak(run, "ls", 0, n))[:logistic.size] - logistic


def _peak_smaller_claim(panel, run, n):
    """"Cross-entropy's peak is lower than least squares'": :func:`peak_drop` above zero, paired. None
    when the threshold was not simulated."""
    drop, threshold, ls_peak = peak_drop(run, n), half_separable_size(run.separation_sizes), fixed_peak(run, "ls", 0, n)
    if not drop.size:
        return None
    verdict = comparison(drop, what=f"least-squares error at k = {ls_peak} minus logistic error at k = {threshold}")
    return claim("cls-peak-smaller", SECTION, f"({panel}) dense: the cross-entropy peak (at the separability threshold "
                 f"k = {threshold}) is lower than the least-squares peak (near n, k = {ls_peak})", verdict,
                 origin="beyond", variant=panel)


def _largest_claim(panel, run, curve, theory, theory_sizes):
    """"The largest model is the best one to prune": the error at the best other size minus at k = p,
    paired. For least squares the best other size by the DC prediction (fixed before the draws); for
    logistic regression by the first half of the draws, judged on the other half."""
    if curve.startswith("ls/"):
        p = max(run.ks)
        best = predicted_best_size(theory[CurveName.parse(curve).pipeline], theory_sizes, [k for k in run.ks if k != p])
        differences, chosen = run.draws(curve, best) - run.draws(curve, p), "the best other size by the DC prediction"
    else:
        p, (best, first, differences) = max(run.logistic_ks), held_out_difference(run, curve)
        chosen = f"the best other size on the first {first} draws, judged on the other {len(run.errors[curve]) - first}"
    verdict = comparison(differences, what=f"error at k = {best} ({chosen}) minus at k = p")
    return claim("cls-largest-best", SECTION, f"({panel}) {curve}: the largest model (k = {p}) is the best one to prune",
                 verdict, origin="beyond", variant=f"{panel}-{curve.replace('/', '-')}")


def _spiked_claims(panel, run, s, p):
    """Hessian against magnitude pruning at every k > s (both fits), and the loss's effect on k = s
    against k = p (the paired interaction)."""
    claims = []
    for fit in ["ls", "logistic"]:
        grid = [k for k in (run.ks if fit == "ls" else run.logistic_ks) if k > s]
        wins = [comparison(run.draws(f"{fit}/magnitude", k) - run.draws(f"{fit}/hessian", k),
                           what="magnitude minus Hessian error") for k in grid]
        claims.append(claim("cls-hessian-beats-magnitude", SECTION,
                            f"({panel}) {fit}: Hessian pruning beats magnitude pruning at every k > s",
                            over_range(wins, grid, "k = "), origin="beyond", variant=f"{panel}-{fit}"))
    claims.append(claim("cls-interaction", SECTION, f"({panel}) Hessian: cross-entropy favours the largest model "
                        "(k = p against k = s) more than least squares does",
                        comparison(loss_interaction(run, s, p),
                                   what="(logistic - least squares) of [error at k = s minus at k = p]"),
                        origin="beyond", variant=panel))
    return claims


def _dc_best_claim(panel, predicted, sizes, p, confirm):
    """The prediction's own answer to "the largest model is the best one to prune" (Hessian): a theory-only
    inequality, the predicted advantage of k = p over the best other size relative to the predicted
    distance from chance at k = p, inconclusive within the prediction's declared accuracy."""
    if confirm is None:
        best_k = predicted_best_size(predicted, sizes, (k for k in sizes if k != p))
        confirm = (best_k, predicted[:, sizes.index(best_k)], predicted[:, sizes.index(p)])
    best_k, at_best, at_p = confirm
    difference, chance = float(np.mean(at_best) - np.mean(at_p)), 0.5 - float(np.mean(at_p))
    text = (f"predicted error {np.mean(at_best):.3f} at the best other size k = {best_k}, {np.mean(at_p):.3f} at k = p "
            f"({len(at_p)} draws): difference {difference:+.3f}, {difference / chance:+.1%} of the distance from chance")
    return claim("cls-dc-largest-best", SECTION, f"({panel}) DC prediction: the largest least-squares model is the best "
                 "one to prune (Hessian)", deterministic(difference / chance, 0.0, declared_tolerance("cls-dc-largest-best"),
                                                         "above", text), origin="beyond", variant=panel)


def _agreement_claims(points: pd.DataFrame, runs: dict) -> list:
    """Per panel: the DC prediction against the simulated least-squares classifier, on the distance from chance."""
    claims, margin = [], declared_tolerance("cls-dc-agreement")
    for panel in runs:
        here = points[points.panel == panel]
        what = "dense, pruned" + (", refit on a fresh sample" if curves_with(here.curve, refit="retrain", same_sample=False).any() else "")
        claims.append(claim("cls-dc-agreement", SECTION, f"({panel}) the DC prediction matches the least-squares "
                            f"classifier's distance from chance, 1/2 - error ({what}), within {margin:.0%}, away from "
                            "the peak", advantage_agreement(here.error_theory, here.error, here.ci_low, here.ci_high, margin),
                            origin="beyond", variant=panel))
    return claims


def _no_points(reason: str, key: str) -> Verdict:
    """A claim over a range with no point to judge: inconclusive, under the rule and tolerance it is declared with."""
    rule = declared(key)
    return Verdict("inconclusive", reason, rule=rule.rule, tolerance=rule.tolerance, at_half="inconclusive",
                   at_double="inconclusive")


def _loss_claims(panel, run, s, wide, full_share, theory, theory_sizes):
    """Cross-entropy against least squares (paired equality within the declared margin): at every logistic
    size k <= s, and at every k > s (or, on the wide panel, where the interpolator is the max-margin
    classifier in a share ``full_share`` of the draws or more; there the per-draw differences are taken
    relative to the predicted distance from chance, 1/2 - error, of the least-squares fit, from ``theory``
    on ``theory_sizes``)."""
    claims, trials = [], len(run.errors["logistic/dense"])

    def close(rule, k, key):
        difference = run.draws(f"logistic/{rule}", k) - run.draws(f"ls/{rule}", k)[:trials]
        if key == "cls-loss-max-margin":
            chance = 0.5 - theory[rule][:, theory_sizes.index(k)].mean()
            return equality(difference / chance, declared_tolerance(key),
                            what="logistic minus least-squares error over the predicted distance from chance")
        return equality(difference, declared_tolerance(key), what="logistic minus least-squares error")
    small = [k for k in run.logistic_ks if k <= s]
    if small:
        margin = declared_tolerance("cls-loss-small-k")
        claims.append(claim("cls-loss-small-k", SECTION, f"({panel}) dense: cross-entropy is within {margin:g} of least "
                            "squares at every k <= s (nothing pruned)",
                            over_range([close("dense", k, "cls-loss-small-k") for k in small], small, "k = "),
                            origin="beyond", variant=panel))
    shared, where, key = [k for k in run.logistic_ks if k > s], "at every k > s", "cls-loss-large-k"
    if wide:
        share = dict(zip(run.ks, run.interpolator_is_max_margin.mean(axis=0)))
        shared = [k for k in shared if share.get(k, 0) >= full_share]
        key = "cls-loss-max-margin"
        where = f"where the interpolator is the max-margin classifier in {full_share:.0%} of the draws or more"
    for rule in ["dense", "hessian"]:
        verdict = (over_range([close(rule, k, key) for k in shared], shared, "k = ") if shared
                   else _no_points("no size qualifies", key))
        within = (f"{declared_tolerance(key):.0%} of the predicted distance from chance" if wide
                  else f"{declared_tolerance(key):g}")
        claims.append(claim(key, SECTION, f"({panel}) {rule}: cross-entropy is within {within} of "
                            f"least squares {where}", verdict, origin="beyond", variant=f"{panel}-{rule}"))
    return claims


def answer_counts(claims: pd.DataFrame, panels: str = r"\((a|b)\)") -> dict:
    """Per answer of the chapter (:data:`ANSWER_PATTERNS`: a pattern of its claims' texts), the statuses of its
    claims on the panels matching ``panels``, counted."""
    on_panels = claims[claims.claim.str.match(panels)]
    return {number: on_panels[on_panels.claim.str.contains(pattern)].status.value_counts().to_dict()
            for number, pattern in ANSWER_PATTERNS.items()}


HEADLINE = ("cls-peak-b-logistic-dense", "cls-peak-smaller-b", "cls-largest-best-a-logistic-hessian",
            "cls-hessian-beats-magnitude-b-logistic", "cls-dc-agreement-b", "cls-loss-max-margin-c-dense")


def headline_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims that encode the chapter's short answers (:data:`HEADLINE`), in that order; the others
    stay in the full table."""
    return claims[claims.id.isin(HEADLINE)].set_index("id").loc[[i for i in HEADLINE if i in set(claims.id)]].reset_index()


def cross_entropy_hessian_gap(run: PanelRun, k: int) -> np.ndarray:
    """Per logistic draw at size k: the error of the dense logistic fit pruned by the cross-entropy's own
    Hessian diagonal minus pruned by the squared loss's (the chapter's Hessian rule)."""
    return run.cross_entropy_hessian[:, run.logistic_ks.index(k)] - run.draws("logistic/hessian", k)
