"""Zero padding, and the padding/stride/dilation explorer of chapter 4."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.shapes import output_size


def pad2d(x: np.ndarray, p: int) -> np.ndarray:
    """Surround the last two axes of ``x`` with ``p`` rows/columns of zeros.

    x: (..., H, W) -> (..., H + 2p, W + 2p)
    """
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"pad2d needs at least a 2-D array (H, W), got shape {x.shape}")
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise ValueError(f"padding p must be a non-negative integer, got {p!r}")
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + 2 * p, x.shape[-1] + 2 * p), dtype=x.dtype)
    out[..., p:p + x.shape[-2], p:p + x.shape[-1]] = x
    return out


def kernel_positions(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> list[int]:
    """Start index (in the padded input) of every kernel position along one axis."""
    return [i * s for i in range(output_size(n, f, p, s, d))]


def draw_padding_stride(n: int = 5, f: int = 3, p: int = 0, s: int = 1, d: int = 1) -> Figure:
    """Padded input with every kernel position, and the output grid with the formula.

    Input cells are white and padding grey; blue cells are read by the kernel, darker the
    more positions read them; input cells that no position reads are hatched red. The first
    kernel position is outlined in blue, the last in orange.
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

    # How many kernel positions read each row (and, by symmetry, column) of the padded input.
    reads = np.zeros(size, dtype=int)
    for start in starts:
        reads[start:start + span:d] += 1
    uses = np.outer(reads, reads)
    is_input = np.zeros(size, dtype=bool)
    is_input[p:p + n] = True
    inside = np.outer(is_input, is_input)

    colours = np.where(inside[..., None], 1.0, 0.85) * np.ones((size, size, 3))
    if starts:
        shade = (0.15 + 0.6 * uses / uses.max())[..., None]
        blue = np.array([0.12, 0.47, 0.71])
        colours = np.where(uses[..., None] > 0, (1 - shade) * colours + shade * blue, colours)
    grid_ax.imshow(colours, extent=(0, size, size, 0), interpolation="nearest")
    grid_ax.hlines(range(size + 1), 0, size, colors="#888888", linewidth=0.6)
    grid_ax.vlines(range(size + 1), 0, size, colors="#888888", linewidth=0.6)
    if starts:
        for r, c in np.argwhere(inside & (uses == 0)):
            grid_ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor="#d62728",
                                        hatch="///", linewidth=0))
        for start, colour in ((starts[0], "#1f77b4"), (starts[-1], "#ff7f0e")):
            grid_ax.add_patch(Rectangle((start, start), span, span, fill=False,
                                        edgecolor=colour, linewidth=2.4))
    grid_ax.add_patch(Rectangle((p, p), n, n, fill=False, edgecolor="black", linewidth=1.6))
    grid_ax.set_xlim(-0.1, size + 0.1)
    grid_ax.set_ylim(size + 0.1, -0.1)
    grid_ax.axis("off")
    grid_ax.set_title(f"input {n}x{n} padded to {size}x{size}\nkernel {f}x{f} spans {span}",
                      fontsize=10)

    out_ax.axis("off")
    if not starts:
        out_ax.set_xlim(0, 1)
        out_ax.set_ylim(1, 0)
        out_ax.text(0.5, 0.5, f"impossible:\nthe kernel spans {span}\nbut the padded input\n"
                    f"is only {size} wide", ha="center", va="center", color="#d62728",
                    fontsize=11)
        out_ax.set_title(f"output size\n{formula} < 1", fontsize=9)
        return figure
    m = len(starts)
    out_ax.imshow(np.full((m, m, 3), [0.78, 0.86, 0.94]), extent=(0, m, m, 0))
    out_ax.hlines(range(m + 1), 0, m, colors="#555555", linewidth=0.8)
    out_ax.vlines(range(m + 1), 0, m, colors="#555555", linewidth=0.8)
    out_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#1f77b4", linewidth=2.4))
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
