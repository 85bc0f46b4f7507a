"""Diagrams of chapters 3 and 4: the im2col matrix, a filter bank in three dimensions and a
dilated kernel over its input.

Each is a still picture drawn from what the library computes: the matrix and the pixels a
kernel reads come from :func:`book.im2col.im2col`, the sizes from
:func:`book.shapes.output_size`. Grids are drawn cell by cell (one cell is one unit of the
axes), so a cell has the same size in every panel of a figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from book.figures.grid import number_grid
from book.im2col import im2col
from book.shapes import output_size
from book.validation import integer, real_array

FIGURE_WIDTH = 4.9  # inches: the text column, so 10 pt stays readable on a phone
TEXT_PT = 10
READ_BLUE = "#1f77b4"
SPAN_ORANGE = "#ff7f0e"
# One unit of depth (a channel) drawn as this step right and up, in cell units.
DEPTH_STEP = np.array([0.5, 0.4])


def _window_colours(count: int) -> tuple[np.ndarray, np.ndarray]:
    """One strong colour per window (for outlines) and a light tint of it (for cells)."""
    palette = colormaps["tab10"].colors + colormaps["Dark2"].colors
    # tab10's grey would read as "padding" (book.figures.grid), so it is skipped.
    strong = np.array([c for i, c in enumerate(palette) if i != 7][:count])
    if len(strong) < count:
        raise ValueError(f"at most {len(palette) - 1} windows can be told apart by colour, "
                         f"got {count}")
    return strong, 0.35 * strong + 0.65


def _grid_axes(figure: Figure, left: float, top: float, columns: int, rows: int,
               cell: float):
    """An Axes for a grid of rows x columns cells, its top-left corner ``left`` and ``top``
    cells from the figure's top-left corner, each cell ``cell`` inches wide."""
    width, height = figure.get_size_inches()
    return figure.add_axes((left * cell / width, 1 - (top + rows) * cell / height,
                            columns * cell / width, rows * cell / height))


def plot_im2col(x, k) -> Figure:
    """The windows of a one-channel input become the columns of the im2col matrix, and the
    convolution becomes one matrix product with the kernel.

    Chapter 3, "Convolution".

    x: (H, W), k: (kh, kw). Top: the input with its first, second and last windows
    outlined, the kernel, and the output. Below: the kernel flattened into a column of
    kh*kw weights beside the (kh*kw, H_out*W_out) matrix, whose column j is window j read
    row by row, and under each column the kernel's dot product with it: output j. Window j
    has one colour throughout.
    """
    x = real_array(x, "x", 2, "(H, W)")
    k = real_array(k, "k", 2, "(kh, kw)")
    (kh, kw), (height, width) = k.shape, x.shape
    h_out, w_out = output_size(height, kh), output_size(width, kw)
    columns = im2col(x[None, None], (kh, kw))[0]
    output = k.ravel() @ columns
    strong, tint = _window_colours(h_out * w_out)

    cell = FIGURE_WIDTH / 15.2
    matrix_top = max(height, kh, h_out) + 3.2
    figure = Figure(figsize=(FIGURE_WIDTH, (matrix_top + kh * kw + 2.2) * cell))

    input_ax = _grid_axes(figure, 1.3, 1.2, width, height, cell)
    number_grid(input_ax, x, fmt="{:g}", fontsize=TEXT_PT)
    # Windows 0, 1 and the last: enough to see how windows step, their outlines inset a
    # little each so that overlapping ones stay apart.
    for inset, window in zip((0.06, 0.16, 0.06), (0, 1, h_out * w_out - 1), strict=True):
        i, j = divmod(window, w_out)
        input_ax.add_patch(Rectangle((j + inset, i + inset), kw - 2 * inset, kh - 2 * inset,
                                     fill=False, edgecolor=strong[window], linewidth=2.2))
    input_ax.set_title(f"input {height}x{width}", fontsize=TEXT_PT)

    kernel_ax = _grid_axes(figure, width + 2.3, 2.2, kw, kh, cell)
    number_grid(kernel_ax, k, fmt="{:g}", fontsize=TEXT_PT)
    kernel_ax.set_title(f"kernel {kh}x{kw}", fontsize=TEXT_PT)

    out_ax = _grid_axes(figure, width + kw + 3.3, 2.2, w_out, h_out, cell)
    number_grid(out_ax, output.reshape(h_out, w_out), tint.reshape(h_out, w_out, 3),
                fmt="{:g}", fontsize=TEXT_PT)
    out_ax.set_title(f"output {h_out}x{w_out}", fontsize=TEXT_PT)

    column_ax = _grid_axes(figure, 1.3, matrix_top, 1, kh * kw, cell)
    number_grid(column_ax, k.reshape(-1, 1), fmt="{:g}", fontsize=TEXT_PT)
    column_ax.set_title("kernel", fontsize=TEXT_PT)

    matrix_ax = _grid_axes(figure, 3.3, matrix_top, h_out * w_out, kh * kw, cell)
    number_grid(matrix_ax, columns, np.broadcast_to(tint, columns.shape + (3,)),
                fmt="{:g}", fontsize=TEXT_PT)
    for window in range(h_out * w_out):
        matrix_ax.text(window + 0.5, -0.35, str(window), ha="center", va="bottom",
                       fontsize=TEXT_PT, color=strong[window])
    matrix_ax.set_title(f"im2col matrix {kh * kw}x{h_out * w_out}: column j is window j",
                        fontsize=TEXT_PT, pad=2.2 * TEXT_PT)

    row_ax = _grid_axes(figure, 3.3, matrix_top + kh * kw + 0.4, h_out * w_out, 1, cell)
    number_grid(row_ax, output[None], tint[None], fmt="{:g}", fontsize=TEXT_PT)
    row_ax.text(-0.25, 0.5, "kernel ·\ncolumn", ha="right", va="center", fontsize=TEXT_PT)
    return figure


