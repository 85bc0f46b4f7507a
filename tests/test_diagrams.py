"""The diagrams of chapters 3 and 4 (book.figures.diagrams) draw what the library computes."""

from collections import Counter

import numpy as np
import pytest

from book.conv import conv2d_as_matrix, corr2d
from book.figures.diagrams import plot_dilated_kernel, plot_filter_bank, plot_im2col
from book.im2col import im2col
from book.shapes import output_size


def grid_numbers(ax, shape) -> np.ndarray:
    """The texts a number_grid axes writes in its cells (cell (r, c) centred at
    (c + 0.5, r + 0.5)) as a ``shape`` array, None where a cell is blank; texts outside
    the cells (labels) are left out."""
    grid = np.full(shape, None, dtype=object)
    for text in ax.texts:
        x, y = text.get_position()
        if x > 0 and y > 0 and (x - 0.5) % 1 == 0 and (y - 0.5) % 1 == 0:
            grid[int(y), int(x)] = text.get_text()
    return grid


# Lopsided shapes and values, so that a transposed or mirrored drawing shows.
RNG = np.random.default_rng(0)
X = RNG.integers(0, 10, (4, 6))
K = RNG.integers(-2, 3, (2, 3))


def test_the_im2col_picture_shows_the_matrix_of_book_im2col():
    figure = plot_im2col(X, K)
    _, kernel_ax, out_ax, column_ax, matrix_ax, row_ax = figure.axes
    columns = im2col(X[None, None], K.shape)[0]
    assert (grid_numbers(matrix_ax, columns.shape) == columns.astype(str)).all()
    assert (grid_numbers(column_ax, (K.size, 1)) == K.reshape(-1, 1).astype(str)).all()
    assert (grid_numbers(kernel_ax, K.shape) == K.astype(str)).all()
    assert f"im2col matrix {K.size}x{columns.shape[1]}:" in matrix_ax.get_title()


def test_the_im2col_product_is_the_convolution():
    figure = plot_im2col(X, K)
    output = corr2d(X, K)
    assert (grid_numbers(figure.axes[2], output.shape) == output.astype(str)).all()
    assert (grid_numbers(figure.axes[5], (1, output.size))
            == output.reshape(1, -1).astype(str)).all()


@pytest.mark.parametrize("channels, size, filters, kernel_size",
                         [(3, 7, 4, 3), (2, 6, 3, 5), (1, 4, 1, 1)])
def test_the_filter_bank_draws_one_box_per_channel_filter_and_map(channels, size, filters,
                                                                  kernel_size):
    figure = plot_filter_bank(channels, size, filters, kernel_size)
    ax = figure.axes[0]
    # Each slice is drawn as three faces sharing one gid.
    slices = Counter(patch.get_gid() for patch in ax.patches if patch.get_gid())
    assert set(slices.values()) == {3}
    names = sorted(slices)
    assert names.count("window") == 1
    assert sum(name.startswith("input channel") for name in names) == channels
    assert sum(name.startswith("output map") for name in names) == filters
    filter_slices = [name for name in names if name.startswith("filter ")]
    assert len(filter_slices) == filters * channels
    assert len({name.split()[1] for name in filter_slices}) == filters
    out = output_size(size, kernel_size)
    labels = " ".join(text.get_text() for text in ax.texts)
    assert f"input\n{channels} × {size} × {size}" in labels
    assert f"{filters} filters,\neach {channels} × {kernel_size} × {kernel_size}" in labels
    assert f"output\n{filters} × {out} × {out}" in labels


@pytest.mark.parametrize("n, f, dilation, position",
                         [(7, 3, 2, (1, 1)), (7, 3, 2, (0, 2)), (9, 2, 3, (3, 1)),
                          (5, 3, 1, (2, 0))])
def test_the_dilated_kernel_marks_the_pixels_the_layer_reads(n, f, dilation, position):
    figure = plot_dilated_kernel(n, f, dilation, position)
    input_ax, out_ax = figure.axes
    out = output_size(n, f, d=dilation)
    i, j = position
    # The pixels the banded matrix gives a weight at this output position.
    row = conv2d_as_matrix(np.ones((1, 1, f, f)), (1, n, n), dilation=dilation)[i * out + j]
    marked = np.not_equal(grid_numbers(input_ax, (n, n)), None)
    assert (np.flatnonzero(marked) == np.flatnonzero(row)).all()
    span = dilation * (f - 1) + 1
    assert f"reads {f * f} pixels and spans {span}x{span}" in input_ax.get_title()
    assert out_ax.get_title() == f"output {out}x{out}"


def test_a_position_outside_the_output_is_explained():
    with pytest.raises(ValueError, match=r"inside the 3x3 output, got \(3, 0\)"):
        plot_dilated_kernel(7, 3, 2, position=(3, 0))
