"""A matrix drawn as a table of cells with its numbers: the grids of chapters 3, 4 and 5.

The worked convolution and the banded matrix (:mod:`book.figures.conv`), the padded
inputs and the explorer's grids (:mod:`book.figures.padding`) and the pooling windows
(:mod:`book.figures.pooling`) all draw their matrices with :func:`number_grid`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

CELL_EDGE = "#888888"
# The cells outside a mask (the padding): grey, and their numbers a darker grey.
MASKED_GREY = 0.82
MASKED_TEXT = "#555555"


def number_grid(ax: Axes, values=None, colours=None, *, mask=None, fontsize: float = 10,
                fmt: str = "{}", edge: str = CELL_EDGE, linewidth: float = 0.8,
                margin: float = 0.05) -> None:
    """Draw an H x W matrix as cells with a number in each, row 0 at the top.

    Chapter 3, "Convolution"; chapter 4, "Padding and stride"; chapter 5, "Pooling".

    ax: a matplotlib Axes; cell (r, c) covers [c, c + 1] x [r, r + 1], so a caller draws
    outlines and labels in cell units. Its axis is turned off.
    values: (H, W), each written with ``fmt`` (``"{:g}"``, ``"{:.3g}"``); an entry None
    (an object array) leaves its cell blank. None: no numbers at all, the shape from
    ``colours`` (a grid of coloured cells).
    colours: (H, W, 3) RGB in [0, 1], each cell's background; default white.
    mask: (H, W) bool, True for the cells that matter; the others (the padding) are
    grey with grey numbers. Without ``colours`` only.
    fontsize: of the numbers; edge, linewidth: of the lines between cells.
    margin: room around the grid, in cells, so the outer lines are drawn whole.
    """
    if values is not None:
        values = np.asarray(values)
    shape = values.shape if values is not None else np.shape(colours)[:2]
    h, w = shape
    if mask is not None:
        if colours is not None:
            raise ValueError("give number_grid either colours or a mask, not both")
        mask = np.asarray(mask, dtype=bool)
        colours = np.where(mask[..., None], 1.0, MASKED_GREY) * np.ones((h, w, 3))
    elif colours is None:
        colours = np.ones((h, w, 3))
    ax.imshow(colours, extent=(0, w, h, 0), interpolation="nearest")
    ax.hlines(range(h + 1), 0, w, colors=edge, linewidth=linewidth)
    ax.vlines(range(w + 1), 0, h, colors=edge, linewidth=linewidth)
    if values is not None:
        for (r, c), value in np.ndenumerate(values):
            if value is not None:
                colour = "black" if mask is None or mask[r, c] else MASKED_TEXT
                ax.text(c + 0.5, r + 0.5, fmt.format(value), ha="center", va="center",
                        fontsize=fontsize, color=colour)
    ax.set_xlim(-margin, w + margin)
    ax.set_ylim(h + margin, -margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
