"""How many submissions a minute does ``python -m book grade`` handle, and are its scores right?

Grades a class of right and untouched (empty) submissions of every solution notebook, with
one job per core, in the bubblewrap sandbox and without it (``sandbox=False``), and prints
submissions per minute beside the scores it measured: a right submission must score full
marks and an empty one zero, and any other score is printed as a MISMATCH and makes the
benchmark exit with status 1 (a fast grader that gives wrong marks is no grader). The
reference measured in the same run is the bare cost of one fresh kernel: starting it,
running the submission's cells with no grading and stopping it (nbclient, as ``jupyter
nbconvert --execute`` does), so the figures show what the grader and its sandbox add to
executing the notebooks at all. The target is 40 submissions a minute or more with 2 jobs
on 2 cores, over all the assignments.

    .venv/bin/python benchmarks/grading.py [--students N] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from book.authoring.exercises import answered_notebook, student_notebook
from book.grading.grade import grade_folder
from book.grading.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
TARGET = 40             # submissions a minute with 2 jobs on 2 cores, over all assignments


def right_answers(solution: Path):
    return answered_notebook(nbformat.read(solution, as_version=4), solution.name)


def write_class(solution: Path, folder: Path, students: int) -> dict[str, str]:
    """Write ``students`` submissions, alternately right and empty; student -> which."""
    right = right_answers(solution)
    empty = student_notebook(nbformat.read(solution, as_version=4), solution.name)
    folder.mkdir(parents=True)
    kinds = {}
    for number in range(students):
        student, kind = f"s{number:03d}", "right" if number % 2 == 0 else "empty"
        nbformat.write(right if kind == "right" else empty, folder / f"{student}.ipynb")
        kinds[student] = kind
    return kinds


def bare_execution(folder: Path) -> float:
    """Seconds to execute every notebook of ``folder`` once, one after the other."""
    start = time.perf_counter()
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        # log_level: without it each kernel warns that it runs over TCP, once per notebook.
        NotebookClient(notebook, kernel_name="python3", allow_errors=True, timeout=600,
                       extra_arguments=["--IPKernelApp.log_level=ERROR"],
                       resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def mismatches(results: list[SubmissionResult], kinds: dict[str, str]) -> list[str]:
    """One line per submission whose score is not the one its kind must get."""
    wrong = []
    for result in results:
        wanted = result.max_score if kinds[result.student] == "right" else 0
        if result.score != wanted or result.status.value != "graded":
            wrong.append(f"{result.assignment} {result.student} ({kinds[result.student]}): "
                         f"{result.score:g}/{result.max_score:g} {result.status.value}, "
                         f"expected {wanted:g} graded")
    return wrong


def scores(results: list[SubmissionResult], kinds: dict[str, str]) -> str:
    """``right 9,9,9 empty 0,0,0``: the scores measured, by kind of submission."""
    by_kind = {kind: [f"{r.score:g}" for r in results if kinds[r.student] == kind]
               for kind in ("right", "empty")}
    return " ".join(f"{kind} {','.join(values)}" for kind, values in by_kind.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6,
                        help="submissions per solution notebook (half right, half empty)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: one per core)")
    args = parser.parse_args()
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    print(f"{len(solutions)} assignments x {args.students} submissions, {args.jobs} jobs, "
          f"{os.cpu_count()} cores; submissions per minute:")
    print(f"{'assignment':28} {'bare, 1 job':>11} {'no sandbox':>11} {'sandbox':>9} "
          f"{'overhead':>9}   scores measured (sandbox)")
    totals = {"bare": 0.0, "plain": 0.0, "sandbox": 0.0}
    wrong = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for solution in solutions:
            folder = scratch / solution.stem
            kinds = write_class(solution, folder, args.students)
            times = {"bare": bare_execution(folder)}
            for label, sandbox in (("plain", False), ("sandbox", True)):
                start = time.perf_counter()
                results = grade_folder(solution, folder, scratch / f"work-{solution.stem}-"
                                       f"{label}", jobs=args.jobs, sandbox=sandbox)
                times[label] = time.perf_counter() - start
                wrong += [f"[{label}] {line}" for line in mismatches(results, kinds)]
            rate = {k: 60 * args.students / v for k, v in times.items()}
            overhead = times["sandbox"] / times["plain"] - 1
            print(f"{solution.stem:28} {rate['bare']:11.1f} {rate['plain']:11.1f} "
                  f"{rate['sandbox']:9.1f} {overhead:+9.0%}   {scores(results, kinds)}",
                  flush=True)
            for key in totals:
                totals[key] += times[key]
    count = args.students * len(solutions)
    rate = {k: 60 * count / v for k, v in totals.items()}
    print(f"{'all assignments':28} {rate['bare']:11.1f} {rate['plain']:11.1f} "
          f"{rate['sandbox']:9.1f} {totals['sandbox'] / totals['plain'] - 1:+9.0%}")
    verdict = "meets" if rate["sandbox"] >= TARGET else "MISSES"
    print(f"sandboxed grading {verdict} the target of {TARGET} submissions a minute "
          f"({rate['sandbox']:.1f} with {args.jobs} jobs)")
    if wrong:
        print(f"\nSCORE MISMATCH: {len(wrong)} submission(s) did not get their score:",
              *wrong, sep="\n  ", file=sys.stderr)
        return 1
    print("every right submission scored full marks and every empty one zero")
    return 0


if __name__ == "__main__":
    sys.exit(main())
