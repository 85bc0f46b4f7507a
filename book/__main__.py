"""Command line: ``python -m book <command>`` (also installed as ``cnn-book``).

  exercises     regenerate exercises/ from solutions/
  colab-cells   write the Colab install cell (from _config.yml) into every notebook
"""

import argparse
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the book's top folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("exercises", help="regenerate exercises/ from solutions/")
    commands.add_parser("colab-cells", help="update the Colab install cell of every notebook")
    args = parser.parse_args(argv)

    if args.command == "exercises":
        from book.exercises import ExerciseFormatError, generate

        try:
            written = generate(args.root / "solutions", args.root / "exercises")
        except ExerciseFormatError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path}")
    elif args.command == "colab-cells":
        from book.colab import sync

        for path in sync(args.root):
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
