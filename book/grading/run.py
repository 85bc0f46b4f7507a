"""Running the planned cells of one submission in a fresh, sandboxed Jupyter kernel.

The kernel runs in :mod:`~book.grading.sandbox` (unless the instructor turned it off) and
talks to this process over ZMQ ``ipc`` sockets in the sandbox's runtime folder. Its own
standard output and error go to /dev/null and to a log file (capped by the sandbox's file size
limit), and ipykernel does not forward them (``capture_fd_output`` off), so what the
student's code writes to the process's real output (``os.system``, ``os.write(1, ...)``,
child processes) reaches neither the cell's output nor this process's memory, nor keeps it
waiting.

Each cell runs with a time limit, and the submission with one in all. A cell that runs past
its limit, or stops the kernel, is skipped: the kernel is restarted, the cells replayed
without it, and only what came after it is run again. At most ``OUTPUT_LIMIT`` characters of
each cell's output are kept (the head; a note says how many were dropped).

Fair attribution:

* ``exit()`` or ``quit()`` in a cell does not stop the kernel (IPython would stop it after
  the cell, at a moment that varies from run to run): the kernel says on the cell's error
  stream that the grader ignored it, and the cell counts as it ran.
* A kernel killed for memory (the submission as a whole past the sandbox's memory limit,
  :class:`~book.grading.sandbox.Limits`, when the grader is root) is blamed on the cell that
  was running, with a note that says so (``MEMORY_NOTE``).
* Any other crash is blamed on the cell whose code was running. The kernel runs with Python's
  ``faulthandler`` on, which writes the stack of the crashing thread to a file of the
  runtime folder: when its innermost frame of cell code belongs to another cell (a
  thread started in cell 3 that crashes the kernel while cell 5 runs), that cell is blamed
  and skipped. A crash that leaves no such stack (``os._exit``, a kill by a signal) is
  blamed on the cell that was running.

The checks' observations (``BOOK_OBSERVATIONS``) are read back after the last kernel run,
at most ``OBSERVATION_LIMIT`` bytes, as JSON lines; malformed lines are dropped.
"""

from __future__ import annotations

import enum
import json
import os
import re
import stat
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from ipykernel.compiler import get_file_name
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from book.grading.plan import Step
from book.grading.sandbox import GIB, Limits, Sandbox, allowed_environment

OUTPUT_LIMIT = 100_000            # characters of output kept per cell; the rest is dropped
OBSERVATION_LIMIT = 32 * 1024 ** 2  # bytes of observations read back from one submission
CPU_PER_WALL_SECOND = 2           # CPU seconds a kernel may use per second of its time limit
KERNEL_STARTS = 3                 # attempts to start a kernel before the grader gives up
OBSERVATIONS_VARIABLE = "BOOK_OBSERVATIONS"
FAULTS_KEPT = 64 * 1024           # bytes of faulthandler's report read after a crash
MEMORY_NOTE = ("the submission used more than {gib:g} GiB of memory (its files in /tmp and in "
               "its working folder count)")
# Run in the kernel before any cell: exit() and quit() call the shell's ask_exit, and a
# crash writes every thread's stack to a file of the runtime folder (not to the kernel's
# error output, which ipykernel captures into a pipe that dies with it).
KERNEL_SETUP = ("get_ipython().ask_exit = lambda: print('[the grader ignored exit(); the "
                "notebook went on]', file=__import__('sys').stderr); "
                "__import__('faulthandler').enable(open({faults!r}, 'w'), all_threads=True)")


class CellStatus(enum.Enum):
    """What became of one planned cell."""

    OK = "ok"
    ERROR = "error"            # it raised an exception
    TIMEOUT = "timeout"        # it ran past its time limit and was skipped
    CRASHED = "crashed"        # it stopped the kernel and was skipped
    NOT_RUN = "not run"


@dataclass
class StepOutcome:
    status: CellStatus
    text: str = ""          # what the cell printed
    error: str = ""         # "Name: message" of the exception it raised
    error_name: str = ""


