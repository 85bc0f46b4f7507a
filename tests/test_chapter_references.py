"""Each teaching function's docstring names the chapter that explains it, by its real title.

Every module a reader imports is checked: each module of ``book`` and ``book.figures``,
found by walking the package, so a new one is checked without being listed here. Left
out, because no chapter teaches what they hold:

- ``book`` itself (``__init__``), ``book.__main__`` and ``book.figures`` itself: a
  package's docstring and the command line, no functions a reader calls;
- ``book.authoring``, ``book.grading`` and ``book.check``: the build, the instructor's
  grader and the exercises' checks, for authors and instructors (a reader meets the
  checks only through the exercises they answer);
- ``book.interactive``: the machinery behind every interactive figure, the same for
  all chapters;
- ``book.build_mode``, ``book.glue`` and ``book.validation``: the build's switch, the
  numbers quoted in the prose, and the argument checks shared by every function.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import nbformat
import pytest

import book

ROOT = Path(__file__).resolve().parents[1]
# Not a reader's modules (see the module docstring); a package here excludes all it holds.
EXCLUDED = {"book.__main__", "book.authoring", "book.grading", "book.check",
            "book.interactive", "book.build_mode", "book.glue", "book.validation",
            # the live figures' shared parts serve every chapter (book.live.questions cites each)
            "book.live.block", "book.live.kinds", "book.live.selfcheck"}
REFERENCE = re.compile(r'[Cc]hapter (\d+), "([^"]+)"')


def excluded(module_name: str) -> bool:
    return any(module_name == name or module_name.startswith(name + ".")
               for name in EXCLUDED)


def reader_modules() -> list[str]:
    """Every module under ``book`` but the packages themselves and those in EXCLUDED."""
    return sorted(info.name for info in pkgutil.walk_packages(book.__path__, "book.")
                  if not info.ispkg and not excluded(info.name))


MODULES = reader_modules()


def chapter_titles() -> dict[int, str]:
    """Chapter number -> the title of its first heading, from chapters/NN_*.ipynb."""
    titles = {}
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        heading = next(cell.source for cell in cells if cell.cell_type == "markdown")
        titles[int(path.name[:2])] = heading.splitlines()[0].removeprefix("# ")
    return titles


def public_members(module_name: str):
    module = importlib.import_module(module_name)
    return [(name, member) for name, member in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(member) or inspect.isclass(member))
            and member.__module__ == module_name]


def test_every_reader_module_is_checked():
    # The walk finds the modules; this pins that it found them (a broken walk checks none).
    for name in ["book.shapes", "book.conv", "book.vision", "book.samples", "book.data",
                 "book.progress", "book.trained", "book.figures.conv",
                 "book.figures.pooling", "book.figures.vision"]:
        assert name in MODULES
    assert not any(excluded(name) for name in MODULES)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_function_names_a_real_chapter(module_name):
    titles = chapter_titles()
    for name, member in public_members(module_name):
        references = REFERENCE.findall(inspect.getdoc(member) or "")
        assert references, f"{module_name}.{name} names no chapter"
        for number, title in references:
            assert titles.get(int(number)) == title, (
                f"{module_name}.{name} cites chapter {number}, \"{title}\"; that chapter "
                f"is called {titles.get(int(number))!r}")
