"""Run times on the page, from the measured times (overparam.book.run_times), never typed.

- Under the title of each chapter (notebooks/NN-*) that has a recorded time: one line, "Run time at
  the defaults: about N s, measured by the last `make run` ... on <machine>", linked to the page
  "Running times". It is added when the site is built, from results/execution-times.csv, so it always
  shows the committed times and leaves the notebooks (and nbval's comparison of their outputs) alone.
- The role ``{run-time}`06-random-features``` writes a chapter's time in the prose ("about 84 s"), and
  ``{run-time}`book``` the sum of every chapter's time.
"""
from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from overparam.book.run_times import STAMP, TIMES, machine_of, read_run_times, run_time_line, stated_time

CHAPTER_FOLDER = "notebooks/"
TIMES_PAGE = "/book/execution-times"


def add_run_time_line(doctree: nodes.document, docname: str, times: dict[str, float], machine: str) -> bool:
    """Insert the run-time line after the first title of a chapter's doctree; whether it did."""
    stem = docname.removeprefix(CHAPTER_FOLDER)
    if not docname.startswith(CHAPTER_FOLDER) or stem not in times:
        return False
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children or not isinstance(section[0], nodes.title):
        return False
    line = nodes.paragraph(classes=["run-time"])
    words = nodes.emphasis()
    for index, part in enumerate((run_time_line(times[stem], machine).removesuffix(".") + " (").split("`")):
        words += nodes.literal(text=part) if index % 2 else nodes.Text(part)  # `make run` as code
    line += words
    link = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=TIMES_PAGE, refexplicit=True,
                                 refdoc=docname)
    link += nodes.inline(text="all running times")
    line += link
    line += nodes.Text(").")
    section.insert(1, line)
    return True


def _on_doctree_read(app, doctree):
    if app.env.docname.startswith(CHAPTER_FOLDER):
        app.env.note_dependency(str(TIMES))  # an incremental build re-reads the chapter when the times change
    machine = machine_of(STAMP.read_text()) if STAMP.exists() else "the reference machine"
    add_run_time_line(doctree, app.env.docname, read_run_times(), machine)


def run_time_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{run-time}`stem```: the measured time of that chapter (or ``book``: of all of them)."""
    try:
        return [nodes.Text(stated_time(text.strip(), read_run_times()))], []
    except KeyError as error:
        message = inliner.reporter.error(str(error), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    app.add_role("run-time", run_time_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
