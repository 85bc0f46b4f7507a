"""book.glue: silent in a reader's kernel, recorded for the site build."""

import nbformat
import pytest
from nbclient import NotebookClient

from book.glue import RECORD_ENV_VAR, glue
from book.build_mode import STATIC_ENV_VAR
from book.authoring.pinned_outputs import glued_values


def run_in_kernel(source):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    return notebook


GLUE_CELL = ("import sys\n"
             "from book.glue import glue\n"
             "glue('curve_response', f'{30 * 220:,}')\n"
             "print('myst_nb imported:', 'myst_nb' in sys.modules)")


def test_live_kernel_shows_nothing_and_needs_no_myst_nb(monkeypatch):
    monkeypatch.delenv(STATIC_ENV_VAR, raising=False)
    monkeypatch.delenv(RECORD_ENV_VAR, raising=False)
    outputs = run_in_kernel(GLUE_CELL).cells[0].outputs
    # Colab has no myst_nb: the reader's kernel must not import it.
    assert [output.get("text") for output in outputs] == ["myst_nb imported: False\n"]


@pytest.mark.parametrize("switch", [STATIC_ENV_VAR, RECORD_ENV_VAR])
def test_build_and_cpu_paths_record_the_text_without_showing_it(switch, monkeypatch):
    monkeypatch.delenv(STATIC_ENV_VAR, raising=False)
    monkeypatch.setenv(switch, "1")
    notebook = run_in_kernel(GLUE_CELL)
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
