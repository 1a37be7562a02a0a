"""A chapter's default parameters are read from its cell tagged ``parameters`` without running it
(overparam.book.chapters.chapter_parameters), and read as running the cell would give them."""
import jupytext
import nbformat
import pytest

from overparam.book.chapters import chapter_parameters, chapter_sources, parameters_cell

def chapter(tmp_path, *cells: tuple[str, str]):
    """A MyST chapter in tmp_path with the given (tags, source) code cells."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter")] + [
        nbformat.v4.new_code_cell(source, metadata={"tags": [tags]} if tags else {}) for tags, source in cells])
    path = tmp_path / "chapter.md"
    jupytext.write(notebook, path, fmt="md:myst")
    return path


def test_the_literals_are_read_in_order(tmp_path):
    path = chapter(tmp_path, ("", "x = 5"),
                   ("parameters", 'p = 1000\nsigma = -0.5\nbits = [2, 3]\nlaw = "a"  # a comment\nflag = a = True'))
    assert list(chapter_parameters(path).items()) == [("p", 1000), ("sigma", -0.5), ("bits", [2, 3]), ("law", "a"),
                                                      ("flag", True), ("a", True)]


@pytest.mark.parametrize("statement", ["p = open('nothing-runs')", "p = 2 * n", "import os", "x.y = 1", "p += 1"])
def test_anything_but_a_literal_assigned_to_a_name_is_refused(tmp_path, statement):
    """The cell is not run: a call in it is refused, never executed (the file would not open)."""
    with pytest.raises(ValueError, match="parameters cell may only|is not a literal"):
        chapter_parameters(chapter(tmp_path, ("parameters", statement)))


@pytest.mark.parametrize("count", [0, 2])
def test_a_chapter_needs_exactly_one_parameters_cell(tmp_path, count):
    with pytest.raises(ValueError, match=f"{count} code cells tagged 'parameters'"):
        parameters_cell(chapter(tmp_path, ("", "x = 1"), *[("parameters", f"p{i} = {i}") for i in range(count)]))


@pytest.mark.parametrize("source", chapter_sources(), ids=lambda path: path.stem)
def test_every_chapter_reads_as_running_its_cell_would(source):
    cell = next(cell for cell in jupytext.read(source).cells if "parameters" in cell.metadata.get("tags", []))
    ran: dict = {}
    exec(cell.source, {}, ran)
    assert chapter_parameters(source) == ran
