"""Backward passes of the convolution and pooling layers: how the gradient flows back.

Each layer's forward pass ``y = layer(x)`` has a backward pass that takes ``dy``, the
gradient of the loss with respect to y (same shape as y), and returns the gradients
with respect to the layer's input and parameters. Each is given as a plain loop that
teaches (every output position sends its share of ``dy`` to everything it read) and a
vectorized version that is fast (im2col, a matrix product, col2im); both agree with
``torch.autograd``. :func:`numerical_gradient` checks either without calculus.

Bad arguments raise ``ValueError`` naming the argument, as in the forward passes.
"""

from __future__ import annotations

import numpy as np

from book.conv import conv2d_settings
from book.im2col import col2im, im2col, zero_pad
from book.pooling import pool_settings, pool_windows
from book.validation import real_array, real_number


def _output_gradient(dy, shape: tuple[int, ...], layout: str) -> np.ndarray:
    """dy checked against the forward output's shape, as a floating-point array."""
    dy = real_array(dy, "dy", 4, layout)
    if dy.shape != shape:
        raise ValueError(f"dy must have the shape of the layer's output {shape} "
                         f"{layout}, got {dy.shape}")
    return dy if np.issubdtype(dy.dtype, np.floating) else dy.astype(np.float64)


def _conv2d_arguments(dy, x, w, stride, padding, dilation):
    """conv2d_settings, plus dy checked; every array in one floating dtype."""
    x, w, _, stride, padding, dilation, (h_out, w_out) = conv2d_settings(
        x, w, None, stride, padding, dilation)
    dy = _output_gradient(dy, (len(x), len(w), h_out, w_out), "(N, F, H_out, W_out)")
    dtype = np.result_type(x, w, dy)
    return (dy.astype(dtype, copy=False), x.astype(dtype, copy=False),
            w.astype(dtype, copy=False), stride, padding, dilation)


def conv2d_backward_loop(dy, x, w, stride=1, padding=0, dilation=1):
    """The gradients of ``book.conv.conv2d`` written as loops, in the manner of CS231n.

    Chapter 6, "How a CNN learns its filters".

    The forward pass read the window ``x_padded[n, :, rows(i), cols(j)]`` and multiplied
    it by filter ``w[f]``. Going back, output (n, f, i, j) hands ``dy[n, f, i, j]`` to
    each factor in proportion to the other: the filter's gradient gets the window, the
    window's pixels get the filter, the bias gets ``dy`` itself. A weight is used at
    every position, so its gradient is the sum over every position (weight sharing).

    dy: (N, F, H_out, W_out), x: (N, C, H, W), w: (F, C, kh, kw); stride, padding,
    dilation: as given to conv2d -> dx: (N, C, H, W), dw: (F, C, kh, kw), db: (F,)
    """
    dy, x, w, (sh, sw), (ph, pw), (dil_h, dil_w) = _conv2d_arguments(
        dy, x, w, stride, padding, dilation)
    padded = zero_pad(x, (ph, pw))
    dx_padded, dw, db = np.zeros_like(padded), np.zeros_like(w), np.zeros(len(w), dy.dtype)
    kh, kw = w.shape[2:]
    n_images, n_filters, h_out, w_out = dy.shape
    for n in range(n_images):
        for f in range(n_filters):
            for i in range(h_out):
                for j in range(w_out):
                    rows = slice(i * sh, i * sh + dil_h * (kh - 1) + 1, dil_h)
                    cols = slice(j * sw, j * sw + dil_w * (kw - 1) + 1, dil_w)
                    dw[f] += dy[n, f, i, j] * padded[n, :, rows, cols]
                    dx_padded[n, :, rows, cols] += dy[n, f, i, j] * w[f]
                    db[f] += dy[n, f, i, j]
    height, width = x.shape[2:]
    return dx_padded[:, :, ph:ph + height, pw:pw + width], dw, db


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1):
    """The gradients of ``book.conv.conv2d``, vectorized: the forward matmul, transposed.

    Chapter 6, "How a CNN learns its filters".

    The forward pass is ``y[n] = W @ X[n]`` with ``W = w.reshape(F, C*kh*kw)`` and
    ``X[n] = im2col(x)[n]``; the gradients of a matrix product are products too::

        dW = sum_n dy[n] @ X[n].T     dX[n] = W.T @ dy[n]     db = dy summed over n, i, j

    and col2im adds each column of dX back onto the pixels it was read from. Read as
    convolutions (stride 1): dw is the cross-correlation of the input with dy, dx is the
    full convolution of dy with the kernel (a cross-correlation with the kernel flipped
    on both axes), and db is a sum. With stride s, dy is dilated by s first: zeros go
    between its entries, since the output skipped those positions.

    dy: (N, F, H_out, W_out), x: (N, C, H, W), w: (F, C, kh, kw); stride, padding,
    dilation: as given to conv2d -> dx: (N, C, H, W), dw: (F, C, kh, kw), db: (F,)
    """
    dy, x, w, stride, padding, dilation = _conv2d_arguments(
        dy, x, w, stride, padding, dilation)
    n_images, n_filters = dy.shape[:2]
    dy_rows = dy.reshape(n_images, n_filters, -1)
    columns = im2col(x, w.shape[2:], stride, padding, dilation)
    dw = np.tensordot(dy_rows, columns, axes=([0, 2], [0, 2])).reshape(w.shape)
    dx = col2im(w.reshape(n_filters, -1).T @ dy_rows, x.shape, w.shape[2:], stride,
                padding, dilation)
    return dx, dw, dy.sum(axis=(0, 2, 3))


