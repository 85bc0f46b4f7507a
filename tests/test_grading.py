"""The grader on a class of made-up submissions to chapter 4's exercises, and on every chapter.

Each submission is built from solutions/04_padding_and_stride.ipynb (the student version plus
answers) and does one thing students do to the exercises ``output_size`` and ``same_padding``:
solve them, solve one, miss the hidden cases, crash the kernel, loop forever, tamper with the
checks, read the expected value from the checker's frame, delete or reorder cells, print far
too much, or hand in something that is not a notebook. Every other exercise of the notebook
gets its right answer, so the expected score of each question follows from the solution
notebook's points and from what the submission does. The score comes from the grader's own
judgement of what the checks recorded (book.grading.compare); the guard only adds notes.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from book.__main__ import main
from book.authoring.exercises import HIDDEN_TESTS, answered_notebook, student_notebook
from book.grading import guard, run
from book.grading.assignment import Assignment, hidden_checks, load_assignment
from book.grading.compare import HIDDEN_FAILED
from book.grading.grade import grade_folder
from book.grading.plan import AFTER_CHECK, BEFORE_CHECK, INSTALL_GUARD, Step, plan
from book.grading.report import STATUS_WORDS, write_reports
from book.grading.results import QuestionResult, QuestionStatus, SubmissionResult, SubmissionStatus

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "04_padding_and_stride.ipynb"
CELL_TIMEOUT = 5
ASSIGNMENT = load_assignment(SOLUTION)

RIGHT = {cell.metadata["nbgrader"]["grade_id"]: cell.source
         for cell in nbformat.read(SOLUTION, as_version=4).cells
         if cell.metadata.get("nbgrader", {}).get("solution")}
# Right on every visible case (all have d=1), wrong on the hidden ones with dilation.
NO_DILATION = '''def output_size(n, f, p=0, s=1, d=1):
    if f > n + 2 * p:
        raise ValueError("the kernel does not fit")
    return (n + 2 * p - f) // s + 1'''
RETURNS_ZERO = "def output_size(n, f, p=0, s=1, d=1):\n    return 0"


def student_version():
    return student_notebook(nbformat.read(SOLUTION, as_version=4))


def filled(answers: dict[str, str], extra: list[tuple[int, str]] = (), others=True):
    """The student version with answer cells replaced and extra code cells inserted.

    others: whether the exercises not named in ``answers`` get their right answers.
    """
    notebook = student_version()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif others and grade_id in RIGHT and grade_id not in ("output_size", "same_padding"):
            cell.source = RIGHT[grade_id]
    for position, source in sorted(extra, reverse=True):
        notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    return notebook


def answer_index(notebook, grade_id: str) -> int:
    return next(i for i, c in enumerate(notebook.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def reordered_without_checks():
    """Right answers, every check cell deleted, the two answer cells swapped."""
    notebook = filled(RIGHT)
    notebook.cells = [c for c in notebook.cells
                      if not c.metadata.get("nbgrader", {}).get("grade")]
    first, second = answer_index(notebook, "output_size"), answer_index(notebook, "same_padding")
    notebook.cells[first], notebook.cells[second] = notebook.cells[second], notebook.cells[first]
    return notebook


def without_cell(grade_id: str):
    notebook = filled({"output_size": RIGHT["output_size"]})
    del notebook.cells[answer_index(notebook, grade_id)]
    return notebook


def edited_check():
    """Right output_size, stub same_padding whose check cell was edited to check nothing."""
    notebook = filled({"output_size": RIGHT["output_size"]})
    notebook.cells[answer_index(notebook, "same_padding_checks")].source = "print('✓ passed')"
    return notebook


def with_list_grade_id():
    """Right answers, plus a copy of an answer cell whose grade_id is a list."""
    notebook = filled(RIGHT)
    odd = nbformat.v4.new_code_cell("print('my own try')")
    odd.metadata["nbgrader"] = {"grade_id": ["output_size"], "solution": True}
    notebook.cells.insert(3, odd)
    return notebook


PEEKS = '''import sys


def output_size(n, f, p=0, s=1, d=1):
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_locals.get("expected") is not None:
            return frame.f_locals["expected"]
        frame = frame.f_back
    raise ValueError("no expected value to read")'''

HANG_IGNORING_INTERRUPTS = '''import time
while True:
    try:
        time.sleep(0.1)
    except KeyboardInterrupt:
        pass'''

SUBMISSIONS = {
    # name: (notebook, statuses of output_size and same_padding, status of the other
    #        questions, status of the submission)
    "alice": (filled(RIGHT), ("passed", "passed"), "passed", "graded"),
    "bob": (student_version(), ("failed", "failed"), "failed", "graded"),
    "carol": (filled({"output_size": RIGHT["output_size"]}), ("passed", "failed"), "passed",
              "graded"),
    "dan": (filled({"output_size": NO_DILATION, "same_padding": RIGHT["same_padding"]}),
            ("failed", "passed"), "passed", "graded"),
    "erin": (filled({"output_size": RIGHT["output_size"] + "\nimport os\nos._exit(1)",
                     "same_padding": RIGHT["same_padding"]}), ("error", "passed"), "passed",
             "crashed"),
    "fay": (filled({"output_size": "def output_size(n, f, p=0, s=1, d=1):\n    while True:\n"
                                   "        pass", "same_padding": RIGHT["same_padding"]}),
            ("timeout", "passed"), "passed", "timeout"),
    "gus": (filled({"output_size": RIGHT["output_size"],
                    "same_padding": RIGHT["same_padding"] + "\n" + HANG_IGNORING_INTERRUPTS}),
            ("passed", "error"), "passed", "timeout"),
    # Rebinding the checker's names in the notebook: the grader puts the real ones back.
    "hal": (filled({"output_size": RETURNS_ZERO + "\ncheck_function = lambda *a, **k: print('✓')"
                    + "\nCase = lambda *a, **k: None"}, others=False),
            ("failed", "failed"), "failed", "graded"),
    # Patching book.check itself: the guard says so; the judgement is the grader's.
    "ivy": (filled({"output_size": RETURNS_ZERO + "\nimport book.check\n"
                    "book.check.difference = lambda *a, **k: None",
                    "same_padding": RIGHT["same_padding"]}), ("tampered", "passed"),
            "passed", "tampered"),
    # Replacing the reference solution the hidden checks compare with.
    "jay": (filled({"output_size": NO_DILATION + "\nimport book.shapes\n"
                    "book.shapes.output_size = output_size",
                    "same_padding": RIGHT["same_padding"]}), ("tampered", "passed"),
            "passed", "tampered"),
    # An IPython input transformer that turns every check cell into `pass`: no check runs,
    # so nothing reaches the grader.
    "kim": (filled({"output_size": RETURNS_ZERO + "\nget_ipython().input_transformers_cleanup"
                    ".append(lambda lines: ['pass\\n'] if any('check_function' in l for l in "
                    "lines) else lines)"}), ("failed", "failed"), "failed", "graded"),
    # A function that patches the checker only when the check calls it.
    "lee": (filled({"output_size": "def output_size(n, f, p=0, s=1, d=1):\n"
                    "    import book.check\n    book.check.difference = lambda *a, **k: None\n"
                    "    return 0"}), ("tampered", "tampered"), "passed", "tampered"),
    # Swapping the module in sys.modules for a fake one.
    "mia": (filled({"output_size": RETURNS_ZERO + "\nimport sys, types\n"
                    "fake = types.ModuleType('book.check')\n"
                    "fake.check_function = fake.Case = lambda *a, **k: None\n"
                    "sys.modules['book.check'] = fake"}), ("tampered", "tampered"), "passed",
            "tampered"),
    # Reading the expected value from the checker's frame: right where the visible check
    # holds an expected value, wrong on the hidden cases, whose expected values are never in
    # the student's process.
    "peg": (filled({"output_size": PEEKS, "same_padding": RIGHT["same_padding"]}),
            ("failed", "passed"), "passed", "graded"),
    # Ordinary idioms that are not tampering.
    "rex": (filled(RIGHT, [(3, "import sys, io\nfrom IPython.core.interactiveshell import "
                               "InteractiveShell\nsys.argv = ['notebook']\n"
                               "InteractiveShell.ast_node_interactivity = 'all'\n"
                               "sys.stdout = io.StringIO()\nsys.stdout = sys.__stdout__")]),
            ("passed", "passed"), "passed", "graded"),
    # An answer cell whose grade_id is a list: a cell the student added, not a grader error.
    "ros": (with_list_grade_id(), ("passed", "passed"), "passed", "graded"),
    "max": (reordered_without_checks(), ("passed", "passed"), "passed", "graded"),
    "ned": (without_cell("same_padding"), ("passed", "failed"), "passed", "graded"),
    "oda": (edited_check(), ("passed", "failed"), "passed", "graded"),
    "oli": (filled(RIGHT, [(3, "print('x' * 20_000_000)\nfor i in range(20_000):\n    print(i)")]),
            ("passed", "passed"), "passed", "graded"),
    # Ordinary library use must not look like tampering.
    "pam": (filled(RIGHT, [(3, "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                               "import numpy as np\nnp.random.seed(3)\nplt.plot([1, 2])\n"
                               "np.set_printoptions(precision=2)\n1 / 0")]),
            ("passed", "passed"), "passed", "graded"),
    "uma": (filled({"output_size": "def output_size(n, f, p=0, s=1, d=1)\n    return 1",
                    "same_padding": RIGHT["same_padding"]}), ("error", "passed"), "passed",
            "graded"),
}
NOT_NOTEBOOKS = {"pat.ipynb": b"this is my homework", "quinn.pdf": b"%PDF-1.4\n\x00\xff\xfe",
                 "rae.ipynb": b'{"cells": 3}'}
EXPECTED_INVALID = ["pat", "quinn", "rae"]


def write_class(folder: Path, names=None) -> Path:
    """Write the submissions: most as <student>.ipynb, one in a folder, one folder empty."""
    folder.mkdir(parents=True)
    for name, (notebook, *_) in SUBMISSIONS.items():
        if names is None or name in names:
            nbformat.write(notebook, folder / f"{name}.ipynb")
    if names is None:
        for file_name, content in NOT_NOTEBOOKS.items():
            (folder / file_name).write_bytes(content)
        (folder / "tom").mkdir()
        nbformat.write(filled(RIGHT), folder / "tom" / "04_padding_and_stride.ipynb")
        (folder / "sam").mkdir()
        (folder / "sam" / "notes.txt").write_text("forgot to upload")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the whole class once through the command line, two at a time."""
    base = tmp_path_factory.mktemp("grading")
    submissions = write_class(base / "submissions")
    out = base / "grades"
    code = main(["--root", str(ROOT), "grade", "04_padding_and_stride", str(submissions),
                 "--out", str(out), "--timeout", str(CELL_TIMEOUT), "--jobs", "2"])
    assert code == 0
    return out


