"""Write the grader's results: one JSON and one feedback page per student, and a gradebook.

Layout of the output folder (``python -m book grade ... --out grades/``)::

    grades/gradebook.csv          student, one column per question, total, max, status
    grades/json/<student>.json    the full result (questions with points, score, status, message)
    grades/feedback/<student>.md  feedback for the student, in Markdown
    grades/feedback/<student>.html  the same page in HTML, ready to send

Each JSON is written by :func:`write_result` as soon as its submission is graded, so an
interrupted run keeps what it finished (:func:`finished_results` reads it back for
``--resume``); :func:`write_reports` writes the feedback pages and the gradebook at the end.
Every file is written whole or not at all (a temporary file renamed over the old one).

Everything in a report that came from a student (notes, messages, exception names, the
student id) is data, never markup: it reaches the Markdown inside code blocks, the HTML only
escaped (raw HTML is off when the Markdown is rendered), and the gradebook with any
spreadsheet formula neutralised. Values of the grade command's environment variables are
masked in every message and note (the text student code could have written), so an
instructor's token cannot reach a student's page; the ids and digests the grader writes
itself are kept as they are.

Nothing in these files depends on time or on the order in which submissions were graded,
so grading the same submissions twice writes the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt

from book.grading.results import QuestionStatus, SubmissionResult
from book.grading.submissions import Submission, submission_sha256

# How a question's status reads on the student's feedback page.
STATUS_WORDS = {
    QuestionStatus.PASSED: "passed", QuestionStatus.FAILED: "failed",
    QuestionStatus.ERROR: "error in the check", QuestionStatus.TIMEOUT: "stopped: too slow",
    QuestionStatus.CRASHED: "stopped: kernel crashed",
    QuestionStatus.TAMPERED: "checks were tampered with",
    QuestionStatus.NOT_GRADED: "not graded", QuestionStatus.MANUAL: "graded by hand",
}
RESULTS_FOLDER = "json"           # where write_reports puts the JSON results, under --out
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MASK = "[hidden: grader's environment]"
MASKED_LENGTH = 8                 # shorter values ("1", "C.UTF-8") would mask ordinary words


def _number(value: float) -> str:
    return f"{value:g}"


def mask_environment(text: str, environment: dict[str, str] | None = None) -> str:
    """``text`` with each value of the grade command's environment variables masked.

    Only values of at least MASKED_LENGTH characters that are not file paths are masked:
    paths (PATH, HOME, the virtual env) appear in ordinary tracebacks and are no secret.
    """
    values = (environment if environment is not None else os.environ).values()
    for value in sorted({v for v in values if len(v) >= MASKED_LENGTH
                         and not v.startswith(os.sep)}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def _masked(result: SubmissionResult) -> SubmissionResult:
    """A copy of ``result`` with the environment masked in the text that student code could
    have written (the messages and notes); the fields the grader itself writes (student id,
    file name, digests) are kept exactly, so ids stay distinct and ``--resume`` finds them."""
    return replace(result, message=mask_environment(result.message),
                   notes=[mask_environment(note) for note in result.notes],
                   questions=[replace(question, message=mask_environment(question.message))
                              for question in result.questions])


def _write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole: a temporary file beside it, renamed over it."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, 0o644)      # mkstemp's 0600 would hide reports from the course
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _report_name(student: str, suffix: str) -> str:
    """``student + suffix`` as a file name; refuses an id that would leave its folder."""
    if not student or student in (".", "..") or "/" in student or "\0" in student:
        raise ValueError(f"{student!r} cannot name a report file")
    return student + suffix


def write_result(result: SubmissionResult, out_dir: Path) -> Path:
    """Write ``<out_dir>/<student>.json`` atomically (called as each submission finishes)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_masked(result).to_json(), indent=2, ensure_ascii=False) + "\n"
    return _write_atomically(out_dir / _report_name(result.student, ".json"), text)


def finished_results(out_dir: Path) -> dict[str, SubmissionResult]:
    """The results already written in ``out_dir``, by student (for ``--resume``).

    A file that is not a regular file, or not a result, is left out, so its submission is
    graded again; each result carries its submission's sha256, so the caller can tell a
    submission that changed since.
    """
    finished = {}
    for path in sorted(Path(out_dir).glob("*.json")) if Path(out_dir).is_dir() else ():
        if path.is_symlink() or not path.is_file():
            continue
        try:
            result = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
            if path.name == _report_name(result.student, ".json"):
                finished[result.student] = result
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            continue
    return finished


