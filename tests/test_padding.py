"""Zero padding and kernel positions (book.padding) against numpy and PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.padding import kernel_positions, pad2d, pixel_usage, reads_along_axis
from book.shapes import output_size


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (2, 3, 4), (2, 3, 4, 6), (1, 1)])
@pytest.mark.parametrize("p", [0, 1, 2, 3])
def test_pad2d_matches_numpy_and_torch(shape, p):
    x = np.random.default_rng(p).normal(size=shape)
    result = pad2d(x, p)
    widths = [(0, 0)] * (len(shape) - 2) + [(p, p), (p, p)]
    np.testing.assert_array_equal(result, np.pad(x, widths))
    expected = F.pad(torch.from_numpy(x), (p, p, p, p)).numpy()
    np.testing.assert_array_equal(result, expected)


def test_pad2d_keeps_the_dtype_and_the_worked_sizes():
    x = np.ones((5, 5), dtype=np.int64)
    assert pad2d(x, 1).shape == (7, 7)
    assert pad2d(x, 2).shape == (9, 9)
    assert pad2d(x, 1).dtype == np.int64
    assert pad2d(x, 2).sum() == 25  # only zeros were added


def test_padding_then_unpadded_convolution_equals_padded_convolution():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(1, 2, 6, 5)), rng.normal(size=(3, 2, 3, 3))
    direct = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=2)
    via_pad2d = F.conv2d(torch.from_numpy(pad2d(x, 2)), torch.from_numpy(w))
    np.testing.assert_allclose(direct.numpy(), via_pad2d.numpy())


@pytest.mark.parametrize("x, p, message", [
    (np.zeros(5), 1, r"x must have at least 2 axes \(\.\.\., H, W\), got shape \(5,\)"),
    (np.zeros((3, 3)), -1, "p must be at least 0, got -1"),
    (np.zeros((3, 3)), 1.5, "p must be an integer, got 1.5"),
    (np.zeros((3, 3)), True, "p must be an integer, got True"),
    (np.array([["a"]]), 1, "x must be an array of numbers"),
])
def test_pad2d_rejects_bad_input(x, p, message):
    with pytest.raises(ValueError, match=message):
        pad2d(x, p)


@pytest.mark.parametrize("n, f, p, s, d", [(5, 3, 0, 1, 1), (5, 3, 0, 2, 1),
                                           (7, 3, 0, 3, 1), (5, 3, 2, 2, 2),
                                           (6, 2, 1, 3, 1)])
def test_kernel_positions_are_the_windows_torch_unfolds(n, f, p, s, d):
    starts = kernel_positions(n, f, p, s, d)
    assert len(starts) == output_size(n, f, p, s, d)
    # Label every padded row by its index; unfold shows which rows each position reads.
    rows = torch.arange(n + 2 * p, dtype=torch.float64).reshape(1, 1, -1, 1)
    windows = F.unfold(rows, (f, 1), dilation=(d, 1), stride=(s, 1))[0]
    assert [int(column[0]) for column in windows.T] == starts
    assert all(start + d * (f - 1) < n + 2 * p for start in starts)


@pytest.mark.parametrize("n, f, p, s, d", [(5, 3, 0, 1, 1), (5, 3, 1, 1, 1),
                                           (32, 5, 0, 1, 1), (7, 3, 0, 3, 1),
                                           (8, 3, 2, 2, 2), (6, 2, 1, 3, 1)])
def test_pixel_usage_counts_what_torch_unfold_reads(n, f, p, s, d):
    # Number every pixel, unfold the (padded) image into kernel windows, count each
    # number.
    labels = torch.arange(1, n * n + 1, dtype=torch.float64).reshape(1, 1, n, n)
    windows = F.unfold(labels, f, dilation=d, padding=p, stride=s)
    counts = np.bincount(windows.numpy().astype(int).ravel(), minlength=n * n + 1)[1:]
    np.testing.assert_array_equal(pixel_usage(n, f, p, s, d), counts.reshape(n, n))


def test_reads_along_axis_takes_numpy_integers_as_ints():
    # np.uint8 arithmetic wraps at 256; the counts must not.
    reads = reads_along_axis(np.uint8(200), np.uint8(3), p=np.uint8(100))
    assert reads.shape == (400,)
    np.testing.assert_array_equal(reads, reads_along_axis(200, 3, p=100))


@pytest.mark.parametrize("n, message", [(0, "n must be at least 1, got 0"),
                                        (5.0, "n must be an integer, got 5.0")])
def test_position_counts_name_a_bad_size(n, message):
    for count in (kernel_positions, reads_along_axis, pixel_usage):
        with pytest.raises(ValueError, match=f"^{message}$"):
            count(n, 3)


def test_pixel_usage_syllabus_facts():
    usage = pixel_usage(5, 3)
    assert usage[0, 0] == 1 and usage[2, 2] == 9  # corner read once, centre 9 times
    assert pixel_usage(5, 3, p=1)[0, 0] == 4


WORKED_X = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                     [0, 1, 1, 0, 0]])
WORKED_K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


def test_chapter4_worked_example_with_padding_and_stride():
    """The syllabus numbers of chapter 4, with book.conv and with PyTorch."""
    from book.conv import conv2d

    x, k = WORKED_X[None, None], WORKED_K[None, None]
    tx, tk = torch.tensor(x, dtype=torch.float64), torch.tensor(k, dtype=torch.float64)
    np.testing.assert_array_equal(conv2d(x, k)[0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(conv2d(x, k, stride=2)[0, 0], [[4, 4], [2, 4]])
    np.testing.assert_array_equal(F.conv2d(tx, tk, stride=2)[0, 0].numpy(),
                                  [[4, 4], [2, 4]])
    padded = conv2d(x, k, padding=1)[0, 0]
    assert padded.shape == (5, 5)
    np.testing.assert_array_equal(padded, F.conv2d(tx, tk, padding=1)[0, 0].numpy())
    np.testing.assert_array_equal(padded, conv2d(pad2d(x, 1), k)[0, 0])


def test_the_floor_leaves_the_last_column_unread():
    from book.conv import conv2d

    image = np.arange(49.0).reshape(1, 1, 7, 7)
    changed = image.copy()
    changed[..., 6] = changed[..., 6, :] = 1000
    k = WORKED_K[None, None]
    np.testing.assert_array_equal(conv2d(image, k, stride=3),
                                  conv2d(changed, k, stride=3))
    assert not np.array_equal(conv2d(image, k, stride=1), conv2d(changed, k, stride=1))
