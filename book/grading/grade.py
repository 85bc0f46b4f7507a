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
(the assignment, the submission, the time limits, where to write) and writes the result as
JSON to a file of the grade command's, never to its standard output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from book.grading import guard
from book.grading.assignment import Assignment, assignment_of, read_solution
from book.grading.compare import expected_observations, judge
from book.grading.plan import plan
from book.grading.results import SubmissionResult, SubmissionStatus
from book.grading.run import run_steps
from book.grading.sandbox import available, die_with_parent
from book.grading.scoring import score, zero_result
from book.grading.submissions import (
    Submission,
    find_submissions,
    read_submission,
    submission_sha256,
)

CELL_TIMEOUT = 60          # seconds one cell may run
NOTEBOOK_TIMEOUT = 600     # seconds one submission may take in all


def grade_submission(assignment: Assignment, submission: Submission, workdir: Path,
                     cell_timeout: float = CELL_TIMEOUT,
                     notebook_timeout: float = NOTEBOOK_TIMEOUT, sandbox: bool = True,
                     expected: list[dict] = ()) -> SubmissionResult:
    """Grade one submission in a fresh kernel whose working folder is ``workdir``.

    expected: the solution's observations (:func:`~book.grading.compare.expected_observations`),
    which the student's are judged against here, outside the kernel.
    """
    if submission.path is None:
        return zero_result(assignment, submission, SubmissionStatus.MISSING,
                           f"No {assignment.name}.ipynb found in the student's folder.")
    try:
        notebook = read_submission(submission.path)
    except ValueError as error:
        return zero_result(assignment, submission, SubmissionStatus.INVALID, str(error))
    workdir.mkdir(parents=True, exist_ok=True)
    steps = plan(assignment, notebook)
    run = run_steps(steps, workdir, cell_timeout, notebook_timeout,
                    guard.environment(assignment.imports, assignment.watched), sandbox=sandbox)
    verdicts = judge(assignment, list(expected), run.observations)
    return score(assignment, submission, steps, run.outcomes, verdicts, cell_timeout)


def _grade_in_own_process(job: dict, submission: Submission, workdir: Path,
                          result_path: Path) -> SubmissionResult:
    """Grade one submission in a separate grader process (a crash there stays there).

    The process gets ``job`` plus the submission on its standard input and writes its result
    to ``result_path`` (atomically); its standard output is ignored and its error output
    kept to a few kilobytes, so nothing a submission prints can change its result. The wait
    is bounded: past it, the process's whole group is killed (and the kernel's sandbox with
    it, by ``--die-with-parent``).
    """
    job = {**job, "student": submission.student, "path": str(submission.path or ""),
           "workdir": str(workdir), "result_path": str(result_path), "parent": os.getpid()}
    # Kernel start-ups and restarts come on top of the notebook's own time.
    limit = job["notebook_timeout"] * 2 + 120
    errors = result_path.with_suffix(".stderr")
    try:
        with open(errors, "w+b") as error_log:
            # Its temporary folders (the kernels' runtime folders) go in this command's
            # private folder, removed at the end even when the process was killed.
            process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=error_log,
                                       start_new_session=True,
                                       env={**os.environ, "TMPDIR": str(result_path.parent)})
            try:
                process.communicate(json.dumps(job).encode(), timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return zero_result(Assignment.from_json(job["assignment"]), submission,
                                   SubmissionStatus.TIMEOUT,
                                   f"Grading took longer than {limit:g} s and was stopped.")
            if process.returncode != 0:
                raise RuntimeError(_last_line(error_log)
                                   or f"exit status {process.returncode}")
        return _read_result(result_path)
    except Exception as error:  # a grader failure must not stop the other submissions
        return zero_result(Assignment.from_json(job["assignment"]), submission,
                           SubmissionStatus.GRADER_ERROR,
                           "The grader failed on this submission: "
                           f"{type(error).__name__}: {error}")


def _last_line(log, kept: int = 4096) -> str:
    """The last line of an open binary log, read from its last ``kept`` bytes."""
    log.seek(max(0, log.seek(0, os.SEEK_END) - kept))
    lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


def _read_result(path: Path) -> SubmissionResult:
    """The result a grader process wrote, or a clear error when there is none."""
    try:
        return SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise RuntimeError("the grader process wrote no result") from None
    except (ValueError, TypeError, KeyError) as error:
        raise RuntimeError(f"the grader process wrote an invalid result ({error})") from None


def grade_folder(solution: Path, submissions: Path, workdir: Path, jobs: int | None = None,
                 cell_timeout: float = CELL_TIMEOUT, notebook_timeout: float = NOTEBOOK_TIMEOUT,
                 sandbox: bool = True,
                 on_result: Callable[[SubmissionResult], object] | None = None,
                 skip: set[str] | None = None) -> list[SubmissionResult]:
    """Grade every submission in ``submissions`` (up to ``jobs`` at once), sorted by student.

    The solution notebook is read once; each submission is graded by its own grader process
    and sandboxed kernel, in the working folder ``workdir/<student>``; ``jobs`` defaults to
    the number of cores. ``on_result`` is called here, in this process, with each result as
    its submission finishes; students in ``skip`` (already graded: ``--resume``) are left
    out. Each result carries the sha256 of the bytes it graded. Refuses (ValueError) when
    ``sandbox`` is asked for and cannot work here.
    """
    if sandbox and (reason := available()) is not None:
        raise ValueError(reason)
    workdir = Path(workdir).resolve()
    solution_notebook = read_solution(Path(solution).resolve())
    assignment = assignment_of(solution_notebook, Path(solution).name)
    with tempfile.TemporaryDirectory(prefix="book-solution-") as solution_workdir:
        expected = expected_observations(assignment, solution_notebook, Path(solution_workdir),
                                         cell_timeout, notebook_timeout, sandbox=sandbox)
    found = [s for s in find_submissions(submissions, assignment.name)
             if s.student not in (skip or set())]
    job = {"assignment": assignment.to_json(), "cell_timeout": cell_timeout,
           "notebook_timeout": notebook_timeout, "sandbox": sandbox, "expected": expected}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(found) or 1))
    results = []
    with tempfile.TemporaryDirectory(prefix="book-results-") as private, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        hashes = {s.student: submission_sha256(s.path) for s in found}
        # The result files live outside every sandbox: no kernel can write them.
        running = [pool.submit(_grade_in_own_process, job, s, workdir / s.student,
                               Path(private) / f"{n}.json") for n, s in enumerate(found)]
        for finished in as_completed(running):
            result = finished.result()
            result.sha256 = hashes[result.student]
            if on_result is not None:
                on_result(result)
            results.append(result)
    return sorted(results, key=lambda r: r.student)


def main() -> int:
    """A grader process: one job (JSON) on standard input, its result written to the job's
    ``result_path`` (atomically: a temporary file, then a rename)."""
    job = json.load(sys.stdin)
    die_with_parent(job["parent"])
    submission = Submission(job["student"], Path(job["path"]) if job["path"] else None)
    result = grade_submission(Assignment.from_json(job["assignment"]), submission,
                              Path(job["workdir"]), job["cell_timeout"],
                              job["notebook_timeout"], sandbox=job["sandbox"],
                              expected=job["expected"])
    path = Path(job["result_path"])
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
