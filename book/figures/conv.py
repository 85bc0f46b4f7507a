"""Figures of chapter 3 (convolution): the sliding kernel, filters on a photograph, the
banded matrix, colour channels, receptive fields and a filter learned by gradient
descent.

Every function returns a ``matplotlib.figure.Figure``; the ``draw_*`` functions are the
frames of the chapter's interactive figures and take only keyword parameters.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from book.conv import conv2d_as_matrix, corr2d, filter_image
from book.figures.grid import number_grid
from book.figures.photo import PhotoFigure
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL, FILTERS, kernel, photo_gray, photo_rgb
from book.validation import integer

WINDOW_BLUE = "#1f77b4"
OUTPUT_ORANGE = "#ff7f0e"


def _show_response(ax, response: np.ndarray, k: np.ndarray) -> str:
    """Show a filter's output as an image; return how its grey levels were chosen."""
    if abs(k.sum()) < 1e-12:
        # Edge filters answer with positive and negative values around 0 on flat
        # regions; a few very strong edges would make the rest invisible, so white is
        # the 99th percentile.
        magnitude = np.abs(response)
        white = max(np.percentile(magnitude, 99), 1e-9)
        ax.imshow(magnitude, cmap="gray", vmin=0, vmax=white)
        return "|output|, contrast stretched"
    ax.imshow(np.clip(response, 0, 255), cmap="gray", vmin=0, vmax=255)
    return "output clipped to 0..255"


def _draw_kernel(ax, name: str, title: str | None = None, fontsize: float = 9) -> None:
    """The kernel ``FILTERS[name]`` as a small grid of its integer weights, titled
    ``title`` (default: its name) and the divisor."""
    weights = np.array(FILTERS[name][0])
    limit = max(1, np.abs(weights).max())
    ax.imshow(weights, cmap="RdBu", vmin=-limit, vmax=limit)
    for (r, c), value in np.ndenumerate(weights):
        ax.text(c, r, str(value), ha="center", va="center", fontsize=fontsize,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(_kernel_title(name) if title is None else title, fontsize=fontsize)


def _kernel_title(name: str) -> str:
    """The filter's name, with the divisor its integer weights are scaled by."""
    divisor = FILTERS[name][1]
    return name + ("" if divisor == 1 else f"  (× 1/{divisor})")


def plot_filter_table(step: int = 3) -> PhotoFigure:
    """Every filter of :data:`FILTERS` beside its result on the downsampled portrait, two
    filters to a row (narrow enough for a phone's column at 10 pt).

    Chapter 3, "Convolution".
    """
    image = photo_gray(step)
    rows = (len(FILTERS) + 1) // 2
    figure = Figure(figsize=(4.9, 1.95 * rows))
    grid = figure.add_gridspec(rows, 4, width_ratios=[0.62, 1, 0.62, 1], hspace=0.5,
                               wspace=0.12, left=0.01, right=0.99, top=0.95, bottom=0.01)
    for index, name in enumerate(FILTERS):
        row, col = index // 2, 2 * (index % 2)
        _draw_kernel(figure.add_subplot(grid[row, col]), name, title="", fontsize=10)
        ax = figure.add_subplot(grid[row, col + 1])
        how = _show_response(ax, filter_image(image, kernel(name)), kernel(name))
        ax.set_axis_off()
        ax.set_title(f"{_kernel_title(name)}\n{how}", fontsize=10, loc="right")
    return PhotoFigure(figure)


def draw_filter_gallery(filter_name: str = "edges (8-neighbour)") -> Figure:
    """One frame of the filter gallery: photo (downscaled), kernel, feature map.

    Chapter 3, "Convolution".
    """
    image = photo_gray(4)
    k = kernel(filter_name)
    figure = Figure(figsize=(5.2, 2.6))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, wspace=0.1)
    photo_ax, kernel_ax, out_ax = figure.subplots(1, 3, gridspec_kw={"width_ratios":
                                                                     [1, 0.7, 1]})
    photo_ax.imshow(image, cmap="gray", vmin=0, vmax=255)
    photo_ax.set_title(f"input {image.shape[0]}x{image.shape[1]}", fontsize=10)
    photo_ax.set_axis_off()
    # The name is the menu's choice; above the narrow kernel it would run into the
    # neighbouring titles.
    _draw_kernel(kernel_ax, filter_name, title="kernel", fontsize=10)
    response = filter_image(image, k)
    how = _show_response(out_ax, response, k)
    # Flush right, the longer "how" line reaches over the kernel's narrow column rather
    # than past the frame's edge.
    out_ax.set_title(f"feature map {response.shape[0]}x{response.shape[1]}\n{how}",
                     fontsize=10, loc="right")
    out_ax.set_axis_off()
    return figure


