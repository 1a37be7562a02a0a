"""How a claim gets its status: a few rules, each able to fail, each fed the measured effect and
its uncertainty.

Every status in a ``claims.csv`` comes from one of these functions, never from a literal or an
inline condition in a chapter:

- :func:`comparison` -- "A beats B": the 95% Student-t interval of the per-draw difference (paired
  when A and B share draws) against 0;
- :func:`equality` -- "A equals B": the interval of the difference inside a stated margin;
- :func:`non_inferiority` -- "A is no better than B" (or "not worse by more than"): the interval
  of the difference against one side of a margin;
- :func:`agreement` -- "theory matches simulation": an equivalence decision at every point (the
  point's interval inside the tolerance band, outside it, or across its edge), then
  :func:`~overparam.book.tallies.tally`;
- :func:`over_range` -- a claim checked at each point of a range ("at every noise level"): the
  points' statuses, then :func:`~overparam.book.tallies.tally`;
- :func:`at_some_point` -- a claim made at some point of a range ("can", "at some sparsity"): the
  points' statuses, then :func:`~overparam.book.tallies.exists`;
- :func:`deterministic` -- a theory-only inequality (no draws): a number against a threshold, with
  a band (the theory's own finite-size error) inside which it is inconclusive;
- :func:`double_descent` -- a rise followed by a fall along consecutive paired steps, or its absence;
- :func:`inconclusive` -- a claim that this run cannot judge, with the reason.

Each returns a :class:`Verdict`: the status, the numbers behind it, the rule's name, its tolerance,
the fraction of points that hold (for the rules over points) and, for rules with a tolerance, the
status the same numbers get at half and at twice that tolerance (a claim whose status changes in
that range is *fragile*). The tolerances themselves are declared once, with their reasons, in
:mod:`overparam.book.claim_table`.

An algebraic identity or two code paths that must agree is a consistency *check*: it goes through
these rules too, but it is recorded with kind ``check`` and is never counted as a claim.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from overparam.book.stats import t_interval, welch_interval
from overparam.book import tallies

STATUSES = ("reproduced", "partly", "not reproduced", "inconclusive")
ORIGINS = ("paper", "paper-extended", "beyond")
KINDS = ("claim", "check", "control")
SCALES = ("defaults", "reduced", "paper-recipe")
MIN_DRAWS = 3


@dataclass(frozen=True)
class Verdict:
    """A status (one of STATUSES) and the measured numbers that decided it; the rule that decided
    it, its tolerance (None where the rule has none), the fraction of points that hold (None where
    the rule is not over points), and the statuses at half and at twice the tolerance (None where
    the rule has no tolerance)."""

    status: str
    measured: str
    rule: str = ""
    tolerance: float | None = None
    holds: float | None = None
    at_half: str | None = None
    at_double: str | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def fragile(self) -> bool:
        """The status changes when the tolerance is halved or doubled."""
        return any(other is not None and other != self.status for other in (self.at_half, self.at_double))


def with_tolerance(judge, tolerance: float) -> Verdict:
    """``judge(tolerance)`` (a rule with everything but its tolerance given), with the statuses at
    half and at twice the tolerance recorded beside its own."""
    verdict = judge(tolerance)
    return replace(verdict, tolerance=float(tolerance), at_half=judge(tolerance / 2).status,
                   at_double=judge(tolerance * 2).status)


def inconclusive(reason: str, rule: str = "none") -> Verdict:
    """A claim this run cannot judge (one width above the target, a point not simulated, ...)."""
    return Verdict("inconclusive", reason, rule=rule)


def _non_finite(values: np.ndarray) -> str:
    """'' when every value is finite, else a sentence saying how many are NaN or infinite."""
    bad = int((~np.isfinite(values)).sum())
    return f"{bad} of {values.size} draws are NaN or infinite" if bad else ""


def _interval_text(mean, low, high, digits):
    return f"{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


OPPOSITE = {"falls": "rises", "rises": "falls", "fall": "rise", "rise": "fall"}


def effect_text(what: str, mean: float, low: float, high: float, digits: int = 3) -> str:
    """An effect and its 95% interval in words. A ``what`` ending in a direction ("the error falls")
    is written in the direction the mean went, with a positive size ("the error rises by 0.023 [0.000,
    0.046]", not "falls -0.023 [-0.046, -0.000]"); any other is followed by the signed numbers."""
    *subject, verb = what.split(" ")
    if verb not in OPPOSITE:
        return f"{what} {_interval_text(mean, low, high, digits)}"
    if mean < 0:
        verb, mean, low, high = OPPOSITE[verb], -mean, -high, -low
    plain = [f"{round(value, digits) + 0.0:.{digits}f}" for value in (mean, low, high)]  # no "-0.000"
    return f"{' '.join([*subject, verb])} by {plain[0]} [{plain[1]}, {plain[2]}]"


