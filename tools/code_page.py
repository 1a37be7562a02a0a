"""Write book/code.md, the book's page about its code, from the package itself: each module of
``lib/overparam`` in the order of its layers (book, data and theory, experiments and networks,
reports), its docstring's first paragraph, its public functions and classes with the first line of
their docstrings, and the chapters that use it: those whose code imports it, and those that reach it
through other modules. `make book` runs it before building; a test checks the committed page is
the one this writes (so a moved or renamed function cannot leave the page behind).

usage: python tools/code_page.py [--check]
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from overparam.book.inputs import chapter_imports, module_closure, module_file
from overparam.book.paths import LIBRARY, PACKAGE, ROOT

PAGE = ROOT / "book" / "code.md"
LAYERS = ["book", "seeds", "data", "theory", "experiments", "networks", "reports", "sweep", "cli"]
HEADER = """# The code

The book's package is `overparam`, in `lib/overparam` (installed editable by `make venv`). It has
one layer per role, and a layer imports only from the layers above it in this list (a test checks
it): `book` (parameters, statistics, claims and verdict rules, figure style, provenance), `seeds` (the
named random streams), `data`,
`theory` (the closed forms and solvers), `experiments` and `networks` (the simulations and the
training runs, returning raw results), `reports` (the tables, claims, figures and quoted numbers
of each chapter, and the calculator of predicted risks), `sweep` (papermill runs of a chapter over
a grid of parameters, on Dask) and `cli` (the `overparam` command). Each module below lists its
public functions and the chapters that use it. This page is generated from the package by `tools/code_page.py`.
"""


ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")  # Sphinx roles of the docstrings: :func:`~a.b` -> `a.b`


def first_paragraph(text: str | None) -> str:
    """The first paragraph of a docstring, on one line, its Sphinx roles and double backticks as
    Markdown code."""
    paragraph = " ".join((text or "").strip().split("\n\n")[0].split())
    return ROLE.sub(r"`\1`", paragraph).replace("``", "`")


def module_name(path: Path, library: Path) -> str:
    parts = path.relative_to(library).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def public_members(tree: ast.Module) -> list[tuple[str, str]]:
    """(name, first docstring line) of each public top-level function and class."""
    return [(node.name, first_paragraph(ast.get_docstring(node)).split(". ")[0].rstrip("."))
            for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")]


def chapter_links(stems: list[str]) -> str:
    """Chapter numbers linked to their pages: ``[01](../notebooks/01-linear-gaussian.ipynb), ...``."""
    return ", ".join(f"[{stem.split('-', 1)[0]}](../notebooks/{stem}.ipynb)" for stem in stems)


def users_line(imported_by: list[str], through: list[str], chapters: int) -> str:
    """Which chapters use a module: those that import it, and those that reach it through others
    (``chapters``: how many there are, to say "every other chapter")."""
    others = "every other chapter" if len(imported_by) + len(through) == chapters else f"chapters {chapter_links(through)}"
    parts = [f"imported by chapters {chapter_links(imported_by)}" if imported_by else "",
             f"reached through other modules by {others}" if through else ""]
    return "Used: " + "; ".join(part for part in parts if part) + "." if any(parts) else "Used by no chapter directly."


def page(root: Path = ROOT) -> str:
    """The text of book/code.md for the package under ``root``."""
    library = root / LIBRARY
    chapters = sorted((root / "notebooks").glob("*.md"))
    direct = {source.stem: chapter_imports(source) for source in chapters}
    reached = {stem: {module_name(path, library) for path in module_closure(names, library)}
               for stem, names in direct.items()}
    modules = sorted((path for path in (library / PACKAGE).rglob("*.py") if "__pycache__" not in path.parts
                      and path.name != "__init__.py"),
                     key=lambda path: (LAYERS.index(module_name(path, library).split(".")[1]),
                                       module_name(path, library)))
    lines = [HEADER]
    for layer in LAYERS:
        lines.append(f"\n## `{PACKAGE}.{layer}`\n")
        for path in modules:
            name = module_name(path, library)
            if name.split(".")[1] != layer:
                continue
            imported_by = [stem for stem, names in direct.items()
                           if any(module_file(n, library) == path or n.rpartition(".")[0] == name for n in names)]
            through = [stem for stem in reached if name in reached[stem] and stem not in imported_by]
            tree = ast.parse(path.read_text())
            lines.append(f"### `{name}`\n\n{first_paragraph(ast.get_docstring(tree))}\n")
            lines.append(users_line(imported_by, through, len(chapters)) + "\n")
            for member, summary in public_members(tree):
                users = [stem for stem, names in direct.items() if f"{name}.{member}" in names]
                used = f" (chapters {', '.join(stem.split('-', 1)[0] for stem in users)})" if users else ""
                lines.append(f"- `{member}`: {summary}{used}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    text = page()
    if "--check" in sys.argv[1:]:
        sys.exit(0 if PAGE.exists() and PAGE.read_text() == text else "book/code.md is not up to date: run tools/code_page.py")
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")
