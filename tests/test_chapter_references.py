"""Each teaching function's docstring names the chapter that explains it, by its real title."""

import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The modules whose every public function and class names its chapter.
MODULES = ["book.shapes", "book.conv", "book.pooling", "book.padding", "book.parameters",
           "book.receptive_field", "book.figures.padding", "book.figures.parameters"]
REFERENCE = re.compile(r'[Cc]hapter (\d+), "([^"]+)"')


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
