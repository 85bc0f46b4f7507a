"""otter-grader itself (from PyPI, in .venv-graders) accepts ``python -m book export-otter``.

For each solution notebook: export the master notebook, run ``otter assign`` (which also runs
the tests against the solutions), check the student notebook and the Gradescope autograder
zip, then grade a right and an untouched submission with ``otter run``: every question must
score its points for the first and zero for the second.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from book.__main__ import main
from book.grading.assignment import load_assignment

ROOT = Path(__file__).resolve().parents[1]
GRADERS = ROOT / ".venv-graders" / "bin"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def graders_env() -> dict[str, str]:
    if not (GRADERS / "otter").exists():
        message = ".venv-graders is missing: run `make graders` (graders.mk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "PATH": f"{GRADERS}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}    # otter's kernels import `book` from the checkout
    env.pop("VIRTUAL_ENV", None)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def answered(student: Path, solution: Path, path: Path) -> Path:
    """otter's student notebook with each answer cell replaced by the solution's."""
    answers = [c.source for c in nbformat.read(solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    notebook = nbformat.read(student, as_version=4)
    cells = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(cells) == len(answers)
    for cell, answer in zip(cells, answers):
        cell.source = answer
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_otter_assigns_and_grades_the_export(tmp_path, solution):
    env = graders_env()
    assignment = load_assignment(solution)
    assert main(["--root", str(ROOT), "export-otter", solution.stem, "--out",
                 str(tmp_path / "master")]) == 0
    run([str(GRADERS / "otter"), "assign", f"master/{solution.name}", "dist"], tmp_path, env)

    student = nbformat.read(tmp_path / "dist" / "student" / solution.name, as_version=4)
    sources = "\n".join(c.source for c in student.cells)
    for question in assignment.questions:
        assert f'grader.check("{question.grade_id}")' in sources
    assert "BEGIN SOLUTION" not in sources and "HIDDEN" not in sources
    [archive] = (tmp_path / "dist" / "autograder").glob("*.zip")
    with zipfile.ZipFile(archive) as autograder:
        names = set(autograder.namelist())
        environment = autograder.read("environment.yml").decode()
    assert {f"tests/{q.grade_id}.py" for q in assignment.questions} <= names
    assert "cnn-textbook @ git+" in environment

    right = answered(tmp_path / "dist" / "student" / solution.name, solution,
                     tmp_path / "right.ipynb")
    empty = tmp_path / "dist" / "student" / solution.name
    for name, submission in (("right", right), ("empty", empty)):
        out = tmp_path / f"results-{name}"
        out.mkdir()
        run([str(GRADERS / "otter"), "run", "-a", str(archive), "-o", str(out),
             str(submission)], tmp_path, env)
        results = json.loads((out / "results.json").read_text())
        scores = {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]
                  if "score" in t}
        if name == "right":
            assert scores == {q.grade_id: (q.points, q.points) for q in assignment.questions}
        else:
            assert scores == {q.grade_id: (0, q.points) for q in assignment.questions}
