"""Export an exercise notebook for otter-grader (and through it, Gradescope).

``python -m book export-otter 04_padding_and_stride --out otter/`` writes
``otter/04_padding_and_stride.ipynb``, an otter-grader *master notebook* (format v1), and
``otter/requirements.txt``. Then ``otter assign otter/04_padding_and_stride.ipynb dist/``
makes the student notebook and a Gradescope autograder zip.

Each graded check cell of the solution notebook becomes one otter question:

* the markdown cells just before the answer cell are the prompt;
* the answer cell goes in a ``# BEGIN SOLUTION`` block (its ``# BEGIN SOLUTION`` /
  ``# END SOLUTION`` lines are the ones otter blanks out for students);
* the visible checks become a public test, and the whole check cell (visible then hidden
  checks) a hidden test; each is an exception-based test function whose parameters are the
  notebook names the checks use;
* ``all_or_nothing`` keeps nbgrader's rule: the question's points need every check to pass.

(nbgrader needs no export: ``solutions/*.ipynb`` are nbgrader source notebooks as they are.)
"""

from __future__ import annotations

import builtins
import symtable
import textwrap
from pathlib import Path

import nbformat
import yaml

from book.authoring.colab import repository
from book.authoring.exercises import instructor_only
from book.grading.assignment import assignment_of, nbgrader_metadata, read_solution


def free_names(source: str) -> list[str]:
    """Names a piece of code reads from its surroundings (not builtins, not its own)."""
    table = symtable.symtable(source, "<check>", "exec")
    own = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    found: set[str] = set()

    def visit(scope, top: bool) -> None:
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (symbol.is_global() or top) and symbol.is_referenced() and name not in own:
                found.add(name)
        for child in scope.get_children():
            visit(child, False)

    visit(table, True)
    return sorted(n for n in found if not hasattr(builtins, n))


def otter_test(name: str, source: str) -> str:
    """The check code as an otter exception-based test: a function of the names it uses.

    ``name`` must start with ``test_`` for otter to run it.
    """
    body = textwrap.indent(source.strip("\n"), "    ")
    return f"def {name}({', '.join(free_names(source))}):\n{body}"


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def otter_master(solution: Path, requirements: str = "requirements.txt"):
    """The otter-grader master notebook (format v1) for one solution notebook."""
    notebook = read_solution(solution)
    assignment = assignment_of(notebook, Path(solution).name)   # validates the notebook
    questions = {q.grade_id: q for q in assignment.questions}
    config = {"name": assignment.name, "requirements": requirements,
              "export_cell": False, "check_all_cell": False, "run_tests": True,
              "tests": {"ok_format": False}}
    cells = [_raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False).strip())]
    pending: list = []
    # Model answers are for instructors: otter's student notebook must not carry them.
    for cell in (c for c in notebook.cells if not instructor_only(c)):
        meta = nbgrader_metadata(cell)
        if meta.get("solution") or not meta.get("grade"):
            pending.append(cell)
            continue
        first_answer = next(i for i, c in enumerate(pending)
                            if nbgrader_metadata(c).get("solution"))
        prompt_start = first_answer
        while prompt_start > 0 and pending[prompt_start - 1].cell_type == "markdown":
            prompt_start -= 1
        cells += pending[:prompt_start]
        question = {"name": meta["grade_id"], "points": meta["points"], "all_or_nothing": True}
        cells.append(_raw("# BEGIN QUESTION\n" + yaml.safe_dump(question, sort_keys=False)
                          .strip()))
        cells += pending[prompt_start:first_answer]
        cells += [_raw("# BEGIN SOLUTION")] + pending[first_answer:] + [_raw("# END SOLUTION")]
        cells.append(_raw("# BEGIN TESTS"))
        checks = questions[meta["grade_id"]]
        cells.append(nbformat.v4.new_code_cell(otter_test("test_checks", checks.visible)))
        if checks.hidden:
            # Hidden checks may use what the visible ones define, so they run after them.
            cells.append(nbformat.v4.new_code_cell(
                "# HIDDEN\n" + otter_test("test_hidden_checks",
                                          checks.visible + "\n" + checks.hidden)))
        cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
        pending = []
    cells += pending
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("nbgrader", None)
    master = nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)
    return master


def export_otter(solution: Path, out: Path, config: Path) -> list[Path]:
    """Write the master notebook and a requirements.txt that installs the book's package."""
    solution, out = Path(solution), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    url, branch = repository(config)
    requirements = out / "requirements.txt"
    requirements.write_text(f"cnn-textbook @ git+{url}@{branch}\n")
    master = out / solution.name
    nbformat.write(otter_master(solution), master)
    return [master, requirements]
