"""A failing check shows one line in a notebook, not a traceback into book/check.

IPython (7.34 as on Colab, and the current one) shows what ``CheckFailed._render_traceback_``
returns in place of the traceback; these tests run a real kernel of each, and JupyterLab in
headless Chromium, and read what the learner sees.
"""

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec

from tests.browser import jupyter_server
from tests.colab_runtime import COLAB_VENV

ROOT = Path(__file__).resolve().parents[1]
FAILING_CHECK = "from book.check import check_value\ncheck_value(2, 1, 'the answer')"
MESSAGE = "the answer: is 2, expected 1"
TOKEN = "book-test"


def error_shown_by_kernel(python: Path, source: str) -> dict:
    """The error message's content (ename, evalue, traceback lines) that a kernel run by
    ``python`` sends for ``source``."""
    manager = KernelManager()
    manager._kernel_spec = KernelSpec(  # this interpreter, not an installed kernelspec
        argv=[str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="check", language="python")
    manager.start_kernel(cwd=str(ROOT))
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive(source, timeout=120, output_hook=lambda m: None)
        return reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("python", [
    pytest.param(Path(sys.executable), id="this-ipython"),
    pytest.param(COLAB_VENV / "bin" / "python", id="colab-ipython-7.34",
                 marks=pytest.mark.colab)])
@pytest.mark.notebook
def test_a_kernel_shows_the_message_without_a_traceback(python):
    if not python.exists():
        pytest.skip(".venv-colab is missing: run `make colab` (colab.mk)")
    content = error_shown_by_kernel(python, FAILING_CHECK)
    assert content["ename"] == "CheckFailed" and content["evalue"] == MESSAGE
    assert len(content["traceback"]) == 1 and content["traceback"][0].endswith(MESSAGE)


@pytest.mark.live
@pytest.mark.slow
def test_jupyterlab_shows_one_line(browser, tmp_path):
    notebook = tmp_path / "notebooks" / "check.ipynb"
    notebook.parent.mkdir()
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FAILING_CHECK)],
                                            metadata={"kernelspec": kernel}), notebook)
    with jupyter_server("lab", notebook.parent, tmp_path / "lab") as (url, _):
        browser.get(f"{url}/lab/tree/check.ipynb?reset&token={TOKEN}")
        shown = wait_for(browser, """
const panel = window.jupyterapp && jupyterapp.shell.currentWidget;
const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
if (kernel && !window.ran) { window.ran = true;
    jupyterapp.commands.execute("notebook:run-all-cells"); }
const error = document.querySelector(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
return error && error.innerText;""")
    assert shown.strip() == f"✗ check failed: {MESSAGE}"


def wait_for(browser, script: str, timeout: float = 120):
    """What ``script`` returns once it returns something, polling every half second."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = browser.execute_script(script)
        if result:
            return result
        time.sleep(0.5)
    pytest.fail("JupyterLab showed no error output for the failing check")
