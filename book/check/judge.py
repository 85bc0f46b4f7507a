"""Judging an observation of a student's answer: None when right, else one sentence saying why.

The same functions judge in a reader's notebook (the expected value comes from the check's
arguments or reference) and in the grader (it comes from the solution's observations, see
:mod:`book.grading.compare`), so the feedback reads the same in both.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from book.check.diagnose import diagnose
from book.check.encoding import decode, to_numpy
from book.check.observe import SMALL_ARRAY, Outcome, show
from book.check.values import array_kind, not_numbers

LAYERS_SHOWN = 16   # a feedback line names at most this many of the layers a model ran


def difference(actual, expected, atol: float = 1e-6, rtol: float = 1e-6) -> str | None:
    """None when ``actual`` matches ``expected``; otherwise a sentence saying how it differs.

    Where a number or an array of numbers is expected, a value that is not one (complex,
    text, masked, a meta or sparse tensor, ...: :func:`book.check.values.not_numbers`) is
    named and never passes, and a tensor holding one number counts as that number.
    """
    expected_array = _number_array(expected)
    if expected_array is not None:
        return _array_difference(actual, expected_array, atol, rtol)
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(actual, (bool, np.bool_)) and bool(actual) == bool(expected):
            return None
        return f"returned {show(actual)}, expected {show(bool(expected))}"
    if isinstance(expected, (int, float, np.integer, np.floating)):
        return _number_difference(actual, float(expected), show(expected), atol, rtol)
    # Type first, then the expected value's own __eq__: a student's object whose __eq__
    # always says True cannot pass for a string or any other value.
    try:
        same = type(actual) is type(expected) and bool(expected == actual)
    except Exception:   # containers of arrays, whose == is not one truth value
        same = False
    return None if same else f"returned {show(actual)}, expected {show(expected)}"


def _number_array(expected) -> np.ndarray | None:
    """``expected`` as an array when it is an array, list or tuple of real numbers."""
    if not isinstance(expected, (np.ndarray, list, tuple)):
        return None
    try:
        array = np.asarray(expected)
    except ValueError:     # a ragged list
        return None
    return array if array.dtype.kind in "biuf" else None


def _array_difference(actual, expected: np.ndarray, atol: float, rtol: float) -> str | None:
    if actual is None:
        return "returned None (did you forget `return`?)"
    kind = not_numbers(actual)
    if kind:
        return f"returned {kind}; expected an array of real numbers of shape {expected.shape}"
    try:
        raw = np.asarray(to_numpy(actual))
        # Strings nested deeper than not_numbers looks, or booleans where numbers are
        # asked for, would convert to float silently.
        kinds = "biuf" if expected.dtype.kind == "b" else "iuf"
        if raw.dtype.kind not in kinds:
            kind = array_kind(raw) if raw.dtype.kind != "b" else "an array of booleans"
            if kind and raw.dtype.kind != "O":    # objects: huge integers, the student's own
                return (f"returned {kind}; expected an array of real numbers of shape "
                        f"{expected.shape}")
            raise TypeError(raw.dtype)
        actual_array = raw.astype(float)
    except Exception:      # ragged lists, dicts, huge integers, objects of the student's
        return f"returned {show(actual)}, which is not an array of numbers"
    if actual_array.shape != expected.shape:
        return (f"returned an array of shape {actual_array.shape}, "
                f"expected shape {expected.shape}{_because(actual_array, expected)}")
    if np.isnan(actual_array).any() and not np.isnan(expected).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(actual_array))[0])
        return f"returned NaN at index {where}"
    wrong = ~np.isclose(actual_array, expected, atol=atol, rtol=rtol)
    if not wrong.any():
        return None
    where = tuple(int(i) for i in np.argwhere(wrong)[0])
    if expected.size <= SMALL_ARRAY:
        return (f"returned {show(actual_array)}, expected {show(expected)}"
                f"{_because(actual_array, expected)}")
    return (f"wrong values at {int(wrong.sum())} of {wrong.size} positions; first at "
            f"index {where}: got {actual_array[where]:g}, expected {expected[where]:g}"
            f"{_because(actual_array, expected)}")


def _because(actual: np.ndarray, expected: np.ndarray) -> str:
    found = diagnose(actual, expected)
    return f": {found}" if found else ""


def _number_difference(actual, expected: float, shown: str, atol: float,
                       rtol: float) -> str | None:
    kind = not_numbers(actual)
    if kind:
        return f"returned {kind}, expected the number {shown}"
    value = to_numpy(actual)
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        return f"returned {show(actual)}, expected the number {shown}"
    try:
        number = float(value)
    except OverflowError:
        return (f"returned an integer of about {int(value).bit_length() * 0.30103:.0f} "
                f"digits, too large to be a float; expected {shown}")
    if math.isnan(number):
        return f"returned NaN, expected {shown}"
    if not math.isclose(number, expected, rel_tol=rtol, abs_tol=atol):
        return f"returned {show(actual)}, expected {shown}"
    return None


def not_written(name: str) -> str:
    """The message for an answer that is still the exercise's stub."""
    return (f"{name} is not written yet: replace the line `raise NotImplementedError()` "
            f"with your code, run that cell, then run this check again")


