"""The grader against students who cheat, break things or are merely unlucky (issue 18).

Each class run grades one folder of submissions once, through the real grade command in a
subprocess (``python -m book grade``), with a planted secret in its environment: chapter 4
with an honest control student and about fifty adversarial submissions, chapter 7 with a
control, an empty notebook and one full of ordinary idioms. Every submission has its exact
expected score, status and a fragment of its report; one whose answers are all right has
its exact notes, and the control's messages (after the exact line a cell it added left).
The control's full marks show that no submission changed another's result. After the run
the tests also look at what must not have happened: a process of a student's still running,
the gradebook rewritten, the solution or a submission changed, the secret in a report,
markup from a student in a feedback page.

The submissions are made here from the solution notebook (the student version, the right
answers, and the adversary's code in an answer cell or in a cell of its own).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt

from book.authoring.exercises import solution_answers, student_notebook
from book.grading.assignment import assignment_of, read_solution
from book.grading.submissions import MAX_SUBMISSION_BYTES, find_submissions, student_id

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_4 = "04_padding_and_stride"
CHAPTER_7 = "07_lenet"
SECRET_NAME, SECRET = "INSTRUCTOR_PLANTED_SECRET", "planted-secret-7f3c9a1e5d"
SLEEP_MARK = "987654321"       # `sleep 987654321`: a student's process, recognisable anywhere
DAEMON_DELAY = 4               # seconds the detached daemon waits before it writes
CLASS_TIMEOUT = 1500           # seconds a class run may take before it counts as stuck
# The grader's word for a check whose record never reached it (its cell was rewritten).
NO_RESULT = "no result of the check of output_size reached the grader"


def points(chapter: str) -> dict[str, float]:
    """grade_id -> points of every question of a chapter's solution, and the total under "all"."""
    path = ROOT / "solutions" / f"{chapter}.ipynb"
    questions = assignment_of(read_solution(path), path.name).questions
    by_id = {q.grade_id: q.points for q in questions}
    return {**by_id, "all": sum(by_id.values())}


# Scores follow the solutions, so adding an exercise changes no expectation written here.
POINTS_4, POINTS_7 = points(CHAPTER_4), points(CHAPTER_7)
FULL_4, FULL_7 = POINTS_4["all"], POINTS_7["all"]
NO_SIZE_4 = FULL_4 - POINTS_4["output_size_checks"]      # all but exercise 1
NO_PAD_4 = FULL_4 - POINTS_4["pad_checks"]               # all but exercise 2
NO_TRAINING_7 = FULL_7 - POINTS_7["train_model_checks"]  # all but the training loop


@dataclass
class Expect:
    """What grading one submission must give."""

    score: float
    status: str
    fragment: str                       # text that must appear in the student's JSON
    questions: dict[str, str] | None = None    # grade_id -> status, where it matters
    absent: str = ""                    # text that must not appear in it
    notes: list[str] | None = None      # its notes, exactly, where they matter
    # Where given, the message and each question's message are the control's, each question's
    # after the line given here for its grade_id (what a cell the student added raised).
    like_control: dict[str, str] | None = None


@dataclass
class Paths:
    """Where one class run's files are: the adversaries aim at them."""

    solution: Path
    submissions: Path
    out: Path

    @property
    def control(self) -> Path:
        return self.submissions / "control" / f"{self.solution.stem}.ipynb"


# --- building submissions -----------------------------------------------------------------

def right_answers(solution: Path) -> dict[str, str]:
    return solution_answers(nbformat.read(solution, as_version=4))


def notebook(solution: Path, answers: dict[str, str | None] | None = None,
             extra: list[tuple[str | None, str]] = ()) -> nbformat.NotebookNode:
    """The student version with every answer right except those in ``answers`` (None: left
    as the exercise), and ``extra`` cells inserted after the answer cell of a grade_id
    (None: before the first answer)."""
    right = {**right_answers(solution), **(answers or {})}
    student = student_notebook(nbformat.read(solution, as_version=4), solution.name)
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in right and right[grade_id] is not None:
            cell.source = right[grade_id]
    for anchor, source in reversed(extra):
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in student.cells]
        position = ids.index(anchor) + 1 if anchor else next(
            i for i, c in enumerate(student.cells)
            if c.metadata.get("nbgrader", {}).get("solution"))
        student.cells.insert(position, nbformat.v4.new_code_cell(source))
    return student


