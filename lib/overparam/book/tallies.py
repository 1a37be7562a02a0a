"""How the statuses of a claim's points combine into the claim's status, and how the points are
named in its text: :func:`tally` for a claim made at every point ("at every noise level"),
:func:`exists` for a claim made at some point ("can", "at some sparsity"), :func:`spans` for the
labels. The rules over points of :mod:`overparam.book.verdicts` decide each point, then combine
with these."""
from __future__ import annotations

import numpy as np


def _counted(states, what: str) -> tuple[list, int, int]:
    """The states as a list, how many hold and how many fail; a claim with no point is refused."""
    states = list(states)
    if not states:
        raise ValueError(f"a claim over {what} needs at least one point")
    return states, states.count("reproduced"), states.count("not reproduced")


def tally(states, what: str = "points") -> tuple[str, float]:
    """The status of a claim made at every point, from each point's status: every point holds,
    ``reproduced``; some fail and they fail at least as often as they hold, ``not reproduced``;
    some hold and more often than the claim fails, ``partly``; none holds and none fails,
    ``inconclusive``. Also the fraction of points that hold."""
    states, holds, fails = _counted(states, what)
    if holds == len(states):
        status = "reproduced"
    elif fails and fails >= holds:
        status = "not reproduced"
    elif holds:
        status = "partly"
    else:
        status = "inconclusive"
    return status, holds / len(states)


def exists(states, what: str = "points") -> tuple[str, float]:
    """The status of a claim made at some point (an existential claim), from each point's status:
    at least one point holds, ``reproduced``; every point fails, ``not reproduced``; none holds and
    some are undecided, ``inconclusive``. Also the fraction of points that hold."""
    states, holds, fails = _counted(states, what)
    status = "reproduced" if holds else "not reproduced" if fails == len(states) else "inconclusive"
    return status, holds / len(states)


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
