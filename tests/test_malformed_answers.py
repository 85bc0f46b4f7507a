"""Malformed answers to every exercise: each check fails them in one line; none crashes,
passes or hangs.

The exercises are found, not listed: every answer cell (nbgrader ``solution``) of every
``solutions/*.ipynb``, with the graded check cells that follow it. Each notebook runs once,
in this process, with the solution's answers and only the definitions of its check cells
(no checks run, no network is trained). Then, for each name an answer cell defines and its
checks use, the name is replaced by a malformed answer and the checks (visible and hidden)
run on fresh copies of the notebook's data. A malformed answer either changes the value
(complex, text, masked, NaN, a wrong shape, a meta or bfloat16 tensor, an exception,
``sys.exit``, a model with other activations or pooling, losses that are not losses...):
the checks must raise ``CheckFailed``; or it keeps the value and only misbehaves (it empties
its inputs after computing the answer): the checks must pass. Any other exception that
escapes, from ``book`` or from a check cell's own code, is a failure, and so is a check that
runs past ``PER_CASE_TIMEOUT_S``; a sleeping answer is interrupted after
``SLEEP_TIMEOUT_S`` as a learner's Stop button would, and must be reported in one line.

Training answers never train: each malformed train function returns its losses at once.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import inspect
import io
import math
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager
from torch import nn

from book.check import CheckFailed

os.environ.setdefault("MPLBACKEND", "Agg")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
PER_CASE_TIMEOUT_S = 120
SLEEP_TIMEOUT_S = 0.5


# -- the exercises ---------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One name an answer cell defines, and the check cells that grade it."""

    notebook: Path
    grade_id: str
    target: str
    kind: str              # "function", "model" (check_model), "training", or "value"
    checks: tuple[int, ...]

    def __str__(self):
        return f"{self.notebook.stem}:{self.target}"


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("grade")) \
        and not _nbgrader(cell).get("solution")


def _python(cell) -> str:
    return TransformerManager().transform_cell(cell.source)


def _defined_names(tree: ast.Module) -> dict[str, str]:
    """Top-level names a cell defines: name -> "function" or "value"."""
    names = {}
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef):
            names[statement.name] = "function"
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = "value"
    return names


def _checked_by(trees: list[ast.Module], check: str) -> set[str]:
    """The names passed first to ``check(...)`` in the cells."""
    return {call.args[0].id for tree in trees for call in ast.walk(tree)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == check and call.args and isinstance(call.args[0], ast.Name)}


@functools.cache
def notebook_cells(notebook: Path) -> list:
    """The notebook's cells, read once: other work may rewrite the file meanwhile."""
    return nbformat.read(notebook, as_version=4).cells


def questions(notebook: Path) -> list[Question]:
    cells = notebook_cells(notebook)
    found = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or not _nbgrader(cell).get("solution"):
            continue
        checks = []
        for later in range(index + 1, len(cells)):
            if cells[later].cell_type == "code" and _nbgrader(cells[later]).get("solution"):
                break
            if _is_check(cells[later]):
                checks.append(later)
        trees = [ast.parse(_python(cells[i])) for i in checks]
        used = {node.id for tree in trees for node in ast.walk(tree)
                if isinstance(node, ast.Name)}
        models, trainings = _checked_by(trees, "check_model"), _checked_by(trees,
                                                                          "check_training")
        for name, kind in _defined_names(ast.parse(_python(cell))).items():
            if name in used:
                kind = "model" if name in models else "training" if name in trainings \
                    else kind
                found.append(Question(notebook, _nbgrader(cell)["grade_id"], name, kind,
                                      tuple(checks)))
    return found


