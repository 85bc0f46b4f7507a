"""How big is the output of a convolution or pooling layer?"""


def output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """One output side, as in PyTorch: ``floor((n + 2p - d*(f-1) - 1) / s) + 1``.

    n: input size, f: kernel (filter) size, p: zero padding on each side, s: stride,
    d: dilation (d = 1 is an ordinary kernel; then this is
    ``floor((n + 2p - f) / s) + 1``).
    Raises ValueError when no kernel position fits or an argument is out of range.
    """
    for name, value, smallest in (("n", n, 1), ("f", f, 1), ("p", p, 0), ("s", s, 1),
                                  ("d", d, 1)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if value < smallest:
            raise ValueError(f"{name} must be at least {smallest}, got {value}")
    span = d * (f - 1) + 1
    if span > n + 2 * p:
        raise ValueError(f"the kernel spans {span} pixels (f={f}, d={d}) but the "
                         f"padded input has only {n + 2 * p} (n={n}, p={p}): "
                         "no position fits")
    return (n + 2 * p - span) // s + 1


def same_padding(f: int) -> int:
    """The padding that keeps the size at stride 1: ``(f - 1) / 2`` for an odd f."""
    if isinstance(f, bool) or not isinstance(f, int) or f < 1 or f % 2 == 0:
        raise ValueError(f"'same' padding p = (f - 1)/2 needs an odd kernel size f, "
                         f"got {f!r}")
    return (f - 1) // 2
