"""Command line: ``python -m book <command>`` (also installed as ``cnn-book``).

  exercises     regenerate exercises/ from solutions/
  colab-cells   write the Colab install cell (from _config.yml) into every notebook
  pin-outputs   execute notebooks and store the outputs of cells tagged nbval-check-output
  grade         grade a folder of student notebooks: JSON, feedback and a CSV gradebook
  export-otter  write an otter-grader master notebook (for otter assign and Gradescope)
"""

import argparse
import importlib.util
import sys
from pathlib import Path

# What the commands import beyond the reader's package: the extra
# cnn-textbook[instructor] (tests/test_packaging.py checks that the two agree).
INSTRUCTOR_MODULES = ("nbformat", "nbclient", "ipykernel", "jupyter_client", "markdown_it",
                      "yaml")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the book's top folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("exercises", help="regenerate exercises/ from solutions/")
    commands.add_parser("colab-cells", help="update the Colab install cell of every notebook")
    pin = commands.add_parser("pin-outputs",
                              help="store the expected outputs of cells tagged nbval-check-output")
    pin.add_argument("notebooks", nargs="*", type=Path,
                     help="notebooks to pin (default: every chapter and solution notebook)")
    grade = commands.add_parser(
        "grade", help="grade submitted notebooks (see instructors.md)",
        description="Grade every submission in SUBMISSIONS against solutions/ASSIGNMENT.ipynb: "
                    "SUBMISSIONS/<student>.ipynb or SUBMISSIONS/<student>/<ASSIGNMENT>.ipynb.")
    grade.add_argument("assignment", help="a solution notebook's name (04_padding_and_stride) "
                                          "or path")
    grade.add_argument("submissions", type=Path, help="the folder of submitted notebooks")
    grade.add_argument("--out", type=Path, required=True, help="where the reports go")
    grade.add_argument("--timeout", type=float, default=60,
                       help="seconds one cell may run (default 60)")
    grade.add_argument("--notebook-timeout", type=float, default=600,
                       help="seconds one submission may take in all (default 600)")
    grade.add_argument("--jobs", type=int, default=None,
                       help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--resume", action="store_true",
                       help="keep the results already in --out for submissions unchanged "
                            "since (same sha256) and grade only the others")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run student code without the bubblewrap sandbox (only for "
                            "code you trust: see instructors.md)")
    export = commands.add_parser("export-otter",
                                 help="write an otter-grader master notebook for an assignment")
    export.add_argument("assignment", help="a solution notebook's name or path")
    export.add_argument("--out", type=Path, required=True, help="folder for the master notebook")
    args = parser.parse_args(argv)
    missing = [name for name in INSTRUCTOR_MODULES
               if importlib.util.find_spec(name) is None]
    if missing:
        print(f"error: `python -m book {args.command}` needs the instructor tools "
              f"({', '.join(missing)} missing): "
              'pip install "cnn-textbook[instructor]"', file=sys.stderr)
        return 1

    if args.command == "exercises":
        from book.authoring.exercises import ExerciseFormatError, generate

        try:
            written = generate(args.root / "solutions", args.root / "exercises")
        except ExerciseFormatError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path}")
    elif args.command == "colab-cells":
        from book.authoring.colab import sync

        for path in sync(args.root):
            print(f"updated {path}")
    elif args.command == "pin-outputs":
        from book.authoring.pinned_outputs import pin

        notebooks = args.notebooks or sorted(
            p for folder in ("chapters", "solutions") for p in (args.root / folder).glob("*.ipynb"))
        for path in notebooks:
            print(f"{path}: pinned {pin(path)} checked output(s)")
    elif args.command == "grade":
        return _grade(args)
    elif args.command == "export-otter":
        from book.grading.export import export_otter

        try:
            written = export_otter(_solution(args), args.out, args.root / "_config.yml")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path}")
        print(f"next: otter assign {written[0]} <output folder>")
    return 0


def _solution(args) -> Path:
    """The solution notebook an ``assignment`` argument names (a name or a path)."""
    given = Path(args.assignment)
    if given.suffix == ".ipynb":
        return given
    return args.root / "solutions" / f"{args.assignment}.ipynb"


def _grade(args) -> int:
    import tempfile
    import time

    from book.grading.assignment import read_solution, solution_digest
    from book.grading.grade import grade_folder
    from book.grading.report import RESULTS_FOLDER, unchanged_results, write_reports, write_result
    from book.grading.sandbox import root_without_cgroups
    from book.grading.submissions import find_submissions

    if args.timeout <= 0 or args.notebook_timeout <= 0:
        print("error: --timeout and --notebook-timeout must be positive", file=sys.stderr)
        return 1
    if args.jobs is not None and args.jobs < 1:
        print(f"error: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 1
    if args.no_sandbox:
        print("warning: --no-sandbox: student code runs with your permissions, and can read "
              "the solution and change other results", file=sys.stderr)
    elif (unbounded := root_without_cgroups()) is not None:
        print(f"warning: {unbounded}", file=sys.stderr)
    start = time.monotonic()
    results_folder = args.out / RESULTS_FOLDER
    try:
        kept = unchanged_results(
            results_folder, find_submissions(args.submissions, _solution(args).stem),
            solution_digest(read_solution(_solution(args)))) if args.resume else {}
        with tempfile.TemporaryDirectory(prefix="book-grading-") as workdir:
            results = grade_folder(
                _solution(args), args.submissions, Path(workdir), jobs=args.jobs,
                cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                sandbox=not args.no_sandbox, skip=set(kept),
                on_result=lambda result: write_result(result, results_folder))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"stopped: the results written so far are in {results_folder}; run the same "
              "command with --resume to grade the rest", file=sys.stderr)
        return 130
    results = sorted([*kept.values(), *results], key=lambda result: result.student)
    gradebook = write_reports(results, args.out)
    for result in results:
        kept_note = "  (kept from the last run)" if result.student in kept else ""
        print(f"{result.student:20} {result.score:g}/{result.max_score:g}  "
              f"{result.status.value}{kept_note}")
    print(f"graded {len(results) - len(kept)} submissions in "
          f"{time.monotonic() - start:.1f} s; gradebook: {gradebook}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
