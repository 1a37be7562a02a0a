"""The built site as a reader sees it: every page opened in headless Chromium.

Fails on unrendered or broken math, missing figures, raw directive text and console errors.
Chromium comes from Debian's package (.ci/run installs it when missing); without it these tests
are skipped with a message saying so.
"""
import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from overparam.book.chapters import figure_count
from overparam.book.claims import ANSWERS
from overparam.reports.reproduction import chapter_anchor, load_claims

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


# ---- layout, as a reader sees it: measured in the page by a script run after it loaded ----
PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  parent.postMessage(JSON.stringify((%s)()), "*");
}, 1500); });
</script>"""
# the page is shown in a frame of the width asked (headless Chromium's window is at least 500 px wide);
# what the probe in the page finds is posted to the frame's host, which writes it into its own DOM
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="%s" style="width:%dpx;height:900px;border:0"></iframe>
<script>
window.addEventListener("message", function (event) {
  var out = document.createElement("pre"); out.id = "layout-probe"; out.textContent = event.data;
  document.body.appendChild(out);
});
</script></body></html>"""
PHONE = 390  # CSS pixels: the width of a common phone held upright
OVERFLOW = """function () {
  var W = document.documentElement.clientWidth, problems = [];
  function where(a) {  // in a scrolling box (a or above): the reader can scroll to it; otherwise it is cut off or widens the page
    for (; a; a = a.parentElement) {
      var o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") { return "scroll"; }
      if ((o === "hidden" || o === "clip") && a.getBoundingClientRect().right <= W + 1) { return "cut off"; }
    }
    return "wider than the page";
  }
  function check(e, box, rect, text) {  // e: the element (or a text's parent); box: where its scrolling box may begin
    if (!rect.width || !rect.height || rect.right <= W + 1 || !e.getBoundingClientRect().width) { return; }  // not shown
    if (e.closest("mjx-assistive-mml, .skip-link, .bd-sidebar-secondary, .bd-sidebar-primary, script, style")) { return; }
    var how = where(box);
    if (how !== "scroll") { problems.push(how + ": <" + e.tagName.toLowerCase() + "> " + text.trim().slice(0, 60)); }
  }
  var main = document.querySelector(".bd-main") || document.body;
  var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT), range = document.createRange();
  for (var t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) { continue; }
    range.selectNodeContents(t);
    check(t.parentElement, t.parentElement, range.getBoundingClientRect(), t.textContent);
  }
  main.querySelectorAll("img, svg, table, pre, mjx-container, iframe").forEach(function (e) {
    check(e, e.parentElement, e.getBoundingClientRect(), e.tagName + " " + (e.textContent || e.getAttribute("src") || ""));
  });
  return problems;
}"""


def probe(html_file, profile, script, width=1280, dark=False, fragment=""):
    """What ``script`` (a JavaScript function expression) returns on the page once it has loaded and its
    scripts ran, shown ``width`` CSS pixels wide, in the theme's dark mode if ``dark``. The page is
    opened as a copy beside it (so that its links still resolve) with the script added, in a frame."""
    copy, frame = html_file.with_name(f"probe-{html_file.name}"), html_file.with_name(f"probe-frame-{html_file.name}")
    copy.write_text(html_file.read_text().replace("</body>", PROBE % script + "</body>"))
    frame.write_text(FRAME % (copy.name + fragment, width))
    try:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", f"--window-size={width + 100},1000", "--virtual-time-budget=10000",
             *(["--force-dark-mode"] if dark else []), "--dump-dom", frame.as_uri()],
            capture_output=True, text=True, timeout=120)
    finally:
        copy.unlink()
        frame.unlink()
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found, f"the probe did not run on {html_file.name}"
    return json.loads(unescape(found.group(1)))


@pytest.mark.parametrize("page", pages())
def test_nothing_runs_off_a_phone_screen(site, page, tmp_path):
    """At a phone's width, no text, figure, table, code or formula is cut off or makes the page
    scroll sideways: what is wider than the screen scrolls inside its own box."""
    problems = probe(site / f"{page}.html", tmp_path / "profile", OVERFLOW, width=PHONE)
    assert not problems, f"{page} at {PHONE} px: {problems[:8]}"


def test_the_header_has_no_second_search_field(site, tmp_path):
    visible = "function () { return Array.from(document.querySelectorAll('.search-button-field')).filter(function (e) { return e.offsetParent; }).length; }"
    assert probe(site / "book" / "intro.html", tmp_path / "profile", visible) == 1


