"""Make the student exercise notebooks from the solution notebooks.

``solutions/*.ipynb`` are the single source. Their cells carry nbgrader-style metadata
(``{"nbgrader": {"schema_version": 3, "grade_id": ..., "solution": ..., "grade": ...,
"locked": ..., "points": ...}}``) and mark regions with lines:

* ``# BEGIN SOLUTION`` ... ``# END SOLUTION``: replaced by a stub that raises
  ``NotImplementedError`` (at the same indentation);
* ``# BEGIN HIDDEN TESTS`` ... ``# END HIDDEN TESTS``: removed (the grader puts them back).

A markdown cell tagged ``solution-only`` (a model answer to an ungraded prompt, notes for the
instructor) is left out of the student edition. nbgrader's ``generate_assignment`` drops it
too when its configuration enables nbconvert's tag remover (``instructors.md`` shows the two
lines); the book's grader never runs markdown cells.

Outputs and execution counts are cleared. Run ``python -m book exercises`` after editing a
solution notebook; a test checks that ``exercises/`` is exactly what this makes.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

SOLUTION = ("# BEGIN SOLUTION", "# END SOLUTION")
HIDDEN_TESTS = ("# BEGIN HIDDEN TESTS", "# END HIDDEN TESTS")
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
INSTRUCTOR_ONLY = "solution-only"
# The lines of instructors.md between which copy_model_answers puts the model answers.
MODEL_ANSWERS = ("<!-- model answers: copied from solutions/ by copy_model_answers -->",
                 "<!-- end of model answers -->")
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")


class ExerciseFormatError(ValueError):
    """A solution notebook breaks the conventions above; the message says where."""


def _regions(lines: list[str], markers: tuple[str, str], where: str):
    """Yield (begin, end) line indices of each marked region, checking they are balanced."""
    begin = None
    for number, line in enumerate(lines):
        text = line.strip()
        if text == markers[0]:
            if begin is not None:
                raise ExerciseFormatError(f"{where}: '{markers[0]}' at line {number + 1} "
                                          f"inside another region (line {begin + 1})")
            begin = number
        elif text == markers[1]:
            if begin is None:
                raise ExerciseFormatError(f"{where}: '{markers[1]}' at line {number + 1} "
                                          "has no matching begin line")
            yield begin, number
            begin = None
    if begin is not None:
        raise ExerciseFormatError(f"{where}: '{markers[0]}' at line {begin + 1} is never closed")


def replace_regions(source: str, markers: tuple[str, str], stub: list[str], where: str) -> str:
    """Replace each marked region (marker lines included) by ``stub`` at its indentation."""
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, markers, where):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out += lines[last:begin] + [indent + s for s in stub]
        last = end + 1
    out += lines[last:]
    return "\n".join(out).strip("\n")


def student_cell(cell, where: str):
    """The student's version of one cell (a new cell; the source is not modified)."""
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.source = replace_regions(cell.source, SOLUTION, STUB, where)
        cell.source = replace_regions(cell.source, HIDDEN_TESTS, [], where)
        cell.outputs = []
        cell.execution_count = None
    cell.metadata.pop("execution", None)
    return cell


def instructor_only(cell) -> bool:
    """Whether the cell is for the instructor alone (tagged ``solution-only``)."""
    return INSTRUCTOR_ONLY in cell.metadata.get("tags", [])