def report(out: Path, student: str) -> dict:
    return json.loads((out / "json" / f"{student}.json").read_text())


def question(out: Path, student: str, grade_id: str) -> dict:
    return next(q for q in report(out, student)["questions"] if q["question"] == grade_id)


def expected(student: str) -> tuple[list[str], list[float]]:
    """Each question's expected status and score, in the solution notebook's order."""
    _, (output_size, same_padding), others, _ = SUBMISSIONS[student]
    named = {"output_size_checks": output_size, "same_padding_checks": same_padding}
    statuses = [named.get(q.grade_id, others) for q in ASSIGNMENT.questions]
    scores = [q.points if status == "passed" else 0
              for q, status in zip(ASSIGNMENT.questions, statuses)]
    return statuses, scores


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_scores_and_statuses(graded, student):
    statuses, scores = expected(student)
    result = report(graded, student)
    assert [q["question"] for q in result["questions"]] == [q.grade_id
                                                            for q in ASSIGNMENT.questions]
    assert [q["status"] for q in result["questions"]] == statuses, result
    assert [q["score"] for q in result["questions"]] == scores, result
    assert result["status"] == SUBMISSIONS[student][3], result
    assert (result["score"], result["max_score"]) == (sum(scores), ASSIGNMENT.max_score)


def test_messages_say_what_happened(graded):
    dan = question(graded, "dan", "output_size_checks")["message"]
    assert "visible checks passed, but a hidden check failed" in dan and "d=2" in dan
    assert "output_size is not written yet" in question(graded, "bob",
                                                        "output_size_checks")["message"]
    assert "stopped the Python kernel" in question(graded, "erin", "output_size_checks")["message"]
    assert "still running after 5 s" in question(graded, "fay", "output_size_checks")["message"]
    assert "was still running after 5 s" in question(graded, "gus",
                                                     "same_padding_checks")["message"]
    assert "book.check" in question(graded, "ivy", "output_size_checks")["message"]
    assert "book.shapes" in question(graded, "jay", "output_size_checks")["message"]
    assert "reached the grader" in question(graded, "kim", "output_size_checks")["message"]
    assert "while this check ran" in question(graded, "lee", "output_size_checks")["message"]
    assert "sys.modules: book.check" in question(graded, "mia", "output_size_checks")["message"]
    assert question(graded, "peg", "output_size_checks")["message"].startswith(HIDDEN_FAILED)
    assert any("book.check" in note and "judgement" in note
               for note in report(graded, "ivy")["notes"])
    assert "missing from the submission" in question(graded, "ned",
                                                     "same_padding_checks")["message"]
    assert "SyntaxError" in question(graded, "uma", "output_size_checks")["message"]
    assert any("ZeroDivisionError" in note for note in report(graded, "pam")["notes"])
    assert question(graded, "alice", "output_size_checks")["message"].startswith(
        "✓ output_size")


