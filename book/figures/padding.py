"""Figures of chapter 4, "Padding and stride": padded grids, pixel reads, the explorer.

``plot_padded_grids`` and ``plot_pixel_usage`` are still pictures; ``draw_padding_stride``
is the draw of the padding and stride explorer, one frame per setting of its controls.
"""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.grid import MASKED_GREY, number_grid
from book.padding import kernel_positions, pad2d, pixel_usage, reads_along_axis
from book.validation import real_array


def plot_padded_grids(x, paddings=(0, 1, 2)) -> Figure:
    """The same input padded by each of ``paddings`` (zeros in grey).

    Chapter 4, "Padding and stride".

    x: (H, W) -> one panel per padding, (H + 2p) x (W + 2p).
    """
    x = real_array(x, "x", 2, "(H, W)")
    figure = Figure(figsize=(4.9, 2.2))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, wspace=0.08)
    widths = [x.shape[1] + 2 * p for p in paddings]
    axes = figure.subplots(1, len(paddings), gridspec_kw={"width_ratios": widths})
    for ax, p in zip(np.atleast_1d(axes), paddings):
        inside = pad2d(np.ones(x.shape, dtype=bool), p)
        padded = pad2d(x, p)
        number_grid(ax, padded, mask=inside, fmt="{:g}", fontsize=10, linewidth=0.6)
        ax.set_title(f"p = {p}: {padded.shape[0]}x{padded.shape[1]}", fontsize=10)
    return figure


def plot_pixel_usage(n: int = 5, f: int = 3, paddings=(0, 1)) -> Figure:
    """How often a stride-1 f x f kernel reads each pixel of an n x n input, by padding.

    Chapter 4, "Padding and stride".

    Darker cells are read more often; without padding the corners are read once.
    """
    figure = Figure(figsize=(4.9, 3.0))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.83, wspace=0.15)
    axes = figure.subplots(1, len(paddings))
    for ax, p in zip(np.atleast_1d(axes), paddings):
        usage = pixel_usage(n, f, p)
        ax.imshow(usage, cmap="Blues", vmin=0, vmax=1.6 * f * f,
                  extent=(0, n, n, 0), interpolation="nearest")
        for (r, c), value in np.ndenumerate(usage):
            ax.text(c + 0.5, r + 0.5, str(value), ha="center", va="center", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{f}x{f} kernel, padding {p}\n"
                     f"{usage.min()} to {usage.max()} reads", fontsize=10)
    return figure


READ_BLUE = np.array([0.12, 0.47, 0.71])


def _read_shading(uses: np.ndarray, most: int) -> np.ndarray:
    """(..., 3) RGB: white for cells never read, bluer the more kernel positions read one.

    uses: (...) read counts, 0..most.
    """
    shade = np.where(uses > 0, 0.15 + 0.6 * uses / max(most, 1), 0.0)[..., None]
    return (1 - shade) + shade * READ_BLUE


def _draw_read_legend(ax, most: int) -> None:
    """A colour scale of the read counts 1..most, each shade beside its number."""
    counts = np.arange(1, most + 1)[::-1, None]
    ax.imshow(_read_shading(counts, most), extent=(0, 1, most, 0), aspect="auto",
              interpolation="nearest")
    ax.set_xticks([])
    ax.yaxis.tick_right()
    ticks = sorted({1, most, *np.linspace(1, most, 4).round().astype(int)})
    ax.set_yticks([most - t + 0.5 for t in ticks], [str(t) for t in ticks], fontsize=10)
    ax.set_title("reads", fontsize=10, loc="left")


