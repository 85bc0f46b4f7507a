"""How a submission's run and its grader process report back, whatever the student's code does.

run_steps: exit() and crashes are attributed deterministically to the cell whose code did it,
a process holding the kernel's output delays nothing, observations are read back capped and
safely. grade_folder: each grader process writes its result to a file (stdout is ignored),
results reach ``on_result`` as submissions finish, ``skip`` leaves students out, and the
grader refuses to run without a sandbox unless told to.
"""

import json
import time
from pathlib import Path

import pytest

from book.grading import grade, run, sandbox
from book.grading.plan import Step
from book.grading.results import SubmissionStatus
from book.grading.run import CellStatus, read_observations, run_steps
from tests.processes import sleeping

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "04_padding_and_stride.ipynb"
CELL_TIMEOUT = 30

needs_sandbox = pytest.mark.skipif(sandbox.available() is not None,
                                   reason=f"no sandbox here: {sandbox.available()}")


def _steps(*sources: str) -> list[Step]:
    return [Step("answer", source) for source in sources]


def _summary(record) -> list[tuple[str, str, str]]:
    return [(o.status.value, o.text, o.error) for o in record.outcomes]


@needs_sandbox
def test_exit_at_the_end_of_a_cell_scores_the_same_every_time(tmp_path):
    """IPython's exit() would stop the kernel after the cell, at a moment that varies."""
    steps = _steps("answer = 42\nexit()", "print(answer)", "quit()", "print('still here')")
    runs = [_summary(run_steps(steps, tmp_path / str(n), CELL_TIMEOUT, 120))
            for n in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0] == [("ok", "", ""), ("ok", "42\n", ""), ("ok", "", ""),
                       ("ok", "still here\n", "")]


@needs_sandbox
def test_a_crash_in_a_thread_is_blamed_on_the_cell_whose_code_crashed(tmp_path):
    """The thread of cell 0 crashes the kernel while cell 2 sleeps: cell 0 is skipped."""
    steps = _steps("import ctypes, threading, time\n"
                   "def crash_later():\n"
                   "    time.sleep(1)\n"
                   "    ctypes.string_at(0)\n"
                   "threading.Thread(target=crash_later).start()",
                   "y = 2",
                   "import time\ntime.sleep(4)",
                   "print(y)")
    record = run_steps(steps, tmp_path, CELL_TIMEOUT, 120)
    assert [o.status for o in record.outcomes] == [CellStatus.CRASHED] + [CellStatus.OK] * 3
    assert record.outcomes[3].text == "2\n"


@needs_sandbox
def test_a_crash_without_a_stack_is_blamed_on_the_running_cell(tmp_path):
    record = run_steps(_steps("x = 1", "import os\nos._exit(3)", "print(x)"), tmp_path,
                       CELL_TIMEOUT, 120)
    assert [o.status for o in record.outcomes] == [
        CellStatus.OK, CellStatus.CRASHED, CellStatus.OK]


@needs_sandbox
def test_a_process_holding_the_kernel_output_delays_nothing(tmp_path):
    start = time.monotonic()
    record = run_steps(_steps("import subprocess\n"
                              "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
                              "print('started')"), tmp_path, CELL_TIMEOUT, 120)
    assert _summary(record) == [("ok", "started\n", "")]
    assert time.monotonic() - start < 20


@needs_sandbox
def test_the_kernel_gets_the_observation_file_and_it_is_read_back(tmp_path):
    source = ("import json, os\n"
              "with open(os.environ['BOOK_OBSERVATIONS'], 'a') as stream:\n"
              "    stream.write(json.dumps({'grade_id': 'q1', 'value': [1, 2]}) + '\\n')\n"
              "    stream.write('not json\\n[1, 2]\\n')")
    record = run_steps(_steps(source), tmp_path, CELL_TIMEOUT, 120)
    assert record.observations == [{"grade_id": "q1", "value": [1, 2]}]