def what_it_raised(outcome: Outcome) -> str:
    """"raised ValueError: message", or "called sys.exit(3)" for a SystemExit."""
    if outcome.error == "SystemExit":
        code = "" if outcome.message in ("", "None") else outcome.message
        return f"called sys.exit({code}) (or exit()): a check needs it to return a value"
    if outcome.error == "KeyboardInterrupt":
        return "was interrupted (KeyboardInterrupt)"
    return f"raised {outcome.error}: {outcome.message}"


def call_problem(name: str, outcome: Outcome) -> str | None:
    """What went wrong calling the student's ``name()`` itself (None when it returned)."""
    if outcome.kind == "not callable":
        return f"{name} should be a function, but it is {outcome.message}"
    if outcome.kind == "not written":
        return not_written(name)
    if outcome.kind == "raised":
        return f"{name}(...) {what_it_raised(outcome)}"
    return None


def judge_case(name: str, call: str, raises: str, expected, got: Outcome,
               atol: float) -> str | None:
    """One case of check_function: ``raises`` names the exception the call must raise ("" if
    it must return), ``expected`` is the value it must return otherwise."""
    if got.kind == "not callable":
        return f"{name} should be a function, but it is {got.message}"
    if got.kind == "not written":
        return not_written(name)
    if raises:
        if got.kind == "value":
            return (f"{call} returned {show(got.value)}, but these settings are impossible: it "
                    f"should raise {raises} with a message saying why")
        if raises in got.error_kinds:
            return None
        return f"{call} {what_it_raised(got)}; expected {raises}"
    if got.kind == "raised":
        return f"{call} {what_it_raised(got)}"
    problem = difference(got.value, expected, atol=atol)
    return f"{call} {problem}" if problem else None


def judge_value(name: str, actual, expected, atol: float) -> str | None:
    """A value the student computed (check_value)."""
    problem = difference(actual, expected, atol=atol)
    return f"{name}: {problem.replace('returned', 'is', 1)}" if problem else None


def judge_table(name: str, got: Outcome, expected: dict) -> str | None:
    """The dict that the student's ``name()`` returned (check_table)."""
    problem = call_problem(name, got)
    if problem:
        return problem
    table = got.value
    if not isinstance(table, dict):
        return (f"{name}() returned {show(table)}; it should return a dict "
                f"with the keys {list(expected)}")
    missing = [key for key in expected if key not in table]
    extra = [key for key in table if key not in expected]
    if missing or extra:
        return (f"{name}() has the keys {list(table)}; expected {list(expected)} "
                f"(missing {missing}, unexpected {extra})")
    for key, value in expected.items():
        problem = difference(table[key], value)
        if problem:
            return f"{name}()[{key!r}] {problem.replace('returned', 'is', 1)}"
    return None


_UNUSABLE = {
    "lazy": "has a lazy layer ({}) whose weights do not exist until it runs: give the "
            "layer its input size (nn.Conv2d(in_channels, ...), nn.Linear(in_features, ...))",
    "meta": "has its parameters on the meta device, where they have shapes but no values: "
            "create the layers without device='meta'",
    "dtype": "holds {} parameters; build it in float32, PyTorch's default, like the data "
             "(no .double(), .half() or dtype=...)",
}


def judge_model(name: str, got: dict, input_shape: tuple, output_shape: tuple,
                parameters: int | None, layer_shapes: list | None,
                probe: list | None = None) -> str | None:
    """The model the student's ``name()`` made (observed by observe_model) against the
    expected output shape, and the parameter count, layer shapes and probe output
    (:func:`book.check.probe.probe_output`: the first example's when ``probe`` is a flat
    list, every example's when it is the reference's (N, K) array) when they are given."""
    problem = call_problem(name, got["build"])
    if problem:
        return problem
    if not got["is_model"]:
        return f"{name}() returned {got['shown']}, not a PyTorch model (nn.Module)"
    if got["unusable"]:
        kind, _, detail = got["unusable"].partition(":")
        return f"the model of {name}() " + _UNUSABLE[kind].format(detail)
    if parameters is not None and got["parameters"] != parameters:
        return (f"{name}() makes a model with {got['parameters']:,} trainable parameters; "
                f"expected {parameters:,}")
    if got["forward_error"]:
        return (f"the model of {name}() fails on an input of shape {input_shape}: "
                f"{got['forward_error']}")
    if got["output_shape"] is None or tuple(got["output_shape"]) != tuple(output_shape):
        shown = tuple(got["output_shape"]) if got["output_shape"] is not None else got["output"]
        return (f"the model of {name}() turns an input of shape {input_shape} into "
                f"{shown}; expected shape {tuple(output_shape)}")
    expected_layers = [tuple(s) for s in layer_shapes] if layer_shapes is not None else None
    if expected_layers is not None and [tuple(s) for _, s in got["layers"]] != expected_layers:
        described = ", ".join(f"{kind} {tuple(shape)}" for kind, shape in got["layers"]) \
            or "none"
        return (f"the convolution and pooling layers of {name}() output the "
                f"shapes {described}; expected {expected_layers}")
    return None if probe is None else _judge_behaviour(name, got, probe)