def draw_padding_stride(n: int = 5, f: int = 3, p: int = 0, s: int = 1,
                        dilated: bool = False) -> Figure:
    """Padded input with every kernel position, and the output grid with the formula.

    Chapter 4, "Padding and stride".

    n: input size; f: kernel size; p: padding; s: stride; dilated: dilation 2 instead
    of 1. Each cell of the padded (n + 2p) x (n + 2p) input shows how many kernel
    positions read it, in the number and in the blue shading that the scale on the right
    explains; input cells that no position reads are hatched red. Padding is grey where
    it is never read. The first kernel position is outlined in blue, the last in orange.
    """
    d = 2 if dilated else 1
    figure = Figure(figsize=(5.2, 3.6))
    grid = figure.add_gridspec(1, 3, width_ratios=[1.75, 1, 0.09], left=0.02, right=0.9,
                               bottom=0.02, top=0.8, wspace=0.1)
    grid_ax = figure.add_subplot(grid[0, 0])
    out_ax = figure.add_subplot(grid[0, 1])
    size = n + 2 * p
    span = d * (f - 1) + 1
    formula = (rf"output: $\lfloor ({n} + 2\cdot{p} - {d}\cdot({f}-1) - 1)\,/\,{s}"
               rf" \rfloor + 1$")
    try:
        starts = kernel_positions(n, f, p, s, d)
    except ValueError:
        starts = []
    grid_ax.set_title(f"input {n}x{n}, padded {size}x{size}\n"
                      f"kernel {f}x{f} spans {span}", fontsize=11)

    # How many kernel positions read each row (and, by symmetry, column) of the padded
    # input; a cell is read by (positions reading its row) x (those reading its column).
    reads = reads_along_axis(n, f, p, s, d) if starts else np.zeros(size, dtype=int)
    uses = np.outer(reads, reads)
    is_input = np.zeros(size, dtype=bool)
    is_input[p:p + n] = True
    inside = np.outer(is_input, is_input)
    most = int(uses.max())
    colours = np.where((uses == 0) & ~inside, MASKED_GREY, 1.0)[..., None] * np.ones(3)
    colours = np.where(uses[..., None] > 0, _read_shading(uses, most), colours)
    counts = np.where((uses > 0) | inside, uses, None) if starts else None
    number_grid(grid_ax, counts, colours, fontsize=11 if size < 10 else 10, linewidth=0.6,
                margin=0.1)
    grid_ax.add_patch(Rectangle((p, p), n, n, fill=False, edgecolor="black",
                                linewidth=1.6))
    if not starts:
        figure.suptitle(formula + " < 1", fontsize=11, y=0.99)
        out_ax.axis("off")
        out_ax.set_xlim(0, 1)
        out_ax.set_ylim(1, 0)
        out_ax.text(0.5, 0.5, f"impossible:\nthe kernel\nspans {span},\nthe padded\n"
                    f"input is\nonly {size} wide", ha="center", va="center",
                    color="#d62728", fontsize=11)
        return figure
    for r, c in np.argwhere(inside & (uses == 0)):
        grid_ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor="#d62728",
                                    hatch="///", linewidth=0))
    for start, colour in ((starts[0], "#1f77b4"), (starts[-1], "#ff7f0e")):
        grid_ax.add_patch(Rectangle((start, start), span, span, fill=False,
                                    edgecolor=colour, linewidth=2.4))
    m = len(starts)
    figure.suptitle(f"{formula} = {m}", fontsize=11, y=0.99)
    number_grid(out_ax, colours=np.full((m, m, 3), [0.78, 0.86, 0.94]), edge="#555555")
    out_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#1f77b4",
                               linewidth=2.4))
    out_ax.add_patch(Rectangle((m - 1, m - 1), 1, 1, fill=False, edgecolor="#ff7f0e",
                               linewidth=2.4))
    limit = max(m, size)
    out_ax.set_xlim(-0.1, limit + 0.1)
    out_ax.set_ylim(limit + 0.1, -0.1)
    out_ax.set_title(f"output {m}x{m}", fontsize=11)
    unread = int((is_input & (reads == 0)).sum())
    if unread:
        out_ax.text(0, limit, f"{unread} input row(s)\nand column(s)\nare never read",
                    color="#d62728", fontsize=10, va="bottom")
    _draw_read_legend(figure.add_subplot(grid[0, 2]), most)
    return figure