def _differences(values, what: str, digits: int, min_draws: int, rule: str):
    """The per-draw differences' mean and interval, or the inconclusive Verdict that stops a rule
    (NaN or infinite draws, fewer than ``min_draws``)."""
    values = np.asarray(values, dtype=float).ravel()
    broken = _non_finite(values)
    if broken:
        return Verdict("inconclusive", f"{what}: {broken}", rule=rule)
    mean, low, high = t_interval(values)
    if values.size < min_draws or not np.isfinite(low):
        return Verdict("inconclusive", f"{what} {mean:+.{digits}f} over {values.size} draws (fewer than {min_draws})",
                       rule=rule)
    return mean, low, high, f"{effect_text(what, mean, low, high, digits)} over {values.size} draws"


def comparison(a, b=None, paired: bool = True, digits: int = 3,
               min_draws: int = MIN_DRAWS, what: str = "difference") -> Verdict:
    """"A beats B", as ``a - b > 0`` (pass the sides so that a positive difference is the claim).

    With ``b`` None, ``a`` holds the per-draw differences already. Paired: the t interval of the
    per-draw differences; unpaired: Welch's interval. The interval above 0 gives ``reproduced``,
    below 0 ``not reproduced``, across 0 ``inconclusive``; so does any comparison with fewer than
    ``min_draws`` independent draws on a side, or with a NaN or infinite draw (said as such).
    """
    a = np.asarray(a, dtype=float).ravel()
    if b is not None:
        b = np.asarray(b, dtype=float).ravel()
        if paired and a.shape != b.shape:
            raise ValueError(f"paired comparison needs draws of equal count, got {a.size} and {b.size}")
        if paired:
            a = a - b
    if b is None or paired:
        decided = _differences(a, what, digits, min_draws, "comparison")
        if isinstance(decided, Verdict):
            return decided
        mean, low, high, text = decided
    else:
        broken = _non_finite(np.r_[a, b])
        if broken:
            return Verdict("inconclusive", f"{what}: {broken}", rule="comparison")
        draws = min(a.size, b.size)
        mean, low, high = welch_interval(a, b)
        if draws < min_draws or not np.isfinite(low):
            return Verdict("inconclusive", f"{what} {mean:+.{digits}f} over {draws} draws (fewer than {min_draws})",
                           rule="comparison")
        text = f"{effect_text(what, mean, low, high, digits)} over {draws} draws (unpaired)"
    status = "reproduced" if low > 0 else "not reproduced" if high < 0 else "inconclusive"
    return Verdict(status, text, rule="comparison")


def _margin_rule(differences, margin, rule, decide, digits, min_draws, what) -> Verdict:
    """A rule on the t interval of per-draw differences against a margin: ``decide(low, high,
    margin)`` gives the status; recorded with the statuses at half and at twice the margin."""
    def judge(margin):
        decided = _differences(differences, what, digits, min_draws, rule)
        if isinstance(decided, Verdict):
            return decided
        _, low, high, text = decided
        return Verdict(decide(low, high, margin), f"{text}, margin {margin:g}", rule=rule)
    return with_tolerance(judge, margin)


def _equal_within(low, high, margin) -> str:
    if -margin <= low and high <= margin:
        return "reproduced"
    return "not reproduced" if low > margin or high < -margin else "inconclusive"


def _not_below(low, high, margin) -> str:
    return "reproduced" if low > -margin else "not reproduced" if high < -margin else "inconclusive"


