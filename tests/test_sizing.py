"""book.sizing: VGG-16's activations and parameters, against sums checked by hand."""

import math

import pytest
import torch

from book.models import vgg16
from book.sizing import format_layer_sizes, layer_sizes


@pytest.fixture(scope="module")
def vgg_sizes():
    with torch.device("meta"):
        return layer_sizes(vgg16(), (3, 224, 224))


def test_vgg16_first_block_matches_the_hand_count(vgg_sizes):
    first = {size.name: size for size in vgg_sizes[:4]}
    assert list(first) == ["input", "conv1_1", "conv1_2", "pool1"]
    assert first["input"].activations == 3 * 224 * 224 == 150_528
    # 64 maps of 224x224; 64 kernels of 3x3x3 plus a bias each, then of 3x3x64.
    assert first["conv1_1"].activations == 64 * 224 * 224 == 3_211_264
    assert first["conv1_1"].parameters == 64 * (3 * 3 * 3 + 1) == 1_792
    assert first["conv1_2"].parameters == 64 * (3 * 3 * 64 + 1) == 36_928
    assert first["pool1"].shape == (64, 112, 112)
    assert (first["pool1"].activations, first["pool1"].parameters) == (802_816, 0)


def test_vgg16_totals_and_where_they_go(vgg_sizes):
    assert sum(size.parameters for size in vgg_sizes) == 138_357_544
    assert all(size.activations == math.prod(size.shape) for size in vgg_sizes)
    by_parameters = max(vgg_sizes, key=lambda size: size.parameters)
    assert (by_parameters.name, by_parameters.parameters) == ("fc1", 25088 * 4096 + 4096)
    by_activations = max(vgg_sizes, key=lambda size: size.activations)
    assert by_activations.name == "conv1_1"


def test_the_table_prints_megabytes_and_totals(vgg_sizes):
    text = format_layer_sizes(vgg_sizes)
    conv1_1 = next(line for line in text.splitlines() if line.startswith("conv1_1"))
    assert conv1_1.split() == ["conv1_1", "64x224x224", "3,211,264", "12.8", "1,792", "0.0"]
    assert text.splitlines()[-1].split()[-2:] == ["138,357,544", "553.4"]
    assert "25.7" in format_layer_sizes(vgg_sizes, bytes_per_value=8).splitlines()[2]


def test_a_bad_byte_count_gets_one_line(vgg_sizes):
    with pytest.raises(ValueError, match="bytes_per_value"):
        format_layer_sizes(vgg_sizes, bytes_per_value=0)
