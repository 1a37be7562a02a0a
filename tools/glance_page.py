"""Write book/glance.md, the "Results at a glance" of the first page, from every chapter's claims.csv
and results/execution-times.csv (overparam.reports.glance), and the same counts into the README's
section "What it found" (between its FINDINGS markers). `make run` runs it after the chapters; a
test checks the committed files are the ones this writes.

usage: python tools/glance_page.py
"""
from __future__ import annotations

import pandas as pd

from overparam.book.paths import RESULTS, ROOT
from overparam.reports.glance import glance_markdown, summary
from overparam.reports.reproduction import load_claims

PAGE = ROOT / "book" / "glance.md"
README = ROOT / "README.md"
FINDINGS = ("<!-- findings: written by tools/glance_page.py from results/*/claims.csv -->", "<!-- end of findings -->")


def page() -> str:
    times = pd.read_csv(RESULTS / "execution-times.csv").set_index("notebook").seconds.to_dict()
    return glance_markdown(load_claims(RESULTS), times)


def readme_findings() -> str:
    """The README's "What it found": the first page's counts of the paper's claims (plain Markdown)."""
    return summary(load_claims(RESULTS))


def with_findings(readme: str, findings: str) -> str:
    """``readme`` with the text between its FINDINGS markers replaced by ``findings``; ValueError
    when a marker is missing."""
    start, end = FINDINGS
    if start not in readme or end not in readme:
        raise ValueError(f"README.md has no {start!r} ... {end!r} section")
    before, rest = readme.split(start, 1)
    return f"{before}{start}\n{findings}\n{end}{rest.split(end, 1)[1]}"


if __name__ == "__main__":
    PAGE.write_text(page())
    README.write_text(with_findings(README.read_text(), readme_findings()))
    print(f"wrote {PAGE.relative_to(ROOT)} and the findings of {README.relative_to(ROOT)}")