def empty(solution: Path) -> nbformat.NotebookNode:
    return notebook(solution, dict.fromkeys(right_answers(solution)))


def write(path: Path, content: nbformat.NotebookNode | bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, path)


# --- the adversaries' code ------------------------------------------------------------------

RETURNS_ZERO = "def output_size(n, f, p=0, s=1, d=1):\n    return 0"

FRAME_PEEK = '''import sys


def output_size(n, f, p=0, s=1, d=1):
    """Reads the check's own case from the calling frames instead of computing."""
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if getattr(value, "args", None) == (n, f):
                if getattr(value, "raises", None) is not None:
                    raise value.raises("peeked")
                if getattr(value, "expected", None) is not None:
                    return value.expected
        frame = frame.f_back
    return 0'''


def steal(grade_id: str, *paths: Path) -> str:
    """An answer cell that runs the answer found in another notebook: ``paths``, or any
    notebook named on a command line in /proc."""
    stub = f"def {grade_id}(*args, **kwargs):\n    raise NotImplementedError()\n\n\n"
    return stub + f'''import glob
import json

candidates = {[str(p) for p in paths]!r}
for cmdline in glob.glob("/proc/*/cmdline"):
    try:
        parts = open(cmdline, "rb").read().split(b"\\0")
    except OSError:
        continue
    candidates += [p.decode(errors="replace") for p in parts if p.endswith(b".ipynb")]
for candidate in candidates:
    try:
        cells = json.load(open(candidate))["cells"]
    except (OSError, ValueError, KeyError):
        continue
    for cell in cells:
        if cell.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id") == {grade_id!r}:
            source = cell["source"]
            exec("".join(source) if isinstance(source, list) else source, globals())'''


def stolen_answers(solution: Path, *paths: Path) -> dict[str, str]:
    return {grade_id: steal(grade_id, *paths) for grade_id in right_answers(solution)}


PROBE = '''import os

def outcome(path):
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        return "read"
    except OSError as error:
        return type(error).__name__

raise RuntimeError("probe: " + "; ".join(f"{{name}}={{outcome(path)}}" for name, path in
                                          [("solution", {solution!r}),
                                           ("classmate", {classmate!r}),
                                           ("gradebook folder", {out!r})]))'''

REFINGERPRINT = '''import book.check

book.check.check_function = lambda *args, **kwargs: print("✓ all cases passed")
check_function = book.check.check_function
__import__("book.grading.guard", fromlist=["guard"]).install_from_environment()'''

REPLACE_VERIFY = '''import book.check

guard = __import__("book.grading.guard", fromlist=["guard"])
for name in ("_verify", "before_check", "after_check"):
    if hasattr(guard, name):
        setattr(guard, name, lambda *args, **kwargs: None)
book.check.check_function = lambda *args, **kwargs: print("✓ all cases passed")
check_function = book.check.check_function'''

WRAP_DO_EXECUTE = '''kernel = get_ipython().kernel
real_do_execute = kernel.do_execute


def do_execute(code, *args, **kwargs):
    if "check_function(" in code:
        code = "print('✓ all cases passed')"
    return real_do_execute(code, *args, **kwargs)


kernel.do_execute = do_execute'''

PLANT_NUMPY = '''import os

root = os.path.dirname(os.getcwd())
names = {names!r}
try:
    names += os.listdir(root)
except OSError:
    pass
for name in sorted(set(names)):
    folder = os.path.join(root, name)
    if folder == os.getcwd():
        continue
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "numpy.py"), "w") as handle:
            handle.write("raise SystemExit('numpy planted by a classmate')\\n")
    except OSError:
        pass'''

REWRITE_FILE = '''for path in {paths!r}:
    try:
        with open(path, "w") as handle:
            handle.write("{{}}")
    except OSError:
        pass'''

DAEMON = f'''import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep({DAEMON_DELAY})
        for path in {{paths!r}}:
            try:
                with open(path, "w") as handle:
                    handle.write("student,total\\nmallory,999\\n")
            except OSError:
                pass
    os._exit(0)'''

