"""The grid of a sweep: ``--set name=v1,v2`` settings and ``--seeds N``, their Cartesian product,
and a stable, readable id for each point."""
from __future__ import annotations

import ast
import itertools
import re

SEED = "seed"  # the parameter ``--seeds`` varies


class GridError(ValueError):
    """A grid that cannot run; the message names the parameter, the value and the reason."""


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets: ``"1,[2,3]"`` gives ``["1", "[2,3]"]``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char in "[(") - (char in "])")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse_value(text: str):
    """One value as papermill would inject it: a Python literal (``0.5``, ``True``, ``[1, 2]``) when
    it reads as one, else the text itself (``random-sign``)."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text.strip()


def parse_setting(setting: str) -> tuple[str, list]:
    """``"sigma=0.25,0.5,1"`` as ``("sigma", [0.25, 0.5, 1])``."""
    name, equals, values = setting.partition("=")
    if not equals or not name.strip().isidentifier() or not values.strip():
        raise GridError(f"--set {setting!r}: expected NAME=VALUE[,VALUE...]")
    return name.strip(), [parse_value(value) for value in split_top_level(values)]


def grid_axes(settings: list[str], seeds: int | None) -> dict[str, list]:
    """The grid's axes, in the order given (``seeds``: the seeds 0 .. seeds-1 as one more axis)."""
    axes: dict[str, list] = {}
    for setting in settings:
        name, values = parse_setting(setting)
        if name in axes:
            raise GridError(f"parameter {name!r} is set twice")
        axes[name] = values
    if seeds is not None:
        if seeds < 1:
            raise GridError(f"--seeds must be at least 1, got {seeds}")
        if SEED in axes:
            raise GridError(f"parameter {SEED!r} is set by both --set and --seeds")
        axes[SEED] = list(range(seeds))
    return axes


def grid_points(axes: dict[str, list]) -> list[dict]:
    """Every combination of the axes' values (the last axis varies fastest); one empty point for no axes."""
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


def point_id(point: dict) -> str:
    """A point's folder name, readable and stable: ``sigma-0.5_theta_law-random-sign_seed-0``
    (characters other than letters, digits, ``.``, ``+`` and ``-`` become ``-``)."""
    if not point:
        return "defaults"
    words = (f"{name}-{value}" for name, value in point.items())
    return "_".join(re.sub(r"[^A-Za-z0-9.+_-]+", "-", word).strip("-") for word in words)
