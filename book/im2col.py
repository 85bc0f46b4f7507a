"""im2col: every window a convolution reads, laid out as one column of a matrix.

A convolution layer reads, at each output position, a (dilated) kh x kw window of every
input channel. :func:`im2col` copies each window into one column, so that the whole layer
becomes a single matrix product (``book.conv.conv2d``)::

    y[n] = w.reshape(F, C*kh*kw) @ im2col(x, (kh, kw), ...)[n]      # (F, H_out*W_out)

:func:`col2im` goes the other way: it adds every column back onto the pixels its window
covers, so a pixel read by several windows receives the sum of their values. It is the
adjoint (the transpose) of im2col, ``<im2col(x), c> == <x, col2im(c)>``, and it is how the
gradient of a convolution reaches its input (``book.gradients``).

The geometry both share (how many windows fit, the zero padding) lives here too; the
convolution and its gradients take it from this module.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from book.shapes import output_size
from book.validation import integer, pair, real_array, shown


def kernel_positions(axis: str, n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """How many positions a kernel takes along one axis, or a ValueError if it never fits.

    Chapter 4, "Padding and stride".

    axis: the axis's name for the message ("height"); n: input size, f: kernel size,
    p: zero padding on each side, s: stride, d: dilation -> the output size
    ``floor((n + 2p - d*(f-1) - 1) / s) + 1``.
    """
    span = d * (f - 1) + 1
    if span > n + 2 * p:
        raise ValueError(f"the kernel is larger than the input along the {axis}: it "
                         f"spans {span} (size {f}, dilation {d}) but the padded input "
                         f"has only {n + 2 * p} (size {n}, padding {p})")
    return output_size(n, f, p, s, d)


def array_shape(value, name: str, ndim: int, layout: str) -> tuple[int, ...]:
    """An array shape given as ``ndim`` sizes of at least 1, e.g. ``(N, C, H, W)``.

    Chapter 3, "Convolution".

    value: a tuple or list of sizes; layout describes them for the message -> the sizes.
    """
    sizes = tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(sizes) != ndim:
        raise ValueError(f"{name} must be {ndim} sizes {layout}, got {shown(value)}")
    return tuple(integer(size, f"{name}[{axis}]", minimum=1)
                 for axis, size in enumerate(sizes))


def window_settings(input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Check a sliding window's settings against an input; return them as pairs.

    Chapter 4, "Padding and stride".

    input_shape: (N, C, H, W), already checked; kernel_size, stride, padding, dilation:
    int or (height, width) pair
    -> ((kh, kw), (sh, sw), (ph, pw), (dh, dw), (H_out, W_out))
    """
    kernel_size = pair(kernel_size, "kernel_size", minimum=1)
    stride = pair(stride, "stride", minimum=1)
    padding = pair(padding, "padding", minimum=0)
    dilation = pair(dilation, "dilation", minimum=1)
    size = tuple(kernel_positions(axis, n, f, p, s, d) for axis, n, f, p, s, d in
                 zip(("height", "width"), input_shape[2:], kernel_size, padding, stride,
                     dilation))
    return kernel_size, stride, padding, dilation, size


def zero_pad(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """Zeros around the last two axes of x.

    Chapter 4, "Padding and stride".

    x: (N, C, H, W), padding: (ph, pw) -> (N, C, H + 2ph, W + 2pw)
    """
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Every window of a convolution as a column: ``torch.nn.functional.unfold`` in numpy.

    Chapter 3, "Convolution".

    Column ``i*W_out + j`` of image n holds the window under output position (i, j);
    its rows run over channel c, then kernel row a, then kernel column e::

        columns[n, (c*kh + a)*kw + e, i*W_out + j] = x_padded[n, c, i*sh + a*dh, j*sw + e*dw]

    ``sliding_window_view`` gives every (dilated) kernel-sized window of the padded input
    without copying; keeping every stride-th window start and every dilation-th pixel
    inside a window leaves a view of shape (N, C, H_out, W_out, kh, kw), which is
    reordered and copied once. The copy is the memory cost of im2col: each pixel appears
    in up to kh*kw columns.

    x: (N, C, H, W); kernel_size, stride, padding (zeros), dilation: int or (height,
    width) pair -> columns: (N, C*kh*kw, H_out*W_out), same dtype as x
    """
    x = real_array(x, "x", 4, "(N, C, H, W)")
    (kh, kw), (sh, sw), padding, (dh, dw), (h_out, w_out) = window_settings(
        x.shape, kernel_size, stride, padding, dilation)
    n_images, channels = x.shape[:2]
    padded = zero_pad(x, padding) if any(padding) else x
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(padded, span, axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :h_out, :w_out]
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(
        n_images, channels * kh * kw, h_out * w_out)


def col2im(columns, input_shape, kernel_size, stride=1, padding=0,
           dilation=1) -> np.ndarray:
    """Add every column back onto the pixels its window covers: the adjoint of im2col.

    Chapter 3, "Convolution".

    ``torch.nn.functional.fold`` in numpy. Where windows overlap, a pixel receives the
    sum of every column entry that read it; values that fall on the padding are dropped.
    One strided slice per kernel offset (a, e) carries that offset's row of every column
    to its pixels at once::

        x_padded[n, c, i*sh + a*dh, j*sw + e*dw] += columns[n, (c*kh + a)*kw + e, i*W_out + j]

    columns: (N, C*kh*kw, H_out*W_out); input_shape: (N, C, H, W), the shape im2col read;
    kernel_size, stride, padding, dilation: as given to im2col
    -> x: (N, C, H, W), floating point (the dtype of columns if it is a float)
    """
    input_shape = array_shape(input_shape, "input_shape", 4, "(N, C, H, W)")
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h_out, w_out) = window_settings(
        input_shape, kernel_size, stride, padding, dilation)
    n_images, channels, height, width = input_shape
    expected = (n_images, channels * kh * kw, h_out * w_out)
    columns = real_array(columns, "columns", 3, "(N, C*kh*kw, H_out*W_out)")
    if columns.shape != expected:
        raise ValueError(f"columns must have shape {expected} (N, C*kh*kw, H_out*W_out) "
                         f"for input_shape {input_shape}, got {columns.shape}")
    columns = columns.reshape(n_images, channels, kh, kw, h_out, w_out)
    dtype = columns.dtype if np.issubdtype(columns.dtype, np.floating) else np.float64
    padded = np.zeros((n_images, channels, height + 2 * ph, width + 2 * pw), dtype=dtype)
    for a in range(kh):
        for e in range(kw):
            padded[:, :, a * dh:a * dh + sh * (h_out - 1) + 1:sh,
                   e * dw:e * dw + sw * (w_out - 1) + 1:sw] += columns[:, :, a, e]
    return padded[:, :, ph:ph + height, pw:pw + width]
