"""book.digits: a drawing made into an MNIST digit (box to 20 pixels, centre of mass)."""

import json
import re
import shutil
import subprocess
from importlib import resources

import numpy as np
import pytest

from book.data import load_mnist_subset
from book.digits import area_average_matrix, mnist_style


def centre_of_mass(image):
    rows, columns = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (columns * image).sum() / image.sum()


def test_a_centred_20_pixel_square_stays_put():
    drawing = np.zeros((28, 28))
    drawing[5:25, 5:25] = 1  # centre of mass 14.5; 13.5 is as near 14: the tie goes to 5
    assert np.array_equal(mnist_style(drawing), drawing)


def test_a_shifted_stroke_is_recentred_and_scaled_to_20_pixels():
    drawing = np.zeros((100, 100))
    drawing[5:45, 70:74] = 1  # a vertical bar, 40 tall, 4 wide, high up on the right
    digit = mnist_style(drawing)
    rows, columns = np.nonzero(digit)
    assert rows.max() - rows.min() + 1 == 20
    assert columns.max() - columns.min() + 1 == 2  # aspect ratio kept: 40:4 -> 20:2
    assert np.abs(np.array(centre_of_mass(digit)) - 14).max() <= 0.5  # nearest to 14
    assert np.array_equal(mnist_style(np.roll(drawing, (50, -60), axis=(0, 1))), digit)


def test_the_aspect_ratio_is_kept_for_a_wide_drawing():
    drawing = np.zeros((50, 300))
    drawing[10:40, 0:300] = 1  # 30 tall, 300 wide -> 2 tall, 20 wide
    digit = mnist_style(drawing)
    rows, columns = np.nonzero(digit)
    assert (rows.max() - rows.min() + 1, columns.max() - columns.min() + 1) == (2, 20)
    assert np.allclose(digit[rows.min():rows.max() + 1, columns.min():columns.max() + 1], 1)


@pytest.mark.parametrize("size", [13, 37, 200, 281])
def test_area_averaging_keeps_the_ink_up_to_the_scale_factor(size):
    rng = np.random.default_rng(size)
    drawing = rng.random((size, size // 2 + 3))
    drawing[0, 0] = drawing[-1, -1] = 1  # the box is the whole drawing
    pixel = size / 20  # input pixels per output pixel
    assert mnist_style(drawing).sum() == pytest.approx(drawing.sum() / pixel**2, rel=1e-12)


def test_each_output_pixel_is_the_mean_of_the_square_it_covers():
    weights = area_average_matrix(5, 2.5)  # 5 input pixels -> 2, each covering 2.5
    assert np.allclose(weights, [[0.4, 0.4, 0.2, 0, 0], [0, 0, 0.2, 0.4, 0.4]])
    assert np.allclose(area_average_matrix(40, 2).sum(axis=1), 1)


def test_mnist_test_digits_survive_the_round_trip_unchanged():
    # MNIST's digits are already boxed to 20 pixels and centred: the preprocessing must
    # give them back exactly (measured: all 1,000 test digits of the subset, difference 0).
    digits = load_mnist_subset().test_images / 255.0
    largest = max(np.abs(mnist_style(d) - d).max() for d in digits)
    assert largest == 0


def test_an_upscaled_digit_comes_back_as_it_was():
    # a test digit blown up 10 times (as the page puts it on its 280x280 canvas)
    digit = load_mnist_subset().test_images[0] / 255.0
    assert np.allclose(mnist_style(np.kron(digit, np.ones((10, 10)))), digit, atol=1e-12)


def test_an_empty_drawing_gives_zeros():
    assert np.array_equal(mnist_style(np.zeros((50, 60))), np.zeros((28, 28)))


@pytest.mark.parametrize("drawing, message", [
    (np.zeros((3, 4, 4)), "drawing must have 2 axes (H, W), got shape (3, 4, 4)"),
    (np.full((4, 4), 2.0), "drawing must hold numbers from 0 to 1"),
    (np.full((4, 4), np.nan), "drawing must hold numbers from 0 to 1"),
    ("digit", "drawing must be an array of numbers"),
])
def test_bad_drawings_get_one_line(drawing, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        mnist_style(drawing)
    assert "\n" not in str(error.value)


def page_mnist_style(drawings: list[np.ndarray], folder) -> list[np.ndarray]:
    """book/live/digits.js run by Node on each drawing: (28, 28) each (zeros for null)."""
    script = resources.files("book.live").joinpath("digits.js").read_text(encoding="utf-8")
    inputs = folder / "drawings.json"
    inputs.write_text(json.dumps([[d.shape[0], d.shape[1], d.ravel().tolist()]
                                  for d in drawings]))
    runner = folder / "run.js"
    runner.write_text("global.window = {};\n" + script + """
const drawings = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const digits = drawings.map(([h, w, values]) => window.bookLive.mnistStyle(values, h, w));
process.stdout.write(JSON.stringify(digits.map((d) => (d ? Array.from(d) : null))));
""")
    output = subprocess.run([NODE, str(runner), str(inputs)], capture_output=True,
                            text=True, check=True).stdout
    return [np.zeros((28, 28)) if d is None else np.array(d).reshape(28, 28)
            for d in json.loads(output)]


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js runs the page's script")
def test_the_page_script_makes_the_same_digits(tmp_path):
    rng = np.random.default_rng(0)
    drawings = [np.where(rng.random((h, w)) < 0.03, rng.random((h, w)), 0)
                for h, w in ((280, 280), (90, 37), (13, 200), (7, 7))]
    one_pixel = np.zeros((50, 50))
    one_pixel[3, 40] = 0.5
    heavy_end = np.zeros((100, 100))  # its mass at one end: the box is clamped into 28x28
    heavy_end[10:90, 50] = 0.01
    heavy_end[85:90, 45:55] = 1
    drawings += [one_pixel, heavy_end, np.zeros((20, 30))]
    for page, drawing in zip(page_mnist_style(drawings, tmp_path), drawings, strict=True):
        assert np.abs(page - mnist_style(drawing)).max() <= 1e-12
