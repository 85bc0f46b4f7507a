"""The chapter 3 figures draw, and their inputs are the syllabus's."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from book.figures import conv as conv_figures
from book.conv import corr2d


def test_example_is_the_syllabus_example():
    expected = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    output = corr2d(conv_figures.EXAMPLE_INPUT, conv_figures.EXAMPLE_KERNEL)
    assert output.tolist() == expected


@pytest.mark.parametrize("position", range(9))
def test_every_step_of_the_sliding_kernel_draws(position):
    figure = conv_figures.draw_conv_step(position=position)
    assert isinstance(figure, Figure)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    i, j = divmod(position, 3)
    window = conv_figures.EXAMPLE_INPUT[i:i + 3, j:j + 3]
    # The sum shown equals the output entry at this position.
    total = np.sum(window * conv_figures.EXAMPLE_KERNEL)
    assert any(t.endswith(f"= {total}") for t in texts)


@pytest.mark.parametrize("position", [-1, 9, 1.0, True])
def test_step_outside_the_grid_is_explained(position):
    with pytest.raises(ValueError, match="position must be an int from 0 to 8"):
        conv_figures.draw_conv_step(position=position)


def test_filter_kernels_match_the_syllabus():
    np.testing.assert_allclose(conv_figures.kernel("box blur"), np.ones((3, 3)) / 9)
    np.testing.assert_allclose(conv_figures.kernel("Gaussian blur").sum(), 1)
    assert conv_figures.kernel("sharpen")[1, 1] == 5
    with pytest.raises(ValueError, match="unknown filter 'emboss'"):
        conv_figures.kernel("emboss")


def test_mixed_derivative_kernel_is_blind_to_edges_and_answers_at_corners():
    rows, cols = np.mgrid[0:8, 0:8].astype(float)
    k = conv_figures.MIXED_DERIVATIVE
    for image in (cols > 3, rows > 3, 2 * cols + 3 * rows, cols ** 2 - rows ** 2):
        assert not conv_figures.filter_image(image, k).any()  # edges, ramps, no xy term
    # 4 times d2/dx dy: on a quadratic surface, 4 times the coefficient of xy.
    surface = 5 * rows * cols + rows ** 2
    np.testing.assert_allclose(conv_figures.filter_image(surface, k), 20)
    corner = ((rows > 3) & (cols > 3)).astype(float)
    response = conv_figures.filter_image(corner, k)
    assert set(zip(*np.nonzero(response))) == {(2, 2), (2, 3), (3, 2), (3, 3)}


def test_sobel_answers_to_vertical_edges_only():
    rows, cols = np.mgrid[0:8, 0:8].astype(float)
    k = conv_figures.kernel("Sobel (vertical edges)")
    assert conv_figures.filter_image(cols > 3, k).max() == 4
    assert not conv_figures.filter_image(rows > 3, k).any()


def test_photo_is_8_bit():
    rgb, gray = conv_figures.photo_rgb(4), conv_figures.photo_gray(4)
    assert rgb.dtype == np.uint8 and rgb.shape == (150, 128, 3)
    assert gray.dtype == np.uint8 and gray.shape == (150, 128)
    with pytest.raises(ValueError, match="step must be a positive int"):
        conv_figures.photo_rgb(0)


def test_identity_filter_returns_the_inner_image():
    image = conv_figures.photo_gray(8)
    identity = conv_figures.kernel("identity")
    np.testing.assert_allclose(conv_figures.filter_image(image, identity),
                               image[1:-1, 1:-1])


@pytest.mark.parametrize("name", list(conv_figures.FILTERS))
def test_gallery_frames_draw(name):
    assert isinstance(conv_figures.draw_filter_gallery(filter_name=name), Figure)


def test_static_figures_draw():
    for figure in (conv_figures.plot_filter_table(), conv_figures.plot_rgb_channels(),
                   conv_figures.plot_conv_matrix([[1, 2], [3, 4]]),
                   conv_figures.plot_receptive_field_1d((5, 5)),
                   conv_figures.plot_filter_learning([1.0, 0.1], np.eye(3), np.eye(3))):
        assert isinstance(figure, Figure)
