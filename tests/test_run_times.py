"""The run times the book states come from the measured times (overparam.book.run_times and the
site's extension book/_ext/run_times.py), and no page types one."""
import importlib.util
import re
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from docutils import nodes

from overparam.book.run_times import (TIMES, duration_text, machine_of, read_run_times, run_time_line,
                                      stated_time)

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("run_times_extension", ROOT / "book" / "_ext" / "run_times.py")
extension = importlib.util.module_from_spec(spec)
spec.loader.exec_module(extension)


def test_durations_read_as_a_reader_takes_them_in():
    assert duration_text(23.5) == "about 24 s"
    assert duration_text(0.2) == "about 1 s"
    assert duration_text(128.2) == "about 2.1 min"
    assert duration_text(751.6) == "about 13 min"


def test_times_are_read_from_the_file_make_run_writes(tmp_path):
    path = tmp_path / "execution-times.csv"
    path.write_text("notebook,seconds\n01-a,23.5\n02-b,120.0\n")
    times = read_run_times(path)
    assert times == {"01-a": 23.5, "02-b": 120.0}
    assert stated_time("02-b", times) == "about 2.0 min" and stated_time("book", times) == "about 2.4 min"
    assert stated_time("range", times) == "about 24 s to about 2.0 min"
    with pytest.raises(KeyError, match="03-c"):
        stated_time("03-c", times)
    assert read_run_times(tmp_path / "missing.csv") == {}


def test_the_machine_is_the_last_field_of_the_run_stamp():
    stamp = "inputs at commit abc; run on 2026-12-02; Python 3.11.7, numpy 2.4.6; 2 cores, Intel(R) Xeon(R) Processor\n"
    assert machine_of(stamp) == "2 cores, Intel(R) Xeon(R) Processor"
    assert run_time_line(84.0, "2 cores, X").startswith("Run time at the defaults: about 84 s, measured by the last")


def test_every_chapter_has_a_measured_time():
    times = read_run_times(TIMES)
    chapters = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.md"))
    assert [stem for stem in chapters if stem not in times] == []


def chapter_doctree():
    return publish_doctree("Title of the chapter\n====================\n\nFirst paragraph.\n",
                           settings_overrides={"doctitle_xform": False})  # as Sphinx: the title stays in its section


def test_the_line_goes_right_under_a_chapters_title():
    doctree = chapter_doctree()
    assert extension.add_run_time_line(doctree, "notebooks/06-random-features", {"06-random-features": 84.0}, "2 cores")
    section = next(iter(doctree.findall(nodes.section)))
    assert isinstance(section[0], nodes.title) and "run-time" in section[1]["classes"]
    assert section[1].astext().startswith("Run time at the defaults: about 84 s") and "2 cores" in section[1].astext()
    assert section[2].astext() == "First paragraph."


def test_no_line_on_other_pages_or_without_a_time():
    assert not extension.add_run_time_line(chapter_doctree(), "book/intro", {"intro": 1.0}, "m")
    assert not extension.add_run_time_line(chapter_doctree(), "notebooks/07-x", {"06-random-features": 84.0}, "m")


# a stated duration in the prose: "about ten minutes", "in seconds", "under half a minute", "25 minutes"
# ("a second law", "a second size" are ordinals, not durations)
TYPED_TIME = re.compile(r"\b(?:\d+(?:\.\d+)?|a|one|two|three|five|ten|few|half a)\s+minutes?\b"
                        r"|\b(?:\d+(?:\.\d+)?|two|three|five|ten|few)\s+seconds?\b"
                        r"|\bin (?:seconds|minutes)\b", re.IGNORECASE)


CODE_FENCES = ("{code-cell}", "{code-block}", "{code}", "{literalinclude}", "{csv-table}")


def prose_lines(path: Path):
    """The lines of a page outside code: code cells, code blocks (a fence with a language or none)
    are skipped; the text of a directive such as ``{admonition}`` or ``{note}`` is prose."""
    stack = []  # True for a code fence
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            info = stripped.lstrip("`").strip()
            if not info and stack:
                stack.pop()
            else:
                stack.append(not info.startswith("{") or info.startswith(CODE_FENCES))
            continue
        if not any(stack):
            yield number, line


@pytest.mark.parametrize("path", sorted([*ROOT.glob("notebooks/*.md"), *ROOT.glob("book/*.md"), ROOT / "README.md"]),
                         ids=lambda path: path.name)
def test_no_page_types_a_run_time(path):
    """Times are stated with the {run-time} role or the line under the title; a lecture's length in
    the teachers' guide ("one lecture (90 minutes)") is not a run time and is allowed."""
    typed = [f"{path.name}:{number}: {line.strip()}" for number, line in prose_lines(path)
             if TYPED_TIME.search(line) and "lecture" not in line.lower() and "present" not in line.lower()]
    assert typed == []
