"""Figures of chapter 5: pooling windows, the invariance explorer, the eye detector."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from book.figures.grid import number_grid
from book.invariance import detector_map, eye_detector, place
from book.pooling import avg_pool2d, max_pool2d
from book.samples import EYE
from book.validation import integer, real_array

GRID_EDGE = "#555555"
WINDOW_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                  "#e377c2", "#7f7f7f", "#bcbd22"]


def _light(colour: str, amount: float = 0.3) -> np.ndarray:
    """A pale version of a hex colour, for cell backgrounds."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return 1 - amount * (1 - rgb)


def plot_pooling_example(x, window: int = 2, stride: int | None = None) -> Figure:
    """The input with its pooling windows, and the max- and average-pooled outputs.

    x: (H, W). Each output cell has the colour of the window it summarises. Overlapping
    windows (stride < window) are shown by outlining the windows of the first output
    row.
    Chapter 5, "Pooling".
    """
    x = real_array(x, "x", ndim=2, layout="(H, W)")
    window = integer(window, "window", minimum=1)
    stride = window if stride is None else integer(stride, "stride", minimum=1)
    pooled_max = max_pool2d(x[None, None], window, stride)[0, 0]
    pooled_avg = avg_pool2d(x[None, None], window, stride)[0, 0]
    h_out, w_out = pooled_max.shape
    figure = Figure(figsize=(4.9, 2.6))
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.8, wspace=0.25)
    axes = figure.subplots(1, 3,
                           gridspec_kw={"width_ratios": [x.shape[1], w_out, w_out]})
    overlapping = stride < window
    tint_in = np.ones(x.shape + (3,))
    tint_out = np.ones((h_out, w_out, 3))
    windows = [(i, j) for i in range(h_out) for j in range(w_out)]
    shown = [(0, j) for j in range(w_out)] if overlapping else windows
    for number, (i, j) in enumerate(shown):
        colour = WINDOW_COLOURS[number % len(WINDOW_COLOURS)]
        if not overlapping:
            rows = slice(i * stride, i * stride + window)
            cols = slice(j * stride, j * stride + window)
            tint_in[rows, cols] = _light(colour)
        tint_out[i, j] = _light(colour)
    titles = (f"input {x.shape[0]}x{x.shape[1]}\nwindow {window}x{window}, stride {stride}",
              "max\npooling", "average\npooling")
    for ax, values, tint, fmt, title in zip(
            axes, (x, pooled_max, pooled_avg), (tint_in, tint_out, tint_out),
            ("{:g}", "{:g}", "{:.3g}"), titles, strict=True):
        number_grid(ax, values, tint, fmt=fmt, edge=GRID_EDGE)
        ax.set_title(title, fontsize=10)
    for number, (i, j) in enumerate(shown):
        colour = WINDOW_COLOURS[number % len(WINDOW_COLOURS)]
        inset = 0.06 * (number + 1) if overlapping else 0.04
        axes[0].add_patch(Rectangle((j * stride + inset, i * stride + inset),
                                    window - 2 * inset, window - 2 * inset, fill=False,
                                    edgecolor=colour, linewidth=2.2))
    return figure


# The explorer's input: a strong "corner" pattern (ones) on a faint texture (below 0.3),
# seen through a 9x16 window that pans over a wider scene, so pattern and texture move
# together.
EXPLORER_SHAPE = (9, 16)
EXPLORER_SHIFTS = 8
EXPLORER_PATTERN = np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])


def explorer_input(shift: int) -> np.ndarray:
    """The 9x16 input with everything moved ``shift`` pixels right (0 <= shift <= 8).

    The pattern's top-left corner is at row 3, column ``1 + shift``.
    Chapter 5, "Pooling": the input of its invariance explorer.
    """
    shift = integer(shift, "shift", minimum=0)
    if shift > EXPLORER_SHIFTS:
        raise ValueError(f"shift must be at most {EXPLORER_SHIFTS}, got {shift}")
    height, width = EXPLORER_SHAPE
    scene = 0.3 * np.random.default_rng(5).random((height, width + EXPLORER_SHIFTS))
    scene[3:6, EXPLORER_SHIFTS + 1:EXPLORER_SHIFTS + 4] += EXPLORER_PATTERN
    start = EXPLORER_SHIFTS - shift
    return scene[:, start:start + width]