class CappedOutputClient(NotebookClient):
    """A notebook client that keeps at most ``output_limit`` characters of output per cell.

    A stream message that crosses the limit keeps its head; what is dropped after it (the
    rest of that message, later messages, any display output past the limit) is counted in
    one note on the cell's error stream, so one enormous line or display output cannot grow
    this process past the limit's worth of kept output per cell. Error messages are always
    kept: the cell's status is read from them.
    """

    output_limit = OUTPUT_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_used: dict[int, int] = {}
        self.dropped_notes: dict[int, tuple[dict, int]] = {}  # cell -> (note output, dropped)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        is_stream = msg["msg_type"] == "stream"
        # A stream's size is its text's (measured without copying it); others as JSON.
        size = (len(content.get("text", "")) if is_stream
                else len(json.dumps(content, default=str)))
        used = self.output_used.get(cell_index, 0)
        room = max(0, self.output_limit - used)
        if size <= room or msg["msg_type"] == "error":
            self.output_used[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        self.output_used[cell_index] = used + room
        kept = None
        if is_stream and room:
            head = {**msg, "content": {**content, "text": content["text"][:room]}}
            kept = super().output(outs, head, display_id, cell_index)
        self._count_dropped(outs, cell_index, size - (room if is_stream else 0))
        return kept

    def _count_dropped(self, outs, cell_index: int, characters: int) -> None:
        """Add ``characters`` to the cell's note of dropped output (made on the first drop)."""
        note, dropped = self.dropped_notes.get(cell_index, (None, 0))
        if note is None:
            note = nbformat.v4.new_output("stream", name="stderr", text="")
            outs.append(note)
        dropped += characters
        note["text"] = (f"\n[the grader dropped {dropped:,} characters of this cell's output "
                        f"after the first {self.output_limit:,}]\n")
        self.dropped_notes[cell_index] = (note, dropped)


def _outcome(cell) -> StepOutcome:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"
                   and o.get("name") == "stdout")
    for output in cell.outputs:
        if output.output_type == "error":
            return StepOutcome(CellStatus.ERROR, text, f"{output.ename}: {output.evalue}",
                               output.ename)
    return StepOutcome(CellStatus.OK, text)


@dataclass
class RunRecord:
    """What one run of a submission's cells left: each step's outcome, the observations."""

    outcomes: list[StepOutcome]
    observations: list[dict] = field(default_factory=list)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command runs inside a :class:`Sandbox`."""

    def configure(self, sandbox: Sandbox, env: dict[str, str]) -> None:
        self.sandbox, self.sandbox_env = sandbox, env

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        return self.sandbox.command(super().format_kernel_cmd(extra_arguments),
                                    self.sandbox_env)


def read_observations(path: Path, limit: int = OBSERVATION_LIMIT) -> list[dict]:
    """The JSON objects of ``path``, one a line, from its first ``limit`` bytes; a missing
    file (or one that is not a regular file) is none, and malformed lines (or one cut by the
    limit) are dropped."""
    data = _read_regular_file(path, limit + 1)
    lines = data.split(b"\n")
    if len(data) > limit:
        lines = lines[:-1]
    observations = []
    for line in lines:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):  # a line of 100,000 "[" is malformed too
            continue
        if isinstance(value, dict):
            observations.append(value)
    return observations


def _read_regular_file(path: Path, size: int, from_end: bool = False) -> bytes:
    """At most ``size`` bytes of ``path`` (its last ones when ``from_end``), b"" unless it is
    a regular file. The kernel can write its runtime folder: a link, a FIFO or a device put
    there must not make this process read elsewhere, wait or fill its memory."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return b""
        if from_end:
            stream.seek(max(0, status.st_size - size))
        return stream.read(size)


def log_tail(path: Path, kept: int = 4096) -> list[str]:
    """The lines of the last ``kept`` bytes of a log file ([] when it is empty, missing or
    not a regular file), blank ends stripped."""
    return _read_regular_file(path, kept, from_end=True).decode("utf-8", "replace") \
        .strip().splitlines()


def crashing_cell(faults: Path, sources: list[str]) -> int | None:
    """The cell whose code the crashing thread was running, from ``faulthandler``'s report
    at the end of ``faults`` (the innermost frame of cell code), or None."""
    text = _read_regular_file(faults, FAULTS_KEPT, from_end=True).decode("utf-8", "replace")
    report = text.rpartition("Current thread ")
    if not report[1]:
        return None
    cells = {Path(get_file_name(source)).name: index for index, source in enumerate(sources)}
    stack = report[2].split("\n\n")[0]  # the other threads' stacks follow a blank line
    for name in re.findall(r'^\s+File "([^"]*)", line', stack, flags=re.MULTILINE):
        if Path(name).name in cells:
            return cells[Path(name).name]
    return None


def _kernel_manager(sandbox: Sandbox, env: dict[str, str]) -> SandboxedKernelManager:
    manager = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                     ip=str(sandbox.runtime / "ipc"),
                                     connection_file=str(sandbox.runtime / "kernel.json"))
    manager.configure(sandbox, env)
    return manager