def unchanged_results(out_dir: Path, submissions: list[Submission],
                      solution_digest: str) -> dict[str, SubmissionResult]:
    """The results in ``out_dir`` that ``--resume`` keeps: their submission is still there,
    byte for byte, and they were graded against ``solution_digest`` (the assignment's
    :attr:`~book.grading.assignment.Assignment.digest`: the same solution and grader)."""
    finished = finished_results(out_dir)
    return {s.student: finished[s.student] for s in submissions
            if s.student in finished and s.path is not None
            and finished[s.student].sha256 == submission_sha256(s.path)
            and finished[s.student].solution_digest == solution_digest}


def _fence_of(text: str, shortest: int) -> str:
    """A run of backticks longer than any in ``text`` (and at least ``shortest``): CommonMark
    ends a code span or block only at a run as long, so the text inside is shown as typed."""
    return "`" * max(shortest, 1 + max((len(run) for run in re.findall("`+", text)), default=0))


def _fenced(text: str) -> list[str]:
    """``text`` as a Markdown code block: shown as typed, never read as Markdown or HTML."""
    fence = _fence_of(text, 3)
    return [f"{fence}text", text or "(no message)", fence]


def _code_span(text: str) -> str:
    """``text`` as CommonMark inline code, shown as typed on one line.

    Line breaks become spaces (a blank line would end the paragraph, and the span with it);
    the fence is one backtick more than the longest run inside, padded with spaces when the
    text starts or ends with a backtick (CommonMark's rules for code spans).
    """
    text = text.replace("\r", " ").replace("\n", " ")
    fence = _fence_of(text, 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def feedback_markdown(result: SubmissionResult) -> str:
    """The student's feedback page: total, then each question's result and message."""
    lines = [f"# Feedback: {result.assignment}", "",
             f"Student: {_code_span(result.student)}  ",
             # Which file: one student's several entries are graded under several ids.
             *([f"File: {_code_span(result.submission)}  "] if result.submission else []),
             f"Score: **{_number(result.score)} / {_number(result.max_score)}**  ",
             f"Status: {result.status.value}", ""]
    if result.message:
        lines += [*_fenced(result.message), ""]
    if result.notes:
        lines += ["Notes:", "", *_fenced("\n".join(result.notes)), ""]
    for question in result.questions:
        lines += [f"## {question.title}", "",
                  f"`{question.question}`: {_number(question.score)} / "
                  f"{_number(question.points)} points ({STATUS_WORDS[question.status]})",
                  "", *_fenced(question.message), ""]
    return "\n".join(lines)


def _markdown_renderer() -> MarkdownIt:
    """CommonMark with raw HTML off (shown as text) and no images (no request on opening)."""
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def feedback_html(result: SubmissionResult) -> str:
    body = _markdown_renderer().render(feedback_markdown(result))
    title = html.escape(f"Feedback: {result.assignment}, {result.student}")
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>body {{ font-family: sans-serif; max-width: 50em; "
            f"margin: 2em auto; }} pre {{ background: #f4f4f4; padding: 0.6em; "
            f"white-space: pre-wrap; }}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def spreadsheet_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` before a formula's start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def gradebook_csv(results: list[SubmissionResult]) -> str:
    """CSV: student, the score of each question (by grade_id), total, max, status.

    Scores are numbers the grader wrote, left as numbers; the text cells are neutralised.
    """
    questions = [q.question for q in results[0].questions] if results else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_text(c) for c in ("student", *questions, "total", "max",
                                                   "status")])
    for result in sorted(results, key=lambda r: r.student):
        scores = {q.question: q.score for q in result.questions}
        writer.writerow([spreadsheet_text(result.student),
                         *(_number(scores.get(q, 0)) for q in questions),
                         _number(result.score), _number(result.max_score),
                         spreadsheet_text(result.status.value)])
    return buffer.getvalue()


def write_gradebook(results: list[SubmissionResult], path: Path) -> Path:
    return _write_atomically(Path(path), gradebook_csv(results))


def write_reports(results: list[SubmissionResult], out: Path) -> Path:
    """Write every report under ``out``; return the gradebook's path."""
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    results = [_masked(result) for result in results]
    for result in results:
        write_result(result, out / RESULTS_FOLDER)
        _write_atomically(out / "feedback" / _report_name(result.student, ".md"),
                          feedback_markdown(result))
        _write_atomically(out / "feedback" / _report_name(result.student, ".html"),
                          feedback_html(result))
    return write_gradebook(results, out / "gradebook.csv")
