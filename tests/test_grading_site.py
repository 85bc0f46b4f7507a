"""The built website is the student edition: no answers, no hidden checks, no solutions/.

Runs on the site that `make html` built into _build/html, or BOOK_SITE (``make test`` builds
it first).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from book.authoring.exercises import HIDDEN_TESTS, SOLUTION

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def page_text(path: Path) -> str:
    """The page's text as a reader sees it, with markup removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def marked_lines(source: str, markers: tuple[str, str]) -> list[str]:
    """The lines between each pair of markers, stripped."""
    lines, inside = [], False
    for line in source.split("\n"):
        if line.strip() == markers[0]:
            inside = True
        elif line.strip() == markers[1]:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def test_no_page_is_built_from_solutions(site):
    assert not (site / "solutions").exists()
    assert not list(site.rglob("*solutions*.html"))


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_pages_hold_no_answers_or_hidden_checks(site, solution):
    page = site / "exercises" / f"{solution.stem}.html"
    assert page.exists(), f"{page} was not built"
    text = page_text(page)
    assert "raise NotImplementedError()" in text
    student = nbformat.read(ROOT / "exercises" / solution.name, as_version=4)
    shown = "\n".join(cell.source for cell in student.cells)
    for cell in nbformat.read(solution, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        # Lines the student version does not have that give something away: long ones, or
        # a short answer's assignment (`shifted_bar = 2`).
        secret = [line for line in marked_lines(cell.source, SOLUTION)
                  + marked_lines(cell.source, HIDDEN_TESTS)
                  if (len(line) > 30 or re.fullmatch(r"\w+ = \S+", line))
                  and line not in shown]
        assert secret or not cell.metadata.get("nbgrader", {}).get("solution")
        for line in secret:
            assert line not in text, f"{page.name} shows {line!r}"
