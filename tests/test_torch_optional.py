"""torch is optional: the theory, the simulations and every chapter but the two network chapters run
without it. pyproject.toml declares what the package imports, at the exact pins of requirements.txt
(the environment of `make`), with torch only in its ``networks`` group; importing any module outside
``overparam.networks`` and ``overparam.reports.network*`` imports no torch, checked in a fresh
interpreter where torch cannot be imported."""
import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions

import jupytext
import pytest

from overparam.book.chapters import chapter_sources
from overparam.book.inputs import chapter_imports, module_closure, without_magics
from overparam.book.paths import LIBRARY, PACKAGE, ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
NETWORK_CHAPTERS = {"08-two-layer-networks", "09-resnet20"}
OPTIONAL = {"torch"}  # the distributions only the network chapters need


def normalized(name: str) -> str:
    """A distribution's name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines) -> dict[str, str]:
    """name -> version of requirement lines ``name==version`` (others are refused)."""
    found = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+!-]+)", line.strip())
        assert match, f"not an exact pin: {line!r}"
        found[normalized(match[1])] = match[2]
    return found


REQUIREMENTS = pins(line for line in (ROOT / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
BASE = pins(PROJECT["dependencies"])
GROUPS = {group: pins(lines) for group, lines in PROJECT["optional-dependencies"].items()}


def is_network_module(path) -> bool:
    """A module of the network chapters: ``overparam/networks/*`` or ``overparam/reports/network*``."""
    return "networks" in path.parts or path.name.startswith("network")


def module_name(path) -> str:
    parts = path.relative_to(ROOT / LIBRARY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(path for path in (ROOT / LIBRARY / PACKAGE).rglob("*.py") if "__pycache__" not in path.parts)
WITHOUT_TORCH = [module_name(path) for path in MODULES if not is_network_module(path)]

# a fresh interpreter in which torch cannot be imported (as where it is not installed), and every
# attempt to import it is recorded; argv[1]: the modules to import, as JSON
IMPORT_ALL = """
import importlib, importlib.abc, json, sys
attempts = []
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoTorch())
failed = {}
for module in json.loads(sys.argv[1]):
    try:
        importlib.import_module(module)
    except ImportError as error:
        failed[module] = repr(error)
print(json.dumps({"attempts": attempts, "failed": failed, "torch_loaded": "torch" in sys.modules}))
"""


def import_without_torch(modules: list[str]) -> dict:
    """What importing ``modules`` in a fresh interpreter without torch gives."""
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, json.dumps(modules)], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_the_theory_and_the_linear_chapters_modules_import_without_torch():
    assert {"overparam.theory", "overparam.experiments.linear", "overparam.reports.linear"} <= set(WITHOUT_TORCH)
    found = import_without_torch(WITHOUT_TORCH)
    assert found == {"attempts": [], "failed": {}, "torch_loaded": False}, found


def test_the_network_modules_do_need_torch():
    """The check above can see torch: the network chapters' own modules fail without it."""
    needing = ["overparam.networks.models", "overparam.networks.training", "overparam.reports.networks"]
    found = import_without_torch(needing)
    assert found["attempts"] and set(found["failed"]) == set(needing) and not found["torch_loaded"]


def test_only_the_network_chapters_import_network_modules():
    for source in chapter_sources():
        modules = module_closure(chapter_imports(source), ROOT / LIBRARY)
        uses_networks = any(is_network_module(path) for path in modules)
        assert uses_networks == (source.stem in NETWORK_CHAPTERS), source.stem


def third_party(code: str) -> set[str]:
    """The top-level names of the modules outside the standard library and the package that ``code``
    imports (also inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != PACKAGE}


def distributions(modules: set[str]) -> set[str]:
    """The installed distributions that provide the top-level ``modules``."""
    provided = packages_distributions()
    missing = modules - set(provided)
    assert not missing, f"not installed: {missing}"
    return {normalized(name) for module in modules for name in provided[module]}


def test_every_dependency_is_pinned_exactly_as_in_requirements():
    declared = {**BASE, **{name: version for group in GROUPS.values() for name, version in group.items()}}
    assert {name: REQUIREMENTS.get(name) for name in declared} == declared, "pyproject.toml and requirements.txt differ"
    assert OPTIONAL <= set(GROUPS["networks"]) and not OPTIONAL & set(BASE)


@pytest.mark.parametrize("part", ["package", "chapters"])
def test_what_the_code_imports_is_declared_and_torch_only_in_the_networks_group(part):
    if part == "package":
        linear = set().union(*(third_party(path.read_text()) for path in MODULES if not is_network_module(path)))
        networks = set().union(*(third_party(path.read_text()) for path in MODULES if is_network_module(path)))
    else:
        def code(source):
            return "\n".join(without_magics(cell.source) for cell in jupytext.read(source).cells
                             if cell.cell_type == "code")
        sources = chapter_sources()
        linear = set().union(*(third_party(code(s)) for s in sources if s.stem not in NETWORK_CHAPTERS))
        networks = set().union(*(third_party(code(s)) for s in sources if s.stem in NETWORK_CHAPTERS))
    # outside the network modules torch appears only inside functions that need a GPU (checked above:
    # importing them loads no torch)
    assert distributions(linear - {"torch"}) <= set(BASE), distributions(linear - {"torch"}) - set(BASE)
    assert distributions(networks) <= set(BASE) | set(GROUPS["networks"])
    if part == "package":
        assert "torch" in networks
