"""How a claim gets its status: a few rules, each able to fail, each fed the measured effect and
its uncertainty.

Every status in a ``claims.csv`` comes from one of these functions, never from a literal or an
inline condition in a chapter:

- :func:`comparison` -- "A beats B": the 95% Student-t interval of the per-draw difference (paired
  when A and B share draws) against 0;
- :func:`agreement` -- "theory matches simulation": every point within a tolerance or inside its
  interval, or at least a stated fraction of them;
- :func:`equality` -- "A equals B": the interval of the difference inside a stated margin;
- :func:`over_range` -- a claim checked at each point of a range ("at every noise level",
  "only near the peak"): all, part, or none of the range;
- :func:`deterministic` -- a theory-only claim (no draws): a number against a stated threshold.

Each returns a :class:`Verdict` (status and the numbers behind it). A consistency check (an
algebraic identity, two code paths that must agree) is not a claim and does not go through here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import t as scipy_t

from overparam.book.stats import mean_ci

STATUSES = ("reproduced", "partly", "not reproduced", "inconclusive")
ORIGINS = ("paper", "beyond")
SCALES = ("paper", "reduced")
MIN_DRAWS = 3


@dataclass(frozen=True)
class Verdict:
    """A status (one of STATUSES) and the measured numbers that decided it."""

    status: str
    measured: str


def t_interval(values) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the mean of independent draws (NaN bounds below 2):
    :func:`overparam.book.stats.mean_ci` of the flattened values, as plain floats."""
    values = np.asarray(values, dtype=float).ravel()
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    return tuple(float(x) for x in mean_ci(values, student=True))