SIGNAL_GRADER = '''import os
import signal

targets = {{os.getppid()}}
for cmdline in os.listdir("/proc"):
    try:
        if {mark!r}.encode() in open(f"/proc/{{cmdline}}/cmdline", "rb").read():
            targets.add(int(cmdline))
    except (OSError, ValueError):
        pass
for pid in sorted(targets - {{0, 1, os.getpid()}}):
    try:
        os.kill(pid, signal.{name})
    except OSError:
        pass'''

THREAD_CRASH = '''import ctypes
import threading
import time


def crash_later():
    time.sleep(1)
    ctypes.string_at(0)


threading.Thread(target=crash_later, daemon=True).start()'''

EVIL_EXCEPTION = '''class Evil(Exception):
    pass


Evil.__name__ = Evil.__qualname__ = "<svg onload=alert(1)>"


def output_size(n, f, p=0, s=1, d=1):
    raise Evil("<img src=x onerror=alert(2)>")'''

ENVIRONMENT_DUMP = '''import os

raise RuntimeError("environment: " + repr(dict(os.environ)))'''

PROC_ENVIRONMENT = '''import glob

found = []
for path in sorted(glob.glob("/proc/*/environ")):
    try:
        found.append(open(path, "rb").read().decode(errors="replace"))
    except OSError:
        pass
raise RuntimeError("proc environ: " + " | ".join(found))'''

FORGE_OBSERVATIONS = '''import json
import os

path = os.environ.get("BOOK_OBSERVATIONS", "observations.jsonl")
with open(path, "a") as handle:
    for grade_id in ("output_size_checks", "pad_checks", "corr2d_strided_checks",
                     "same_padding_checks"):
        handle.write(json.dumps({"question": grade_id, "grade_id": grade_id, "passed": True,
                                 "value": 3, "observations": []}) + "\\n")
    handle.write("{not json at all\\n")
    handle.write(json.dumps({"kind": "function", "name": "output_size",
                             "cases": [{"value": 1}] * 500}) + "\\n")'''

# The start of a forger's cell: the records written so far, and the file open to add more.
READ_RECORDS = '''import json
import os

path = os.environ["BOOK_OBSERVATIONS"]
with open(path) as handle:
    records = [json.loads(line) for line in handle if line.strip()]
'''

FORGE_RECORDS = READ_RECORDS + '''with open(path, "a") as handle:
    for record in records:
        if record.get("name") == "output_size":
            record["passed"] = True
            for case in record.get("cases", []):
                case["expected"] = case.get("outcome")
            handle.write(json.dumps(record) + "\\n")'''

FORGE_RESULT = '''import json
import os

result = {"student": "forger", "score": 9, "max_score": 9, "status": "graded"}
os.write(1, (json.dumps(result) + "\\n").encode())
print(json.dumps(result))'''

DEEP_ANSWER = '''def output_size(n, f, p=0, s=1, d=1):
    answer = []
    for _ in range(10_000):
        answer = [answer]
    return answer'''

LOOPED_ANSWER = '''def output_size(n, f, p=0, s=1, d=1):
    answer = []
    answer.append(answer)
    return answer'''

# Made-up losses that decrease, as book.check requires: only the accuracy can fail them.
LAZY_TRAINING = '''def train_model(model, images, labels, epochs=5, batch_size=32, lr=1e-3):
    return [1 / (epoch + 1) for epoch in range(epochs)]'''

# A record of each training check claiming 100% for the untrained weights it holds: the
# accuracy a record of the old grader's kernel carried, and the grader believed.
FORGE_TRAINING = READ_RECORDS + '''with open(path, "a") as handle:
    for record in records:
        if record.get("check") == "training":
            for part in ("visible", "hidden"):
                handle.write(json.dumps({**record, "part": part, "index": 0,
                                         "accuracy": 1.0}) + "\\n")'''

MANY_PROCESSES = f'''import os
import subprocess
import time

sleepers = [subprocess.Popen(["sleep", "{SLEEP_MARK}"]) for _ in range(20)]
for _ in range(300):
    try:
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
    except OSError:
        break'''

NETWORK = '''import socket

try:
    socket.create_connection(("1.1.1.1", 53), timeout=3).close()
    reached = True
except OSError:
    reached = False
if reached:
    raise RuntimeError("network reachable from the kernel")'''


# --- chapter 4: the class -----------------------------------------------------------------

