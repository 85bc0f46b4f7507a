"""Zero padding, and which pixels a strided, dilated kernel reads (chapter 4)."""

import numpy as np

from book.shapes import output_size
from book.validation import integer, real_array


def pad2d(x: np.ndarray, p: int) -> np.ndarray:
    """Surround the last two axes of ``x`` with ``p`` rows/columns of zeros.

    Chapter 4, "Padding and stride".

    x: (..., H, W) -> (..., H + 2p, W + 2p)
    """
    x = real_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must have at least 2 axes (..., H, W), got shape {x.shape}")
    p = integer(p, "p", minimum=0)
    height, width = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (height + 2 * p, width + 2 * p), dtype=x.dtype)
    out[..., p:p + height, p:p + width] = x
    return out


def kernel_positions(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> list[int]:
    """Start index (in the padded input) of every kernel position along one axis.

    Chapter 4, "Padding and stride".
    """
    return [i * s for i in range(output_size(n, f, p, s, d))]


def reads_along_axis(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> np.ndarray:
    """How many kernel positions read each index of the padded axis.

    Chapter 4, "Padding and stride".

    -> (n + 2p,) ints; the padding sits at both ends.
    """
    starts = kernel_positions(n, f, p, s, d)  # checks the sizes before they are used
    reads = np.zeros(int(n) + 2 * int(p), dtype=int)  # int: a uint8 p would wrap
    span = int(d) * (int(f) - 1) + 1
    for start in starts:
        reads[start:start + span:d] += 1
    return reads


def pixel_usage(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> np.ndarray:
    """How many kernel positions read each pixel of an n x n input (padding excluded).

    Chapter 4, "Padding and stride".

    -> (n, n) ints: the product of the counts along the rows and along the columns.
    """
    reads = reads_along_axis(n, f, p, s, d)[p:p + n]
    return np.outer(reads, reads)
