"""The book's first page, "Results at a glance": the paper's claims counted by status at each scale
the runs established, and one row per chapter with the counts of its claims and its run time; made
from the chapters' claims.csv files and results/execution-times.csv as a Markdown include
(book/glance.md, written by `make run` through tools/glance_page.py)."""
from __future__ import annotations

import pandas as pd

from overparam.book.claim_table import UNTESTED
from overparam.reports.reproduction import (SCALE_WORDS, SECTIONS, STATUS_WORDS, chapter_titles, headline,
                                            status_counts)

REPORT = "../notebooks/99-reproduction-report"


def summary(claims: pd.DataFrame) -> str:
    """One sentence per scale: how many of the paper's claims hold, hold in part, fail, and cannot
    be decided there."""
    counts = headline(claims)
    sentences = []
    for scale, row in counts.iterrows():
        parts = ", ".join(f"{int(row[status])} {phrase}" for status, phrase in STATUS_WORDS)
        sentences.append(f"**{SCALE_WORDS[scale]}**, of {int(row['claims'])} claims of the paper: {parts}.")
    return " ".join(sentences)


def failures(claims: pd.DataFrame) -> str:
    """Which of the paper's claims fail, one sentence per scale where any does: each claim's text
    and a link to its chapter (by number), so that a reader sees what fails, not only how many."""
    paper = claims[SECTIONS[0][1](claims)]
    sentences = []
    for scale, rows in paper[paper.status == "not reproduced"].groupby("scale", sort=False):
        items = "; ".join(f"{row.claim} ({{doc}}`chapter {int(row.chapter.split('-')[0])} <../notebooks/{row.chapter}>`)"
                          for row in rows.itertuples())
        sentences.append(f"{SCALE_WORDS[scale].split(' (')[0]}, the {len(rows)} that fail: {items}.")
    return " ".join(sentences)


def paper_parts(labels) -> list[str]:
    """The figures, theorems, lemmas and sections a set of claims cites (``Fig. 3(b), l. 57`` ->
    ``Fig. 3``), without line numbers and equations, in order of first appearance."""
    parts = [part.split("(")[0].strip() for label in labels for part in label.replace(";", ",").split(",")]
    keep = [part for part in parts if part and not part.startswith(("l.", "eq"))]
    return list(dict.fromkeys(keep))


def chapter_rows(claims: pd.DataFrame, times: dict[str, float], titles: dict[str, str] | None = None) -> str:
    """The chapter table: page (linked by its title as the sidebar shows it, :func:`chapter_titles`,
    unless ``titles`` gives others), the paper's figures it checks, the counts of the paper's claims
    and of the book's own, and the run time."""
    titles = chapter_titles() if titles is None else titles
    paper, own = SECTIONS[0][1](claims), (claims.origin != "paper") & (claims.kind == "claim")
    lines = ["| Chapter | Checks in the paper | The paper's claims | The book's stronger versions and own claims | Run time |",
             "| --- | --- | --- | --- | --- |"]
    for chapter, rows in claims.groupby("chapter", sort=True):
        figures = paper_parts(rows[paper[rows.index]].paper)
        seconds = times.get(chapter)
        lines.append(f"| {{doc}}`{titles.get(chapter, chapter)} <../notebooks/{chapter}>` | "
                     f"{', '.join(figures) or '— (its own questions)'} | "
                     f"{status_counts(rows[paper[rows.index]])} | {status_counts(rows[own[rows.index]])} | "
                     f"{'—' if seconds is None else f'{seconds:.0f} s'} |")
    return "\n".join(lines)


def glance_markdown(claims: pd.DataFrame, times: dict[str, float], titles: dict[str, str] | None = None) -> str:
    """The whole include: a tip box with the summary, a link to the report and the claims that fail,
    then the table."""
    legend = ("✔ holds, ◐ holds in part, ✘ fails (for the book's own questions: the answer is no), "
              "? cannot be decided at this scale")
    return (f"```{{admonition}} Results at a glance\n:class: tip\n\n{summary(claims)} "
            f"Every claim, with what was measured and the rule that judged it, is in the "
            f"{{doc}}`reproduction report <{REPORT}>`; {len(UNTESTED)} claims of the paper are not "
            f"tested, each listed there with the reason.\n\n{failures(claims)}\n```\n\n"
            f"Counts per chapter ({legend}); the times are those of `make run` on one thread per chapter.\n\n"
            f"{chapter_rows(claims, times, titles)}\n")