def _pool_arguments(dy, x, window, stride, padding):
    """pool_settings, plus dy checked; x and dy in one floating dtype."""
    x, window, stride, padding, (h_out, w_out) = pool_settings(x, window, stride, padding)
    dy = _output_gradient(dy, x.shape[:2] + (h_out, w_out), "(N, C, H_out, W_out)")
    dtype = np.result_type(x, dy)
    return dy.astype(dtype, copy=False), x.astype(dtype), window, stride, padding


def _windows(x_shape, out_shape, window, stride, padding):
    """Every pooling window, one at a time: (n, c, i, j) and the rows and columns of x
    under it. A window that hangs over the border is cut to the input: the padding never
    takes a maximum and the share of the mean that falls on it goes nowhere."""
    height, width = x_shape[2:]
    for n, c, i, j in np.ndindex(out_shape):
        top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
        rows = slice(max(top, 0), min(top + window[0], height))
        cols = slice(max(left, 0), min(left + window[1], width))
        yield (n, c, i, j), rows, cols


def _pooled_to_input(per_window, x_shape, window, stride, padding) -> np.ndarray:
    """col2im for pooling: (N, C, H_out, W_out, kh*kw) window gradients -> (N, C, H, W)."""
    n_images, channels, height, width = x_shape
    columns = per_window.reshape(n_images * channels, -1, per_window.shape[-1])
    dx = col2im(columns.transpose(0, 2, 1), (n_images * channels, 1, height, width),
                window, stride, padding)
    return dx.reshape(x_shape)


def max_pool2d_backward_loop(dy, x, window, stride=None, padding=0) -> np.ndarray:
    """The gradient of ``book.pooling.max_pool2d`` as loops: each window's dy goes to its max.

    Chapter 6, "How a CNN learns its filters".

    Only the largest entry of a window reached the output, so only it receives the
    window's gradient; the others get nothing. On ties the first maximum in row-major
    order (top row first, then left to right) takes it all, as in PyTorch's CPU kernel.
    Where windows overlap, a pixel that is the maximum of several adds up their dy. A NaN
    counts as the maximum; of several NaNs the first takes it here, the last in PyTorch.

    dy: (N, C, H_out, W_out), x: (N, C, H, W); window, stride (default: window),
    padding: as given to max_pool2d -> dx: (N, C, H, W), floating point
    """
    dy, x, window, stride, padding = _pool_arguments(dy, x, window, stride, padding)
    dx = np.zeros_like(x)
    for (n, c, i, j), rows, cols in _windows(x.shape, dy.shape, window, stride, padding):
        patch = x[n, c, rows, cols]
        a, e = np.unravel_index(np.argmax(patch), patch.shape)  # argmax: the first maximum
        dx[n, c, rows.start + a, cols.start + e] += dy[n, c, i, j]
    return dx


