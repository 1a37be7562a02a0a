"""A sweep planned and checked before anything runs: the chapter, the grid's points, each point's
folder and papermill parameters, and the sweep's description ``sweep.json`` (what the tables and
the report read)."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from overparam.book.params import smoke_parameters
from overparam.sweep.chapter import Chapter, load_chapter
from overparam.sweep.grid import grid_axes, grid_points, point_id
from overparam.sweep.store import RESULTS, point_dir, write_json
from overparam.sweep.validate import check_grid

DESCRIPTION = "sweep.json"


@dataclass(frozen=True)
class Sweep:
    """What a sweep runs: the chapter, the folder, the grid's axes, and per point its id and
    papermill parameters (in the grid's order)."""

    chapter: Chapter
    out: Path
    axes: dict
    ids: list
    parameters: list

    def folder(self, index: int) -> Path:
        """The folder of the point ``index``."""
        return point_dir(self.out, self.ids[index])


def plan_sweep(source, settings: list[str], seeds: int | None, out, smoke: bool = False) -> Sweep:
    """The sweep of the chapter ``source`` over ``--set`` ``settings`` and ``seeds`` into ``out``,
    every point checked by the chapter's rules (overparam.sweep.validate); nothing is written yet.
    ``smoke``: the parameters the grid does not set take the chapter's small test values (the
    ``smoke`` values of its rules) instead of its defaults, and are injected at every point."""
    chapter = load_chapter(source)
    base = smoke_parameters(chapter.rules) if smoke else {}
    chapter = replace(chapter, defaults={**chapter.defaults, **base})
    axes = grid_axes(settings, seeds)
    out = Path(out).resolve()
    points = grid_points(axes)
    ids = [point_id(point) for point in points]
    parameters = check_grid(chapter, [{**base, **point} for point in points], out,
                            [point_dir(out, point_id_) / RESULTS for point_id_ in ids])
    return Sweep(chapter, out, axes, ids, parameters)


def write_description(sweep: Sweep) -> Path:
    """``sweep.json``: the chapter, the grid's axes, and each point's id and grid values."""
    points = [{"point": point_id_, **{name: parameters[name] for name in sweep.axes}}
              for point_id_, parameters in zip(sweep.ids, sweep.parameters)]
    return write_json(sweep.out / DESCRIPTION, {"chapter": str(sweep.chapter.source), "axes": sweep.axes,
                                                 "defaults": sweep.chapter.defaults, "points": points})


def read_description(out) -> dict:
    """A sweep folder's ``sweep.json`` (FileNotFoundError with the reason when it is not a sweep folder)."""
    path = Path(out) / DESCRIPTION
    if not path.is_file():
        raise FileNotFoundError(f"{out} is not a sweep folder: it has no {DESCRIPTION}")
    return json.loads(path.read_text())
