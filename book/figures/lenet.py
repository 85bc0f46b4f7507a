"""Chapter 7's figures: training curves, digits, mistakes, learned filters, feature maps
and the layer explorer.

The explorer (:func:`draw_lenet_layers`) draws the maps of the LeNet-5 that
``book.trained`` trains once and caches; the figures here only draw.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from book.models import feature_maps
from book.trained import explorer_digits, explorer_maps
from book.training import History
from book.validation import integer

EXPLORER_LAYERS = ("input", "C1", "S2", "C3", "S4", "output")


def _image_grid(figure: Figure, images, titles, columns: int, colors=None):
    rows = int(np.ceil(len(images) / columns))
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= len(images):
            continue
        ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
        ax.set_title(titles[index], fontsize=10,
                     color=colors[index] if colors is not None else "black")
    return axes


def plot_history(history: History, title: str = "") -> Figure:
    """Training and validation loss (left) and accuracy (right) per epoch.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    figure = Figure(figsize=(4.9, 3.2))
    loss_ax, acc_ax = figure.subplots(1, 2)
    epochs = np.arange(1, history.epochs + 1)
    for ax, train_values, val_values, label in (
            (loss_ax, history.train_loss, history.val_loss, "loss (cross-entropy)"),
            (acc_ax, history.train_accuracy, history.val_accuracy, "accuracy")):
        ax.plot(epochs, train_values, "o-", label="training", markersize=3)
        ax.plot(epochs, val_values, "s-", label="validation", markersize=3)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    loss_ax.legend()
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def plot_digits(images: np.ndarray, labels: np.ndarray, count: int = 20,
                columns: int = 10, class_names=None) -> Figure:
    """The first ``count`` images (N, H, W) with their labels (N,) as titles.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    count = min(integer(count, "count", minimum=1), len(images))
    columns = integer(columns, "columns", minimum=1)
    names = class_names or [str(c) for c in range(10)]
    # Class names need about twice a digit's width for their titles.
    side = 0.49 if class_names is None else 0.98
    figure = Figure(figsize=(columns * side, np.ceil(count / columns) * 0.75))
    titles = [names[int(y)] for y in labels[:count]]
    _image_grid(figure, images[:count], titles, columns)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9, wspace=0.1,
                           hspace=0.4)
    return figure


def plot_misclassified(images: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
                       count: int = 24, columns: int = 10) -> Figure:
    """Test images the model got wrong, titled "true→predicted".

    images: (N, H, W), labels and predicted: (N,) for the same N images (all of them;
    the wrong ones are picked here, the first ``count`` shown).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    count = integer(count, "count", minimum=1)
    columns = integer(columns, "columns", minimum=1)
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predicted))[:count]
    rows = max(1, np.ceil(len(wrong) / columns))
    figure = Figure(figsize=(columns * 0.49, rows * 0.8))
    if len(wrong) == 0:
        figure.text(0.5, 0.5, "no misclassified images", ha="center", va="center")
        return figure
    titles = [f"{int(labels[i])}→{int(predicted[i])}" for i in wrong]
    _image_grid(figure, images[wrong], titles, columns, colors=["#b2182b"] * len(wrong))
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.85, wspace=0.1,
                           hspace=0.5)
    return figure


