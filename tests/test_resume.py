"""--resume through real grading: results are kept only for the solution they were graded against.

A class of two is graded by ``grade_folder`` (sandboxed kernels, grader processes) with each
result written as it finishes, as the grade command does; then the results are read back
for ``--resume`` against the same solution notebook and against a copy whose check changed.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

from book.authoring.exercises import answered_notebook
from book.grading import sandbox
from book.grading.assignment import load_assignment, nbgrader_metadata
from book.grading.grade import grade_folder
from book.grading.report import unchanged_results, write_result
from book.grading.submissions import find_submissions

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.available() is not None,
                                 reason=f"no sandbox here: {sandbox.available()}")]

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "04_padding_and_stride.ipynb"


def test_resume_regrades_what_was_graded_against_another_solution(tmp_path):
    solution = Path(shutil.copy(SOLUTION, tmp_path / SOLUTION.name))
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    right = answered_notebook(nbformat.read(solution, as_version=4), solution.name)
    for student in ("ann", "ben"):
        nbformat.write(right, submissions / f"{student}.ipynb")
    results_folder = tmp_path / "out" / "json"
    results = grade_folder(solution, submissions, tmp_path / "work", jobs=2,
                           on_result=lambda result: write_result(result, results_folder))
    assert [r.score for r in results] == [r.max_score for r in results]
    found = find_submissions(submissions, solution.stem)
    assert sorted(unchanged_results(results_folder, found,
                                    load_assignment(solution).digest)) == ["ann", "ben"]

    changed = nbformat.read(solution, as_version=4)
    check = next(c for c in changed.cells if nbgrader_metadata(c).get("grade"))
    check.source += "\n# a check the instructor changed"
    nbformat.write(changed, solution)
    assert unchanged_results(results_folder, found, load_assignment(solution).digest) == {}
