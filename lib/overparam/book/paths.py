"""Where the book's files are: the repository root, found once, and its folders.

The package lives in ``lib/overparam`` (a src-style layout) and is installed editable, so the root is
three levels above this file's folder: ``lib/overparam/book/paths.py`` -> the repository.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "lib" / "overparam"
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "results"

# glob patterns relative to the root
CHAPTERS = "notebooks/*.md"  # every chapter's MyST source
PACKAGE = "overparam"  # the import name of the book's package
LIBRARY = "lib"  # the folder that holds it
ENVIRONMENT = ("requirements.txt", "pyproject.toml")  # the pinned environment, an input of every chapter
SHARED_INPUTS = (*ENVIRONMENT, f"{LIBRARY}/{PACKAGE}/**/*.py")  # what any chapter may depend on
REPORT = "99-reproduction-report"
# read by the report: the other chapters' claims, and the toc and the chapters' headings (its section titles)
REPORT_INPUTS = ("results/*/claims.csv", "_toc.yml", "notebooks/[0-9]*.md")
