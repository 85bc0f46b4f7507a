"""The grader's reports and inputs on hostile data: no live HTML, no formulas, no secrets.

Fast tests, no kernel: results are made up here with student-derived strings chosen to break
a report (markup in notes, messages and exception names, formulas in student ids, the
grader's environment in a message), and submission folders hold what is not a notebook
(links to /dev/zero, FIFOs, folders named like notebooks, huge files, endless names).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt

from book.grading import assignment, report
from book.grading.assignment import Assignment, assignment_of, nbgrader_metadata, solution_digest
from book.grading.report import (
    finished_results,
    mask_environment,
    unchanged_results,
    write_reports,
    write_result,
)
from book.grading.results import QuestionResult, QuestionStatus, SubmissionResult, SubmissionStatus
from book.grading.scoring import zero_result
from book.grading.submissions import (
    ID_LENGTH,
    MAX_SUBMISSION_BYTES,
    Submission,
    find_submissions,
    read_submission,
    student_id,
    submission_sha256,
)

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "04_padding_and_stride.ipynb"
HOSTILE = ['<img src=x onerror="alert(1)">', "<script>alert(2)</script>",
           "![pixel](http://example.com/track.png)", "<svg onload=alert(3)>",
           '<a href="javascript:alert(4)">click</a>', "[link](javascript:alert(5))",
           "```\n<iframe src=//evil></iframe>\n```", "</code></pre><b onmouseover=x>"]
# The only elements a feedback page has: the template's and Markdown's for its own text.
PAGE_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "strong",
                 "code", "pre", "br"}
PAGE_ATTRIBUTES = {("html", "lang"), ("meta", "charset"), ("code", "class")}


class Elements(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def elements(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser.tags


def markdown_as_a_viewer_shows_it(markdown: str) -> str:
    """The HTML a Markdown viewer makes of a .md page: raw HTML in it would be live."""
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def hostile_result(student: str = "mallory", message: str = "") -> SubmissionResult:
    question = QuestionResult("output_size_checks", "Exercise 1: the output size", 2, 0,
                              QuestionStatus.ERROR,
                              f"{HOSTILE[3]}Error: {' '.join(HOSTILE)}")
    return SubmissionResult(student, "04_padding_and_stride", "mallory.ipynb",
                            SubmissionStatus.INVALID,
                            message or f"the file is not a Jupyter notebook ({HOSTILE[0]})",
                            0, 2, [question], notes=list(HOSTILE), sha256="ab" * 32)


def test_feedback_pages_hold_no_markup_from_student_text(tmp_path):
    write_reports([hostile_result()], tmp_path)
    page = (tmp_path / "feedback" / "mallory.html").read_text()
    for tag, attributes in elements(page):
        assert tag in PAGE_ELEMENTS, f"<{tag}> came from student text"
        for name, value in attributes:
            assert (tag, name) in PAGE_ATTRIBUTES, f"<{tag} {name}={value!r}>"
            assert not name.startswith("on")
    assert "&lt;img src=x onerror=" in page       # shown to the student as the text it was
    assert "```\n&lt;iframe src=//evil&gt;&lt;/iframe&gt;\n```" in page   # its own backticks
    markdown = (tmp_path / "feedback" / "mallory.md").read_text()
    assert {tag for tag, _ in elements(markdown_as_a_viewer_shows_it(markdown))} == {
        "h1", "h2", "p", "strong", "code", "pre", "br"}


def test_a_grader_error_line_is_escaped_too(tmp_path):
    line = f"The grader failed on this submission: RuntimeError: {HOSTILE[0]}"
    write_reports([hostile_result(message=line)], tmp_path)
    page = (tmp_path / "feedback" / "mallory.html").read_text()
    assert "<img" not in page and "The grader failed on this submission" in page


def test_gradebook_cells_are_never_formulas(tmp_path):
    names = ["+1+1", "-2+3", "@SUM(A1)", "=1+2", "\tx", "plain"]
    students = [student_id(name) for name in names]
    results = [hostile_result(student) for student in students]
    results[0].score = -1            # a number the grader wrote stays a number
    with open(write_reports(results, tmp_path), newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert [c for c in cells if c.startswith("-")] == ["-1"]
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["'+1+1", "'-2+3", "'@SUM_A1_", "_1+2", "_x", "plain"])
    for formula in ("=1+2", "+A1", "-A1", "@A1", "\tA1", "\rA1"):
        assert report.spreadsheet_text(formula) == "'" + formula


def test_the_graders_environment_never_reaches_a_report(tmp_path, monkeypatch):
    secret = "s3cret-token-of-the-instructor"
    monkeypatch.setenv("BOOK_TEST_PLANTED_SECRET", secret)
    result = hostile_result(message=f"os.environ: {{'BOOK_TEST_PLANTED_SECRET': '{secret}'}}")
    result.notes.append(f"printed {secret}")
    write_reports([result], tmp_path)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 4
    for path in written:
        assert secret not in path.read_text(), path
    assert report.MASK in (tmp_path / "json" / "mallory.json").read_text()


def test_ids_and_digests_are_never_masked(tmp_path, monkeypatch):
    """Two ids holding an environment value stay two files, and --resume still finds them."""
    monkeypatch.setenv("BOOK_TEST_INSTRUCTOR", "professor")
    results = [replace(hostile_result(student), submission=f"{student}.ipynb",
                       solution_digest="professor" * 7, message="professor was here")
               for student in ("professor-1", "professor-2")]
    write_reports(results, tmp_path)
    finished = finished_results(tmp_path / "json")
    assert sorted(finished) == ["professor-1", "professor-2"]
    for student in finished:
        assert finished[student].submission == f"{student}.ipynb"
        assert finished[student].solution_digest == "professor" * 7
        assert finished[student].message == f"{report.MASK} was here"
        page = (tmp_path / "feedback" / f"{student}.md").read_text()
        assert f"Student: `{student}`" in page and f"File: `{student}.ipynb`" in page
    with open(tmp_path / "gradebook.csv", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)][1:] == ["professor-1", "professor-2"]


def test_a_value_that_looks_like_json_cannot_break_a_result(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_TEST_JSON_LIKE", '", "score": ')
    write_result(hostile_result("ann"), tmp_path)
    assert finished_results(tmp_path)["ann"].score == 0


def test_masking_leaves_paths_and_short_values_alone():
    environment = {"HOME": "/home/teacher", "LANG": "C.UTF-8", "TOKEN": "abcdefgh12"}
    text = "File /home/teacher/x.py in C.UTF-8 with abcdefgh12"
    assert mask_environment(text, environment) == (
        f"File /home/teacher/x.py in C.UTF-8 with {report.MASK}")


def test_results_are_written_whole_and_read_back_for_resume(tmp_path):
    folder = tmp_path / "json"
    first, second = hostile_result("ann"), hostile_result("ben")
    write_result(first, folder)
    write_result(second, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["ann.json", "ben.json"]  # no temp file
    (folder / "cut.json").write_text('{"student": "cut", "assig')       # a torn write
    (folder / "eve.json").symlink_to(folder / "ann.json")               # not a regular file
    (folder / "zed.json").write_text(json.dumps(second.to_json()))      # not zed's result
    (folder / "nameless.json").write_text(json.dumps({**second.to_json(), "student": ""}))
    (folder / "list.json").write_text("[1, 2]")
    finished = finished_results(folder)
    assert finished == {"ann": first, "ben": second}
    assert finished["ann"].sha256 == "ab" * 32
    assert finished_results(tmp_path / "nowhere") == {}


def test_a_result_replaces_a_planted_link_without_writing_through_it(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("untouched")
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "ann.json").symlink_to(target)
    write_result(hostile_result("ann"), folder)
    assert target.read_text() == "untouched"
    assert not (folder / "ann.json").is_symlink()


@pytest.mark.parametrize("student", ["", "..", "a/b"])
def test_a_result_cannot_name_a_file_outside_its_folder(tmp_path, student):
    with pytest.raises(ValueError, match="cannot name a report file"):
        write_result(hostile_result(student), tmp_path)


def notebook_bytes() -> bytes:
    return nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1")])).encode()


def test_long_and_colliding_names_get_a_stable_suffix(tmp_path):
    for name in ("a" * 251, "a" * 252, "jo ann", "jo_ann", "jo?ann", "kim"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "04_padding_and_stride.ipynb").write_bytes(notebook_bytes())
    found = find_submissions(tmp_path, "04_padding_and_stride")
    ids = [s.student for s in found]
    assert len(set(ids)) == 6 and "kim" in ids
    assert all(len(i) <= ID_LENGTH for i in ids)
    assert sum(i.startswith("jo_ann-") for i in ids) == 3
    assert ids == [s.student for s in find_submissions(tmp_path, "04_padding_and_stride")]
    assert student_id("a" * 251) != student_id("a" * 252)


def test_a_file_named_like_a_suffixed_id_is_graded_too(tmp_path, monkeypatch):
    """ann.json's made-up id is also a file's own name: that file keeps it, ann.json's id is
    suffixed again, the same whatever order the folder lists its entries in."""
    for name in ("ann.ipynb", "ann.json"):
        (tmp_path / name).write_bytes(notebook_bytes())
    made_up = next(s.student for s in find_submissions(tmp_path, "04_padding_and_stride")
                   if s.path.name == "ann.json")
    for name in (f"{made_up}.ipynb", f"{made_up}.pdf", f"{made_up}.txt"):
        (tmp_path / name).write_bytes(notebook_bytes())
    listed = sorted(tmp_path.iterdir())
    ids = []
    for order in (listed, listed[::-1]):
        monkeypatch.setattr(Path, "iterdir", lambda self, order=order: iter(order))
        found = {s.path.name: s.student
                 for s in find_submissions(tmp_path, "04_padding_and_stride")}
        ids.append(found)
    assert ids[0] == ids[1]
    assert len(set(ids[0].values())) == 5
    assert (ids[0]["ann.ipynb"], ids[0][f"{made_up}.ipynb"]) == ("ann", made_up)
    assert ids[0]["ann.json"] not in (made_up, "ann") and ids[0]["ann.json"].startswith("ann-")


def test_what_is_not_a_regular_file_is_refused_in_one_line(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(submissions / "fifo.ipynb")
    (submissions / "dora" / "04_padding_and_stride.ipynb").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "04_padding_and_stride.ipynb").write_bytes(notebook_bytes())
    (submissions / "linked").symlink_to(outside)
    (submissions / "sly").mkdir()
    (submissions / "sly" / "04_padding_and_stride.ipynb").symlink_to(
        outside / "04_padding_and_stride.ipynb")
    found = {s.student: s.path for s in find_submissions(submissions, "04_padding_and_stride")}
    assert set(found) == {"zero", "fifo", "dora", "linked", "sly"}
    expected = {"zero": "symbolic link", "fifo": "FIFO", "dora": "a folder",
                "linked": "symbolic link", "sly": "symbolic link"}
    for student, words in expected.items():
        with pytest.raises(ValueError, match=words) as refused:
            read_submission(found[student])
        assert "\n" not in str(refused.value)
        assert submission_sha256(found[student]) == ""


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.ipynb"
    with open(path, "wb") as handle:
        handle.truncate(MAX_SUBMISSION_BYTES + 1)        # sparse: no disk used
    with pytest.raises(ValueError, match="more than the 20,000,000"):
        read_submission(path)


def test_a_grade_id_that_is_not_a_string_is_read_as_one_or_dropped(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s)
                                               for s in ("a = 1", "b = 2", "c = 3")])
    for cell, grade_id in zip(notebook.cells, (["output_size"], ["x", "y"], {"id": 1}),
                              strict=True):
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True}
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(notebook))
    cells = read_submission(path).cells
    assert [c.metadata["nbgrader"].get("grade_id") for c in cells] == ["output_size", None, None]
    assert submission_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_id_that_would_leave_its_folder_is_made_safe():
    assert Path(student_id("../../etc/passwd")).name == student_id("../../etc/passwd")
    assert student_id("..") == "_"


def test_resume_keeps_only_results_of_the_same_submission_solution_and_grader(tmp_path,
                                                                              monkeypatch):
    solution = nbformat.read(SOLUTION, as_version=4)
    digest = assignment_of(solution, SOLUTION.name).digest
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student in ("ann", "ben", "cy"):
        (submissions / f"{student}.ipynb").write_bytes(notebook_bytes())
    found = find_submissions(submissions, SOLUTION.stem)
    for student, graded_against in (("ann", digest), ("ben", "0" * 64), ("cy", "")):
        write_result(replace(hostile_result(student), solution_digest=graded_against,
                             sha256=submission_sha256(submissions / f"{student}.ipynb")),
                     tmp_path / "json")
    assert list(unchanged_results(tmp_path / "json", found, digest)) == ["ann"]
    (submissions / "ann.ipynb").write_bytes(notebook_bytes() + b"\n")
    assert unchanged_results(tmp_path / "json", found, digest) == {}


def test_the_digest_follows_the_solutions_cells_and_the_grader_not_outputs(monkeypatch):
    solution = nbformat.read(SOLUTION, as_version=4)
    digest = solution_digest(solution)
    check = next(c for c in solution.cells if nbgrader_metadata(c).get("grade"))
    check.outputs = [nbformat.v4.new_output("stream", text="✓ passed")]
    check.execution_count = 7
    assert solution_digest(solution) == digest
    check.source += "\n# changed"
    changed = solution_digest(solution)
    assert changed != digest
    check.metadata["nbgrader"]["points"] += 1
    assert solution_digest(solution) not in (digest, changed)
    check.metadata["nbgrader"]["points"] -= 1
    check.source = check.source.removesuffix("\n# changed")
    assert solution_digest(solution) == digest
    monkeypatch.setattr(assignment, "grader_version", lambda: "another grader")
    assert solution_digest(solution) != digest



def test_every_result_names_the_digest_it_was_graded_against(tmp_path):
    graded = assignment_of(nbformat.read(SOLUTION, as_version=4), SOLUTION.name)
    travelled = Assignment.from_json(json.loads(json.dumps(graded.to_json())))
    assert travelled.digest == graded.digest
    result = zero_result(travelled, Submission("ann", None), SubmissionStatus.MISSING, "none")
    assert result.solution_digest == graded.digest
    write_result(result, tmp_path)
    assert finished_results(tmp_path)["ann"].solution_digest == graded.digest


def test_entries_giving_one_name_are_all_graded_the_notebook_file_first(tmp_path):
    """ann.ipynb is ann's; ann/ and ann.json get ids of their own; bob/ comes before bob.pdf."""
    for folder in ("ann", "bob"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "04_padding_and_stride.ipynb").write_bytes(notebook_bytes())
    for name in ("ann.ipynb", "ann.json", "bob.pdf"):
        (tmp_path / name).write_bytes(notebook_bytes())
    found = {s.student: s.path.relative_to(tmp_path).as_posix()
             for s in find_submissions(tmp_path, "04_padding_and_stride")}
    assert (found["ann"], found["bob"]) == ("ann.ipynb", "bob/04_padding_and_stride.ipynb")
    others = {path: student for student, path in found.items()
              if student not in ("ann", "bob")}
    assert sorted(others) == ["ann.json", "ann/04_padding_and_stride.ipynb", "bob.pdf"]
    assert all(student.startswith(("ann-", "bob-")) and len(student) == 12
               for student in others.values())
    assert len(set(others.values())) == 3
    assert [s.student for s in find_submissions(tmp_path, "04_padding_and_stride")] == sorted(
        found)


