"""A sweep's grid checked against the chapter's declared rules before anything is submitted: an
unknown name, a value out of range or of the wrong type, a combination the rules reject, or an
output folder that cannot be written stops the sweep with the parameter, the value and the reason."""
from __future__ import annotations

import difflib
from pathlib import Path

from overparam.book.params import ParameterError, check_parameters, check_results_dir
from overparam.sweep.chapter import Chapter
from overparam.sweep.grid import GridError, point_id

RESULTS_DIR = "results_dir"  # the parameter the sweep sets itself: each point's own folder


def check_names(chapter: Chapter, names) -> None:
    """Every swept name must be a declared parameter of the chapter, other than ``results_dir``."""
    for name in names:
        if name == RESULTS_DIR:
            raise GridError(f"parameter {name!r} is set by the sweep (each point writes into its own folder)")
        if name not in chapter.rules:
            close = difflib.get_close_matches(name, chapter.rules, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise GridError(f"parameter {name!r} is not a parameter of {chapter.source.name}{hint}; "
                            f"its parameters are {sorted(chapter.rules)}")


def check_point(chapter: Chapter, point: dict, results_dir: Path) -> dict:
    """The point's parameters checked by the chapter's rules, as its validation cell will check them
    (the chapter's defaults for the others); the values papermill will inject are returned."""
    namespace = {**chapter.defaults, **point}
    if RESULTS_DIR in chapter.rules:
        namespace[RESULTS_DIR] = str(results_dir)
    try:
        check_parameters(chapter.rules, namespace, summary=False)
    except ParameterError as error:
        raise GridError(f"point {point_id(point)}: {error}") from None
    return {**point, RESULTS_DIR: str(results_dir)} if RESULTS_DIR in chapter.rules else dict(point)


def check_out(out: Path) -> Path:
    """The sweep's folder must be writable (it or its nearest existing parent)."""
    try:
        check_results_dir("--out", str(out))
    except ParameterError as error:
        raise GridError(str(error)) from None
    return out.resolve()


def check_grid(chapter: Chapter, points: list[dict], out: Path, results_dirs: list[Path]) -> list[dict]:
    """Every point checked (:func:`check_point`, with its results folder) before any runs.
    Returns each point's papermill parameters, in the grid's order."""
    check_out(out)
    check_names(chapter, {name for point in points for name in point})
    return [check_point(chapter, point, results_dir) for point, results_dir in zip(points, results_dirs)]
