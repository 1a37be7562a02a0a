"""The claims of chapter 12 (correlated features: which refit of a pruned support pays), each judged by
a rule of :mod:`overparam.book.verdicts` with the tolerance declared in
:mod:`overparam.book.claim_table`; the read-outs they use are in
:mod:`overparam.reports.correlated_refits`.

A comparison of two refits over rho is stated as the answer the run gives, not as a blanket "A beats
B": where the paired sign changes, the claim is that it changes between the two simulated correlations
that bracket the change (:func:`locate_sign_change`, on the chapter's draws), and every other simulated
rho is judged against that statement on independent draws (:class:`Replicate`: another seed stream at
the same size, and a second size), so that the located bracket can fail.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from overparam.book.claim_table import tolerance
from overparam.book.claims import claim
from overparam.book.curve_names import CurveName
from overparam.book.verdicts import Verdict, agreement, deterministic, over_range
from overparam.experiments.correlated_refits import LEMMA, key, theory_keys
from overparam.reports.correlated_refits import (FAMILY_TITLES, FLIP, agreement_points, best_split, crossing, nearest_m,
                                                 paired, sign_agreement)
from overparam.theory.refit import RULES

SOURCE = "beyond: correlated features"
ORDER_CLAIMS = {  # id: (name of a, name of b, a, b), with m the distillation size nearest n
    "refit-same-beats-pruning": ("same-sample retraining", "pruning alone", "magnitude+retrain-same-sample",
                                 "magnitude"),
    "refit-same-beats-fresh": ("same-sample retraining", "fresh-sample retraining", "magnitude+retrain-same-sample",
                               "magnitude+retrain"),
    "refit-distill-beats-fresh": ("distillation with m = {m:g} unlabelled inputs", "fresh-sample retraining",
                                  "magnitude+distill", "magnitude+retrain"),
    "refit-distill-beats-same": ("distillation with m = {m:g} unlabelled inputs", "same-sample retraining",
                                 "magnitude+distill", "magnitude+retrain-same-sample"),
    "refit-pooled-beats-fresh": ("the dense fit of all 2n labelled points, pruned and retrained on them",
                                 "fresh-sample retraining", "magnitude+retrain-pooled", "magnitude+retrain"),
    "refit-design-beats-fresh": ("retraining on the training inputs with fresh noise", "fresh-sample retraining",
                                 "magnitude+retrain-same-design", "magnitude+retrain"),
    "refit-same-beats-design": ("same-sample retraining", "retraining on the training inputs with fresh noise",
                                "magnitude+retrain-same-sample", "magnitude+retrain-same-design"),
}


def _flipped(verdict: Verdict) -> Verdict:
    """The same interval read as the opposite claim ("b beats a" from "a beats b")."""
    return replace(verdict, status=FLIP.get(verdict.status, verdict.status))


def _segments(states) -> list[list]:
    """Runs of significant points on one side: [[side, first index, last index], ...] in order."""
    runs = []
    for i, state in enumerate(states):
        if state == "inconclusive":
            continue
        if runs and runs[-1][0] == state:
            runs[-1][2] = i
        else:
            runs.append([state, i, i])
    return runs


def locate_sign_change(verdicts: list[Verdict], rhos, a: str, b: str) -> tuple[list, str]:
    """The statement about the order of a and b over rho that one run's paired Verdicts of "a beats b"
    locate: the runs of simulated rhos at which one side is significantly better, and the brackets in
    which the sign changes (the last rho of one run, the first of the next). Every rho up to a bracket
    is assigned the side before it, every rho from it on the side after; the rhos strictly inside a
    bracket, where neither side is significant, are left out (None). Without a significant point every
    side is None. Returns the side per rho ("reproduced": a beats b, "not reproduced": b beats a) and
    the statement's words."""
    where = [f"{rho:g}" for rho in rhos]
    runs = _segments([verdict.status for verdict in verdicts])
    sides = [None] * len(rhos)
    if not runs:
        return sides, f"{a} and {b} are not told apart at any simulated rho"
    names = {"reproduced": (a, b), "not reproduced": (b, a)}
    if len(runs) == 1:
        return [runs[0][0]] * len(rhos), "{} beats {} at every simulated rho".format(*names[runs[0][0]])
    parts = []
    for j, (side, first, last) in enumerate(runs):
        lo = 0 if j == 0 else first
        hi = len(rhos) - 1 if j == len(runs) - 1 else last
        sides[lo:hi + 1] = [side] * (hi + 1 - lo)
        span = (f"up to rho = {where[hi]}" if j == 0 else f"from rho = {where[lo]} on" if j == len(runs) - 1
                else f"at rho = {where[lo]}" if lo == hi else f"from rho = {where[lo]} to {where[hi]}")
        parts.append("{} beats {} ".format(*names[side]) + span)
    changes = ", and ".join(f"between {where[runs[j][2]]} and {where[runs[j + 1][1]]}" for j in range(len(runs) - 1))
    count = "once" if len(runs) == 2 else f"{len(runs) - 1} times"
    return sides, "; ".join(parts) + f": the sign changes {count}, {changes}"


