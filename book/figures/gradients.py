"""Figures of chapter 6 (how a CNN learns its filters): where the gradient of one output
of the worked example goes, and how pooling layers pass gradients back.

The gradients shown are computed by :mod:`book.gradients`; these functions only draw them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.grid import number_grid
from book.gradients import avg_pool2d_backward, conv2d_backward, max_pool2d_backward
from book.pooling import max_pool2d
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL
from book.validation import integer, real_array

WINDOW_BLUE = "#1f77b4"
GRADIENT_ORANGE = "#ff7f0e"
PALE_BLUE = (0.78, 0.86, 0.94)
PALE_ORANGE = (0.99, 0.87, 0.72)
PALE_GREY = (0.9, 0.9, 0.9)


def _tint(values: np.ndarray, colour) -> np.ndarray:
    """(H, W, 3) cell colours: ``colour`` where ``values`` is non-zero, white elsewhere."""
    colours = np.ones(values.shape + (3,))
    colours[values != 0] = colour
    return colours


def _integers(values: np.ndarray) -> np.ndarray:
    """Float gradients that hold whole numbers, as ints, so cells read "2", not "2.0"."""
    return np.rint(values).astype(int)


def draw_backward_step(row: int = 0, col: int = 0, every: bool = False) -> Figure:
    """The backward pass of the worked example (5x5 input X, 3x3 kernel K) for the
    upstream gradient dY that is 1 at output (row, col) and 0 elsewhere, or 1 at every
    output when ``every`` is true (the loss is then the sum of all nine outputs).

    Panels: dY (3x3); X with the window(s) that dY reaches outlined; dK = the
    cross-correlation of X with dY (each weight collects the input values it met); dX =
    the full convolution of dY with K (each input collects the weights it met).
    Chapter 6, "How a CNN learns its filters".
    """
    kh, kw = EXAMPLE_KERNEL.shape
    out_size = EXAMPLE_INPUT.shape[0] - kh + 1
    i = integer(row, "row", minimum=0)
    j = integer(col, "col", minimum=0)
    if max(i, j) >= out_size:
        raise ValueError(f"row and col must be at most {out_size - 1}, got ({i}, {j})")
    upstream = np.ones((out_size, out_size))
    if not every:
        upstream = np.zeros((out_size, out_size))
        upstream[i, j] = 1
    dx, dw, _ = conv2d_backward(upstream[None, None], EXAMPLE_INPUT[None, None].astype(float),
                                EXAMPLE_KERNEL[None, None].astype(float))
    dx, dw = _integers(dx[0, 0]), _integers(dw[0, 0])

    figure = Figure(figsize=(5.2, 2.1))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.72, bottom=0.02, wspace=0.12)
    dy_ax, x_ax, dw_ax, dx_ax = figure.subplots(
        1, 4, gridspec_kw={"width_ratios": [out_size, 5, kw, 5]})

    number_grid(dy_ax, _integers(upstream), _tint(upstream, PALE_ORANGE), fontsize=10)
    dy_ax.set_title("dY: the\nupstream\ngradient", fontsize=10)

    reached = np.zeros(EXAMPLE_INPUT.shape)
    for a, e in zip(*np.nonzero(upstream), strict=True):
        reached[a:a + kh, e:e + kw] = 1
    x_colours = _tint(reached, PALE_BLUE)
    number_grid(x_ax, EXAMPLE_INPUT, x_colours, fontsize=10)
    if not every:
        x_ax.add_patch(Rectangle((j, i), kw, kh, fill=False, edgecolor=WINDOW_BLUE,
                                 linewidth=2.5))
    x_ax.set_title("input X,\nwindow of\n" + ("every output" if every else f"output ({i}, {j})"),
                   fontsize=10)

    number_grid(dw_ax, dw, _tint(dw, PALE_BLUE), fontsize=10)
    dw_ax.set_title("dK =\ncorr(X, dY)", fontsize=10)

    number_grid(dx_ax, dx, _tint(dx, PALE_ORANGE), fontsize=10)
    dx_ax.set_title("dX = dY full-\nconvolved\nwith K", fontsize=10)
    return figure


def plot_pooling_backward(x, upstream, window: int = 2) -> Figure:
    """Where max and average pooling send the gradient, for non-overlapping windows.

    x: (H, W) the pooling layer's input; upstream: (H / window, W / window) the gradient
    arriving at its output. Panels: x with each window's maximum (the first one in
    reading order on a tie) shaded; the upstream gradient; the input gradient of max
    pooling (each window's gradient on its maximum); that of average pooling (each
    window's gradient divided by its window x window cells).
    Chapter 6, "How a CNN learns its filters".
    """
    x = real_array(x, "x", ndim=2, layout="(H, W)")
    window = integer(window, "window", minimum=1)
    upstream = real_array(upstream, "upstream", ndim=2, layout="(H_out, W_out)")
    pooled_shape = max_pool2d(x[None, None], window)[0, 0].shape
    if upstream.shape != pooled_shape:
        raise ValueError(f"upstream must have the pooled shape {pooled_shape}, "
                         f"got {upstream.shape}")
    dy = upstream[None, None]
    max_dx = max_pool2d_backward(dy, x[None, None], window)[0, 0]
    avg_dx = avg_pool2d_backward(dy, x[None, None], window)[0, 0]
    # A gradient of ones at every output lands exactly on the windows' maxima.
    winners = max_pool2d_backward(np.ones_like(dy), x[None, None], window)[0, 0]

    figure = Figure(figsize=(4.9, 1.9))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.72, bottom=0.02, wspace=0.15)
    h_out, w_out = upstream.shape
    axes = figure.subplots(1, 4, gridspec_kw={"width_ratios": [x.shape[1], w_out,
                                                               x.shape[1], x.shape[1]]})
    panels = [(x, _tint(winners, PALE_BLUE), "{:g}", "input x,\nmaxima shaded"),
              (upstream, np.ones((h_out, w_out, 3)), "{:g}", "gradient\nat the\noutput"),
              (max_dx, _tint(max_dx, PALE_ORANGE), "{:g}", "dx of\nmax pooling"),
              (avg_dx, _tint(avg_dx, PALE_ORANGE), "{:.3g}", "dx of\naverage\npooling")]
    for ax, (values, colours, fmt, title) in zip(axes, panels, strict=True):
        number_grid(ax, values, colours, fmt=fmt, fontsize=10)
        ax.set_title(title, fontsize=10)
    for ax in (axes[0], axes[2], axes[3]):
        for a in range(h_out):
            for e in range(w_out):
                ax.add_patch(Rectangle((e * window, a * window), window, window,
                                       fill=False, edgecolor=WINDOW_BLUE, linewidth=1.8))
    return figure
