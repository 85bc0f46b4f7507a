"""Argument checks shared by every function of the book: one rule, one kind of message.

Every function that takes a size, a stride or an array checks it here, so that they all
accept the same values (Python and numpy integers; never a bool, a float or a string)
and refuse a wrong one with a one-line ``ValueError`` that names the argument:
``stride must be at least 1, got 0``.
"""

from __future__ import annotations

import reprlib

import numpy as np

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60


def shown(value) -> str:
    """``repr(value)`` cut to one short line, for an error message."""
    return " ".join(_SHORT.repr(value).split())


def is_integer(value) -> bool:
    """True for a Python or numpy integer; False for bools, floats and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer(value, name: str, minimum: int | None = None) -> int:
    """``value`` as a Python int, at least ``minimum``; or a ValueError naming ``name``."""
    if not is_integer(value):
        raise ValueError(f"{name} must be an integer, got {shown(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {shown(value)}")
    return int(value)


def pair(value, name: str, minimum: int | None = None) -> tuple[int, int]:
    """An integer or a (height, width) pair of integers as a pair, each at least ``minimum``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not all(is_integer(v) for v in values):
        raise ValueError(f"{name} must be an integer or a (height, width) pair of "
                         f"integers, got {shown(value)}")
    if minimum is not None and min(values) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {shown(value)}")
    return int(values[0]), int(values[1])


def real_number(value, name: str) -> float:
    """One finite real number (Python or numpy; not a bool, a string or complex) as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {shown(value)}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {shown(value)}")
    return float(value)


def real_array(value, name: str, ndim: int | None = None, layout: str = "") -> np.ndarray:
    """``value`` as a numpy array of real numbers (bools count as 0 and 1).

    ndim: the number of axes it must have, described by ``layout`` (e.g. "(N, C, H, W)").
    Refuses strings, objects, complex numbers, masked arrays and empty arrays.
    """
    if isinstance(value, np.ma.MaskedArray):
        raise ValueError(f"{name} must be a plain array, not a masked array")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested lists
        raise ValueError(f"{name} must be an array of numbers with rows of equal "
                         "length") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise ValueError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        axes = f"{ndim} axes {layout}" if layout else f"{ndim} axes"
        raise ValueError(f"{name} must have {axes}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array
