"""Chapter 7's architecture diagrams: LeNet-5 as boxes and a residual block.

Both read their shapes from the model they are given (a forward pass of zeros), not from
numbers typed here, so a diagram cannot disagree with the network it shows.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from book.models import layer_table

COLORS = {"input": "#e6e6e6", "conv": "#cfe2f3", "pool": "#fce5cd", "dense": "#d9ead3",
          "sum": "#ffffff", "relu": "#f4f4f4"}
TEXT_PT = 10


def _shape_text(shape) -> str:
    """(16, 10, 10) -> "16x10x10"."""
    return "x".join(str(s) for s in shape)


def _layer_kind(layer: nn.Module) -> tuple[str, str]:
    """(colour key, short description) of a LeNet layer, read from its settings."""
    if isinstance(layer, nn.Conv2d):
        k = layer.kernel_size[0]
        padding = f"\npadding {layer.padding[0]}" if layer.padding[0] else ""
        return "conv", f"conv {k}x{k}{padding}"
    if isinstance(layer, (nn.AvgPool2d, nn.MaxPool2d)):
        kind = "avg" if isinstance(layer, nn.AvgPool2d) else "max"
        return "pool", f"{kind} pool {layer.kernel_size}x{layer.kernel_size}"
    return "dense", "dense"


def _box(ax: Axes, x: float, y: float, width: float, height: float, lines,
         color: str) -> None:
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02", facecolor=color,
                                edgecolor="#555555", linewidth=0.8))
    ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=TEXT_PT,
            linespacing=1.3)


def _arrow(ax: Axes, start, end, **style) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                 color="#333333", linewidth=1, shrinkA=0, shrinkB=0,
                                 **style))


def plot_lenet_architecture(model: nn.Sequential,
                            input_shape: tuple[int, int, int] = (1, 28, 28)) -> Figure:
    """LeNet-5 as a row of boxes in two lines: each layer with its kind and the shape it
    outputs, as ``layer_table`` computes them for one input of ``input_shape``.

    model: a :func:`book.models.lenet5` (or any Sequential of convolutions, pooling and
    dense layers with eight boxes' worth of layers).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    layers = dict(model.named_children())
    boxes = [("input", "image", _shape_text(input_shape), "input")]
    for name, _, shape, _ in layer_table(model, input_shape, skip_parameterless=True):
        color, description = _layer_kind(layers[name])
        boxes.append((name, description, _shape_text(shape), color))
    per_row = (len(boxes) + 1) // 2
    figure = Figure(figsize=(4.9, 3.0))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, per_row)
    ax.set_ylim(0, 2.2)
    ax.set_axis_off()
    width, height = 0.86, 0.86
    centers = []
    for index, (name, description, shape, color) in enumerate(boxes):
        row, column = divmod(index, per_row)
        x, y = column + 0.5, 1.65 - 1.1 * row
        centers.append((x, y))
        _box(ax, x, y, width, height, (name, description, shape), COLORS[color])
    for (x0, y0), (x1, y1) in zip(centers, centers[1:]):
        if y0 == y1:
            _arrow(ax, (x0 + width / 2, y0), (x1 - width / 2, y1))
        else:  # from the end of the first line, back and down to the second
            middle = (y0 + y1) / 2
            ax.plot([x0, x0, x1], [y0 - height / 2, middle, middle], color="#333333",
                    linewidth=1)
            _arrow(ax, (x1, middle), (x1, y1 + height / 2))
    return figure