def explorer_maps(shift: int, pool: str = "max", window: int = 2):
    """Input (9, 16), detector map (7, 14) and pooled map for one pattern position.

    The detector is template matching with the mean-removed pattern, then ReLU; pooling
    uses stride 2 (window 2: non-overlapping, window 3: AlexNet-style overlapping).
    Chapter 5, "Pooling": the maps of its invariance explorer.
    """
    if pool not in ("max", "average"):
        raise ValueError(f"pool must be 'max' or 'average', got {pool!r}")
    image = explorer_input(shift)
    detections = detector_map(image, EXPLORER_PATTERN - EXPLORER_PATTERN.mean())
    pooling = max_pool2d if pool == "max" else avg_pool2d
    return image, detections, pooling(detections[None, None], window, 2)[0, 0]


def draw_pooling_invariance(shift: int = 0, pool: str = "max",
                            overlapping: bool = False) -> Figure:
    """Move a pattern ``shift`` pixels right: the detector map moves, the pooled less.

    Panels: the input, the detector map (convolution + ReLU) and the pooled map (stride
    2; windows 2x2, or overlapping 3x3 windows). Titles count how many outputs changed
    since the input was one pixel further left; the largest value of each map is
    outlined.
    Chapter 5, "Pooling".
    """
    window = 3 if overlapping else 2
    image, detections, pooled = explorer_maps(shift, pool, window)
    figure = Figure(figsize=(5.2, 1.6))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.76, wspace=0.06)
    ratios = [image.shape[1], detections.shape[1], pooled.shape[1] * 3.3]
    axes = figure.subplots(1, 3, gridspec_kw={"width_ratios": ratios})
    if shift > 0:
        _, previous_detections, previous_pooled = explorer_maps(shift - 1, pool, window)
        changed_det = int((~np.isclose(detections, previous_detections)).sum())
        changed_pool = int((~np.isclose(pooled, previous_pooled)).sum())
        det_note = f"{changed_det} of {detections.size} changed"
        pool_note = f"{changed_pool} of {pooled.size} changed"
    else:
        det_note = pool_note = "move the slider"
    top = max(detections.max(), 1e-9)
    panels = [(axes[0], image, f"input, moved\n{shift} pixel(s) right", 1.3),
              (axes[1], detections, f"detector map\n{det_note}", top),
              (axes[2], pooled,
               f"{pool} pool {window}x{window}\n{pool_note}", top)]
    for ax, values, title, vmax in panels:
        ax.imshow(values, cmap="Greys" if ax is axes[0] else "viridis", vmin=0,
                  vmax=vmax, extent=(0, values.shape[1], values.shape[0], 0),
                  interpolation="nearest")
        r, c = np.unravel_index(np.argmax(values), values.shape)
        if ax is not axes[0]:
            ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor="#d62728",
                                   linewidth=2))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    for (r, c), value in np.ndenumerate(pooled):
        axes[2].text(c + 0.5, r + 0.5, f"{value:.1f}", ha="center", va="center",
                     fontsize=10, color="white" if value < 0.6 * top else "black")
    return figure


NOT_AN_EYE = np.ones((3, 3), dtype=int)  # a filled blob: bright, but no ring and pupil


def plot_eye_detector(positions=((1, 1), (5, 8), (8, 3)), shape=(14, 14)) -> Figure:
    """The eye at several positions, then a blob that is not an eye (top row), with
    their detection maps (bottom row).

    The bright cell of each map (the best match) moves with the eye; the maximum printed
    above it, which is what a global max pool keeps, stays the same, and is lower for
    the blob.
    Chapter 5, "Pooling".
    """
    images = [(f"eye at ({row}, {col})", place(EYE, shape, row, col))
              for row, col in positions]
    images.append(("no eye: a\nblob at (5, 5)", place(NOT_AN_EYE, shape, 5, 5)))
    figure = Figure(figsize=(4.9, 3.6))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, hspace=0.45,
                           wspace=0.1)
    axes = figure.subplots(2, len(images))
    for column, (title, image) in enumerate(images):
        scores, best = eye_detector(image)
        axes[0, column].imshow(image, cmap="gray", vmin=0, vmax=1)  # 1 is bright
        axes[0, column].set_title(title, fontsize=10)
        axes[1, column].imshow(scores, cmap="viridis", vmin=-3, vmax=6.5)
        r, c = np.unravel_index(np.argmax(scores), scores.shape)
        axes[1, column].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                            edgecolor="#d62728", linewidth=2))
        axes[1, column].set_title(f"max {best:.2f}\nat ({r}, {c})", fontsize=10)
        for ax in axes[:, column]:
            ax.set_xticks([])
            ax.set_yticks([])
    return figure
