"""The figures of chapter 4 (book.figures.padding) show what book.padding computes."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from book.figures.padding import draw_padding_stride, plot_padded_grids, plot_pixel_usage
from book.shapes import output_size


@pytest.mark.parametrize("n, f, p, s, dilated, unread", [
    (5, 3, 0, 1, False, 0),
    (7, 3, 0, 3, False, 1),  # positions start at 0 and 3; the last column (6) is never read
    (6, 1, 0, 2, False, 3),  # a 1x1 kernel with stride 2 skips every other row
    (5, 3, 1, 2, False, 0),
    (7, 5, 2, 1, False, 0),  # a 5x5 kernel with "same" padding
])
def test_the_explorer_reports_the_output_and_unread_rows(n, f, p, s, dilated, unread):
    figure = draw_padding_stride(n=n, f=f, p=p, s=s, dilated=dilated)
    assert isinstance(figure, Figure)
    titles = " ".join(ax.get_title() for ax in figure.axes)
    texts = " ".join(t.get_text() for ax in figure.axes for t in ax.texts)
    m = output_size(n, f, p, s, 2 if dilated else 1)
    assert f"output {m}x{m}" in titles
    if unread:
        assert f"{unread} input row(s)" in texts
    else:
        assert "never read" not in texts


def test_the_explorer_flags_impossible_settings_instead_of_crashing():
    figure = draw_padding_stride(n=4, f=3, p=0, s=1, dilated=True)
    texts = " ".join(t.get_text() for ax in figure.axes for t in ax.texts)
    assert "impossible" in texts


def test_padded_grids_show_each_padded_size_and_its_zeros():
    x = np.arange(1, 16).reshape(3, 5)
    figure = plot_padded_grids(x, paddings=(0, 2))
    assert [ax.get_title() for ax in figure.axes] == ["p = 0: 3x5", "p = 2: 7x9"]
    numbers = [t.get_text() for t in figure.axes[1].texts]
    assert len(numbers) == 7 * 9 and numbers.count("0") == 7 * 9 - 15


def test_padded_grids_refuse_what_is_no_image():
    with pytest.raises(ValueError, match=r"^x must have 2 axes \(H, W\)"):
        plot_padded_grids(np.zeros(5))


def test_pixel_usage_titles_give_the_fewest_and_most_reads():
    figure = plot_pixel_usage(n=5, f=3, paddings=(0, 1))
    assert [ax.get_title() for ax in figure.axes] == [
        "3x3 kernel, padding 0\n1 to 9 reads", "3x3 kernel, padding 1\n4 to 9 reads"]


def test_the_explorer_writes_each_cells_read_count_and_explains_the_shading():
    figure = draw_padding_stride(n=7, f=5, p=2, s=1)
    grid_ax, _, legend_ax = figure.axes
    m = output_size(7, 5, 2, 1)
    counts = [int(t.get_text()) for t in grid_ax.texts]
    # Every kernel position reads 5 x 5 cells: the counts add up to that many reads.
    assert len(counts) == 11 * 11 and sum(counts) == m * m * 5 * 5
    assert max(counts) == 25
    assert legend_ax.get_title(loc="left") == "reads"
    assert [t.get_text() for t in legend_ax.get_yticklabels()][-1] == "25"


def test_the_explorer_dilation_toggle_doubles_the_kernel_span():
    titles = draw_padding_stride(n=7, f=3, dilated=True).axes[0].get_title()
    assert "kernel 3x3 spans 5" in titles