def judge_sides(verdicts: list[Verdict], sides: list, rhos) -> Verdict:
    """A located statement (:func:`locate_sign_change`) judged on paired Verdicts of "a beats b" at the
    same rhos: each rho with a side is the Verdict read as that side; the rhos left out do not count.
    When the statement assigns no side at all it cannot be tested: inconclusive at every rho."""
    where = [f"{rho:g}" for rho in rhos]
    kept = [i for i, side in enumerate(sides) if side is not None]
    if not kept:
        return over_range([Verdict("inconclusive", "no located side", rule="comparison")] * len(rhos), where,
                          unit="rho = ")
    as_side = lambda verdict, side: verdict if side == "reproduced" else _flipped(verdict)
    return over_range([as_side(verdicts[i], sides[i]) for i in kept], [where[i] for i in kept], unit="rho = ")


def sign_change(verdicts: list[Verdict], rhos, a: str, b: str) -> tuple[Verdict, str]:
    """The statement located by ``verdicts`` (:func:`locate_sign_change`) judged on the same verdicts.
    Such a verdict can only fail through an inconclusive point inside a run: the chapter judges the
    statement on independent draws instead (:func:`replicated_order_claims`)."""
    sides, text = locate_sign_change(verdicts, rhos, a, b)
    return judge_sides(verdicts, sides, rhos), text


def refit_claims(theory: pd.DataFrame, simulated: dict, limit: pd.DataFrame, rhos, split_fractions,
                 n: int, replicates=()) -> list[dict]:
    """The chapter's claims (origin ``beyond``), each judged by a rule of overparam.book.verdicts
    with the tolerance declared in overparam.book.claim_table. ``limit`` is
    :func:`~overparam.experiments.correlated_refits.lemma1_limit`'s table (two correlations near 1 at
    least, then Lemma 1's row); ``replicates`` the :class:`Replicate` draws that judge the order claims
    (without them there are none)."""
    families = sorted({family for family, _ in simulated}, key=list(FAMILY_TITLES).index)
    points = agreement_points(theory, simulated)
    rows = [claim("refit-dc-agreement", SOURCE, "the sampled DC predicts every refit (dense, pruned, fresh-sample "
                  "retraining, split sample, distillation) at every simulated correlation of every family, within "
                  f"{tolerance('refit-dc-agreement'):.0%} of its risk",
                  agreement(points.theory, points.simulation, points.ci_low, points.ci_high,
                            tolerance("refit-dc-agreement")), origin="beyond")]
    band = tolerance("refit-retrain-beats-pruning")
    for family in families:
        for rule in RULES:
            star = crossing(theory, family, f"{rule}+retrain", rule)
            where_theory = f"above rho* = {star:.3g}" if np.isfinite(star) else f"nowhere up to rho = {max(rhos):g}"
            verdict = sign_agreement(simulated, theory, family, rhos, key(f"{rule}+retrain"), key(rule), band)
            rows.append(claim("refit-retrain-beats-pruning", SOURCE, f"{family}, {rule}: fresh-sample retraining beats "
                              f"pruning alone where the DC says ({where_theory} in theory), at every simulated rho",
                              verdict, origin="beyond", variant=f"{family}-{rule}"))
    rows += _order_claims(theory, simulated, families, rhos, split_fractions, n, replicates)
    rows.append(_identity_check(simulated))
    return rows + _lemma1_claims(limit)


