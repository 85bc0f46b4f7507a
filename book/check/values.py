"""What kind of value a student's code returned, when it is one no numeric answer can be.

NumPy converts a great deal to float silently: complex numbers (dropping the imaginary part),
strings of digits, masked arrays (dropping the mask), Python objects. Each of these could
pass a comparison that it should fail, and PyTorch tensors on the meta device, sparse ones
or bfloat16 ones crash the conversion instead. :func:`not_numbers` names such a value in
words a student understands, before anything converts it; :func:`array_kind` does the same
for what NumPy made of a nested list.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Iterator

import numpy as np

from book.check.encoding import is_tensor

# Below float32 a result keeps 3 or 4 significant digits, too few to compare with 1e-6.
_LOW_PRECISION = ("float16", "bfloat16")


def _tensor_kind(tensor) -> str | None:
    dtype = str(tensor.dtype).removeprefix("torch.")
    if tensor.is_meta:
        return f"a tensor on the meta device, with a shape {tuple(tensor.shape)} but no values"
    if str(tensor.layout) != "torch.strided":
        return "a sparse tensor (return a dense one: .to_dense())"
    if tensor.is_complex():
        return f"a tensor of complex numbers ({dtype})"
    if dtype in _LOW_PRECISION:
        return (f"a {dtype} tensor (only 3 or 4 significant digits: compute in float32 or "
                "float64)")
    return None


def array_kind(array: np.ndarray) -> str | None:
    """What ``array`` is, when its dtype holds no real numbers (or too few digits)."""
    if isinstance(array, np.ma.MaskedArray):
        return "a masked array (np.ma: return a plain array)"
    kind = array.dtype.kind
    if kind == "c":
        return f"an array of complex numbers ({array.dtype})"
    if kind in "USa":
        return f"an array of strings ({array.dtype})"
    if kind == "O":
        return "an array of Python objects (dtype=object)"
    if array.dtype.name in _LOW_PRECISION:
        return (f"a {array.dtype.name} array (only 3 or 4 significant digits: compute in "
                "float32 or float64)")
    return None


def not_numbers(value, depth: int = 0) -> str | None:
    """What ``value`` is, when it can never be a number or an array of real numbers: a
    complex number, a string, a masked, object, complex or float16 array, a meta, sparse,
    complex or low-precision tensor, a generator or iterator, or a list or tuple holding
    one (looked into 3 levels deep). None for anything else."""
    if is_tensor(value):
        return _tensor_kind(value)
    if isinstance(value, np.ndarray):
        return array_kind(value)
    if isinstance(value, (complex, np.complexfloating)):
        return f"the complex number {complex(value)!r}"
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return f"the text {str(value)[:40]!r}"
    if inspect.isgenerator(value):
        return "a generator (return a list or an array: list(...))"
    if isinstance(value, Iterator):
        return "an iterator (return a list or an array: list(...))"
    if isinstance(value, (list, tuple)) and depth < 3:
        for item in value:
            problem = not_numbers(item, depth + 1)
            if problem:
                return f"a {type(value).__name__} holding {problem}"
    return None


def whole_number_problem(value, choices: tuple[int, ...] | None = None,
                         minimum: int | None = None) -> str | None:
    """Why ``value`` is not a whole-number answer (among ``choices``, at least ``minimum``),
    or None when it is one. 12, 12.0 and numpy's 12 are all the whole number 12."""
    if value is None:
        return "is not answered yet (it is None)"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        kind = not_numbers(value)
        if kind is None and hasattr(value, "shape"):
            kind = f"{type(value).__name__} of shape {tuple(value.shape)}"
        described = kind or " ".join(repr(value).split())[:60]
        return f"is {described}, not a whole number"
    if not isinstance(value, numbers.Integral) and (
            not math.isfinite(value) or not float(value).is_integer()):
        return f"is {value!r}, not a whole number"
    number = int(value)
    shown = str(number) if number.bit_length() <= 64 \
        else f"an integer of about {number.bit_length() * 0.30103:.0f} digits"
    if choices is not None and number not in choices:
        listed = ", ".join(str(c) for c in choices[:-1]) + f" or {choices[-1]}"
        return f"is {shown}, not one of {listed}"
    if minimum is not None and number < minimum:
        return f"is {shown}; the answer is at least {minimum}"
    return None
