"""What grading one submission gives: a status and score per question, and for the whole.

The statuses are enums; the JSON reports and the CSV gradebook hold their values ("passed",
"not graded", ...), so the files read as plain words.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class QuestionStatus(enum.Enum):
    """How one question went; it scores its points only when ``PASSED``."""

    PASSED = "passed"
    FAILED = "failed"              # a check said the answer is wrong (CheckFailed)
    ERROR = "error"                # a check raised anything else
    TIMEOUT = "timeout"
    CRASHED = "crashed"            # the kernel stopped while the checks ran
    TAMPERED = "tampered"          # student code changed what the checks rely on
    NOT_GRADED = "not graded"      # the checks never ran, or could not be confirmed
    MANUAL = "manual"              # an answer with no automatic check: graded by hand


class SubmissionStatus(enum.Enum):
    """How the grading of one submission went as a whole."""

    GRADED = "graded"
    TIMEOUT = "timeout"            # a cell ran past its time limit and was skipped
    CRASHED = "crashed"            # a cell stopped the kernel and was skipped
    TAMPERED = "tampered"
    INVALID = "invalid"            # the file is not a notebook
    MISSING = "missing"            # the student's folder holds no notebook
    GRADER_ERROR = "grader error"  # the grader itself failed on this submission


@dataclass
class QuestionResult:
    question: str                  # the check cell's grade_id
    title: str
    points: float
    score: float
    status: QuestionStatus
    message: str

    def to_json(self) -> dict:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_json(cls, data: dict) -> QuestionResult:
        return cls(**{**data, "status": QuestionStatus(data["status"])})


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    submission: str                # the submitted file's name ("" when there was none)
    status: SubmissionStatus
    message: str
    score: float
    max_score: float
    questions: list[QuestionResult]
    notes: list[str] = field(default_factory=list)
    # The submitted file's sha256 ("" when there was none): --resume grades a submission
    # again when its bytes changed since its result was written.
    sha256: str = ""
    # The assignment's digest (its solution notebook and the grader's code): --resume grades
    # a submission again when it was graded against another solution or grader.
    solution_digest: str = ""

    def to_json(self) -> dict:
        return {**asdict(self), "status": self.status.value,
                "questions": [q.to_json() for q in self.questions]}

    @classmethod
    def from_json(cls, data: dict) -> SubmissionResult:
        return cls(**{**data, "status": SubmissionStatus(data["status"]),
                      "questions": [QuestionResult.from_json(q) for q in data["questions"]]})