def validate(notebook, name: str) -> None:
    """Check the nbgrader metadata and region markers of a solution notebook."""
    seen = set()
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"{name}, cell {number}"
        meta = cell.metadata.get("nbgrader")
        if instructor_only(cell) and (cell.cell_type != "markdown" or meta is not None):
            # A dropped code cell would change what the grader runs, a dropped nbgrader cell
            # what it grades.
            raise ExerciseFormatError(f"{where}: only markdown cells without nbgrader metadata "
                                      f"can be tagged {INSTRUCTOR_ONLY!r}")
        source = cell.source
        has_solution = SOLUTION[0] in source
        if meta is None:
            if has_solution or HIDDEN_TESTS[0] in source:
                raise ExerciseFormatError(f"{where}: has solution or hidden-test markers but no "
                                          "nbgrader metadata")
            continue
        grade_id = meta.get("grade_id", "")
        if not GRADE_ID.match(grade_id):
            raise ExerciseFormatError(f"{where}: grade_id {grade_id!r} must be letters, digits, "
                                      "'_' or '-'")
        if grade_id in seen:
            raise ExerciseFormatError(f"{where}: grade_id {grade_id!r} is used twice")
        seen.add(grade_id)
        if meta.get("schema_version") != 3:
            raise ExerciseFormatError(f"{where}: nbgrader schema_version must be 3")
        if meta.get("solution") and cell.cell_type == "code" and not has_solution:
            raise ExerciseFormatError(f"{where}: a solution cell needs a '# BEGIN SOLUTION' "
                                      "region")
        if meta.get("grade") and not isinstance(meta.get("points"), (int, float)):
            raise ExerciseFormatError(f"{where}: a graded cell needs a number of points")
        # Raises on unbalanced markers.
        student_cell(cell, where)


def student_notebook(notebook, name: str = "notebook"):
    """The student version of every cell of a solution notebook, cell for cell (the grader
    pairs them up); :func:`student_edition` leaves out the instructor's cells."""
    validate(notebook, name)
    student = copy.deepcopy(notebook)
    student.cells = [student_cell(c, f"{name}, cell {i}")
                     for i, c in enumerate(notebook.cells, start=1)]
    return student


def student_edition(notebook, name: str = "notebook"):
    """The notebook students get: :func:`student_notebook` without the cells tagged
    ``solution-only``."""
    student = student_notebook(notebook, name)
    student.cells = [s for c, s in zip(notebook.cells, student.cells, strict=True)
                     if not instructor_only(c)]
    return student


def solution_answers(notebook) -> dict[str, str]:
    """{grade_id: source} of a solution notebook's answer cells (nbgrader ``solution: true``)."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("solution")}


def answered_notebook(notebook, name: str = "notebook"):
    """The student version of a solution notebook with the solution's own answers filled in:
    what a student who solved every exercise hands in."""
    answers = solution_answers(notebook)
    student = student_edition(notebook, name)
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.source = answers.get(grade_id, cell.source)
    return student


def demoted(markdown: str) -> str:
    """``markdown`` with every heading one level deeper (outside code fences), to sit under a
    section of another page."""
    lines, fenced = [], False
    for line in markdown.split("\n"):
        fenced ^= line.lstrip().startswith("```")
        lines.append("#" + line if line.startswith("#") and not fenced else line)
    return "\n".join(lines)


def model_answers(solutions: Path) -> str:
    """The instructor-only cells of every solution notebook, in file order, headings demoted:
    the text ``instructors.md`` holds between :data:`MODEL_ANSWERS` (a test compares them)."""
    return "\n\n".join(demoted(cell.source) for source in sorted(Path(solutions).glob("*.ipynb"))
                       for cell in nbformat.read(source, as_version=4).cells
                       if instructor_only(cell))


def copy_model_answers(solutions: Path, guide: Path) -> None:
    """Replace the text between the :data:`MODEL_ANSWERS` lines of ``guide`` (the
    instructor guide) by :func:`model_answers`."""
    guide = Path(guide)
    text = guide.read_text(encoding="utf-8")
    begin, end = (text.index(marker) for marker in MODEL_ANSWERS)
    start = begin + len(MODEL_ANSWERS[0])
    guide.write_text(f"{text[:start]}\n\n{model_answers(solutions)}\n\n{text[end:]}",
                     encoding="utf-8")


def generate(solutions: Path, exercises: Path) -> list[Path]:
    """Write ``exercises/X.ipynb`` for every ``solutions/X.ipynb``; remove stale ones."""
    solutions, exercises = Path(solutions), Path(exercises)
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    sources = sorted(solutions.glob("*.ipynb"))
    for source in sources:
        notebook = nbformat.read(source, as_version=4)
        target = exercises / source.name
        nbformat.write(student_edition(notebook, source.name), target)
        written.append(target)
    names = {s.name for s in sources}
    for stale in exercises.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    return written