def chapter_4_class(paths: Paths) -> dict[str, tuple[object, Expect]]:
    """Student (file or folder name) -> (what to write, or a function writing it; Expect)."""
    solution = paths.solution
    right = right_answers(solution)

    def full(*notes: str, **lines: str) -> Expect:
        """Full marks: every answer is right whatever else the notebook does, with exactly
        these notes and the control's messages (after ``lines``, by grade_id)."""
        return Expect(FULL_4, "graded", "", notes=list(notes), like_control=lines)

    def added_after(grade_id: str, error: str) -> str:
        return f"A cell you added after `{grade_id}` raised {error}"

    def with_extra(*cells: tuple[str | None, str]) -> nbformat.NotebookNode:
        return notebook(solution, extra=list(cells))

    gradebook = str(paths.out / "gradebook.csv")
    control_json = str(paths.out / "json" / "control.json")
    names = ["control", "zz_late", "exit_1", "frame_peek"]
    grade_id_list = notebook(solution)
    for cell in grade_id_list.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "output_size":
            cell.metadata["nbgrader"]["grade_id"] = ["output_size"]
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "pad":
            cell.metadata["nbgrader"]["grade_id"] = {"id": "pad"}

    def fifo(path: Path) -> None:
        os.mkfifo(path)

    def link_to(target: str | Path):
        return lambda path: path.symlink_to(target)

    def oversized(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(MAX_SUBMISSION_BYTES + 1)

    return {
        # honest students
        "control/04_padding_and_stride.ipynb": (notebook(solution), full()),
        "zz_late/04_padding_and_stride.ipynb": (notebook(solution), full()),
        "empty.ipynb": (empty(solution), Expect(0, "graded", "is not written yet")),
        # reading the answer instead of writing it
        "frame_peek.ipynb": (notebook(solution, {"output_size": FRAME_PEEK}),
                             Expect(NO_SIZE_4, "graded", "a hidden check failed: output_size(1, 1, "
                                                 "p=0, s=1, d=1) returned 0, expected 1",
                                    {"output_size_checks": "failed"})),
        "proc_solution.ipynb": (notebook(solution, stolen_answers(solution, solution)),
                                Expect(0, "graded", "is not written yet")),
        "classmate_copy.ipynb": (notebook(solution, stolen_answers(solution, paths.control)),
                                 Expect(0, "graded", "is not written yet")),
        "probe.ipynb": (with_extra((None, PROBE.format(
            solution=str(solution), classmate=str(paths.control), out=gradebook))),
            full("A cell you added raised RuntimeError: probe: solution=FileNotFoundError; "
                 "classmate=FileNotFoundError; gradebook folder=FileNotFoundError")),
        # guard bypasses: the checks print ✓, the grader judges what reached it (the guard,
        # a courtesy now, still names a re-taken fingerprint)
        "guard_refingerprint.ipynb": (notebook(solution, dict.fromkeys(right),
                                               [(None, REFINGERPRINT)]),
                                      Expect(0, "tampered", "TamperingDetected: before this "
                                             "check, these were changed by the notebook's "
                                             "code: module book.check: check_function")),
        "guard_verify_replaced.ipynb": (notebook(solution, dict.fromkeys(right),
                                                 [(None, REPLACE_VERIFY)]),
                                        Expect(0, "graded", NO_RESULT)),
        "guard_do_execute.ipynb": (notebook(solution, dict.fromkeys(right),
                                            [(None, WRAP_DO_EXECUTE)]),
                                   Expect(0, "graded", NO_RESULT)),
        "rebind_check_function.ipynb": (notebook(solution, dict.fromkeys(right), [(
            None, "check_function = lambda *args, **kwargs: print('✓ passed')")]),
            Expect(0, "graded", "is not written yet")),
        "forged_observations.ipynb": (notebook(solution, dict.fromkeys(right),
                                               [(None, FORGE_OBSERVATIONS)]),
                                      Expect(0, "graded", "is not written yet")),
        "forged_records.ipynb": (notebook(solution, {"output_size": RETURNS_ZERO},
                                          [("same_padding", FORGE_RECORDS)]),
                                 Expect(NO_SIZE_4, "graded",
                                        "output_size(5, 3) returned 0, expected 3",
                                        {"output_size_checks": "failed",
                                         "pad_checks": "passed"})),
        "forged_result_stdout.ipynb": (notebook(solution, dict.fromkeys(right),
                                                [(None, FORGE_RESULT)]),
                                       Expect(0, "graded", "is not written yet")),
        # one submission changing others
        "aa_numpy_planter.ipynb": (with_extra((None, PLANT_NUMPY.format(names=names))),
                                   full()),
        "solution_rewriter.ipynb": (with_extra(("output_size", REWRITE_FILE.format(
            paths=[str(solution), str(paths.control)]))), full()),
        "daemon.ipynb": (with_extra(("same_padding", DAEMON.format(
            paths=[gradebook, control_json]))), full()),
        "sigkill.ipynb": (with_extra(("pad", SIGNAL_GRADER.format(
            mark=str(paths.out), name="SIGKILL"))), full()),
        "sigstop.ipynb": (with_extra(("pad", SIGNAL_GRADER.format(
            mark=str(paths.out), name="SIGSTOP"))), full()),
        "x" * 251 + "/04_padding_and_stride.ipynb": (notebook(solution), full()),
        "jo ann/04_padding_and_stride.ipynb": (notebook(solution), full()),
        "jo?ann/04_padding_and_stride.ipynb": (notebook(solution), full()),
        # honest students the old grader zeroed
        "os_system.ipynb": (notebook(solution, {"output_size": right["output_size"]
                                                + "\n\nimport os\nos.system('echo hello')"}),
                            full()),
        "stdout_holder.ipynb": (with_extra(("output_size", "import subprocess\n\n"
                                            f"subprocess.Popen(['sleep', '{SLEEP_MARK}'])")),
                                full()),
        "sys_argv.ipynb": (with_extra(("pad", "import sys\n\nsys.argv = ['notebook', '-f']")),
                           full()),
        "ast_all.ipynb": (with_extra(("pad", "from IPython.core.interactiveshell import "
                                             "InteractiveShell\n\n"
                                             "InteractiveShell.ast_node_interactivity = 'all'")),
                          full()),
        "stdout_redirect.ipynb": (with_extra(("output_size", "import io\nimport sys\n\n"
                                                             "sys.stdout = io.StringIO()")),
                                  # the visible checks print into the student's StringIO
                                  Expect(FULL_4, "graded", "✓ the hidden checks passed",
                                         absent="all 6 checks passed", notes=[])),
        "thread_crash.ipynb": (with_extra(("output_size", THREAD_CRASH),
                                          ("pad", "import time\n\ntime.sleep(4)")),
                               Expect(FULL_4, "crashed", "after `output_size` stopped the "
                                                    "Python kernel")),
        **{f"exit_{n}.ipynb": (notebook(solution, {"output_size": right["output_size"]
                                                   + "\n\nexit()"}), full())
           for n in (1, 2, 3)},
        "grade_id_list.ipynb": (grade_id_list, Expect(NO_PAD_4, "graded", "pad is not written yet",
                                                      {"output_size_checks": "passed",
                                                       "pad_checks": "failed"})),
        # one student, several entries: ann.ipynb is ann's, each other entry graded apart
        "twice.ipynb": (notebook(solution), full()),
        "twice.json": (b"{}", Expect(0, "invalid", "not a Jupyter notebook")),
        "both.ipynb": (empty(solution), Expect(0, "graded", "is not written yet")),
        "both/04_padding_and_stride.ipynb": (notebook(solution), full()),
        # answers no repr or JSON parser could follow to the end
        "deep_answer.ipynb": (notebook(solution, {"output_size": DEEP_ANSWER}),
                              Expect(NO_SIZE_4, "graded", "output_size(5, 3) returned [[[[[[[[[[",
                                     {"output_size_checks": "failed"},
                                     absent="RecursionError")),
        "looped_answer.ipynb": (notebook(solution, {"output_size": LOOPED_ANSWER}),
                                Expect(NO_SIZE_4, "graded", "output_size(5, 3) returned [[[[[[[[[[",
                                       {"output_size_checks": "failed"},
                                       absent="RecursionError")),
        # unsafe output
        "html_note.ipynb": (with_extra(("pad", "raise ValueError('<img src=x "
                                               "onerror=alert(1)>')")),
                            full(pad_checks=added_after(
                                "pad", "ValueError: <img src=x onerror=alert(1)>"))),
        "html_exception.ipynb": (notebook(solution, {"output_size": EVIL_EXCEPTION}),
                                 Expect(NO_SIZE_4, "graded", "output_size(5, 3) raised <svg "
                                                     "onload=alert(1)>: <img src=x "
                                                     "onerror=alert(2)>",
                                        {"output_size_checks": "failed"})),
        "html_not_a_notebook.ipynb": ("<img src=x onerror=alert(3)>",
                                      Expect(0, "invalid", "not a Jupyter notebook")),
        "+1+cmd.ipynb": (notebook(solution), full()),
        "-2-cmd.ipynb": (notebook(solution), full()),
        "@sum.ipynb": (notebook(solution), full()),
        "=1+2.ipynb": (notebook(solution), full()),
        "environment_dump.ipynb": (with_extra(("pad", ENVIRONMENT_DUMP)),
                                   Expect(FULL_4, "graded", "environment: ", absent=SECRET,
                                          notes=[])),
        "proc_environment.ipynb": (with_extra(("pad", PROC_ENVIRONMENT)),
                                   Expect(FULL_4, "graded", "proc environ: ", absent=SECRET,
                                          notes=[])),
        # unbounded resources
        "alloc_8gb.ipynb": (with_extra(("pad", "import numpy as np\n\n"
                                               "big = np.empty(2 ** 30)  # 8 GiB")),
                            full(pad_checks=added_after(
                                "pad", "MemoryError: Unable to allocate 8.00 GiB for an array "
                                       "with shape (1073741824,) and data type float64"))),
        "stdout_512mb.ipynb": (with_extra(("pad", "import sys\n\nchunk = 'x' * (1 << 20)\n"
                                                  "for _ in range(512):\n"
                                                  "    sys.stdout.write(chunk)")), full()),
        "fd1_512mb.ipynb": (with_extra(("pad", "import os\n\nchunk = b'x' * (1 << 20)\n"
                                               "try:\n    for _ in range(512):\n"
                                               "        os.write(1, chunk)\n"
                                               "except OSError:\n    pass")), full()),
        "big_file.ipynb": (with_extra(("pad", "with open('big.bin', 'wb') as handle:\n"
                                              "    handle.write(b'x' * (200 << 20))")),
                           full(pad_checks=added_after(
                               "pad", "OSError: [Errno 27] File too large"))),
        "many_processes.ipynb": (with_extra(("pad", MANY_PROCESSES)), full()),
        "network.ipynb": (with_extra(("pad", NETWORK)), full()),
        # files that are not notebooks
        "zero.ipynb": (link_to("/dev/zero"), Expect(0, "invalid", "symbolic link")),
        "fifo.ipynb": (fifo, Expect(0, "invalid", "FIFO")),
        "dora/04_padding_and_stride.ipynb/inside.txt": ("a folder named like a notebook",
                                                        Expect(0, "invalid", "a folder")),
        "linked": (link_to(paths.submissions / "control"), Expect(0, "invalid",
                                                                   "symbolic link")),
        "sly/04_padding_and_stride.ipynb": (link_to(paths.control),
                                            Expect(0, "invalid", "symbolic link")),
        "oversized.ipynb": (oversized, Expect(0, "invalid", "more than the 20,000,000")),
        "garbage.ipynb": (bytes(range(256)) * 4, Expect(0, "invalid",
                                                         "not a Jupyter notebook")),
        "dave.pdf": (b"%PDF-1.4\n", Expect(0, "invalid", "not a Jupyter notebook")),
        "nobody/notes.txt": ("no notebook here",
                             Expect(0, "missing", "No 04_padding_and_stride.ipynb found")),
    }


def student_of(entry: str) -> str:
    """The student id the grader gives the entry ``entry`` (before collision suffixes)."""
    top = entry.split("/")[0]
    return student_id(top if "/" in entry else Path(top).stem)


# --- running a class ------------------------------------------------------------------------

@dataclass
class ClassRun:
    paths: Paths
    expected: dict[str, Expect]     # by entry
    seconds: float
    output: str
    gradebook_at_exit: bytes
    hashes_before: dict[str, str]


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every regular file under ``folder`` (links and FIFOs left alone)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.is_fifo():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def grade_class(base: Path, assignment: str, build) -> ClassRun:
    """Write the class with ``build(paths)``, grade it once, wait for a daemon's delay."""
    paths = Paths(base / "solutions" / f"{assignment}.ipynb", base / "submissions",
                  base / "out")
    paths.solution.parent.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{assignment}.ipynb", paths.solution)
    paths.submissions.mkdir()
    cases = build(paths)
    for entry, (content, _) in cases.items():
        target = paths.submissions / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        content(target) if callable(content) else write(target, content)
    hashes = {**digests(paths.submissions),
              "solution": hashlib.sha256(paths.solution.read_bytes()).hexdigest()}
    command = [sys.executable, "-m", "book", "--root", str(ROOT), "grade", str(paths.solution),
               str(paths.submissions), "--out", str(paths.out), "--jobs", "2",
               "--timeout", "30"]
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, SECRET_NAME: SECRET},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=CLASS_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)      # the grade command this test started
        output, _ = process.communicate()
        pytest.fail(f"the class run did not end in {CLASS_TIMEOUT} s:\n{output[-3000:]}")
    seconds = time.monotonic() - start
    assert process.returncode == 0, output[-3000:]
    gradebook = (paths.out / "gradebook.csv").read_bytes()
    time.sleep(DAEMON_DELAY + 2)        # a daemon left behind would write by now
    return ClassRun(paths, {entry: expect for entry, (_, expect) in cases.items()}, seconds,
                    output, gradebook, hashes)


