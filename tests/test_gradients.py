"""book.gradients against torch.autograd on random layers, and against numerical gradients.

Every backward pass, loop and vectorized, on 200 random convolution layers and 200 random
pooling layers (non-square sizes, strides, padding, dilation; pooling inputs full of ties
half of the time), in float64 to 1e-10.
"""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.conv import conv2d
from book.gradients import (
    avg_pool2d_backward,
    avg_pool2d_backward_loop,
    conv2d_backward,
    conv2d_backward_loop,
    max_pool2d_backward,
    max_pool2d_backward_loop,
    numerical_gradient,
)
from book.pooling import avg_pool2d, max_pool2d
from tests.test_conv import random_layer

ATOL = 1e-10


def torch_conv2d_gradients(dy, x, w, stride, padding, dilation):
    """(dx, dw, db) of F.conv2d with a bias, by autograd."""
    x, w = (torch.tensor(a, requires_grad=True) for a in (x, w))
    b = torch.zeros(len(w), dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    y.backward(torch.tensor(dy))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


def conv_case(seed):
    """A random layer and a random dy of its output's shape."""
    rng = np.random.default_rng(10_000 + seed)
    x, w, _, stride, padding, dilation = random_layer(rng, small=True)
    dy = rng.standard_normal(conv2d(x, w, None, stride, padding, dilation).shape)
    setting = (f"x {x.shape}, w {w.shape}, stride {stride}, padding {padding}, "
               f"dilation {dilation}")
    return dy, x, w, dict(stride=stride, padding=padding, dilation=dilation), setting


@pytest.mark.parametrize("seed", range(200))
def test_conv2d_backward_matches_autograd(seed):
    dy, x, w, settings, setting = conv_case(seed)
    expected = torch_conv2d_gradients(dy, x, w, **settings)
    for backward in (conv2d_backward_loop, conv2d_backward):
        for name, ours, theirs in zip(("dx", "dw", "db"), backward(dy, x, w, **settings),
                                      expected):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL,
                                       err_msg=f"{backward.__name__} {name}, {setting}")


def random_pool(rng):
    """Random (x, window, stride, padding): non-square, often overlapping; ties in half."""
    def setting(low, high):
        values = tuple(int(v) for v in rng.integers(low, high + 1, size=2))
        return values if rng.random() < 0.5 else values[0]

    window = setting(1, 4)
    kh, kw = window if isinstance(window, tuple) else (window, window)
    stride = None if rng.random() < 0.25 else setting(1, 3)
    padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 3)),
             int(rng.integers(max(kh - 2 * padding[0], 1), 10)),
             int(rng.integers(max(kw - 2 * padding[1], 1), 10)))
    if rng.random() < 0.5:
        x = rng.integers(0, 3, size=shape).astype(np.float64)  # many equal maxima
    else:
        x = rng.standard_normal(shape)
    return x, window, stride, padding


POOLS = [(max_pool2d, F.max_pool2d, (max_pool2d_backward_loop, max_pool2d_backward)),
         (avg_pool2d, F.avg_pool2d, (avg_pool2d_backward_loop, avg_pool2d_backward))]


@pytest.mark.parametrize("seed", range(200))
def test_pooling_backward_matches_autograd(seed):
    rng = np.random.default_rng(20_000 + seed)
    x, window, stride, padding = random_pool(rng)
    setting = f"x {x.shape}, window {window}, stride {stride}, padding {padding}"
    for forward, torch_forward, backwards in POOLS:
        dy = rng.standard_normal(forward(x, window, stride, padding).shape)
        x_torch = torch.tensor(x, requires_grad=True)
        torch_forward(x_torch, window, stride, padding).backward(torch.tensor(dy))
        for backward in backwards:
            np.testing.assert_allclose(backward(dy, x, window, stride, padding),
                                       x_torch.grad.numpy(), rtol=0, atol=ATOL,
                                       err_msg=f"{backward.__name__}, {setting}")


@pytest.mark.parametrize("backward", [max_pool2d_backward_loop, max_pool2d_backward])
def test_max_pooling_ties_go_to_the_first_maximum(backward):
    # Equal entries everywhere: each 2x2 window's gradient lands on its top-left cell.
    dy = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    dx = backward(dy, np.ones((1, 1, 4, 6)), 2)
    expected = np.zeros((1, 1, 4, 6))
    expected[..., ::2, ::2] = dy
    np.testing.assert_array_equal(dx, expected)
    # In row-major order the top row comes first: (0, 1) beats the equal (1, 0).
    dx = backward(np.ones((1, 1, 1, 1)), [[[[0, 5], [5, 1]]]], 2)
    np.testing.assert_array_equal(dx[0, 0], [[0, 1], [0, 0]])


@pytest.mark.parametrize("backward", [max_pool2d_backward_loop, max_pool2d_backward])
def test_overlapping_max_windows_add_up_at_a_shared_maximum(backward):
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9  # the maximum of all four 2x2 windows at stride 1
    dx = backward(np.full((1, 1, 2, 2), 1.5), x, 2, 1)
    assert dx[0, 0, 1, 1] == 6 and np.count_nonzero(dx) == 1


