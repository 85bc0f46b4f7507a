"""The sample data the chapters compute on: a portrait, the worked example, named kernels,
an eye and a letter.

Figures (:mod:`book.figures`) and concepts (:mod:`book.invariance`) take their inputs
from here, so a chapter and its figures always look at the same pixels and weights.
"""

from __future__ import annotations

import matplotlib.cbook
import matplotlib.image
import numpy as np

from book.validation import integer

# The 5x5 binary image and the "X" kernel of the worked example of chapter 3,
# "Convolution"; the result is [[4, 3, 4], [2, 4, 3], [2, 3, 4]].
EXAMPLE_INPUT = np.array([[1, 1, 1, 0, 0],
                          [0, 1, 1, 1, 0],
                          [0, 0, 1, 1, 1],
                          [0, 0, 1, 1, 0],
                          [0, 1, 1, 0, 0]])
EXAMPLE_KERNEL = np.array([[1, 0, 1],
                           [0, 1, 0],
                           [1, 0, 1]])

# The book's edge detector (chapter 3; chapter 5's detector map): the Sobel kernel. As a
# cross-correlation it takes the difference right minus left, weighted 1, 2, 1 down the
# rows, so it answers to vertical edges: positive where the brightness increases from
# left to right, negative where it decreases.
SOBEL = np.array([[-1, 0, 1],
                  [-2, 0, 2],
                  [-1, 0, 1]])

# Chapter 3's corner detector, four times the mixed second derivative d2/dx dy: exactly 0
# on vertical, horizontal and ramp edges; it answers at corners and saddles, where the
# x-slope changes along y.
MIXED_DERIVATIVE = np.array([[1, 0, -1],
                             [0, 0, 0],
                             [-1, 0, 1]])

# Hand-designed 3x3 filters of chapter 3: name -> (integer weights, divisor). The kernel
# is weights/divisor.
FILTERS = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1),
    "Sobel (vertical edges)": (SOBEL.tolist(), 1),
    "edges (4-neighbour)": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1),
    "edges (8-neighbour)": ([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 1),
    "corners (mixed derivative)": (MIXED_DERIVATIVE.tolist(), 1),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1),
    "box blur": ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 9),
    "Gaussian blur": ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
}

# A 5x5 "eye" on a dark background, the pattern of chapter 5's eye detector: a bright
# ring (1) around a dark iris (0) with a bright pupil (1) in the middle.
EYE = np.array([[0, 1, 1, 1, 0],
                [1, 0, 0, 0, 1],
                [1, 0, 1, 0, 1],
                [1, 0, 0, 0, 1],
                [0, 1, 1, 1, 0]])

# Chapter 5's 4x4 map for 2x2 max and average pooling, which chapter 6 pools backwards.
POOLING_EXAMPLE = np.array([[1, 1, 2, 4],
                            [5, 6, 7, 8],
                            [3, 2, 1, 0],
                            [1, 2, 3, 4]])

# Chapter 5's 5x5 map for overlapping 3x3 windows at stride 1, which chapter 6 pools
# backwards: its 15 is the maximum of several windows.
OVERLAP_EXAMPLE = np.array([[1, 2, 5, 10, 7],
                            [0, 5, 1, 4, 0],
                            [0, 4, 9, 3, 15],
                            [0, 0, 2, 4, 5],
                            [0, 7, 2, 0, 0]])

# ITU-R BT.601 luma: how bright red, green and blue look to the eye, as weights that add
# up to 1 (green looks brightest, blue darkest).
BT601_LUMA = np.array([0.299, 0.587, 0.114])


def kernel(name: str) -> np.ndarray:
    """The 3x3 kernel called ``name`` in :data:`FILTERS` as a float array.

    Chapter 3, "Convolution". -> (3, 3) float
    """
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; choose one of {list(FILTERS)}")
    weights, divisor = FILTERS[name]
    return np.array(weights, dtype=float) / divisor


def photo_rgb(step: int = 1) -> np.ndarray:
    """Grace Hopper's portrait, shipped with matplotlib, as 8-bit RGB.

    Chapter 3, "Convolution" (what a photograph is to a computer).
    step: keep every step-th row and column -> (H, W, 3) uint8; step=1 gives 600 x 512,
    step=4 gives 150 x 128.
    """
    step = integer(step, "step", minimum=1)
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = matplotlib.image.imread(file, format="jpg")
    return np.ascontiguousarray(rgb[::step, ::step])


def photo_gray(step: int = 1) -> np.ndarray:
    """The portrait in 8-bit grey levels: ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B.

    Chapter 3, "Convolution"; chapter 5, "Pooling", shifts it to measure invariance.
    step: as for :func:`photo_rgb` -> (H, W) uint8
    """
    rgb = photo_rgb(step).astype(float)
    return np.round(rgb @ BT601_LUMA).astype(np.uint8)


def letter_a(size: int = 29) -> np.ndarray:
    """A letter A drawn with three bright bars on a dark background.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron"
    (the input of the Neocognitron's first stage).
    size: pixels per side, at least 8 (the strokes run from row 3 to row size - 4)
    -> (size, size) float in [0, 1]
    """
    size = integer(size, "size", minimum=8)
    y, x = np.mgrid[0:size, 0:size].astype(float)
    top, bottom, half = 3.0, size - 4.0, size / 2 - 0.5
    image = np.zeros((size, size))
    height = bottom - top
    for sign in (-1, 1):
        # distance from the stroke from the apex (half, top) to (half +- 0.4 size, bottom)
        dx, dy = sign * 0.38 * size, height
        distance = np.abs(dy * (x - half) - dx * (y - top)) / np.hypot(dx, dy)
        image = np.maximum(image, np.clip(1.5 - distance, 0, 1) * (y >= top) * (y <= bottom))
    crossbar = np.clip(1.5 - np.abs(y - (top + 0.62 * height)), 0, 1)
    inside = np.abs(x - half) <= 0.38 * size * 0.62
    return np.maximum(image, crossbar * inside)
