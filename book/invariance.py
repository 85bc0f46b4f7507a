"""Translation invariance of pooling, measured: shift an input and count what changes.

A convolution is *equivariant*: move the input one pixel and its output map moves one
pixel, so almost every value at a fixed position changes. Max pooling is approximately
*invariant*: the largest value of a window often stays inside the window after a small
shift, so many pooled values stay exactly the same. This module measures both on a real
photograph and builds the "eye detector", whose maximum over all positions does not care
where the eye is. Chapter 5, "Pooling", explains both; the photograph and the eye come
from :mod:`book.samples`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from book.conv import corr2d, filter_image
from book.pooling import avg_pool2d, max_pool2d
from book.samples import EYE, SOBEL
from book.validation import integer, pair, real_array


def shifted_pair(image, pixels: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two equal-sized views of one image, the second moved ``pixels`` to the right.

    Chapter 5, "Pooling". Like a camera panned by a pixel: both are crops of the same
    scene, so no made-up border values enter. image: (H, W) -> before, after: (H, W -
    pixels) with ``after[:, j + pixels] == before[:, j]``.
    """
    image = real_array(image, "image", ndim=2, layout="(H, W)")
    pixels = integer(pixels, "pixels", minimum=0)
    if pixels >= image.shape[1]:
        raise ValueError(f"pixels must be at most the image width - 1 "
                         f"({image.shape[1] - 1}), got {pixels}")
    width = image.shape[1] - pixels
    return image[:, pixels:pixels + width], image[:, :width]


@dataclass(frozen=True)
class ShiftChange:
    """How one layer's output responds to shifting its input.

    Chapter 5, "Pooling" ("Translation invariance, measured").
    outputs: how many values the layer outputs; changed: how many of them differ (at the
    same position) after the shift; relative_size: the size of the change, ``||after -
    before||`` divided by ``||before||``.
    """

    layer: str
    outputs: int
    changed: int
    relative_size: float

    @property
    def fraction(self) -> float:
        return self.changed / self.outputs


def shift_change(layer: str, before, after, atol: float = 1e-9) -> ShiftChange:
    """Compare a layer's outputs before and after a shift, position by position.

    Chapter 5, "Pooling". before, after: any one shape -> a :class:`ShiftChange`
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        raise ValueError(f"before and after must have the same shape, got "
                         f"{before.shape} and {after.shape}")
    changed = int((~np.isclose(before, after, rtol=0, atol=atol)).sum())
    size = float(np.linalg.norm(after - before) / max(np.linalg.norm(before), 1e-300))
    return ShiftChange(layer, before.size, changed, size)


def detector_map(image, kernel=SOBEL) -> np.ndarray:
    """Convolution, then ReLU: where (and how strongly) the kernel's pattern appears.

    Chapter 5, "Pooling". The default kernel is chapter 3's Sobel edge detector.
    image: (H, W), kernel: (k, k) -> (H - k + 1, W - k + 1)
    """
    return np.maximum(filter_image(image, kernel), 0)


POOLINGS = {  # name: (function, window, stride)
    "max pooling 2x2, stride 2": (max_pool2d, 2, 2),
    "max pooling 3x3, stride 2 (AlexNet)": (max_pool2d, 3, 2),
    "max pooling 3x3, stride 1": (max_pool2d, 3, 1),
    "average pooling 2x2, stride 2": (avg_pool2d, 2, 2),
}


def measure_shift_invariance(image, kernel=SOBEL, pixels: int = 1,
                             poolings=None) -> list[ShiftChange]:
    """Shift ``image`` right by ``pixels``; count changed outputs of conv, ReLU, pools.

    Chapter 5, "Pooling" ("Translation invariance, measured").
    The first rows are the convolution and the detector map (convolution + ReLU); each
    further row pools the detector map with one of ``poolings`` (default
    :data:`POOLINGS`: name -> (pool function, window, stride)). image: (H, W) -> one
    ShiftChange per layer.
    """
    poolings = POOLINGS if poolings is None else poolings
    views = shifted_pair(image, pixels)
    raw_before, raw_after = (filter_image(v, kernel) for v in views)
    before, after = np.maximum(raw_before, 0), np.maximum(raw_after, 0)
    rows = [shift_change("convolution", raw_before, raw_after),
            shift_change("convolution + ReLU", before, after)]
    for name, (pool, window, stride) in poolings.items():
        rows.append(shift_change(name, pool(before[None, None], window, stride),
                                 pool(after[None, None], window, stride)))
    return rows


def place(pattern, shape: tuple[int, int], row: int, col: int) -> np.ndarray:
    """A zero image of ``shape`` with ``pattern`` pasted, top-left corner at (row, col).

    Chapter 5, "Pooling" (where the eye detector's eye is put).
    pattern: (h, w) -> (H, W)
    """
    pattern = np.asarray(pattern)
    height, width = pair(shape, "shape", minimum=1)
    row, col = integer(row, "row"), integer(col, "col")
    fits_rows = 0 <= row <= height - pattern.shape[0]
    fits_cols = 0 <= col <= width - pattern.shape[1]
    if not (fits_rows and fits_cols):
        raise ValueError(f"a {pattern.shape[0]}x{pattern.shape[1]} pattern at "
                         f"(row, col) = ({row}, {col}) does not fit in a "
                         f"{height}x{width} image")
    image = np.zeros((height, width), dtype=pattern.dtype)
    image[row:row + pattern.shape[0], col:col + pattern.shape[1]] = pattern
    return image


def eye_template(eye=EYE) -> np.ndarray:
    """The eye with its mean removed: a flat patch, bright or dark, scores zero.

    Chapter 5, "Pooling" ("The eye detector"). eye: (h, w) -> (h, w) float
    """
    eye = np.asarray(eye, dtype=float)
    return eye - eye.mean()


def eye_detector(image, template=None) -> tuple[np.ndarray, float]:
    """Template matching followed by a max over every position.

    Chapter 5, "Pooling" ("The eye detector").
    image: (H, W) -> (the detection map (H - 4, W - 4) for the 5x5 eye, its maximum).
    The map moves with the eye (equivariance); the maximum does not (invariance).
    """
    template = eye_template() if template is None else np.asarray(template, dtype=float)
    scores = corr2d(np.asarray(image, dtype=float), template)
    return scores, float(scores.max())