def _judge_behaviour(name: str, got: dict, probe: list) -> str | None:
    """The probe output of the student's model against the expected one (relative 1e-5)."""
    if got["probe"] is None:
        return (f"the model of {name}() fails in float64 ({got['probe_error']}): create "
                "any tensor inside forward with the input's dtype (torch.zeros_like(x), ...)")
    actual, expected = np.asarray(decode(got["probe"]), dtype=float), \
        np.asarray(probe, dtype=float)
    if expected.ndim == 1:      # an author's literal: the first example's output only
        actual = actual[0] if actual.ndim == 2 and len(actual) else actual.ravel()
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    if actual.shape == expected.shape and np.allclose(actual, expected, rtol=1e-5,
                                                      atol=1e-5 * scale):
        return None
    runs = _collapse(got["runs"])
    runs = ", ".join(runs[:LAYERS_SHOWN] + ["..."] * (len(runs) > LAYERS_SHOWN)) \
        or "no layers"
    return (f"the model of {name}() computes a different function: given the same weights "
            f"its outputs differ from the expected model's; {_softmax_hint(actual, expected)}"
            f"check the activations and the pooling (your model runs {runs})")


def _is_distribution(values: np.ndarray) -> bool:
    return values.size > 1 and bool((values >= 0).all()) and abs(values.sum() - 1) < 1e-6


def _softmax_hint(actual: np.ndarray, expected: np.ndarray) -> str:
    if _is_distribution(actual) and not _is_distribution(expected):
        return ("it ends with a softmax, which the expected model leaves to the loss "
                "(return the raw scores); ")
    if _is_distribution(expected) and not _is_distribution(actual):
        return "the expected model ends with a softmax and yours does not; "
    return ""


def _collapse(kinds: list[str]) -> list[str]:
    """Module type names in the order they ran, a run of one name shown once ("2 x Conv2d")."""
    runs = [(kind, len(list(group))) for kind, group in itertools.groupby(kinds)]
    return [kind if count == 1 else f"{count} x {kind}" for kind, count in runs]


def _training_call(name: str, settings: dict) -> str:
    described = ", ".join(f"{k}={v}" for k, v in settings.items())
    return f"{name}(model, images, labels, {described})"


def judge_losses(name: str, losses: Outcome, settings: dict, finite: bool = True) -> str | None:
    """What a training function returned: one loss per epoch when ``settings`` has
    ``epochs``; with ``finite`` (the default) each a finite real number, the last below the
    first (a training that learned nothing, or returned made-up numbers, fails)."""
    problem = call_problem(name, losses)
    if problem:
        return problem
    value = losses.value
    call = _training_call(name, settings)
    if "epochs" in settings and (not isinstance(value, (list, tuple))
                                 or len(value) != settings["epochs"]):
        return (f"{call} returned {show(value)}; it should return "
                f"a list with one average loss per epoch ({settings['epochs']} numbers)")
    if not finite:
        return None
    numbers = _finite_numbers(value)
    if numbers is None:
        return f"{call} returned {show(value)}; every loss should be a finite number"
    if len(numbers) >= 2 and not numbers[-1] < numbers[0]:
        return (f"{call} returned the losses {show(value)}: the last is not below the "
                f"first, so the model did not learn (is optimizer.step() called, and the "
                f"loss computed on the model's output?)")
    return None


def judge_accuracy(name: str, accuracy: float, examples: int, at_least: float,
                   settings: dict) -> str | None:
    """The test accuracy of the model a training function trained: at least ``at_least``."""
    if not accuracy >= at_least:     # also catches NaN
        return (f"after {_training_call(name, settings)} the model classifies "
                f"{accuracy:.1%} of the {examples:,} test examples correctly; expected at "
                f"least {at_least:.0%}")
    return None


def _finite_numbers(values) -> list[float] | None:
    """``values`` as floats when it is a list or tuple of finite real numbers (or
    one-number arrays or tensors), else None."""
    if not isinstance(values, (list, tuple)):
        return None
    numbers = []
    for value in values:
        if not_numbers(value):
            return None
        value = to_numpy(value)
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
            value = value.item()
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)):
            return None
        try:
            number = float(value)
        except OverflowError:        # an integer too large for a float
            return None
        if not math.isfinite(number):
            return None
        numbers.append(number)
    return numbers
