"""The sandbox a student's kernel runs in (book.grading.sandbox), tried from inside a kernel.

One run of probe cells (one kernel start) shares its outcomes among the tests: each cell
tries one thing a student's code should not be able to do and prints what happened.
"""

import os
import signal
import time
from pathlib import Path

import nbformat
import pytest

from book.authoring.exercises import answered_notebook
from book.grading import sandbox
from book.grading.grade import grade_folder
from book.grading.plan import Step
from book.grading.results import SubmissionStatus
from book.grading.run import MEMORY_NOTE, CellStatus, run_steps
from tests.processes import sleeping

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "04_padding_and_stride.ipynb"
SECRET_VARIABLE = "BOOK_INSTRUCTOR_SECRET"
DAEMON_MARK = "4321.5"        # the sleep time that marks the probes' detached daemon
# In the book package, bound read-only into the sandbox.
READ_ONLY_PROBE = Path(sandbox.book.__file__).parent / "_sandbox_write_probe.py"

pytestmark = pytest.mark.skipif(sandbox.available() is not None,
                                reason=f"no sandbox here: {sandbox.available()}")
as_root = pytest.mark.skipif(os.geteuid() != 0,
                             reason="the memory cgroup needs a grader running as root")
FILL_FILE = 60 * sandbox.MIB


def _reads(paths: list[Path]) -> str:
    return ("for path in %r:\n"
            "    try:\n"
            "        open(path, 'rb').read(10)\n"
            "        print('read', path)\n"
            "    except OSError as error:\n"
            "        print(type(error).__name__, path)\n") % [str(p) for p in paths]


def _writes(paths: list[Path]) -> str:
    return ("for path in %r:\n"
            "    try:\n"
            "        open(path, 'a').write('import sys\\n')\n"
            "        print('wrote', path)\n"
            "    except OSError as error:\n"
            "        print(type(error).__name__, path)\n") % [str(p) for p in paths]


PROBES = {
    "network": ("import socket\n"
                "try:\n"
                "    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
                "    print('connected')\n"
                "except OSError as error:\n"
                "    print(type(error).__name__)\n"),
    "environment": f"import os; print({SECRET_VARIABLE!r} in os.environ, os.environ['HOME'])",
    "memory": ("try:\n"
               "    block = bytearray(12 * 1024 ** 3)\n"
               "    print('allocated')\n"
               "except MemoryError:\n"
               "    print('MemoryError')\n"),
    "fork bomb": ("import subprocess\n"
                  "children = []\n"
                  "try:\n"
                  "    for _ in range(1000):\n"
                  "        children.append(subprocess.Popen(['sleep', '60']))\n"
                  "except OSError as error:\n"
                  "    print(type(error).__name__)\n"
                  "print(len(children))\n"
                  "for child in children:\n"
                  "    child.kill(); child.wait()\n"),
    "big file": ("import os\n"
                 "try:\n"
                 "    with open('big.bin', 'wb') as stream:\n"
                 "        stream.write(bytes(100 * 1024 ** 2))\n"
                 "    print('wrote')\n"
                 "except OSError as error:\n"
                 "    print(type(error).__name__)\n"
                 "print(os.path.getsize('big.bin'))\n"),
    "daemon": ("import os\n"
               "if os.fork() == 0:\n"
               "    os.setsid()\n"
               "    if os.fork() == 0:\n"
               f"        os.execvp('sleep', ['sleep', '{DAEMON_MARK}'])\n"
               "    os._exit(0)\n"
               "os.wait()\n"
               "print('started')\n"),
    "real output": "import os; os.system('echo x'); os.write(1, b'{' * 1000); print('ok')",
}


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """The probe cells' outcomes by name, and the folders they tried."""
    root = tmp_path_factory.mktemp("class")
    work, sibling = root / "work" / "alice", root / "work" / "bob"
    submissions, home = root / "submissions", root / "home"
    for folder in (work, sibling, submissions / "carol", home):
        folder.mkdir(parents=True)
    (sibling / "answers.py").write_text("ANSWER = 42\n")
    (submissions / "carol" / "04_padding_and_stride.ipynb").write_text("{}")
    (home / ".secret").write_text("token\n")
    solution = root / "solutions" / SOLUTION.name
    solution.parent.mkdir()
    solution.write_bytes(SOLUTION.read_bytes())
    probes = dict(PROBES)
    probes["reads"] = _reads([solution, SOLUTION, sibling / "answers.py",
                              submissions / "carol" / "04_padding_and_stride.ipynb",
                              home / ".secret", Path.home() / ".bashrc"])
    probes["writes"] = _writes([sibling / "numpy.py", solution, READ_ONLY_PROBE,
                                work / "mine.py"])
    probes["kill"] = ("import os\n"
                      "try:\n"
                      f"    os.kill({os.getpid()}, 0)\n"
                      "    print('reached')\n"
                      "except OSError as error:\n"
                      "    print(type(error).__name__)\n")
    os.environ[SECRET_VARIABLE] = "the instructor's"
    try:
        record = run_steps([Step("answer", source) for source in probes.values()], work,
                           cell_timeout=60, notebook_timeout=300)
    finally:
        del os.environ[SECRET_VARIABLE]
        # Where the sandbox failed, leave the repository as it was.
        written_in_book = READ_ONLY_PROBE.exists()
        READ_ONLY_PROBE.unlink(missing_ok=True)
    outcomes = dict(zip(probes, record.outcomes, strict=True))
    return outcomes, {"work": work, "sibling": sibling, "solution": solution,
                      "written in book": written_in_book}


