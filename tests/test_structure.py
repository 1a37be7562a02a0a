"""The package's structure, checked: layers that import only downward (book < data, theory <
experiments, networks < reports), no cycle, every package import at the top of its module, no
module over 400 lines, and no pyplot behind the simulations."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from overparam.book.inputs import imported_names, module_file
from overparam.book.paths import LIBRARY, PACKAGE, ROOT

LIB = ROOT / LIBRARY
LAYERS = {"book": 0, "seeds": 0, "data": 1, "theory": 1, "experiments": 2, "networks": 2, "reports": 3, "sweep": 4, "cli": 5}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(LIB).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted((LIB / PACKAGE).rglob("*.py")) if "__pycache__" not in path.parts}


def subpackage(name: str) -> str | None:
    """The first-level part of a module name (``overparam.theory.dc`` -> ``theory``); None for the
    package itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def imports_of(name: str) -> set[str]:
    """The package modules that module ``name`` imports (names resolved to modules)."""
    found = set()
    for imported in imported_names(MODULES[name].read_text()):
        while imported and module_file(imported, LIB) is None:
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            found.add(module_name(module_file(imported, LIB)))
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def test_every_subpackage_has_a_layer():
    assert {subpackage(name) for name in MODULES} - {None} <= set(LAYERS)


@pytest.mark.parametrize("name", [name for name in MODULES if subpackage(name)])
def test_imports_run_only_downward(name):
    """A module imports modules of a lower layer, or of its own subpackage."""
    own = subpackage(name)
    upward = [other for other in GRAPH[name] if subpackage(other) not in (own, None)
              and LAYERS[subpackage(other)] >= LAYERS[own]]
    assert not upward, f"{name} imports {upward} (layer {LAYERS[own]} may import only lower layers)"


def test_no_import_cycle():
    state: dict[str, str] = {}

    def visit(name, path):
        state[name] = "open"
        for other in sorted(GRAPH[name]):
            if state.get(other) == "open":
                raise AssertionError(" -> ".join([*path, name, other]))
            if other not in state:
                visit(other, [*path, name])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [])


@pytest.mark.parametrize("name", list(MODULES))
def test_package_imports_are_at_the_top_and_absolute(name):
    tree = ast.parse(MODULES[name].read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{name}:{node.lineno}: relative import (the inputs of a chapter are read from absolute ones)")
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top and imported_names(ast.unparse(node)):
            raise AssertionError(f"{name}:{node.lineno}: package import inside a function or block")


@pytest.mark.parametrize("name", list(MODULES))
def test_modules_are_short(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines < MAX_LINES, f"{name} has {lines} lines"


def test_the_simulations_do_not_import_pyplot():
    """Importing every module of theory/, experiments/ and networks/ (and data) in a fresh interpreter
    leaves matplotlib.pyplot unimported: figures belong to reports/."""
    names = [name for name in MODULES if subpackage(name) in ("data", "theory", "experiments", "networks")]
    code = "import sys\n" + "".join(f"import {name}\n" for name in names) + "print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_package_comes_from_lib_not_the_working_directory():
    import overparam
    assert Path(overparam.__file__).resolve().parent == LIB / PACKAGE
