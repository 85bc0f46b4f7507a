"""Values as plain JSON data and back, for the observations a check records under the grader.

:func:`encode` turns what a student's code returned (numbers, strings, lists, tuples, dicts,
NumPy arrays, PyTorch tensors, anything else) into JSON-ready data, and :func:`decode` turns
that data back into values that :func:`book.check.judge.difference` compares as it would the
originals. Arrays travel as base64 of ``np.save(..., allow_pickle=False)`` bytes and are read
back with ``allow_pickle=False``: nothing is ever unpickled. Sizes are bounded: an array, a
string or a list past its limit is replaced by a :class:`TooLarge` description, and an
object of any other type by its :class:`Opaque` type name and ``repr``.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np

ARRAY_BYTES = 4_000_000    # the largest array recorded whole (a float array of 500,000 values)
TEXT_LIMIT = 10_000        # characters of a string, or of an object's repr, recorded
ITEMS_LIMIT = 100_000      # items of a list, tuple or dict recorded
DEPTH_LIMIT = 20           # nesting of lists, tuples and dicts recorded
TAG = "$"                  # the key that marks an encoded value that is not plain JSON


@dataclass(frozen=True)
class Opaque:
    """A value of a type that is not recorded as data: its type's name and its repr."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TooLarge:
    """A value too large to record: what it was."""

    description: str

    def __repr__(self) -> str:
        return f"{self.description} (too large for the grader to record)"


def is_tensor(value) -> bool:
    """Whether ``value`` is a PyTorch tensor (without importing torch)."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def to_numpy(value):
    """A tensor as a NumPy array (bfloat16 widened to float32, which NumPy lacks); any other
    value as it is. A tensor with no values to convert (on the meta device, sparse) raises:
    :func:`book.check.values.not_numbers` names those first."""
    if not is_tensor(value):
        return value
    tensor = value.detach().cpu().resolve_conj().resolve_neg()
    return (tensor.float() if str(tensor.dtype) == "torch.bfloat16" else tensor).numpy()


def _encode_array(array: np.ndarray, depth: int):
    if array.dtype == object:   # np.save would need pickle: record its items instead
        return encode(array.tolist(), depth + 1)
    if array.nbytes > ARRAY_BYTES:
        return {TAG: "too large", "description": f"an array of shape {array.shape}"}
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {TAG: "array", "npy": base64.b64encode(buffer.getvalue()).decode("ascii")}


def _encode_float(value: float):
    return value if math.isfinite(value) else {TAG: "float", "text": repr(value)}


def encode(value, depth: int = 0):
    """JSON-ready data describing ``value`` (see the module's docstring)."""
    if depth > DEPTH_LIMIT:
        return {TAG: "too large", "description": "a value nested too deeply"}
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        number = int(value)
        if abs(number) >= 10 ** 100:
            return {TAG: "too large", "description": "an integer of over 100 digits"}
        return number
    if isinstance(value, (float, np.floating)):
        return _encode_float(float(value))
    if isinstance(value, str):
        if len(value) > TEXT_LIMIT:
            return {TAG: "too large", "description": f"a string of {len(value):,} characters"}
        return value
    if is_tensor(value):
        try:
            value = value.detach().cpu().float().numpy() if value.dtype.is_floating_point \
                else to_numpy(value)
        except Exception:   # a tensor NumPy cannot hold (on the meta device, say)
            return _opaque(value)
    if isinstance(value, np.ndarray):
        return _encode_array(value, depth)
    if isinstance(value, (list, tuple)):
        if len(value) > ITEMS_LIMIT:
            return {TAG: "too large", "description": f"a {type(value).__name__} of "
                                                     f"{len(value):,} items"}
        items = [encode(item, depth + 1) for item in value]
        return {TAG: type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": items}
    if isinstance(value, dict):
        if len(value) > ITEMS_LIMIT:
            return {TAG: "too large", "description": f"a dict of {len(value):,} items"}
        return {TAG: "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)]
                                       for k, v in value.items()]}
    return _opaque(value)


def safe_repr(value) -> str:
    """``repr(value)``, or what it is when its repr raises or recurses too deeply (a list
    nested 10,000 deep)."""
    try:
        return repr(value)
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to show"
    except Exception as error:   # a student's __repr__ that raises
        return f"<{type(value).__name__} whose repr raised {type(error).__name__}>"


def _opaque(value) -> dict:
    text = safe_repr(value)
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT] + "..."
    return {TAG: "object", "type": type(value).__name__, "repr": text}


def _decode_array(data: dict) -> np.ndarray:
    return np.load(io.BytesIO(base64.b64decode(data["npy"], validate=True)),
                   allow_pickle=False)


def decode(data, depth: int = 0):
    """The value that :func:`encode` described (ValueError for data it cannot have made,
    such as lists nested deeper than it ever nests them)."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list) or not isinstance(data, dict):
        raise ValueError(f"not an encoded value: {type(data).__name__}")
    if depth > DEPTH_LIMIT + 1:
        raise ValueError("not an encoded value: nested deeper than a check records")
    tag = data.get(TAG)
    if tag == "array":
        return _decode_array(data)
    if tag in ("list", "tuple"):
        items = [decode(item, depth + 1) for item in data["items"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {_hashable(decode(key, depth + 1)): decode(value, depth + 1)
                for key, value in data["items"]}
    if tag == "float":
        return float(data["text"])
    if tag == "object":
        return Opaque(str(data["type"]), str(data["repr"]))
    if tag == "too large":
        return TooLarge(str(data["description"]))
    raise ValueError(f"not an encoded value: tag {tag!r}")


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        return Opaque(type(key).__name__, repr(key))
    return key
