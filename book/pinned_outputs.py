"""Pin the outputs that nbval checks.

nbval compares a cell's fresh output with the output stored in the notebook, and only for
cells tagged ``nbval-check-output`` (we run it with ``--nbval-lax``); a tag rather than a
comment keeps the test machinery out of the code a reader sees. The
notebooks are kept free of outputs, so those cells need their expected output stored:
``python -m book pin-outputs`` executes each notebook and keeps the outputs of the checked
cells only, every other output stays cleared. Review the pinned text in the diff: it is what
the book claims, and a test fails if a checked cell has nothing pinned.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_TAG = "nbval-check-output"


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def pin(path: Path, timeout: int = 900) -> int:
    """Execute ``path`` and store only the outputs of its checked cells; return their count."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    executed = nbformat.read(path, as_version=4)
    # Pin what a reader's live kernel prints, not the website's static figure mode.
    environment = os.environ.pop("BOOK_STATIC_FIGURES", None)
    try:
        NotebookClient(executed, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if environment is not None:
            os.environ["BOOK_STATIC_FIGURES"] = environment
    pinned = 0
    for cell, ran in zip(notebook.cells, executed.cells):
        if cell.cell_type != "code":
            continue
        # nbval skips the comparison for a cell that has outputs but no execution count.
        checked = is_checked(cell)
        cell.execution_count = ran.execution_count if checked else None
        cell.outputs = ran.outputs if checked else []
        pinned += checked
    nbformat.write(notebook, path)
    return pinned