def _lines(outcomes, name: str) -> list[str]:
    outcome = outcomes[name]
    assert outcome.status is CellStatus.OK, outcome.error
    return outcome.text.split("\n")[:-1]


def test_nothing_outside_the_work_folder_can_be_read(probed):
    """Not the solution (copied or in the repository), a classmate, the submissions, $HOME."""
    outcomes, _ = probed
    assert [line.split()[0] for line in _lines(outcomes, "reads")] == [
        "FileNotFoundError"] * 6


def test_nothing_outside_the_work_folder_can_be_written(probed):
    outcomes, folders = probed
    words = [line.split()[0] for line in _lines(outcomes, "writes")]
    # A sibling's numpy.py and the solution are not there; the book package is read-only.
    assert words == ["FileNotFoundError", "FileNotFoundError", "OSError", "wrote"]
    assert not (folders["sibling"] / "numpy.py").exists()
    assert not folders["written in book"]


def test_there_is_no_network(probed):
    outcomes, _ = probed
    assert _lines(outcomes, "network") == ["OSError"]


def test_the_environment_is_an_allow_list(probed):
    outcomes, folders = probed
    assert _lines(outcomes, "environment") == [f"False {folders['work']}"]


def test_memory_beyond_the_limit_is_a_memory_error(probed):
    outcomes, _ = probed
    assert _lines(outcomes, "memory") == ["MemoryError"]


def test_a_fork_bomb_is_bounded(probed):
    outcomes, _ = probed
    refused, started = _lines(outcomes, "fork bomb")
    assert refused == "BlockingIOError" and int(started) < sandbox.Limits().processes


def test_a_file_past_the_size_limit_cannot_be_written(probed):
    outcomes, _ = probed
    refused, size = _lines(outcomes, "big file")
    assert refused == "OSError" and int(size) <= sandbox.Limits().file_size


def test_the_grader_process_is_out_of_reach(probed):
    """The kernel has a PID namespace of its own: the grader's pid names nothing there."""
    outcomes, _ = probed
    assert _lines(outcomes, "kill") == ["ProcessLookupError"]


def test_a_detached_daemon_is_gone_when_the_run_ends(probed):
    outcomes, _ = probed
    assert _lines(outcomes, "daemon") == ["started"]
    deadline = time.monotonic() + 5
    while sleeping(DAEMON_MARK) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = sleeping(DAEMON_MARK)
    for pid in left:  # leave nothing behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_writing_to_the_real_output_changes_nothing(probed):
    outcomes, _ = probed
    assert "ok" in _lines(outcomes, "real output")


