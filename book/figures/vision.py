"""Figures of chapter 1: the cell simulator, receptive fields, hierarchy, Neocognitron, timeline.

Every function returns a new ``matplotlib.figure.Figure`` built only from its arguments.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Circle, FancyArrowPatch, Polygon, Rectangle
from matplotlib.text import Text

from book.samples import letter_a
from book.vision import (
    COMPLEX_POSITIONS,
    FIELD_SIZE,
    ComplexCell,
    SimpleCell,
    bar_stimulus,
    gabor_receptive_field,
    neocognitron_stage,
    orientation_tuning,
    position_tuning,
)

SIMPLE_COLOR = "#ff7f0e"
COMPLEX_COLOR = "#1f77b4"
PREFERRED = 90.0  # the simulator's cells prefer vertical bars


def _field_extent(size: int):
    half = size / 2
    return (-half, half, -half, half)


def _rotated_rectangle(orientation: float, half_along: float, half_across: float):
    """Corners (4, 2) of a rectangle centred at the origin, long side along the orientation."""
    theta = np.deg2rad(orientation)
    along = np.array([np.cos(theta), np.sin(theta)])
    across = np.array([np.sin(theta), -np.cos(theta)])
    return np.array([sa * half_along * along + sc * half_across * across
                     for sa, sc in ((1, 1), (1, -1), (-1, -1), (-1, 1))])


def _plot_both_cells(ax, xs):
    """Both cells' response curves, dots and a line at the bar shown; data set later.

    Returns the five lines, in drawing order, for :func:`_show_both_cells`.
    """
    # The complex cell's curve is drawn thick and first: where both agree, both stay
    # visible.
    placeholder = np.zeros_like(xs, dtype=float)
    return (ax.plot(xs, placeholder, color=COMPLEX_COLOR, linewidth=3)
            + ax.plot(xs, placeholder, color=SIMPLE_COLOR, linewidth=1.5)
            + ax.plot([xs[0]], [0.0], "o", color=COMPLEX_COLOR)
            + ax.plot([xs[0]], [0.0], "o", color=SIMPLE_COLOR)
            + [ax.axvline(xs[0], color="#999999", linewidth=0.8)])


def _show_both_cells(lines, complex_curve, simple_curve, x_now, complex_now,
                     simple_now):
    """Put new responses on the lines made by :func:`_plot_both_cells`."""
    complex_line, simple_line, complex_dot, simple_dot, marker = lines
    complex_line.set_ydata(complex_curve)
    simple_line.set_ydata(simple_curve)
    complex_dot.set_data([x_now], [complex_now])
    simple_dot.set_data([x_now], [simple_now])
    marker.set_xdata([x_now, x_now])


@dataclass
class _SimulatorParts:
    """The artists of the cell simulator that change with the bar."""

    stimulus: AxesImage
    position_ax: Axes
    position_lines: list
    tuning_ax: Axes
    tuning_lines: list
    bar_text: Text
    simple_text: Text
    complex_text: Text


SIMULATOR_POSITIONS = np.arange(-14, 15)  # whole pixels, like the slider
SIMULATOR_ORIENTATIONS = np.arange(0, 180.5, 2.5)


def draw_cell_simulator(orientation: float = 90.0, position: float = 0.0) -> Figure:
    """A bar shown to a model simple and complex cell, both preferring vertical bars.

    Top left: the bar, the simple cell's receptive field (red: excitatory, blue:
    inhibitory) and the complex cell's field (dashed); below it, both responses to this
    bar. Top right: both responses as the bar moves across, at this orientation. Bottom
    right: both orientation tuning curves, at this position. Dots mark the bar shown top
    left; the simple cell is orange, the complex cell blue.
    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    figure = _cell_simulator_layout()
    update_cell_simulator(figure, orientation, position)
    return figure


