"""The README a reader opens first: what the book found (written from the claims, not typed), how to
read it and run one chapter, one form of the commands, where they are tested; the maintainer's
part lives in CONTRIBUTING.md."""
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
spec = importlib.util.spec_from_file_location("glance_page", ROOT / "tools" / "glance_page.py")
glance_page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(glance_page)


def test_the_findings_are_those_of_the_committed_claims():
    assert glance_page.with_findings(README, glance_page.readme_findings()) == README, \
        "README.md's findings are stale: run `make run` (tools/glance_page.py)"


def test_findings_replace_only_the_marked_section():
    start, end = glance_page.FINDINGS
    text = f"intro\n{start}\nold\n{end}\nrest\n"
    assert glance_page.with_findings(text, "new") == f"intro\n{start}\nnew\n{end}\nrest\n"
    with pytest.raises(ValueError):
        glance_page.with_findings("no markers", "new")


def test_a_reader_finds_the_results_reading_and_running_before_the_maintainers_part():
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    assert headings[:4] == ["What it found", "Read it", "Run one chapter", "Teach with it"]
    assert "Adding a chapter" not in headings and "Layout" not in headings
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    assert "## Adding a chapter" in contributing and "## Layout" in contributing
    assert "CONTRIBUTING.md" in README


def test_the_systems_the_two_commands_are_tested_on_are_named():
    assert "make lab" in README and "Debian 12" in README and "Python 3.11" in README


def commands(text: str) -> list[str]:
    """The lines of the bash blocks."""
    return [line.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
            for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("page", ["README.md", "CONTRIBUTING.md"])
def test_one_form_of_the_commands(page):
    """Programs of the environment are called by their path under .venv/bin (never bare, never
    after activating it); the one bare Python is the one that creates .venv."""
    lines = commands((ROOT / page).read_text())
    bare = [line for line in lines if re.match(r"(papermill|jupyter|jupytext|overparam|dask|python3?|pytest|pip)\b", line)
            and not re.fullmatch(r"python3\.11 -m venv \.venv", line) or "activate" in line]
    assert bare == []


def test_the_readme_says_how_to_install_without_torch_and_with_a_cpu_only_torch():
    """The install without torch names no network group; torch comes from PyTorch's CPU wheel index
    at the pin of requirements.txt, then the group ``networks`` (tests/test_torch_optional.py)."""
    lines = commands(README)
    pin = next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("torch=="))
    without = [line for line in lines if "-c requirements.txt -e" in line and "networks" not in line]
    cpu = [line for line in lines if f"pip install {pin} --index-url https://download.pytorch.org/whl/cpu" in line]
    group = [line for line in lines if "-c requirements.txt -e \".[networks]\"" in line]
    assert without and cpu and group
    assert lines.index(cpu[0]) < lines.index(group[0]), "the CPU build is installed before the group"


@pytest.mark.parametrize("page", sorted([*ROOT.glob("notebooks/*.md"), *ROOT.glob("book/*.md")]), ids=lambda p: p.name)
def test_the_books_pages_use_the_same_form(page):
    """The chapters' "What to try" commands and the book's pages call papermill by its path too."""
    bare = [line.strip() for line in page.read_text().splitlines() if re.search(r"(?<![/\w.-])papermill notebooks/", line)]
    assert bare == []