def test_the_feedback_page_names_the_graded_file(tmp_path):
    """One student's second entry is graded under a suffixed id: its page says which file."""
    write_reports([replace(hostile_result("ann-3f9c2a1b"), submission="ann`.json")], tmp_path)
    assert "File: ``ann`.json``" in (tmp_path / "feedback" / "ann-3f9c2a1b.md").read_text()
    page = (tmp_path / "feedback" / "ann-3f9c2a1b.html").read_text()
    assert "File: <code>ann`.json</code>" in page


@pytest.mark.parametrize("name", ["x\n\n<img src=x onerror=alert(1)>.ipynb",
                                  "x\r\n\r\n<script>alert(2)</script>",
                                  "`` <img src=x onerror=alert(3)> ``", "`<b>`", "a``b`c"])
def test_a_file_name_cannot_leave_its_code_span_in_the_markdown(tmp_path, name):
    """The .md page read as a viewer would (raw HTML on) shows the name as code, no markup."""
    write_reports([replace(hostile_result("ann"), submission=name)], tmp_path)
    markdown = (tmp_path / "feedback" / "ann.md").read_text()
    rendered = markdown_as_a_viewer_shows_it(markdown)
    assert {tag for tag, _ in elements(rendered)} == {"h1", "h2", "p", "strong", "code",
                                                      "pre", "br"}
    file_line = next(p for p in rendered.split("<p>") if "File:" in p)
    shown = file_line.split("File: <code>")[1].split("</code>")[0]
    assert html.unescape(shown) == name.replace("\r", " ").replace("\n", " ")
