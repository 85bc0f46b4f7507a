"""The chapter 3 figures draw what the sample data and the operations give."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from book import samples
from book.conv import filter_image
from book.figures import conv as conv_figures
from book.figures.photo import PIXEL_DENSITY


@pytest.mark.parametrize("row, col", [(i, j) for i in range(3) for j in range(3)])
def test_every_step_of_the_sliding_kernel_draws_and_names_its_row_and_column(row, col):
    figure = conv_figures.draw_conv_step(row=row, col=col)
    assert isinstance(figure, Figure)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    window = samples.EXAMPLE_INPUT[row:row + 3, col:col + 3]
    # The sum shown equals the output entry at this position.
    total = np.sum(window * samples.EXAMPLE_KERNEL)
    assert any(t.endswith(f"= {total}") for t in texts)
    assert f"entry ({row}, {col})" in figure.axes[2].get_title()


@pytest.mark.parametrize("settings, message", [
    ({"row": -1}, "row must be at least 0"), ({"col": 3}, r"at most 2, got \(0, 3\)"),
    ({"row": 1.0}, "row must be an integer"), ({"col": True}, "col must be an integer")])
def test_step_outside_the_grid_is_explained(settings, message):
    with pytest.raises(ValueError, match=message):
        conv_figures.draw_conv_step(**settings)


def test_identity_filter_returns_the_inner_image():
    image = samples.photo_gray(8)
    identity = samples.kernel("identity")
    np.testing.assert_allclose(filter_image(image, identity),
                               image[1:-1, 1:-1])


@pytest.mark.parametrize("name", list(samples.FILTERS))
def test_gallery_frames_draw(name):
    assert isinstance(conv_figures.draw_filter_gallery(filter_name=name), Figure)


def test_photo_figures_display_as_jpeg_at_twice_their_size():
    for photo in (conv_figures.plot_filter_table(), conv_figures.plot_rgb_channels()):
        jpeg, metadata = photo._repr_jpeg_()
        with Image.open(io.BytesIO(jpeg)) as image:
            assert image.format == "JPEG"
            assert image.width // PIXEL_DENSITY == metadata["width"]
        png = io.BytesIO()
        photo.figure.savefig(png, format="png", dpi=PIXEL_DENSITY * photo.figure.dpi,
                             bbox_inches="tight")
        assert len(jpeg) < len(png.getvalue()) / 2, "JPEG is no lighter than PNG"


def test_static_figures_draw():
    for figure in (conv_figures.plot_conv_matrix([[1, 2], [3, 4]]),
                   conv_figures.plot_receptive_field_1d((5, 5)),
                   conv_figures.plot_filter_learning([1.0, 0.1], np.eye(3), np.eye(3))):
        assert isinstance(figure, Figure)


def test_receptive_field_needs_whole_kernel_sizes():
    with pytest.raises(ValueError, match="kernel size must be an integer"):
        conv_figures.plot_receptive_field_1d((5, 2.5))
