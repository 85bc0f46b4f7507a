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
import re
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


# The build guard (book.sphinx) and the tests compare an executed notebook with its source
# through the functions below: what nbval compares, and the prose-number markers of book.glue.

# Output fields nbval leaves out of the comparison: bookkeeping, pictures (compared by eye,
# not by bytes) and widget model ids (random).
IGNORED_FIELDS = {"metadata", "traceback", "prompt_number", "output_type", "name",
                  "execution_count", "image/png", "image/jpeg",
                  "application/vnd.jupyter.widget-view+json"}
MARKER = re.compile(r"<!--\s*glue:(\w+)\s*-->")
GLUE_PREFIX = "application/papermill.record/"


def _merged_streams(outputs) -> list[dict]:
    """Outputs with each stream's pieces joined (they split where the kernel flushed)."""
    merged, streams = [], {}
    for output in outputs:
        if output.get("metadata", {}).get("scrapbook"):
            continue  # a value recorded by glue, not something the reader sees
        if output["output_type"] == "stream":
            if output["name"] in streams:
                streams[output["name"]]["text"] += output["text"]
                continue
            output = streams[output["name"]] = {"output_type": "stream",
                                                "name": output["name"],
                                                "text": output["text"]}
        merged.append(output)
    for stream in streams.values():
        stream["text"] = _CARRIAGE_RETURN.sub("", stream["text"])
    return merged


_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)  # a progress bar's rewrites


def compared_fields(outputs) -> dict[str, list]:
    """What nbval compares of a cell's outputs: the values of each field, in order.

    A stream's text is compared under its name ("stdout", "stderr"), every other output by
    its MIME types ("text/plain", ...), so outputs of different kinds may interleave freely.
    """
    fields: dict[str, list] = {}
    for output in _merged_streams(outputs):
        if output["output_type"] == "stream":
            fields.setdefault(output["name"], []).append(output["text"])
            continue
        for key, value in output.items():
            values = value.items() if key == "data" else [(key, value)]
            for field, text in values:
                if field not in IGNORED_FIELDS:
                    fields.setdefault(field, []).append(text)
    return fields


def _cell_name(number: int, cell) -> str:
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {number} ({first_line[:60]!r})"


def output_mismatches(source, executed) -> list[str]:
    """Checked cells of ``source`` whose output in ``executed`` differs from the pinned one.

    source, executed: the same notebook (nbformat nodes), as stored and as executed.
    Returns one line per mismatch, naming the cell by number (from 1) and first line.
    """
    if len(source.cells) != len(executed.cells):
        return [f"the executed notebook has {len(executed.cells)} cells, the source "
                f"{len(source.cells)}: rebuild it"]
    problems = []
    for number, (cell, ran) in enumerate(zip(source.cells, executed.cells), start=1):
        if not is_checked(cell):
            continue
        pinned, printed = compared_fields(cell.outputs), compared_fields(ran.outputs)
        if pinned != printed:
            problems.append(f"{_cell_name(number, cell)} is pinned to print "
                            f"{_shown(pinned)} but printed {_shown(printed)}")
    return problems


def _shown(fields: dict[str, list]) -> str:
    return repr("".join(str(text) for values in fields.values() for text in values)) \
        if fields else "nothing"


def glued_values(notebook) -> dict[str, str]:
    """The texts recorded by ``book.glue.glue`` in an executed notebook's outputs."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                data = output["data"]
                values[record["name"]] = data.get(GLUE_PREFIX + "text/plain",
                                                  data.get("text/plain"))
    return values


def marker_problems(notebook, glued: dict[str, str]) -> list[str]:
    """Prose numbers that disagree with the glued values, and values glued but never quoted.

    notebook: nbformat node whose markdown cells write ``6,600<!-- glue:name -->``;
    glued: name -> text, as recorded by ``glue(name, text)`` when the notebook ran.
    """
    problems, quoted = [], set()
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "markdown":
            continue
        for marker in MARKER.finditer(cell.source):
            name = marker.group(1)
            quoted.add(name)
            before = cell.source[:marker.start()]
            where = f"markdown cell {number}, marker glue:{name}"
            if name not in glued:
                problems.append(f"{where}: no value glued under that name")
            elif not _ends_with_text(before, glued[name]):
                problems.append(f"{where}: the prose says {before[-30:]!r} but the code "
                                f"glued {glued[name]!r}")
    for name in sorted(set(glued) - quoted):
        problems.append(f"glue:{name} ({glued[name]!r}) is glued but no marker quotes it")
    return problems


def _ends_with_text(before: str, text: str) -> bool:
    """True when ``before`` ends with ``text`` as a whole: 16,600 does not end with 6,600."""
    if not text or not before.endswith(text):
        return False
    preceding = before[:-len(text)][-1:]
    return not (preceding.isalnum() or preceding in ".,-_")