# -- malformed answers -----------------------------------------------------------------
def _numbers(value) -> np.ndarray | None:
    """``value`` as a float array when it is numbers (a number, array, tensor, list)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().float().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    return array


def _leaf(make: Callable[[np.ndarray], object]) -> Callable:
    """A change of every number in a value: ``make`` turns the numbers (a float array) into
    the malformed answer; inside dicts, lists and tuples of other things each item is
    changed; anything that is not numbers becomes a malformed [5.0]."""
    def change(value):
        if isinstance(value, dict):
            return {key: change(item) for key, item in value.items()}
        array = _numbers(value)
        if array is None and isinstance(value, (list, tuple)) and value:
            return type(value)(change(item) for item in value)
        return make(array if array is not None else np.array([5.0]))
    return change


def _scalar_or(array: np.ndarray, whole, one):
    return one(array.item()) if array.ndim == 0 else whole(array)


CHANGES = {   # what a returned value becomes; each changes the value or its type
    "complex": _leaf(lambda a: _scalar_or(a, lambda a: a + 5j, lambda x: x + 5j)),
    "text": _leaf(lambda a: _scalar_or(a, lambda a: a.astype(str), str)),
    "masked": _leaf(lambda a: np.ma.masked_all(a.shape)),
    "nan": _leaf(lambda a: _scalar_or(a, lambda a: np.full(a.shape, np.nan),
                                      lambda x: math.nan)),
    "huge_int": _leaf(lambda a: _scalar_or(a, lambda a: np.full(a.shape, 10 ** 400,
                                                               dtype=object).tolist(),
                                           lambda x: 10 ** 400)),
    "meta_tensor": _leaf(lambda a: torch.empty(a.shape, device="meta")),
    "bfloat16_tensor": _leaf(lambda a: torch.from_numpy(a).to(torch.bfloat16)),
    "sparse_tensor": _leaf(lambda a: torch.from_numpy(a).to_sparse()),
    "wrong_length": _leaf(lambda a: _scalar_or(a, lambda a: np.concatenate([a, a[:1]]),
                                               lambda x: [x, x])),
    "wrong_shape": _leaf(lambda a: _scalar_or(a, lambda a: a[..., None],
                                              lambda x: np.full((2, 2), x))),
    "generator": _leaf(lambda a: (x for x in a.reshape(-1).tolist())),
    "none": lambda value: None,
}


def _raiser(error: Callable[[], BaseException]) -> Callable:
    def answer(*args, **kwargs):
        raise error()
    return answer


def _sleeper(*args, **kwargs):
    time.sleep(3600)


RAISES = {
    "sys_exit": _raiser(lambda: SystemExit(3)),
    "keyboard_interrupt": _raiser(KeyboardInterrupt),
    "error": _raiser(lambda: ValueError("a bug in the answer")),
    "sleeps": _sleeper,
}


def _returning(change: Callable) -> Callable:
    def variant(original):
        @functools.wraps(original)
        def answer(*args, **kwargs):
            return change(original(*args, **kwargs))
        return answer
    return variant


def _empty(value) -> None:
    """Spoil a mutable argument in place."""
    with contextlib.suppress(Exception):   # read-only arrays, frozen things: left as they are
        if isinstance(value, (list, dict)):
            value.clear()
        elif isinstance(value, np.ndarray):
            value[...] = 0
        elif isinstance(value, torch.Tensor):
            with torch.no_grad():
                value.zero_()
        elif isinstance(value, nn.Module):
            with torch.no_grad():
                for parameter in value.parameters():
                    parameter.zero_()


def _spoils_its_inputs(original):
    @functools.wraps(original)
    def answer(*args, **kwargs):
        result = copy.deepcopy(original(*args, **kwargs))
        for value in (*args, *kwargs.values()):
            _empty(value)
        return result
    return answer


def _swap(model: nn.Module, swaps: dict) -> bool:
    """Replace, in place, each submodule of a type in ``swaps`` by ``swaps[type](module)``."""
    swapped = False
    for name, child in model.named_children():
        if type(child) in swaps:
            setattr(model, name, swaps[type(child)](child))
            swapped = True
        else:
            swapped |= _swap(child, swaps)
    return swapped


def _pool(kind):
    return lambda pool: kind(pool.kernel_size, pool.stride, pool.padding)


def _swapped(swaps: dict) -> Callable:
    return lambda model: model if _swap(model, swaps) else NOT_APPLICABLE


NOT_APPLICABLE = object()   # a change of a model that has nothing it changes
ACTIVATIONS = (nn.Tanh, nn.ReLU, nn.Sigmoid)
MODEL_CHANGES = {   # what the built model becomes
    "relu_for_tanh": _swapped({nn.Tanh: lambda _: nn.ReLU()}),
    "tanh_for_relu": _swapped({nn.ReLU: lambda _: nn.Tanh()}),
    "sigmoid_activations": _swapped({kind: lambda _: nn.Sigmoid()
                                     for kind in (nn.Tanh, nn.ReLU)}),
    "no_activations": _swapped({kind: lambda _: nn.Identity() for kind in ACTIVATIONS}),
    "max_for_average_pooling": _swapped({nn.AvgPool2d: _pool(nn.MaxPool2d)}),
    "average_for_max_pooling": _swapped({nn.MaxPool2d: _pool(nn.AvgPool2d)}),
    "final_softmax": lambda m: nn.Sequential(m, nn.Softmax(dim=1)),
    "float64": lambda m: m.double(),
    "float16": lambda m: m.half(),
    "meta_device": lambda m: m.to("meta"),
    "lazy_convolutions": _swapped({nn.Conv2d: lambda c: nn.LazyConv2d(
        c.out_channels, c.kernel_size, c.stride, c.padding)}),
    "none": lambda m: None,
    "not_a_model": lambda m: "a model",
}


def _building(change: Callable) -> Callable:
    """A build function whose model is changed by ``change`` (NOT_APPLICABLE when the
    solution's model has nothing it changes)."""
    def variant(original):
        if change(original()) is NOT_APPLICABLE:
            return NOT_APPLICABLE
        return functools.wraps(original)(lambda: change(original()))
    return variant


def _epochs(original, args, kwargs) -> int:
    bound = inspect.signature(original).bind(*args, **kwargs)
    bound.apply_defaults()
    return int(bound.arguments.get("epochs", 3))


def _losses(make: Callable[[int], object], spoil_model: Callable | None = None):
    """A train function that trains nothing and returns ``make(epochs)`` at once."""
    def variant(original):
        @functools.wraps(original)
        def answer(model, *args, **kwargs):
            if spoil_model is not None:
                spoil_model(model)
            return make(_epochs(original, (model, *args), kwargs))
        return answer
    return variant


def _decreasing(epochs: int) -> list[float]:
    return [2.0 / (epoch + 1) for epoch in range(epochs)]


TRAINING_CHANGES = {
    "none_losses": _losses(lambda n: [None] * n),
    "nan_losses": _losses(lambda n: [math.nan] * n),
    "constant_losses": _losses(lambda n: [0.5] * n),
    "increasing_losses": _losses(lambda n: [0.1 * (e + 1) for e in range(n)]),
    "text_losses": _losses(lambda n: [str(x) for x in _decreasing(n)]),
    "complex_losses": _losses(lambda n: [x + 1j for x in _decreasing(n)]),
    "huge_int_losses": _losses(lambda n: [10 ** 400] + [1] * (n - 1)),
    "meta_tensor_losses": _losses(lambda n: [torch.empty((), device="meta")] * n),
    "one_loss_too_many": _losses(lambda n: _decreasing(n + 1)),
    "a_generator": _losses(lambda n: (x for x in _decreasing(n))),
    "a_single_number": _losses(lambda n: 0.1),
    "made_up_losses_no_training": _losses(_decreasing),
    "model_moved_to_meta": _losses(_decreasing, lambda model: model.to("meta")),
    "model_made_float64": _losses(_decreasing, lambda model: model.double()),
}


def variants(question: Question) -> dict[str, tuple[Callable, bool]]:
    """name -> (a function of the right answer that returns the malformed one, whether the
    checks must pass it: only when it keeps the value)."""
    raising = {name: (lambda original, answer=answer: answer, False)
               for name, answer in RAISES.items()}
    if question.kind == "value":
        return {name: (change, False) for name, change in CHANGES.items()}
    if question.kind == "training":
        return {**{name: (make, False) for name, make in TRAINING_CHANGES.items()},
                **raising}
    if question.kind == "model":
        return {**{name: (_building(change), False) for name, change in
                   MODEL_CHANGES.items()}, **raising}
    return {**{name: (_returning(change), False) for name, change in CHANGES.items()},
            **raising, "spoils_its_inputs": (_spoils_its_inputs, True)}


# -- running a notebook's checks ---------------------------------------------------------
def _definitions_only(source: str) -> str:
    """A check cell without its top-level expressions (the check calls, prints)."""
    tree = ast.parse(source)
    tree.body = [statement for statement in tree.body if not isinstance(statement, ast.Expr)]
    return ast.unparse(tree)


@functools.cache
def solved(notebook: Path) -> dict:
    """The namespace of ``notebook`` run with its solutions, no check run."""
    cells = notebook_cells(notebook)
    namespace = {"__name__": "__main__"}
    with _in(notebook.parent), contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            source = _python(cell)
            if _is_check(cell):
                source = _definitions_only(source)
            exec(compile(source, f"{notebook.name} cell {index}", "exec"), namespace)
    return namespace


@contextlib.contextmanager
def _in(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _fresh(value):
    if isinstance(value, (np.ndarray, torch.Tensor, list, dict, tuple, set)):
        with contextlib.suppress(Exception):
            return copy.deepcopy(value)
    return value


@contextlib.contextmanager
def _deadline(seconds: float, passed: list):
    def interrupt(signum, frame):
        passed.append(True)
        # A learner's Stop button raises KeyboardInterrupt where the code is.
        raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_checks(question: Question, answer, timeout: float) -> tuple[str, str]:
    """Run the question's check cells with ``answer`` in place of its name:
    ("passed" | "failed" | "crashed" | "hung", what was shown).

    The notebook's data are fresh copies, and its answer cells run again in the copy, so
    that the solution's other functions, which may call the replaced name, call ``answer``
    as they would in the student's notebook.
    """
    cells = notebook_cells(question.notebook)
    namespace = {key: _fresh(value) for key, value in solved(question.notebook).items()}
    passed: list = []
    try:
        with _in(question.notebook.parent), contextlib.redirect_stdout(io.StringIO()):
            for index, cell in enumerate(cells):
                if cell.cell_type == "code" and _nbgrader(cell).get("solution"):
                    exec(compile(_python(cell), f"{question.notebook.name} cell {index}",
                                 "exec"), namespace)
            namespace[question.target] = answer
            with _deadline(timeout, passed):
                for index in question.checks:
                    exec(compile(_python(cells[index]),
                                 f"{question.notebook.name} cell {index}", "exec"), namespace)
    except CheckFailed as failure:
        return ("hung" if passed and timeout != SLEEP_TIMEOUT_S else "failed"), str(failure)
    except BaseException as error:  # noqa: B036 - anything else escaping is what we look for
        frames = traceback.extract_tb(error.__traceback__)
        cell = next(frame for frame in frames if frame.filename.startswith(
            question.notebook.name + " cell "))
        shown = (f"{type(error).__name__}: {error} (from {cell.filename} line {cell.lineno}, "
                 f"raised at {frames[-1].filename}:{frames[-1].lineno})")
        return ("hung" if passed else "crashed"), shown
    return ("hung" if passed else "passed"), ""


ALL = [(question, name) for notebook in SOLUTIONS for question in questions(notebook)
       for name in variants(question)]


def test_every_exercise_has_malformed_answers():
    """The discovery finds the exercises: at least 200 malformed answers over them all."""
    assert len({q.grade_id for q, _ in ALL}) >= 20 and len(ALL) >= 200, len(ALL)


@pytest.mark.parametrize("question", sorted({q for q, _ in ALL if q.kind != "training"},
                                            key=str), ids=str)
def test_the_solution_passes_its_checks(question):
    """The harness is sound: the notebook's own answer passes (training is not rerun)."""
    outcome, shown = run_checks(question, solved(question.notebook)[question.target],
                                PER_CASE_TIMEOUT_S)
    assert outcome == "passed", shown


@pytest.mark.parametrize("question, name", ALL, ids=[f"{q}-{n}" for q, n in ALL])
def test_a_malformed_answer_gets_one_line_never_a_crash_or_a_pass(question, name):
    make, keeps_the_value = variants(question)[name]
    answer = make(solved(question.notebook)[question.target])
    if answer is NOT_APPLICABLE:
        pytest.skip("the change does not apply to this model")
    timeout = SLEEP_TIMEOUT_S if name == "sleeps" else PER_CASE_TIMEOUT_S
    outcome, shown = run_checks(question, answer, timeout)
    expected = "passed" if keeps_the_value else "failed"
    assert outcome == expected, f"{outcome}: {shown}"
    assert "\n" not in shown, shown
