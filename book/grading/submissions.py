"""Collecting the submissions: whose each file is, and reading it as a notebook.

Where submissions go (the student id comes from the file or folder name)::

    submissions/alice.ipynb                                   student "alice"
    submissions/bob/04_padding_and_stride.ipynb               student "bob"
    submissions/carol/04_padding_and_stride/anything.ipynb    student "carol" (nbgrader layout)

A student folder holding no notebook is a submission with no path (graded as ``missing``);
any other entry at the top level (``dave.pdf``) is student "dave"'s submission (graded as
``invalid`` when it is not a notebook). When several entries give one name (``ann.ipynb``,
``ann/`` and ``ann.pdf``), the first of them in this order is ann's submission: the file
``ann.ipynb``, the folder ``ann/``, then the other files by name. Each other entry is graded
as a submission of its own, under the id followed by a short hash of its file name
(``ann-3f9c2a1b``): the gradebook shows every entry, and the instructor decides which
counts. Names that only become equal once made safe (``a b`` and ``a_b``), and names longer
than ``ID_LENGTH``, get a short hash of the original name as a suffix too; an entry named
like another's suffixed id (``ann-3f9c2a1b.ipynb``) keeps its name, and the made-up id
yields: it is suffixed again. Every suffix is the same on every run, whatever the order in
which the folder lists its entries.

Reading never follows a symbolic link: a link, a FIFO, a device or a folder where a notebook
should be, and a file over ``MAX_SUBMISSION_BYTES``, is refused with a one-line message.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat

MAX_SUBMISSION_BYTES = 20_000_000
ID_LENGTH = 100             # characters of a student id; longer names are cut and suffixed
SUFFIX_LENGTH = 8           # hex digits of the name's sha256 added to a cut or colliding id


@dataclass
class Submission:
    student: str
    path: Path | None       # None: the student's folder holds no notebook


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:SUFFIX_LENGTH]


def student_id(name: str) -> str:
    """A file or folder name made safe to use as a file name for the student's reports.

    At most ID_LENGTH characters: a longer name is cut and given its hash as a suffix.
    """
    safe = re.sub(r"[^A-Za-z0-9_.@+-]", "_", name).strip(".") or "_"
    if len(safe) > ID_LENGTH:
        safe = f"{safe[:ID_LENGTH - SUFFIX_LENGTH - 1]}-{_name_hash(name)}"
    return safe


def _notebooks_in(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` entry under ``folder`` (files or not), never entering a linked folder."""
    found = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        folders[:] = sorted(f for f in folders if f != ".ipynb_checkpoints")
        found += [Path(parent) / name for name in (*folders, *files) if name.endswith(".ipynb")]
    return sorted(found)


def _entry_submission(entry: Path, assignment: str) -> tuple[str, Submission]:
    """(the raw name the id comes from, the submission) for one top-level entry."""
    if entry.is_dir() and not entry.is_symlink():
        notebooks = _notebooks_in(entry)
        named = [p for p in notebooks if p.stem == assignment]
        chosen = named[0] if named else notebooks[0] if len(notebooks) == 1 else None
        return entry.name, Submission(student_id(entry.name), chosen)
    return entry.stem, Submission(student_id(entry.stem), entry)


def _precedence(entry: Path) -> tuple[int, str]:
    """Which of the entries giving one name is that student's submission: lowest first."""
    if entry.suffix == ".ipynb" and not (entry.is_dir() and not entry.is_symlink()):
        return 0, entry.name
    return (1 if entry.is_dir() and not entry.is_symlink() else 2), entry.name


def _suffixed(student: str, name: str) -> str:
    return f"{student[:ID_LENGTH - SUFFIX_LENGTH - 1]}-{_name_hash(name)}"


def find_submissions(folder: Path, assignment: str) -> list[Submission]:
    """Every student's submission in ``folder``, sorted by student id (see module docs)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist")
    entries = sorted(((entry, *_entry_submission(entry, assignment))
                      for entry in folder.iterdir() if not entry.name.startswith(".")),
                     key=lambda found: _precedence(found[0]))
    first_of_name = {}
    for entry, name, submission in entries:
        if first_of_name.setdefault(name, entry) != entry:
            submission.student = _suffixed(submission.student, entry.name)
    ids = [s.student for entry, name, s in entries if first_of_name[name] == entry]
    for entry, name, submission in entries:
        if ids.count(submission.student) > 1 and first_of_name[name] == entry:
            submission.student = _suffixed(submission.student, name)
    _suffix_the_ids_still_shared(entries)
    return sorted((s for _, _, s in entries), key=lambda s: s.student)


def _suffix_the_ids_still_shared(entries: list[tuple[Path, str, Submission]]) -> None:
    """Give a new suffix to each id that another entry already holds (a file named like a
    suffixed id: ``ann-3f9c2a1b.ipynb``), hashing ``<file name>#1``, ``#2``, ... until free.

    An id that is its entry's own name is kept before one the grader made up; otherwise the
    order is ``_precedence``'s, so the ids never depend on the folder's listing order.
    """
    taken = set()
    for entry, name, submission in sorted(
            entries, key=lambda found: (found[2].student != student_id(found[1]),
                                        _precedence(found[0]))):
        attempt = 0
        while submission.student in taken:
            attempt += 1
            submission.student = _suffixed(student_id(name), f"{entry.name}#{attempt}")
        taken.add(submission.student)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file at ``path``, read without following a link or blocking.

    ValueError, with a one-line message, for anything else and for a file that is too big.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ValueError("the submission is a symbolic link, not a notebook file") from None
        if error.errno == errno.ENXIO:      # a FIFO or socket with no writer
            raise ValueError("the submission is not a regular file") from None
        raise ValueError(f"the submission cannot be read ({error.strerror})") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise ValueError(f"the submission is {_kind(status.st_mode)}, not a notebook file")
    with os.fdopen(descriptor, "rb") as handle:
        if status.st_size > MAX_SUBMISSION_BYTES:
            raise ValueError(f"the file is {status.st_size:,} bytes, more than the "
                             f"{MAX_SUBMISSION_BYTES:,} a notebook may have")
        data = handle.read(MAX_SUBMISSION_BYTES + 1)
    if len(data) > MAX_SUBMISSION_BYTES:   # it grew while being read
        raise ValueError(f"the file is more than the {MAX_SUBMISSION_BYTES:,} bytes a "
                         "notebook may have")
    return data


def submission_sha256(path: Path | None) -> str:
    """The sha256 of a submission's bytes ("" when there is none or it cannot be read)."""
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest() if path is not None else ""
    except ValueError:
        return ""


def _grade_id_text(cell: dict) -> None:
    """Make a cell's nbgrader grade_id a string: a one-string list is that string (as some
    editors save it), and any other non-string id is dropped (the cell counts as added code)."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict) or "grade_id" not in meta or isinstance(meta["grade_id"], str):
        return
    value = meta["grade_id"]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        meta["grade_id"] = value[0]
    else:
        del meta["grade_id"]


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The submitted notebook; ValueError when it is not one (or is far too big)."""
    data = read_bytes(path)
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as error:  # any way of not being a notebook: report, never crash
        raise ValueError(f"the file is not a Jupyter notebook ({type(error).__name__}: "
                         f"{str(error)[:200]})") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(
            isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
            and isinstance(c.get("source"), str) for c in cells):
        raise ValueError("the file is JSON but its cells are not notebook cells")
    for cell in cells:
        _grade_id_text(cell)
    return notebook
