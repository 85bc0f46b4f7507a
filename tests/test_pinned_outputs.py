"""The worked numbers are pinned: every nbval-checked cell stores the output it must print."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from book.authoring.pinned_outputs import is_checked, pin

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("chapters", "solutions")
                   for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_checked_cells_have_pinned_outputs_and_others_none(path):
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            assert cell.outputs, (f"{path.name}, cell {number}: tagged nbval-check-output with no "
                                  "stored output checks nothing: run `python -m book pin-outputs`")
        else:
            assert not cell.outputs, f"{path.name}, cell {number}: stored output not checked"


def run_nbval(path):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", "--nbval-current-env", str(path)],
                          cwd=path.parent, capture_output=True, text=True)


def test_nbval_compares_pinned_outputs(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # keep the book's options out
    path = tmp_path / "worked.ipynb"
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print(6 * 7)", metadata={"tags": ["nbval-check-output"]}),
               nbformat.v4.new_code_cell("print('not checked')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}}), path)
    assert pin(path) == 1
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[0].outputs[0]["text"] == "42\n" and stored.cells[1].outputs == []
    assert run_nbval(path).returncode == 0

    stored.cells[0].outputs[0]["text"] = "41\n"
    nbformat.write(stored, path)
    result = run_nbval(path)
    assert result.returncode != 0, "nbval must fail when the printed number changes"
