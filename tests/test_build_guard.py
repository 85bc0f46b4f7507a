"""The site build never publishes a result its text contradicts.

The comparisons (book.authoring.pinned_outputs) are tested on small notebooks, one failure at a
time; then a tiny book is built with the book's Sphinx extension, once right and once
with a wrong pinned output and wrong prose numbers, taken from the cache.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from book.authoring.execution import execute
from book.authoring.pinned_outputs import (
    CHECK_TAG,
    GLUE_PREFIX,
    MARKER,
    contradictions,
    glued_values,
    marker_problems,
    output_mismatches,
    pin,
)
from tests.built_notebooks import CHAPTERS, built

ROOT = Path(__file__).resolve().parents[1]


def stream(text, name="stdout"):
    return new_output("stream", name=name, text=text)


def glue_output(name, text):
    return new_output("display_data", data={GLUE_PREFIX + "text/plain": text},
                      metadata={"scrapbook": {"name": name,
                                              "mime_prefix": GLUE_PREFIX}})


def notebook_with(outputs, checked=True):
    tags = [CHECK_TAG] if checked else []
    return new_notebook(cells=[new_markdown_cell("# Sums"),
                               new_code_cell("print(30 * 220)", metadata={"tags": tags},
                                             outputs=outputs)])


# Pinned outputs ----------------------------------------------------------------------

def test_same_output_passes_however_the_kernel_split_it():
    pinned = notebook_with([stream("6600\n7\n")])
    executed = notebook_with([stream("6600\n"), stream("7\n"),
                              glue_output("total", "6,600")])
    assert output_mismatches(pinned, executed) == []


@pytest.mark.parametrize("printed", [
    [stream("6601\n7\n")],  # one digit
    [stream("6600\n7\n"), stream("a warning\n", "stderr")],  # something more
    [stream("6600\n")],  # something less
    [],
    [new_output("execute_result", data={"text/plain": "6600\n7\n"},
                execution_count=1)],  # the same text, but a value instead of a print
])
def test_different_output_names_the_cell(printed):
    pinned = notebook_with([stream("6600\n7\n")])
    problems = output_mismatches(pinned, notebook_with(printed))
    assert len(problems) == 1
    assert problems[0].startswith(
        "cell 2 ('print(30 * 220)') is pinned to print '6600\\n7\\n' but printed")


def test_cells_without_the_tag_are_not_compared():
    assert output_mismatches(notebook_with([], checked=False),
                             notebook_with([stream("anything\n")], checked=False)) == []


# Prose numbers -----------------------------------------------------------------------

def prose(*markdown):
    return new_notebook(cells=[new_markdown_cell(text) for text in markdown])


def test_prose_that_quotes_every_glued_value_passes():
    notebook = prose("The sum is 6,600<!-- glue:total -->.",
                     "Again: 6,600<!-- glue:total -->, of 5<!-- glue:count --> terms.")
    assert marker_problems(notebook, {"total": "6,600", "count": "5"}) == []


@pytest.mark.parametrize("markdown, glued, problem", [
    ("The sum is 8,100<!-- glue:total -->.", {"total": "6,600"},
     "markdown cell 1, <!-- glue:total -->: the prose says 'The sum is 8,100' but the "
     "code glued '6,600'"),
    ("The sum is 16,600<!-- glue:total -->.", {"total": "6,600"}, "the prose says"),
    ("The sum is 6,600 <!-- glue:total -->.", {"total": "6,600"}, "the prose says"),
    ("The sum is 6,600<!-- glue:totl -->.", {"totl_": "6,600"},
     "<!-- glue:totl -->: no value was glued under that name"),
    ("The sum is 6,600.", {"total": "6,600"},
     "glue:total ('6,600') is glued but never quoted"),
])
def test_each_disagreement_is_named(markdown, glued, problem):
    problems = marker_problems(prose(markdown), glued)
    assert any(problem in line for line in problems), problems


def test_glued_values_are_read_from_the_outputs():
    executed = notebook_with([stream("6600\n"), glue_output("total", "6,600")])
    assert glued_values(executed) == {"total": "6,600"}


# The book's own notebooks ---------------------------------------------------------

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.site
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_built_chapters_agree_with_their_prose_and_pins(path):
    """The chapters as the site build executed them (``make html``, cached)."""
    executed = built(path)
    notebook = nbformat.read(path, as_version=4)
    problems = contradictions(notebook, executed)
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_prose_numbers_agree_with_the_code(path):
    """Solutions are not executed by the site build: run them as the build would."""
    notebook = nbformat.read(path, as_version=4)
    if not any(MARKER.search(cell.source) for cell in notebook.cells):
        pytest.skip("no number in the prose is glued to the code")
    notebook = execute(notebook, path.parent, static_figures=True)
    problems = marker_problems(notebook, glued_values(notebook))
    assert not problems, f"{path.name}: " + "; ".join(problems)


# A tiny book, built ------------------------------------------------------------------

def build(book: Path):
    return subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build",
                           str(book), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory):
    book = tmp_path_factory.mktemp("book")
    (book / "_config.yml").write_text(
        "title: Tiny\nexecute:\n  execute_notebooks: cache\n"
        "sphinx:\n  extra_extensions: [book.authoring.sphinx]\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# Tiny\n\nThe sum is 6,600<!-- glue:total --> in all."),
        new_code_cell("from book.glue import glue\n\ntotal = 30 * 220\n"
                      "print(f'total: {total:,}')\nglue('total', f'{total:,}')",
                      metadata={"tags": [CHECK_TAG]})],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}}), book / "page.ipynb")
    pin(book / "page.ipynb")
    return book


def test_a_book_that_agrees_with_itself_builds_and_shows_no_glue(tiny_book):
    result = build(tiny_book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (tiny_book / "_build" / "html" / "page.html").read_text()
    assert "The sum is 6,600<!-- glue:total --> in all." in page
    assert "papermill" not in page and "scrapbook" not in page


def test_a_contradicting_book_fails_even_from_the_cache(tiny_book):
    path = tiny_book / "page.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source = notebook.cells[0].source.replace(
        "6,600<!-- glue:total -->", "8,100<!-- glue:total -->, 5<!-- glue:count -->")
    notebook.cells[1].outputs[0].text = "total: 8,100\n"  # same code: from the cache
    nbformat.write(notebook, path)
    result = build(tiny_book)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Using cached notebook" in log
    for problem in ["page.ipynb: WARNING: cell 2 ('from book.glue import glue') is "
                    "pinned to print 'total: 8,100\\n' but printed 'total: 6,600\\n'",
                    "page.ipynb: WARNING: markdown cell 1, <!-- glue:total -->: the "
                    "prose says 'The sum is 8,100' but the code glued '6,600'",
                    "<!-- glue:count -->: no value was glued under that name"]:
        assert problem in log, log[-4000:]
