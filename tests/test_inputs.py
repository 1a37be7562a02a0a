"""A chapter's inputs: the package modules its code imports, read statically and followed through
the package's own imports (overparam.book.inputs)."""
from pathlib import Path

from overparam.book.inputs import chapter_imports, imported_names, module_closure, without_magics
from overparam.book.paths import LIBRARY, ROOT


def package(tmp_path: Path, modules: dict[str, str]) -> Path:
    """A throwaway package ``overparam`` under tmp_path/lib with the given modules (dotted name ->
    source); returns the library folder."""
    library = tmp_path / "lib"
    for name, source in modules.items():
        parts = name.split(".")
        path = library.joinpath(*parts[:-1], f"{parts[-1]}.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return library


def test_imported_names_reads_every_form_of_import_and_only_the_package():
    code = ("import numpy as np\nimport overparam.theory.dc\nfrom overparam.book import glue\n"
            "def f():\n    from overparam.book.stats import mean_ci\n")
    assert imported_names(code) == {"overparam.theory.dc", "overparam.book", "overparam.book.glue",
                                    "overparam.book.stats", "overparam.book.stats.mean_ci"}


def test_magics_do_not_break_the_parse():
    assert imported_names(without_magics("%matplotlib inline\n!ls\nfrom overparam.book import glue\n")) == {
        "overparam.book", "overparam.book.glue"}


def test_the_closure_follows_imports_and_runs_each_package_init(tmp_path):
    library = package(tmp_path, {
        "overparam.__init__": "", "overparam.book.__init__": "", "overparam.theory.__init__": "",
        "overparam.book.stats": "import numpy\n", "overparam.theory.dc": "from overparam.book.stats import mean_ci\n",
        "overparam.theory.unused": "x = 1\n", "overparam.book.style": "import matplotlib\n"})
    files = {path.relative_to(library).as_posix() for path in module_closure({"overparam.theory.dc.law"}, library)}
    assert files == {"overparam/__init__.py", "overparam/theory/__init__.py", "overparam/theory/dc.py",
                     "overparam/book/__init__.py", "overparam/book/stats.py"}


def test_every_chapter_reaches_the_shared_plumbing_and_the_report_its_module():
    library = ROOT / LIBRARY
    for source in sorted((ROOT / "notebooks").glob("*.md")):
        files = {path.relative_to(library).as_posix() for path in module_closure(chapter_imports(source), library)}
        assert "overparam/book/params.py" in files, source.stem
    report = ROOT / "notebooks" / "99-reproduction-report.md"
    assert "overparam/reports/reproduction.py" in {
        path.relative_to(library).as_posix() for path in module_closure(chapter_imports(report), library)}
