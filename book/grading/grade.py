"""Grade students' exercise notebooks: fresh kernel, restored checks, hidden tests, a score.

``python -m book grade 04_padding_and_stride submissions/ --out grades/`` grades every
submission in ``submissions/`` against ``solutions/04_padding_and_stride.ipynb``.

Where submissions go (the student id comes from the file name)::

    submissions/alice.ipynb                                   student "alice"
    submissions/bob/04_padding_and_stride.ipynb               student "bob"
    submissions/carol/04_padding_and_stride/anything.ipynb    student "carol" (nbgrader layout)

A student folder holding no notebook is reported as ``missing``; any other file at the top
level (``dave.pdf``) is student "dave"'s submission, graded as ``invalid`` (not a notebook).
Two entries giving one student id (``ann.ipynb`` and ``ann.pdf``) stop the grading before it
starts, with an error naming the student.

How one submission is graded (each in its own fresh kernel, several at once):

1. The submission is rebuilt in the order of the solution notebook. Instructor cells (setup,
   checks) come from the solution notebook, matched by ``grade_id``, so deleted, edited or
   reordered check cells come back and the hidden tests are put in. Answer cells
   (``solution: true``) come from the submission; a missing one is replaced by the empty
   exercise version. Cells the student added run right after the answer cell they follow.
2. Before any student code runs, :mod:`book.grading.guard` records a fingerprint of what the
   checks rely on. Around every check cell it verifies that fingerprint and restores the
   names the instructor's cells imported, so rebinding or patching ``book.check`` gives the
   status ``tampered`` and no points instead of a pass.
3. Each question's visible checks run, then its hidden checks. A question scores its points
   when both pass, else zero (as in nbgrader). A cell that runs past the time limit, or
   stops the kernel, is skipped: the kernel is restarted, the notebook replayed without that
   cell, and only what depended on it loses points.

The results are :class:`SubmissionResult` objects; :mod:`book.grading.report` writes the
per-student JSON and feedback and the CSV gradebook.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from book.authoring.exercises import HIDDEN_TESTS, replace_regions, student_notebook

CELL_TIMEOUT = 60          # seconds one cell may run
NOTEBOOK_TIMEOUT = 600     # seconds one submission may take in all
OUTPUT_LIMIT = 100_000     # characters of output kept per cell; the rest is dropped
MAX_SUBMISSION_BYTES = 50_000_000
SEED = 0
MESSAGE_LIMIT = 2_000      # characters of a check's message kept in the report
KERNEL_STARTS = 3          # attempts to start a kernel before the grader gives up

# Question statuses; a question scores its points only when "passed".
PASSED, FAILED, ERROR, TIMEOUT, CRASHED, TAMPERED, NOT_GRADED, MANUAL = (
    "passed", "failed", "error", "timeout", "crashed", "tampered", "not graded", "manual")
# Submission statuses.
GRADED, INVALID, MISSING, GRADER_ERROR = "graded", "invalid", "missing", "grader error"
# Modules whose namespaces change as a matter of course: never fingerprinted.
UNWATCHED_MODULES = {"sys", "builtins", "__main__", "os"}


# --------------------------------------------------------------------------------------
# The assignment: questions and instructor cells, read from the solution notebook.


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
class Assignment:
    """What the grader needs from a solution notebook."""

    name: str
    solution: nbformat.NotebookNode
    stubs: dict[str, str]                          # answer grade_id -> student stub source
    questions: list[Question]
    imports: dict[str, tuple[str, str]]            # name -> (module, attribute or "")
    watched: list[str]                             # modules the checks import
    instructor_sources: set[str] = field(default_factory=set)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {}) or {}


def _python(source: str) -> str:
    """Cell source as plain Python (IPython magics become function calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _imports(source: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
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


def _hidden_part(source: str) -> str:
    lines, inside, hidden = source.split("\n"), False, []
    for line in lines:
        text = line.strip()
        if text == HIDDEN_TESTS[0]:
            inside = True
        elif text == HIDDEN_TESTS[1]:
            inside = False
        elif inside:
            hidden.append(line)
    return "\n".join(hidden).strip("\n")


def load_assignment(path: Path) -> Assignment:
    """Read and validate a solution notebook (raises ValueError saying what is wrong)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"solution notebook {path} does not exist")
    solution = nbformat.read(path, as_version=4)
    stub_notebook = student_notebook(solution, path.name)    # validates the conventions
    stubs, questions, imports, watched, sources = {}, [], {}, set(), set()
    title, pending_answers = path.stem, []
    for cell, stub in zip(solution.cells, stub_notebook.cells):
        meta = _meta(cell)
        if cell.cell_type == "markdown":
            heading = next((line.lstrip("#").strip() for line in cell.source.splitlines()
                            if line.startswith("#")), None)
            title = heading or title
            continue
        if cell.cell_type != "code":
            continue
        grade_id = meta.get("grade_id", "")
        if meta.get("solution"):
            stubs[grade_id] = stub.source
            pending_answers.append(grade_id)
            if meta.get("grade"):
                questions.append(Question(grade_id, title, meta["points"], "", "",
                                          [grade_id], manual=True))
                pending_answers = []
        elif meta.get("grade"):
            visible = replace_regions(cell.source, HIDDEN_TESTS, [], path.name)
            hidden = _hidden_part(cell.source)
            questions.append(Question(grade_id, title, meta["points"], visible, hidden,
                                      pending_answers))
            pending_answers = []
            for part in (visible, hidden):
                watched |= {m for m in _imports(part)[1] if m.split(".")[0] == "book"}
        else:
            names, modules = _imports(cell.source)
            imports.update(names)
            sources.add(cell.source.strip())
    if not questions:
        raise ValueError(f"{path.name} has no graded cells (nbgrader 'grade: true')")
    watched = sorted(watched | {"book.check"})
    imports = {name: target for name, target in imports.items()
               if target[0] not in UNWATCHED_MODULES}
    return Assignment(path.stem, solution, stubs, questions, imports, watched, sources)


# --------------------------------------------------------------------------------------
# A submission: which file, whose, and the steps to run.


@dataclass
class Submission:
    student: str
    path: Path | None       # None: the student's folder holds no notebook


def _student_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", name).strip(".") or "_"


def find_submissions(folder: Path, assignment: str) -> list[Submission]:
    """Every student's submission in ``folder``, sorted by student id (see module docs)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in p.parts)
            named = [p for p in notebooks if p.stem == assignment]
            chosen = named[0] if named else notebooks[0] if len(notebooks) == 1 else None
            found.append(Submission(_student_id(entry.name), chosen))
        else:
            found.append(Submission(_student_id(entry.stem), entry))
    students = [s.student for s in found]
    duplicates = sorted({s for s in students if students.count(s) > 1})
    if duplicates:
        raise ValueError(f"two submissions give the same student id: {', '.join(duplicates)}")
    return found


@dataclass
class Step:
    """One cell the grader runs: its source, what it is, and for whom."""

    kind: str               # guard, setup, answer, stub, extra, before, visible, hidden, after
    source: str
    grade_id: str = ""      # the answer's or question's grade_id


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The submitted notebook; ValueError when it is not one (or is far too big)."""
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        raise ValueError(f"the file is {size:,} bytes, more than the "
                         f"{MAX_SUBMISSION_BYTES:,} a notebook may have")
    try:
        notebook = nbformat.reads(path.read_bytes().decode("utf-8"), as_version=4)
    except Exception as error:  # any way of not being a notebook: report, never crash
        raise ValueError(f"the file is not a Jupyter notebook ({type(error).__name__}: "
                         f"{str(error)[:200]})") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(
            isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
            and isinstance(c.get("source"), str) for c in cells):
        raise ValueError("the file is JSON but its cells are not notebook cells")
    return notebook


def plan(assignment: Assignment, submission: nbformat.NotebookNode, token: str) -> list[Step]:
    """The cells to run for one submission, in the solution notebook's order."""
    answers, extras, anchor = {}, {None: []}, None
    for cell in submission.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in assignment.stubs and grade_id not in answers:
            answers[grade_id] = cell.source
            anchor = grade_id
            extras[anchor] = []
        elif grade_id in {q.grade_id for q in assignment.questions} or \
                cell.source.strip() in assignment.instructor_sources or not cell.source.strip():
            continue    # the solution's own copy runs instead
        else:
            extras[anchor].append(cell.source)
    install = (f"__import__('book.grading.guard', fromlist=['install']).install("
               f"{assignment.imports!r}, {assignment.watched!r}, {SEED}, {token!r})")
    steps = [Step("guard", install)]
    questions = {q.grade_id: q for q in assignment.questions}
    for cell in assignment.solution.cells:
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        grade_id = meta.get("grade_id", "")
        if meta.get("solution"):
            if not any(s.kind in ("answer", "stub") for s in steps):
                steps += [Step("extra", source) for source in extras[None]]
            if grade_id in answers:
                steps.append(Step("answer", answers[grade_id], grade_id))
                steps += [Step("extra", source, grade_id) for source in extras[grade_id]]
            else:
                steps.append(Step("stub", assignment.stubs[grade_id], grade_id))
        elif meta.get("grade"):
            question = questions[grade_id]
            guard = "__import__('book.grading.guard', fromlist=['x'])"
            steps.append(Step("before", f"{guard}.before_check()", grade_id))
            steps.append(Step("visible", question.visible, grade_id))
            if question.hidden:
                steps.append(Step("hidden", question.hidden, grade_id))
            steps.append(Step("after", f"{guard}.after_check()", grade_id))
        else:
            steps.append(Step("setup", cell.source))
    return steps


# --------------------------------------------------------------------------------------
# Running the steps in a kernel.


@dataclass
class StepOutcome:
    status: str             # ok, error, timeout, crashed, not run
    text: str = ""          # what the cell printed
    error: str = ""         # "Name: message" of the exception it raised
    error_name: str = ""


class _CappedClient(NotebookClient):
    """A notebook client that keeps at most OUTPUT_LIMIT characters of output per cell."""

    output_limit = OUTPUT_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_used: dict[int, int] = {}

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self.output_used.get(cell_index, 0)
        self.output_used[cell_index] = used + size
        if used + size > self.output_limit and msg["msg_type"] != "error":
            if used <= self.output_limit:
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"[the grader dropped this cell's output after "
                         f"{self.output_limit:,} characters]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    env.pop("JPY_PARENT_PID", None)
    return env


def _outcome(cell) -> StepOutcome:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"
                   and o.get("name") == "stdout")
    for output in cell.outputs:
        if output.output_type == "error":
            return StepOutcome("error", text, f"{output.ename}: {output.evalue}", output.ename)
    return StepOutcome("ok", text)


def run_steps(steps: list[Step], workdir: Path, cell_timeout: float,
              notebook_timeout: float) -> list[StepOutcome]:
    """Run the steps in a fresh kernel; restart without any step that hangs or crashes."""
    deadline = time.monotonic() + notebook_timeout
    outcomes = [StepOutcome("not run") for _ in steps]
    skipped: set[int] = set()
    failed_starts = 0
    while True:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s.source)
                                                   for s in steps])
        client = _CappedClient(notebook, timeout=int(cell_timeout), kernel_name="python3",
                               allow_errors=True, interrupt_on_timeout=False,
                               record_timing=False, shutdown_kernel="immediate",
                               startup_timeout=120,
                               resources={"metadata": {"path": str(workdir)}})
        failed_at = None
        started = False
        try:
            with client.setup_kernel(env=_kernel_env()):
                started = True
                for index, cell in enumerate(notebook.cells):
                    if index in skipped:
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining < 1:
                        return outcomes
                    if steps[index].kind == "hidden" and outcomes[index - 1].status != "ok":
                        outcomes[index] = StepOutcome("not run")
                        continue
                    client.timeout = max(1, int(min(cell_timeout, remaining)))
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        outcomes[index] = StepOutcome("timeout", error=(
                            f"still running after {client.timeout} s"))
                        failed_at = index
                        break
                    except DeadKernelError:
                        outcomes[index] = StepOutcome("crashed", error=(
                            "the Python kernel stopped (the code exited or crashed it)"))
                        failed_at = index
                        break
                    outcomes[index] = _outcome(cell)
        except DeadKernelError:
            pass
        except RuntimeError:
            # A kernel can die while it starts, before any student code runs (for instance
            # when another process took the port it was given). That says nothing about the
            # submission, so start another one.
            failed_starts += 1
            if started or failed_starts >= KERNEL_STARTS:
                raise
            continue
        if failed_at is None:
            return outcomes
        skipped.add(failed_at)
        for index in range(failed_at + 1, len(steps)):
            outcomes[index] = StepOutcome("not run")