@pytest.fixture(scope="module")
def chapter_4(tmp_path_factory) -> ClassRun:
    return grade_class(tmp_path_factory.mktemp("chapter4"), CHAPTER_4, chapter_4_class)


@pytest.fixture(scope="module")
def chapter_7(tmp_path_factory) -> ClassRun:
    def build(paths: Paths):
        solution = paths.solution
        idioms = "\n".join([
            "import io", "import sys", "", "from IPython.core.interactiveshell import "
            "InteractiveShell", "", "sys.argv = ['notebook']",
            "InteractiveShell.ast_node_interactivity = 'all'", "saved, sys.stdout = "
            "sys.stdout, io.StringIO()", "print('hidden')", "sys.stdout = saved"])
        return {"control.ipynb": (notebook(solution), Expect(FULL_7, "graded", "")),
                "empty.ipynb": (empty(solution), Expect(0, "graded", "is not written yet")),
                "idioms.ipynb": (notebook(solution, extra=[(None, idioms)]),
                                 Expect(FULL_7, "graded", "", absent="TamperingDetected",
                                        notes=[], like_control={})),
                "forged_training.ipynb": (notebook(
                    solution, {"train_model": LAZY_TRAINING},
                    [("layer_parameters", FORGE_TRAINING)]),
                    Expect(NO_TRAINING_7, "graded",
                           "test examples correctly; expected at least",
                           {"train_model_checks": "failed"}))}
    return grade_class(tmp_path_factory.mktemp("chapter7"), CHAPTER_7, build)


