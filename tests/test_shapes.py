"""The output-size formula (book.shapes) against the shapes PyTorch's layers produce."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.shapes import output_size, same_padding

SETTINGS = [
    (n, f, p, s, d)
    for n, f, p, s, d in itertools.product((1, 2, 5, 7, 12), (1, 2, 3, 5), (0, 1, 2),
                                           (1, 2, 3), (1, 2, 3))
    if d * (f - 1) + 1 <= n + 2 * p
]


def test_the_settings_cover_many_cases():
    assert len(SETTINGS) > 300


@pytest.mark.parametrize("n, f, p, s, d", SETTINGS)
def test_output_size_matches_torch_conv2d(n, f, p, s, d):
    x = torch.zeros(1, 1, n, n + 1)  # a non-square input checks both sides
    w = torch.zeros(1, 1, f, f)
    out = F.conv2d(x, w, stride=s, padding=p, dilation=d)
    assert out.shape[2:] == (output_size(n, f, p, s, d), output_size(n + 1, f, p, s, d))


@pytest.mark.parametrize("n, f, p, s, d", [(1, 2, 0, 1, 1), (4, 3, 0, 1, 2),
                                           (5, 7, 0, 1, 1), (3, 3, 0, 2, 2),
                                           (2, 5, 1, 1, 1)])
def test_output_size_rejects_what_torch_rejects(n, f, p, s, d):
    with pytest.raises(RuntimeError):
        F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=s, padding=p,
                 dilation=d)
    with pytest.raises(ValueError, match="no position fits"):
        output_size(n, f, p, s, d)


def test_syllabus_numbers():
    assert output_size(32, 5) == 28
    assert output_size(28, 5) == 24
    assert output_size(5, 3, s=1) == 3
    assert output_size(5, 3, s=2) == 2
    assert output_size(5, 3, p=1) == 5
    # 7 - 3 = 4 is not a multiple of 3: the floor drops
    assert output_size(7, 3, s=3) == 2


@pytest.mark.parametrize("args, message", [
    ((0, 3), "n must be at least 1"),
    ((5, 0), "f must be at least 1"),
    ((5, 3, -1), "p must be at least 0"),
    ((5, 3, 0, 0), "s must be at least 1"),
    ((5, 3, 0, 1, 0), "d must be at least 1"),
    ((5.0, 3), "n must be an integer"),
    ((5, True), "f must be an integer"),
])
def test_output_size_names_the_bad_argument(args, message):
    with pytest.raises(ValueError, match=message):
        output_size(*args)


@pytest.mark.parametrize("f", [1, 3, 5, 7, 9, 11])
@pytest.mark.parametrize("n", [5, 11, 28])
def test_same_padding_keeps_the_size_in_torch(f, n):
    p = same_padding(f)
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), padding=p)
    assert out.shape[2:] == (n, n)
    assert output_size(n, f, p=p) == n


@pytest.mark.parametrize("f", [2, 4, np.int64(6)])
def test_same_padding_rejects_even_kernels(f):
    with pytest.raises(ValueError, match="odd kernel size f, got"):
        same_padding(f)


@pytest.mark.parametrize("f, message", [(0, "f must be at least 1, got 0"),
                                        (-1, "f must be at least 1, got -1"),
                                        (3.0, "f must be an integer, got 3.0"),
                                        (True, "f must be an integer, got True")])
def test_same_padding_names_a_kernel_size_that_is_no_size(f, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        same_padding(f)


def test_numpy_integers_are_sizes():
    assert output_size(np.int64(5), np.int32(3), p=np.uint8(1)) == 5
    assert type(output_size(np.int64(5), 3)) is int
    assert same_padding(np.int64(5)) == 2
