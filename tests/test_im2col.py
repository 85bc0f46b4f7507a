"""book.im2col against torch's unfold and fold, and the adjoint identity that ties them."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.im2col import col2im, im2col
from tests.test_conv import random_layer


def window_settings(seed):
    """(input shape, kernel size, stride, padding, dilation) of a random layer."""
    x, w, _, stride, padding, dilation = random_layer(np.random.default_rng(seed))
    return x.shape, w.shape[2:], stride, padding, dilation


SETTINGS = [window_settings(seed) for seed in range(150)]


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", SETTINGS)
def test_im2col_is_torch_unfold(shape, kernel, stride, padding, dilation):
    x = np.random.default_rng(1).standard_normal(shape)
    expected = F.unfold(torch.tensor(x), kernel, dilation=dilation, padding=padding,
                        stride=stride).numpy()
    np.testing.assert_array_equal(im2col(x, kernel, stride, padding, dilation), expected)


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", SETTINGS)
def test_col2im_is_torch_fold(shape, kernel, stride, padding, dilation):
    columns_shape = im2col(np.zeros(shape), kernel, stride, padding, dilation).shape
    columns = np.random.default_rng(2).standard_normal(columns_shape)
    expected = F.fold(torch.tensor(columns), shape[2:], kernel, dilation=dilation,
                      padding=padding, stride=stride).numpy()
    result = col2im(columns, shape, kernel, stride, padding, dilation)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", SETTINGS[:50])
def test_col2im_is_the_adjoint_of_im2col(shape, kernel, stride, padding, dilation):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    columns_shape = im2col(x, kernel, stride, padding, dilation).shape
    columns = rng.standard_normal(columns_shape)
    lhs = np.sum(im2col(x, kernel, stride, padding, dilation) * columns)
    rhs = np.sum(x * col2im(columns, shape, kernel, stride, padding, dilation))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_col2im_counts_how_many_windows_read_each_pixel():
    # A 3x3 kernel at stride 1 over 4x4: corners are read once, the centre four times 4.
    counts = col2im(np.ones((1, 9, 4)), (1, 1, 4, 4), 3)[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2],
                                           [2, 4, 4, 2], [1, 2, 2, 1]])


def test_integer_input_keeps_its_dtype_and_col2im_computes_in_float():
    x = np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4)
    assert im2col(x, 2).dtype == np.uint8
    assert col2im(im2col(x, 2), x.shape, 2).dtype == np.float64


@pytest.mark.parametrize("call, message", [
    (lambda: im2col(np.zeros((2, 3, 4)), 2), "x must have 4 axes (N, C, H, W)"),
    (lambda: im2col(np.zeros((1, 1, 4, 4)), 5), "the kernel is larger than the input"),
    (lambda: im2col(np.zeros((1, 1, 4, 4)), 2, stride=0), "stride must be at least 1"),
    (lambda: im2col(np.zeros((1, 1, 4, 4)), (2, 2, 2)), "kernel_size must be an integer"),
    (lambda: col2im(np.zeros((1, 4, 9)), (1, 1, 4), 2), "input_shape must be 4 sizes"),
    (lambda: col2im(np.zeros((1, 4, 8)), (1, 1, 4, 4), 2), "columns must have shape"),
    (lambda: col2im(np.zeros((1, 4, 9)), (1, 1, 4, 4), 2, dilation=-1),
     "dilation must be at least 1"),
])
def test_bad_arguments_get_one_line_messages(call, message):
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        call()
    assert "\n" not in str(raised.value)
