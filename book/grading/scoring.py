"""Scores: from what became of each planned cell, and the grader's judgement, to each question.

Each question's visible checks run, then its hidden checks. A question scores its points when
the grader's judgement of its observations passes (:mod:`book.grading.compare`); what the
kernel printed or raised is only the student's feedback text. A check cell that ran past its
time limit or stopped the kernel scores zero with its own message. What the guard noticed is
a note; it makes the question "tampered" only when the judgement fails.
"""

from __future__ import annotations

from book.grading.assignment import Assignment
from book.grading.plan import CHECK_KINDS, Step
from book.grading.results import QuestionResult, QuestionStatus, SubmissionResult, SubmissionStatus
from book.grading.run import CellStatus, StepOutcome
from book.grading.submissions import Submission

MESSAGE_LIMIT = 2_000      # characters of a check's message kept in the report

SUMMARIES = {
    SubmissionStatus.TAMPERED: "The notebook's code changed the grader's checks and a question "
                               "checked after that failed. An instructor should look at it.",
    SubmissionStatus.CRASHED: "A cell stopped the Python kernel; it was skipped and the rest "
                              "graded.",
    SubmissionStatus.TIMEOUT: "A cell ran past the time limit; it was stopped and the rest "
                              "graded.",
    SubmissionStatus.GRADED: "",
}
TAMPER_NOTE = "The grader's guard noticed a change to the checker ({}); the score comes from " \
              "the grader's own judgement of your answers."


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` stripped and cut to ``limit`` characters, saying that it was cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 20] + " ... [cut by grader]"


def _cell_note(step: Step, outcome: StepOutcome, cell_timeout: float) -> str | None:
    what = {"answer": f"Your answer cell `{step.grade_id}`",
            "stub": f"The answer cell `{step.grade_id}`",
            "extra": "A cell you added" + (f" after `{step.grade_id}`" if step.grade_id else ""),
            "setup": "The setup cell"}.get(step.kind, "A cell")
    if outcome.status is CellStatus.TIMEOUT:
        return f"{what} was still running after {cell_timeout:g} s; it was stopped and skipped."
    if outcome.status is CellStatus.CRASHED:
        return f"{what} stopped the Python kernel ({outcome.error}); it was skipped."
    if outcome.status is CellStatus.ERROR and step.kind != "stub":
        return f"{what} raised {clip(outcome.error, 300)}"
    return None


def _kernel_error(parts: dict[str, StepOutcome]) -> StepOutcome | None:
    """The first check cell that raised something other than the checker saying no."""
    for kind in ("visible", "hidden"):
        part = parts.get(kind)
        if part is not None and part.status is CellStatus.ERROR \
                and part.error_name != "CheckFailed":
            return part
    return None


def guard_problem(parts: dict[str, StepOutcome], guard: StepOutcome) -> str:
    """What the guard noticed around a question's checks ("" when nothing)."""
    if guard.status is not CellStatus.OK:
        return f"the grader's set-up could not run: {guard.error or guard.status.value}"
    for kind in ("before", "after"):
        part = parts.get(kind)
        if part is not None and part.status is CellStatus.ERROR:
            return part.error
    return ""


def question_status(parts: dict[str, StepOutcome], verdict: tuple[bool, str],
                    tampering: str, cell_timeout: float) -> tuple[QuestionStatus, str]:
    """One question's status and message, from its check cells' outcomes (by step kind),
    the grader's verdict (passed, message) and what the guard noticed."""
    visible, hidden = parts.get("visible"), parts.get("hidden")
    checks = [c for c in (visible, hidden) if c is not None]
    if visible is None or visible.status is CellStatus.NOT_RUN:
        return (QuestionStatus.NOT_GRADED,
                "Not graded: the time limit for the whole notebook ran out first.")
    if any(c.status is CellStatus.TIMEOUT for c in checks):
        return QuestionStatus.TIMEOUT, (f"The checks were still running after {cell_timeout:g} s "
                                        "(an endless loop?); they were stopped.")
    crashed = [c for c in checks if c.status is CellStatus.CRASHED]
    if crashed:
        return (QuestionStatus.CRASHED, "Your code stopped the Python kernel while it was "
                f"being checked ({crashed[0].error}).")
    passed, message = verdict
    if passed:
        return QuestionStatus.PASSED, visible.text + message
    if tampering:
        return QuestionStatus.TAMPERED, tampering
    error = _kernel_error(parts)
    if error is not None:
        return QuestionStatus.ERROR, error.error
    return QuestionStatus.FAILED, message


def _submission_status(questions: list[QuestionResult],
                       outcomes: list[StepOutcome]) -> SubmissionStatus:
    statuses = {q.status for q in questions}
    stopped = {o.status for o in outcomes}
    if QuestionStatus.TAMPERED in statuses:
        return SubmissionStatus.TAMPERED
    if CellStatus.CRASHED in stopped:
        return SubmissionStatus.CRASHED
    if CellStatus.TIMEOUT in stopped or QuestionStatus.NOT_GRADED in statuses:
        return SubmissionStatus.TIMEOUT
    return SubmissionStatus.GRADED


def score(assignment: Assignment, submission: Submission, steps: list[Step],
          outcomes: list[StepOutcome], verdicts: dict[str, tuple[bool, str]],
          cell_timeout: float) -> SubmissionResult:
    """Per-question scores and statuses from the step outcomes and the grader's verdicts."""
    notes = []
    by_question: dict[str, dict[str, StepOutcome]] = {}
    answer_notes: dict[str, list[str]] = {}
    for step, outcome in zip(steps, outcomes, strict=True):
        if step.kind in CHECK_KINDS:
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
        if question.manual:
            results.append(QuestionResult(question.grade_id, question.title, question.points,
                                          0, QuestionStatus.MANUAL,
                                          "Graded by hand: no automatic check."))
            continue
        parts = by_question.get(question.grade_id, {})
        tampering = guard_problem(parts, guard)
        status, message = question_status(parts, verdicts[question.grade_id], tampering,
                                          cell_timeout)
        note = TAMPER_NOTE.format(tampering)
        if tampering and status is not QuestionStatus.TAMPERED and note not in notes:
            notes.append(note)
        extra = [n for a in question.answers for n in answer_notes.get(a, [])]
        if extra:
            message = "\n".join(extra + [message])
        points = question.points if status is QuestionStatus.PASSED else 0
        results.append(QuestionResult(question.grade_id, question.title, question.points,
                                      points, status, clip(message)))
    status = _submission_status(results, outcomes)
    return SubmissionResult(submission.student, assignment.name, str(submission.path.name),
                            status, SUMMARIES[status], sum(r.score for r in results),
                            assignment.max_score, results, notes,
                            solution_digest=assignment.digest)


def zero_result(assignment: Assignment, submission: Submission, status: SubmissionStatus,
                message: str) -> SubmissionResult:
    """The result of a submission that could not be graded: every question not graded."""
    questions = [QuestionResult(q.grade_id, q.title, q.points, 0, QuestionStatus.NOT_GRADED,
                                message) for q in assignment.questions]
    name = submission.path.name if submission.path is not None else ""
    return SubmissionResult(submission.student, assignment.name, name, status, message, 0,
                            assignment.max_score, questions, solution_digest=assignment.digest)
