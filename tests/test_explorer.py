"""The page "Explore the theory" (book/explore.md): its precomputed curves
(book/_static/explorer/data.js, written by tools/explorer_data.py) are the closed forms of
overparam.reports.predict to their 4 significant digits, cover the whole grid the page's controls
offer, and the page loads its script and data from the site itself (no network). The page in a
browser is checked by tests/test_explorer_site.py."""
import importlib.util
import itertools
import re

import numpy as np
import pytest

from overparam.book.curves import style_of
from overparam.book.paths import ROOT
from overparam.reports.predict import PREDICTED, predict
from overparam.theory.problems import fig3_problem

spec = importlib.util.spec_from_file_location("explorer_data", ROOT / "tools" / "explorer_data.py")
explorer_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(explorer_data)

STATIC = ROOT / "book" / "_static" / "explorer"
PAGE = ROOT / "book" / "explore.md"
DATA = explorer_data.load(STATIC / "data.js")


def problem_of(key: str):
    """The problem, n, s and model sizes of a curve's key."""
    i, j, a, b, c, d, e = map(int, key.split(","))
    values = [control["values"] for control in DATA["controls"]]
    n, s = DATA["n"][i], DATA["s"][i][j]
    problem = fig3_problem(values[6][e], DATA["p"], s, values[2][a], values[3][b], values[4][c], values[5][d],
                           DATA["seed"], DATA["fraction"])
    return problem, n, s, DATA["sizes"][i]


def sampled_keys(count=8):
    keys = sorted(DATA["curves"])
    picked = np.random.default_rng(0).choice(len(keys), size=count, replace=False)
    return [keys[0], keys[-1]] + [keys[i] for i in picked]


@pytest.mark.parametrize("key", sampled_keys())
def test_the_curves_are_the_closed_forms_to_four_digits(key):
    problem, n, s, sizes = problem_of(key)
    table = predict(problem, n, s, sizes)
    for name, stored in zip(DATA["compressors"], DATA["curves"][key]):
        expected = table.risk[table.compressor == name].to_numpy()
        assert len(stored) == len(expected), f"{key} {name}: {len(stored)} values, predict gives {len(expected)}"
        assert np.allclose(np.array(stored, dtype=float), expected, rtol=5e-4, atol=0), f"{key} {name}"


def test_the_grid_is_the_generators_default_and_every_combination_is_drawn_or_refused():
    defaults = explorer_data.parser().parse_args([])
    names = [control["name"] for control in DATA["controls"]]
    assert names == [name for name, _ in explorer_data.CONTROLS]
    assert [control["values"] for control in DATA["controls"]] == [
        defaults.n_over_p, defaults.s_over_n, defaults.spike, defaults.sigma, defaults.theta_law,
        defaults.alignment, defaults.panel], "data.js is stale: run tools/explorer_data.py"
    assert DATA["p"] == defaults.p and DATA["compressors"] == list(PREDICTED)
    dropped = {key for keys in DATA["dropped"].values() for key in keys}
    grid = [",".join(map(str, index)) for index in
            itertools.product(*(range(len(control["values"])) for control in DATA["controls"]))]
    assert set(DATA["curves"]) | dropped == set(grid) and not set(DATA["curves"]) & dropped
    # the only combination without a problem: alignment "inverted" in panel "a"
    panel, alignment = (DATA["controls"][names.index(name)]["values"] for name in ("panel", "alignment"))
    for key in dropped:
        index = list(map(int, key.split(",")))
        assert panel[index[names.index("panel")]] == "a" and alignment[index[names.index("alignment")]] == "inverted"


def test_each_curve_covers_the_sizes_its_compressor_has():
    for i, n in enumerate(DATA["n"]):
        sizes = DATA["sizes"][i]
        assert sizes == sorted(set(sizes)) and 1 <= sizes[0] and sizes[-1] == DATA["p"]
        assert not {n - 1, n, n + 1} & set(sizes), "the min-norm risk is infinite at k = n - 1, n, n + 1"
        assert 30 <= len(sizes) <= 60
    for key, curves in DATA["curves"].items():
        i, j = map(int, key.split(",")[:2])
        sizes, s = DATA["sizes"][i], DATA["s"][i][j]
        assert len(curves[0]) == len(sizes)  # dense: every size
        assert all(len(curve) == sum(k >= s for k in sizes) for curve in curves[1:])  # pruned: k >= s
        assert all(r is not None and r > 0 for curve in curves for r in curve)


def test_the_page_loads_its_script_and_data_from_the_site_and_nothing_else():
    page = PAGE.read_text()
    raw = page.split("```{raw} html", 1)[1].split("```", 1)[0]
    sources = re.findall(r'(?:src|href)="([^"]+)"', raw)
    assert sources == ["../_static/explorer/explorer.css", "../_static/explorer/data.js",
                       "../_static/explorer/explorer.js"]
    assert all((STATIC / source.rsplit("/", 1)[1]).exists() for source in sources)
    script = (STATIC / "explorer.js").read_text()
    assert 'id="overparam-explorer"' in raw and 'getElementById("overparam-explorer")' in script
    assert "window.EXPLORER_DATA" in script and "data.controls" in script  # the controls come from the data
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script + raw), "no network at run time"
    assert "fetch(" not in script, "fetch fails on file:// pages: the data come as a script"
    for name in DATA["compressors"]:
        assert f'"{name}": {{ colour:' in script, f"no style for {name}"
    assert "{only} latex" in page, "the PDF says where the interactive figure is"
    assert "book/_static" in (ROOT / "_config.yml").read_text(), "html_static_path must copy book/_static"
    assert (STATIC / "data.js").stat().st_size < 4_000_000


def test_the_page_draws_each_curve_in_the_books_colour_and_label():
    """The script's style table (explorer.js STYLE) is the one every figure of the book takes from
    overparam.book.curves.style_of: a reader moving between a chapter and the page sees magnitude
    pruning in one colour."""
    script = (STATIC / "explorer.js").read_text()
    entries = re.findall(r'"([a-z+]+)": \{ colour: "(#[0-9A-Fa-f]{6})"[^}]*label: "([^"]+)" \}', script)
    assert {name for name, _, _ in entries} == set(PREDICTED), entries
    for name, colour, label in entries:
        style = style_of(name)
        assert (colour.lower(), label) == (style["color"].lower(), style["label"]), name