def plot_residual_block(block: nn.Module, input_shape: tuple[int, int, int]) -> Figure:
    """A residual block y = ReLU(x + conv2(ReLU(conv1(x)))), top to bottom, each arrow
    labelled with the shape it carries for one input of ``input_shape``, and the
    shortcut that adds x back.

    block: a module with convolutions ``conv1`` and ``conv2`` (the chapter's
    ``ResidualBlock``); input_shape: (C, H, W).
    Chapter 7, "LeNet: a convolutional network that reads digits" (ResNet).
    """
    with torch.no_grad():
        x = torch.zeros((1, *input_shape))
        first = block.conv1(x)
        correction = block.conv2(torch.relu(first))
    if correction.shape != x.shape:
        raise ValueError(f"the block turns {_shape_text(x.shape[1:])} into "
                         f"{_shape_text(correction.shape[1:])}: x + F(x) needs one shape")
    total = x + correction
    stages = [  # (label, colour key, shape of the arrow leaving the box)
        (["x"], "input", x.shape[1:]),
        ([_conv_label(block.conv1)], "conv", first.shape[1:]),
        (["ReLU"], "relu", first.shape[1:]),
        ([_conv_label(block.conv2)], "conv", correction.shape[1:]),
        (["+"], "sum", total.shape[1:]),
        (["ReLU"], "relu", total.shape[1:]),
    ]
    figure = Figure(figsize=(4.9, 4.4))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4.9)
    ax.set_ylim(-0.4, len(stages))
    ax.set_axis_off()
    x_center, width, height = 1.6, 1.7, 0.5
    for index, (lines, color, shape) in enumerate(stages):
        y = len(stages) - 0.5 - index
        box_width = 0.5 if color == "sum" else width
        _box(ax, x_center, y, box_width, height, lines, COLORS[color])
        below = y - 1 + height / 2 if index < len(stages) - 1 else -0.3
        _arrow(ax, (x_center, y - height / 2), (x_center, below))
        ax.text(x_center + 0.1, (y - height / 2 + below) / 2, _shape_text(shape),
                ha="left", va="center", fontsize=TEXT_PT, color="#444444")
    top, plus = len(stages) - 0.5, len(stages) - 0.5 - 4
    ax.text(x_center - 0.1, -0.15, "y", ha="right", va="center", fontsize=TEXT_PT)
    _shortcut(ax, (x_center + width / 2, top), (x_center + 0.25, plus),
              reach=x_center + width / 2 + 1.0)
    ax.text(x_center + width / 2 + 1.05, (top + plus) / 2, "identity\nshortcut:\nadds x",
            ha="left", va="center", fontsize=TEXT_PT)
    return figure


def _conv_label(conv: nn.Conv2d) -> str:
    k = conv.kernel_size[0]
    return f"conv {k}x{k}, {conv.out_channels} filters"


def _shortcut(ax: Axes, start, end, reach: float) -> None:
    """x's path around the convolutions: right, down, and left into the sum."""
    (x0, y0), (x1, y1) = start, end
    ax.plot([x0, reach, reach], [y0, y0, y1], color="#333333", linewidth=1)
    _arrow(ax, (reach, y1), (x1, y1))


def plot_window_classes(image, probabilities, window: int, step: int) -> Figure:
    """A wide image and, under the centre of each window, the class a fully
    convolutional network scores highest there, shaded by its probability.

    image: (H, W); probabilities: (classes, positions), position j being the window of
    columns ``j * step`` to ``j * step + window - 1``.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    image, probabilities = np.asarray(image), np.asarray(probabilities)
    positions = probabilities.shape[1]
    if (positions - 1) * step + window != image.shape[1]:
        raise ValueError(f"{positions} windows of {window} pixels, {step} apart, cover "
                         f"{(positions - 1) * step + window} columns, the image has "
                         f"{image.shape[1]}")
    figure = Figure(figsize=(4.9, 2.0))
    picture, classes = figure.subplots(2, 1, gridspec_kw={"height_ratios": (3, 1)})
    picture.imshow(image, cmap="gray_r", interpolation="nearest")
    # A box taller than the image keeps its full width, so both rows share one x scale.
    picture.set_anchor("S")
    picture.set_axis_off()
    centres = np.arange(positions) * step + (window - 1) / 2
    best, confidence = probabilities.argmax(axis=0), probabilities.max(axis=0)
    classes.imshow(confidence[None], cmap="Blues", vmin=0, vmax=1.6, aspect="auto",
                   extent=(centres[0] - step / 2, centres[-1] + step / 2, 0, 1))
    for centre, label in zip(centres, best):
        classes.text(centre, 0.5, str(label), ha="center", va="center", fontsize=TEXT_PT)
    classes.set_xlim(-0.5, image.shape[1] - 0.5)
    classes.set_yticks([])
    classes.set_xticks([])
    classes.set_title("best class of each window (darker: more probable)",
                      fontsize=TEXT_PT)
    figure.subplots_adjust(left=0.01, right=0.99, top=0.98, bottom=0.02, hspace=0.45)
    return figure
