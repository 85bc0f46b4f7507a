"""book.validation: the one place that decides which sizes and arrays are acceptable."""

import numpy as np
import pytest

from book.conv import conv2d
from book.padding import pad2d
from book.parameters import conv2d_parameters
from book.pooling import max_pool2d
from book.receptive_field import receptive_field
from book.shapes import output_size
from book.validation import integer, is_integer, pair, real_array, real_number, shown


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), np.int32(3)])
def test_python_and_numpy_integers_are_integers(value):
    assert integer(value, "n", minimum=1) == 3
    assert type(integer(value, "n")) is int


@pytest.mark.parametrize("value", [True, np.bool_(True), 3.0, np.float64(3), "3", None,
                                   [3], 3 + 0j])
def test_everything_else_is_refused_by_name(value):
    assert not is_integer(value)
    with pytest.raises(ValueError, match=r"^stride must be an integer, got "):
        integer(value, "stride")


def test_below_the_minimum_is_refused_with_the_minimum():
    with pytest.raises(ValueError, match=r"^padding must be at least 0, got -1$"):
        integer(-1, "padding", minimum=0)
    assert integer(-1, "shift") == -1


@pytest.mark.parametrize("value, expected", [(2, (2, 2)), ((1, 3), (1, 3)),
                                             ([np.int64(2), 4], (2, 4))])
def test_pairs(value, expected):
    assert pair(value, "window", minimum=1) == expected


@pytest.mark.parametrize("value", [(1, 2, 3), (1,), (1.0, 2), (True, 2), "ab"])
def test_malformed_pairs_are_refused(value):
    with pytest.raises(ValueError, match=r"^window must be an integer or a \(height, width\)"):
        pair(value, "window", minimum=1)


def test_pair_below_the_minimum():
    with pytest.raises(ValueError, match=r"^stride must be at least 1, got \(1, 0\)$"):
        pair((1, 0), "stride", minimum=1)


def test_messages_stay_one_short_line():
    huge = 10 ** 400
    message = str(pytest.raises(ValueError, integer, "x" * 10_000 + "\n", "n").value)
    assert "\n" not in message and len(message) < 120
    assert len(shown(huge)) < 80


def test_real_arrays():
    assert real_array([[1, 2]], "x", ndim=2).shape == (1, 2)
    assert real_array(np.array([True]), "x").dtype == bool


@pytest.mark.parametrize("value, match", [
    (np.array(["1", "2"]), "be an array of numbers, got dtype <U1"),
    (np.array([1, None], dtype=object), "be an array of numbers, got dtype object"),
    (np.array([1 + 2j]), "hold real numbers, got dtype complex128"),
    (np.ma.masked_array([1.0], mask=[True]), "be a plain array, not a masked array"),
    ([[1, 2], [3]], "be an array of numbers"),
    (np.zeros((0, 3)), r"not be empty, got shape \(0, 3\)"),
    (np.zeros(3), r"have 2 axes \(H, W\), got shape \(3,\)"),
])
def test_wrong_arrays_are_refused_by_name(value, match):
    with pytest.raises(ValueError, match="^x must " + match):
        real_array(value, "x", ndim=2, layout="(H, W)")


# Each operation of the book with one size argument left open: (call, the argument's
# name, its smallest value). The same wrong value must get the same kind of message.
X, W = np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3))
OPERATIONS = {
    "output_size": (lambda v: output_size(6, 3, s=v), "s", 1),
    "conv2d": (lambda v: conv2d(X, W, stride=v), "stride", 1),
    "max_pool2d": (lambda v: max_pool2d(X, v), "window", 1),
    "pad2d": (lambda v: pad2d(X, v), "p", 0),
    "conv2d_parameters": (lambda v: conv2d_parameters(3, v, 5), "out_channels", 1),
    "receptive_field": (lambda v: receptive_field([(3, v)]), "stride", 1),
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("value", [True, np.bool_(False), 2.0, "2", None])
def test_every_operation_refuses_a_non_integer_alike(operation, value):
    call, name, _ = OPERATIONS[operation]
    with pytest.raises(ValueError, match=rf"^{name} must be an integer"):
        call(value)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_refuses_a_negative_size_alike(operation):
    call, name, minimum = OPERATIONS[operation]
    with pytest.raises(ValueError, match=rf"^{name} must be at least {minimum}, got -1$"):
        call(-1)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("numpy_integer", [np.int64, np.int32, np.uint8])
def test_every_operation_takes_a_numpy_integer_as_that_integer(operation, numpy_integer):
    call, _, _ = OPERATIONS[operation]
    np.testing.assert_array_equal(call(numpy_integer(2)), call(2))


@pytest.mark.parametrize("value", [2, 2.5, np.float32(2.5), np.int64(2)])
def test_real_numbers(value):
    assert real_number(value, "width") == float(value)


@pytest.mark.parametrize("value, message", [
    (True, "must be a real number, got True"), ("2", "must be a real number, got '2'"),
    (2 + 0j, "must be a real number, got"), (np.array([2.0]), "must be a real number, got"),
    (float("nan"), "must be a finite number, got nan"),
    (np.inf, "must be a finite number, got inf")])
def test_everything_else_is_not_a_real_number(value, message):
    with pytest.raises(ValueError, match="^width " + message):
        real_number(value, "width")
