"""The chapter 6 figures show the gradients the definitions give, cell by cell."""

import re

import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure

from book.figures.gradients import draw_backward_step, plot_pooling_backward
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL
from tests.project_metadata import ROOT


def drawn_grid(ax, shape) -> np.ndarray:
    """The numbers a number_grid panel shows, row by row, as floats."""
    return np.array([float(text.get_text()) for text in ax.texts]).reshape(shape)


@pytest.mark.parametrize("row, col", [(i, j) for i in range(3) for j in range(3)])
def test_one_output_sends_the_window_to_the_kernel_and_the_kernel_to_the_window(row, col):
    upstream_ax, input_ax, kernel_ax, input_grad_ax = draw_backward_step(row=row,
                                                                         col=col).axes
    upstream = np.zeros((3, 3))
    upstream[row, col] = 1
    np.testing.assert_array_equal(drawn_grid(upstream_ax, (3, 3)), upstream)
    np.testing.assert_array_equal(drawn_grid(kernel_ax, (3, 3)),
                                  EXAMPLE_INPUT[row:row + 3, col:col + 3])
    placed = np.zeros((5, 5))
    placed[row:row + 3, col:col + 3] = EXAMPLE_KERNEL
    np.testing.assert_array_equal(drawn_grid(input_grad_ax, (5, 5)), placed)
    assert f"output ({row}, {col})" in input_ax.get_title()


def test_every_output_adds_up_all_windows_and_all_kernel_positions():
    _, input_ax, kernel_ax, input_grad_ax = draw_backward_step(every=True).axes
    windows = sum(EXAMPLE_INPUT[i:i + 3, j:j + 3] for i in range(3) for j in range(3))
    np.testing.assert_array_equal(drawn_grid(kernel_ax, (3, 3)), windows)
    placed = np.zeros((5, 5))
    for i in range(3):
        for j in range(3):
            placed[i:i + 3, j:j + 3] += EXAMPLE_KERNEL
    np.testing.assert_array_equal(drawn_grid(input_grad_ax, (5, 5)), placed)
    assert "every output" in input_ax.get_title()


@pytest.mark.parametrize("settings, message", [
    ({"row": -1}, "row must be at least 0"), ({"col": 3}, r"at most 2, got \(0, 3\)"),
    ({"row": 1.5}, "row must be an integer")])
def test_a_position_outside_the_output_is_explained(settings, message):
    with pytest.raises(ValueError, match=message):
        draw_backward_step(**settings)


def test_pooling_gradients_go_to_the_first_maximum_or_are_shared_by_the_window():
    x = np.array([[1, 1, 2, 4],
                  [5, 6, 7, 8],
                  [3, 3, 1, 0],
                  [1, 2, 3, 4]])  # the lower left window has a tie: its first 3 wins
    upstream = np.array([[4, 8], [-4, 12]])
    figure = plot_pooling_backward(x, upstream, window=2)
    assert isinstance(figure, Figure)
    _, _, max_ax, avg_ax = figure.axes
    routed = np.zeros((4, 4))
    routed[1, 1], routed[1, 3], routed[2, 0], routed[3, 3] = 4, 8, -4, 12
    np.testing.assert_array_equal(drawn_grid(max_ax, (4, 4)), routed)
    np.testing.assert_array_equal(drawn_grid(avg_ax, (4, 4)),
                                  np.kron(upstream, np.ones((2, 2))) / 4)


def test_an_upstream_gradient_of_the_wrong_shape_is_explained():
    with pytest.raises(ValueError, match=r"pooled shape \(2, 2\), got \(3, 3\)"):
        plot_pooling_backward(np.zeros((4, 4)), np.zeros((3, 3)))


def chapter_figure(name: str):
    """The chapter 6 cell that draws the figure ``name`` and its mystnb metadata."""
    notebook = nbformat.read(ROOT / "chapters" / "06_gradients.ipynb", as_version=4)
    cells = [cell for cell in notebook.cells
             if cell.metadata.get("mystnb", {}).get("figure", {}).get("name") == name]
    assert len(cells) == 1, f"{len(cells)} cells named {name}"
    return cells[0]


def test_the_captions_name_the_sizes_the_chapter_draws():
    step = chapter_figure("fig-backward-step")
    side = EXAMPLE_INPUT.shape[0]
    assert f"{side}x{side} example" in step.metadata.mystnb["figure"]["caption"]
    assert "draw_backward_step" in step.source
    pooling = chapter_figure("fig-pooling-backward")
    window = int(re.search(r"plot_pooling_backward\(A, dA, window=(\d+)\)",
                           pooling.source).group(1))
    caption = pooling.metadata.mystnb["figure"]["caption"]
    assert f"{window}x{window} pooling with stride {window}" in caption
    assert f"each of the {window * window} cells" in caption
