"""How many submissions a minute does ``python -m book grade`` handle on this machine?

Grades a class of right and untouched (empty) submissions of every solution notebook, with
one job and with one job per core, and prints submissions per minute. The reference measured
in the same run is the bare cost of one fresh kernel: starting it, running the submission's
cells with no grading, and stopping it (nbclient, as ``jupyter nbconvert --execute`` does),
so the figures show what the grader adds to executing the notebooks at all.

    .venv/bin/python benchmarks/grading.py [--students N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from book.authoring.exercises import student_notebook
from book.grading.grade import grade_folder

ROOT = Path(__file__).resolve().parents[1]


def right_answers(solution: Path):
    notebook = nbformat.read(solution, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    student = student_notebook(notebook, solution.name)
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.source = answers.get(grade_id, cell.source)
    return student


def write_class(solution: Path, folder: Path, students: int) -> None:
    right = right_answers(solution)
    empty = student_notebook(nbformat.read(solution, as_version=4), solution.name)
    folder.mkdir(parents=True)
    for number in range(students):
        nbformat.write(right if number % 2 == 0 else empty, folder / f"s{number:03d}.ipynb")


def bare_execution(folder: Path) -> float:
    """Seconds to execute every notebook of ``folder`` once, one after the other."""
    start = time.perf_counter()
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, kernel_name="python3", allow_errors=True, timeout=600,
                       resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6,
                        help="submissions per solution notebook (half right, half empty)")
    args = parser.parse_args()
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    cores = os.cpu_count() or 1
    print(f"{len(solutions)} assignments x {args.students} submissions, {cores} cores")
    print(f"{'assignment':32} {'bare, 1 job':>12} {'grader, 1 job':>14} "
          f"{'grader, ' + str(cores) + ' jobs':>15}   (submissions per minute)")
    totals = {"bare": 0.0, "one": 0.0, "all": 0.0}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for solution in solutions:
            folder = scratch / solution.stem
            write_class(solution, folder, args.students)
            bare = bare_execution(folder)
            times = {}
            for label, jobs in (("one", 1), ("all", cores)):
                start = time.perf_counter()
                results = grade_folder(solution, folder, scratch / f"work-{label}", jobs=jobs)
                times[label] = time.perf_counter() - start
                assert len(results) == args.students
            shutil.rmtree(scratch / "work-one", ignore_errors=True)
            shutil.rmtree(scratch / "work-all", ignore_errors=True)
            rate = {k: 60 * args.students / v for k, v in (("bare", bare), *times.items())}
            print(f"{solution.stem:32} {rate['bare']:12.1f} {rate['one']:14.1f} "
                  f"{rate['all']:15.1f}")
            totals["bare"] += bare
            totals["one"] += times["one"]
            totals["all"] += times["all"]
    count = args.students * len(solutions)
    print(f"{'all assignments':32} {60 * count / totals['bare']:12.1f} "
          f"{60 * count / totals['one']:14.1f} {60 * count / totals['all']:15.1f}")


if __name__ == "__main__":
    main()
