"""The built site as a reader sees it: every page opened in headless Chromium.

Fails on unrendered or broken math, missing figures, raw directive text and console errors.
Chromium comes from Debian's package (.ci/run installs it when missing); without it these tests
are skipped with a message saying so.
"""
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from overparam.book.chapters import figure_count

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
RAW_MARKUP = re.compile(r"```\{|\{prf:|\{cite[:}]|\{doc\}|^:::", re.MULTILINE)
CONSOLE_PROBLEM = re.compile(r"CONSOLE.*(Uncaught|Error|Failed to load|ERR_)", re.IGNORECASE)


def pages():
    toc = (ROOT / "_toc.yml").read_text()
    return [name for name in re.findall(r"file: (\S+)", toc)] + [toc.split("root: ")[1].split()[0]]


class _Page(HTMLParser):
    """Collects image sources, visible text and MathJax elements of a rendered DOM."""

    def __init__(self):
        super().__init__()
        self.images, self.text, self.math, self.math_errors, self._skip = [], [], 0, 0, 0
        self.alt = {}  # image source -> its alt text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
            self.alt[attrs.get("src", "")] = (attrs.get("alt") or "").strip()
        if tag == "mjx-container":
            self.math += 1
        if tag == "mjx-merror":
            self.math_errors += 1
        if tag in ("script", "style", "pre", "code"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def render(html_file, profile):
    """The DOM after scripts ran (MathJax included), and Chromium's console log."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
         "--dump-dom", html_file.as_uri()], capture_output=True, text=True, timeout=120)
    return result.stdout, result.stderr


@pytest.mark.parametrize("page", pages())
def test_page_renders_like_a_reader_expects(site, page, tmp_path):
    html_file = site / f"{page}.html"
    assert html_file.exists(), f"{page}.html was not built"
    static = html_file.read_text()
    dom, console = render(html_file, tmp_path / "profile")
    parsed = _Page()
    parsed.feed(dom)
    problems = [line for line in console.splitlines() if CONSOLE_PROBLEM.search(line)]
    assert not problems, f"console errors on {page}: {problems}"
    if 'class="math' in static:
        assert parsed.math > 0, f"math on {page} was not rendered by MathJax"
        assert parsed.math_errors == 0, f"{parsed.math_errors} MathJax errors on {page}"
    for src in parsed.images:
        if src and not src.startswith(("data:", "http")):
            assert (html_file.parent / src.split("?")[0]).exists(), f"missing image {src} on {page}"
    raw = RAW_MARKUP.findall("".join(parsed.text))
    assert not raw, f"raw directive text on {page}: {raw[:5]}"
    notebook = ROOT / f"{page}.ipynb"
    if notebook.exists():
        figures = figure_count(notebook)
        shown = sum(1 for src in parsed.images if "_images/" in src)
        assert shown >= figures, f"{page}: {figures} figures in the notebook, {shown} on the page"
    assert_figures_are_book_objects(parsed, static, page)


def assert_figures_are_book_objects(parsed, static, page):
    """Every figure has alt text for a screen reader and a numbered caption."""
    figures = [src for src in parsed.images if "_images/" in src]
    # without alt text in the cell's metadata, MyST-NB writes the image's own path as its alt
    no_alt = [src for src in figures if not parsed.alt.get(src) or parsed.alt[src].endswith(".png")]
    assert not no_alt, f"{page}: figures without alt text: {no_alt}"
    captions = static.count('class="caption-number"')
    assert captions >= len(figures), f"{page}: {len(figures)} figures but {captions} numbered captions"


def test_a_figure_without_alt_text_fails():
    page = _Page()
    page.feed('<img src="../_images/a.png" alt="../_images/a.png"><img src="../_images/b.png" alt="a line">')
    with pytest.raises(AssertionError, match=r"without alt text: \['../_images/a.png'\]"):
        assert_figures_are_book_objects(page, '<span class="caption-number">' * 2, "x")