def test_folder_layouts_and_files_that_are_not_notebooks(graded):
    tom = report(graded, "tom")
    assert (tom["score"], tom["status"], tom["submission"]) == (
        ASSIGNMENT.max_score, "graded", "04_padding_and_stride.ipynb")
    sam = report(graded, "sam")
    assert (sam["score"], sam["status"]) == (0, "missing")
    for student in EXPECTED_INVALID:
        result = report(graded, student)
        assert (result["score"], result["status"]) == (0, "invalid"), result
        assert "not a Jupyter notebook" in result["message"] or "not notebook cells" in \
            result["message"]


def test_gradebook_csv(graded):
    with open(graded / "gradebook.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["student", *(q.grade_id for q in ASSIGNMENT.questions), "total", "max",
                       "status"]
    students = sorted([*SUBMISSIONS, *EXPECTED_INVALID, "sam", "tom"])
    assert [row[0] for row in rows[1:]] == students
    by_student = {row[0]: row for row in rows[1:]}
    for name in SUBMISSIONS:
        _, scores = expected(name)
        assert by_student[name][1:] == [*(f"{s:g}" for s in scores), f"{sum(scores):g}",
                                        f"{ASSIGNMENT.max_score:g}", SUBMISSIONS[name][3]]


def test_json_and_feedback_format(graded):
    result = report(graded, "carol")
    assert set(result) == {"student", "assignment", "submission", "status", "message", "score",
                           "max_score", "questions", "notes", "sha256", "solution_digest"}
    assert result["assignment"] == "04_padding_and_stride"
    for entry in result["questions"]:
        assert set(entry) == {"question", "title", "points", "score", "status", "message"}
    assert [q["points"] for q in result["questions"]] == [q.points for q in ASSIGNMENT.questions]
    markdown = (graded / "feedback" / "carol.md").read_text()
    total = ASSIGNMENT.max_score - 1     # every question but same_padding (1 point)
    assert f"Score: **{total:g} / {ASSIGNMENT.max_score:g}**" in markdown
    assert "## Exercise 1: the output size" in markdown
    page = (graded / "feedback" / "carol.html").read_text()
    assert "<h2>Exercise 1: the output size" in page
    assert "same_padding is not written yet" in page