def test_observations_are_read_capped_and_malformed_lines_dropped(tmp_path):
    path = tmp_path / "observations.jsonl"
    lines = [json.dumps({"n": n}) for n in range(100)]
    too_deep = "[" * 100_000 + "]" * 100_000  # past the JSON parser's recursion depth
    path.write_text("\n".join(lines[:3] + ["{broken", "42", too_deep] + lines[3:]) + "\n")
    assert read_observations(path)[:4] == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    capped = read_observations(path, limit=len("\n".join(lines[:3])) + 5)
    assert capped == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert read_observations(tmp_path / "missing.jsonl") == []


def test_a_missing_or_invalid_result_file_is_a_clear_grader_error(tmp_path):
    with pytest.raises(RuntimeError, match="wrote no result"):
        grade._read_result(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{\"student\": ")
    with pytest.raises(RuntimeError, match="wrote an invalid result"):
        grade._read_result(tmp_path / "bad.json")


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "available", lambda: "bwrap is not installed: apt-get ...")
    with pytest.raises(ValueError, match="bwrap is not installed"):
        grade.grade_folder(SOLUTION, tmp_path, tmp_path / "work")


def _class(folder: Path, students: dict[str, str]) -> Path:
    """A submissions folder: each student's notebook is the solution plus one extra cell."""
    import nbformat

    for student, extra in students.items():
        notebook = nbformat.read(SOLUTION, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(extra))
        (folder / student).mkdir(parents=True)
        nbformat.write(notebook, folder / student / SOLUTION.name)
    return folder


@needs_sandbox
@pytest.mark.slow
def test_output_on_the_real_stdout_does_not_change_a_result(tmp_path):
    """A grader process's result travels through a file: what the student's code writes
    to the process's real output (os.system, fd 1) changes nothing; results arrive as each
    submission finishes; skipped students are not graded."""
    forged = json.dumps({"student": "mallory", "score": 99})
    submissions = _class(tmp_path / "submissions", {
        "alice": "print('done')",
        "bob": f"import os\nos.system('echo {forged!r}')\nos.write(1, b'{{' * 100000)",
        "carol": "print('skipped')"})
    seen = []
    results = grade.grade_folder(SOLUTION, submissions, tmp_path / "work", jobs=2,
                                 cell_timeout=CELL_TIMEOUT, on_result=seen.append,
                                 skip={"carol"})
    assert sorted(r.student for r in seen) == [r.student for r in results] == ["alice", "bob"]
    alice, bob = results
    assert alice.status is bob.status is SubmissionStatus.GRADED
    assert alice.score == bob.score == alice.max_score
    assert len(alice.sha256) == 64 and alice.sha256 != bob.sha256


def test_the_crashing_cell_is_read_from_the_crashing_thread_only(tmp_path):
    """faulthandler lists the crashing thread first, then the others after a blank line."""
    from ipykernel.compiler import get_file_name

    sources = ["a = 1", "b = 2", "c = 3"]
    cell = {n: get_file_name(source) for n, source in enumerate(sources)}
    faults = tmp_path / "faults.log"
    faults.write_text(
        "Fatal Python error: Segmentation fault\n\n"
        "Current thread 0x01 (most recent call first):\n"
        '  File "/usr/lib/python3/ctypes/__init__.py", line 519 in string_at\n'
        f'  File "{cell[1]}", line 4 in crash_later\n\n'
        "Thread 0x02 (most recent call first):\n"
        f'  File "{cell[2]}", line 2 in <module>\n')
    assert run.crashing_cell(faults, sources) == 1
    faults.write_text("Fatal Python error: Aborted\n\nCurrent thread 0x01:\n"
                      '  File "/elsewhere.py", line 1 in f\n\n'
                      f'Thread 0x02:\n  File "{cell[2]}", line 2 in <module>\n')
    assert run.crashing_cell(faults, sources) is None
    assert run.crashing_cell(tmp_path / "missing.log", sources) is None


def test_the_grade_command_refuses_without_a_sandbox_in_one_line(tmp_path, monkeypatch,
                                                                 capsys):
    from book.__main__ import main

    monkeypatch.setattr(grade, "available", lambda: "bwrap is not installed: apt-get ...")
    arguments = ["--root", str(ROOT), "grade", "04_padding_and_stride", str(tmp_path),
                 "--out", str(tmp_path / "out")]
    assert main(arguments) == 1
    assert capsys.readouterr().err == "error: bwrap is not installed: apt-get ...\n"
    calls = []
    monkeypatch.setattr(grade, "grade_folder", lambda *a, **k: calls.append(k) or [])
    assert main(arguments + ["--no-sandbox"]) == 0
    assert calls[0]["sandbox"] is False
    assert capsys.readouterr().err.startswith("warning: --no-sandbox: student code runs")


