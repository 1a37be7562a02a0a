"""The book's one figure style (overparam.book.style): fonts of 11-12 pt, and figures shown at their
natural size from a PNG with twice the pixels (sharp on high-density screens)."""
import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbclient  # noqa: E402
import nbformat  # noqa: E402

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
