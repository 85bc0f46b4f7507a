"""Run a notebook in a fresh kernel, as a reader's kernel or as the site build's.

The one place where the tools and the tests execute a notebook: pinning outputs
(``book.authoring.pinned_outputs.pin``), the run on other CPU code paths
(``tests/cpu_paths.py``), the solutions' prose numbers (``tests/test_build_guard.py``),
the students' stubs (``tests/test_exercises.py``) and ``book.glue`` in a kernel. The
interactive figures draw a live widget or the website's kernel-free player depending on
``book.build_mode.STATIC_ENV_VAR`` in the kernel's environment, so every caller says
which of the two it runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from nbclient import NotebookClient

from book.build_mode import STATIC_ENV_VAR


def execute(notebook, folder: Path, *, static_figures: bool, timeout: int = 900,
            allow_errors: bool = False):
    """Run every cell of ``notebook`` in a new ``python3`` kernel; return the notebook.

    notebook: an nbformat node; its outputs and execution counts are replaced in place.
    folder: the kernel's working folder (the notebook's own, for its relative paths).
    static_figures: True runs it as the site build does (the kernel-free player), False
        as a reader's kernel does (live widgets), whatever this process's environment says.
        The kernel inherits the rest of this process's environment.
    timeout: seconds one cell may run.
    allow_errors: keep going after a cell raises (its error is kept as an output);
        otherwise the first error raises ``nbclient.exceptions.CellExecutionError``.
    """
    environment = dict(os.environ)
    if static_figures:
        environment[STATIC_ENV_VAR] = "1"
    else:
        environment.pop(STATIC_ENV_VAR, None)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            allow_errors=allow_errors,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=environment)
    return notebook
