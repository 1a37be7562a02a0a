"""Chapters 1-9 open with a "Key findings" box, right after "What you'll learn", whose numbers and
statuses are all glued from the chapter's own run."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("0[1-9]-*.md"))
GLUED = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")


def key_findings(source: Path) -> str:
    """The text of the chapter's "Key findings" admonition (empty when it has none)."""
    match = re.search(r"```\{admonition\} Key findings\n(.*?)\n```\n", source.read_text(), re.DOTALL)
    return match.group(1) if match else ""


def glued_names(notebook: Path) -> set[str]:
    """Every name the executed notebook glued (MyST-NB stores it in the output's metadata)."""
    executed = nbformat.read(notebook, as_version=4)
    return {output.metadata["scrapbook"]["name"] for cell in executed.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "scrapbook" in output.get("metadata", {})}


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_the_box_follows_what_you_will_learn_and_says_three_to_five_things(source):
    text = source.read_text()
    box = key_findings(source)
    assert box, f"{source.name} has no Key findings box"
    learn, start = text.index("**What you'll learn**"), text.index("```{admonition} Key findings")
    assert learn < start and "\n## " not in text[learn:start], "the box must follow 'What you'll learn' directly"
    assert 3 <= len(re.findall(r"^- ", box, re.MULTILINE)) <= 5


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_every_number_and_status_of_the_box_is_glued_by_the_run(source):
    names = set(GLUED.findall(key_findings(source)))
    assert names, f"{source.name}: the box quotes nothing from the run"
    notebook = source.with_suffix(".ipynb")
    executed = notebook.read_text()
    if "Key findings" not in executed:
        pytest.skip(f"{notebook.name} was executed before its box was written: run `make run`")
    missing = sorted(names - glued_names(notebook))
    assert not missing, f"{source.name} quotes names its run does not glue: {missing}"
