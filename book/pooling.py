"""Max and average pooling on (N, C, H, W) arrays: a loop that teaches, a fast version.

Pooling slides a window over each channel separately and replaces the window by one
number: its largest entry (max pooling) or its mean (average pooling). It has no
parameters to learn.

Settings follow ``torch.nn.functional.max_pool2d`` / ``avg_pool2d``:

* ``window``: the window size, an int (square) or a pair ``(height, width)``;
* ``stride``: how far the window moves; ``None`` (the default) means "equal to the
  window", so the windows tile the input without overlapping;
* ``padding``: added on each side, at most half the window (a window lying wholly in the
  padding would have nothing to pool). Max pooling pads with the smallest value of the
  dtype (``-inf`` for floats), so padding never wins a maximum. Average pooling pads
  with zeros and *counts them* in the mean (PyTorch's default
  ``count_include_pad=True``), so a border window with padding averages over the full
  window area.

The output size along each side is ``floor((n + 2p - k) / s) + 1`` (``book.shapes``).
"""

from __future__ import annotations

import numpy as np

from book.shapes import output_size
from book.validation import pair, real_array, shown


def pool_settings(x, window, stride=None, padding=0):
    """Check the input and settings of a pooling layer; return them in a uniform form.

    Chapter 5, "Pooling".

    x: (N, C, H, W). Returns ``(x, (kh, kw), (sh, sw), (ph, pw), (H_out, W_out))`` with
    x as a numpy array. Raises ValueError naming the argument when a setting is
    impossible.
    """
    x = real_array(x, "x", 4, "(N, C, H, W)")
    kh, kw = pair(window, "window", minimum=1)
    sh, sw = pair(window if stride is None else stride, "stride", minimum=1)
    ph, pw = pair(padding, "padding", minimum=0)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"padding {shown(padding)} is more than half the window "
                         f"{shown(window)}: some windows would lie wholly in the padding")
    sizes = []
    for axis, n, k, s, p in (("height", x.shape[2], kh, sh, ph),
                             ("width", x.shape[3], kw, sw, pw)):
        if n + 2 * p < k:
            raise ValueError(f"the window ({k}) is larger than the padded input {axis} "
                             f"({n} + 2*{p} = {n + 2 * p}): no window position fits")
        sizes.append(output_size(n, k, p=p, s=s))
    return x, (kh, kw), (sh, sw), (ph, pw), tuple(sizes)


def _pad(x: np.ndarray, ph: int, pw: int, value) -> np.ndarray:
    """Pad the last two axes of x: (N, C, H, W) -> (N, C, H + 2ph, W + 2pw)."""
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _lowest(dtype) -> float | int:
    """The value that never wins a maximum: -inf for floats, the minimum for ints."""
    if np.issubdtype(dtype, np.floating):
        return -np.inf
    if np.issubdtype(dtype, np.bool_):
        return False
    return np.iinfo(dtype).min


def max_pool2d_loop(x, window, stride=None, padding=0) -> np.ndarray:
    """Max pooling written as loops: one window at a time.

    Chapter 5, "Pooling".

    x: (N, C, H, W) -> (N, C, H_out, W_out), same dtype as x.
    window, stride (default: window), padding: int or (height, width) pair.
    """
    x, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = pool_settings(x, window, stride,
                                                                    padding)
    padded = _pad(x, ph, pw, _lowest(x.dtype))
    out = np.empty(x.shape[:2] + (h_out, w_out), dtype=x.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):  # each channel on its own: pooling never mixes them
            for i in range(h_out):
                for j in range(w_out):
                    patch = padded[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, c, i, j] = patch.max()
    return out


def avg_pool2d_loop(x, window, stride=None, padding=0) -> np.ndarray:
    """Average pooling as loops; padded zeros count in the mean (PyTorch's default).

    Chapter 5, "Pooling".

    x: (N, C, H, W) -> (N, C, H_out, W_out), floating point.
    window, stride (default: window), padding: int or (height, width) pair.
    """
    x, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = pool_settings(x, window, stride,
                                                                    padding)
    padded = _pad(x.astype(np.result_type(x.dtype, np.float64)), ph, pw, 0)
    out = np.empty(x.shape[:2] + (h_out, w_out), dtype=padded.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(h_out):
                for j in range(w_out):
                    patch = padded[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, c, i, j] = patch.sum() / (kh * kw)
    return out


def pool_windows(x, window, stride=None, padding=0, fill=0) -> np.ndarray:
    """Every pooling window at once, as a read-only view (no copy beyond the padding).

    Chapter 5, "Pooling".

    x: (N, C, H, W) -> (N, C, H_out, W_out, kh, kw); ``fill`` is the padding value.
    """
    x, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = pool_settings(x, window, stride,
                                                                    padding)
    padded = _pad(x, ph, pw, fill) if ph or pw else x
    views = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))
    return views[:, :, ::sh, ::sw][:, :, :h_out, :w_out]


def max_pool2d(x, window, stride=None, padding=0) -> np.ndarray:
    """Max pooling, vectorized with a sliding-window view; same result as the loop.

    Chapter 5, "Pooling".

    x: (N, C, H, W) -> (N, C, H_out, W_out), same dtype as x.
    window, stride (default: window), padding: int or (height, width) pair.
    """
    x = pool_settings(x, window, stride, padding)[0]
    windows = pool_windows(x, window, stride, padding, fill=_lowest(x.dtype))
    return windows.max(axis=(-2, -1))


def avg_pool2d(x, window, stride=None, padding=0) -> np.ndarray:
    """Average pooling, vectorized; padded zeros count in the mean (PyTorch's default).

    Chapter 5, "Pooling".

    x: (N, C, H, W) -> (N, C, H_out, W_out), floating point.
    window, stride (default: window), padding: int or (height, width) pair.
    """
    x = pool_settings(x, window, stride, padding)[0]  # check before converting to float
    x = x.astype(np.result_type(x.dtype, np.float64))
    return pool_windows(x, window, stride, padding, fill=0).mean(axis=(-2, -1))
