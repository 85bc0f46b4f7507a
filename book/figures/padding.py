"""Figures of chapter 4, "Padding and stride": padded grids, pixel reads, the explorer.

``plot_padded_grids`` and ``plot_pixel_usage`` are still pictures; ``draw_padding_stride``
is the draw of the padding and stride explorer, one frame per slider setting.
"""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.grid import number_grid
from book.padding import kernel_positions, pad2d, pixel_usage, reads_along_axis
from book.validation import real_array


def plot_padded_grids(x, paddings=(0, 1, 2)) -> Figure:
    """The same input padded by each of ``paddings`` (zeros in grey).

    Chapter 4, "Padding and stride".

    x: (H, W) -> one panel per padding, (H + 2p) x (W + 2p).
    """
    x = real_array(x, "x", 2, "(H, W)")
    figure = Figure(figsize=(7, 2.7))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.88, wspace=0.08)
    widths = [x.shape[1] + 2 * p for p in paddings]
    axes = figure.subplots(1, len(paddings), gridspec_kw={"width_ratios": widths})
    for ax, p in zip(np.atleast_1d(axes), paddings):
        inside = pad2d(np.ones(x.shape, dtype=bool), p)
        padded = pad2d(x, p)
        number_grid(ax, padded, mask=inside, fmt="{:g}", fontsize=8, linewidth=0.6)
        ax.set_title(f"p = {p}: {padded.shape[0]}x{padded.shape[1]}", fontsize=10)
    return figure


def plot_pixel_usage(n: int = 5, f: int = 3, paddings=(0, 1)) -> Figure:
    """How often a stride-1 f x f kernel reads each pixel of an n x n input, by padding.

    Chapter 4, "Padding and stride".

    Darker cells are read more often; without padding the corners are read once.
    """
    figure = Figure(figsize=(7, 3.2))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.85, wspace=0.15)
    axes = figure.subplots(1, len(paddings))
    for ax, p in zip(np.atleast_1d(axes), paddings):
        usage = pixel_usage(n, f, p)
        ax.imshow(usage, cmap="Blues", vmin=0, vmax=1.6 * f * f,
                  extent=(0, n, n, 0), interpolation="nearest")
        for (r, c), value in np.ndenumerate(usage):
            ax.text(c + 0.5, r + 0.5, str(value), ha="center", va="center", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{f}x{f} kernel, padding {p}: "
                     f"{usage.min()} to {usage.max()} reads", fontsize=10)
    return figure


def draw_padding_stride(n: int = 5, f: int = 3, p: int = 0, s: int = 1,
                        d: int = 1) -> Figure:
    """Padded input with every kernel position, and the output grid with the formula.

    Chapter 4, "Padding and stride".

    Input cells are white and padding grey; blue cells are read by the kernel, darker
    the more positions read them; input cells that no position reads are hatched red.
    The first kernel position is outlined in blue, the last in orange.
    """
    figure = Figure(figsize=(7.2, 3.3))
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.8, wspace=0.1)
    grid_ax, out_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    size = n + 2 * p
    span = d * (f - 1) + 1
    formula = rf"$\lfloor ({n} + 2\cdot{p} - {d}\cdot({f}-1) - 1)\,/\,{s} \rfloor + 1$"
    try:
        starts = kernel_positions(n, f, p, s, d)
    except ValueError:
        starts = []

    # How many kernel positions read each row (and, by symmetry, column) of the padded
    # input.
    reads = reads_along_axis(n, f, p, s, d) if starts else np.zeros(size, dtype=int)
    uses = np.outer(reads, reads)
    is_input = np.zeros(size, dtype=bool)
    is_input[p:p + n] = True
    inside = np.outer(is_input, is_input)

    colours = np.where(inside[..., None], 1.0, 0.85) * np.ones((size, size, 3))
    if starts:
        shade = (0.15 + 0.6 * uses / uses.max())[..., None]
        blue = np.array([0.12, 0.47, 0.71])
        colours = np.where(uses[..., None] > 0, (1 - shade) * colours + shade * blue,
                           colours)
    number_grid(grid_ax, colours=colours, linewidth=0.6, margin=0.1)
    if starts:
        for r, c in np.argwhere(inside & (uses == 0)):
            grid_ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor="#d62728",
                                        hatch="///", linewidth=0))
        for start, colour in ((starts[0], "#1f77b4"), (starts[-1], "#ff7f0e")):
            grid_ax.add_patch(Rectangle((start, start), span, span, fill=False,
                                        edgecolor=colour, linewidth=2.4))
    grid_ax.add_patch(Rectangle((p, p), n, n, fill=False, edgecolor="black",
                                linewidth=1.6))
    grid_ax.set_title(f"input {n}x{n} padded to {size}x{size}\n"
                      f"kernel {f}x{f} spans {span}", fontsize=10)

    out_ax.axis("off")
    if not starts:
        out_ax.set_xlim(0, 1)
        out_ax.set_ylim(1, 0)
        out_ax.text(0.5, 0.5, f"impossible:\nthe kernel spans {span}\n"
                    f"but the padded input\nis only {size} wide", ha="center",
                    va="center", color="#d62728", fontsize=11)
        out_ax.set_title(f"output size\n{formula} < 1", fontsize=9)
        return figure
    m = len(starts)
    number_grid(out_ax, colours=np.full((m, m, 3), [0.78, 0.86, 0.94]), edge="#555555")
    out_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#1f77b4",
                               linewidth=2.4))
    out_ax.add_patch(Rectangle((m - 1, m - 1), 1, 1, fill=False, edgecolor="#ff7f0e",
                               linewidth=2.4))
    limit = max(m, size)
    out_ax.set_xlim(-0.1, limit + 0.1)
    out_ax.set_ylim(limit + 0.1, -0.1)
    unread = int((is_input & (reads == 0)).sum())
    out_ax.set_title(f"output {m}x{m}\n{formula} = {m}", fontsize=9)
    if unread:
        out_ax.text(0, limit, f"{unread} input row(s) and column(s)\nare never read",
                    color="#d62728", fontsize=9, va="bottom")
    return figure