def test_huge_output_does_not_reach_the_report(graded):
    assert (graded / "json" / "oli.json").stat().st_size < 10_000


@pytest.mark.slow    # twelve kernels: about 20 s
def test_grades_are_reproducible(tmp_path):
    """The same submissions graded one at a time and two at a time give identical files."""
    names = ["alice", "carol", "dan", "hal", "ivy", "max"]
    submissions = write_class(tmp_path / "submissions", names)
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"grades-{jobs}"
        assert main(["--root", str(ROOT), "grade", str(SOLUTION), str(submissions), "--out",
                     str(out), "--timeout", str(CELL_TIMEOUT), "--jobs", jobs]) == 0
        outputs.append(out)
    first, second = ({p.relative_to(o): p.read_bytes() for p in sorted(o.rglob("*"))
                      if p.is_file()} for o in outputs)
    assert first == second
    assert len(first) == 1 + 3 * len(names)


def test_questions_come_from_the_solution_notebook():
    solution = nbformat.read(SOLUTION, as_version=4)
    graded_cells = [c.metadata["nbgrader"] for c in solution.cells
                    if c.metadata.get("nbgrader", {}).get("grade")]
    assert [(q.grade_id, q.points) for q in ASSIGNMENT.questions] == [
        (m["grade_id"], m["points"]) for m in graded_cells]
    first = ASSIGNMENT.questions[0]
    assert (first.grade_id, first.answers) == ("output_size_checks", ["output_size"])
    assert "BEGIN HIDDEN TESTS" not in first.visible and "Case((5, 3), expected=3)" in first.visible
    assert "reference_output_size" in first.hidden
    assert ASSIGNMENT.imports["check_function"] == ("book.check", "check_function")
    assert "book.shapes" in ASSIGNMENT.watched


