"""`make pdf`: the whole book as one PDF through Jupyter Book's LaTeX builder (XeLaTeX).

Needs Debian's TeX packages (the Makefile's TEX_PACKAGES; .ci/run installs them when missing);
without them this test is skipped with a message saying so.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from overparam.book.chapters import figure_count

ROOT = Path(__file__).resolve().parent.parent
TEX = shutil.which("xelatex") and shutil.which("latexmk")


@pytest.mark.skipif(not TEX, reason="TeX is not installed (see TEX_PACKAGES in the Makefile)")
def test_the_book_builds_as_one_pdf(tmp_path):
    build = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--builder", "pdflatex",
                            "--path-output", str(tmp_path)], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    pdfs = sorted((tmp_path / "_build" / "latex").glob("*.pdf"))
    assert len(pdfs) == 1, f"expected one PDF, got {pdfs}"
    log = pdfs[0].with_suffix(".log").read_text(errors="replace")
    pages = int(re.search(r"Output written on \S+ \((\d+) pages", log).group(1))
    images = len(re.findall(rb"/Subtype\s*/Image", pdfs[0].read_bytes()))
    figures = sum(figure_count(path) for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert pages >= 40, f"{pdfs[0].name}: only {pages} pages"
    assert images >= figures, f"{pdfs[0].name}: {images} images, but the chapters have {figures} figures"
