"""The cells the grader runs for one submission, in the order of the solution notebook.

Instructor cells (setup, checks) come from the assignment, matched by ``grade_id``, so
deleted, edited or reordered check cells come back and the hidden tests are put in. Answer
cells (``solution: true``) come from the submission; a missing one is replaced by the empty
exercise version. Cells the student added run right after the answer cell they follow.
Before any of them runs, the guard (:mod:`book.grading.guard`) takes its fingerprint, and it
verifies that fingerprint around every check. Each visible and hidden check cell starts by
telling :mod:`book.check.record` which question and part its checks belong to, and the cell after
the checks ends the recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

from book.grading.assignment import Assignment

# The grader's own lines. They reach the book through __import__ so that they bind no name
# in the notebook; the guard's configuration comes as data in the kernel's environment.
_GUARD = "__import__('book.grading.guard', fromlist=['guard'])"
_RECORD = "__import__('book.check.record', fromlist=['record'])"
INSTALL_GUARD = f"{_GUARD}.install_from_environment()"
BEFORE_CHECK = f"{_GUARD}.before_check()"
AFTER_CHECK = f"{_RECORD}.end()\n{_GUARD}.after_check()"
CHECK_KINDS = ("before", "visible", "hidden", "after")


@dataclass
class Step:
    """One cell the grader runs: its source, what it is, and for whom."""

    kind: str               # guard, setup, answer, stub, extra, before, visible, hidden, after
    source: str
    grade_id: str = ""      # the answer's or question's grade_id


def begin_recording(grade_id: str, part: str) -> str:
    """The line that starts a check cell: its checks are ``part`` of question ``grade_id``."""
    return f"{_RECORD}.begin({grade_id!r}, {part!r})\n"


def plan(assignment: Assignment, submission: nbformat.NotebookNode) -> list[Step]:
    """The cells to run for one submission, in the solution notebook's order."""
    questions = {q.grade_id: q for q in assignment.questions}
    stubs = assignment.stubs
    instructor_sources = set(assignment.instructor_sources)
    answers, extras, anchor = {}, {None: []}, None
    for cell in submission.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str):
            grade_id = None     # a grade_id that is not text: a cell the student added
        if grade_id in stubs and grade_id not in answers:
            answers[grade_id] = cell.source
            anchor = grade_id
            extras[anchor] = []
        elif grade_id in questions or cell.source.strip() in instructor_sources \
                or not cell.source.strip():
            continue    # the solution's own copy runs instead
        else:
            extras[anchor].append(cell.source)
    steps = [Step("guard", INSTALL_GUARD)]
    for cell in assignment.cells:
        grade_id = cell.grade_id
        if cell.role == "answer":
            if not any(s.kind in ("answer", "stub") for s in steps):
                steps += [Step("extra", source) for source in extras[None]]
            if grade_id in answers:
                steps.append(Step("answer", answers[grade_id], grade_id))
                steps += [Step("extra", source, grade_id) for source in extras[grade_id]]
            else:
                steps.append(Step("stub", cell.source, grade_id))
        elif cell.role == "check":
            question = questions[grade_id]
            steps.append(Step("before", BEFORE_CHECK, grade_id))
            steps.append(Step("visible", begin_recording(grade_id, "visible")
                              + question.visible, grade_id))
            if question.hidden:
                steps.append(Step("hidden", begin_recording(grade_id, "hidden")
                                  + question.hidden, grade_id))
            steps.append(Step("after", AFTER_CHECK, grade_id))
        else:
            steps.append(Step("setup", cell.source))
    return steps