@dataclass(frozen=True)
class Replicate:
    """Simulated draws independent of those that locate the order claims' sign changes: per-draw risks
    as :func:`~overparam.experiments.correlated_refits.simulation_sweep` returns them (at least the
    curves of ORDER_CLAIMS, distillation with ``m`` inputs), where they were drawn (``label``, for the
    claim's words) and the suffix of the claims' ids (``variant``)."""

    simulated: dict
    m: float
    label: str
    variant: str = ""


def _order_claims(theory, simulated, families, rhos, split_fractions, n, replicates) -> list[dict]:
    """Per family: the best split against fresh-sample retraining (the order the DC predicts; families
    with splits only), and the paired comparisons of ORDER_CLAIMS: each statement located on the
    chapter's draws (:func:`locate_sign_change`) and judged on every replicate's independent draws
    (:func:`replicated_order_claims`)."""
    rows = []
    for family in families:
        if key("magnitude+split", float(split_fractions[0])) in simulated[(family, rhos[0])]:
            split_vs_fresh = sign_agreement(simulated, theory, family, rhos, key("magnitude+retrain"), lambda rho: key(
                "magnitude+split", best_split(theory, family, "magnitude", rho, split_fractions)),
                tolerance("refit-split-vs-fresh"))
            rows.append(claim("refit-split-vs-fresh", SOURCE, f"{family}, magnitude: the split at the theory's best "
                              "fraction is better or worse than fresh-sample retraining as the DC says, at every "
                              "simulated rho", split_vs_fresh, origin="beyond", variant=family))
    finite = sorted(k[2] for k in theory_keys(simulated) if k[0] == "magnitude+distill" and np.isfinite(k[2]))
    return rows + replicated_order_claims(simulated, nearest_m(finite, n), families, rhos, replicates)


def _order_verdicts(simulated: dict, family: str, rhos, better: str, worse: str, m: float) -> list[Verdict]:
    """Paired Verdicts of "``better`` beats ``worse``" at every rho (distillation with ``m`` inputs)."""
    as_key = lambda curve: key(curve, m=float(m)) if CurveName.parse(curve).refit == "distill" else key(curve)
    return [paired(simulated, family, rho, as_key(better), as_key(worse), "b - a") for rho in rhos]


def replicated_order_claims(simulated: dict, m: float, families, rhos, replicates) -> list[dict]:
    """The comparisons of ORDER_CLAIMS as testable claims: each statement (which side wins at which rho,
    where the sign changes) is located on ``simulated`` (distillation with ``m`` inputs) and judged on
    the independent draws of each :class:`Replicate`, with paired intervals; no replicate, no claim."""
    rows = []
    for family in families:
        for name, (a, b, better, worse) in ORDER_CLAIMS.items():
            sides, text = locate_sign_change(_order_verdicts(simulated, family, rhos, better, worse, m), rhos,
                                             a.format(m=m), b)
            for replicate in replicates:
                verdict = judge_sides(_order_verdicts(replicate.simulated, family, rhos, better, worse, replicate.m),
                                      sides, rhos)
                words = text.replace(f"m = {m:g}", f"m = {replicate.m:g}")
                rows.append(claim(name, SOURCE, f"{family}, magnitude: {words} (located on the chapter's draws, judged "
                                  f"on {replicate.label})", verdict, origin="beyond",
                                  variant=family + replicate.variant))
    return rows


