"""The book's page about its code (book/code.md) is generated from the package: the committed page
is the one tools/code_page.py writes now, and it lists every module and the chapters that use it."""
import importlib.util

from overparam.book.paths import ROOT

spec = importlib.util.spec_from_file_location("code_page", ROOT / "tools" / "code_page.py")
code_page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_page)


def test_the_committed_page_is_up_to_date():
    assert code_page.PAGE.read_text() == code_page.page(), "book/code.md is stale: run `make run` (or tools/code_page.py)"


def test_every_module_is_on_the_page_with_its_users():
    text = code_page.page()
    modules = [path for path in (ROOT / "lib" / "overparam").rglob("*.py")
               if path.name != "__init__.py" and "__pycache__" not in path.parts]
    for path in modules:
        name = ".".join(path.relative_to(ROOT / "lib").with_suffix("").parts)
        assert f"### `{name}`" in text, name
    assert "imported by chapters [99](../notebooks/99-reproduction-report.ipynb)" in text  # reports.reproduction


def test_roles_become_code():
    assert code_page.first_paragraph("See :func:`~overparam.book.claims.claim` and ``x``.\n\nMore.") == (
        "See `overparam.book.claims.claim` and `x`.")