def test_the_sandbox_refuses_with_a_reason_when_bwrap_is_missing(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.available.cache_clear()
    try:
        reason = sandbox.available()
    finally:
        sandbox.available.cache_clear()
    assert "apt-get install bubblewrap" in reason and "--no-sandbox" in reason


def test_cpu_time_past_the_limit_ends_the_process(tmp_path):
    import subprocess
    import sys

    with sandbox.Sandbox(tmp_path, sandbox.Limits(cpu_seconds=1)) as box:
        command = box.command([sys.executable, "-c", "while True: pass"],
                              sandbox.allowed_environment(tmp_path, {}))
        start = time.monotonic()
        done = subprocess.run(command, capture_output=True, timeout=60)
    assert done.returncode != 0 and time.monotonic() - start < 10


def test_the_cgroups_of_killed_graders_are_removed_and_no_others(tmp_path):
    """A grader killed before its cleanup leaves an empty cgroup; the next one removes it."""
    orphan = tmp_path / "book-kernel-999999999-abc"
    mine = tmp_path / f"book-kernel-{os.getpid()}-def"
    busy = tmp_path / "book-kernel-999999998-ghi"
    for group in (orphan, mine, busy):
        group.mkdir()
    (busy / "cgroup.procs").write_text("")  # not empty: rmdir fails, as for a live group
    sandbox._remove_orphan_groups(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([busy.name, mine.name])


def _fill(folder: str) -> str:
    """A cell that writes files of 60 MiB into ``folder`` until past the memory limit."""
    files = sandbox.Limits().memory // FILL_FILE + 2
    return (f"for n in range({files}):\n"
            f"    with open('{folder}/fill-%d' % n, 'wb') as stream:\n"
            f"        stream.write(bytes({FILL_FILE}))\n")


def _groups_of_this_process() -> list[Path]:
    """The kernel cgroups named after this process (cgroup v2, then v1 hierarchies)."""
    pattern = f"book-kernel-{os.getpid()}-*"
    return sorted(sandbox.CGROUPS.glob(pattern)) + sorted(sandbox.CGROUPS.glob(f"*/{pattern}"))


@as_root
@pytest.mark.parametrize("folder", ["/tmp", "."], ids=["tmp", "working folder"])
def test_files_past_the_memory_limit_stop_the_cell_with_a_note(tmp_path, folder):
    """The cell that filled memory is blamed, with the note; the next runs in a fresh
    kernel (the killed kernel's files are gone), and nothing of it reached the disk."""
    work = tmp_path / "work"
    steps = [Step("answer", "before = 1"), Step("answer", _fill(folder)),
             Step("answer", "print(before)")]
    record = run_steps(steps, work, cell_timeout=120, notebook_timeout=300)
    note = MEMORY_NOTE.format(gib=sandbox.Limits().memory / sandbox.GIB)
    assert [(o.status, o.error, o.text) for o in record.outcomes] == [
        (CellStatus.OK, "", ""), (CellStatus.CRASHED, note, ""), (CellStatus.OK, "", "1\n")]
    assert list(work.iterdir()) == []
    assert _groups_of_this_process() == []


@as_root
def test_the_memory_cgroup_is_gone_after_the_run(tmp_path):
    with sandbox.Sandbox(tmp_path) as box:
        assert box.memory_bounded
        assert set(box.cgroups) == set(_groups_of_this_process())
        assert all(group.exists() for group in box.cgroups)
    assert _groups_of_this_process() == []


@as_root
def test_a_submission_past_the_memory_limit_leaves_the_others_full_marks(tmp_path):
    """Two students fill memory with files (in /tmp, in their working folder) in a cell of
    their own, run in the same grading as a student who only answers: that cell is stopped,
    and the third student's result is as it would be alone."""
    solution = nbformat.read(SOLUTION, as_version=4)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(answered_notebook(solution, SOLUTION.name), submissions / "answers.ipynb")
    for student, folder in (("fills_tmp", "/tmp"), ("fills_work", ".")):
        notebook = answered_notebook(solution, SOLUTION.name)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(_fill(folder)))
        nbformat.write(notebook, submissions / f"{student}.ipynb")
    results = {r.student: r for r in grade_folder(SOLUTION, submissions, tmp_path / "work",
                                                  jobs=1, cell_timeout=120)}
    answers = results.pop("answers")
    assert (answers.status, answers.score, answers.notes) == (
        SubmissionStatus.GRADED, answers.max_score, [])
    for result in results.values():
        assert result.status is SubmissionStatus.CRASHED, result
        memory_note = MEMORY_NOTE.format(gib=sandbox.Limits().memory / sandbox.GIB)
        assert [n for n in result.notes if memory_note in n], result
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [
        "answers", "fills_tmp", "fills_work"]
    assert [p for p in (tmp_path / "work").rglob("*") if p.is_file()] == []


@as_root
def test_grade_warns_once_when_root_can_make_no_cgroup(tmp_path, monkeypatch, capsys):
    """Linux does not apply the process limit to root: without cgroups (a read-only or
    missing /sys/fs/cgroup), grade says what is then unbounded and how to fix it."""
    from book.__main__ import main

    assert sandbox.root_without_cgroups() is None  # this machine gives root its cgroups
    monkeypatch.setattr(sandbox, "CGROUPS", tmp_path / "no-cgroups")
    (tmp_path / "submissions").mkdir()
    assert main(["--root", str(ROOT), "grade", SOLUTION.stem, str(tmp_path / "submissions"),
                 "--out", str(tmp_path / "out")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "time limit" in warnings[0] and "non-root user" in warnings[0]


def test_grade_gives_no_cgroup_warning_to_a_non_root_grader(monkeypatch):
    """Not root, RLIMIT_NPROC bounds the processes: nothing to warn about."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(sandbox, "CGROUPS", Path("/nonexistent"))
    assert sandbox.root_without_cgroups() is None
