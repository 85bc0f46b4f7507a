"""Every chapter and solution notebook on another CPU code path: ``make cpu-paths``.

The Makefile runs this file (its name keeps it out of a plain ``pytest`` run) under
PyTorch's portable kernels, oneDNN at AVX2, MKL's reproducible path and one thread.
Each notebook is executed once, in a live kernel as a reader's, and must print its
pinned outputs (compared as nbval compares them) and the numbers its prose states
(``<!-- glue:name -->``, recorded by ``BOOK_RECORD_GLUE=1``): a site built on a
machine like that would then publish the same results under the same text.
"""

from pathlib import Path

import nbformat
import pytest

from book.authoring.execution import execute
from book.authoring.pinned_outputs import contradictions
from book.glue import RECORD_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("chapters", "solutions")
                   for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_outputs_and_prose_numbers(path, monkeypatch):
    monkeypatch.setenv(RECORD_ENV_VAR, "1")
    notebook = nbformat.read(path, as_version=4)
    executed = execute(nbformat.read(path, as_version=4), path.parent, static_figures=False)
    problems = contradictions(notebook, executed)
    assert not problems, f"{path.name}: " + "; ".join(problems)
