"""Checks for the exercises: clear feedback, never a crash of the checker.

Every check either prints one line saying what passed or raises :class:`CheckFailed` whose
message names the failing input, the expected value and the value the student's code gave.
Large arrays are summarised (shape, where they first differ), never printed whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

SMALL_ARRAY = 16  # arrays with at most this many entries are shown in full in messages


class CheckFailed(AssertionError):
    """A check did not pass; the message says why in terms of the exercise."""


@dataclass
class Case:
    """One call of the student's function: positional ``args``, keyword ``kwargs``.

    expected: the right answer; leave it out to compute it with the check's reference.
    raises: an exception type the call must raise instead of returning (e.g. ValueError).
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    raises: type[BaseException] | None = None

    def call(self, function):
        return function(*self.args, **self.kwargs)


def show(value) -> str:
    """A short description of a value for a feedback message."""
    if isinstance(value, np.ndarray) or _is_tensor(value):
        array = np.asarray(_to_numpy(value))
        if array.size <= SMALL_ARRAY:
            return np.array2string(array, separator=", ")
        return f"an array of shape {array.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_call(name: str, case: Case) -> str:
    parts = [show(a) for a in case.args] + [f"{k}={show(v)}" for k, v in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _to_numpy(value):
    return value.detach().cpu().numpy() if _is_tensor(value) else value


def difference(actual, expected, atol: float = 1e-6, rtol: float = 1e-6) -> str | None:
    """None when ``actual`` matches ``expected``; otherwise a sentence saying how it differs."""
    if isinstance(expected, (np.ndarray, list, tuple)) and np.asarray(expected).dtype != object:
        expected_array = np.asarray(expected)
        if actual is None:
            return "returned None (did you forget `return`?)"
        try:
            actual_array = np.asarray(_to_numpy(actual), dtype=float)
        except (TypeError, ValueError):
            return f"returned {show(actual)}, which is not an array of numbers"
        if actual_array.shape != expected_array.shape:
            return (f"returned an array of shape {actual_array.shape}, "
                    f"expected shape {expected_array.shape}")
        if np.isnan(actual_array).any() and not np.isnan(expected_array).any():
            where = tuple(int(i) for i in np.argwhere(np.isnan(actual_array))[0])
            return f"returned NaN at index {where}"
        wrong = ~np.isclose(actual_array, expected_array, atol=atol, rtol=rtol)
        if wrong.any():
            where = tuple(int(i) for i in np.argwhere(wrong)[0])
            if expected_array.size <= SMALL_ARRAY:
                return f"returned {show(actual_array)}, expected {show(expected_array)}"
            return (f"wrong values at {int(wrong.sum())} of {wrong.size} positions; first at "
                    f"index {where}: got {actual_array[where]:g}, expected "
                    f"{expected_array[where]:g}")
        return None
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(actual, (bool, np.bool_)) and bool(actual) == bool(expected):
            return None
        return f"returned {show(actual)}, expected {show(bool(expected))}"
    if isinstance(expected, (int, float, np.integer, np.floating)):
        if isinstance(actual, (np.ndarray,)) and actual.size == 1:
            actual = actual.item()
        if not isinstance(actual, (int, float, np.integer, np.floating)) or isinstance(actual, bool):
            return f"returned {show(actual)}, expected the number {show(expected)}"
        if math.isnan(float(actual)):
            return f"returned NaN, expected {show(expected)}"
        if not math.isclose(float(actual), float(expected), rel_tol=rtol, abs_tol=atol):
            return f"returned {show(actual)}, expected {show(expected)}"
        return None
    return None if actual == expected else f"returned {show(actual)}, expected {show(expected)}"


def check_function(function: Callable, cases: list[Case], reference: Callable | None = None,
                   name: str | None = None, atol: float = 1e-6) -> None:
    """Call ``function`` on every case and compare with the expected value or the reference.

    Raises CheckFailed at the first case that goes wrong, with the input, expected and actual
    value; prints one line when every case passes.
    """
    name = name or getattr(function, "__name__", "your function")
    if not callable(function):
        raise CheckFailed(f"{name} should be a function, but it is {show(function)}")
    for case in cases:
        call = describe_call(name, case)
        if case.raises is not None:
            try:
                result = case.call(function)
            except NotImplementedError:
                raise CheckFailed(_not_written(name)) from None
            except case.raises:
                continue
            except Exception as error:  # the student's code: report, do not crash
                raise CheckFailed(
                    f"{call} raised {type(error).__name__}: {error}; expected "
                    f"{case.raises.__name__}"
                ) from None
            raise CheckFailed(
                f"{call} returned {show(result)}, but these settings are impossible: it should "
                f"raise {case.raises.__name__} with a message saying why"
            )
        expected = case.expected if reference is None or case.expected is not None \
            else case.call(reference)
        try:
            result = case.call(function)
        except NotImplementedError:
            raise CheckFailed(_not_written(name)) from None
        except Exception as error:
            raise CheckFailed(f"{call} raised {type(error).__name__}: {error}") from None
        problem = difference(result, expected, atol=atol)
        if problem:
            raise CheckFailed(f"{call} {problem}")
    print(f"✓ {name}: all {len(cases)} checks passed")


def check_value(actual, expected, name: str, atol: float = 1e-6) -> None:
    """Compare a value the student computed (not a function) with the expected one."""
    problem = difference(actual, expected, atol=atol)
    if problem:
        raise CheckFailed(f"{name}: {problem.replace('returned', 'is', 1)}")
    print(f"✓ {name} is correct")


def _not_written(name: str) -> str:
    return (f"{name} is not written yet: replace the line `raise NotImplementedError()` "
            f"with your code, run that cell, then run this check again")