def equality(differences, margin: float, digits: int = 3,
             min_draws: int = MIN_DRAWS, what: str = "difference") -> Verdict:
    """"A equals B": the t interval of the per-draw differences inside [-margin, margin] gives
    ``reproduced``; entirely outside it, ``not reproduced``; otherwise ``inconclusive``."""
    return _margin_rule(differences, margin, "equality", _equal_within, digits, min_draws, what)


def non_inferiority(differences, margin: float, digits: int = 3,
                    min_draws: int = MIN_DRAWS, what: str = "difference") -> Verdict:
    """"A is not below B by more than ``margin``", as per-draw differences a - b >= -margin (pass
    the sides so that the claim is a lower bound): the whole interval above -margin gives
    ``reproduced``, the whole interval below it ``not reproduced``, otherwise ``inconclusive``."""
    return _margin_rule(differences, margin, "non-inferiority", _not_below, digits, min_draws, what)


def _point_states(theory, low, high, tolerance):
    """Each point's equivalence decision: its interval of relative (or absolute) gaps inside
    [-tolerance, tolerance] agrees, entirely outside disagrees, across an edge is inconclusive."""
    inside = (low >= -tolerance) & (high <= tolerance)
    outside = (low > tolerance) | (high < -tolerance)
    return np.where(inside, "reproduced", np.where(outside, "not reproduced", "inconclusive"))


def point_states(theory, ci_low, ci_high, tolerance: float) -> np.ndarray:
    """The per-point rule of :func:`agreement`, on its own: each point's 95% interval
    [``ci_low``, ``ci_high``], as a gap from the theory relative to it, inside [-tolerance, tolerance]
    gives ``reproduced`` (agrees), entirely outside ``not reproduced`` (disagrees), across an edge
    ``inconclusive``."""
    theory = np.asarray(theory, dtype=float)
    low, high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    return _point_states(theory, (low - theory) / theory, (high - theory) / theory, tolerance)


def point_counts(states) -> dict:
    """How many points agree, disagree, are inconclusive, out of how many (``points``)."""
    states = list(states)
    return {"agree": states.count("reproduced"), "disagree": states.count("not reproduced"),
            "inconclusive": states.count("inconclusive"), "points": len(states)}


def agreement(theory, simulation, ci_low=None, ci_high=None, tolerance: float = 0.0,
              relative: bool = True) -> Verdict:
    """"Theory matches simulation", decided as an equivalence at every point: the point's 95%
    interval (of the simulated mean, as a gap from the theory, relative to it when ``relative``)
    inside [-tolerance, tolerance] agrees, entirely outside disagrees, across an edge is
    inconclusive; without intervals the gap of the mean is compared. The points' statuses are then
    combined by :func:`~overparam.book.tallies.tally`. The text also gives how many intervals cover
    the theory, beside the 95% expected of exact predictions. A point where theory and simulation
    are both 0 agrees."""
    theory = np.asarray(theory, dtype=float).ravel()
    simulation = np.asarray(simulation, dtype=float).ravel()
    if theory.shape != simulation.shape or theory.size == 0:
        raise ValueError(f"agreement needs as many theory as simulated points, got {theory.size} and {simulation.size}")
    bars = ci_low is not None and ci_high is not None
    low = np.asarray(ci_low, dtype=float).ravel() if bars else simulation
    high = np.asarray(ci_high, dtype=float).ravel() if bars else simulation
    broken = _non_finite(np.r_[theory, simulation, low, high])
    if broken:
        return Verdict("inconclusive", f"theory or simulation: {broken.replace('draws', 'values')}", rule="agreement")
    scale = np.abs(theory) if relative else np.ones_like(theory)
    both_zero = (scale == 0) & (low == 0) & (high == 0)
    scale = np.where(scale == 0, 1.0, scale)
    gap_low, gap_high = (low - theory) / scale, (high - theory) / scale
    gap_low, gap_high = np.where(both_zero, 0.0, gap_low), np.where(both_zero, 0.0, gap_high)
    worst = np.abs((simulation - theory) / scale).max()
    worst_text = f"{worst:.1%}" if relative else f"{worst:.3g}"
    band = f"±{tolerance:.1%}" if relative else f"±{tolerance:g}"
    covered = int(((low <= theory) & (theory <= high)).sum())
    coverage = (f"; the 95% bars cover the theory at {covered} of {theory.size} ({covered / theory.size:.0%}, "
                "95% expected)") if bars else "; no bars given: the means are compared"

    def judge(tolerance):
        states = list(_point_states(theory, gap_low, gap_high, tolerance))
        status, holds = tallies.tally(states)
        count = {state: states.count(state) for state in ("reproduced", "inconclusive", "not reproduced")}
        text = (f"{count['reproduced']} of {theory.size} points agree within {band} "
                f"({count['not reproduced']} disagree, {count['inconclusive']} inconclusive); "
                f"worst gap of the means {worst_text}" + coverage)
        return Verdict(status, text, rule="agreement", holds=holds)
    return with_tolerance(judge, tolerance)


