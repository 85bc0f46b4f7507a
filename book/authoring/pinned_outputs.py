"""Pin the outputs that nbval checks, and compare executed notebooks with their source.

nbval compares a cell's fresh output with the output stored in the notebook, and only
for cells tagged ``nbval-check-output`` (we run it with ``--nbval-lax``); a tag rather
than a comment keeps the test machinery out of the code a reader sees. The notebooks
are kept free of outputs, so those cells need their expected output stored: ``python -m
book pin-outputs`` executes each notebook and keeps the outputs of the checked cells
only, every other output stays cleared. Review the pinned text in the diff: it is what
the book claims, and a test fails if a checked cell has nothing pinned.

The site build (``book.authoring.sphinx``), ``make cpu-paths`` and the tests compare an
executed notebook with its source through ``contradictions``: ``output_mismatches`` (the
comparison nbval makes) and ``marker_problems`` (the prose numbers of ``book.glue``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from book.authoring.execution import execute

CHECK_TAG = "nbval-check-output"
# Output fields nbval leaves out of the comparison: bookkeeping, pictures (compared by
# eye, not by bytes) and widget model ids (random).
IGNORED_FIELDS = {"metadata", "traceback", "prompt_number", "output_type", "name",
                  "execution_count", "image/png", "image/jpeg",
                  "application/vnd.jupyter.widget-view+json"}
GLUE_PREFIX = "application/papermill.record/"  # myst-nb's glue with display=False
MARKER = re.compile(r"<!--\s*glue:(\w+)\s*-->")
REWRITTEN_LINE = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)  # a progress bar's redraws


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def pin(path: Path, timeout: int = 900) -> int:
    """Execute ``path``, keep only its checked cells' outputs; return how many."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    # Pin what a reader's live kernel prints, not the website's static figure mode.
    executed = execute(nbformat.read(path, as_version=4), path.parent, static_figures=False,
                       timeout=timeout)
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


def compared_fields(outputs) -> dict[str, list]:
    """What nbval compares of a cell's outputs: the values of each field, in order.

    A stream's text is compared under its name ("stdout", "stderr"), joined across the
    pieces the kernel flushed; every other output by its MIME types ("text/plain", ...),
    so outputs of different kinds may interleave freely. Values recorded by glue are not
    outputs a reader sees and are left out.
    """
    fields: dict[str, list] = {}
    streams: dict[str, str] = {}
    for output in outputs:
        if output.get("metadata", {}).get("scrapbook"):
            continue
        if output["output_type"] == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
            continue
        for key, value in output.items():
            for field, text in value.items() if key == "data" else [(key, value)]:
                if field not in IGNORED_FIELDS:
                    fields.setdefault(field, []).append(text)
    for name, text in streams.items():
        fields[name] = [REWRITTEN_LINE.sub("", text)]
    return fields


def output_mismatches(source, executed) -> list[str]:
    """Checked cells of ``source`` whose output in ``executed`` is not the pinned one.

    source, executed: the same notebook (nbformat nodes), as stored and as executed.
    Returns one line per mismatch, naming the cell by number (from 1) and first line.
    """
    if len(source.cells) != len(executed.cells):
        return [f"the executed notebook has {len(executed.cells)} cells, the source "
                f"{len(source.cells)}: build again"]
    problems = []
    for number, (cell, ran) in enumerate(zip(source.cells, executed.cells), start=1):
        if not is_checked(cell):
            continue
        pinned, printed = compared_fields(cell.outputs), compared_fields(ran.outputs)
        if pinned != printed:
            first_line = next((line for line in cell.source.splitlines() if line), "")
            problems.append(f"cell {number} ({first_line[:50]!r}) is pinned to print "
                            f"{_text(pinned)} but printed {_text(printed)}")
    return problems


def contradictions(source, executed) -> list[str]:
    """Everything in which ``executed`` contradicts ``source``: checked outputs that are
    not the pinned ones, and prose numbers that are not the glued values."""
    return (output_mismatches(source, executed)
            + marker_problems(source, glued_values(executed)))


def _text(fields: dict[str, list]) -> str:
    texts = [str(text) for values in fields.values() for text in values]
    return repr("".join(texts)) if texts else "nothing"


def glued_values(notebook) -> dict[str, str]:
    """name -> text recorded by ``book.glue.glue`` in an executed notebook's outputs."""
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
    """Prose numbers that are not the glued values, and glued values never quoted.

    notebook: nbformat node whose markdown cells write ``6,600<!-- glue:name -->``;
    glued: name -> text, as recorded by ``glue(name, text)`` when the notebook ran.
    Returns one line per problem, naming the markdown cell (from 1) and the marker.
    """
    problems, quoted = [], set()
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "markdown":
            continue
        for marker in MARKER.finditer(cell.source):
            name = marker.group(1)
            quoted.add(name)
            before = cell.source[:marker.start()]
            where = f"markdown cell {number}, <!-- glue:{name} -->"
            if name not in glued:
                problems.append(f"{where}: no value was glued under that name")
            elif not ends_with_text(before, glued[name]):
                said = MARKER.split(before)[-1].splitlines()[-1:] or [""]
                problems.append(f"{where}: the prose says {said[0][-40:]!r} but the "
                                f"code glued {glued[name]!r}")
    for name in sorted(set(glued) - quoted):
        problems.append(f"glue:{name} ({glued[name]!r}) is glued but never quoted")
    return problems


def ends_with_text(before: str, text: str) -> bool:
    """True when ``before`` ends with the whole of ``text``: 16,600 is not 6,600."""
    if not text or not before.endswith(text):
        return False
    preceding = before[:-len(text)][-1:]
    return not (preceding.isalnum() or preceding in ".,-_")
