"""The assignment: what the grader needs from a solution notebook, read from it once.

``load_assignment(path)`` reads ``solutions/<name>.ipynb`` and returns an :class:`Assignment`:
its code cells in order (setup, answer and check cells), the empty exercise version of each
answer cell, the questions (each graded check cell, with its points and its visible and
hidden checks) and the names the instructor's cells import (for :mod:`book.grading.guard`).
An ``Assignment`` goes to JSON and back, so a grader process receives it without reading the
notebook again. Its ``digest`` names the solution and the grader together: every result
carries it, and ``--resume`` keeps only results graded against the same digest.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from book.authoring.exercises import HIDDEN_TESTS, replace_regions, student_notebook

# Modules whose namespaces change as a matter of course: never fingerprinted.
UNWATCHED_MODULES = {"sys", "builtins", "__main__", "os"}


@dataclass
class Question:
    """One graded check cell of the solution notebook."""

    grade_id: str
    title: str
    points: float
    visible: str            # the check code students see
    hidden: str             # the hidden checks ("" when there are none)
    answers: list[str]      # grade_ids of the answer cells this question checks
    manual: bool = False    # a graded answer cell with no check: graded by hand


@dataclass
class SolutionCell:
    """One code cell of the solution notebook, in the notebook's order.

    role: "setup" (an instructor cell the grader runs as it is), "answer" (the student's
    cell goes here) or "check" (the question ``grade_id`` is checked here).
    source: a setup cell's code; an answer cell's empty exercise version (run when the
    submission lacks the cell); "" for a check (its :class:`Question` holds the checks).
    """

    role: str
    grade_id: str = ""
    source: str = ""


@dataclass
class Assignment:
    """What the grader needs from a solution notebook."""

    name: str
    cells: list[SolutionCell]
    questions: list[Question]
    imports: dict[str, tuple[str, str]]     # name -> (module, attribute or "")
    watched: list[str]                      # modules the checks import
    instructor_sources: list[str]           # setup cells' code, stripped, to recognise copies
    digest: str                             # solution_digest of the notebook it comes from

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def stubs(self) -> dict[str, str]:
        """Answer grade_id -> the exercise version of that answer cell."""
        return {c.grade_id: c.source for c in self.cells if c.role == "answer"}

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Assignment:
        return cls(data["name"], [SolutionCell(**c) for c in data["cells"]],
                   [Question(**q) for q in data["questions"]],
                   {name: tuple(target) for name, target in data["imports"].items()},
                   data["watched"], data["instructor_sources"], data["digest"])


def nbgrader_metadata(cell) -> dict:
    """A cell's nbgrader metadata ({} when it has none)."""
    return cell.metadata.get("nbgrader", {}) or {}


def visible_checks(source: str, where: str) -> str:
    """A check cell's code without its hidden-tests region: what students see."""
    return replace_regions(source, HIDDEN_TESTS, [], where)


def hidden_checks(source: str) -> str:
    """The lines of a check cell's hidden-tests region ("" when it has none)."""
    inside, hidden = False, []
    for line in source.split("\n"):
        text = line.strip()
        if text == HIDDEN_TESTS[0]:
            inside = True
        elif text == HIDDEN_TESTS[1]:
            inside = False
        elif inside:
            hidden.append(line)
    return "\n".join(hidden).strip("\n")


def _python(source: str) -> str:
    """Cell source as plain Python (IPython magics become function calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def imported_names(source: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Top-level names a cell imports -> (module, attribute), and every module it imports."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return {}, set()
    names, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                if alias.asname:
                    names[alias.asname] = (alias.name, "")
                else:
                    top = alias.name.split(".")[0]
                    names[top] = (top, "")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = (node.module, alias.name)
    return names, modules


@functools.cache
def grader_version() -> str:
    """The sha256 of the ``book`` package's code (every ``.py`` file, by path): the grader,
    the checks and the library that the solution's and the students' cells import."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def solution_digest(solution: nbformat.NotebookNode) -> str:
    """The sha256 of what grading depends on: every cell's type, source and nbgrader
    metadata (not outputs or execution counts), and :func:`grader_version`."""
    cells = [[cell.cell_type, cell.source, nbgrader_metadata(cell)] for cell in solution.cells]
    text = json.dumps([cells, grader_version()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_solution(path: Path) -> nbformat.NotebookNode:
    """The solution notebook at ``path`` (ValueError when there is none)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"solution notebook {path} does not exist")
    return nbformat.read(path, as_version=4)


def load_assignment(path: Path) -> Assignment:
    """Read and validate a solution notebook (raises ValueError saying what is wrong)."""
    return assignment_of(read_solution(path), Path(path).name)


def assignment_of(solution: nbformat.NotebookNode, file_name: str) -> Assignment:
    """The assignment that the solution notebook ``file_name`` (already read) describes."""
    stub_notebook = student_notebook(solution, file_name)    # validates the conventions
    cells, questions, imports, watched, sources = [], [], {}, set(), []
    title, pending_answers = Path(file_name).stem, []
    for cell, stub in zip(solution.cells, stub_notebook.cells, strict=True):
        meta = nbgrader_metadata(cell)
        if cell.cell_type == "markdown":
            heading = next((line.lstrip("#").strip() for line in cell.source.splitlines()
                            if line.startswith("#")), None)
            title = heading or title
            continue
        if cell.cell_type != "code":
            continue
        grade_id = meta.get("grade_id", "")
        if meta.get("solution"):
            cells.append(SolutionCell("answer", grade_id, stub.source))
            pending_answers.append(grade_id)
            if meta.get("grade"):
                questions.append(Question(grade_id, title, meta["points"], "", "",
                                          [grade_id], manual=True))
                pending_answers = []
        elif meta.get("grade"):
            cells.append(SolutionCell("check", grade_id))
            visible, hidden = visible_checks(cell.source, file_name), hidden_checks(cell.source)
            questions.append(Question(grade_id, title, meta["points"], visible, hidden,
                                      pending_answers))
            pending_answers = []
            for part in (visible, hidden):
                watched |= {m for m in imported_names(part)[1] if m.split(".")[0] == "book"}
        else:
            cells.append(SolutionCell("setup", source=cell.source))
            imports.update(imported_names(cell.source)[0])
            sources.append(cell.source.strip())
    if not questions:
        raise ValueError(f"{file_name} has no graded cells (nbgrader 'grade: true')")
    imports = {name: target for name, target in imports.items()
               if target[0] not in UNWATCHED_MODULES}
    return Assignment(Path(file_name).stem, cells, questions, imports,
                      sorted(watched | {"book.check"}), sorted(set(sources)),
                      solution_digest(solution))
