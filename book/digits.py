"""A drawing made into an MNIST digit: the preprocessing LeNet's inputs went through.

MNIST's digits were written on paper, scanned, and then normalised in two steps
(LeCun et al. 1998): the digit's bounding box was scaled, aspect ratio kept, so that its
longer side is 20 pixels, with anti-aliasing; the 20-pixel box was then placed in a 28x28
field so that its centre of mass lies at the field's centre. A network trained on MNIST has
only ever seen digits of that size in that place, so any other digit must go through the
same steps first. ``book/live/digits.js`` does the same in the page; both make the
choices written in :func:`mnist_style`.
"""

from __future__ import annotations

import math

import numpy as np

from book.validation import real_array

FIELD = 28  # MNIST's image side
BOX = 20  # the side the digit's bounding box is scaled to
TIE = 1e-9  # far above float64 rounding noise, far below any real difference


def area_average_matrix(size_in: int, pixel: float) -> np.ndarray:
    """Resampling by area along one axis: (size_out, size_in) weights.

    Output pixel i covers the input interval [i * pixel, (i + 1) * pixel) (pixel: input
    pixels per output pixel); its weight on input pixel j is the length of the overlap of
    [j, j + 1) with that interval, divided by ``pixel``. size_out = ceil(size_in / pixel),
    so the last output pixel may reach past the input: that part counts as background.
    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """
    size_out = math.ceil(size_in / pixel - TIE)
    starts = np.arange(size_out)[:, None] * pixel
    columns = np.arange(size_in)[None, :]
    overlap = (np.minimum(starts + pixel, columns + 1) - np.maximum(starts, columns))
    return np.clip(overlap, 0, None) / pixel


def mnist_style(drawing) -> np.ndarray:
    """A drawing as MNIST would have made it: drawing (H, W) -> digit (28, 28).

    drawing: float in [0, 1], ink = 1, background = 0 (any size, e.g. a 280x280 canvas).
    Returns float64 in [0, 1]:
    1. the bounding box of the pixels with ink > 0 is cut out;
    2. it is scaled by exact area averaging so that its longer side is 20 pixels: each
       output pixel is the mean of the input square it covers (side max(h, w) / 20 input
       pixels; partly covered input pixels count with the part covered). The shorter side
       becomes ceil(short side / that square's side) pixels, the last one partly background;
    3. the scaled box goes into a 28x28 field of zeros at the whole-pixel offset that puts
       its centre of mass nearest pixel (14, 14), in pixel-index coordinates (pixel i's
       centre is at i): top = floor(14 - cy + 0.5 + 1e-9), left likewise, where cy is the
       intensity-weighted mean row index inside the box (1e-9: a tie, such as a symmetric
       blob's, which rounding noise puts a hair either side of .5, rounds up in Python and
       in the page alike); the offset is then clamped so that the box stays inside the
       field. (14, not the field's geometric centre 13.5: every
       MNIST test digit has its centre of mass within half a pixel of index 14.)
    An empty drawing (no ink) gives all zeros.
    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """
    drawing = real_array(drawing, "drawing", ndim=2, layout="(H, W)").astype(np.float64)
    if not np.all(np.isfinite(drawing)) or drawing.min() < 0 or drawing.max() > 1:
        raise ValueError("drawing must hold numbers from 0 to 1, got values from "
                         f"{drawing.min()} to {drawing.max()}")
    field = np.zeros((FIELD, FIELD))
    rows, columns = np.nonzero(drawing > 0)
    if rows.size == 0:
        return field
    box = drawing[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    pixel = max(box.shape) / BOX
    # rounding may lift a mean of ones a hair above 1
    scaled = np.minimum(area_average_matrix(box.shape[0], pixel) @ box @ (
        area_average_matrix(box.shape[1], pixel).T), 1.0)
    height, width = scaled.shape
    ink = scaled.sum()
    centre_row = (np.arange(height) @ scaled.sum(axis=1)) / ink
    centre_column = (np.arange(width) @ scaled.sum(axis=0)) / ink
    centre = FIELD // 2
    top = min(max(math.floor(centre - centre_row + 0.5 + TIE), 0), FIELD - height)
    left = min(max(math.floor(centre - centre_column + 0.5 + TIE), 0), FIELD - width)
    field[top:top + height, left:left + width] = scaled
    return field
