"""The receptive-field recurrence against a gradient measurement in PyTorch."""

import re

import numpy as np
import pytest

from book.receptive_field import (
    FieldAfter,
    Layer,
    empirical_receptive_field,
    receptive_field,
    receptive_fields,
)


def test_two_stacked_5x5_convolutions_see_9x9():
    assert receptive_field([5, 5]) == 9
    assert empirical_receptive_field([5, 5]) == 9


def test_each_layer_of_a_lenet_like_stack():
    # conv 5x5, pool 2 stride 2, conv 5x5, pool 2 stride 2
    fields = receptive_fields([5, (2, 2), 5, (2, 2)])
    assert fields == [FieldAfter(5, 1), FieldAfter(6, 2), FieldAfter(14, 2),
                      FieldAfter(16, 4)]


def test_no_layers_sees_one_pixel():
    assert receptive_field([]) == 1
    assert empirical_receptive_field([]) == 1


@pytest.mark.parametrize("seed", range(25))
def test_formula_matches_gradient_measurement(seed):
    rng = np.random.default_rng(seed)
    layers = [Layer(*(int(rng.integers(1, high)) for high in (6, 4, 4)))
              for _ in range(int(rng.integers(1, 5)))]
    assert receptive_field(layers) == empirical_receptive_field(layers)


@pytest.mark.parametrize("layer, words", [
    ((0,), "kernel must be at least 1, got 0"),
    ((3, 0), "stride must be at least 1, got 0"),
    ((3, 1, -1), "dilation must be at least 1, got -1"),
    ((3, 1, 1, 1), "each layer must be a kernel size"),
    ("3", "kernel must be an integer, got '3'"),
    (True, "kernel must be an integer, got True"),
    ((3, 2.0), "stride must be an integer, got 2.0"),
])
def test_bad_layers_are_explained(layer, words):
    with pytest.raises(ValueError, match=f"^{re.escape(words)}"):
        receptive_field([layer])


def test_numpy_integers_are_stored_as_ints():
    layer = Layer(np.int64(3), stride=np.int32(2))
    assert layer == Layer(3, 2) and type(layer.kernel) is int
    assert receptive_field([np.int64(5), (np.int64(2), 2)]) == 6