def draw_conv_step(row: int = 0, col: int = 0) -> Figure:
    """The worked example's kernel at position (row, col) of its 3x3 positions, which is
    also the output entry it computes.

    Left: the 5x5 input with the window outlined and the kernel weights in small red
    type; middle: the nine products and their sum; right: the 3x3 output filled up to
    this position.
    Chapter 3, "Convolution".
    """
    out_size = EXAMPLE_INPUT.shape[0] - EXAMPLE_KERNEL.shape[0] + 1
    i = integer(row, "row", minimum=0)
    j = integer(col, "col", minimum=0)
    if max(i, j) >= out_size:
        raise ValueError(f"row and col must be at most {out_size - 1}, got ({i}, {j})")
    kh, kw = EXAMPLE_KERNEL.shape
    window = EXAMPLE_INPUT[i:i + kh, j:j + kw]
    output = corr2d(EXAMPLE_INPUT, EXAMPLE_KERNEL)

    figure = Figure(figsize=(5.2, 2.6))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, wspace=0.1)
    in_ax, sum_ax, out_ax = figure.subplots(
        1, 3, gridspec_kw={"width_ratios": [1.15, 0.95, 0.6]})

    colours = np.ones(EXAMPLE_INPUT.shape + (3,))
    colours[EXAMPLE_INPUT == 1] = [0.85, 0.85, 0.85]
    colours[i:i + kh, j:j + kw] = [0.78, 0.86, 0.94]
    # Under the window each cell holds its pixel (top left) and its weight (bottom
    # right, red), both large enough to read on a phone.
    outside = EXAMPLE_INPUT.astype(object)
    outside[i:i + kh, j:j + kw] = None
    number_grid(in_ax, outside, colours, fontsize=11)
    for (a, e), weight in np.ndenumerate(EXAMPLE_KERNEL):
        in_ax.text(j + e + 0.3, i + a + 0.35, str(window[a, e]), ha="center",
                   va="center", fontsize=11)
        in_ax.text(j + e + 0.97, i + a + 0.97, f"×{weight}", ha="right", va="bottom",
                   fontsize=10, color="#d62728")
    in_ax.add_patch(Rectangle((j, i), kw, kh, fill=False, edgecolor=WINDOW_BLUE,
                              linewidth=2.5))
    in_ax.set_title(f"input 5x5, kernel on\nrows {i}-{i + kh - 1}, cols {j}-{j + kw - 1}",
                    fontsize=10)

    sum_ax.set_axis_off()
    sum_ax.set_xlim(0, 1)
    sum_ax.set_ylim(1, 0)
    lines = [" + ".join(f"{x}·{w}" for x, w in zip(window[a], EXAMPLE_KERNEL[a], strict=True))
             for a in range(kh)]
    text = "   " + "\n+ ".join(lines) + f"\n= {int(np.sum(window * EXAMPLE_KERNEL))}"
    sum_ax.text(0.5, 0.5, text, ha="center", va="center", family="monospace",
                fontsize=10)
    sum_ax.set_title("nine products,\nadded", fontsize=10)

    shown = np.full((out_size, out_size), None, dtype=object)
    # Filled in reading order, up to and including this position's entry.
    filled = np.arange(out_size ** 2).reshape(out_size, out_size) <= i * out_size + j
    shown[filled] = output[filled]
    colours = np.ones((out_size, out_size, 3))
    colours[filled] = [0.99, 0.87, 0.72]
    number_grid(out_ax, shown, colours, fontsize=11)
    out_ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor=OUTPUT_ORANGE,
                               linewidth=2.5))
    out_ax.set_title(f"output 3x3,\nentry ({i}, {j})", fontsize=10)
    return figure


