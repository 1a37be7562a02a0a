"""The book's one figure style (overparam.book.style): fonts of 11-12 pt, figures shown at their
natural size from a PNG with twice the pixels (sharp on high-density screens), and each curve's look
composed from the parts of its name (overparam.book.curves)."""
import base64
import itertools
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbclient  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from overparam.book.curve_names import CurveName  # noqa: E402
from overparam.book.curves import OKABE_ITO, RULES, bit_color, style_of  # noqa: E402
from overparam.book.paths import ROOT  # noqa: E402
from overparam.book.style import (BOOK_RC, DISPLAY_DPI, PNG_SCALE, legend_row_height, narrow_log_axis,  # noqa: E402
                                  png_at_scale, png_size, show_figures_at_scale, use_book_style)


def test_fonts_are_11_to_12_points_and_pngs_twice_the_pixels():
    sizes = [value for key, value in BOOK_RC.items() if key.endswith("size") and key != "figure.titlesize"]
    assert sizes and all(11 <= size <= 12 for size in sizes)
    assert BOOK_RC["savefig.dpi"] == PNG_SCALE * BOOK_RC["figure.dpi"] and PNG_SCALE >= 2


def test_a_figure_is_stored_at_twice_its_pixels_and_shown_at_its_natural_width():
    use_book_style()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([0, 1], [0, 1])
    png, metadata = png_at_scale(fig)
    width, height = png_size(png)
    assert metadata == {"width": width // PNG_SCALE}  # no height: the page may shrink the width
    assert abs(metadata["width"] - 6 * DISPLAY_DPI) < 0.2 * 6 * DISPLAY_DPI  # tight bounding box
    plt.close(fig)
    empty = plt.figure()
    assert png_at_scale(empty) is None
    plt.close(empty)


def test_the_legend_row_grows_with_the_font_and_shrinks_with_the_figure():
    small, tall = plt.figure(figsize=(6, 3)), plt.figure(figsize=(6, 6))
    assert legend_row_height(small) == 2 * legend_row_height(tall)
    assert legend_row_height(small, 12) > legend_row_height(small, 9)
    plt.close("all")


def test_outside_a_kernel_the_display_is_left_alone():
    assert show_figures_at_scale() is False


def test_in_a_kernel_figures_come_out_at_twice_their_pixels(tmp_path):
    cell = nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfrom overparam.book.style import use_book_style\n"
                                     "use_book_style()\nfig, ax = plt.subplots(figsize=(5, 3))\nax.plot([0, 1])\nplt.show()")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = [output for output in notebook.cells[0].outputs if "image/png" in output.get("data", {})]
    assert len(images) == 1
    width, _ = png_size(base64.b64decode(images[0].data["image/png"]))
    assert images[0].metadata["image/png"] == {"width": width // PNG_SCALE}
    assert width // PNG_SCALE <= 5 * DISPLAY_DPI + 10


def labelled_ticks(low, high):
    """The labelled y ticks of a narrow_log_axis over [low, high]."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [low, high])
    narrow_log_axis(ax, "y")
    fig.canvas.draw()
    labels = [tick.get_text() for tick in ax.get_yticklabels()
              if tick.get_text() and low <= float(tick.get_text()) <= high]
    plt.close(fig)
    return labels


def test_a_narrow_log_axis_labels_between_decades_only_when_it_spans_few():
    assert labelled_ticks(0.3, 6.0) == ["0.3", "0.5", "1", "2", "3", "5"]  # 1.3 decades
    assert labelled_ticks(2e-4, 1.5) == ["0.001", "0.01", "0.1", "1"]  # 3.9 decades: powers of ten only


def curves_by_file() -> dict[str, set[str]]:
    """The curve names of each committed results/*/*.csv with a ``curve`` column: the curves one
    figure may draw together (a figure draws from one file)."""
    found = {}
    for path in sorted((ROOT / "results").glob("*/*.csv")):
        table = pd.read_csv(path)
        if "curve" in table.columns:
            found[f"{path.parent.name}/{path.name}"] = set(table.curve.dropna().astype(str))
    return found


def look(name: str) -> tuple:
    """What tells a curve apart in a figure: colour, marker, line style and hollow markers."""
    style = style_of(name)
    return style["color"], style["marker"], style["linestyle"], style["hollow"]


def test_every_written_curve_gets_a_style():
    names = set().union(*curves_by_file().values())
    assert len(names) > 20, "the committed results should name curves"
    for name in names:
        style = style_of(name)
        assert style["label"] and style["marker"] and style["linestyle"], name
        assert matplotlib.colors.is_color_like(style["color"]), name


def test_the_curves_of_one_figure_never_look_alike():
    for path, names in curves_by_file().items():
        looks = {name: look(name) for name in names}
        assert len(set(looks.values())) == len(looks), (path, looks)


def test_a_rule_with_and_without_a_refit_keeps_its_colour_and_changes_line_and_marker():
    for names in curves_by_file().values():
        for one, other in itertools.combinations(sorted(names), 2):
            a, b = CurveName.parse(one), CurveName.parse(other)
            if (a.rule, a.fit, a.bits) != (b.rule, b.fit, b.bits) or (a.refit is None) == (b.refit is None):
                continue
            (colour_a, marker_a, line_a, hollow_a), (colour_b, marker_b, line_b, hollow_b) = look(one), look(other)
            assert colour_a == colour_b and line_a != line_b, (one, other)
            assert marker_a != marker_b or hollow_a != hollow_b, (one, other)


def test_curves_of_one_rule_share_its_colour_from_the_colour_blind_palette():
    names = [CurveName.parse(name) for name in set().union(*curves_by_file().values())]
    for rule in {name.rule for name in names}:
        colours = {style_of(str(name))["color"] for name in names if name.rule == rule and name.bits is None}
        assert len(colours) <= 1, (rule, colours)
    assert {part.color for part in RULES.values()} <= set(OKABE_ITO)


def test_a_label_is_composed_from_the_parts():
    assert style_of("ls/magnitude+retrain")["label"] == "least squares, magnitude + retrain"
    assert style_of("hessian+retrain-same-sample")["label"] == "Hessian + retrain (same sample)"
    assert style_of("magnitude+split")["label"].startswith("magnitude, split sample")
    assert style_of("hessian")["label"] == "Hessian pruning"
    # a quantizer after pruning keeps the rule's whole name: "magnitude, then uniform" would not say it prunes
    assert style_of("prune+uniform-4")["label"] == "magnitude pruning, then uniform quantization, 4 bits"
    same, fresh = style_of("logistic/hessian+retrain-same-sample"), style_of("logistic/hessian+retrain")
    assert same["hollow"] and not fresh["hollow"] and look("logistic/hessian+retrain")[:3] == look(
        "logistic/hessian+retrain-same-sample")[:3]


def test_bit_widths_run_along_the_ramp():
    colours = [bit_color(bits) for bits in (1, 2, 3, 4, 8, 16)]
    assert len(set(colours)) == len(colours)
    assert style_of("uniform-3")["color"] == style_of("bound-uniform-3")["color"] == bit_color(3)
    assert bit_color(32) == bit_color(16)  # the ramp ends at RAMP_BITS[1]


@pytest.mark.parametrize("name, unknown", [("pretty/magnitude", "fit"), ("magnitude+polish", "refit"),
                                           ("lottery", "rule")])
def test_a_name_with_an_unknown_part_is_refused_with_the_known_parts(name, unknown):
    with pytest.raises(KeyError, match=f"unknown {unknown} .*known {unknown}s: \\["):
        style_of(name)


def test_the_styles_do_not_load_pyplot():
    code = "import sys, overparam.book.curves; assert 'matplotlib.pyplot' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
