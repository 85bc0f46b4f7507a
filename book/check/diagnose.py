"""Naming the usual mistake behind a wrong array, from the wrong array and the right one.

A beginner's convolution is rarely wrong at random: it is transposed, a pixel or two too small
or too large (a stride or padding off by one), it has a channel axis it should have summed
over (or lacks one), or it is right up to a constant per filter (the bias forgotten or added
twice). :func:`diagnose` recognises each of these from the two arrays alone, so it works the
same in a notebook and in the grader. A flipped kernel (true convolution where the exercise
asks for the cross-correlation of a CNN layer) needs the student's function itself:
:func:`flips_the_kernel` calls it again with the kernel flipped. Mistakes that only the
exercise knows are listed by its author (``Case(mistakes=...)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from book.check.observe import observe_call

_CLOSE = {"rtol": 1e-6, "atol": 1e-6}


def _transposed(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """Rows and columns swapped; for square results too, unless the right result is its
    own transpose (then the swap changes nothing and is not the mistake)."""
    if actual.ndim >= 2 and actual.swapaxes(-1, -2).shape == expected.shape \
            and not (actual.shape == expected.shape
                     and np.allclose(actual, expected, **_CLOSE)) \
            and np.allclose(actual.swapaxes(-1, -2), expected, **_CLOSE):
        return "it is the transpose of the right result (rows and columns swapped)"
    return None


def _spatial_size_off(actual: np.ndarray, expected: np.ndarray) -> str | None:
    if actual.ndim < 2 or actual.ndim != expected.ndim \
            or actual.shape[:-2] != expected.shape[:-2]:
        return None
    off = [a - e for a, e in zip(actual.shape[-2:], expected.shape[-2:])]
    if any(off) and all(abs(d) <= 2 for d in off):
        return ("its height and width are off by one or two: check the stride and the "
                "padding (added around the input, and cropped off again going backward)")
    return None


def _channels(actual: np.ndarray, expected: np.ndarray) -> str | None:
    if actual.ndim == expected.ndim + 1:
        for axis in range(actual.ndim):
            if np.delete(np.array(actual.shape), axis).tolist() == list(expected.shape) \
                    and np.allclose(actual.sum(axis=axis), expected, **_CLOSE):
                return (f"it keeps one result per channel along axis {axis}: the channels "
                        "should be summed")
        return "it has one axis too many (a channel axis that should be summed?)"
    if actual.ndim + 1 == expected.ndim:
        return "it has one axis too few (a channel or filter axis is missing)"
    return None


def _constant_offset(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """The same difference at every position (of each filter, for (..., F, H, W) results)."""
    if actual.shape != expected.shape or actual.ndim < 2:
        return None
    offset = actual - expected
    per_filter = offset.reshape(*offset.shape[:-2], -1) if offset.ndim >= 3 \
        else offset.reshape(1, -1)
    if np.allclose(per_filter, per_filter[..., :1], **_CLOSE) \
            and not np.allclose(per_filter, 0, **_CLOSE):
        return ("it differs from the right result by a constant (one per filter): check "
                "the bias (missing, added twice, or the wrong filter's)")
    return None


def diagnose(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """The usual mistake that turns ``expected`` into ``actual`` (float arrays), in words,
    or None when it is none of them."""
    for rule in (_transposed, _spatial_size_off, _channels, _constant_offset):
        found = rule(actual, expected)
        if found:
            return found
    return None


_KERNEL_NAMES = {"k", "w", "kernel", "kernels", "weight", "weights", "filters"}


def _parameter_name(function: Callable, index: int) -> str | None:
    """The name of ``function``'s positional parameter number ``index``, if it has one."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):     # builtins and other callables without a signature
        return None
    return parameters[index].name if index < len(parameters) else None


def flips_the_kernel(function: Callable, args: tuple, kwargs: dict, expected,
                     difference: Callable) -> bool:
    """Whether ``function`` gives the ``expected`` result once its kernel is flipped.

    The kernel is the argument named as one (``k``, ``w``, ``kernel``, ...) in the
    function's signature, else the first argument after the first (the image) with at least
    two axes; flipping its last two axes turns a true convolution into the cross-correlation, so a
    function that flips the kernel itself gives the right result on the flipped kernel.
    ``difference(actual, expected)`` is None when they match.
    """
    arrays = [index for index, arg in enumerate(args)
              if index > 0 and isinstance(arg, np.ndarray) and arg.ndim >= 2]
    named = [index for index in arrays if _parameter_name(function, index) in _KERNEL_NAMES]
    kernel = (named or arrays or [None])[0]
    if kernel is None or np.array_equal(args[kernel][..., ::-1, ::-1], args[kernel]):
        return False    # no kernel, or a symmetric one: flipped or not, the same result
    flipped = list(args)
    flipped[kernel] = np.ascontiguousarray(args[kernel][..., ::-1, ::-1])
    outcome = observe_call(function, tuple(flipped), kwargs)
    return outcome.kind == "value" and difference(outcome.value, expected) is None