def welch_interval(a, b) -> tuple[float, float, float]:
    """Mean difference mean(a) - mean(b) of two independent samples and its Welch-t interval."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    difference = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return difference, float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return difference, difference, difference
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = float(scipy_t.ppf(0.975, df)) * se
    return difference, difference - half, difference + half


def grouped(values, groups) -> np.ndarray:
    """Pool draws that are not independent: the mean of ``values`` within each group (for example
    data draws inside one random-feature draw), one number per group, in order of first appearance."""
    values, groups = np.asarray(values, dtype=float).ravel(), np.asarray(groups).ravel()
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    means = np.bincount(inverse, weights=values) / np.bincount(inverse)
    return means[np.argsort(first)]


def _interval_text(mean, low, high, digits):
    return f"{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def comparison(a, b=None, paired: bool = True, digits: int = 3,
               min_draws: int = MIN_DRAWS, what: str = "difference") -> Verdict:
    """"A beats B", as ``a - b > 0`` (pass the sides so that a positive difference is the claim).

    With ``b`` None, ``a`` holds the per-draw differences already. Paired: the t interval of the
    per-draw differences; unpaired: Welch's interval. The interval above 0 gives ``reproduced``,
    below 0 ``not reproduced``, across 0 ``inconclusive``; so does any comparison with fewer than
    ``min_draws`` independent draws on a side.
    """
    a = np.asarray(a, dtype=float).ravel()
    if b is None:
        draws = a.size
        mean, low, high = t_interval(a)
    else:
        b = np.asarray(b, dtype=float).ravel()
        if paired:
            if a.shape != b.shape:
                raise ValueError(f"paired comparison needs draws of equal count, got {a.size} and {b.size}")
            draws = a.size
            mean, low, high = t_interval(a - b)
        else:
            draws = min(a.size, b.size)
            mean, low, high = welch_interval(a, b)
    text = f"{what} {_interval_text(mean, low, high, digits)} over {draws} draws"
    if draws < min_draws or not np.isfinite(low):
        return Verdict("inconclusive", f"{what} {mean:+.{digits}f} over {draws} draws (fewer than {min_draws})")
    if low > 0:
        return Verdict("reproduced", text)
    if high < 0:
        return Verdict("not reproduced", text)
    return Verdict("inconclusive", text)


def equality(differences, margin: float, digits: int = 3,
             min_draws: int = MIN_DRAWS, what: str = "difference") -> Verdict:
    """"A equals B": the t interval of the per-draw differences inside [-margin, margin] gives
    ``reproduced``; entirely outside it, ``not reproduced``; otherwise ``inconclusive``."""
    values = np.asarray(differences, dtype=float).ravel()
    mean, low, high = t_interval(values)
    if values.size < min_draws or not np.isfinite(low):
        return Verdict("inconclusive", f"{what} {mean:+.{digits}f} over {values.size} draws (fewer than {min_draws})")
    text = f"{what} {_interval_text(mean, low, high, digits)} over {values.size} draws, margin {margin:g}"
    if -margin <= low and high <= margin:
        return Verdict("reproduced", text)
    if low > margin or high < -margin:
        return Verdict("not reproduced", text)
    return Verdict("inconclusive", text)


def agreement(theory, simulation, ci_low=None, ci_high=None, tolerance: float = 0.0,
              relative: bool = True, partly_fraction: float = 0.8) -> Verdict:
    """"Theory matches simulation": a point agrees when its gap is within ``tolerance`` (relative
    to the theory when ``relative``) or the theory lies inside the point's interval. All points
    agree: ``reproduced``; at least ``partly_fraction`` of them: ``partly``; else ``not reproduced``."""
    theory, simulation = np.asarray(theory, dtype=float).ravel(), np.asarray(simulation, dtype=float).ravel()
    if theory.shape != simulation.shape or theory.size == 0:
        raise ValueError(f"agreement needs as many theory as simulated points, got {theory.size} and {simulation.size}")
    gap = np.abs(simulation - theory) / (np.abs(theory) if relative else 1.0)
    inside = np.zeros(theory.shape, dtype=bool)
    if ci_low is not None and ci_high is not None:
        inside = (np.asarray(ci_low, dtype=float).ravel() <= theory) & (theory <= np.asarray(ci_high, dtype=float).ravel())
    agree = (gap <= tolerance) | inside
    fraction = agree.mean()
    worst = f"{gap.max():.1%}" if relative else f"{gap.max():.3g}"
    within = "inside the 95% bars" if tolerance == 0 else \
        f"within {tolerance:.0%} or inside the 95% bars" if relative else f"within {tolerance:g} or inside the 95% bars"
    text = f"{agree.sum()} of {agree.size} points agree ({within}); worst gap {worst}"
    if fraction == 1:
        return Verdict("reproduced", text)
    return Verdict("partly" if fraction >= partly_fraction else "not reproduced", text)


def spans(values) -> str:
    """Labels as short text: runs of consecutive integers become ``a-b`` ("1-75, 88, 90-396");
    other labels are listed as they are."""
    values = list(values)
    if not values:
        return "none"
    if not all(isinstance(v, (int, np.integer)) for v in values):
        return ", ".join(str(v) for v in values)
    parts, start = [], values[0]
    for previous, current in zip(values, values[1:] + [None]):
        if current is None or current != previous + 1:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = current
    return ", ".join(parts)


def over_range(holds, where, unit: str = "") -> Verdict:
    """A claim checked at every point of a range (``where``, the points' labels). ``holds`` gives,
    per point, True/False or the status of a rule at that point (``inconclusive`` points are
    neither). All points hold: ``reproduced``; some hold: ``partly``; none hold: ``not reproduced``,
    or ``inconclusive`` when no point contradicts the claim either. ``measured`` names the points."""
    where = list(where)
    states = ["reproduced" if h is True or h is np.True_ else "not reproduced" if h is False or h is np.False_ else h
              for h in (holds.tolist() if isinstance(holds, np.ndarray) else list(holds))]
    if len(where) != len(states) or not states:
        raise ValueError(f"over_range needs one label per point, got {len(where)} labels for {len(states)} points")
    bad = set(states) - {"reproduced", "not reproduced", "inconclusive"}
    if bad:
        raise ValueError(f"over_range takes booleans or statuses, got {sorted(bad)}")
    groups = {state: spans([w for w, st in zip(where, states) if st == state])
              for state in ("reproduced", "inconclusive", "not reproduced")}
    count = {state: states.count(state) for state in groups}
    if count["reproduced"] == len(states):
        return Verdict("reproduced", f"holds at all {len(states)} points ({unit}{groups['reproduced']})")
    text = "; ".join(f"{label} at {unit}{groups[state]}" for state, label in
                     [("reproduced", "holds"), ("inconclusive", "inconclusive"), ("not reproduced", "fails")]
                     if count[state]) + f" ({count['reproduced']} of {len(states)} points hold)"
    if count["reproduced"]:
        return Verdict("partly", text)
    return Verdict("not reproduced" if count["not reproduced"] else "inconclusive", text)


def deterministic(value: float, threshold: float, claim_holds_when: str = "below", text: str = "",
                  digits: int = 3) -> Verdict:
    """A theory-only claim (no draws): ``value`` below (or above) the stated ``threshold`` gives
    ``reproduced``, else ``not reproduced``."""
    if claim_holds_when not in ("below", "above"):
        raise ValueError(f"claim_holds_when must be 'below' or 'above', got {claim_holds_when!r}")
    holds = value < threshold if claim_holds_when == "below" else value > threshold
    measured = text or f"{value:.{digits}g} ({claim_holds_when} {threshold:g} is the claim)"
    return Verdict("reproduced" if holds else "not reproduced", measured)


def small_number(value: float, floor: float = 1e-12) -> str:
    """A number that may be floating-point noise, printed as what it is: ``below 1e-12`` under
    ``floor`` (round-off differs between CPUs), else in scientific notation."""
    return f"below {floor:.0e}" if abs(value) < floor else f"{value:.1e}"
