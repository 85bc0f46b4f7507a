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

Each submission is graded by a grader process of its own (a crash there stays there),
forked from a server that has imported the grading modules once (``multiprocessing``'s
``forkserver``): a process per submission without paying Python's start and these imports
(nbformat, jsonschema, jupyter_client) each time. It gets one job (the assignment, the
submission, the time limits, where to write) and writes the result as JSON to a file of the
grade command's, never to its standard output.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from book.grading import guard
from book.grading.assignment import Assignment, assignment_of, read_solution
from book.grading.compare import expected_observations, judge
from book.grading.plan import plan
from book.grading.results import SubmissionResult, SubmissionStatus
from book.grading.run import log_tail, run_steps
from book.grading.sandbox import available, die_with
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


class _GraderSessions:
    """The grader processes now running, each the leader of its session, so that a stopped
    grade command can kill them all (and, by ``--die-with-parent``, their kernels)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pids: set[int] = set()
        self._stopped = False

    def start(self, process: multiprocessing.Process) -> None:
        """Start ``process``, unless :meth:`kill_all` has been called (RuntimeError)."""
        with self._lock:  # no process may start between kill_all's look and its kill
            if self._stopped:
                raise RuntimeError("the grade command was stopped")
            process.start()
            self._pids.add(process.pid)

    def finished(self, pid: int) -> None:
        with self._lock:
            self._pids.discard(pid)

    def kill_all(self) -> None:
        """SIGKILL every running grader process's session; start no more."""
        with self._lock:
            self._stopped = True
            for pid in self._pids:
                _kill_session(pid)


def _grade_in_own_process(job: dict, submission: Submission, workdir: Path,
                          result_path: Path, sessions: _GraderSessions) -> SubmissionResult:
    """Grade one submission in a separate grader process (a crash there stays there).

    The process, forked from the grader server, gets ``job`` plus the submission and writes
    its result to ``result_path`` (atomically); its standard output goes to /dev/null and
    its error output to a file of which only the last line is read, so nothing a submission
    prints can change its result. The wait is bounded: past it, the process's whole session
    is killed (and the kernel's sandbox with it, by ``--die-with-parent``).
    """
    job = {**job, "student": submission.student, "path": str(submission.path or ""),
           "workdir": str(workdir), "result_path": str(result_path)}
    # Kernel start-ups and restarts come on top of the notebook's own time.
    limit = job["notebook_timeout"] * 2 + 120
    errors = result_path.with_suffix(".stderr")
    try:
        # A grader process that ends without a result is tried once more: the fork server
        # reports a lost child as exit status 255, seen once in a whole test run; grading is
        # deterministic, so a second try gives the result the first would have.
        for attempt in range(2):
            process = GRADER_PROCESSES.Process(target=_grader_process,
                                               args=(job, str(errors)))
            sessions.start(process)
            process.join(limit)
            sessions.finished(process.pid)
            if process.is_alive():
                _kill_session(process.pid)
                process.join()
                return zero_result(Assignment.from_json(job["assignment"]), submission,
                                   SubmissionStatus.TIMEOUT,
                                   f"Grading took longer than {limit:g} s and was stopped.")
            if result_path.exists():  # written whole (renamed) as the process's last act
                return _read_result(result_path)
            if attempt == 1 or log_tail(errors):  # a grader error it reported: not a loss
                raise RuntimeError((log_tail(errors) or [f"exit status {process.exitcode}"])[-1])
    except Exception as error:  # a grader failure must not stop the other submissions
        return zero_result(Assignment.from_json(job["assignment"]), submission,
                           SubmissionStatus.GRADER_ERROR,
                           "The grader failed on this submission: "
                           f"{type(error).__name__}: {error}")


def _kill_session(pid: int) -> None:
    """SIGKILL the session a grader process leads (or the process, before it made one)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


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
    ``sandbox`` is asked for and cannot work here. Interrupted (KeyboardInterrupt), it kills
    the running grader processes, drops the queued submissions and re-raises.
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
    # "command": the grader processes end with this process (see die_with).
    job = {"command": os.getpid(), "assignment": assignment.to_json(),
           "cell_timeout": cell_timeout, "notebook_timeout": notebook_timeout,
           "sandbox": sandbox, "expected": expected}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(found) or 1))
    results, sessions = [], _GraderSessions()
    with tempfile.TemporaryDirectory(prefix="book-results-") as private, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        hashes = {s.student: submission_sha256(s.path) for s in found}
        # The result files live outside every sandbox: no kernel can write them.
        running = [pool.submit(_grade_in_own_process, job, s, workdir / s.student,
                               Path(private) / f"{n}.json", sessions)
                   for n, s in enumerate(found)]
        try:
            for finished in as_completed(running):
                result = finished.result()
                result.sha256 = hashes[result.student]
                if on_result is not None:
                    on_result(result)
                results.append(result)
        except BaseException:
            # Ctrl-C (or a failure here): grade nothing more and stop what runs now, rather
            # than wait for every queued submission; the results already handed to
            # ``on_result`` stay, and ``--resume`` grades the rest.
            pool.shutdown(wait=False, cancel_futures=True)
            sessions.kill_all()
            raise
    return sorted(results, key=lambda r: r.student)


def _grader_process(job: dict, errors: str) -> None:
    """A grader process: grade one job, write its result to the job's ``result_path``
    (atomically: a temporary file, then a rename); exit status 0 when it did."""
    os.setsid()  # its own session: a timeout kills it and all it started at once
    die_with(job["command"])
    _redirect(1, os.devnull)
    _redirect(2, errors)
    # Its temporary folders (the kernels' runtime folders) go in the grade command's
    # private folder, removed at the end even when this process was killed.
    tempfile.tempdir = str(Path(job["result_path"]).parent)
    submission = Submission(job["student"], Path(job["path"]) if job["path"] else None)
    result = grade_submission(Assignment.from_json(job["assignment"]), submission,
                              Path(job["workdir"]), job["cell_timeout"],
                              job["notebook_timeout"], sandbox=job["sandbox"],
                              expected=job["expected"])
    path = Path(job["result_path"])
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _redirect(descriptor: int, path: str) -> None:
    """Point file descriptor ``descriptor`` at ``path`` (opened for writing)."""
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(target, descriptor)
    os.close(target)


# Grader processes are forked from a server that imported this module once.
GRADER_PROCESSES = multiprocessing.get_context("forkserver")
GRADER_PROCESSES.set_forkserver_preload(["book.grading.grade"])
