"""Parameter counts of book.parameters against PyTorch modules and the syllabus."""

import numpy as np
import pytest
import torch

from book.parameters import (
    conv2d_parameters,
    dense_parameters,
    filter_parameters,
    fully_connected_parameters,
    layer_parameter_counts,
    locally_connected_parameters,
)


def torch_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def mlp(sizes, bias):
    # The meta device allocates nothing: even a 3-megapixel input layer costs no memory.
    return torch.nn.Sequential(*[torch.nn.Linear(a, b, bias=bias, device="meta")
                                 for a, b in zip(sizes, sizes[1:])])


@pytest.mark.parametrize("sizes", [[640 * 480, 100, 100, 2], [2048 * 1536, 100, 100, 1],
                                   [9, 4], [3072, 4704], [7, 3, 5, 2]])
@pytest.mark.parametrize("bias", [False, True])
def test_fully_connected_matches_torch(sizes, bias):
    assert fully_connected_parameters(sizes, bias=bias) == torch_count(mlp(sizes, bias))


@pytest.mark.parametrize("n_in,n_out,bias", [(9, 4, True), (9, 4, False), (1, 1, True)])
def test_dense_matches_torch_linear(n_in, n_out, bias):
    layer = torch.nn.Linear(n_in, n_out, bias)
    assert dense_parameters(n_in, n_out, bias) == torch_count(layer)


@pytest.mark.parametrize("c_in,c_out,k,bias", [(1, 1, 2, True), (1, 1, 2, False),
                                               (3, 6, 5, True), (1, 20, 10, True),
                                               (6, 16, (5, 3), True),
                                               (1, 1000, 3, False)])
def test_conv2d_matches_torch(c_in, c_out, k, bias):
    layer = torch.nn.Conv2d(c_in, c_out, k, bias=bias, device="meta")
    assert conv2d_parameters(c_in, c_out, k, bias=bias) == torch_count(layer)


def locally_connected_forward(x, weight, bias, kernel_size):
    """A locally connected layer written with unfold: one filter per output position.

    x: (N, C, H, W), weight: (H_out * W_out, F, C * k * k), bias: (H_out * W_out, F)
    -> (N, F, H_out, W_out)
    """
    n, _, h, w = x.shape
    patches = torch.nn.functional.unfold(x, kernel_size)            # (N, C*k*k, L)
    out = torch.einsum("ncl,lfc->nfl", patches, weight) + bias.T    # (N, F, L)
    side_h, side_w = h - kernel_size + 1, w - kernel_size + 1
    return out.reshape(n, -1, side_h, side_w)


@pytest.mark.parametrize("c_in,c_out,k,side",
                         [(1, 1, 3, 6), (3, 4, 2, 5), (2, 3, 4, 7)])
def test_locally_connected_counts_the_weights_a_working_layer_needs(c_in, c_out, k,
                                                                    side):
    torch.manual_seed(0)
    x = torch.randn(2, c_in, side, side)
    conv = torch.nn.Conv2d(c_in, c_out, k)
    out_side = side - k + 1
    positions = out_side * out_side
    # Copy the conv's one filter bank to every position: the layer must then equal the
    # conv, which shows the weight tensor has the right layout and size.
    weight = conv.weight.detach().reshape(1, c_out, -1).repeat(positions, 1, 1)
    bias = conv.bias.detach().reshape(1, c_out).repeat(positions, 1)
    torch.testing.assert_close(locally_connected_forward(x, weight, bias, k), conv(x))
    def count(bias):
        return locally_connected_parameters(out_side, out_side, k, c_in, c_out,
                                            bias=bias)

    assert count(bias=False) == weight.numel()
    assert count(bias=True) == weight.numel() + bias.numel()
    # Without sharing, the layer holds one conv layer's parameters per position.
    assert count(bias=True) == positions * torch_count(conv)


def test_syllabus_numbers():
    def weights(sizes):
        return fully_connected_parameters(sizes, bias=False)

    assert weights([640 * 480, 100, 100, 2]) == 30_730_200
    assert weights([2048 * 1536, 100, 100, 2]) == 314_583_000
    assert weights([640 * 480, 100, 100, 1]) == 30_730_100
    assert weights([2048 * 1536, 100, 100, 1]) == 314_582_900
    assert dense_parameters(200 * 200, 40_000, bias=False) == 1_600_000_000
    assert locally_connected_parameters(200, 200, 10) == 4_000_000
    assert conv2d_parameters(1, 1, 10) == 101
    assert conv2d_parameters(1, 20, 10) == 2_020
    assert 14_000_000 < dense_parameters(32 * 32 * 3, 4_704, bias=False) < 15_000_000
    # "14M vs 9k" counts 1,000 3x3 filters on one channel; over RGB they hold 27,000.
    assert conv2d_parameters(1, 1000, 3, bias=False) == 9_000
    assert conv2d_parameters(3, 1000, 3, bias=False) == 27_000
    assert filter_parameters(5, in_channels=3) == 76
    assert conv2d_parameters(3, 6, 5) == 6 * 76
    assert dense_parameters(9, 4, bias=False) == 36 and dense_parameters(9, 4) == 40
    assert conv2d_parameters(1, 1, 2, bias=False) == 4
    assert conv2d_parameters(1, 1, 2) == 5


def test_layer_parameter_counts_grow_as_expected():
    small, large = layer_parameter_counts(50), layer_parameter_counts(100)
    # Weights only: doubling the side multiplies n**4 by 16, 100 n**2 by 4, leaves 100.
    assert large["fully connected"] == 16 * small["fully connected"] == 100 ** 4
    assert large["locally connected"] == 4 * small["locally connected"] \
        == 100 * 100 ** 2
    assert large["convolutional"] == small["convolutional"] == 100
    with_biases = layer_parameter_counts(100, bias=True)
    assert with_biases == {"fully connected": 100 ** 4 + 100 ** 2,
                           "locally connected": 100 * 100 ** 2 + 100 ** 2,
                           "convolutional": 101}


@pytest.mark.parametrize("call, message", [
    (lambda: dense_parameters(0, 3), "n_in must be at least 1, got 0"),
    (lambda: dense_parameters(2.5, 3), "n_in must be an integer, got 2.5"),
    (lambda: fully_connected_parameters([10]), "layer_sizes needs the input size"),
    (lambda: fully_connected_parameters([10, 2.0]), "layer_sizes[1] must be an integer"),
    (lambda: conv2d_parameters(3, 6, (5, 5, 5)),
     "kernel_size must be an integer or a (height, width) pair of integers"),
    (lambda: conv2d_parameters(3, True, 5), "out_channels must be an integer, got True"),
    (lambda: filter_parameters(-1), "kernel_size must be at least 1, got -1"),
    (lambda: locally_connected_parameters(0, 4, 3), "out_height must be at least 1"),
    (lambda: layer_parameter_counts(0), "side must be at least 1, got 0"),
    (lambda: layer_parameter_counts(8, filters=1.0), "filters must be an integer"),
])
def test_bad_input_is_named_in_the_message(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(message)


def test_numpy_integers_are_accepted():
    assert dense_parameters(np.int64(9), np.int64(4)) == 40
    assert conv2d_parameters(np.int64(3), np.int32(6), (np.int64(5), 5)) == 6 * 76
    assert fully_connected_parameters(np.array([9, 4])) == 40