@needs_sandbox
@pytest.mark.slow
def test_resume_grades_only_new_or_changed_submissions(tmp_path, capsys):
    from book.__main__ import main

    submissions = _class(tmp_path / "submissions", {"alice": "a = 1", "bob": "b = 1"})
    arguments = ["--root", str(ROOT), "grade", "04_padding_and_stride", str(submissions),
                 "--out", str(tmp_path / "out"), "--jobs", "2"]
    assert main(arguments) == 0
    assert "graded 2 submissions" in capsys.readouterr().out
    bob = submissions / "bob" / SOLUTION.name
    bob.write_text(bob.read_text().replace('"b = 1"', '"b = 2"'))
    _class(submissions, {"carol": "c = 1"})
    assert main(arguments + ["--resume"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed if "(kept from the last run)" in line] == [
        "alice"]
    assert "graded 2 submissions" in printed[-1]
    assert (tmp_path / "out" / "gradebook.csv").read_text().count("\n") == 4


@needs_sandbox
def test_a_sandbox_that_cannot_start_the_kernel_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "limit_arguments", lambda limits: ["prlimit", "--bogus", "--"])
    with pytest.raises(RuntimeError, match="Kernel died.*prlimit.*bogus"):
        run_steps(_steps("1"), tmp_path, CELL_TIMEOUT, 120)


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("stop", ["ctrl-c", "kill"])
def test_a_stopped_grade_command_leaves_no_grading_behind(tmp_path, stop):
    """Ctrl-C (SIGINT to the foreground process group) or a SIGKILL of the grade command
    alone ends its grader processes and their kernels, without grading the queued ones."""
    import os
    import signal
    import subprocess
    import sys

    mark = "7654.5"
    student = f"import subprocess\nsubprocess.run(['sleep', '{mark}'])"
    submissions = _class(tmp_path / "submissions", {"alice": student, "bob": student})
    command = subprocess.Popen(
        [sys.executable, "-m", "book", "--root", str(ROOT), "grade", "04_padding_and_stride",
         str(submissions), "--out", str(tmp_path / "out"), "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not sleeping(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sleeping(mark), "the student's cell never started"
    if stop == "ctrl-c":
        os.killpg(command.pid, signal.SIGINT)
    else:
        os.kill(command.pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while (sleeping(mark) or command.poll() is None) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sleeping(mark)
    for pid in left:  # leave nothing behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    if command.poll() is None:
        os.killpg(command.pid, signal.SIGKILL)
    assert left == []
    assert command.wait() != 0


@needs_sandbox
def test_half_a_gigabyte_on_the_real_output_costs_the_grader_nothing(tmp_path):
    """The kernel's real output is /dev/null, not forwarded: it neither fills the cell's
    output nor this process's memory (the grade command grew to 2.7 GB before)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    record = run_steps(_steps("import os\nchunk = b'x' * 2 ** 20\nfor _ in range(512):\n"
                              "    os.write(1, chunk)\nprint('done')"), tmp_path,
                       CELL_TIMEOUT, 120)
    assert _summary(record) == [("ok", "done\n", "")]
    assert time.monotonic() - start < 20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 100 * 1024  # KiB


def test_links_fifos_and_devices_in_the_runtime_folder_are_read_as_nothing(tmp_path):
    """The kernel can put anything in its runtime folder; the grader reads only regular files
    there, without following links or waiting on a FIFO."""
    import os

    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_text('{"grade_id": "q1"}\n')
    (tmp_path / "link.jsonl").symlink_to(elsewhere)
    os.mkfifo(tmp_path / "fifo.jsonl")
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    for name in ("link.jsonl", "fifo.jsonl", "zero.jsonl"):
        assert read_observations(tmp_path / name) == []
        assert run.crashing_cell(tmp_path / name, ["a = 1"]) is None
    assert read_observations(elsewhere) == [{"grade_id": "q1"}]
