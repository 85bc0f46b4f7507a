"""Convolution (cross-correlation, as deep-learning libraries compute it) in numpy.

Two levels, each given as a plain loop that teaches and, where speed matters, a
vectorized version that is fast:

* one channel: :func:`corr1d`, :func:`corr2d` (valid cross-correlation),
  :func:`convolve2d` (true convolution: the kernel flipped);
* a layer: :func:`conv2d_loop` and :func:`conv2d` on ``(N, C, H, W)`` batches with ``F``
  filters, bias, stride, zero padding and dilation, like ``torch.nn.functional.conv2d``;
* the same operation as a matrix product: :func:`corr1d_as_matrix` and
  :func:`conv2d_as_matrix` build the sparse, weight-shared ("banded") matrix ``M`` with
  ``M @ x.ravel() == conv(x).ravel()``.

Bad arguments raise ``ValueError`` naming the argument. NaN and infinity are not
rejected: they propagate to the outputs that read them, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from book.im2col import array_shape, im2col, kernel_positions, window_settings, zero_pad
from book.validation import integer, real_array


def _common_dtype(*arrays: np.ndarray, floating: bool = False) -> np.dtype:
    """The dtype to compute in: wide enough that 8-bit pixels cannot overflow."""
    dtype = np.result_type(*arrays)
    if np.issubdtype(dtype, np.floating):
        return dtype
    return np.dtype(np.float64 if floating else np.int64)


def corr1d(x, w) -> np.ndarray:
    """Valid 1-D cross-correlation: ``y[i] = sum_j x[i + j] * w[j]``.

    Chapter 3, "Convolution".

    x: (n,), w: (k,) with k <= n -> y: (n - k + 1,)
    """
    x = real_array(x, "x", 1, "(n,)")
    w = real_array(w, "w", 1, "(k,)")
    n_out = kernel_positions("length", len(x), len(w))
    dtype = _common_dtype(x, w)
    x, w = x.astype(dtype), w.astype(dtype)
    return np.array([np.dot(x[i:i + len(w)], w) for i in range(n_out)], dtype=dtype)


def corr2d(x, k) -> np.ndarray:
    """Valid 2-D cross-correlation of one channel with one kernel (a plain loop).

    Chapter 3, "Convolution".

    ``y[i, j] = sum_{a, b} x[i + a, j + b] * k[a, b]``: slide ``k`` over ``x`` and at
    each position add up the products of overlapping entries.

    x: (H, W), k: (kh, kw) -> y: (H - kh + 1, W - kw + 1)
    """
    x = real_array(x, "x", 2, "(H, W)")
    k = real_array(k, "k", 2, "(kh, kw)")
    kh, kw = k.shape
    h_out = kernel_positions("height", x.shape[0], kh)
    w_out = kernel_positions("width", x.shape[1], kw)
    dtype = _common_dtype(x, k)
    x, k = x.astype(dtype), k.astype(dtype)
    y = np.zeros((h_out, w_out), dtype=dtype)
    for i in range(h_out):
        for j in range(w_out):
            y[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return y


def convolve2d(x, k) -> np.ndarray:
    """Valid 2-D *true* convolution: cross-correlation, the kernel flipped on both axes.

    Chapter 3, "Convolution".

    ``y[i, j] = sum_{a, b} x[i + a, j + b] * k[kh - 1 - a, kw - 1 - b]`` (what
    ``scipy.signal.convolve2d(x, k, mode="valid")`` computes).

    x: (H, W), k: (kh, kw) -> y: (H - kh + 1, W - kw + 1)
    """
    k = real_array(k, "k", 2, "(kh, kw)")
    return corr2d(x, k[::-1, ::-1])


def _layer_geometry(x_shape, w_shape, stride, padding, dilation, x_name: str = "x"):
    """Check a layer's settings against its shapes; return them as pairs and the output size.

    x_shape: (N, C, H, W), w_shape: (F, C, kh, kw), both already checked
    -> ((sh, sw), (ph, pw), (dh, dw), (H_out, W_out))
    """
    if w_shape[1] != x_shape[1]:
        raise ValueError(f"w has {w_shape[1]} input channels (w.shape[1]) but {x_name} "
                         f"has {x_shape[1]}; a filter spans every channel of its input")
    return window_settings(x_shape, w_shape[2:], stride, padding, dilation)[1:]


def conv2d_settings(x, w, b=None, stride=1, padding=0, dilation=1):
    """Check a convolution layer's arguments; return them as arrays and pairs.

    Chapter 3, "Convolution".

    x: (N, C, H, W), w: (F, C, kh, kw), b: (F,) or None; stride, padding, dilation: int
    or (height, width) pair -> (x, w, b, (sh, sw), (ph, pw), (dh, dw), (H_out, W_out)),
    the arrays in one floating dtype. Raises ValueError naming the argument at fault.
    """
    x = real_array(x, "x", 4, "(N, C, H, W)")
    w = real_array(w, "w", 4, "(F, C, kh, kw)")
    stride, padding, dilation, (h_out, w_out) = _layer_geometry(
        x.shape, w.shape, stride, padding, dilation)
    if b is not None:
        b = real_array(b, "b", 1, "(F,)")
        if len(b) != len(w):
            raise ValueError(f"b must have one bias per filter: w has {len(w)} "
                             f"filters, b has shape {b.shape}")
    dtype = _common_dtype(x, w, floating=True)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if b is not None:
        b = b.astype(dtype, copy=False)
    return x, w, b, stride, padding, dilation, (h_out, w_out)


def conv2d_loop(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """A convolution layer written as loops: every image, filter and output position.

    Chapter 3, "Convolution".

    Output ``(n, f, i, j)`` is the bias of filter ``f`` plus the sum, over all channels
    and kernel offsets, of filter weight times input pixel under it::

        y[n, f, i, j] = b[f] + sum_{c, a, e} w[f, c, a, e]
                                * x_padded[n, c, i*sh + a*dh, j*sw + e*dw]

    x: (N, C, H, W), w: (F, C, kh, kw), b: (F,) or None
    stride, padding, dilation: int or (height, width) pair; zero padding on every side
    -> y: (N, F, H_out, W_out) with H_out = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1
    """
    x, w, b, (sh, sw), padding, (dh, dw), (h_out, w_out) = conv2d_settings(
        x, w, b, stride, padding, dilation)
    xp = zero_pad(x, padding)
    n_images, n_filters = x.shape[0], w.shape[0]
    kh, kw = w.shape[2:]
    y = np.zeros((n_images, n_filters, h_out, w_out), dtype=x.dtype)
    for n in range(n_images):
        for f in range(n_filters):
            for i in range(h_out):
                for j in range(w_out):
                    window = xp[n, :, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                                j * sw:j * sw + dw * (kw - 1) + 1:dw]
                    y[n, f, i, j] = np.sum(window * w[f])
            if b is not None:
                y[n, f] += b[f]
    return y


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The same layer as :func:`conv2d_loop`, vectorized: im2col, then one matmul.

    Chapter 3, "Convolution"; stride, padding and dilation in chapter 4, "Padding and stride".

    ``book.im2col.im2col`` copies every window the layer reads into one column of a
    (C*kh*kw, H_out*W_out) matrix per image; the filters, reshaped to (F, C*kh*kw),
    meet those columns in one batched matrix product that lands directly in the output
    layout.

    x: (N, C, H, W), w: (F, C, kh, kw), b: (F,) or None
    stride, padding, dilation: int or (height, width) pair -> y: (N, F, H_out, W_out)
    """
    x, w, b, stride, padding, dilation, (h_out, w_out) = conv2d_settings(
        x, w, b, stride, padding, dilation)
    n_filters = w.shape[0]
    columns = im2col(x, w.shape[2:], stride, padding, dilation)
    y = (w.reshape(n_filters, -1) @ columns).reshape(len(x), n_filters, h_out, w_out)
    if b is not None:
        y += b[:, None, None]
    return y


