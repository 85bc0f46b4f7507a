"""Grade students' exercise notebooks: fresh kernel, restored checks, hidden tests, a score.

``python -m book grade 04_padding_and_stride submissions/ --out grades/`` grades every
submission in ``submissions/`` (see :mod:`book.grading.submissions` for the layouts) against
``solutions/04_padding_and_stride.ipynb``.

The grading room, one job per module, in the order the work is done:

* :mod:`~book.grading.assignment` reads the solution notebook, once per call of
  :func:`grade_folder`;
* :mod:`~book.grading.submissions` finds each student's file and reads it as a notebook;
* :mod:`~book.grading.plan` lays out the cells to run: instructor cells from the solution,
  answer cells from the submission, the guard's cells around every check;
* :mod:`~book.grading.run` runs them in a fresh kernel, skipping any cell that hangs or
  crashes it, while :mod:`~book.grading.guard`, inside the kernel, notices tampering;
* :mod:`~book.grading.scoring` turns what happened into :mod:`~book.grading.results`;
* :mod:`~book.grading.report` writes the JSON, the feedback and the CSV gradebook, and
  :mod:`~book.grading.export` writes an otter-grader master notebook instead.

Each submission is graded by a grader process of its own (a crash there stays there): this
module, run as ``python -m book.grading.grade``, reads one job as JSON on its standard input
(the assignment, the submission and the time limits) and writes the result as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from book.grading import guard
from book.grading.assignment import Assignment, load_assignment
from book.grading.plan import plan
from book.grading.results import SubmissionResult, SubmissionStatus
from book.grading.run import CellStatus, run_steps
from book.grading.scoring import score, zero_result
from book.grading.submissions import Submission, find_submissions, read_submission

CELL_TIMEOUT = 60          # seconds one cell may run
NOTEBOOK_TIMEOUT = 600     # seconds one submission may take in all
SEED = 0                   # the random generators' seed before every check


def grade_submission(assignment: Assignment, submission: Submission, workdir: Path,
                     cell_timeout: float = CELL_TIMEOUT,
                     notebook_timeout: float = NOTEBOOK_TIMEOUT) -> SubmissionResult:
    """Grade one submission in a fresh kernel whose working folder is ``workdir``."""
    if submission.path is None:
        return zero_result(assignment, submission, SubmissionStatus.MISSING,
                           f"No {assignment.name}.ipynb found in the student's folder.")
    try:
        notebook = read_submission(submission.path)
    except ValueError as error:
        return zero_result(assignment, submission, SubmissionStatus.INVALID, str(error))
    workdir.mkdir(parents=True, exist_ok=True)
    # The guard prints this token around each check: a check cell whose output lacks it
    # did not run the guard's code.
    token = secrets.token_hex(16)
    steps = plan(assignment, notebook)
    configuration = guard.configuration(assignment.imports, assignment.watched, SEED, token)
    outcomes = run_steps(steps, workdir, cell_timeout, notebook_timeout,
                         {guard.CONFIG_VARIABLE: configuration})
    for step, outcome in zip(steps, outcomes, strict=True):
        if step.kind in ("before", "after") and outcome.status is CellStatus.OK \
                and token not in outcome.text:
            outcome.status, outcome.error = CellStatus.ERROR, (
                "the grader's check guard did not run (its cell was changed)")
    return score(assignment, submission, steps, outcomes, cell_timeout)


def _grade_in_own_process(assignment: Assignment, submission: Submission, workdir: Path,
                          cell_timeout: float, notebook_timeout: float) -> SubmissionResult:
    """Grade one submission in a separate grader process (a crash there stays there)."""
    job = {"assignment": assignment.to_json(), "student": submission.student,
           "path": str(submission.path or ""), "workdir": str(workdir),
           "cell_timeout": cell_timeout, "notebook_timeout": notebook_timeout}
    # Kernel start-ups and restarts come on top of the notebook's own time.
    limit = notebook_timeout * 2 + 120
    try:
        done = subprocess.run([sys.executable, "-m", __name__], input=json.dumps(job),
                              capture_output=True, text=True, timeout=limit)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                               else f"exit status {done.returncode}")
        return SubmissionResult.from_json(json.loads(done.stdout))
    except subprocess.TimeoutExpired:
        return zero_result(assignment, submission, SubmissionStatus.TIMEOUT,
                           f"Grading took longer than {limit:g} s and was stopped.")
    except Exception as error:  # a grader failure must not stop the other submissions
        return zero_result(assignment, submission, SubmissionStatus.GRADER_ERROR,
                           "The grader failed on this submission: "
                           f"{type(error).__name__}: {error}")


def grade_folder(solution: Path, submissions: Path, workdir: Path, jobs: int | None = None,
                 cell_timeout: float = CELL_TIMEOUT,
                 notebook_timeout: float = NOTEBOOK_TIMEOUT) -> list[SubmissionResult]:
    """Grade every submission in ``submissions`` (up to ``jobs`` at once), sorted by student.

    The solution notebook is read once; each submission is graded by its own grader process
    and kernel, in the working folder ``workdir/<student>``; ``jobs`` defaults to the number
    of cores.
    """
    workdir = Path(workdir).resolve()
    assignment = load_assignment(Path(solution).resolve())
    found = find_submissions(submissions, assignment.name)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(found) or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(
            lambda s: _grade_in_own_process(assignment, s, workdir / s.student, cell_timeout,
                                            notebook_timeout), found))


def main() -> int:
    """A grader process: one job (JSON) on standard input, its result (JSON) on output."""
    job = json.load(sys.stdin)
    submission = Submission(job["student"], Path(job["path"]) if job["path"] else None)
    result = grade_submission(Assignment.from_json(job["assignment"]), submission,
                              Path(job["workdir"]), job["cell_timeout"],
                              job["notebook_timeout"])
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
