"""Collecting the submissions: whose each file is, and reading it as a notebook.

Where submissions go (the student id comes from the file or folder name)::

    submissions/alice.ipynb                                   student "alice"
    submissions/bob/04_padding_and_stride.ipynb               student "bob"
    submissions/carol/04_padding_and_stride/anything.ipynb    student "carol" (nbgrader layout)

A student folder holding no notebook is a submission with no path (graded as ``missing``);
any other file at the top level (``dave.pdf``) is student "dave"'s submission (graded as
``invalid`` when it is not a notebook). Two entries giving one student id (``ann.ipynb`` and
``ann.pdf``) are refused before any grading starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

MAX_SUBMISSION_BYTES = 50_000_000


@dataclass
class Submission:
    student: str
    path: Path | None       # None: the student's folder holds no notebook


def student_id(name: str) -> str:
    """A file or folder name made safe to use as a file name for the student's reports."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", name).strip(".") or "_"


def find_submissions(folder: Path, assignment: str) -> list[Submission]:
    """Every student's submission in ``folder``, sorted by student id (see module docs)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in p.parts)
            named = [p for p in notebooks if p.stem == assignment]
            chosen = named[0] if named else notebooks[0] if len(notebooks) == 1 else None
            found.append(Submission(student_id(entry.name), chosen))
        else:
            found.append(Submission(student_id(entry.stem), entry))
    students = [s.student for s in found]
    duplicates = sorted({s for s in students if students.count(s) > 1})
    if duplicates:
        raise ValueError(f"two submissions give the same student id: {', '.join(duplicates)}")
    return found


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The submitted notebook; ValueError when it is not one (or is far too big)."""
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        raise ValueError(f"the file is {size:,} bytes, more than the "
                         f"{MAX_SUBMISSION_BYTES:,} a notebook may have")
    try:
        notebook = nbformat.reads(path.read_bytes().decode("utf-8"), as_version=4)
    except Exception as error:  # any way of not being a notebook: report, never crash
        raise ValueError(f"the file is not a Jupyter notebook ({type(error).__name__}: "
                         f"{str(error)[:200]})") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(
            isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
            and isinstance(c.get("source"), str) for c in cells):
        raise ValueError("the file is JSON but its cells are not notebook cells")
    return notebook
