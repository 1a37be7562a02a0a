"""Figures a reader can read (issue 28): every figure of the committed book is shown at most
COLUMN_INCHES wide (the page's text column at DISPLAY_DPI CSS pixels per inch: a wider figure is
shrunk and its 11-12 pt text with it), and no code of the package or of a chapter types a font size
below the style's SMALL_FONT_SIZE."""
import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402

from overparam.book.style import COLUMN_INCHES, DISPLAY_DPI, SMALL_FONT_SIZE, fitted_legend, png_size  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_WIDTH = COLUMN_INCHES * DISPLAY_DPI  # CSS pixels
SOURCES = sorted((ROOT / "lib" / "overparam").rglob("*.py")) + sorted((ROOT / "notebooks").glob("*.md"))
# a literal font size: `fontsize=8`, `fontsize = 9.5`, `"fontsize": 8` (also inside `8 if ... else 10`)
FONT_SIZE = re.compile(r"""(?:\bfontsize\s*=\s*|["']fontsize["']\s*:\s*)(\d+(?:\.\d+)?)""")


def displayed_widths(notebook) -> list[float]:
    """The width at which the page shows each PNG output of ``notebook``, in CSS pixels: the width in
    the output's metadata (the book's 2x PNGs carry it), else the image's own pixel width."""
    widths = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            width = output.get("metadata", {}).get("image/png", {}).get("width")
            widths.append(width if width is not None else png_size(base64.b64decode(output.data["image/png"]))[0])
    return widths


def small_font_sizes(text: str) -> list[tuple[int, float]]:
    """(line number, size) of every literal font size below SMALL_FONT_SIZE in ``text``."""
    return [(text.count("\n", 0, match.start()) + 1, float(match.group(1))) for match in FONT_SIZE.finditer(text)
            if float(match.group(1)) < SMALL_FONT_SIZE]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_committed_figure_fits_the_text_column(path):
    widths = displayed_widths(nbformat.read(path, as_version=4))
    wide = [width for width in widths if width > MAX_WIDTH]
    assert not wide, (f"{path.name}: {len(wide)} of {len(widths)} figures are shown wider than {MAX_WIDTH:g} px "
                      f"({COLUMN_INCHES:g} in at {DISPLAY_DPI} px per inch): {wide}")


def matplotlib_results(notebook) -> list[int]:
    """The code cells of ``notebook`` whose value is a matplotlib object (a cell ending in a call that
    returns a legend or an axis, without a `;`): the page would show its repr, and a figure cell would
    give its label to that text too (Sphinx: a duplicate target)."""
    return [index for index, cell in enumerate(notebook.cells) for output in cell.get("outputs", [])
            if output.get("output_type") == "execute_result"
            and output.get("data", {}).get("text/plain", "").startswith("<matplotlib")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_cell_shows_the_repr_of_a_matplotlib_object(path):
    cells = matplotlib_results(nbformat.read(path, as_version=4))
    assert not cells, f"{path.name}: cells {cells} end in a matplotlib object (assign it: `;` does not silence it under nbval)"


def legend_rows(fig, labels) -> int:
    """The number of rows of a legend below a figure with one line per label, as :func:`fitted_legend` lays it out."""
    ax = fig.subplots()
    handles = [ax.plot([0, 1], [0, 1])[0] for _ in labels]
    legend = fitted_legend(fig, handles, labels, ncol=4)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).width <= fig.bbox.width
    return len({round(text.get_window_extent(renderer).y0) for text in legend.get_texts()})


def test_a_legend_below_keeps_its_columns_when_they_fit_and_loses_them_when_not():
    short, long = plt.figure(figsize=(COLUMN_INCHES, 4)), plt.figure(figsize=(COLUMN_INCHES, 4))
    assert legend_rows(short, ["a", "b", "c", "d"]) == 1
    assert legend_rows(long, [f"curve {i}: a label far too long for four of it to sit side by side" for i in range(4)]) == 4
    assert short.get_size_inches()[1] == 4 < long.get_size_inches()[1]  # the added rows grow the figure
    plt.close("all")


def test_the_width_is_read_from_the_png_header():
    header = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR" + (1600).to_bytes(4, "big") + (900).to_bytes(4, "big")
    assert png_size(header) == (1600, 900)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(20))


def test_the_detector_finds_small_literal_font_sizes():
    text = 'ax.legend(fontsize=8)\nax.text(0, 0, "a", fontsize=SMALL_FONT_SIZE)\nstyle = {"fontsize": 9.5}\n' \
           'x = dict(fontsize = 12)\nlabel(fontsize=6 if crowded else 11)\n'
    assert small_font_sizes(text) == [(1, 8.0), (3, 9.5), (5, 6.0)]


def test_no_font_size_below_the_styles_small_size_is_typed():
    found = {str(path.relative_to(ROOT)): sizes for path in SOURCES if (sizes := small_font_sizes(path.read_text()))}
    assert not found, f"font sizes below {SMALL_FONT_SIZE} pt, as (line, size) per file: {found}"


def test_the_style_imports_and_leaves_the_display_alone_without_ipython():
    """The style is imported outside Jupyter too (scripts, the sweep's workers): it must not need IPython."""
    code = ("import sys; sys.modules['IPython'] = None\n"
            "from overparam.book.style import show_figures_at_scale, use_book_style\n"
            "use_book_style(); print(show_figures_at_scale())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