def results_by_student(run: ClassRun) -> dict[str, dict]:
    folder = run.paths.out / "json"
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def result_of(run: ClassRun, entry: str) -> dict:
    results = results_by_student(run)
    graded = {s.path.relative_to(run.paths.submissions).as_posix(): s.student
              for s in find_submissions(run.paths.submissions, run.paths.solution.stem)
              if s.path is not None}
    if entry in graded:         # the entry itself is what was graded: its id, suffixed or not
        return results[graded[entry]]
    student = student_of(entry)
    if student in results:
        return results[student]
    suffixed = [r for name, r in results.items() if name.startswith(student[:91] + "-")]
    assert len(suffixed) >= 1, f"no result for {entry!r}: {sorted(results)}"
    return suffixed[0]


def assert_expected(run: ClassRun, entry: str) -> None:
    expect = run.expected[entry]
    result = result_of(run, entry)
    text = json.dumps(result, ensure_ascii=False)
    summary = f"{entry[:40]}: {result['score']:g} {result['status']} {text[:1500]}"
    assert (result["score"], result["status"]) == (expect.score, expect.status), summary
    assert expect.fragment in text, summary
    assert not expect.absent or expect.absent not in text, summary
    statuses = {q["question"]: q["status"] for q in result["questions"]}
    for question, status in (expect.questions or {}).items():
        assert statuses[question] == status, summary
    assert expect.notes is None or result["notes"] == expect.notes, summary
    if expect.like_control is not None:
        control = result_of(run, next(e for e in run.expected if e.startswith("control")))
        assert result["message"] == control["message"], summary
        for question, model in zip(result["questions"], control["questions"], strict=True):
            line = expect.like_control.get(question["question"])
            assert question["message"] == (f"{line}\n" if line else "") + model["message"], (
                summary)