def replication_table(claims: pd.DataFrame, replicates) -> pd.DataFrame:
    """The order claims side by side: per comparison and family, the status of the located statement on
    each :class:`Replicate`'s draws (columns: the replicates' labels)."""
    rows = []
    for name in ORDER_CLAIMS:
        for row in claims[claims.id.str.startswith(name + "-")].itertuples():
            variant = row.id[len(name) + 1:]
            replicate = next(r for r in sorted(replicates, key=lambda r: -len(r.variant)) if variant.endswith(r.variant))
            family = variant[:len(variant) - len(replicate.variant)] if replicate.variant else variant
            rows.append({"claim": name, "family": family, "draws": replicate.label, "status": row.status})
    table = pd.DataFrame(rows, columns=["claim", "family", "draws", "status"])
    return table.pivot(index=["claim", "family"], columns="draws", values="status").reindex(
        columns=[r.label for r in replicates])


def replication_points(simulated: dict, m: float, families, rhos, replicates) -> pd.DataFrame:
    """Point by point, what :func:`replicated_order_claims` judges: per comparison, family, replicate and
    simulated rho the side the chapter's draws assign (None: left out) and the replicate's paired status
    read as that side."""
    rows = []
    for family in families:
        for name, (a, b, better, worse) in ORDER_CLAIMS.items():
            sides, _ = locate_sign_change(_order_verdicts(simulated, family, rhos, better, worse, m), rhos, a, b)
            for replicate in replicates:
                verdicts = _order_verdicts(replicate.simulated, family, rhos, better, worse, replicate.m)
                for rho, side, verdict in zip(rhos, sides, verdicts):
                    state = None if side is None else (verdict if side == "reproduced" else _flipped(verdict)).status
                    rows.append((name, family, replicate.label, rho, side, state))
    return pd.DataFrame(rows, columns=["claim", "family", "draws", "rho", "side", "status"])


def replication_numbers(table: pd.DataFrame, points: pd.DataFrame, replicates) -> dict:
    """Glue keys of :func:`replication_table` and :func:`replication_points`: per replicate (``same`` for
    the first, ``second`` for the second), how many located statements are reproduced, partly, not
    reproduced and inconclusive on its draws, and how many of the points they assign hold, fail and are
    inconclusive; how many statements and assigned points there are."""
    numbers = {"replicated-claims": len(table)}
    for name, replicate in zip(("same", "second"), replicates):
        counts = table[replicate.label].value_counts()
        for status in ("reproduced", "partly", "not reproduced", "inconclusive"):
            numbers[f"replicated-{name}-{status.replace(' ', '-')}"] = int(counts.get(status, 0))
        states = points.status[(points.draws == replicate.label) & points.side.notna()]
        numbers["replicated-points"] = len(states)
        for status, word in (("reproduced", "hold"), ("not reproduced", "fail"), ("inconclusive", "unclear")):
            numbers[f"replicated-{name}-points-{word}"] = int((states == status).sum())
    return numbers


def _identity_check(simulated: dict) -> dict:
    """Distilling on the training inputs is same-sample retraining (the min-norm teacher interpolates
    the labels when p > n): the largest relative difference of their risks over every draw."""
    gaps = [np.max(np.abs(point[key("magnitude+distill-training-inputs")] - point[key("magnitude+retrain-same-sample")])
                   / point[key("magnitude+retrain-same-sample")]) for point in simulated.values()]
    verdict = deterministic(float(max(gaps)), 1e-9, 0.0, "below",
                            f"largest relative difference {max(gaps):.1e} over {len(gaps)} points")
    return claim("refit-distill-train-equals-same", SOURCE, "distilling on the training inputs equals same-sample "
                 "retraining draw by draw (the min-norm teacher interpolates the labels), up to round-off 1e-9",
                 verdict, origin="beyond", kind="check")


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