def test_the_assignment_survives_its_trip_to_a_grader_process():
    """What grade_folder sends each grader process as JSON is the assignment it read."""
    sent = json.loads(json.dumps(ASSIGNMENT.to_json()))
    assert Assignment.from_json(sent) == ASSIGNMENT
    assert [c.role for c in ASSIGNMENT.cells].count("check") == sum(
        not q.manual for q in ASSIGNMENT.questions)


def test_bad_arguments_are_reported(tmp_path, capsys):
    assert main(["--root", str(ROOT), "grade", "no_such_assignment", str(tmp_path), "--out",
                 str(tmp_path / "out")]) == 1
    assert "no_such_assignment.ipynb does not exist" in capsys.readouterr().err
    assert main(["--root", str(ROOT), "grade", "04_padding_and_stride",
                 str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["--root", str(ROOT), "grade", "04_padding_and_stride", str(tmp_path),
                 "--out", str(tmp_path / "out"), "--jobs", "0"]) == 1


def test_a_kernel_that_dies_while_starting_is_replaced(tmp_path, monkeypatch):
    real_setup = run.CappedOutputClient.setup_kernel
    starts = []

    def flaky_setup(self, **kwargs):
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real_setup(self, **kwargs)

    monkeypatch.setattr(run.CappedOutputClient, "setup_kernel", flaky_setup)
    outcomes = run.run_steps([Step("answer", "print(6 * 7)")], tmp_path, cell_timeout=30,
                             notebook_timeout=120).outcomes
    assert len(starts) == 2
    assert outcomes[0].status is run.CellStatus.OK and outcomes[0].text.strip() == "42"


def test_a_kernel_that_never_starts_is_a_grader_error(tmp_path, monkeypatch):
    def dead_setup(self, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(run.CappedOutputClient, "setup_kernel", dead_setup)
    with pytest.raises(RuntimeError, match="Kernel died"):
        run.run_steps([Step("answer", "1")], tmp_path, cell_timeout=30, notebook_timeout=120)


def test_the_solution_notebook_is_read_once_per_grading(tmp_path, monkeypatch):
    """grade_folder reads the solution once and hands it to the grader processes.

    The copy of the solution is deleted as soon as it has been read, so a grader process
    that read it again would fail (and report a grader error instead of a score).
    """
    solution = shutil.copy(SOLUTION, tmp_path / SOLUTION.name)
    submissions = write_class(tmp_path / "submissions", ["alice"])
    (submissions / "sam").mkdir()
    real_read, reads = nbformat.read, []

    def read_then_delete(path, *args, **kwargs):
        reads.append(Path(path))
        notebook = real_read(path, *args, **kwargs)
        Path(path).unlink()
        return notebook

    monkeypatch.setattr(nbformat, "read", read_then_delete)
    results = grade_folder(solution, submissions, tmp_path / "work", jobs=2,
                           cell_timeout=CELL_TIMEOUT)
    assert reads == [solution]
    assert [(r.student, r.status) for r in results] == [
        ("alice", SubmissionStatus.GRADED), ("sam", SubmissionStatus.MISSING)]
    assert results[0].score == ASSIGNMENT.max_score


def test_the_guard_gets_its_configuration_as_data(monkeypatch):
    """Every plan starts with the same guard cell; what it installs comes as JSON."""
    other = load_assignment(ROOT / "solutions" / "03_convolution.ipynb")
    for assignment in (ASSIGNMENT, other):
        steps = plan(assignment, filled(RIGHT))
        assert (steps[0].kind, steps[0].source) == ("guard", INSTALL_GUARD)
        assert {s.source for s in steps if s.kind in ("guard", "before", "after")} == {
            INSTALL_GUARD, BEFORE_CHECK, AFTER_CHECK}
        # Each check cell first says which question and part its records belong to.
        assert all(s.source.startswith("__import__('book.check.record', fromlist=['record'])"
                                       f".begin({s.grade_id!r}, {s.kind!r})\n")
                   for s in steps if s.kind in ("visible", "hidden"))
    installed = []
    monkeypatch.setattr(guard, "install", lambda *args: installed.append(args))
    monkeypatch.setenv(guard.CONFIG_VARIABLE, guard.configuration(
        ASSIGNMENT.imports, ASSIGNMENT.watched, 3))
    guard.install_from_environment()
    assert installed == [(ASSIGNMENT.imports, ASSIGNMENT.watched, 3)]
    assert guard.CONFIG_VARIABLE not in os.environ


SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXPECTED_ARGUMENTS = {"expected", "output_shape", "parameters", "layer_shapes"}


def expected_values_passed(source: str) -> list[str]:
    """The calls in ``source`` that hand a check an expected value rather than inputs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        found += [f"{name}({k.arg}=...)" for k in node.keywords if k.arg in EXPECTED_ARGUMENTS]
        if (name == "check_table" and len(node.args) > 1) or name == "check_value":
            found.append(f"{name} with an expected value")
    return found


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_hidden_checks_carry_inputs_not_expected_values(path):
    """The hidden tests run in the student's process: they pass inputs and references only,
    so that no expected value is there to read (the grader compares outside)."""
    solution = nbformat.read(path, as_version=4)
    hidden = [hidden_checks(c.source) for c in solution.cells if HIDDEN_TESTS[0] in c.source]
    assert hidden
    assert [found for source in hidden for found in expected_values_passed(source)] == []
    assert expected_values_passed("check_function(f, [Case((1,), expected=2)])") == [
        "Case(expected=...)"]


def right_answers(path: Path):
    """The student edition of a solution notebook with the solution's answers put in."""
    return answered_notebook(nbformat.read(path, as_version=4), path.name)


@pytest.mark.slow    # one grading of every chapter: about a minute
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_solution_scores_full_marks_and_its_exercise_zero(tmp_path, path):
    """Through the grade command: the solution's own answers get every point (chapter 7's
    training included, without a tampering flag), the untouched student edition none."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(right_answers(path), submissions / "right.ipynb")
    nbformat.write(student_notebook(nbformat.read(path, as_version=4), path.name),
                   submissions / "untouched.ipynb")
    out = tmp_path / "grades"
    assert main(["--root", str(ROOT), "grade", str(path), str(submissions), "--out", str(out),
                 "--jobs", "2"]) == 0
    right, untouched = report(out, "right"), report(out, "untouched")
    assert (right["score"], right["status"], right["notes"]) == (right["max_score"], "graded",
                                                                 []), right
    assert {q["status"] for q in right["questions"]} <= {"passed", "manual"}
    assert (untouched["score"], untouched["status"]) == (0, "graded"), untouched
    assert {q["status"] for q in untouched["questions"]} <= {"failed", "manual"}


def one_result(student: str, status: SubmissionStatus,
               question_status: QuestionStatus) -> SubmissionResult:
    question = QuestionResult("q_checks", "Exercise", 2, 0, question_status, "a message")
    return SubmissionResult(student, "04_padding_and_stride", "s.ipynb", status, "", 0, 2,
                            [question])


def test_reports_write_the_statuses_values(tmp_path):
    """The JSON, the CSV and the feedback hold each enum's value, and read back as enums."""
    statuses = list(SubmissionStatus)
    results = [one_result(f"s{i}", statuses[i % len(statuses)], question_status)
               for i, question_status in enumerate(QuestionStatus)]
    gradebook = write_reports(results, tmp_path)
    with open(gradebook, newline="") as handle:
        rows = {row["student"]: row["status"] for row in csv.DictReader(handle)}
    assert rows == {r.student: r.status.value for r in results}
    assert "grader error" in rows.values()
    for result in results:
        saved = json.loads((tmp_path / "json" / f"{result.student}.json").read_text())
        assert saved["status"] == result.status.value
        assert saved["questions"][0]["status"] == result.questions[0].status.value
        assert SubmissionResult.from_json(saved) == result
        page = (tmp_path / "feedback" / f"{result.student}.md").read_text()
        assert f"Status: {result.status.value}\n" in page
        assert f"({STATUS_WORDS[result.questions[0].status]})" in page
    assert set(STATUS_WORDS) == set(QuestionStatus)


def test_no_grading_module_uses_another_modules_private_names():
    """Across modules of book/grading only public names: `from m import _x`, `m._x` fail."""
    used = []
    for path in sorted((ROOT / "book" / "grading").glob("*.py")):
        tree = ast.parse(path.read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                used += [f"{path.name}: from {node.module} import {alias.name}"
                         for alias in node.names if alias.name.startswith("_")]
                modules |= {alias.asname or alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                modules |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        used += [f"{path.name}: {node.value.id}.{node.attr}" for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                 and node.value.id in modules and node.attr.startswith("_")
                 and not node.attr.startswith("__")]
    assert used == []


def test_nothing_in_book_looks_like_a_test_to_pytest():
    """pytest collects functions named test_*: none of the package's may be."""
    named = [f"{path.relative_to(ROOT)}: {node.name}"
             for path in sorted((ROOT / "book").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, (ast.FunctionDef, ast.ClassDef))
             and node.name.lower().startswith("test")]
    assert named == []