REPORT_PAGE = "notebooks/99-reproduction-report"
AA_CONTRAST = 4.5  # WCAG 2.1 level AA: the least contrast of normal-size text with its background
CONTRAST = """function () {
  document.querySelectorAll("details.claims-chapter").forEach(function (d) { d.open = true; });
  function rgb(text) { return (text.match(/[\\d.]+/g) || []).map(Number); }
  function luminance(c) {
    var v = c.slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function background(e) {
    for (var a = e; a; a = a.parentElement) {
      var c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { return c; }
    }
    return [255, 255, 255];
  }
  var found = [];
  document.querySelectorAll(".claim-badge, code.claim-id, table.claims-report td, table.claims-summary td").forEach(function (e) {
    var l1 = luminance(rgb(getComputedStyle(e).color)), l2 = luminance(background(e));
    found.push([e.className || e.tagName, (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)]);
  });
  return {theme: document.documentElement.dataset.theme, contrast: found};
}"""


def report_rows(static):
    """The rows of the report's claims tables: (the text of its status cell, how many badges it has)."""
    rows = re.findall(r'<tr class="claim-row">(.*?)</tr>', static, re.DOTALL)
    return [(re.sub(r"<[^>]+>", " ", row.split("</td>")[0]), row.split("</td>")[0].count("claim-badge")) for row in rows]


def test_every_report_row_shows_one_status(site):
    claims = load_claims(ROOT / "results")
    static = (site / f"{REPORT_PAGE}.html").read_text()
    rows = report_rows(static)
    assert len(rows) == len(claims), f"{len(claims)} claims, {len(rows)} rows with a status badge on the report"
    words = set(ANSWERS) | set(ANSWERS.values())
    unmarked = [cell for cell, badges in rows if badges != 1 or not any(f" {word} " in f" {' '.join(cell.split())} "
                                                                           for word in words)]
    assert not unmarked, f"report rows without exactly one status: {unmarked[:5]}"
    for chapter in claims.chapter.unique():  # each chapter has its section, linked from the summary
        assert f'id="{chapter_anchor(chapter)}"' in static and f'href="#{chapter_anchor(chapter)}"' in static


def chapter_claim_rows(static):
    """The rows of a chapter page's claims tables (ClaimsView): the text of each row's status cell
    and how many badges it has, per table."""
    tables = re.findall(r'<table class="claims".*?</table>', static, re.DOTALL)
    return [[(re.sub(r"<[^>]+>", " ", row.split("</td>")[0]), row.split("</td>")[0].count("claim-badge"))
             for body in re.findall(r"<tbody>(.*?)</tbody>", table, re.DOTALL)
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)] for table in tables]


@pytest.mark.parametrize("claims_file", sorted((ROOT / "results").glob("[0-9]*/claims.csv")),
                         ids=lambda path: path.parent.name)
def test_every_chapter_claims_row_shows_one_status(site, claims_file):
    """A chapter's claims table has a row per claim of its claims.csv, each with exactly one status badge."""
    chapter = claims_file.parent.name
    tables = chapter_claim_rows((site / "notebooks" / f"{chapter}.html").read_text())
    assert tables, f"{chapter}: no claims table on the page"
    assert max(len(rows) for rows in tables) == len(pd.read_csv(claims_file)), f"{chapter}: not one row per claim"
    words = set(ANSWERS) | set(ANSWERS.values())
    unmarked = [cell for rows in tables for cell, badges in rows
                if badges != 1 or not any(f" {word} " in f" {' '.join(cell.split())} " for word in words)]
    assert not unmarked, f"{chapter}: claims rows without exactly one status: {unmarked[:5]}"


def sidebar_titles(static):
    """The sidebar's chapter links of a page: href -> title."""
    nav = static.split('class="bd-links', 1)[1].split("</nav>", 1)[0]
    return {href: " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())
            for href, text in re.findall(r'<a class="reference internal" href="([^"#]+)">(.*?)</a>', nav, re.DOTALL)}


def test_the_first_pages_chapter_table_uses_the_sidebars_titles(site):
    static = (site / "book" / "intro.html").read_text()
    sidebar = sidebar_titles(static)
    article = static.split('<article class="bd-article"', 1)[1].split("</article>", 1)[0]
    table = article.split("<table", 1)[1].split("</table>", 1)[0]
    links = re.findall(r'<a class="reference internal" href="([^"#]+)">(.*?)</a>', table, re.DOTALL)
    assert links, "the first page has no chapter table"
    for href, text in links:
        assert " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split()) == sidebar[href], href


def test_claims_are_legible_in_dark_mode(site, tmp_path):
    found = probe(site / f"{REPORT_PAGE}.html", tmp_path / "profile", CONTRAST, dark=True)
    assert found["theme"] == "dark", "the page did not follow the dark colour scheme"
    faint = [(what, round(ratio, 2)) for what, ratio in found["contrast"] if ratio < AA_CONTRAST]
    assert found["contrast"] and not faint, f"text below {AA_CONTRAST}:1 contrast in dark mode: {faint[:5]}"