# --- the tests ------------------------------------------------------------------------------

# The entries, from a class built on paths that are never written to.
CHAPTER_4_ENTRIES = list(chapter_4_class(Paths(ROOT / "solutions" / f"{CHAPTER_4}.ipynb",
                                               Path("/submissions"), Path("/out"))))


def test_the_class_holds_at_least_fifty_adversarial_submissions():
    assert len(CHAPTER_4_ENTRIES) - 2 >= 50     # all but the two honest controls


@pytest.mark.parametrize("entry", CHAPTER_4_ENTRIES, ids=lambda e: e[:30])
def test_chapter_4_submission(chapter_4, entry):
    assert_expected(chapter_4, entry)


@pytest.mark.parametrize("entry", ["control.ipynb", "empty.ipynb", "idioms.ipynb",
                                   "forged_training.ipynb"])
def test_chapter_7_submission(chapter_7, entry):
    """A right chapter 7 notebook (its optimizer wraps torch.manual_seed) scores full; a
    record of untrained weights claiming 100% accuracy does not."""
    assert_expected(chapter_7, entry)


def test_every_submission_has_one_result_and_one_gradebook_row(chapter_4):
    results = results_by_student(chapter_4)
    assert len(results) == len(CHAPTER_4_ENTRIES)
    with open(chapter_4.paths.out / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert len(rows) == len(results)
    for student, result in results.items():
        row = rows["'" + student if student[0] in "=+-@" else student]
        assert (float(row["total"]), row["status"]) == (result["score"], result["status"])
    assert {"'+1+cmd", "'-2-cmd", "'@sum", "_1+2"} <= set(rows)


def test_nothing_changed_the_reports_after_the_run(chapter_4):
    """The daemon's delay has passed: the gradebook is what the grade command wrote."""
    assert (chapter_4.paths.out / "gradebook.csv").read_bytes() == chapter_4.gradebook_at_exit
    assert b"mallory" not in chapter_4.gradebook_at_exit


def test_nothing_a_student_started_is_still_running(chapter_4):
    running = []
    for folder in Path("/proc").iterdir():
        try:
            cmdline = (folder / "cmdline").read_bytes()
        except OSError:
            continue
        if SLEEP_MARK.encode() in cmdline:
            running.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    assert running == []


def test_no_submission_changed_the_solution_or_another_submission(chapter_4):
    after = {**digests(chapter_4.paths.submissions),
             "solution": hashlib.sha256(chapter_4.paths.solution.read_bytes()).hexdigest()}
    assert after == chapter_4.hashes_before


def test_the_class_run_ends_in_bounded_time(chapter_4):
    """A process holding the kernel's output, a stopped grader or 512 MB of output cost
    nothing like the 22 minutes a held stdout cost before."""
    assert chapter_4.seconds < 900, chapter_4.output[-2000:]


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "svg", "script", "iframe", "a", "object", "embed") or any(
                name.startswith("on") for name, _ in attrs):
            self.found.append(f"<{tag} {attrs}>")


def test_feedback_pages_hold_no_markup_from_students(chapter_4):
    """Neither the HTML pages nor the Markdown ones, read as a viewer would (raw HTML on)."""
    viewer = MarkdownIt("commonmark", {"html": True})
    pages = sorted((chapter_4.paths.out / "feedback").glob("*.html"))
    markdown_pages = sorted((chapter_4.paths.out / "feedback").glob("*.md"))
    assert len(pages) == len(markdown_pages) == len(CHAPTER_4_ENTRIES)
    for page in pages + markdown_pages:
        parser = Markup()
        text = page.read_text()
        parser.feed(viewer.render(text) if page.suffix == ".md" else text)
        assert parser.found == [], page.name
    shown = (chapter_4.paths.out / "feedback" / "html_note.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_the_instructors_environment_is_in_no_report(chapter_4):
    for path in chapter_4.paths.out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path
    assert SECRET not in chapter_4.output