def filter_image(image, k) -> np.ndarray:
    """Cross-correlate one grey image with one kernel, valid positions only.

    Chapter 3, "Convolution": what a filter does to a picture (a one-image, one-filter
    :func:`conv2d`).

    image: (H, W), k: (kh, kw) -> (H - kh + 1, W - kw + 1) float
    """
    image = real_array(image, "image", ndim=2, layout="(H, W)").astype(float)
    k = real_array(k, "k", ndim=2, layout="(kh, kw)").astype(float)
    return conv2d(image[None, None], k[None, None])[0, 0]


def corr1d_as_matrix(w, n: int) -> np.ndarray:
    """The banded matrix ``M`` with ``M @ x == corr1d(x, w)`` for every x of length n.

    Chapter 3, "Convolution".

    Row i holds the kernel starting at column i and zeros elsewhere: each output reads
    only k inputs (sparse connections) and every row holds the same k weights (weight
    sharing).

    w: (k,), n: input length -> M: (n - k + 1, n)
    """
    w = real_array(w, "w", 1, "(k,)")
    n = integer(n, "n", minimum=1)
    n_out = kernel_positions("length", n, len(w))
    matrix = np.zeros((n_out, n), dtype=_common_dtype(w, floating=True))
    for i in range(n_out):
        matrix[i, i:i + len(w)] = w
    return matrix


