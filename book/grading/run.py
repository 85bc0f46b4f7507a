"""Running the planned cells of one submission in a fresh Jupyter kernel.

Each cell runs with a time limit, and the submission with one in all. A cell that runs past
its limit, or stops the kernel, is skipped: the kernel is restarted, the cells replayed
without it, and only what came after it is run again. At most ``OUTPUT_LIMIT`` characters of
each cell's output are kept.
"""

from __future__ import annotations

import enum
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from book.grading.plan import Step

OUTPUT_LIMIT = 100_000     # characters of output kept per cell; the rest is dropped
KERNEL_STARTS = 3          # attempts to start a kernel before the grader gives up


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
    """A notebook client that keeps at most OUTPUT_LIMIT characters of output per cell."""

    output_limit = OUTPUT_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_used: dict[int, int] = {}

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self.output_used.get(cell_index, 0)
        self.output_used[cell_index] = used + size
        if used + size > self.output_limit and msg["msg_type"] != "error":
            if used <= self.output_limit:
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"[the grader dropped this cell's output after "
                         f"{self.output_limit:,} characters]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def kernel_environment(extra: dict[str, str]) -> dict[str, str]:
    """The grader's environment, made reproducible (one thread, fixed hash seed) plus ``extra``."""
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    env.pop("JPY_PARENT_PID", None)
    env.update(extra)
    return env


def _outcome(cell) -> StepOutcome:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"
                   and o.get("name") == "stdout")
    for output in cell.outputs:
        if output.output_type == "error":
            return StepOutcome(CellStatus.ERROR, text, f"{output.ename}: {output.evalue}",
                               output.ename)
    return StepOutcome(CellStatus.OK, text)


def run_steps(steps: list[Step], workdir: Path, cell_timeout: float, notebook_timeout: float,
              environment: dict[str, str] | None = None) -> list[StepOutcome]:
    """Run the steps in a fresh kernel; restart without any step that hangs or crashes.

    environment: variables added to the kernel's environment (the guard's configuration).
    """
    deadline = time.monotonic() + notebook_timeout
    outcomes = [StepOutcome(CellStatus.NOT_RUN) for _ in steps]
    skipped: set[int] = set()
    failed_starts = 0
    while True:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s.source)
                                                   for s in steps])
        client = CappedOutputClient(notebook, timeout=int(cell_timeout), kernel_name="python3",
                                    allow_errors=True, interrupt_on_timeout=False,
                                    record_timing=False, shutdown_kernel="immediate",
                                    startup_timeout=120,
                                    resources={"metadata": {"path": str(workdir)}})
        failed_at = None
        started = False
        try:
            with client.setup_kernel(env=kernel_environment(environment or {})):
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
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        outcomes[index] = StepOutcome(CellStatus.TIMEOUT, error=(
                            f"still running after {client.timeout} s"))
                        failed_at = index
                        break
                    except DeadKernelError:
                        outcomes[index] = StepOutcome(CellStatus.CRASHED, error=(
                            "the Python kernel stopped (the code exited or crashed it)"))
                        failed_at = index
                        break
                    outcomes[index] = _outcome(cell)
        except DeadKernelError:
            pass
        except RuntimeError:
            # A kernel can die while it starts, before any student code runs (for instance
            # when another process took the port it was given). That says nothing about the
            # submission, so start another one.
            failed_starts += 1
            if started or failed_starts >= KERNEL_STARTS:
                raise
            continue
        if failed_at is None:
            return outcomes
        skipped.add(failed_at)
        for index in range(failed_at + 1, len(steps)):
            outcomes[index] = StepOutcome(CellStatus.NOT_RUN)
