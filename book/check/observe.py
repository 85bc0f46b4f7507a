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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from book.check.encoding import decode, encode, is_tensor, safe_repr, to_numpy
from book.check.values import not_numbers

SMALL_ARRAY = 16  # arrays with at most this many entries are shown in full in messages


def show(value) -> str:
    """A short description of a value for a feedback message: a tensor of one number reads
    "tensor(41)", so that it is not mistaken for the number it holds."""
    if is_tensor(value) and (value.is_meta or str(value.layout) != "torch.strided"):
        return not_numbers(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray) or is_tensor(value):
        array = np.asarray(to_numpy(value))
        if array.size <= SMALL_ARRAY:
            shown = one_line(np.array2string(array, separator=", "))
            return f"tensor({shown})" if is_tensor(value) and array.ndim == 0 else shown
        return f"an array of shape {array.shape}"
    text = one_line(safe_repr(value))
    return text if len(text) <= 80 else text[:77] + "..."


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (a feedback message is one line), at most ``limit`` characters."""
    text = re.sub(r"\s*\n\s*", " ", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


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


def raised(error: BaseException) -> Outcome:
    """The outcome of student code that raised ``error`` (any exception, SystemExit too)."""
    if isinstance(error, NotImplementedError):
        return Outcome("not written")
    return Outcome("raised", error=type(error).__name__,
                   error_kinds=tuple(k.__name__ for k in type(error).__mro__),
                   message=safe_str(error))


def safe_str(error: BaseException) -> str:
    """``str(error)``, or what it is when the student's exception cannot be shown."""
    try:
        return one_line(str(error))
    except Exception:   # an exception class of the student's whose __str__ raises
        return f"<{type(error).__name__} whose message could not be shown>"


def observe_call(function: Callable, args: tuple = (), kwargs: dict | None = None,
                 keep: tuple = ()) -> Outcome:
    """Call the student's ``function`` on fresh copies of the arguments; what happened.

    keep: leading arguments passed as they are (the model a training function trains).
    Any exception is observed, SystemExit and KeyboardInterrupt included: a student's
    ``sys.exit()`` or ``exit()`` must not stop the check (or the grader's kernel).
    """
    if not callable(function):
        return Outcome("not callable", message=show(function))
    try:
        return Outcome("value", function(*keep, *fresh(args), **fresh(kwargs or {})))
    except BaseException as error:  # noqa: B036 - the student's code: observed, never a crash
        return raised(error)


def _unusable_parameters(model) -> str:
    """Why the parameters of ``model`` cannot be counted or run on float32 data ("" if they
    can): lazy layers, the meta device, a dtype other than float32."""
    import torch
    from torch import nn

    lazy = [type(m).__name__ for m in model.modules()
            if isinstance(m, nn.modules.lazy.LazyModuleMixin)]
    if lazy or any(isinstance(p, nn.parameter.UninitializedParameter)
                   for p in model.parameters()):
        return f"lazy:{lazy[0] if lazy else 'a lazy parameter'}"
    for parameter in model.parameters():
        if parameter.is_meta:
            return "meta:"
        if parameter.dtype != torch.float32:
            return f"dtype:{str(parameter.dtype).removeprefix('torch.')}"
    return ""


def _run(model, input_shape: tuple, seen_layers: list, seen_modules: list):
    """The output of ``model`` on zeros of ``input_shape``, noting each leaf module that runs
    (its type's name) and the output shape of each convolution and pooling layer."""
    import torch
    from torch import nn

    kinds = (nn.Conv1d, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)

    def note(module, inputs, output):
        seen_modules.append(type(module).__name__)
        if isinstance(module, kinds) and isinstance(output, torch.Tensor):
            seen_layers.append([type(module).__name__, list(output.shape[1:])])

    hooks = [module.register_forward_hook(note) for module in model.modules()
             if not any(True for _ in module.children())]
    try:
        with torch.no_grad():
            return model(torch.zeros(input_shape))
    finally:
        for hook in hooks:
            hook.remove()


def observe_model(build: Callable, input_shape: tuple) -> dict:
    """The model ``build()`` makes: parameter count, output shape, conv/pool layers' shapes,
    and its behaviour (:func:`book.check.probe.probe_output`).

    Keys: "build" (the call's :class:`Outcome`, its value replaced by a description),
    "is_model", "unusable" ("kind:detail" when its parameters are lazy, on the meta device
    or not float32, else ""), "parameters", "layers" ([kind, shape without the batch axis]
    in the order they run), "runs" (the type names of the leaf modules, in the order they
    run), "output_shape" (None when the output is not a tensor), "output" (a description),
    "forward_error" ("Type: message" when the forward pass raised), "probe" (the encoded
    probe output) and, when the probe could not be computed, "probe_error".
    """
    from torch import nn

    from book.check.probe import probe_output

    built = observe_call(build)
    model = built.value
    observed = {"build": Outcome(built.kind, None, built.error, built.error_kinds,
                                 built.message), "is_model": isinstance(model, nn.Module),
                "shown": show(model), "unusable": "", "parameters": None, "layers": [],
                "runs": [], "output_shape": None, "output": "", "forward_error": "",
                "probe": None, "probe_error": ""}
    if built.kind != "value" or not observed["is_model"]:
        return observed
    try:
        observed["unusable"] = _unusable_parameters(model)
        if observed["unusable"]:
            return observed
        observed["parameters"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
        output = _run(model, input_shape, observed["layers"], observed["runs"])
    except BaseException as error:  # noqa: B036 - the student's module code
        observed["forward_error"] = _error_line(error)
        return observed
    if is_tensor(output):
        observed["output_shape"] = list(output.shape)
    observed["output"] = show(output)
    try:
        observed["probe"] = encode(probe_output(model, input_shape))
    except BaseException as error:  # noqa: B036 - the student's module code, in float64
        observed["probe_error"] = _error_line(error)
    return observed


def _error_line(error: BaseException) -> str:
    outcome = raised(error)
    return f"{outcome.error}: {outcome.message}" if outcome.kind == "raised" \
        else "NotImplementedError: not written yet"


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
