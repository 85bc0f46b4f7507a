"""Observing a student's answer: what a call returned or raised, described as plain data.

A check (:mod:`book.check`) first observes, then judges (:mod:`book.check.judge`). Observing calls
the student's function on fresh deep copies of a case's inputs and keeps an :class:`Outcome`:
the value it returned, or the exception it raised (by type name), or that it is still the
exercise's stub or not a function at all. Models are observed into dicts of numbers and
shapes, training runs into the trained model and its losses. Under the grader,
:mod:`book.check.record` writes these observations to a file so that the grader judges them
outside the student's process.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from book.check.encoding import decode, encode, is_tensor, safe_repr, to_numpy

SMALL_ARRAY = 16  # arrays with at most this many entries are shown in full in messages


def show(value) -> str:
    """A short description of a value for a feedback message."""
    if isinstance(value, np.ndarray) or is_tensor(value):
        array = np.asarray(to_numpy(value))
        if array.size <= SMALL_ARRAY:
            return np.array2string(array, separator=", ")
        return f"an array of shape {array.shape}"
    text = safe_repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_call(name: str, case) -> str:
    """``name(args, key=value)`` for a case (anything with ``args`` and ``kwargs``)."""
    parts = [show(a) for a in case.args] + [f"{k}={show(v)}" for k, v in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


@dataclass
class Outcome:
    """What calling the student's code gave.

    kind: "value" (it returned ``value``), "raised" (an exception: ``error`` is its type's
    name, ``error_kinds`` the names of its classes, ``message`` its text), "not written"
    (it raised NotImplementedError: still the stub) or "not callable" (``message`` shows
    what it is instead).
    """

    kind: str
    value: Any = None
    error: str = ""
    error_kinds: tuple[str, ...] = ()
    message: str = ""

    def to_json(self) -> dict:
        """The outcome as JSON-ready data (its value encoded by :func:`encode`)."""
        return {"kind": self.kind, "value": encode(self.value), "error": self.error,
                "error_kinds": list(self.error_kinds), "message": self.message}

    @classmethod
    def from_json(cls, data: dict) -> Outcome:
        """An outcome from :meth:`to_json`'s data (ValueError when it is not such data)."""
        if not isinstance(data, dict) or data.get("kind") not in (
                "value", "raised", "not written", "not callable"):
            raise ValueError("not an observed outcome")
        return cls(data["kind"], decode(data.get("value")), str(data.get("error", "")),
                   tuple(str(k) for k in data.get("error_kinds", ())),
                   str(data.get("message", "")))


def fresh(value):
    """A deep copy of a case's input, so that a function that changes it harms no other case."""
    try:
        return copy.deepcopy(value)
    except Exception:   # an input that cannot be copied is passed as it is
        return value


def observe_call(function: Callable, args: tuple = (), kwargs: dict | None = None,
                 keep: tuple = ()) -> Outcome:
    """Call the student's ``function`` on fresh copies of the arguments; what happened.

    keep: leading arguments passed as they are (the model a training function trains).
    """
    if not callable(function):
        return Outcome("not callable", message=show(function))
    try:
        return Outcome("value", function(*keep, *fresh(args), **fresh(kwargs or {})))
    except NotImplementedError:
        return Outcome("not written")
    except Exception as error:  # the student's code: observed, never a crash of the checker
        return Outcome("raised", error=type(error).__name__,
                       error_kinds=tuple(k.__name__ for k in type(error).__mro__),
                       message=str(error))


def observe_model(build: Callable, input_shape: tuple) -> dict:
    """The model ``build()`` makes: parameter count, output shape, conv/pool layers' shapes.

    Keys: "build" (the call's :class:`Outcome`, its value replaced by a description),
    "is_model", "parameters", "layers" ([kind, shape without the batch axis] in the order
    they run), "output_shape" (None when the output is not a tensor), "output" (a
    description) and "forward_error" ("Type: message" when the forward pass raised).
    """
    import torch
    from torch import nn

    built = observe_call(build)
    model = built.value
    observed = {"build": Outcome(built.kind, None, built.error, built.error_kinds,
                                 built.message), "is_model": isinstance(model, nn.Module),
                "shown": show(model), "parameters": None, "layers": [], "output_shape": None,
                "output": "", "forward_error": ""}
    if built.kind != "value" or not observed["is_model"]:
        return observed
    observed["parameters"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    seen = observed["layers"]
    kinds = (nn.Conv1d, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
    hooks = [module.register_forward_hook(
        lambda module, inputs, output: seen.append([type(module).__name__,
                                                    list(output.shape[1:])]))
        for module in model.modules() if isinstance(module, kinds)]
    try:
        with torch.no_grad():
            output = model(torch.zeros(input_shape))
    except Exception as error:
        observed["forward_error"] = f"{type(error).__name__}: {error}"
        return observed
    finally:
        for hook in hooks:
            hook.remove()
    if isinstance(output, torch.Tensor):
        observed["output_shape"] = list(output.shape)
    observed["output"] = show(output)
    return observed


def observe_training(train_function: Callable, make_model: Callable, train_data: tuple,
                     seed: int, settings: dict) -> tuple[Any, Outcome]:
    """Train a fresh ``make_model()`` with the student's function, seeded with ``seed``.

    Returns (the model, the call's :class:`Outcome`, whose value is the per-epoch losses);
    the model is in eval mode, ready to be tested.
    """
    import torch

    torch.manual_seed(seed)
    model = make_model()
    losses = observe_call(train_function, train_data, settings, keep=(model,))
    model.eval()
    return model, losses