def max_pool2d_backward(dy, x, window, stride=None, padding=0) -> np.ndarray:
    """The gradient of ``book.pooling.max_pool2d``, vectorized: one argmax per window.

    Chapter 6, "How a CNN learns its filters".

    Every window at once (padding filled with -inf, so it never wins), the position of
    its first maximum, a one-hot (kh*kw) vector times dy per window, and col2im to add
    those back onto the pixels. Same result and tie rule as
    :func:`max_pool2d_backward_loop`.

    dy: (N, C, H_out, W_out), x: (N, C, H, W); window, stride (default: window),
    padding: as given to max_pool2d -> dx: (N, C, H, W), floating point
    """
    dy, x, window, stride, padding = _pool_arguments(dy, x, window, stride, padding)
    windows = pool_windows(x, window, stride, padding, fill=-np.inf)
    cells = window[0] * window[1]
    first_max = windows.reshape(dy.shape + (cells,)).argmax(axis=-1)
    routed = (first_max[..., None] == np.arange(cells)) * dy[..., None]
    return _pooled_to_input(routed, x.shape, window, stride, padding)


def avg_pool2d_backward_loop(dy, x, window, stride=None, padding=0) -> np.ndarray:
    """The gradient of ``book.pooling.avg_pool2d`` as loops: each window's dy, spread evenly.

    Chapter 6, "How a CNN learns its filters".

    Every entry of a window counted 1/(kh*kw) in its mean, so each receives
    ``dy / (kh*kw)``; the share that falls on zero padding is dropped (the padding counts
    in the mean, as in ``avg_pool2d``). Overlapping windows add up.

    dy: (N, C, H_out, W_out), x: (N, C, H, W); window, stride (default: window),
    padding: as given to avg_pool2d -> dx: (N, C, H, W), floating point
    """
    dy, x, window, stride, padding = _pool_arguments(dy, x, window, stride, padding)
    dx = np.zeros_like(x)
    for (n, c, i, j), rows, cols in _windows(x.shape, dy.shape, window, stride, padding):
        dx[n, c, rows, cols] += dy[n, c, i, j] / (window[0] * window[1])
    return dx


def avg_pool2d_backward(dy, x, window, stride=None, padding=0) -> np.ndarray:
    """The gradient of ``book.pooling.avg_pool2d``, vectorized with col2im.

    Chapter 6, "How a CNN learns its filters".

    Each window's column holds ``dy / (kh*kw)`` in every cell; col2im adds the columns
    back onto the pixels. Same result as :func:`avg_pool2d_backward_loop`.

    dy: (N, C, H_out, W_out), x: (N, C, H, W); window, stride (default: window),
    padding: as given to avg_pool2d -> dx: (N, C, H, W), floating point
    """
    dy, x, window, stride, padding = _pool_arguments(dy, x, window, stride, padding)
    cells = window[0] * window[1]
    spread = np.broadcast_to(dy[..., None] / cells, dy.shape + (cells,))
    return _pooled_to_input(spread, x.shape, window, stride, padding)


def numerical_gradient(f, x, h=1e-6) -> np.ndarray:
    """The gradient of a scalar function by central differences, without any calculus.

    Chapter 6, "How a CNN learns its filters".

    Entry by entry, ``(f(x + h e) - f(x - h e)) / (2h)`` with e the unit array of that
    entry: the error shrinks like h**2 until float64 rounding (about 1e-16 / h) takes
    over, so h = 1e-6 leaves an error near 1e-10 times the size of f's values (about 10
    correct digits where the gradient is not near zero). One pair of calls per entry: for
    checking small cases, not for training.

    f: a function of an array of x's shape returning one real number; x: any shape,
    computed in float64 (f receives a float64 array it must not keep); h: the step > 0
    -> gradient: float64, the shape of x
    """
    if not callable(f):
        raise ValueError(f"f must be a function of x, got {type(f).__name__}")
    x = real_array(x, "x").astype(np.float64)
    h = real_number(h, "h")
    if h <= 0:
        raise ValueError(f"h must be a positive step, got {h}")

    def value_at(index, shifted: float) -> float:
        x[index] = shifted
        return real_number(np.asarray(f(x))[()], "f(x)")

    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        gradient[index] = (value_at(index, original + h)
                           - value_at(index, original - h)) / (2 * h)
        x[index] = original
    return gradient
