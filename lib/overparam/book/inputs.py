"""What a chapter's outputs depend on: its source, the pinned environment, the package modules its
code imports (read statically, transitively) and, for the reproduction report, the claims it reads.

`make run` hashes these files to decide which chapters to re-execute (tools/execute_notebooks.py):
an edit to a module re-runs only the chapters that import it, directly or through other modules,
and an edit to the shared plumbing (``overparam.book``) re-runs every chapter that uses it.
"""
from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from pathlib import Path

import jupytext

from overparam.book.paths import ENVIRONMENT, LIBRARY, PACKAGE, REPORT, REPORT_INPUTS, ROOT


def matching(root: Path, pattern: str) -> list[Path]:
    """The files under ``root`` that match a glob pattern, sorted, without ``__pycache__``."""
    return sorted(path for path in root.glob(pattern) if path.is_file() and "__pycache__" not in path.parts)


def without_magics(code: str) -> str:
    """A code cell as plain Python: IPython's ``%magic`` and ``!shell`` lines become blank."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def imported_names(code: str) -> set[str]:
    """The dotted names under the package that ``code`` imports, read statically from every import
    statement in it (also those inside functions): ``import overparam.a.b`` gives ``overparam.a.b``;
    ``from overparam.a import b`` gives ``overparam.a`` and ``overparam.a.b`` (``b`` may be a
    module or a name defined in ``overparam.a``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")}


def module_file(name: str, library: Path) -> Path | None:
    """The file of module ``name`` under ``library`` (``a/b.py`` or ``a/b/__init__.py``); None when
    ``name`` is not a module of the package (a function or class imported from one)."""
    base = library.joinpath(*name.split("."))
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.is_file()), None)


def module_closure(names: Iterable[str], library: Path) -> list[Path]:
    """The files of the package's modules ``names`` and of every module they import, transitively,
    with the ``__init__.py`` of each package on the way (importing ``a.b.c`` runs ``a`` and
    ``a.b`` first); sorted."""
    files: dict[str, Path] = {}
    pending = list(names)
    while pending:
        parts = pending.pop().split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            path = None if name in files else module_file(name, library)
            if path is not None:
                files[name] = path
                pending.extend(imported_names(path.read_text()))
    return sorted(set(files.values()))


def chapter_imports(source: Path) -> set[str]:
    """What the code cells of the chapter ``source`` (notebooks/NN-topic.md) import from the package."""
    notebook = jupytext.read(source)
    return set().union(*(imported_names(without_magics(cell.source)) for cell in notebook.cells
                         if cell.cell_type == "code"))


def input_files(source: Path, root: Path = ROOT) -> list[Path]:
    """Every file the outputs of the chapter ``source`` (notebooks/NN-topic.md) depend on, in a
    fixed order: the source, the pinned environment, the package modules its code imports (directly
    or through other modules: :func:`module_closure`) and, for the reproduction report, the claims
    files, toc and page headings it reads. A module no chapter imports changes no chapter's inputs."""
    files = [source, *(root / name for name in ENVIRONMENT),
             *module_closure(chapter_imports(source), root / LIBRARY)]
    if source.stem == REPORT:
        files += [path for pattern in REPORT_INPUTS for path in matching(root, pattern) if path != source]
    return files


def input_hash(source: Path, root: Path = ROOT) -> str:
    """SHA-256 of everything a chapter's outputs depend on (:func:`input_files`): its source, the
    package modules it imports, the pinned environment and, for the reproduction report, the claims
    files, toc and page headings it reads. Each file enters with its path relative to ``root`` (a chapter outside ``root``,
    such as a sweep's throw-away chapter: its file name)."""
    digest = hashlib.sha256()
    for path in input_files(source, root):
        name = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
        digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
