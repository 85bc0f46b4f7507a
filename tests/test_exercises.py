"""The exercise pipeline: solutions/ is the source, exercises/ is generated from it."""

from pathlib import Path

import nbformat
import pytest

from book.authoring.execution import execute
from book.authoring.exercises import (
    MODEL_ANSWERS,
    ExerciseFormatError,
    demoted,
    generate,
    instructor_only,
    model_answers,
    replace_regions,
    student_edition,
    student_notebook,
)
from book.grading.export import otter_master

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def grader_cell(source, **meta):
    nbgrader = {"schema_version": 3, "grade_id": "q1", "solution": True, "grade": False,
                "locked": False}
    nbgrader.update(meta)
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nbgrader})


def test_solution_region_becomes_an_indented_stub():
    source = "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"
    assert replace_regions(source, ("# BEGIN SOLUTION", "# END SOLUTION"),
                           ["# YOUR CODE HERE", "raise NotImplementedError()"], "t") == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")


def test_hidden_tests_are_removed_and_outputs_cleared():
    check = grader_cell("check(1)\n# BEGIN HIDDEN TESTS\ncheck(2)\n# END HIDDEN TESTS",
                        grade_id="c1", solution=False, grade=True, locked=True, points=2)
    check.outputs = [nbformat.v4.new_output("stream", text="✓")]
    check.execution_count = 3
    notebook = nbformat.v4.new_notebook(cells=[
        grader_cell("x = 1\n# BEGIN SOLUTION\nx = 2\n# END SOLUTION"), check])
    student = student_notebook(notebook)
    assert student.cells[0].source == "x = 1\n# YOUR CODE HERE\nraise NotImplementedError()"
    assert student.cells[1].source == "check(1)"
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert student.cells[1].metadata["nbgrader"]["points"] == 2
    assert notebook.cells[1].execution_count == 3, "the source notebook is left untouched"


def model_answer(text="**Model answer.** Padding keeps the size."):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["solution-only"]})


def test_student_edition_leaves_out_the_instructors_cells():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("To think about: why pad?"), model_answer(),
        grader_cell("x = 1\n# BEGIN SOLUTION\nx = 2\n# END SOLUTION")])
    edition = student_edition(notebook)
    assert [c.source for c in edition.cells] == [
        "To think about: why pad?", "x = 1\n# YOUR CODE HERE\nraise NotImplementedError()"]
    assert len(student_notebook(notebook).cells) == 3, "the grader's copy stays cell for cell"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_no_model_answer_reaches_the_student_edition(solution):
    answers = [c.source for c in nbformat.read(solution, as_version=4).cells
               if instructor_only(c)]
    exercise = nbformat.read(ROOT / "exercises" / solution.name, as_version=4)
    assert not [c for c in exercise.cells if instructor_only(c)]
    text = "\n".join(c.source for c in exercise.cells)
    assert not [a for a in answers if a.strip() in text]


def test_the_instructor_guide_holds_every_model_answer():
    guide = (ROOT / "instructors.md").read_text(encoding="utf-8")
    begin, end = (guide.index(marker) for marker in MODEL_ANSWERS)
    assert guide[begin + len(MODEL_ANSWERS[0]):end].strip() == model_answers(
        ROOT / "solutions"), ("instructors.md's model answers differ from the solution-only "
                              "cells of solutions/: refresh them with copy_model_answers, as "
                              "instructors.md says")


def test_headings_are_demoted_outside_code_fences():
    assert demoted("## Answer\ntext\n```bash\n# a comment\n```") == (
        "### Answer\ntext\n```bash\n# a comment\n```")


def test_otter_export_leaves_out_model_answers():
    master = otter_master(ROOT / "solutions" / "04_padding_and_stride.ipynb")
    assert "Model answers" not in "\n".join(c.source for c in master.cells)


@pytest.mark.parametrize("cells, message", [
    ([nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution-only"]})],
     "only markdown cells"),
    ([nbformat.v4.new_markdown_cell("answer", metadata={
        "tags": ["solution-only"], "nbgrader": {"schema_version": 3, "grade_id": "m1",
                                                "solution": False, "grade": False,
                                                "locked": True}})], "only markdown cells"),
    ([grader_cell("# BEGIN SOLUTION\nx = 1")], "never closed"),
    ([grader_cell("# BEGIN SOLUTION\n# END SOLUTION\n# END SOLUTION")], "no matching begin"),
    ([grader_cell("x = 1")], "needs a '# BEGIN SOLUTION' region"),
    ([grader_cell("# BEGIN SOLUTION\n# END SOLUTION"),
      grader_cell("# BEGIN SOLUTION\n# END SOLUTION")], "used twice"),
    ([grader_cell("# BEGIN SOLUTION\n# END SOLUTION", grade_id="bad id")], "grade_id"),
    ([nbformat.v4.new_code_cell("# BEGIN SOLUTION\n# END SOLUTION")], "no nbgrader metadata"),
    ([grader_cell("check()", solution=False, grade=True)], "needs a number of points"),
])
def test_malformed_solution_notebooks_are_rejected_clearly(cells, message):
    with pytest.raises(ExerciseFormatError, match=message):
        student_notebook(nbformat.v4.new_notebook(cells=cells), "bad.ipynb")


def test_exercises_folder_is_exactly_what_the_generator_makes(tmp_path):
    assert SOLUTIONS, "there are no solution notebooks"
    generate(ROOT / "solutions", tmp_path)
    made = {p.name: p.read_text() for p in tmp_path.glob("*.ipynb")}
    committed = {p.name: p.read_text() for p in (ROOT / "exercises").glob("*.ipynb")}
    assert sorted(made) == sorted(committed)
    for name in made:
        assert made[name] == committed[name], (
            f"exercises/{name} is out of date: run `python -m book exercises`")


def run_all_cells(path):
    """Execute a notebook as a student's kernel, keeping going after errors; return it."""
    return execute(nbformat.read(path, as_version=4), path.parent, static_figures=False,
                   timeout=300, allow_errors=True)


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_student_stubs_fail_their_checks_with_a_clear_message(solution):
    notebook = run_all_cells(ROOT / "exercises" / solution.name)
    graded = 0
    for number, cell in enumerate(notebook.cells, start=1):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        found = errors(cell)
        if meta.get("grade"):
            graded += 1
            assert found, f"cell {number}: the check passes on the unsolved stub"
            error = found[0]
            assert error.ename == "CheckFailed", (
                f"cell {number}: the check crashed with {error.ename}: {error.evalue}")
            assert error.evalue.strip(), f"cell {number}: the check failed without a message"
        elif not meta.get("solution"):
            assert not found, (f"cell {number} is neither a solution nor a check but raised "
                               f"{found[0].ename}: {found[0].evalue}")
    assert graded, "the notebook has no graded check cells"