def update_cell_simulator(figure: Figure, orientation: float = 90.0,
                          position: float = 0.0) -> None:
    """Show another bar on a figure made by :func:`draw_cell_simulator`, in place.

    The result draws the same pixels as a new ``draw_cell_simulator(orientation,
    position)``; a live slider uses it because changing a few artists costs half of
    building the figure.
    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    parts = figure.cell_simulator_parts
    simple, complex_cell = SimpleCell(PREFERRED), ComplexCell(PREFERRED)
    stimulus = bar_stimulus(orientation, position)
    simple_now = float(simple.respond(stimulus))
    complex_now = float(complex_cell.respond(stimulus))

    parts.stimulus.set_data(stimulus)
    _show_both_cells(parts.position_lines, *_position_curves(float(orientation)),
                     position, complex_now, simple_now)
    parts.position_ax.set_title(f"moving a {orientation:g}° bar", fontsize=10)
    _show_both_cells(parts.tuning_lines, *_orientation_curves(float(position)),
                     orientation, complex_now, simple_now)
    parts.tuning_ax.set_title(f"turning a bar at position {position:g}", fontsize=10)
    parts.bar_text.set_text(f"bar at {orientation:g}°,\nposition {position:g}")
    parts.simple_text.set_text(f"simple cell: {simple_now:.2f}")
    parts.complex_text.set_text(f"complex cell: {complex_now:.2f}")


# A live widget redraws this figure in place (see book.interactive).
draw_cell_simulator.update = update_cell_simulator


# A slider revisits the same few bars: each curve is computed once (and never changed).
@functools.lru_cache(maxsize=256)
def _position_curves(orientation: float) -> tuple[np.ndarray, np.ndarray]:
    """(complex, simple) responses to a bar at each of SIMULATOR_POSITIONS."""
    return (position_tuning(ComplexCell(PREFERRED), SIMULATOR_POSITIONS, orientation),
            position_tuning(SimpleCell(PREFERRED), SIMULATOR_POSITIONS, orientation))


@functools.lru_cache(maxsize=256)
def _orientation_curves(position: float) -> tuple[np.ndarray, np.ndarray]:
    """(complex, simple) responses to a bar at each of SIMULATOR_ORIENTATIONS."""
    orientations = SIMULATOR_ORIENTATIONS
    return (orientation_tuning(ComplexCell(PREFERRED), orientations, position),
            orientation_tuning(SimpleCell(PREFERRED), orientations, position))


def _cell_simulator_layout() -> Figure:
    """The simulator's axes, receptive fields and empty curves: what no bar changes."""
    # Two by two, so that 10-point text stays readable when a phone shrinks the frame:
    # the bar and the readings on the left, the two response curves on the right.
    figure = Figure(figsize=(5.2, 4.6))
    grid = figure.add_gridspec(2, 2, width_ratios=[1, 1.25], left=0.01, right=0.98,
                               bottom=0.1, top=0.94, wspace=0.3, hspace=0.45)
    field_ax, position_ax, tuning_ax = (figure.add_subplot(grid[0, 0]),
                                        figure.add_subplot(grid[0, 1]),
                                        figure.add_subplot(grid[1, 1]))

    extent = _field_extent(FIELD_SIZE)
    stimulus = field_ax.imshow(np.zeros((FIELD_SIZE, FIELD_SIZE)), cmap="gray", vmin=0,
                               vmax=1.4, extent=extent)
    x, y = np.meshgrid(np.arange(FIELD_SIZE) - FIELD_SIZE // 2,
                       FIELD_SIZE // 2 - np.arange(FIELD_SIZE))
    receptive_field = gabor_receptive_field(PREFERRED)
    level = 0.25 * receptive_field.max()
    field_ax.contour(x, y, receptive_field, levels=[level], colors="#d62728",
                     linewidths=1.2)
    field_ax.contour(x, y, receptive_field, levels=[-level], colors="#6baed6",
                     linewidths=1.2)
    reach = max(abs(p) for p in COMPLEX_POSITIONS) + 2
    field_ax.add_patch(Polygon(_rotated_rectangle(PREFERRED, 12, reach), closed=True,
                               fill=False, edgecolor=COMPLEX_COLOR, linestyle="--"))
    field_ax.set_xticks([])
    field_ax.set_yticks([])
    field_ax.set_title("bar and receptive fields", fontsize=10)

    position_lines = _plot_both_cells(position_ax, SIMULATOR_POSITIONS)
    position_ax.set_xlabel("bar position (pixels)", fontsize=10)
    position_ax.set_ylabel("response", fontsize=10)
    position_ax.set_ylim(-0.05, 1.15)
    position_ax.tick_params(labelsize=10)

    tuning_lines = _plot_both_cells(tuning_ax, SIMULATOR_ORIENTATIONS)
    tuning_ax.set_xticks([0, 45, 90, 135, 180])
    tuning_ax.set_xlabel("bar orientation (degrees)", fontsize=10)
    tuning_ax.set_ylabel("response", fontsize=10)
    tuning_ax.set_ylim(-0.05, 1.15)
    tuning_ax.tick_params(labelsize=10)

    figure.cell_simulator_parts = _SimulatorParts(
        stimulus=stimulus, position_ax=position_ax, position_lines=position_lines,
        tuning_ax=tuning_ax, tuning_lines=tuning_lines,
        bar_text=figure.text(0.03, 0.34, "", fontsize=10),
        simple_text=figure.text(0.03, 0.26, "", fontsize=10, color=SIMPLE_COLOR,
                                weight="bold"),
        complex_text=figure.text(0.03, 0.18, "", fontsize=10, color=COMPLEX_COLOR,
                                 weight="bold"))
    return figure


def plot_receptive_fields() -> Figure:
    """Left: a simple cell's receptive field. Right: the simple cells a complex cell pools.

    Red is excitatory (light there raises the response), blue inhibitory.
    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    figure = Figure(figsize=(4.9, 3.0))
    left, right = figure.subplots(1, 2)
    extent = _field_extent(FIELD_SIZE)
    field = gabor_receptive_field(PREFERRED)
    limit = np.abs(field).max()
    left.imshow(field, cmap="RdBu_r", vmin=-limit, vmax=limit, extent=extent)
    left.set_title("simple cell:\none oriented field", fontsize=10)

    x, y = np.meshgrid(np.arange(FIELD_SIZE) - FIELD_SIZE // 2,
                       FIELD_SIZE // 2 - np.arange(FIELD_SIZE))
    right.imshow(np.zeros((FIELD_SIZE, FIELD_SIZE)), cmap="RdBu_r", vmin=-1, vmax=1,
                 extent=extent)
    shades = np.linspace(0.35, 1.0, len(COMPLEX_POSITIONS))
    for position, shade in zip(COMPLEX_POSITIONS, shades, strict=True):
        sub_field = gabor_receptive_field(PREFERRED, position)
        right.contour(x, y, sub_field, levels=[0.3 * sub_field.max()],
                      colors=[(0.84 * shade, 0.15 * shade, 0.16 * shade)], linewidths=0.8)
    right.set_title(f"complex cell: max over\n{len(COMPLEX_POSITIONS)} shifted simple cells",
                    fontsize=10)
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return figure


def _line_icon(ax, center, angle_deg, length=0.5, **style):
    theta = np.deg2rad(angle_deg)
    dx, dy = 0.5 * length * np.cos(theta), 0.5 * length * np.sin(theta)
    ax.plot([center[0] - dx, center[0] + dx], [center[1] - dy, center[1] + dy], **style)


def plot_featural_hierarchy() -> Figure:
    """The ventral stream V1 -> V2 -> V4 -> IT, with the kind of feature each area prefers.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    figure = Figure(figsize=(4.9, 3.4))
    ax = figure.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.7, 4)
    ax.axis("off")
    areas = [("V1", "oriented\nedges\nand bars"), ("V2", "corners,\njunctions,\ncontours"),
             ("V4", "curves\nand simple\nshapes"), ("IT", "objects\nand faces")]
    centers = [1.2 + 2.5 * i for i in range(4)]
    style = dict(color="black", linewidth=2, solid_capstyle="round")
    for (name, caption), cx in zip(areas, centers, strict=True):
        ax.add_patch(Rectangle((cx - 0.95, 0.1), 1.9, 2.9, facecolor="#f3f3f3",
                               edgecolor="#777777"))
        ax.text(cx, 3.3, name, ha="center", fontsize=12, weight="bold")
        ax.text(cx, 0.2, caption, ha="center", va="bottom", fontsize=10)
    for left, right in itertools.pairwise(centers):
        ax.add_patch(FancyArrowPatch((left + 0.95, 1.9), (right - 0.95, 1.9),
                                     arrowstyle="-|>", mutation_scale=14, color="#444444"))

    v1, v2, v4, it = centers
    for k, angle in enumerate((0, 45, 90, 135)):
        _line_icon(ax, (v1 - 0.4 + 0.8 * (k % 2), 2.35 - 0.7 * (k // 2)), angle, **style)
    for (x0, y0), (a, b) in zip(((v2 - 0.45, 2.1), (v2 + 0.35, 2.1)), ((0, 90), (0, 45)),
                                strict=True):
        for angle in (a, b):
            theta = np.deg2rad(angle)
            ax.plot([x0, x0 + 0.5 * np.cos(theta)], [y0, y0 + 0.5 * np.sin(theta)], **style)
    ax.plot([v2 - 0.5, v2 + 0.5], [1.55, 1.55], **style)
    ax.plot([v2, v2], [1.55, 1.95], **style)
    arc = np.linspace(0.2 * np.pi, 0.8 * np.pi, 30)
    ax.plot(v4 - 0.35 + 0.35 * np.cos(arc), 1.95 + 0.35 * np.sin(arc), **style)
    ax.add_patch(Circle((v4 + 0.4, 2.25), 0.22, fill=False, linewidth=2))
    ax.add_patch(Polygon([[v4 - 0.3, 1.4], [v4 + 0.3, 1.4], [v4, 1.85]], closed=True,
                         fill=False, linewidth=2))
    ax.add_patch(Circle((it, 2.0), 0.55, fill=False, linewidth=2))
    for side in (-1, 1):
        ax.add_patch(Circle((it + side * 0.2, 2.15), 0.06, color="black"))
    smile = np.linspace(1.15 * np.pi, 1.85 * np.pi, 30)
    ax.plot(it + 0.28 * np.cos(smile), 1.95 + 0.28 * np.sin(smile), **style)
    ax.text(5, -0.1, "larger receptive fields, more complex and more\nposition-tolerant "
            "features  →", ha="center", va="top", fontsize=10, color="#444444")
    return figure


def plot_neocognitron_cascade(orientations=(0, 45, 90, 135)) -> Figure:
    """One S-layer and one C-layer computed on a letter, then the rest of the cascade.

    U0: the input (:func:`book.samples.letter_a`); S1 and C1: the planes of
    :func:`book.vision.neocognitron_stage`, one row per orientation.
    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    image = letter_a()
    s_planes, c_planes = neocognitron_stage(image, orientations)
    top = s_planes.max()

    figure = Figure(figsize=(5.0, 3.9))
    grid = figure.add_gridspec(len(orientations), 4, width_ratios=[1.6, 1, 1, 2.4],
                               left=0.01, right=0.99, top=0.86, bottom=0.02,
                               wspace=0.15, hspace=0.12)
    input_ax = figure.add_subplot(grid[1:3, 0])
    input_ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    input_ax.set_title("U0: input", fontsize=10)
    input_ax.axis("off")
    for row, (orientation, s_plane, c_plane) in enumerate(zip(orientations, s_planes,
                                                               c_planes, strict=True)):
        for col, (plane, name) in enumerate(((s_plane, "S1"), (c_plane, "C1")), start=1):
            ax = figure.add_subplot(grid[row, col])
            ax.imshow(plane, cmap="magma", vmin=0, vmax=top)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"{name}:\n" + ("S-cells" if name == "S1" else "C-cells"),
                             fontsize=10)
            if col == 1:
                ax.set_ylabel(f"{orientation}°", fontsize=10, rotation=0, labelpad=14,
                              va="center")
    text_ax = figure.add_subplot(grid[:, 3])
    text_ax.axis("off")
    text_ax.set_xlim(0, 1)
    text_ax.set_ylim(0, 1)
    stages = ["S2 → C2: combinations\nof C1 features\n(corners, strokes)",
              "S3 → C3: larger parts,\nmore tolerant to shifts",
              "output: one C-cell\nper pattern class"]
    for k, stage in enumerate(stages):
        y = 0.83 - 0.33 * k
        text_ax.text(0.08, y, stage, fontsize=10, va="center",
                     bbox=dict(boxstyle="round", facecolor="#f3f3f3", edgecolor="#777777"))
        if k:
            text_ax.add_patch(FancyArrowPatch((0.45, y + 0.25), (0.45, y + 0.08),
                                              arrowstyle="-|>", mutation_scale=12,
                                              color="#444444"))
    text_ax.text(0.08, 1.02, "and on, in the\nNeocognitron:", fontsize=10, color="#444444")
    return figure


# (year, label): what happened, in the order of the syllabus.
TIMELINE = (
    (1959, "Hubel & Wiesel: orientation-\nselective cells in cat V1"),
    (1962, "simple and complex cells,\na hierarchy of features"),
    (1980, "Fukushima's Neocognitron:\nS-cells and C-cells"),
    (1981, "Nobel Prize for\nHubel & Wiesel"),
    (1989, "LeCun et al.: a conv net trained\nby backpropagation reads zip codes"),
    (1998, "LeNet-5; a cheque reader built on it\nreads several million cheques a day"),
    (2012, "AlexNet wins\nImageNet"),
    (2014, "VGG: deeper,\nall 3x3"),
    (2015, "ResNet: 152 layers\n(CVPR 2016)"),
)


def plot_timeline(events=TIMELINE) -> Figure:
    """A timeline of (year, label) events, top to bottom, one row per event.

    Rows are evenly spaced, not by date, so that every two-line label stays readable on
    a phone; the years are written beside the dots.
    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    """
    figure = Figure(figsize=(4.9, 0.5 * len(events) + 0.2))
    ax = figure.subplots()
    ax.plot([0, 0], [-0.4, len(events) - 0.6], color="#444444", linewidth=1.5, zorder=1)
    for row, (year, label) in enumerate(events):
        ax.plot([0], [row], "o", color=COMPLEX_COLOR, zorder=2)
        ax.text(-0.12, row, str(year), ha="right", va="center", fontsize=10,
                weight="bold")
        ax.text(0.12, row, label, ha="left", va="center", fontsize=10)
    ax.set_xlim(-1, 4)
    ax.set_ylim(len(events) - 0.5, -0.5)
    ax.axis("off")
    figure.subplots_adjust(left=0, right=1, top=1, bottom=0)
    return figure