def _state(point) -> str:
    """One point of :func:`over_range` as a status: a Verdict's status, a status, or a boolean."""
    if isinstance(point, Verdict):
        return point.status
    if point is True or point is np.True_:
        return "reproduced"
    if point is False or point is np.False_:
        return "not reproduced"
    if point not in ("reproduced", "not reproduced", "inconclusive"):
        raise ValueError(f"over_range takes Verdicts, booleans or statuses, got {point!r}")
    return point


def _over_range_text(states, where, unit) -> str:
    groups = {state: tallies.spans([w for w, st in zip(where, states) if st == state])
              for state in ("reproduced", "inconclusive", "not reproduced")}
    count = {state: states.count(state) for state in groups}
    if count["reproduced"] == len(states):
        return f"holds at all {len(states)} points ({unit}{groups['reproduced']})"
    return "; ".join(f"{label} at {unit}{groups[state]}" for state, label in
                     [("reproduced", "holds"), ("inconclusive", "inconclusive"), ("not reproduced", "fails")]
                     if count[state]) + f" ({count['reproduced']} of {len(states)} points hold)"


def _over_points(points, where, unit: str, name: str, combine) -> Verdict:
    """A claim over the points of a range, labelled ``where``: each point's status combined by
    ``combine`` (:func:`~overparam.book.tallies.tally` or :func:`~overparam.book.tallies.exists`),
    and so are the points' statuses at half and at twice their tolerance when every point is a
    Verdict with one; the rule is ``name`` followed by the points' rule ("over range of comparison")."""
    where = list(where)
    points = points.tolist() if isinstance(points, np.ndarray) else list(points)
    if len(where) != len(points) or not points:
        raise ValueError(f"{name} needs one label per point, got {len(where)} labels for {len(points)} points")
    states = [_state(point) for point in points]
    status, holds = combine(states)
    verdicts = [point for point in points if isinstance(point, Verdict)]
    rules = {verdict.rule for verdict in verdicts}
    tolerances = {verdict.tolerance for verdict in verdicts}
    shifted = {}
    if verdicts and len(verdicts) == len(points) and None not in tolerances:
        for side in ("at_half", "at_double"):
            shifted[side] = combine([getattr(verdict, side) for verdict in verdicts])[0]
    return Verdict(status, _over_range_text(states, where, unit),
                   rule=name + (f" of {rules.pop()}" if len(rules) == 1 else ""),
                   tolerance=tolerances.pop() if len(tolerances) == 1 else None, holds=holds, **shifted)


def over_range(points, where, unit: str = "") -> Verdict:
    """A claim checked at every point of a range (``where``, the points' labels). ``points`` gives,
    per point, the Verdict of a rule there (preferred: an inconclusive point stays inconclusive, and
    the points' statuses at half and twice their tolerance give the claim's), a status, or a boolean
    for an exact check. The statuses are combined by :func:`~overparam.book.tallies.tally`;
    ``measured`` names the points where the claim holds, fails and is inconclusive."""
    return _over_points(points, where, unit, "over range", tallies.tally)


def at_some_point(points, where, unit: str = "") -> Verdict:
    """An existential claim ("can", "at some point") over the points of a range, given as for
    :func:`over_range`: it holds (``reproduced``) when at least one point holds, fails (``not
    reproduced``) when every point fails, and is ``inconclusive`` otherwise
    (:func:`~overparam.book.tallies.exists`); the statuses at half and at twice the points' tolerance
    are combined the same way. ``measured`` names the points as over_range does; ``holds`` is the
    fraction of points that hold."""
    return _over_points(points, where, unit, "at some point", tallies.exists)


