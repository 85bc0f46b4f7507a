"""A self-check in a live notebook: JupyterLab 4 runs a chapter's self-check cell and a
reader answers with the mouse and with the keys the notebook also uses for its own
shortcuts (Enter, Space, arrow keys), which must reach the question, not the notebook.

Slow (a Jupyter server and a kernel): select or skip with `-m live` / `-m "not live"`.
"""

import nbformat
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from book.live.kinds import Choice, Number
from book.live.questions import QUESTIONS
from tests.browser import jupyter_server
from tests.test_live_widgets import ALL_CELLS_RUN, KERNEL_STARTED, TOKEN, wait_until
from tests.test_selfcheck import CHAPTER_FILES, self_check_cells

pytestmark = [pytest.mark.live, pytest.mark.slow]
CHAPTER = 5  # numbers and choices, a tolerance among them


def test_jupyterlab_runs_the_cell_and_the_questions_answer(browser, tmp_path):
    path = CHAPTER_FILES[CHAPTER]
    cell = nbformat.read(path, as_version=4).cells[self_check_cells(path)[0]]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source)])
    notebook.metadata = nbformat.read(path, as_version=4).metadata  # its kernel: no dialog
    (tmp_path / "notes").mkdir()
    nbformat.write(notebook, tmp_path / "notes" / "selfcheck.ipynb")
    with jupyter_server("lab", tmp_path / "notes", tmp_path / "state") as (url, log):
        browser.get_log("browser")
        browser.get(f"{url}/lab/tree/selfcheck.ipynb?reset&token={TOKEN}")
        wait_until(browser, KERNEL_STARTED, 120, "the notebook did not open with a kernel")
        browser.execute_script('jupyterapp.commands.execute("notebook:run-all-cells")')
        wait_until(browser, ALL_CELLS_RUN, 120, "the self-check cell did not run")
        wait_until(browser, "return !!document.querySelector('.book-selfcheck[data-ready]')",
                   30, "the block's script did not run in JupyterLab")
        questions = QUESTIONS[CHAPTER]()
        forms = browser.find_elements("css selector", "form.book-selfcheck-question")
        assert len(forms) == len(questions)
        number = next(i for i, q in enumerate(questions) if isinstance(q, Number))
        choice = next(i for i, q in enumerate(questions) if isinstance(q, Choice))
        answer_number_by_keys(browser, forms[number], questions[number])
        answer_choice_by_keys(browser, forms[choice], questions[choice])
        label = forms[choice].find_elements("css selector", "label")[0]
        ActionChains(browser).move_to_element(label).click().perform()
        assert forms[choice].find_elements("css selector", "input")[0].is_selected()
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    assert "Traceback" not in log.read_text()


def feedback(form) -> str:
    return form.find_element("css selector", ".book-selfcheck-feedback").text


def answer_number_by_keys(browser, form, question):
    box = form.find_element("css selector", "input[type=text]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    ActionChains(browser).move_to_element(box).click().perform()
    ActionChains(browser).send_keys("1e9", Keys.ENTER).perform()
    assert feedback(form).startswith("\u2717 Not quite")
    box.clear()
    box.send_keys(repr(question.answer), Keys.ENTER)
    assert feedback(form).startswith("\u2713 Right.") and question.explanation in feedback(form)


def answer_choice_by_keys(browser, form, question):
    radios = form.find_elements("css selector", "input[type=radio]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                           "arguments[0].focus()", radios[0])
    right = question.options.index(question.correct)
    keys = [Keys.SPACE] + [Keys.ARROW_DOWN] * right + [Keys.TAB, Keys.ENTER]
    ActionChains(browser).send_keys(*keys).perform()
    assert radios[right].is_selected(), "the arrow keys did not move the choice"
    assert feedback(form).startswith("\u2713 Right.")