def plot_filters(weight, title: str = "first-layer filters") -> Figure:
    """The kernels of a convolution layer, weight: (F, C, k, k); shows input channel 0.

    Each kernel gets its own symmetric colour scale: red positive, blue negative.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    kernels = _numpy(weight)[:, 0]
    figure = Figure(figsize=(0.8 * len(kernels), 1.4))
    axes = figure.subplots(1, len(kernels), squeeze=False)[0]
    for index, (ax, kernel) in enumerate(zip(axes, kernels, strict=True)):
        limit = np.abs(kernel).max() or 1.0
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit,
                  interpolation="nearest")
        ax.set_title(f"filter {index}", fontsize=10)
        ax.set_axis_off()
    figure.suptitle(title, fontsize=10)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.72, wspace=0.15)
    return figure


def _numpy(tensor) -> np.ndarray:
    if isinstance(tensor, torch.Tensor):
        return tensor.detach().cpu().numpy()
    return np.asarray(tensor)


def _montage(maps: np.ndarray, columns: int) -> np.ndarray:
    """(C, H, W) maps tiled into one image with one-pixel NaN gaps (drawn as
    background)."""
    count, height, width = maps.shape
    rows = int(np.ceil(count / columns))
    canvas = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for index, feature in enumerate(maps):
        r, c = divmod(index, columns)
        canvas[r * (height + 1):r * (height + 1) + height,
               c * (width + 1):c * (width + 1) + width] = feature
    return canvas


def plot_feature_maps(model: nn.Sequential, image: torch.Tensor,
                      raw_image=None) -> Figure:
    """One digit and its feature maps after C1, S2, C3 and S4 (one row per stage).

    model: a :func:`book.models.lenet5`; image: (1, 28, 28) as the model reads it;
    raw_image: the digit as the reader knows it, (28, 28), drawn instead of ``image``.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    maps = feature_maps(model, image)
    figure = Figure(figsize=(4.9, 4.2))
    grid = figure.add_gridspec(4, 2, width_ratios=[1, 5])
    digit_ax = figure.add_subplot(grid[:, 0])
    digit_ax.imshow(_numpy(raw_image if raw_image is not None else image).squeeze(),
                    cmap="gray_r")
    digit_ax.set_title("input", fontsize=10)
    digit_ax.set_axis_off()
    layout = (("C1", 6), ("S2", 6), ("C3", 8), ("S4", 8))  # (stage, maps per row)
    for row, (stage, columns) in enumerate(layout):
        ax = figure.add_subplot(grid[row, 1])
        ax.imshow(_montage(maps[stage], columns), cmap="viridis",
                  interpolation="nearest")
        channels, height, width = maps[stage].shape
        ax.set_title(f"{stage}: {channels} maps of {height}x{width}", fontsize=10,
                     loc="left")
        ax.set_axis_off()
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.94, hspace=0.45,
                           wspace=0.05)
    return figure


# -- the layer explorer ----------------------------------------------------------------

def draw_lenet_layers(digit: int = 3, layer: str = "C1") -> Figure:
    """A test digit (left) and what one stage of the trained LeNet-5 makes of it
    (right).

    digit: 0..9 picks the first test digit of that class; layer: one of EXPLORER_LAYERS.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if integer(digit, "digit", minimum=0) > 9:
        raise ValueError(f"digit must be at most 9, got {digit!r}")
    if layer not in EXPLORER_LAYERS:
        raise ValueError(f"layer must be one of {EXPLORER_LAYERS}, got {layer!r}")
    raw, x = explorer_digits()
    maps = explorer_maps()[digit]
    figure = Figure(figsize=(5.2, 2.9))
    grid = figure.add_gridspec(1, 2, width_ratios=[1, 2.6])
    digit_ax = figure.add_subplot(grid[0])
    digit_ax.imshow(raw[digit], cmap="gray_r", interpolation="nearest")
    digit_ax.set_title("input 28x28", fontsize=10)
    digit_ax.set_axis_off()
    ax = figure.add_subplot(grid[1])
    if layer == "input":
        ax.imshow(_numpy(x[digit, 0]), cmap="viridis", interpolation="nearest")
        ax.set_title("what C1 reads: the standardized\npixels, 1 map of 28x28",
                     fontsize=10)
        ax.set_axis_off()
    elif layer == "output":
        probabilities = maps["output"]
        guess = int(probabilities.argmax())
        colors = ["#2166ac" if c == guess else "#bbbbbb" for c in range(10)]
        ax.bar(range(10), probabilities, color=colors)
        ax.set_xticks(range(10))
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=10)
        ax.set_xlabel("class", fontsize=10, labelpad=1)
        ax.set_ylabel("probability", fontsize=10)
        ax.set_title(f"C5 -> F6 -> softmax:\npredicts {guess} "
                     f"({probabilities[guess]:.0%})", fontsize=10)
    else:
        stage = maps[layer]
        columns = 3 if len(stage) == 6 else 8
        ax.imshow(_montage(stage, columns), cmap="viridis", interpolation="nearest")
        count, height, width = stage.shape
        ax.set_title(f"{layer}: {count} maps\nof {height}x{width}", fontsize=10)
        ax.set_axis_off()
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.15, top=0.83, wspace=0.3)
    return figure
