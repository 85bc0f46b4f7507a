"""nbgrader itself (from PyPI, in .venv-graders) accepts solutions/ as its source notebooks.

``generate_assignment`` must release exactly what ``python -m book exercises`` wrote to
exercises/, and ``autograde`` must give a right submission every point and an untouched one
none. nbgrader's dependencies clash with the book's pinned environment, so it lives in its
own virtual environment (``make graders``, requirements-graders.txt) and runs as a command.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from book.authoring.exercises import solution_answers
from book.grading.assignment import load_assignment

ROOT = Path(__file__).resolve().parents[1]
GRADERS = ROOT / ".venv-graders" / "bin"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
# The course configuration instructors.md gives: the last two lines leave out the cells
# tagged solution-only (model answers), as `python -m book exercises` does.
NBGRADER_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "cnn-textbook"
c.Exporter.preprocessors = ["nbconvert.preprocessors.TagRemovePreprocessor"]
c.TagRemovePreprocessor.remove_cell_tags = ["solution-only"]
"""


def graders_bin() -> Path:
    if not (GRADERS / "nbgrader").exists():
        message = ".venv-graders is missing: run `make graders` (graders.mk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return GRADERS


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course whose assignment "book" holds every solution notebook, released."""
    bin_dir = graders_bin()
    root = tmp_path_factory.mktemp("nbgrader")
    (root / "source" / "book").mkdir(parents=True)
    for notebook in SOLUTIONS:
        shutil.copy(notebook, root / "source" / "book")
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    # The kernel nbgrader starts is the book's own Python, where `book` and torch are.
    kernel = root / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(ROOT / ".venv" / "bin" / "python"), "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "JUPYTER_PATH": str(root / "jupyter")}
    env.pop("VIRTUAL_ENV", None)
    run([str(bin_dir / "nbgrader"), "generate_assignment", "book", "--force"], root, env)
    return root, env


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_generate_assignment_releases_the_exercises(course, solution):
    root, _ = course
    released = nbformat.read(root / "release" / "book" / solution.name, as_version=4)
    ours = nbformat.read(ROOT / "exercises" / solution.name, as_version=4)
    assert [(c.cell_type, c.source) for c in released.cells] == \
        [(c.cell_type, c.source) for c in ours.cells]
    released_ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells]
    assert released_ids == [c.metadata.get("nbgrader", {}).get("grade_id") for c in ours.cells]


def test_autograde_scores_right_and_empty_submissions(course):
    root, env = course
    for notebook in SOLUTIONS:
        answers = solution_answers(nbformat.read(notebook, as_version=4))
        for student in ("right", "empty"):
            folder = root / "submitted" / student / "book"
            folder.mkdir(parents=True, exist_ok=True)
            released = nbformat.read(root / "release" / "book" / notebook.name, as_version=4)
            if student == "right":
                for cell in released.cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    cell.source = answers.get(grade_id, cell.source)
            nbformat.write(released, folder / notebook.name)
    nbgrader = str(GRADERS / "nbgrader")
    run([nbgrader, "autograde", "book", "--force"], root, env)
    run([nbgrader, "export", "--to", "grades.csv"], root, env)
    with open(root / "grades.csv", newline="") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    book_max = sum(load_assignment(n).max_score for n in SOLUTIONS)
    assert float(grades["right"]["max_score"]) == book_max
    assert float(grades["right"]["score"]) == book_max
    assert float(grades["empty"]["score"]) == 0
