"""Test machinery and the build machine stay off the reader's page.

Checked cells are marked by a cell tag, not an NBVAL comment in the code a reader sees,
and no output the website shows names the processor or a timing of the machine that
built it (those differ from the reader's and say nothing about convolutions).
"""

import re

import nbformat
import pytest

from tests.built_notebooks import CHAPTERS, ROOT, built

NOTEBOOKS = sorted(p for folder in ("chapters", "solutions", "exercises")
                   for p in (ROOT / folder).glob("*.ipynb"))
MACHINE = re.compile(
    r"\b(cpus?|cuda|mps)\b"  # the build's device (AlexNet's two GPUs are content)
    r"|\b\d+(\.\d+)?\s?(ms|µs|us|s|secs?|seconds?|min|minutes?)\b(?!\s?=)"  # a duration
    r"|it/s|\belapsed\b|site-packages",  # a progress bar, a warning's file path
    re.IGNORECASE)


def machine_mentions(text: str) -> list[str]:
    return [text[max(0, m.start() - 30):m.end() + 10] for m in MACHINE.finditer(text)]


def test_the_pattern_finds_what_it_is_for():
    assert machine_mentions("training on cpu\n") and machine_mentions("took 5 s\n")
    assert machine_mentions("0.33 ms per call") and machine_mentions("100%|##| 3.2it/s")
    assert not machine_mentions("n=  5 f= 3 p=0 s=2 d=1: output 2\n")
    assert not machine_mentions("6 filters of 5x5x3 give 4,704 outputs")
    assert not machine_mentions("grouped as on two GPUs: 60,965,224 parameters")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_cell_shows_nbval(path):
    notebook = nbformat.read(path, as_version=4)
    shown = [number for number, cell in enumerate(notebook.cells, start=1)
             if "nbval" in cell.source.lower()]
    assert not shown, (f"{path.name}, cells {shown}: test machinery on the page; tag a "
                       "checked cell nbval-check-output instead")


def output_texts(cell):
    for output in cell.get("outputs", []):
        yield output.get("text", "")
        yield output.get("data", {}).get("text/plain", "")


@pytest.mark.site
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_output_on_the_site_mentions_the_machine(path):
    mentions = [f"cell {number}: {mention!r}"
                for number, cell in enumerate(built(path).cells, start=1)
                for text in output_texts(cell) for mention in machine_mentions(text)]
    assert not mentions, f"{path.name}: " + "; ".join(mentions)
