"""book.glue: silent in a reader's kernel, recorded for the site build."""

import nbformat
import pytest

from book.authoring.execution import execute
from book.authoring.pinned_outputs import glued_values
from book.glue import RECORD_ENV_VAR, glue


def run_in_kernel(source, tmp_path, static_figures=False):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return execute(notebook, tmp_path, static_figures=static_figures, timeout=60)


GLUE_CELL = ("import sys\n"
             "from book.glue import glue\n"
             "glue('curve_response', f'{30 * 220:,}')\n"
             "print('myst_nb imported:', 'myst_nb' in sys.modules)")


def test_live_kernel_shows_nothing_and_needs_no_myst_nb(monkeypatch, tmp_path):
    monkeypatch.delenv(RECORD_ENV_VAR, raising=False)
    outputs = run_in_kernel(GLUE_CELL, tmp_path).cells[0].outputs
    # Colab has no myst_nb: the reader's kernel must not import it.
    assert [output.get("text") for output in outputs] == ["myst_nb imported: False\n"]


@pytest.mark.parametrize("run", ["site build", "cpu paths"])
def test_build_and_cpu_paths_record_the_text_without_showing_it(run, monkeypatch, tmp_path):
    if run == "cpu paths":  # a live kernel, told to record (the Makefile's cpu-paths)
        monkeypatch.setenv(RECORD_ENV_VAR, "1")
    else:
        monkeypatch.delenv(RECORD_ENV_VAR, raising=False)
    notebook = run_in_kernel(GLUE_CELL, tmp_path, static_figures=run == "site build")
    assert glued_values(notebook) == {"curve_response": "6,600"}  # no quotes around it
    visible = [output for output in notebook.cells[0].outputs
               if not any(key.startswith("application/papermill.record/")
                          for key in output.get("data", {}))]
    assert [output.get("text") for output in visible] == ["myst_nb imported: True\n"]


@pytest.mark.parametrize("name, text, error, message", [
    ("curve response", "6,600", ValueError, "letters, digits and underscores"),
    ("1st", "6,600", ValueError, "starting with a letter"),
    ("curve_response", 6600, TypeError, "got the int 6600"),
])
def test_bad_arguments_get_a_clear_message(name, text, error, message):
    with pytest.raises(error, match=message):
        glue(name, text)
