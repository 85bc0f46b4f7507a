"""How big is the output of a convolution or pooling layer?"""

from book.validation import integer


def output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """One output side, as in PyTorch: ``floor((n + 2p - d*(f-1) - 1) / s) + 1``.

    Chapter 4, "Padding and stride".

    n: input size, f: kernel (filter) size, p: zero padding on each side, s: stride,
    d: dilation (d = 1 is an ordinary kernel; then this is
    ``floor((n + 2p - f) / s) + 1``).
    Raises ValueError when no kernel position fits or an argument is out of range.
    """
    n, f = integer(n, "n", minimum=1), integer(f, "f", minimum=1)
    p = integer(p, "p", minimum=0)
    s, d = integer(s, "s", minimum=1), integer(d, "d", minimum=1)
    span = d * (f - 1) + 1  # the pixels a dilated kernel covers, gaps included
    if span > n + 2 * p:
        raise ValueError(f"the kernel spans {span} pixels (f={f}, d={d}) but the "
                         f"padded input has only {n + 2 * p} (n={n}, p={p}): "
                         "no position fits")
    return (n + 2 * p - span) // s + 1


def same_padding(f: int) -> int:
    """The padding that keeps the size at stride 1: ``(f - 1) / 2`` for an odd f.

    Chapter 4, "Padding and stride".
    """
    f = integer(f, "f", minimum=1)
    if f % 2 == 0:
        raise ValueError(f"'same' padding p = (f - 1)/2 needs an odd kernel size f, "
                         f"got {f}")
    return (f - 1) // 2
