"""book.models.linear_as_conv and fully_convolutional: the same numbers as the dense
network on its own input size, and one window's scores per position on larger ones."""

import pytest
import torch
from torch import nn

from book.models import fully_convolutional, lenet5, linear_as_conv


def test_a_dense_layer_is_a_convolution_over_the_whole_map():
    torch.manual_seed(0)
    linear = nn.Linear(3 * 4 * 5, 7).double()
    conv = linear_as_conv(linear, (3, 4, 5))
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    assert conv.weight.shape == (7, 3, 4, 5)
    torch.testing.assert_close(conv(x)[:, :, 0, 0], linear(x.flatten(1)))


def test_a_map_of_the_wrong_size_gets_one_line():
    with pytest.raises(ValueError, match="a map of 3x4x4 has 48 values, the layer reads 60"):
        linear_as_conv(nn.Linear(60, 7), (3, 4, 4))


def test_lenet_keeps_its_scores_on_28x28():
    torch.manual_seed(0)
    model = lenet5().double()
    convolutional = fully_convolutional(model, (1, 28, 28))
    assert not any(isinstance(layer, (nn.Linear, nn.Flatten))
                   for layer in convolutional.children())
    x = torch.randn(3, 1, 28, 28, dtype=torch.float64)
    torch.testing.assert_close(convolutional(x)[:, :, 0, 0], model(x))


def test_on_a_wider_input_each_position_scores_its_own_window():
    # Without C1's padding a window's scores depend on its 32x32 pixels alone.
    torch.manual_seed(0)
    model = lenet5().double()
    model.C1 = nn.Conv2d(1, 6, 5).double()
    convolutional = fully_convolutional(model, (1, 32, 32))
    canvas = torch.randn(1, 1, 32, 32 + 4 * 5, dtype=torch.float64)
    scores = convolutional(canvas)
    assert scores.shape == (1, 10, 1, 6)  # the two poolings make the step 4 pixels
    for position in range(6):
        window = canvas[..., 4 * position:4 * position + 32]
        torch.testing.assert_close(scores[:, :, 0, position], model(window))
