"""Checks for the exercises: clear feedback, never a crash of the checker.

Every check either prints one line saying what passed or raises :class:`CheckFailed` whose
message names the failing input, the expected value and the value the student's code gave.
Large arrays are summarised (shape, where they first differ), never printed whole.

A check observes the student's answer (:mod:`book.check.observe`), then judges the
observation (:mod:`book.check.judge`): a value that is no number (complex, text, a meta
tensor, ...) is named as such (:mod:`book.check.values`), a usual mistake is named
(:mod:`book.check.diagnose`), and a model is compared by what it computes with fixed
weights (:mod:`book.check.probe`). Under the grader it also records what it observed
(:mod:`book.check.record`), and in a hidden part it only observes: the grader judges outside
the student's process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from book.check import record
from book.check.diagnose import flips_the_kernel
from book.check.encoding import decode, encode
from book.check.judge import (
    difference,
    judge_accuracy,
    judge_case,
    judge_losses,
    judge_model,
    judge_table,
    judge_value,
    what_it_raised,
)
from book.check.observe import (
    Outcome,
    describe_call,
    fresh,
    observe_call,
    observe_model,
    observe_training,
    show,
)
from book.check.probe import model_probe, probe_input, probe_parameters
from book.check.trained import accuracy, architecture, parameters
from book.check.values import whole_number_problem

__all__ = ["Case", "CheckFailed", "check_function", "check_model", "check_table",
           "check_training", "check_value", "check_whole_number", "describe_call",
           "difference", "model_probe", "probe_input", "probe_parameters", "show"]


class CheckFailed(AssertionError):
    """A check did not pass; the message says why in terms of the exercise.

    In a notebook it shows as that message alone, in red, without the traceback into this
    package that would bury it: IPython (7 and later, so Colab, JupyterLab, Notebook) shows
    what ``_render_traceback_`` returns instead of a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[1;31m✗ check failed:\x1b[0m {self}"]


@dataclass
class Case:
    """One call of the student's function: positional ``args``, keyword ``kwargs``.

    expected: the right answer; leave it out to compute it with the check's reference.
    raises: an exception type the call must raise instead of returning (e.g. ValueError).
    mistakes: what a usual wrong answer returns, by the feedback it deserves: when the
    student's result equals one of the values (to the check's tolerance), its message is
    the feedback, e.g. ``Case((x, 3), expected=10, mistakes={"divide by the stride, then
    add 1": 11})``. Mistakes every check recognises need not be listed: a transposed
    result, a size off by one or two, channels not summed, a constant offset (the bias), a
    flipped kernel (:mod:`book.check.diagnose`).
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    raises: type[BaseException] | None = None
    mistakes: dict[str, Any] = field(default_factory=dict)

    def call(self, function):
        return function(*fresh(self.args), **fresh(self.kwargs))


def _fail_on(problem: str | None) -> None:
    if problem:
        raise CheckFailed(problem)


def check_function(function: Callable, cases: list[Case], reference: Callable | None = None,
                   name: str | None = None, atol: float = 1e-6) -> None:
    """Call ``function`` on every case and compare with the expected value or the reference.

    Raises CheckFailed at the first case that goes wrong, with the input, expected and actual
    value; prints one line when every case passes. Each call gets fresh copies of the inputs.
    """
    name = name or getattr(function, "__name__", "your function")
    with record.recording("function", name, {"atol": atol}) as observations:
        for case in cases:
            call = describe_call(name, case)
            raises = case.raises.__name__ if case.raises is not None else ""
            expected = None
            if not raises and not observations.hidden:
                expected = case.expected if reference is None or case.expected is not None \
                    else case.call(reference)
            got = observe_call(function, case.args, case.kwargs)
            observations.add_case(call, raises, got)
            if got.kind == "not callable" and observations.hidden:
                break
            if not observations.hidden:
                problem = judge_case(name, call, raises, expected, got, atol)
                _fail_on(problem and _explained(problem, function, case, call, expected,
                                                got, atol))
    if not observations.hidden:
        print(f"✓ {name}: all {len(cases)} checks passed")


def _explained(problem: str, function: Callable, case: Case, call: str, expected,
               got: Outcome, atol: float) -> str:
    """The feedback for a wrong result: the author's message for a listed mistake, else
    the judge's ``problem``, which names the generic mistakes it recognises itself."""
    if got.kind != "value" or case.raises is not None:
        return problem
    for message, value in case.mistakes.items():
        if difference(got.value, value, atol=atol) is None:
            return f"{call} returned {show(got.value)}: {message}"
    if flips_the_kernel(function, case.args, case.kwargs, expected,
                        lambda actual, right: difference(actual, right, atol=atol)):
        return (f"{call} returned {show(got.value)}: with the kernel turned by 180 degrees "
                "your function gives the right result, so it flips the kernel where it "
                "should not (a CNN layer slides it as it is), or forgets a flip it needs")
    return problem


def check_value(actual, expected, name: str, atol: float = 1e-6) -> None:
    """Compare a value the student computed (not a function) with the expected one."""
    with record.recording("value", name, {"atol": atol}) as observations:
        observations.add(value=Outcome("value", actual))
        if observations.hidden:
            return
        _fail_on(judge_value(name, actual, expected, atol))
    print(f"✓ {name} is correct")


def check_whole_number(value, name: str, choices: tuple[int, ...] | None = None,
                       minimum: int | None = None) -> None:
    """Check only the form of a short answer whose value the hidden checks grade: a whole
    number (12, 12.0 or numpy's 12), one of ``choices`` or at least ``minimum``.

    The visible check cannot hold the answer (it would be on the student's page), so it
    says what is wrong with the form in one line and leaves the value to the grader.
    """
    problem = whole_number_problem(value, choices, minimum)
    with record.recording("value", f"the form of {name}", {"atol": 0}) as observations:
        observations.add(value=Outcome("value", problem is None))
        if observations.hidden:
            return
        _fail_on(problem and f"{name} {problem}")
    print(f"✓ {name} is a whole number of the right kind; the hidden checks grade its value")


def check_table(function: Callable, expected: dict | None = None, name: str | None = None,
                reference: Callable | None = None) -> None:
    """Call ``function()`` and compare the dict it returns with ``expected``, entry by entry.

    reference: a function returning the expected dict, used when ``expected`` is left out.
    """
    name = name or getattr(function, "__name__", "your function")
    with record.recording("table", name, {}) as observations:
        got = observe_call(function)
        observations.add(outcome=got)
        if observations.hidden:
            return
        expected = expected if expected is not None else reference()
        _fail_on(judge_table(name, got, expected))
    print(f"✓ {name}: all {len(expected)} entries are correct")


def check_model(build: Callable, input_shape: tuple, output_shape: tuple | None = None,
                parameters: int | None = None, layer_shapes: list | None = None,
                name: str | None = None, reference: Callable | None = None,
                probe: list | None = None) -> None:
    """Check the PyTorch model that ``build()`` returns: its shapes and what it computes.

    input_shape: a batch shape to feed, e.g. (2, 1, 28, 28); output_shape: what must come
    out; parameters: the number of trainable parameters; layer_shapes: the output shapes
    (without the batch axis) of its convolution and pooling layers, in the order they run.
    probe: the expected output for the first example (flattened) when every parameter is
    set by :func:`probe_parameters` and the input is ``probe_input(input_shape)``, computed
    in float64 (compared with a relative tolerance of 1e-5): it tells apart activations,
    pooling kinds and a final softmax, which shapes and counts cannot. Authors get the list
    from :func:`model_probe`.
    reference: a function building the right model, used instead of all four.
    """
    name = name or getattr(build, "__name__", "your function")
    compares_parameters = parameters is not None or reference is not None
    compares_behaviour = probe is not None or reference is not None
    settings = {"input_shape": list(input_shape), "parameters": compares_parameters,
                "layer_shapes": layer_shapes is not None or reference is not None,
                "probe": compares_behaviour}
    with record.recording("model", name, settings) as observations:
        got = observe_model(build, input_shape)
        observations.add(model=got)
        if observations.hidden:
            return
        if reference is not None:
            right = observe_model(reference, input_shape)
            output_shape, parameters = right["output_shape"], right["parameters"]
            layer_shapes = [shape for _, shape in right["layers"]]
            probe = decode(right["probe"])
        _fail_on(judge_model(name, got, tuple(input_shape), output_shape, parameters,
                             layer_shapes, probe))
    checked = ["shapes"] + ["parameter count"] * compares_parameters \
        + ["outputs"] * compares_behaviour
    print(f"✓ {name}: {', '.join(checked[:-1])}{' and ' if len(checked) > 1 else ''}"
          f"{checked[-1]} are correct")


def check_training(train_function: Callable, make_model: Callable, train_data: tuple,
                   test_data: tuple, at_least: float, name: str | None = None,
                   seed: int = 0, **kwargs) -> None:
    """Train a fresh model with the student's function and require a test accuracy.

    make_model(): a new model; train_data, test_data: (inputs, labels) tensors;
    ``train_function(model, inputs, labels, **kwargs)`` must return the list of per-epoch
    losses (one float per epoch when ``epochs`` is in kwargs), finite, the last below the
    first. Fails unless the trained model classifies at least the fraction ``at_least`` of
    the test data correctly.

    Under the grader it records the losses and the trained parameters, never an accuracy:
    the grader measures that itself, on the test data and the architecture of the
    solution's own run (:mod:`book.check.trained`).
    """
    name = name or getattr(train_function, "__name__", "your function")
    settings = {"at_least": at_least, "seed": seed, "train_settings": kwargs}
    with record.recording("training", name, settings) as observations:
        model, losses = observe_training(train_function, make_model, train_data, seed, kwargs)
        trained = losses.kind == "value"
        observations.add(losses=losses,
                         parameters=encode(parameters(model)) if trained else None)
        if observations.reference and trained:
            observations.add(architecture=architecture(model, test_data[0]),
                             test_inputs=encode(test_data[0]), test_labels=encode(test_data[1]))
        if observations.hidden:
            return
        inputs, labels = test_data
        _fail_on(judge_losses(name, losses, kwargs))
        tested = observe_call(accuracy, (model, inputs, labels))
        if tested.kind != "value":
            raise CheckFailed(f"after {name} the trained model fails on the test data: it "
                              f"{what_it_raised(tested)}")
        got = tested.value
        _fail_on(judge_accuracy(name, got, len(labels), at_least, kwargs))
    print(f"✓ {name}: the trained model classifies {got:.1%} of the "
          f"{len(labels):,} test examples correctly")