# --------------------------------------------------------------------------------------
# Scores.


@dataclass
class QuestionResult:
    question: str
    title: str
    points: float
    score: float
    status: str
    message: str


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    submission: str
    status: str
    message: str
    score: float
    max_score: float
    questions: list[QuestionResult]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "SubmissionResult":
        questions = [QuestionResult(**q) for q in data["questions"]]
        return cls(**{**data, "questions": questions})


def _clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 20] + " ... [cut by grader]"


def _cell_note(step: Step, outcome: StepOutcome, cell_timeout: float) -> str | None:
    what = {"answer": f"Your answer cell `{step.grade_id}`",
            "stub": f"The answer cell `{step.grade_id}`",
            "extra": "A cell you added" + (f" after `{step.grade_id}`" if step.grade_id else ""),
            "setup": "The setup cell"}.get(step.kind, "A cell")
    if outcome.status == "timeout":
        return f"{what} was still running after {cell_timeout:g} s; it was stopped and skipped."
    if outcome.status == "crashed":
        return f"{what} stopped the Python kernel; it was skipped."
    if outcome.status == "error" and step.kind != "stub":
        return f"{what} raised {_clip(outcome.error, 300)}"
    return None


def score(assignment: Assignment, submission: Submission, steps: list[Step],
          outcomes: list[StepOutcome], cell_timeout: float) -> SubmissionResult:
    """Turn the step outcomes into per-question scores and statuses."""
    notes = []
    by_question: dict[str, dict[str, StepOutcome]] = {}
    answer_notes: dict[str, list[str]] = {}
    for step, outcome in zip(steps, outcomes):
        if step.kind in ("before", "visible", "hidden", "after"):
            by_question.setdefault(step.grade_id, {})[step.kind] = outcome
            continue
        note = _cell_note(step, outcome, cell_timeout)
        if note:
            answer_notes.setdefault(step.grade_id, []).append(note)
            if step.kind in ("setup", "guard") or not step.grade_id:
                notes.append(note)
        if step.kind == "stub":
            answer_notes.setdefault(step.grade_id, []).append(
                f"The answer cell `{step.grade_id}` was missing from the submission; the "
                "exercise's empty version was used.")
    guard = outcomes[0]
    results = []
    for question in assignment.questions:
        extra = [n for a in question.answers for n in answer_notes.get(a, [])]
        if question.manual:
            results.append(QuestionResult(question.grade_id, question.title, question.points,
                                          0, MANUAL, "Graded by hand: no automatic check."))
            continue
        parts = by_question.get(question.grade_id, {})
        status, message = _question_status(parts, guard, cell_timeout)
        if extra:
            message = "\n".join(extra + [message])
        results.append(QuestionResult(question.grade_id, question.title, question.points,
                                      question.points if status == PASSED else 0, status,
                                      _clip(message)))
    statuses = {r.status for r in results}
    stopped = {o.status for o in outcomes}
    if TAMPERED in statuses:
        status = TAMPERED
    elif "crashed" in stopped:
        status = CRASHED
    elif "timeout" in stopped or NOT_GRADED in statuses:
        status = TIMEOUT
    else:
        status = GRADED
    summary = {
        TAMPERED: "The notebook's code changed the grader's checks; the questions checked "
                  "after that score zero. An instructor should look at it.",
        CRASHED: "A cell stopped the Python kernel; it was skipped and the rest graded.",
        TIMEOUT: "A cell ran past the time limit; it was stopped and the rest graded.",
        GRADED: "",
    }[status]
    total = sum(r.score for r in results)
    return SubmissionResult(submission.student, assignment.name, str(submission.path.name),
                            status, summary, total, assignment.max_score, results, notes)


