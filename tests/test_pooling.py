"""Max and average pooling (book.pooling) against PyTorch and the syllabus examples."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.pooling import avg_pool2d, avg_pool2d_loop, max_pool2d, max_pool2d_loop

MAX_POOLS = [max_pool2d, max_pool2d_loop]
AVG_POOLS = [avg_pool2d, avg_pool2d_loop]

FIRST = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
SECOND = [[4, 9, 2, 5], [5, 6, 2, 4], [2, 4, 5, 4], [5, 6, 8, 4]]
THIRD = [[1, 2, 5, 10, 7], [0, 5, 1, 4, 0], [0, 4, 9, 3, 15], [0, 0, 2, 4, 5],
         [0, 7, 2, 0, 0]]


def as_batch(matrix):
    return np.array(matrix)[None, None]


@pytest.mark.parametrize("pool", MAX_POOLS)
def test_syllabus_max_pooling_examples(pool):
    np.testing.assert_array_equal(pool(as_batch(FIRST), 2)[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(pool(as_batch(SECOND), 2)[0, 0], [[9, 5], [6, 8]])
    np.testing.assert_array_equal(pool(as_batch(THIRD), 3, stride=1)[0, 0, 0],
                                  [9, 10, 15])


@pytest.mark.parametrize("pool", AVG_POOLS)
def test_syllabus_average_pooling_examples(pool):
    np.testing.assert_allclose(pool(as_batch(FIRST), 2)[0, 0], [[3.25, 5.25], [2, 2]])
    np.testing.assert_allclose(pool(as_batch(SECOND), 2)[0, 0],
                               [[6.0, 3.25], [4.25, 5.25]])
    first_row = pool(as_batch(THIRD), 3, stride=1)[0, 0, 0]
    np.testing.assert_allclose(first_row, [3, 43 / 9, 6])
    assert round(first_row[1], 2) == 4.78


def random_settings(rng):
    """A random pooling problem: input shape, window, stride (or None) and padding."""
    kh, kw = rng.integers(1, 5, size=2)
    if rng.random() < 0.5:
        kw = kh
    stride = (None if rng.random() < 0.3
              else (int(rng.integers(1, 4)), int(rng.integers(1, 4))))
    padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
    height = int(rng.integers(max(1, kh - 2 * padding[0]), 12))
    width = int(rng.integers(max(1, kw - 2 * padding[1]), 12))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), height, width)
    return shape, (int(kh), int(kw)), stride, padding


def torch_pool(function, x, window, stride, padding):
    return function(torch.from_numpy(x), window, stride=stride, padding=padding).numpy()


@pytest.mark.parametrize("seed", range(60))
def test_pooling_agrees_with_torch_on_random_settings(seed):
    rng = np.random.default_rng(seed)
    shape, window, stride, padding = random_settings(rng)
    x = rng.normal(size=shape)
    expected_max = torch_pool(F.max_pool2d, x, window, stride, padding)
    expected_avg = torch_pool(F.avg_pool2d, x, window, stride, padding)
    for pool in MAX_POOLS:
        result = pool(x, window, stride=stride, padding=padding)
        assert result.shape == expected_max.shape
        np.testing.assert_allclose(result, expected_max, rtol=1e-12)
    for pool in AVG_POOLS:
        result = pool(x, window, stride=stride, padding=padding)
        assert result.shape == expected_avg.shape
        np.testing.assert_allclose(result, expected_avg, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("pools, function", [(MAX_POOLS, F.max_pool2d),
                                             (AVG_POOLS, F.avg_pool2d)])
@pytest.mark.parametrize("shape, window, stride, padding", [
    ((2, 3, 13, 13), 3, 2, 0),        # AlexNet: overlapping 3x3 windows, stride 2
    ((1, 2, 55, 55), 3, 2, 0),        # AlexNet's first pooling layer, 55 -> 27
    ((1, 1, 7, 10), 2, None, 0),      # non-square input, odd height: last row dropped
    ((1, 1, 9, 6), (3, 2), (2, 1), 1),  # non-square window, stride and padding
    ((3, 1, 5, 5), 3, 1, 1),          # padding that keeps the size
    ((1, 1, 1, 1), 1, None, 0),       # the smallest possible input
])
def test_pooling_agrees_with_torch_on_chosen_settings(pools, function, shape, window,
                                                      stride, padding):
    x = np.random.default_rng(0).normal(size=shape)
    expected = torch_pool(function, x, window, stride, padding)
    for pool in pools:
        np.testing.assert_allclose(pool(x, window, stride=stride, padding=padding),
                                   expected, rtol=1e-10, atol=1e-12)


def test_alexnet_pooling_shrinks_55_to_27():
    x = np.zeros((1, 96, 55, 55))
    assert max_pool2d(x, 3, stride=2).shape == (1, 96, 27, 27)


@pytest.mark.parametrize("pool", MAX_POOLS)
def test_max_pooling_with_padding_never_picks_the_padding(pool):
    x = -np.ones((1, 1, 4, 4))  # every entry below zero: zero padding would win
    assert (pool(x, 2, stride=2, padding=1) == -1).all()


@pytest.mark.parametrize("pool", MAX_POOLS)
def test_max_pooling_keeps_integer_dtype_even_with_padding(pool):
    x = np.arange(-8, 8, dtype=np.int64).reshape(1, 1, 4, 4)
    result = pool(x, 3, stride=1, padding=1)
    assert result.dtype == np.int64
    expected = F.max_pool2d(torch.from_numpy(x).double(), 3, stride=1,
                            padding=1).numpy()
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("pool", AVG_POOLS)
def test_average_pooling_counts_padded_zeros(pool):
    x = np.ones((1, 1, 2, 2))
    # The corner window of a 3x3 pool with padding 1 holds 4 ones and 5 padded zeros.
    assert pool(x, 3, stride=1, padding=1)[0, 0, 0, 0] == pytest.approx(4 / 9)


@pytest.mark.parametrize("pool", MAX_POOLS + AVG_POOLS)
def test_pooling_acts_on_each_channel_separately(pool):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 8, 8))
    together = pool(x, 2)
    assert together.shape == (2, 5, 4, 4)  # channel count unchanged
    for c in range(5):
        np.testing.assert_allclose(together[:, c:c + 1], pool(x[:, c:c + 1], 2))


@pytest.mark.parametrize("pool", MAX_POOLS + AVG_POOLS)
@pytest.mark.parametrize("kwargs, message", [
    ({"x": np.zeros((4, 4)), "window": 2}, "x must have 4 axes \\(N, C, H, W\\)"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": 0}, "window must be at least 1"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": 2.5}, "window must be an integer"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": (2, 2, 2)}, "pair"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": 2, "stride": 0},
     "stride must be at least 1"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": 2, "padding": -1},
     "padding must be at least 0"),
    ({"x": np.zeros((1, 1, 4, 4)), "window": 2, "padding": 2},
     "more than half the window"),
    ({"x": np.zeros((1, 1, 2, 6)), "window": 3}, "larger than the padded input height"),
    ({"x": np.zeros((1, 1, 6, 2)), "window": (2, 3)},
     "larger than the padded input width"),
    ({"x": np.array(["a"] * 4).reshape(1, 1, 2, 2), "window": 2},
     "x must be an array of numbers"),
])
def test_impossible_settings_raise_clear_errors(pool, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pool(**kwargs)


def test_impossible_settings_are_impossible_for_torch_too():
    """Each setting rejected above is rejected by PyTorch too (no stricter checks)."""
    for shape, window, stride, padding in [((1, 1, 4, 4), 2, 2, 2),
                                           ((1, 1, 2, 6), 3, 3, 0)]:
        with pytest.raises(RuntimeError):
            F.max_pool2d(torch.zeros(shape), window, stride=stride, padding=padding)
        with pytest.raises(ValueError):
            max_pool2d(np.zeros(shape), window, stride=stride, padding=padding)
