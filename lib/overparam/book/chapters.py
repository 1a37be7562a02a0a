"""The chapters as files: where they are, and the parameter rules each one declares.

The test suite and the tools find chapters here rather than in hand-kept lists, so a new chapter is
its ``notebooks/NN-topic.md`` and one line in ``_toc.yml``.
"""
from __future__ import annotations

import ast
from pathlib import Path

from overparam.book.paths import ROOT

RULES_NAME = "RULES"


def chapter_sources(root: Path = ROOT) -> list[Path]:
    """Every chapter's reviewed source, ``notebooks/*.md``, in book order (by file name)."""
    return sorted((root / "notebooks").glob("*.md"))


def rules_cell(source: Path) -> str | None:
    """The source of the chapter's code cell that assigns ``RULES`` (None when it has none)."""
    import jupytext

    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code" and _assigns_rules(cell.source):
            return cell.source
    return None


def _assigns_rules(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == RULES_NAME for t in node.targets)
               for node in tree.body)


def chapter_rules(source: Path) -> dict | None:
    """The parameter rules a chapter declares: its rules cell's imports and ``RULES = ...`` statement,
    run on their own (nothing else of the chapter runs). None for a chapter without rules."""
    code = rules_cell(source)
    if code is None:
        return None
    tree = ast.parse(code)
    keep = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == RULES_NAME for t in node.targets))]
    namespace: dict = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(source), "exec"), namespace)
    return namespace[RULES_NAME]
