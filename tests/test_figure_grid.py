"""book.figures.grid.number_grid: one cell per entry, its number in it, row 0 at the top."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from book.figures.grid import MASKED_GREY, MASKED_TEXT, number_grid


def drawn(values=None, colours=None, **options):
    ax = Figure().add_subplot()
    number_grid(ax, values, colours, **options)
    return ax


def cell_texts(ax) -> dict[tuple[int, int], str]:
    """(row, column) -> the text written in that cell."""
    return {(int(t.get_position()[1]), int(t.get_position()[0])): t.get_text()
            for t in ax.texts}


def test_each_number_sits_in_its_cell_row_zero_at_the_top():
    values = np.array([[1, 2, 3], [4, 5, 6]])
    ax = drawn(values)
    assert cell_texts(ax) == {(r, c): str(values[r, c]) for r in range(2) for c in range(3)}
    assert ax.get_ylim() == (2.05, -0.05) and ax.get_xlim() == (-0.05, 3.05)
    assert not ax.axison
    # The lines between cells: 3 horizontal and 4 vertical.
    hlines, vlines = ax.collections
    assert len(hlines.get_segments()) == 3 and len(vlines.get_segments()) == 4


def test_the_format_and_blank_cells():
    values = np.array([[0.5, None], [None, 1 / 3]], dtype=object)
    ax = drawn(values, fmt="{:.2g}")
    assert cell_texts(ax) == {(0, 0): "0.5", (1, 1): "0.33"}


def test_colours_fill_the_cells():
    colours = np.zeros((2, 3, 3))
    colours[1, 2] = [1.0, 0.5, 0.0]
    ax = drawn(np.ones((2, 3), dtype=int), colours)
    image = ax.images[0].get_array()
    assert image.shape == (2, 3, 3)
    np.testing.assert_allclose(image[1, 2], [1.0, 0.5, 0.0])
    assert ax.images[0].get_extent() == [0, 3, 2, 0]


def test_without_values_only_the_cells_are_drawn():
    ax = drawn(colours=np.ones((4, 5, 3)), margin=0.1)
    assert not ax.texts
    assert ax.get_xlim() == (-0.1, 5.1)


def test_a_mask_greys_the_cells_outside_it_and_their_numbers():
    mask = np.array([[False, False, False], [False, True, False], [False, False, False]])
    ax = drawn(np.zeros((3, 3)), mask=mask, fmt="{:g}")
    image = ax.images[0].get_array()
    np.testing.assert_allclose(image[1, 1], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(image[0, 0], [MASKED_GREY] * 3)
    colours = {(int(t.get_position()[1]), int(t.get_position()[0])): t.get_color()
               for t in ax.texts}
    assert colours.pop((1, 1)) == "black"
    assert set(colours.values()) == {MASKED_TEXT}


def test_colours_and_a_mask_together_are_refused():
    with pytest.raises(ValueError, match="either colours or a mask"):
        drawn(np.zeros((2, 2)), np.ones((2, 2, 3)), mask=np.ones((2, 2), dtype=bool))


def test_font_size_and_lines():
    ax = drawn(np.eye(2, dtype=int), fontsize=7, edge="#555555", linewidth=0.6)
    assert {t.get_fontsize() for t in ax.texts} == {7}
    assert all(collection.get_linewidth()[0] == 0.6 for collection in ax.collections)