def _box(ax, corner, width: float, height: float, depth: float, colour, *, gid: str,
         edge="#444444", linestyle="-", fill=True) -> None:
    """A box in oblique projection: front face at ``corner`` (its bottom-left), the depth
    drawn up and to the right. Its three visible faces are Polygons with ``gid``."""
    x, y = corner
    dx, dy = depth * DEPTH_STEP
    faces = {
        "front": [(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
        "top": [(x, y + height), (x + width, y + height), (x + width + dx, y + height + dy),
                (x + dx, y + height + dy)],
        "side": [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy),
                 (x + width, y + height)],
    }
    # The top and the side face the light less than the front: drawn a little darker.
    for face, shade in zip(faces.values(), (1.0, 0.88, 0.76), strict=True):
        patch = Polygon(face, closed=True, fill=fill, linewidth=0.8, edgecolor=edge,
                        linestyle=linestyle,
                        facecolor=np.asarray(colour) * shade if fill else "none")
        patch.set_gid(gid)
        ax.add_patch(patch)


def _volume(ax, corner, size: tuple[int, int], depth: int, colours, gid: str) -> None:
    """``depth`` slices of height x width cells, back to front so the front one is whole;
    slice c has colours[c] and the gid ``f"{gid} {c}"``."""
    height, width = size
    for c in reversed(range(depth)):
        offset = np.asarray(corner) + c * DEPTH_STEP
        _box(ax, offset, width, height, 1, colours[c], gid=f"{gid} {c}")


def plot_filter_bank(channels: int = 3, size: int = 7, filters: int = 4,
                     kernel_size: int = 3) -> Figure:
    """A convolution layer in three dimensions: an input volume of ``channels`` maps, a bank
    of ``filters`` filters each as deep as the input, and the output volume with one map
    per filter.

    Chapter 3, "Convolution".

    The input is channels x size x size, each filter channels x kernel_size x kernel_size,
    the output filters x H_out x W_out (stride 1, no padding). The window the filters read
    at the first position is outlined on the input, and the value each filter writes there
    is marked on its map in the filter's colour. Each box slice is a set of Polygons with
    the gid ``"input channel c"``, ``"filter f channel c"`` or ``"output map f"``.
    """
    channels = integer(channels, "channels", minimum=1)
    size = integer(size, "size", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    out = output_size(size, kernel_size)
    strong, tint = _window_colours(filters)
    grey = [np.array([0.86, 0.88, 0.92])] * channels

    rows = (filters + 1) // 2
    filter_step = kernel_size + channels * DEPTH_STEP + 0.7
    filters_width = 2 * filter_step[0]
    filters_height = rows * filter_step[1]
    input_width = size + channels * DEPTH_STEP[0]
    output_width = out + filters * DEPTH_STEP[0]
    gap = 1.6
    total_width = input_width + filters_width + output_width + 2 * gap
    tallest = max(size + channels * DEPTH_STEP[1], filters_height,
                  out + filters * DEPTH_STEP[1])
    label_room = 3.4  # three lines of 10 pt text under the boxes, in cells
    cell = FIGURE_WIDTH / total_width
    figure = Figure(figsize=(FIGURE_WIDTH, (tallest + label_room) * cell))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, total_width)
    ax.set_ylim(-label_room, tallest)
    ax.set_aspect("equal")
    ax.set_axis_off()

    def label(x_centre, text):
        ax.text(x_centre, -0.3, text, ha="center", va="top", fontsize=TEXT_PT)

    _volume(ax, (0, 0), (size, size), channels, grey, "input channel")
    for line in range(1, size):  # the cells of the front face
        ax.plot([line, line], [0, size], color="#aaaaaa", linewidth=0.5)
        ax.plot([0, size], [line, line], color="#aaaaaa", linewidth=0.5)
    # The window of the first position: through every channel, as deep as the input.
    _box(ax, (0, size - kernel_size), kernel_size, kernel_size, channels, "black",
         gid="window", edge="black", linestyle="--", fill=False)
    label(input_width / 2, f"input\n{channels} × {size} × {size}\n(C × H × W)")
    ax.text(input_width + gap / 2, tallest / 2, "∗", ha="center", va="center", fontsize=16)

    left = input_width + gap
    for f in range(filters):
        row, col = divmod(f, 2)
        corner = (left + col * filter_step[0],
                  tallest - (row + 1) * filter_step[1] + 0.7)
        _volume(ax, corner, (kernel_size, kernel_size), channels, [tint[f]] * channels,
                f"filter {f} channel")
    label(left + filters_width / 2, f"{filters} filters,\neach {channels} × "
                                    f"{kernel_size} × {kernel_size}")

    ax.text(left + filters_width + gap / 2, tallest / 2, "=", ha="center", va="center",
            fontsize=16)
    left += filters_width + gap
    _volume(ax, (left, 0), (out, out), filters, tint, "output map")
    for line in range(1, out):  # the cells of the front map
        ax.plot([left + line] * 2, [0, out], color="#8aa6c8", linewidth=0.5)
        ax.plot([left, left + out], [line] * 2, color="#8aa6c8", linewidth=0.5)
    # The value each filter writes at the first position: the front cell of map 0 and
    # the top of the same cell in every map behind it.
    ax.add_patch(Rectangle((left, out - 1), 1, 1, facecolor=strong[0], edgecolor="#444444",
                           linewidth=0.8))
    for f in range(filters):
        x, y = np.array([left, out]) + f * DEPTH_STEP
        ax.add_patch(Polygon([(x, y), (x + 1, y), (x + 1 + DEPTH_STEP[0], y + DEPTH_STEP[1]),
                              (x + DEPTH_STEP[0], y + DEPTH_STEP[1])], closed=True,
                             facecolor=strong[f], edgecolor="#444444", linewidth=0.8))
    label(left + output_width / 2, f"output\n{filters} × {out} × {out}\none map per filter")
    return figure


def plot_dilated_kernel(n: int = 7, f: int = 3, dilation: int = 2,
                        position: tuple[int, int] = (1, 1)) -> Figure:
    """Which pixels of an n x n input a dilated f x f kernel reads at one position, and
    the span it covers; beside it, the output with that position's entry.

    Chapter 4, "Padding and stride".

    Stride 1, no padding. The read pixels are blue and marked with the kernel entry
    "a,b" that multiplies them; the pixels inside the span that the kernel skips stay
    white; the span, d(f - 1) + 1 pixels a side, is outlined in orange.
    """
    n = integer(n, "n", minimum=1)
    f = integer(f, "f", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    out = output_size(n, f, d=dilation)
    i, j = (integer(value, "position", minimum=0) for value in position)
    if max(i, j) >= out:
        raise ValueError(f"position must be inside the {out}x{out} output, got ({i}, {j})")
    span = dilation * (f - 1) + 1
    # The pixels the kernel reads, as the library gathers them: window (i, j) of the
    # im2col matrix of an image whose pixels hold their own index.
    index = np.arange(n * n).reshape(1, 1, n, n)
    reads = im2col(index, f, dilation=dilation)[0][:, i * out + j]

    cell = FIGURE_WIDTH / (n + out + 3.2)
    figure = Figure(figsize=(FIGURE_WIDTH, (n + 2.4) * cell))
    input_ax = _grid_axes(figure, 0.6, 1.9, n, n, cell)
    colours = np.ones((n, n, 3))
    labels = np.full((n, n), None, dtype=object)
    for entry, pixel in enumerate(reads):
        r, c = divmod(int(pixel), n)
        colours[r, c] = [0.70, 0.82, 0.93]
        labels[r, c] = "{},{}".format(*divmod(entry, f))
    number_grid(input_ax, labels, colours, fontsize=TEXT_PT)
    input_ax.add_patch(Rectangle((j, i), span, span, fill=False, edgecolor=SPAN_ORANGE,
                                 linewidth=2.5, linestyle="--"))
    input_ax.set_title(f"input {n}x{n}: a {f}x{f} kernel, dilation {dilation},\n"
                       f"reads {len(reads)} pixels and spans {span}x{span}",
                       fontsize=TEXT_PT)

    out_ax = _grid_axes(figure, n + 2.6, 1.9 + (n - out) / 2, out, out, cell)
    colours = np.ones((out, out, 3))
    colours[i, j] = [0.99, 0.87, 0.72]
    number_grid(out_ax, None, colours)
    out_ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor=SPAN_ORANGE,
                               linewidth=2.5))
    out_ax.set_title(f"output {out}x{out}", fontsize=TEXT_PT)
    return figure
