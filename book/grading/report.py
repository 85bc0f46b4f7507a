"""Write the grader's results: one JSON and one feedback page per student, and a gradebook.

Layout of the output folder (``python -m book grade ... --out grades/``)::

    grades/gradebook.csv          student, one column per question, total, max, status
    grades/json/<student>.json    the full result (questions with points, score, status, message)
    grades/feedback/<student>.md  feedback for the student, in Markdown
    grades/feedback/<student>.html  the same page in HTML, ready to send

Nothing in these files depends on time or on the order in which submissions were graded,
so grading the same submissions twice writes the same bytes.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from markdown_it import MarkdownIt

from book.grading.results import QuestionStatus, SubmissionResult

# How a question's status reads on the student's feedback page.
STATUS_WORDS = {
    QuestionStatus.PASSED: "passed", QuestionStatus.FAILED: "failed",
    QuestionStatus.ERROR: "error in the check", QuestionStatus.TIMEOUT: "stopped: too slow",
    QuestionStatus.CRASHED: "stopped: kernel crashed",
    QuestionStatus.TAMPERED: "checks were tampered with",
    QuestionStatus.NOT_GRADED: "not graded", QuestionStatus.MANUAL: "graded by hand",
}


def _number(value: float) -> str:
    return f"{value:g}"


def write_json(result: SubmissionResult, folder: Path) -> Path:
    path = Path(folder) / f"{result.student}.json"
    path.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    return path


def feedback_markdown(result: SubmissionResult) -> str:
    """The student's feedback page: total, then each question's result and message."""
    lines = [f"# Feedback: {result.assignment}", "",
             f"Student: **{result.student}**  ",
             f"Score: **{_number(result.score)} / {_number(result.max_score)}**  ",
             f"Status: {result.status.value}", ""]
    if result.message:
        lines += [result.message, ""]
    for note in result.notes:
        lines += [f"- {note}"]
    if result.notes:
        lines.append("")
    for question in result.questions:
        lines += [f"## {question.title}", "",
                  f"`{question.question}`: {_number(question.score)} / "
                  f"{_number(question.points)} points ({STATUS_WORDS[question.status]})",
                  "", "```text", question.message.replace("```", "'''") or "(no message)",
                  "```", ""]
    return "\n".join(lines)


def feedback_html(result: SubmissionResult) -> str:
    body = MarkdownIt("commonmark").render(feedback_markdown(result))
    title = html.escape(f"Feedback: {result.assignment}, {result.student}")
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>body {{ font-family: sans-serif; max-width: 50em; "
            f"margin: 2em auto; }} pre {{ background: #f4f4f4; padding: 0.6em; "
            f"white-space: pre-wrap; }}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def write_gradebook(results: list[SubmissionResult], path: Path) -> Path:
    """CSV: student, the score of each question (by grade_id), total, max, status."""
    questions = [q.question for q in results[0].questions] if results else []
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student", *questions, "total", "max", "status"])
        for result in sorted(results, key=lambda r: r.student):
            scores = {q.question: q.score for q in result.questions}
            writer.writerow([result.student, *(_number(scores[q]) for q in questions),
                             _number(result.score), _number(result.max_score),
                             result.status.value])
    return Path(path)


def write_reports(results: list[SubmissionResult], out: Path) -> Path:
    """Write every report under ``out``; return the gradebook's path."""
    out = Path(out)
    for folder in (out / "json", out / "feedback"):
        folder.mkdir(parents=True, exist_ok=True)
    for result in results:
        write_json(result, out / "json")
        (out / "feedback" / f"{result.student}.md").write_text(feedback_markdown(result))
        (out / "feedback" / f"{result.student}.html").write_text(feedback_html(result))
    return write_gradebook(results, out / "gradebook.csv")
