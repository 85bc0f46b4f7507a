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
    # Type first, then the expected value's own __eq__: a student's object whose __eq__
    # always says True cannot pass for a string or any other value.
    if type(actual) is not type(expected) or not expected == actual:
        return f"returned {show(actual)}, expected {show(expected)}"
    return None


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


def _call_student(function: Callable, name: str, *args, **kwargs):
    """Call the student's function, turning a stub or a crash into a CheckFailed."""
    if not callable(function):
        raise CheckFailed(f"{name} should be a function, but it is {show(function)}")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailed(_not_written(name)) from None
    except Exception as error:
        raise CheckFailed(f"{name}(...) raised {type(error).__name__}: {error}") from None


def check_table(function: Callable, expected: dict, name: str | None = None) -> None:
    """Call ``function()`` and compare the dict it returns with ``expected``, entry by entry."""
    name = name or getattr(function, "__name__", "your function")
    table = _call_student(function, name)
    if not isinstance(table, dict):
        raise CheckFailed(f"{name}() returned {show(table)}; it should return a dict "
                          f"with the keys {list(expected)}")
    missing = [key for key in expected if key not in table]
    extra = [key for key in table if key not in expected]
    if missing or extra:
        raise CheckFailed(f"{name}() has the keys {list(table)}; expected {list(expected)} "
                          f"(missing {missing}, unexpected {extra})")
    for key, value in expected.items():
        problem = difference(table[key], value)
        if problem:
            raise CheckFailed(f"{name}()[{key!r}] {problem.replace('returned', 'is', 1)}")
    print(f"✓ {name}: all {len(expected)} entries are correct")


def check_model(build: Callable, input_shape: tuple, output_shape: tuple,
                parameters: int | None = None, layer_shapes: list | None = None,
                name: str | None = None) -> None:
    """Check the PyTorch model that ``build()`` returns.

    input_shape: a batch shape to feed, e.g. (2, 1, 28, 28); output_shape: what must come
    out; parameters: the number of trainable parameters; layer_shapes: the output shapes
    (without the batch axis) of its convolution and pooling layers, in the order they run.
    """
    import torch
    from torch import nn

    name = name or getattr(build, "__name__", "your function")
    model = _call_student(build, name)
    if not isinstance(model, nn.Module):
        raise CheckFailed(f"{name}() returned {show(model)}, not a PyTorch model (nn.Module)")
    if parameters is not None:
        count = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if count != parameters:
            raise CheckFailed(f"{name}() makes a model with {count:,} trainable parameters; "
                              f"expected {parameters:,}")
    seen = []
    kinds = (nn.Conv1d, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
    hooks = [module.register_forward_hook(
        lambda module, inputs, output: seen.append((type(module).__name__,
                                                    tuple(output.shape[1:]))))
        for module in model.modules() if isinstance(module, kinds)]
    try:
        with torch.no_grad():
            output = model(torch.zeros(input_shape))
    except Exception as error:
        raise CheckFailed(f"the model of {name}() fails on an input of shape {input_shape}: "
                          f"{type(error).__name__}: {error}") from None
    finally:
        for hook in hooks:
            hook.remove()
    if not isinstance(output, torch.Tensor) or tuple(output.shape) != tuple(output_shape):
        got = tuple(output.shape) if isinstance(output, torch.Tensor) else show(output)
        raise CheckFailed(f"the model of {name}() turns an input of shape {input_shape} into "
                          f"{got}; expected shape {tuple(output_shape)}")
    if layer_shapes is not None:
        shapes = [shape for _, shape in seen]
        if shapes != [tuple(s) for s in layer_shapes]:
            described = ", ".join(f"{kind} {shape}" for kind, shape in seen) or "none"
            raise CheckFailed(f"the convolution and pooling layers of {name}() output the "
                              f"shapes {described}; expected {[tuple(s) for s in layer_shapes]}")
    print(f"✓ {name}: shapes" + (" and parameter count" if parameters is not None else "")
          + " are correct")


def check_training(train_function: Callable, make_model: Callable, train_data: tuple,
                   test_data: tuple, at_least: float, name: str | None = None,
                   seed: int = 0, **kwargs) -> None:
    """Train a fresh model with the student's function and require a test accuracy.

    make_model(): a new model; train_data, test_data: (inputs, labels) tensors;
    ``train_function(model, inputs, labels, **kwargs)`` must return the list of per-epoch
    losses (one float per epoch when ``epochs`` is in kwargs). Fails unless the trained model
    classifies at least the fraction ``at_least`` of the test data correctly.
    """
    import torch

    name = name or getattr(train_function, "__name__", "your function")
    torch.manual_seed(seed)
    model = make_model()
    losses = _call_student(train_function, name, model, *train_data, **kwargs)
    settings = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    if "epochs" in kwargs:
        if not isinstance(losses, (list, tuple)) or len(losses) != kwargs["epochs"]:
            raise CheckFailed(f"{name}(model, images, labels, {settings}) returned "
                              f"{show(losses)}; it should return a list with one average "
                              f"loss per epoch ({kwargs['epochs']} numbers)")
    inputs, labels = test_data
    model.eval()
    with torch.no_grad():
        accuracy = (model(inputs).argmax(dim=1) == labels).float().mean().item()
    if accuracy < at_least:
        raise CheckFailed(f"after {name}(model, images, labels, {settings}) the model "
                          f"classifies {accuracy:.1%} of the {len(labels):,} test examples "
                          f"correctly; expected at least {at_least:.0%}")
    print(f"✓ {name}: the trained model classifies {accuracy:.1%} of the {len(labels):,} "
          "test examples correctly")
