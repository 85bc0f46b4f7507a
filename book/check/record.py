"""Under the grader, each check call's observations go to a file, one JSON line per call.

The grader (:mod:`book.grading`) sets ``BOOK_OBSERVATIONS`` in the kernel's environment to a
file in the sandbox's writable folder, and its plan runs :func:`begin` before each check cell
(naming the question and whether the checks are the visible or the hidden ones) and
:func:`end` after it. While a question's checks run, every check of :mod:`book.check` writes
a record: the question, the part, the call's index within the part, the check, its settings
and what the student's code gave. In a hidden part the check only observes: it computes no
expected value and compares nothing, since the grader judges the records outside this
process. In the trusted run of the solution's own answers (``BOOK_REFERENCE_RUN``) the
records also hold what judging needs beyond them: a training check's architecture and test
data. Outside the grader (a reader's or a student's notebook) nothing is recorded.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass

from book.check.encoding import encode

VARIABLE = "BOOK_OBSERVATIONS"      # the kernel's variable naming the observations file
# Set only in the trusted run of the solution's own answers: its checks also record what
# the grader judges every student's records with (a training check's architecture and test
# data). A student who sets it only makes their own records longer.
REFERENCE_VARIABLE = "BOOK_REFERENCE_RUN"
PARTS = ("visible", "hidden")


@dataclass
class _Context:
    grade_id: str
    part: str
    path: str
    reference: bool
    calls: int = 0


_context: _Context | None = None


def begin(grade_id: str, part: str) -> None:
    """Record the checks that follow as ``part`` ("visible" or "hidden") of ``grade_id``."""
    global _context
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    path = os.environ.get(VARIABLE, "")
    reference = os.environ.get(REFERENCE_VARIABLE) == "1"
    _context = _Context(grade_id, part, path, reference) if path else None


def end() -> None:
    """Stop recording: checks run after this (a student's own) are not the grader's."""
    global _context
    _context = None


class CheckRecord:
    """One check call's observations, written as a JSON line when the check ends."""

    def __init__(self, context: _Context, check: str, name: str, settings: dict):
        # Read once, as the check starts: code that the check calls cannot turn a hidden
        # check into one that computes expected values.
        self.hidden = context.part == "hidden"
        self.reference = context.reference
        self.path = context.path
        self.data = {"grade_id": context.grade_id, "part": context.part,
                     "index": context.calls, "check": check, "name": name,
                     "settings": {key: encode(value) for key, value in settings.items()}}
        context.calls += 1

    def add(self, **fields) -> None:
        """Add observed fields (JSON-ready data, or outcomes with ``to_json``)."""
        self.data.update(fields)

    def add_case(self, call: str, raises: str, outcome) -> None:
        """Add one case of check_function: its description, the exception it must raise."""
        self.data.setdefault("cases", []).append(
            {"call": call, "raises": raises, "outcome": outcome})

    def write(self) -> None:
        line = json.dumps(self.data, default=lambda value: value.to_json(), allow_nan=False,
                          ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class _NotRecording:
    """Stands for a record outside the grader: nothing is kept, the check runs in full."""

    hidden = False
    reference = False

    def add(self, **fields) -> None:
        pass

    def add_case(self, call: str, raises: str, outcome) -> None:
        pass


@contextmanager
def recording(check: str, name: str, settings: dict):
    """A record for one check call, written when the check ends however it ends.

    settings: the check's parameters (tolerance, threshold, ...), which the grader takes
    from the solution's record when it judges.
    """
    if _context is None:
        yield _NotRecording()
        return
    record = CheckRecord(_context, check, name, settings)
    try:
        yield record
    finally:
        record.write()