def deterministic(value: float, threshold: float, band: float, claim_holds_when: str = "below", text: str = "",
                  digits: int = 3) -> Verdict:
    """A theory-only inequality (no draws): ``value`` below (or above) ``threshold`` gives
    ``reproduced``, the other side ``not reproduced``; within ``band`` of the threshold (the
    theory's own finite-size error at that size, or 0 for an exact statement such as an argmin on a
    grid) it is ``inconclusive``."""
    if claim_holds_when not in ("below", "above"):
        raise ValueError(f"claim_holds_when must be 'below' or 'above', got {claim_holds_when!r}")
    if not np.isfinite(value):
        return Verdict("inconclusive", f"the theory's value is {value}", rule="theory")
    sign = 1.0 if claim_holds_when == "above" else -1.0
    margin = sign * (value - threshold)

    def judge(band):
        measured = text or f"{value:.{digits}g} ({claim_holds_when} {threshold:g} is the claim)"
        if band > 0:
            measured += f"; band ±{band:g}"
        status = "inconclusive" if abs(margin) <= band and band > 0 else \
            "reproduced" if margin > 0 else "not reproduced"
        return Verdict(status, measured, rule="theory")
    return with_tolerance(judge, band) if band > 0 else replace(judge(0.0), tolerance=0.0)


def double_descent(steps: list[Verdict], widths, present: bool = True) -> Verdict:
    """Double descent along ``widths`` from the paired comparisons of consecutive widths (each
    Verdict's "reproduced" is a significant fall of the error, "not reproduced" a significant rise).
    A rise followed later by a fall is a double descent. With ``present`` (the claim that there is
    one): such a pattern, ``reproduced``; no such pattern even if every unclear step went either
    way (the error only falls, only rises, or rises only after its last fall), ``not reproduced``;
    otherwise ``inconclusive``. With ``present=False`` (the claim that none is visible) the first two
    statuses swap."""
    labels = [f"{a}->{b}" for a, b in zip(widths, widths[1:])]
    kinds = ["fall" if v.status == "reproduced" else "rise" if v.status == "not reproduced" else "unclear"
             for v in steps]
    if len(kinds) != len(labels):
        raise ValueError(f"double_descent needs one step per pair of consecutive widths, got {len(kinds)} for {widths}")
    text = step_runs(widths, kinds) or "fewer than two widths"

    def has_pattern(allowed_rise, allowed_fall):
        first_rise = next((i for i, kind in enumerate(kinds) if kind in allowed_rise), None)
        return first_rise is not None and any(kind in allowed_fall for kind in kinds[first_rise + 1:])
    if has_pattern({"rise"}, {"fall"}):
        found = "reproduced"
    elif not has_pattern({"rise", "unclear"}, {"fall", "unclear"}):
        found = "not reproduced"
    else:
        found = "inconclusive"
    swap = {"reproduced": "not reproduced", "not reproduced": "reproduced", "inconclusive": "inconclusive"}
    return Verdict(found if present else swap[found], text, rule="double descent")


def step_runs(widths, kinds: list[str]) -> str:
    """The kinds of consecutive steps along ``widths`` as runs of one kind: ``"1->4: fall (3 steps),
    4->6: rise, 6->8: unclear"`` (one entry per run, with its count when it spans several steps)."""
    runs, start = [], 0
    for end in range(1, len(kinds) + 1):
        if end == len(kinds) or kinds[end] != kinds[start]:
            count = f" ({end - start} steps)" if end - start > 1 else ""
            runs.append(f"{widths[start]}->{widths[end]}: {kinds[start]}{count}")
            start = end
    return ", ".join(runs)


def small_number(value: float, floor: float = 1e-12) -> str:
    """A number that may be floating-point noise, printed as what it is: ``below 1e-12`` under
    ``floor`` (round-off differs between CPUs), else in scientific notation."""
    return f"below {floor:.0e}" if abs(value) < floor else f"{value:.1e}"
