"""Write book/glance.md, the "Results at a glance" of the first page, from every chapter's claims.csv
and results/execution-times.csv (overparam.reports.glance). `make run` runs it after the chapters; a
test checks the committed file is the one this writes.

usage: python tools/glance_page.py
"""
from __future__ import annotations

import pandas as pd

from overparam.book.paths import RESULTS, ROOT
from overparam.reports.glance import glance_markdown
from overparam.reports.reproduction import load_claims

PAGE = ROOT / "book" / "glance.md"


def page() -> str:
    times = pd.read_csv(RESULTS / "execution-times.csv").set_index("notebook").seconds.to_dict()
    return glance_markdown(load_claims(RESULTS), times)


if __name__ == "__main__":
    PAGE.write_text(page())
    print(f"wrote {PAGE.relative_to(ROOT)}")
