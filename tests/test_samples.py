"""The sample data of the chapters (book.samples) is what the syllabus and the prose say."""

import numpy as np
import pytest

from book import samples
from book.conv import corr2d


def test_example_is_the_syllabus_example():
    output = corr2d(samples.EXAMPLE_INPUT, samples.EXAMPLE_KERNEL)
    assert output.tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


def test_filter_kernels_match_the_syllabus():
    np.testing.assert_allclose(samples.kernel("box blur"), np.ones((3, 3)) / 9)
    np.testing.assert_allclose(samples.kernel("Gaussian blur").sum(), 1)
    assert samples.kernel("sharpen")[1, 1] == 5
    with pytest.raises(ValueError, match="unknown filter 'emboss'"):
        samples.kernel("emboss")


def test_mixed_derivative_kernel_is_blind_to_edges_and_answers_at_corners():
    rows, cols = np.mgrid[0:8, 0:8].astype(float)
    k = samples.MIXED_DERIVATIVE
    for image in (cols > 3, rows > 3, 2 * cols + 3 * rows, cols ** 2 - rows ** 2):
        assert not corr2d(image, k).any()  # edges, ramps, no xy term
    # 4 times d2/dx dy: on a quadratic surface, 4 times the coefficient of xy.
    surface = 5 * rows * cols + rows ** 2
    np.testing.assert_allclose(corr2d(surface, k), 20)
    corner = ((rows > 3) & (cols > 3)).astype(float)
    response = corr2d(corner, k)
    assert set(zip(*np.nonzero(response), strict=True)) == {(2, 2), (2, 3), (3, 2), (3, 3)}


def test_sobel_answers_to_vertical_edges_only():
    rows, cols = np.mgrid[0:8, 0:8].astype(float)
    assert corr2d(cols > 3, samples.SOBEL).max() == 4
    assert not corr2d(rows > 3, samples.SOBEL).any()
    np.testing.assert_array_equal(samples.kernel("Sobel (vertical edges)"), samples.SOBEL)


def test_photo_is_8_bit():
    rgb, gray = samples.photo_rgb(4), samples.photo_gray(4)
    assert rgb.dtype == np.uint8 and rgb.shape == (150, 128, 3)
    assert gray.dtype == np.uint8 and gray.shape == (150, 128)
    assert samples.photo_rgb().shape == (600, 512, 3)


def test_grey_is_bt601_luma_of_the_colour_photo():
    rgb, gray = samples.photo_rgb(16).astype(float), samples.photo_gray(16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    np.testing.assert_array_equal(gray, np.round(luma))
    # A mean of the channels would differ: the portrait is far from grey.
    assert np.abs(rgb.mean(axis=2) - luma).max() > 10


@pytest.mark.parametrize("step, message", [(0, "at least 1"), (2.0, "an integer"),
                                           (True, "an integer")])
def test_photo_step_must_be_a_positive_integer(step, message):
    with pytest.raises(ValueError, match=f"step must be {message}"):
        samples.photo_rgb(step)


def test_eye_is_a_ring_around_a_pupil():
    assert samples.EYE.shape == (5, 5)
    assert samples.EYE[2, 2] == 1  # the pupil
    assert samples.EYE[1:4, 1:4].sum() == 1  # a dark iris around it
    np.testing.assert_array_equal(samples.EYE, samples.EYE.T)  # round: symmetric


def test_letter_a_is_bright_strokes_on_a_dark_field():
    letter = samples.letter_a()
    assert letter.shape == (29, 29)
    assert letter.min() == 0 and letter.max() == 1
    np.testing.assert_allclose(letter, letter[:, ::-1])  # an A is symmetric
    with pytest.raises(ValueError, match="size must be at least 8"):
        samples.letter_a(7)