def conv2d_as_matrix(w, input_shape, stride=1, padding=0, dilation=1) -> np.ndarray:
    """A convolution layer (no bias) as one big, sparse, weight-shared matrix.

    Chapter 3, "Convolution".

    For one image x of shape (C, H, W)::

        conv2d_as_matrix(w, x.shape, ...) @ x.ravel() == conv2d(x[None], w, ...).ravel()

    Row (f, i, j) holds filter f's weights at the columns of the input pixels its window
    covers at output position (i, j); window entries that fall on zero padding are
    dropped.

    w: (F, C, kh, kw), input_shape: (C, H, W) -> M: (F * H_out * W_out, C * H * W)
    """
    w = real_array(w, "w", 4, "(F, C, kh, kw)")
    channels, height, width = array_shape(input_shape, "input_shape", 3, "(C, H, W)")
    (sh, sw), (ph, pw), (dh, dw), (h_out, w_out) = _layer_geometry(
        (1, channels, height, width), w.shape, stride, padding, dilation,
        x_name="input_shape")
    n_filters, _, kh, kw = w.shape
    matrix = np.zeros((n_filters, h_out, w_out, channels, height, width),
                      dtype=_common_dtype(w, floating=True))
    for i in range(h_out):
        for j in range(w_out):
            for a in range(kh):
                row = i * sh + a * dh - ph
                for e in range(kw):
                    col = j * sw + e * dw - pw
                    if 0 <= row < height and 0 <= col < width:
                        matrix[:, i, j, :, row, col] = w[:, :, a, e]
    return matrix.reshape(n_filters * h_out * w_out, channels * height * width)


def conv2d_multiply_adds(x_shape, w_shape, stride=1, padding=0, dilation=1) -> int:
    """Multiply-adds of one convolution layer: each output sums C * kh * kw products.

    Chapter 3, "Convolution".

    x_shape: (N, C, H, W), w_shape: (F, C, kh, kw)
    -> N * F * H_out * W_out * C * kh * kw (bias additions not counted)
    """
    x_shape = array_shape(x_shape, "x_shape", 4, "(N, C, H, W)")
    w_shape = array_shape(w_shape, "w_shape", 4, "(F, C, kh, kw)")
    *_, (h_out, w_out) = _layer_geometry(x_shape, w_shape, stride, padding, dilation)
    n_images, channels = x_shape[:2]
    n_filters, _, kh, kw = w_shape
    return n_images * n_filters * h_out * w_out * channels * kh * kw
