"""No answer is reachable from a student page (issue 14).

For each ``solutions/*.ipynb``, the student edition's code (setup cells, answer stubs,
visible checks) runs once, statement by statement, in a fresh namespace; what fails (a stub,
a check of a stub) is skipped. Every callable it leaves behind is a candidate answer, and so
is every public function and class of each ``book`` module it imports, and every callable a
visible check hands to ``book.check`` (a ``reference=`` lambda is an answer on the page too).

Then, for every question, each name that its answer cells define as a function or class and
its checks use is bound to each candidate in turn (the question's other names keep the
solution's definitions), and the question's visible and hidden checks run. A candidate that
passes them all is an answer the page gives away. Answers that are values (a multiple-choice
number) have no callable to find and are left out; so is a candidate that runs past
``TRIAL_SECONDS`` (a training check with a function that happens to train).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import signal
import sys
from pathlib import Path
from types import CodeType

import matplotlib
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import book.check
from book.authoring.exercises import solution_answers, student_edition
from book.grading.assignment import assignment_of

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
TRIAL_SECONDS = 5
RECORDED_CHECKS = ("check_function", "check_table", "check_model", "check_training")


class TrialTimeout(Exception):
    """A candidate ran past TRIAL_SECONDS: counted as not passing."""


def statements(source: str) -> list[ast.Module]:
    """A cell's top-level statements, each as a module of its own (magics made Python)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    return [ast.Module([node], type_ignores=[]) for node in tree.body]


def run_quietly(code: ast.Module | CodeType, namespace: dict) -> bool:
    """Execute ``code`` in ``namespace`` with its output discarded; whether it raised nothing."""
    if isinstance(code, ast.Module):
        code = compile(code, "<notebook>", "exec")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            exec(code, namespace)
        except Exception:
            return False
    return True


def handed_to_checks(monkeypatch) -> list:
    """Make the checks of book.check record every callable passed to them besides the
    student's function (references, builders); returns the list they fill."""
    handed = []

    def recording(check):
        def recorded(function, *args, **kwargs):
            handed.extend(v for v in (*args, *kwargs.values()) if callable(v))
            return check(function, *args, **kwargs)
        return recorded

    for name in RECORDED_CHECKS:
        monkeypatch.setattr(book.check, name, recording(getattr(book.check, name)))
    return handed


def page_namespace(solution) -> tuple[dict, list, set[str]]:
    """What the student edition's code leaves defined, the callables its checks were handed
    while it ran, and the book modules it imports."""
    namespace, modules = {"__name__": "__main__"}, set()
    with pytest.MonkeyPatch.context() as monkeypatch:
        handed = handed_to_checks(monkeypatch)
        for cell in student_edition(solution).cells:
            if cell.cell_type == "code":
                for statement in statements(cell.source):
                    modules |= imported_modules(statement)
                    run_quietly(statement, namespace)
    plt.close("all")
    return namespace, handed, {m for m in modules if m == "book" or m.startswith("book.")}


def imported_modules(statement: ast.Module) -> set[str]:
    """The modules a statement imports from (``from book import conv`` counts book.conv)."""
    modules = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names
                                        if f"{node.module}.{alias.name}" in sys.modules}
    return modules


def candidates(namespace: dict, handed: list, modules: set[str]) -> dict[str, object]:
    """Every callable the page reaches, by a name that says where it comes from."""
    found = {name: value for name, value in namespace.items()
             if callable(value) and not name.startswith("_")}
    for module_name in sorted(modules):
        module = sys.modules[module_name]
        found.update({f"{module_name}.{name}": value for name, value in vars(module).items()
                      if callable(value) and not name.startswith("_")
                      and (getattr(value, "__module__", "") or "").startswith("book")})
    found.update({f"a callable handed to a visible check ({i})": value
                  for i, value in enumerate(handed)})
    unique = {}
    for name, value in found.items():
        unique.setdefault(id(value), (name, value))
    return dict(unique.values())


def defined_names(source: str) -> list[str]:
    """Top-level names an answer cell defines (functions, classes, assignments)."""
    names = []
    for node in ast.parse(TransformerManager().transform_cell(source)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def _on_alarm(signum, frame):
    raise TrialTimeout(f"ran past {TRIAL_SECONDS} s")


def passes(checks: CodeType, namespace: dict, seconds: int | None = TRIAL_SECONDS) -> bool:
    """Whether the checks run through in a copy of ``namespace`` (within ``seconds``)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(seconds or 0)
    try:
        return run_quietly(checks, dict(namespace))
    except TrialTimeout:
        return False
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        plt.close("all")


def solved_namespace(solution) -> dict:
    """What the whole solution notebook leaves defined, hidden checks included (a question's
    hidden checks may use what an earlier one set up, as they do under the grader)."""
    namespace = {"__name__": "__main__"}
    for cell in solution.cells:
        if cell.cell_type == "code":
            for statement in statements(cell.source):
                run_quietly(statement, namespace)
    plt.close("all")
    return namespace


def reachable_answers(solution, file_name: str) -> list[str]:
    """'question: name = candidate' for every candidate that passes a question's checks."""
    assignment = assignment_of(solution, file_name)
    page, handed, modules = page_namespace(solution)
    reachable = candidates(page, handed, modules)
    answers = solution_answers(solution)
    solved = solved_namespace(solution)
    found = []
    for question in assignment.questions:
        if question.manual:
            continue
        source = question.visible + "\n" + question.hidden
        checks = compile(source, question.grade_id, "exec")
        checked = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
        names = [name for grade_id in question.answers for name in defined_names(answers[grade_id])
                 if name in checked and callable(solved.get(name))]
        assert passes(checks, solved, seconds=None), \
            f"{question.grade_id}: the solution fails its own checks"
        for name in names:
            found += [f"{question.grade_id}: {name} = {label}"
                      for label, candidate in reachable.items()
                      if passes(checks, {**solved, name: candidate})]
    return found


@pytest.mark.slow    # every candidate against every question: about a minute for the book
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_answer_is_reachable_from_the_student_page(path, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)     # a candidate that writes files writes them here
    solution = nbformat.read(path, as_version=4)
    assert reachable_answers(solution, path.name) == []


def planted(solution, line: str):
    """A copy of the solution whose first setup cell (after the Colab one) also runs line."""
    copied = copy.deepcopy(solution)
    setup = next(c for c in copied.cells[1:] if c.cell_type == "code")
    setup.source += "\n" + line
    return copied


BLUR = "lambda size: np.ones((size, size)) / size ** 2"


@pytest.mark.parametrize("leak, question", [
    # The setup cell's import that answered exercise 1 before issue 14.
    ("from book.conv import corr2d", "corr2d_checks: corr2d = book.conv.corr2d"),
    # A visible check that hands the answer to book.check as its reference.
    (f"check_function(len, [Case(([1],))], reference={BLUR})",
     "filters_checks: box_blur_kernel = a callable handed to a visible check"),
], ids=["import in the setup cell", "reference in a visible check"])
def test_a_planted_leak_is_found(leak, question, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    path = ROOT / "solutions" / "03_convolution.ipynb"
    solution = planted(nbformat.read(path, as_version=4), leak)
    found = reachable_answers(solution, path.name)
    assert [f for f in found if f.startswith(question)], found