def run_steps(steps: list[Step], workdir: Path, cell_timeout: float, notebook_timeout: float,
              environment: dict[str, str] | None = None, sandbox: bool = True) -> RunRecord:
    """Run the steps in a fresh kernel; restart without any step that hangs or crashes.

    environment: the grader's ``BOOK_*`` variables for the kernel (the guard's
    configuration); ``BOOK_OBSERVATIONS`` is added. sandbox: False runs the kernel without
    the sandbox (the instructor's ``--no-sandbox``), still with the environment allow-list.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    # CPU time past the wall-clock limit (with room for a few busy threads) ends the kernel.
    limits = replace(Limits(), cpu_seconds=int(notebook_timeout * CPU_PER_WALL_SECOND) + 60)
    with Sandbox(workdir, limits, confine=sandbox) as box:
        env = allowed_environment(workdir, {**(environment or {}),
                                    OBSERVATIONS_VARIABLE: str(box.observations)})
        outcomes = _run(steps, box, env, cell_timeout, notebook_timeout)
        return RunRecord(outcomes, read_observations(box.observations))


def _run(steps: list[Step], box: Sandbox, env: dict[str, str], cell_timeout: float,
         notebook_timeout: float) -> list[StepOutcome]:
    deadline = time.monotonic() + notebook_timeout
    outcomes = [StepOutcome(CellStatus.NOT_RUN) for _ in steps]
    skipped: set[int] = set()
    failed_starts = 0
    kernel_log, faults = box.runtime / "kernel.log", box.runtime / "faults.log"
    setup = KERNEL_SETUP.format(faults=str(faults))
    while True:
        # Each kernel run starts from nothing: the cells it replays observe again.
        box.observations.unlink(missing_ok=True)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s.source)
                                                   for s in steps])
        client = CappedOutputClient(notebook, km=_kernel_manager(box, env),
                                    timeout=int(cell_timeout), allow_errors=True,
                                    interrupt_on_timeout=False, record_timing=False,
                                    shutdown_kernel="immediate", startup_timeout=120,
                                    extra_arguments=[f"--IPKernelApp.exec_lines={setup}",
                                                     "--IPKernelApp.capture_fd_output=False"],
                                    resources={"metadata": {"path": str(box.workdir)}})
        failed_at = None
        started = False
        try:
            with open(kernel_log, "wb") as log, \
                    client.setup_kernel(cleanup_kc=True, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=log):
                started = True
                for index, cell in enumerate(notebook.cells):
                    if index in skipped:
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining < 1:
                        return outcomes
                    if steps[index].kind == "hidden" and \
                            outcomes[index - 1].status is not CellStatus.OK:
                        outcomes[index] = StepOutcome(CellStatus.NOT_RUN)
                        continue
                    client.timeout = max(1, int(min(cell_timeout, remaining)))
                    memory_kills = box.memory_kills()
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        outcomes[index] = StepOutcome(CellStatus.TIMEOUT, error=(
                            f"still running after {client.timeout} s"))
                        failed_at = index
                        break
                    except DeadKernelError:
                        for_memory = box.memory_kills() > memory_kills
                        failed_at = index if for_memory else _blame(index, faults, steps,
                                                                    skipped)
                        outcomes[failed_at] = StepOutcome(CellStatus.CRASHED, error=(
                            MEMORY_NOTE.format(gib=box.limits.memory / GIB) if for_memory
                            else "it exited or crashed"))
                        break
                    outcomes[index] = _outcome(cell)
        except DeadKernelError:
            pass
        except RuntimeError as error:
            # A kernel can die while it starts, before any student code runs. That says
            # nothing about the submission, so start another one.
            failed_starts += 1
            if started:
                raise
            if failed_starts >= KERNEL_STARTS:
                # No student code ran yet: the kernel's own last words say why (bwrap's).
                raise RuntimeError(f"{error} {_last_words(kernel_log)}".strip()) from error
            continue
        if failed_at is None:
            return outcomes
        skipped.add(failed_at)
        for index in range(failed_at + 1, len(steps)):
            if index not in skipped:
                outcomes[index] = StepOutcome(CellStatus.NOT_RUN)


def _last_words(kernel_log: Path) -> str:
    """The last two lines of a kernel's error log, in parentheses ("" when there are none)."""
    lines = log_tail(kernel_log)
    return f"({'; '.join(lines[-2:])})" if lines else ""


def _blame(running: int, faults: Path, steps: list[Step], skipped: set[int]) -> int:
    """The cell a crash during cell ``running`` is blamed on (see the module's docstring)."""
    culprit = crashing_cell(faults, [step.source for step in steps])
    if culprit is None or culprit > running or culprit in skipped:
        return running
    return culprit
