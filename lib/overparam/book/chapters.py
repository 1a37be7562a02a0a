"""The chapters as files: where they are, and the parameter rules each one declares.

The test suite and the tools find chapters here rather than in hand-kept lists, so a new chapter is
its ``notebooks/NN-topic.md`` and one line in ``_toc.yml``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import jupytext

from overparam.book.paths import ROOT

PARAMETERS_NAME = "PARAMETERS"  # the name a chapter gives its parameter declarations (name -> Rule)
PARAMETERS_TAG = "parameters"  # papermill's tag for the cell of a notebook's default parameters


def chapter_sources(root: Path = ROOT) -> list[Path]:
    """Every chapter's reviewed source, ``notebooks/*.md``, in book order (by file name)."""
    return sorted((root / "notebooks").glob("*.md"))


def rules_cell(source: Path) -> str | None:
    """The source of the chapter's code cell that assigns ``PARAMETERS`` (None when it has none)."""
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code" and _assigns_rules(cell.source):
            return cell.source
    return None


def _assigns_rules(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == PARAMETERS_NAME for t in node.targets)
               for node in tree.body)


def chapter_rules(source: Path) -> dict | None:
    """The parameter rules a chapter declares: its rules cell's imports and ``PARAMETERS = ...``
    statement, run on their own (nothing else of the chapter runs). None for a chapter without rules."""
    code = rules_cell(source)
    if code is None:
        return None
    tree = ast.parse(code)
    keep = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == PARAMETERS_NAME for t in node.targets))]
    namespace: dict = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(source), "exec"), namespace)
    return namespace[PARAMETERS_NAME]


def parameters_cell(source: Path) -> str:
    """The source of the chapter's one code cell tagged ``parameters`` (a MyST ``.md`` or an ``.ipynb``;
    papermill's injected cell is tagged otherwise). ValueError unless there is exactly one."""
    cells = [cell.source for cell in jupytext.read(source).cells
             if cell.cell_type == "code" and PARAMETERS_TAG in cell.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{Path(source).name}: {len(cells)} code cells tagged {PARAMETERS_TAG!r}, expected one")
    return cells[0]


def chapter_parameters(source: Path) -> dict:
    """The chapter's default parameters, name -> value, in the order declared: the assignments of its
    cell tagged ``parameters``, read with ``ast.literal_eval`` (nothing of the chapter runs).
    ValueError for a statement that is not ``name = <literal>`` (papermill could not override it)."""
    values: dict = {}
    for node in ast.parse(parameters_cell(source)).body:
        if not (isinstance(node, ast.Assign) and all(isinstance(target, ast.Name) for target in node.targets)):
            raise ValueError(f"{Path(source).name}: the parameters cell may only assign literals to names, "
                             f"not {ast.unparse(node)!r}")
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError) as error:
            raise ValueError(f"{Path(source).name}: {ast.unparse(node)!r} is not a literal") from error
        values.update({target.id: value for target in node.targets})
    return values


def figure_count(notebook: Path) -> int:
    """How many figures an executed notebook shows: its outputs that carry a PNG (one per figure,
    whatever metadata, such as a display width, the output also carries)."""
    cells = jupytext.read(notebook).cells
    return sum("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))