def _question_status(parts: dict[str, StepOutcome], guard: StepOutcome,
                     cell_timeout: float) -> tuple[str, str]:
    before, visible = parts.get("before"), parts.get("visible")
    hidden, after = parts.get("hidden"), parts.get("after")
    if guard.status != "ok":
        return TAMPERED, f"The grader's set-up could not run: {guard.error or guard.status}"
    for part in (before, after):
        if part is not None and part.status == "error":
            return TAMPERED, part.error
    if visible is None or visible.status == "not run":
        return NOT_GRADED, "Not graded: the time limit for the whole notebook ran out first."
    if visible.status == "timeout" or (hidden is not None and hidden.status == "timeout"):
        return TIMEOUT, (f"The checks were still running after {cell_timeout:g} s (an endless "
                         "loop?); they were stopped.")
    if visible.status == "crashed" or (hidden is not None and hidden.status == "crashed"):
        return CRASHED, "Your code stopped the Python kernel while it was being checked."
    if visible.status == "error":
        return (FAILED if visible.error_name == "CheckFailed" else ERROR), visible.error
    if hidden is not None and hidden.status == "error":
        return ((FAILED if hidden.error_name == "CheckFailed" else ERROR),
                "The visible checks passed, but a hidden check failed: " + hidden.error)
    if before is None or after is None or before.status != "ok" or after.status != "ok":
        return NOT_GRADED, "Not graded: the grader could not confirm the check ran untouched."
    return PASSED, visible.text + (hidden.text if hidden is not None else "")


