"""book.conv against PyTorch, the syllabus's worked numbers, and clear errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.conv import (
    conv2d,
    conv2d_as_matrix,
    conv2d_loop,
    conv2d_multiply_adds,
    convolve2d,
    corr1d,
    corr1d_as_matrix,
    corr2d,
)


def torch_conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    # Copies: torch refuses numpy views with negative strides (flipped kernels).
    out = F.conv2d(torch.tensor(x.copy()), torch.tensor(w.copy()),
                   None if b is None else torch.tensor(b),
                   stride=stride, padding=padding, dilation=dilation)
    return out.numpy()


def random_layer(rng, small=False):
    """Random (x, w, b, stride, padding, dilation) for which at least one output exists.

    Non-square inputs and kernels, and stride/padding/dilation given either as one int
    or as a different (height, width) pair.
    """
    def hyper(low, high):
        if rng.random() < 0.5:
            return int(rng.integers(low, high + 1))
        return tuple(int(v) for v in rng.integers(low, high + 1, size=2))

    def pair(value):
        return value if isinstance(value, tuple) else (value, value)

    while True:
        n = rng.integers(1, 3 if small else 4)
        c, f = rng.integers(1, 4), rng.integers(1, 4)
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        stride, padding, dilation = hyper(1, 3), hyper(0, 2), hyper(1, 3)
        h, w = (int(v) for v in rng.integers(1, 9 if small else 14, size=2))
        spans = [d * (k - 1) + 1 for d, k in zip(pair(dilation), (kh, kw))]
        if all(s <= n + 2 * p for s, n, p in zip(spans, (h, w), pair(padding))):
            break
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((f, c, kh, kw))
    bias = rng.standard_normal(f) if rng.random() < 0.7 else None
    return x, weights, bias, stride, padding, dilation


@pytest.mark.parametrize("seed", range(300))
def test_conv2d_matches_torch(seed):
    x, w, b, stride, padding, dilation = random_layer(np.random.default_rng(seed))
    expected = torch_conv2d(x, w, b, stride, padding, dilation)
    actual = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("seed", range(80))
def test_conv2d_loop_matches_torch(seed):
    rng = np.random.default_rng(1000 + seed)
    x, w, b, stride, padding, dilation = random_layer(rng, small=True)
    expected = torch_conv2d(x, w, b, stride, padding, dilation)
    actual = conv2d_loop(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_as_matrix_matches_torch(seed):
    rng = np.random.default_rng(2000 + seed)
    x, w, _, stride, padding, dilation = random_layer(rng, small=True)
    matrix = conv2d_as_matrix(w, x.shape[1:], stride=stride, padding=padding,
                              dilation=dilation)
    expected = torch_conv2d(x[:1], w, None, stride, padding, dilation)
    np.testing.assert_allclose(matrix @ x[0].ravel(), expected.ravel(), atol=1e-6,
                               rtol=1e-6)


@pytest.mark.parametrize("seed", range(50))
def test_corr1d_and_its_matrix_match_torch_conv1d(seed):
    rng = np.random.default_rng(3000 + seed)
    n = int(rng.integers(1, 20))
    k = int(rng.integers(1, n + 1))
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    expected = F.conv1d(torch.from_numpy(x)[None, None],
                        torch.from_numpy(w)[None, None]).numpy().ravel()
    np.testing.assert_allclose(corr1d(x, w), expected, atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(corr1d_as_matrix(w, n) @ x, expected, atol=1e-6,
                               rtol=1e-6)


@pytest.mark.parametrize("seed", range(50))
def test_corr2d_and_convolve2d_match_torch(seed):
    rng = np.random.default_rng(4000 + seed)
    h, w = (int(v) for v in rng.integers(1, 12, size=2))
    kh, kw = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
    x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    expected = torch_conv2d(x[None, None], k[None, None])[0, 0]
    np.testing.assert_allclose(corr2d(x, k), expected, atol=1e-6, rtol=1e-6)
    flipped = torch_conv2d(x[None, None], k[::-1, ::-1][None, None])
    np.testing.assert_allclose(convolve2d(x, k), flipped[0, 0], atol=1e-6, rtol=1e-6)


def test_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 32, 32)).astype(np.float32)
    w = rng.standard_normal((6, 3, 5, 5)).astype(np.float32)
    y = conv2d(x, w)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, torch_conv2d(x, w), atol=1e-4, rtol=1e-4)


def test_syllabus_1d_examples():
    assert corr1d([0, 1, 0, 1, 1], [-1, 1]).tolist() == [1, -1, 1, 0]
    assert corr1d([0, 1, -1, 1, 1], [-1, 1]).tolist() == [1, -2, 2, 0]


FIVE_BY_FIVE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1],
                         [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
X_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


def test_syllabus_2d_example():
    expected = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert corr2d(FIVE_BY_FIVE, X_KERNEL).tolist() == expected
    layer = conv2d(FIVE_BY_FIVE[None, None], X_KERNEL[None, None])
    assert layer[0, 0].tolist() == expected
    # The kernel is symmetric under flipping, so true convolution gives the same.
    assert convolve2d(FIVE_BY_FIVE, X_KERNEL).tolist() == expected


def test_convolution_differs_from_correlation_for_an_asymmetric_kernel():
    kernel = np.array([[1, 2, 0], [0, 0, 0], [0, 0, -1]])
    assert not np.array_equal(convolve2d(FIVE_BY_FIVE, kernel),
                              corr2d(FIVE_BY_FIVE, kernel))


def test_curve_detector_numbers():
    detector = np.zeros((7, 7), dtype=int)
    for row, col in [(0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 3)]:
        detector[row, col] = 30
    curve = np.array([[0, 0, 0, 0, 0, 0, 30], [0, 0, 0, 0, 50, 50, 50],
                      [0, 0, 0, 20, 50, 0, 0], [0, 0, 0, 50, 50, 0, 0],
                      [0, 0, 0, 50, 50, 0, 0], [0, 0, 0, 50, 50, 0, 0],
                      [0, 0, 0, 50, 50, 0, 0]])
    other = np.array([[0, 0, 0, 0, 0, 0, 0], [0, 40, 0, 0, 0, 0, 0],
                      [40, 0, 40, 0, 0, 0, 0], [40, 20, 0, 0, 0, 0, 0],
                      [0, 50, 0, 0, 0, 0, 0], [0, 0, 50, 0, 0, 0, 0],
                      [25, 25, 0, 50, 0, 0, 0]])
    assert corr2d(curve, detector).item() == 6600
    # The first weight sits on a 0: five non-zero products, 30 * 220.
    assert curve[detector > 0].tolist() == [0, 50, 20, 50, 50, 50]
    assert corr2d(other, detector).item() == 0


def test_syllabus_shapes():
    rng = np.random.default_rng(0)
    assert conv2d(rng.random((1, 3, 5, 5)),
                  rng.random((1, 3, 2, 2))).shape == (1, 1, 4, 4)
    first = conv2d(rng.random((1, 3, 32, 32)), rng.random((6, 3, 5, 5)), rng.random(6))
    assert first.shape == (1, 6, 28, 28)
    assert conv2d(first, rng.random((10, 6, 5, 5))).shape == (1, 10, 24, 24)


def test_uint8_images_do_not_overflow():
    image = np.full((4, 4), 255, dtype=np.uint8)
    assert corr2d(image, np.ones((3, 3), dtype=np.uint8)).tolist() == [[2295] * 2] * 2
    layer = conv2d(image[None, None], np.ones((1, 1, 3, 3), dtype=np.uint8))
    assert layer[0, 0, 0, 0] == 2295


def test_equivariance_to_translation():
    rng = np.random.default_rng(1)
    x, k = rng.standard_normal((12, 12)), rng.standard_normal((3, 3))
    shifted = np.roll(x, (2, 3), axis=(0, 1))
    # Away from the wrapped-around border, shifting then convolving equals convolving
    # then shifting.
    np.testing.assert_allclose(corr2d(shifted, k)[2:, 3:], corr2d(x, k)[:-2, :-3])


GOOD_X, GOOD_W = np.zeros((1, 2, 5, 6)), np.zeros((3, 2, 3, 3))


@pytest.mark.parametrize("kwargs, words", [
    (dict(w=np.zeros((3, 2, 7, 3))), ["larger than the input", "height", "spans 7"]),
    (dict(w=np.zeros((3, 2, 3, 3)), dilation=(1, 4)),
     ["width", "spans 9", "dilation 4"]),
    (dict(w=np.zeros((3, 2, 9, 9)), padding=1), ["height", "has only 7", "padding 1"]),
    (dict(stride=0), ["stride", "at least 1"]),
    (dict(stride=(1, -2)), ["stride", "at least 1"]),
    (dict(dilation=0), ["dilation", "at least 1"]),
    (dict(padding=-1), ["padding", "at least 0"]),
    (dict(padding=1.5), ["padding", "int"]),
    (dict(stride=(1, 2, 3)), ["stride", "(height, width) pair"]),
    (dict(stride=True), ["stride", "int"]),
    (dict(w=np.zeros((3, 4, 3, 3))), ["w has 4 input channels", "x has 2"]),
    (dict(x=np.zeros((2, 5, 6))), ["x must have 4 axes", "(N, C, H, W)", "(2, 5, 6)"]),
    (dict(w=np.zeros((2, 3, 3))), ["w must have 4 axes", "(F, C, kh, kw)"]),
    (dict(b=np.zeros(2)), ["b must have one bias per filter", "3 filters"]),
    (dict(b=np.zeros((3, 1))), ["b must have 1 axes", "(F,)"]),
    (dict(x=np.array([["a"]])), ["x must be an array of numbers"]),
])
@pytest.mark.parametrize("layer", [conv2d, conv2d_loop])
def test_bad_arguments_are_explained(layer, kwargs, words):
    arguments = {"x": GOOD_X, "w": GOOD_W, "b": None, **kwargs}
    with pytest.raises(ValueError) as error:
        layer(**arguments)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("call, words", [
    (lambda: corr1d([1, 2], [1, 2, 3]), ["larger than the input", "length"]),
    (lambda: corr1d([[1, 2]], [1]), ["x must have 1 axes"]),
    (lambda: corr2d(np.zeros((3, 3)), np.zeros((2, 4))), ["width", "spans 4"]),
    (lambda: corr2d(np.zeros(3), np.zeros((1, 1))), ["x must have 2 axes", "(H, W)"]),
    (lambda: convolve2d(np.zeros((3, 3)), np.zeros(2)), ["k must have 2 axes"]),
    (lambda: corr1d_as_matrix([1, 2], 0), ["n must be at least 1, got 0"]),
    (lambda: conv2d_as_matrix(GOOD_W, (3, 5, 5)),
     ["w has 2 input channels", "input_shape has 3"]),
    (lambda: conv2d_as_matrix(GOOD_W, (2, 5)), ["input_shape must be 3 sizes (C, H, W)"]),
    (lambda: conv2d_as_matrix(GOOD_W, (2, 5, 5.0)), ["input_shape[2] must be an integer"]),
    (lambda: conv2d_multiply_adds((1, 2, 5), (3, 2, 3, 3)),
     ["x_shape must be 4 sizes (N, C, H, W)"]),
    (lambda: conv2d_multiply_adds((1, 2, 5, True), (3, 2, 3, 3)),
     ["x_shape[3] must be an integer, got True"]),
    (lambda: conv2d_multiply_adds((1, 2, 5, 5), (3, 4, 3, 3)),
     ["w has 4 input channels", "x has 2"]),
    (lambda: conv2d_as_matrix(GOOD_W, (2, 2, 5)), ["larger than the input", "height"]),
])
def test_bad_arguments_of_the_other_functions(call, words):
    with pytest.raises(ValueError) as error:
        call()
    for word in words:
        assert word in str(error.value)


def test_nan_propagates_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 0] = np.nan
    expected = torch_conv2d(x, np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(np.isnan(conv2d(x, np.ones((1, 1, 2, 2)))),
                                  np.isnan(expected))


@pytest.mark.parametrize("x_shape, w_shape, settings", [
    ((1, 1, 32, 32), (6, 1, 5, 5), {}),
    ((1, 6, 14, 14), (16, 6, 5, 5), {}),
    ((2, 3, 17, 11), (4, 3, 3, 2),
     {"stride": (2, 1), "padding": 1, "dilation": (1, 2)}),
])
def test_multiply_adds_match_torch_flop_counter(x_shape, w_shape, settings):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        F.conv2d(torch.zeros(x_shape), torch.zeros(w_shape), **settings)
    multiply_adds = conv2d_multiply_adds(x_shape, w_shape, **settings)
    assert 2 * multiply_adds == counter.get_total_flops()


def test_lenet_layer_costs():
    assert conv2d_multiply_adds((1, 1, 32, 32), (6, 1, 5, 5)) == 28 * 28 * 25 * 6
    assert conv2d_multiply_adds((1, 6, 14, 14), (16, 6, 5, 5)) == 10 * 10 * 25 * 6 * 16
