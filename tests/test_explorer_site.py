"""The page "Explore the theory" in headless Chromium, on the built site, with the network blocked:
it draws its curves from the site's own files, and changing a control redraws them.

A control is changed through the page's URL hash (explore.html#spike=30): the page sets that
control and fires its "input" event, the path a reader's change takes (explorer.js, applyHash).
The site is the one the ``site`` fixture of tests/conftest.py builds; `assert_explorer_reacts`
takes any built html folder.
"""
import re
import subprocess
from html.parser import HTMLParser

import pytest

from test_site import CHROMIUM, CONSOLE_PROBLEM, PHONE, pages, probe

PAGE = "book/explore"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


class _Drawn(HTMLParser):
    """The curves (compressor -> path data), the control read-outs and the plot's key of a DOM."""

    def __init__(self):
        super().__init__()
        self.curves, self.outputs, self.keys, self._output = {}, {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "path" and "data-compressor" in attrs:
            self.curves[attrs["data-compressor"]] = attrs.get("d", "")
        if tag == "svg" and "data-key" in attrs:
            self.keys.append(attrs["data-key"])
        if tag == "output":
            self._output = attrs.get("for")

    def handle_data(self, data):
        if self._output:
            self.outputs[self._output] = self.outputs.get(self._output, "") + data

    def handle_endtag(self, tag):
        if tag == "output":
            self._output = None


def drawn(html_file, profile, hash_=""):
    """What the page drew, opened with ``hash_``, with every host name unresolvable and every proxy
    connection refused; and the console's problems."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--proxy-server=127.0.0.1:9", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", "--dump-dom", html_file.as_uri() + hash_],
        capture_output=True, text=True, timeout=120)
    page = _Drawn()
    page.feed(result.stdout)
    problems = [line for line in result.stderr.splitlines() if CONSOLE_PROBLEM.search(line)]
    return page, problems


def assert_explorer_reacts(html_dir, profile):
    html_file = html_dir / f"{PAGE}.html"
    assert html_file.exists(), f"{PAGE}.html was not built"
    start, problems = drawn(html_file, profile)
    assert not problems, f"console errors on the explorer: {problems}"
    assert set(start.curves) == {"dense", "magnitude", "hessian", "oracle", "random"}, start.curves.keys()
    assert all(re.fullmatch(r"M[\d.,]+(L[\d.,]+)+", d) for d in start.curves.values()), "a curve was not drawn"
    spike = start.outputs["explorer-spike"]
    other = "30" if spike != "30" else "3"
    moved, problems = drawn(html_file, profile, f"#spike={other}")
    assert not problems, f"console errors on the explorer: {problems}"
    assert moved.outputs["explorer-spike"] == other and moved.keys != start.keys
    assert moved.curves["dense"] != start.curves["dense"], "moving the spike control did not redraw the curves"
    retrained, _ = drawn(html_file, profile, "#view=retraining")
    assert set(retrained.curves) == {"dense", "magnitude+retrain", "hessian+retrain", "random+retrain"}
    assert retrained.curves["dense"] == start.curves["dense"]


def test_the_explorer_draws_offline_and_redraws_when_a_control_moves(site, tmp_path):
    if PAGE not in pages():
        pytest.skip(f"{PAGE} is not in _toc.yml")
    assert_explorer_reacts(site, tmp_path / "profile")


LABELS = """function () {
  var svg = document.querySelector("#overparam-explorer svg.explorer-svg"), box = svg.viewBox.baseVal;
  return {width: box.width, height: box.height, labels: Array.from(svg.querySelectorAll(".explorer-marker-label")).map(
    function (t) { var b = t.getBBox(); return [t.textContent, b.x, b.y, b.width, b.height]; })};
}"""


@pytest.mark.parametrize("width", [1280, PHONE])
@pytest.mark.parametrize("fragment", ["", "#n_over_p=0.8&s_over_n=0.5", "#n_over_p=0.8&s_over_n=0.1"])
def test_the_k_labels_lie_inside_the_plot_and_apart(site, tmp_path, fragment, width):
    """The labels of the lines k = s and k = n are drawn whole, inside the figure, and do not overlap,
    also where n is near p (their lines near the right edge) and s near n, on a desktop and a phone."""
    if PAGE not in pages():
        pytest.skip(f"{PAGE} is not in _toc.yml")
    drawn = probe(site / f"{PAGE}.html", tmp_path / "profile", LABELS, width=width, fragment=fragment)
    labels = drawn["labels"]
    assert [text.split(" = ")[1] for text, *_ in labels] == ["s", "n"], labels
    for text, x, y, width, height in labels:
        assert 0 <= x and x + width <= drawn["width"] and 0 <= y and y + height <= drawn["height"], f"{text} is clipped"
    (_, x1, y1, w1, h1), (_, x2, y2, w2, h2) = labels
    assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, f"the labels overlap: {labels}"


READABLE = 14  # CSS pixels: the least font size of the explorer's text, as drawn on the screen
FONT_SIZES = """function () {
  var out = [], svg = document.querySelector("#overparam-explorer svg.explorer-svg");
  document.querySelectorAll("#overparam-explorer *").forEach(function (e) {
    var text = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if ((!text && !/^(SELECT|OUTPUT)$/.test(e.tagName)) || /^(OPTION|title)$/.test(e.tagName)) { return; }
    var size = parseFloat(getComputedStyle(e).fontSize), m = e instanceof SVGElement ? e.getScreenCTM() : null;
    if (m) { size *= Math.hypot(m.a, m.b); }  // SVG text is scaled with its figure
    out.push([e.tagName, e.textContent.trim().slice(0, 40), size]);
  });
  return {svg: svg.getBoundingClientRect().width, sizes: out};
}"""


@pytest.mark.parametrize("width", [PHONE, 1280])
def test_the_explorers_text_is_readable_on_a_phone_and_a_desktop(site, tmp_path, width):
    """Every label, control, value, table cell and text of the plot (ticks, axis labels, legend, the
    k = s and k = n labels) is drawn at least 14 CSS pixels high, also 390 px wide, where the plot is
    drawn at the width of the screen (not a desktop figure scaled down)."""
    if PAGE not in pages():
        pytest.skip(f"{PAGE} is not in _toc.yml")
    drawn = probe(site / f"{PAGE}.html", tmp_path / "profile", FONT_SIZES, width=width)
    kinds = {tag for tag, _, _ in drawn["sizes"]}
    assert {"text", "LABEL", "LEGEND", "OUTPUT", "SELECT", "TD", "TH"} <= kinds, kinds
    small = [(tag, text, round(size, 1)) for tag, text, size in drawn["sizes"] if size < READABLE - 0.05]
    assert not small, f"text under {READABLE} px at {width} px: {small[:8]}"
    assert drawn["svg"] <= width
