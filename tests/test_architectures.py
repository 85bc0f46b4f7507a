"""Chapter 7's diagrams show the shapes their model computes, read from the drawn texts."""

import numpy as np
import pytest
import torch
from torch import nn

from book.figures.architectures import (
    plot_lenet_architecture,
    plot_residual_block,
    plot_window_classes,
)
from book.models import lenet5


def drawn_texts(figure) -> list[str]:
    return [text.get_text() for ax in figure.axes for text in ax.texts]


def forward_shapes(model: nn.Sequential, input_shape) -> dict[str, str]:
    """Each layer's output shape, by running the layers one after the other."""
    x, shapes = torch.zeros((1, *input_shape)), {}
    for name, layer in model.named_children():
        x = layer(x)
        shapes[name] = "x".join(str(s) for s in x.shape[1:])
    return shapes


def test_lenet_boxes_show_each_layer_and_its_shape():
    model = lenet5()
    texts = drawn_texts(plot_lenet_architecture(model))
    shapes = forward_shapes(model, (1, 28, 28))
    for name in ("C1", "S2", "C3", "S4", "C5", "F6", "output"):
        box = next(text for text in texts if text.splitlines()[0] == name)
        assert box.splitlines()[-1] == shapes[name], box
    assert any(text.splitlines()[-1] == "1x28x28" for text in texts)


def test_lenet_boxes_follow_a_changed_model():
    # The 1998 input: 32x32 and no padding in C1; same maps from C1 on.
    model = lenet5()
    model.C1 = nn.Conv2d(1, 6, kernel_size=5)
    texts = drawn_texts(plot_lenet_architecture(model, (1, 32, 32)))
    c1 = next(text for text in texts if text.startswith("C1"))
    assert c1.splitlines() == ["C1", "conv 5x5", "6x28x28"]
    assert any(text.splitlines()[-1] == "1x32x32" for text in texts)


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)


def test_residual_block_labels_every_arrow_with_the_computed_shape():
    texts = drawn_texts(plot_residual_block(Block(5), (5, 9, 11)))
    assert texts.count("5x9x11") == 6  # x, conv, ReLU, conv, sum, ReLU
    assert texts.count("conv 3x3, 5 filters") == 2
    assert "+" in texts and "y" in texts


def test_a_block_that_changes_the_shape_gets_one_line():
    block = Block(4)
    block.conv1 = nn.Conv2d(4, 4, 5, padding=1)  # 8x8 -> 6x6: no sum x + F(x)
    with pytest.raises(ValueError, match="turns 4x8x8 into 4x6x6"):
        plot_residual_block(block, (4, 8, 8))


def test_window_classes_show_each_window_best_class_under_its_centre():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=6).T  # (10 classes, 6 windows)
    figure = plot_window_classes(np.zeros((28, 48)), probabilities, window=28, step=4)
    row = figure.axes[1]
    labels = sorted(row.texts, key=lambda text: text.get_position()[0])
    assert [text.get_text() for text in labels] == [
        str(c) for c in probabilities.argmax(axis=0)]
    assert [text.get_position()[0] for text in labels] == [13.5 + 4 * j for j in range(6)]
    assert row.get_xlim() == figure.axes[0].get_xlim()


def test_windows_that_do_not_cover_the_image_get_one_line():
    with pytest.raises(ValueError, match="6 windows of 28 pixels, 4 apart, cover 48 "
                                         "columns, the image has 50"):
        plot_window_classes(np.zeros((28, 50)), np.ones((10, 6)), window=28, step=4)