def plot_rgb_channels(step: int = 4) -> PhotoFigure:
    """The colour portrait and its red, green and blue channels, each 8-bit grey.

    Chapter 3, "Convolution".
    """
    rgb = photo_rgb(step)
    figure = Figure(figsize=(4.9, 2.2))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, wspace=0.05)
    axes = figure.subplots(1, 4)
    axes[0].imshow(rgb)
    axes[0].set_title(f"RGB\n{rgb.shape[0]}x{rgb.shape[1]}x3", fontsize=10)
    for ax, channel, name in zip(axes[1:], range(3), ("red", "green", "blue"), strict=True):
        ax.imshow(rgb[..., channel], cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{name} channel\n0..255", fontsize=10)
    for ax in axes:
        ax.set_axis_off()
    return PhotoFigure(figure)


def plot_conv_matrix(k, input_size: int = 4) -> Figure:
    """The weight matrix of a 2-D convolution: a row per output, a column per input.

    k: (kh, kw) integer kernel; the input is input_size x input_size, flattened row by
    row.
    Zeros are left blank so that the bands of repeated weights stand out.
    Chapter 3, "Convolution".
    """
    k = np.asarray(k)
    matrix = conv2d_as_matrix(k[None, None], (1, input_size, input_size)).astype(int)
    rows, cols = matrix.shape
    height = 0.27 * rows + 1.0
    figure = Figure(figsize=(4.9, height))
    figure.subplots_adjust(left=0.02, right=0.99, top=1 - 0.6 / height, bottom=0.02)
    ax = figure.add_subplot()
    palette = np.array([[1, 1, 1], [0.65, 0.81, 0.89], [0.70, 0.87, 0.54],
                        [0.99, 0.75, 0.44], [0.79, 0.70, 0.84], [0.98, 0.60, 0.60],
                        [0.85, 0.85, 0.85]])
    values = np.unique(k[k != 0])
    colour_index = np.zeros_like(matrix)
    for number, value in enumerate(values, start=1):
        colour_index[matrix == value] = min(number, len(palette) - 1)
    shown = np.where(matrix != 0, matrix, None).astype(object)
    number_grid(ax, shown, palette[colour_index], fontsize=10)
    out_width = input_size - k.shape[1] + 1
    for r in range(rows):
        ax.text(-0.3, r + 0.5, f"y[{r // out_width},{r % out_width}]", ha="right",
                va="center", fontsize=10)
    ax.set_xlim(-2.6, cols + 0.05)
    ax.set_title(f"{rows} outputs x {cols} input pixels: each row holds\nthe same "
                 f"{k.size} weights, shifted", fontsize=10)
    return figure


def plot_receptive_field_1d(kernels=(5, 5)) -> Figure:
    """Units of a stack of stride-1 convolutions along one axis; what the top unit sees.

    Each layer's unit is joined to the units below it that it reads; the cone of the
    middle unit at the top is drawn in colour down to the input.
    Chapter 3, "Convolution".
    """
    kernels = [integer(k, "kernel size", minimum=1) for k in kernels]
    field = 1 + sum(k - 1 for k in kernels)
    width = field + 4
    height = 1.3 + 0.7 * len(kernels)
    figure = Figure(figsize=(4.9, height))
    ax = figure.add_subplot()
    figure.subplots_adjust(left=0.01, right=0.99, top=1 - 0.5 / height, bottom=0.04)
    # Positions of the units of each layer: layer 0 is the input, centred under the top
    # unit.
    centre = width // 2
    lo, hi = centre, centre
    cones = [(lo, hi)]
    for k in reversed(kernels):
        lo, hi = lo - (k - 1) // 2, hi + k // 2
        cones.append((lo, hi))
    cones = cones[::-1]
    for layer in range(len(kernels) + 1):
        y = len(kernels) - layer
        units = range(sum(k - 1 for k in kernels[:layer]) // 2,
                      width - sum(k - 1 for k in kernels[:layer]) // 2)
        lo, hi = cones[layer]
        for u in units:
            inside = lo <= u <= hi
            ax.plot(u, y, "o", markersize=7, color=WINDOW_BLUE if inside else "#cccccc",
                    zorder=3)
            if layer and inside:
                k = kernels[layer - 1]
                for v in range(u - (k - 1) // 2, u + k // 2 + 1):
                    ax.plot([u, v], [y, y + 1], color=WINDOW_BLUE, linewidth=0.8,
                            zorder=1)
        label = ("input" if layer == 0
                 else f"after conv {layer}\n({kernels[layer - 1]}-wide)")
        ax.text(-1, y, label, ha="right", va="center", fontsize=10)
    ax.set_ylim(-0.5, len(kernels) + 0.5)
    ax.set_xlim(-6, width - 0.5)
    ax.set_axis_off()
    ax.set_title(f"one unit after {len(kernels)} convolutions of sizes "
                 f"{', '.join(map(str, kernels))}\nsees {field} input pixels",
                 fontsize=10)
    return figure


def plot_filter_learning(losses, target, learned) -> Figure:
    """Loss per step of gradient descent; target and learned kernels side by side.

    Chapter 3, "Convolution".
    """
    target, learned = np.asarray(target), np.asarray(learned)
    figure = Figure(figsize=(4.9, 5.2))
    figure.subplots_adjust(left=0.14, right=0.98, top=0.94, bottom=0.02, hspace=0.4,
                           wspace=0.15)
    grid = figure.add_gridspec(2, 2, height_ratios=[1, 1.1])
    loss_ax = figure.add_subplot(grid[0, :])
    target_ax, learned_ax = figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1])
    loss_ax.semilogy(np.arange(1, len(losses) + 1), losses)
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("mean squared error")
    # 1e-8 rather than 10^-8, whose exponent mathtext draws too small for a phone.
    loss_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"1e{round(np.log10(v))}"))
    loss_ax.set_title("training loss", fontsize=10)
    limit = max(np.abs(target).max(), np.abs(learned).max())
    for ax, k, title in ((target_ax, target, "the hidden kernel"),
                         (learned_ax, learned, "the learned kernel")):
        ax.imshow(k, cmap="RdBu", vmin=-limit, vmax=limit)
        for (r, c), value in np.ndenumerate(k):
            ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=10,
                    color="white" if abs(value) > 0.6 * limit else "black")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    return figure