def test_the_docstring_identities_of_the_convolution_gradients():
    """dw: input cross-correlated with dy dilated by the stride; dx: full convolution."""
    rng = np.random.default_rng(7)
    for stride, dilation, padding in [(1, 1, 0), (2, 1, 1), ((2, 3), (1, 2), (0, 1))]:
        x, w = rng.standard_normal((2, 3, 9, 10)), rng.standard_normal((4, 3, 3, 2))
        dy = rng.standard_normal(conv2d(x, w, None, stride, padding, dilation).shape)
        dx, dw, _ = conv2d_backward(dy, x, w, stride, padding, dilation)
        # Images and channels swap roles, and so do stride and dilation: dy, used as a
        # kernel, steps through x by the stride; the output steps by the dilation.
        correlation = conv2d(x.transpose(1, 0, 2, 3), dy.transpose(1, 0, 2, 3),
                             stride=dilation, padding=padding, dilation=stride)
        np.testing.assert_allclose(correlation[:, :, :3, :2].transpose(1, 0, 2, 3), dw,
                                   rtol=0, atol=ATOL, err_msg=f"stride {stride}")
    dy = rng.standard_normal((2, 4, 7, 9))  # stride 1, no padding: (9 - 3 + 1, 10 - 2 + 1)
    dx = conv2d_backward(dy, x, w)[0]
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    full_convolution = conv2d(dy, flipped, padding=(2, 1))
    np.testing.assert_allclose(full_convolution, dx, rtol=0, atol=ATOL)


def test_numerical_gradient_of_a_known_function():
    x = np.random.default_rng(0).standard_normal((3, 4))
    gradient = numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(gradient, 3 * x ** 2, rtol=0, atol=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_conv2d_backward_matches_numerical_gradients(seed):
    rng = np.random.default_rng(30_000 + seed)
    x, w = rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((3, 2, 2, 3))
    b = rng.standard_normal(3)
    settings = dict(stride=(1, 2), padding=(1, 0), dilation=(2, 1))
    dy = rng.standard_normal(conv2d(x, w, b, **settings).shape)
    dx, dw, db = conv2d_backward(dy, x, w, **settings)
    for name, ours, numerical in [
            ("dx", dx, numerical_gradient(lambda v: np.sum(conv2d(v, w, b, **settings) * dy), x)),
            ("dw", dw, numerical_gradient(lambda v: np.sum(conv2d(x, v, b, **settings) * dy), w)),
            ("db", db, numerical_gradient(lambda v: np.sum(conv2d(x, w, v, **settings) * dy), b))]:
        np.testing.assert_allclose(ours, numerical, rtol=0, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("forward, backwards", [(pool[0], pool[2]) for pool in POOLS])
def test_pooling_backward_matches_numerical_gradients(forward, backwards):
    rng = np.random.default_rng(40_000)
    x = rng.standard_normal((2, 2, 5, 4))  # no ties, so max pooling has no kinks here
    dy = rng.standard_normal(forward(x, (3, 2), 1, 1).shape)
    numerical = numerical_gradient(lambda v: np.sum(forward(v, (3, 2), 1, 1) * dy), x)
    for backward in backwards:
        np.testing.assert_allclose(backward(dy, x, (3, 2), 1, 1), numerical, rtol=0,
                                   atol=1e-7, err_msg=backward.__name__)


X, W = np.zeros((2, 3, 6, 6)), np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d_backward(np.zeros((2, 4, 4, 5)), X, W),
     "dy must have the shape of the layer's output (2, 4, 4, 4) (N, F, H_out, W_out), "
     "got (2, 4, 4, 5)"),
    (lambda: conv2d_backward_loop(np.zeros((2, 4, 4)), X, W),
     "dy must have 4 axes (N, F, H_out, W_out)"),
    (lambda: conv2d_backward(np.zeros((2, 4, 4, 4)), X, W[:, :2]),
     "w has 2 input channels"),
    (lambda: max_pool2d_backward(np.zeros((2, 3, 2, 2)), X, 2),
     "dy must have the shape of the layer's output (2, 3, 3, 3)"),
    (lambda: avg_pool2d_backward_loop(np.zeros((2, 3, 3, 3)), X, 2, padding=2),
     "padding 2 is more than half the window"),
    (lambda: max_pool2d_backward_loop(np.full((2, 3, 3, 3), "a"), X, 2),
     "dy must be an array of numbers"),
    (lambda: numerical_gradient(np.sum, X, h=0), "h must be a positive step, got 0.0"),
    (lambda: numerical_gradient("sum", X), "f must be a function of x, got str"),
    (lambda: numerical_gradient(lambda v: v, X), "f(x) must be a real number"),
])
def test_bad_arguments_get_one_line_messages(call, message):
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        call()
    assert "\n" not in str(raised.value)