def _zero(assignment: Assignment, submission: Submission, status: str, message: str,
          question_status: str = NOT_GRADED) -> SubmissionResult:
    questions = [QuestionResult(q.grade_id, q.title, q.points, 0, question_status, message)
                 for q in assignment.questions]
    name = submission.path.name if submission.path is not None else ""
    return SubmissionResult(submission.student, assignment.name, name, status, message, 0,
                            assignment.max_score, questions)


def grade_submission(assignment: Assignment, submission: Submission, workdir: Path,
                     cell_timeout: float = CELL_TIMEOUT,
                     notebook_timeout: float = NOTEBOOK_TIMEOUT) -> SubmissionResult:
    """Grade one submission in a fresh kernel whose working folder is ``workdir``."""
    if submission.path is None:
        return _zero(assignment, submission, MISSING,
                     f"No {assignment.name}.ipynb found in the student's folder.")
    try:
        notebook = read_submission(submission.path)
    except ValueError as error:
        return _zero(assignment, submission, INVALID, str(error))
    workdir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    steps = plan(assignment, notebook, token)
    outcomes = run_steps(steps, workdir, cell_timeout, notebook_timeout)
    for step, outcome in zip(steps, outcomes):
        if step.kind in ("before", "after") and outcome.status == "ok" \
                and token not in outcome.text:
            outcome.status, outcome.error = "error", (
                "the grader's check guard did not run (its cell was changed)")
    return score(assignment, submission, steps, outcomes, cell_timeout)


def _worker(solution: Path, submission: Submission, workdir: Path, cell_timeout: float,
            notebook_timeout: float) -> SubmissionResult:
    """Grade one submission in a separate grader process (a crash there stays there)."""
    assignment = load_assignment(solution)
    command = [sys.executable, "-m", "book.grading.grade", str(solution), submission.student,
               str(submission.path or ""), str(workdir), str(cell_timeout),
               str(notebook_timeout)]
    # Kernel start-ups and restarts come on top of the notebook's own time.
    limit = notebook_timeout * 2 + 120
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                               else f"exit status {done.returncode}")
        return SubmissionResult.from_json(json.loads(done.stdout))
    except subprocess.TimeoutExpired:
        return _zero(assignment, submission, TIMEOUT,
                     f"Grading took longer than {limit:g} s and was stopped.")
    except Exception as error:  # a grader failure must not stop the other submissions
        return _zero(assignment, submission, GRADER_ERROR,
                     f"The grader failed on this submission: {type(error).__name__}: {error}")


def grade_folder(solution: Path, submissions: Path, workdir: Path, jobs: int | None = None,
                 cell_timeout: float = CELL_TIMEOUT,
                 notebook_timeout: float = NOTEBOOK_TIMEOUT) -> list[SubmissionResult]:
    """Grade every submission in ``submissions`` (up to ``jobs`` at once), sorted by student.

    Each submission is graded by its own grader process and kernel, in the working folder
    ``workdir/<student>``; ``jobs`` defaults to the number of cores.
    """
    solution, workdir = Path(solution).resolve(), Path(workdir).resolve()
    assignment = load_assignment(solution)
    found = find_submissions(submissions, assignment.name)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(found) or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda s: _worker(solution, s, workdir / s.student, cell_timeout,
                                               notebook_timeout), found))


def _main(argv: list[str]) -> int:
    """Grader process: ``python -m book.grading.grade SOLUTION STUDENT PATH WORKDIR T_CELL T_ALL``."""
    solution, student, path, workdir, cell_timeout, notebook_timeout = argv
    assignment = load_assignment(Path(solution))
    submission = Submission(student, Path(path) if path else None)
    result = grade_submission(assignment, submission, Path(workdir), float(cell_timeout),
                              float(notebook_timeout))
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
