"""The naming rule of book.figures: draw_ for an interactive figure's draw, plot_ for the rest.

The rule is stated in the docstring of ``book/figures/__init__.py``; this test reads the
chapters to learn which functions they pass to ``interactive_figure``.
"""

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import nbformat
from matplotlib.figure import Figure

import book.figures
from book.figures.photo import PhotoFigure

ROOT = Path(__file__).resolve().parents[1]


def interactive_draws() -> set[str]:
    """The names the chapters pass as the draw of ``interactive_figure(draw, ...)``."""
    names = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                names.update(re.findall(r"interactive_figure\(\s*(\w+)", cell.source))
    return names


def figure_functions() -> dict[str, object]:
    """Every public function of the figure modules, by its name."""
    functions = {}
    for module_info in pkgutil.iter_modules(book.figures.__path__):
        module = importlib.import_module(f"book.figures.{module_info.name}")
        functions.update((name, function) for name, function
                         in inspect.getmembers(module, inspect.isfunction)
                         if function.__module__ == module.__name__
                         and not name.startswith("_"))
    return functions


def returns_a_figure(function) -> bool:
    """A Figure, or a figure of photographs that displays as JPEG (book.figures.photo)."""
    return typing.get_type_hints(function).get("return") in (Figure, PhotoFigure)


def test_the_chapters_have_interactive_figures():
    assert len(interactive_draws()) >= 5


def test_an_interactive_figures_draw_is_named_draw():
    draws = interactive_draws()
    assert all(name.startswith("draw_") for name in draws), sorted(draws)


def test_every_other_figure_is_named_plot():
    draws = interactive_draws()
    wrong = [name for name, function in figure_functions().items()
             if returns_a_figure(function) and name not in draws
             and not name.startswith("plot_")]
    assert not wrong, f"still figures not named plot_: {wrong}"


def test_only_figures_are_named_draw_or_plot():
    wrong = [name for name, function in figure_functions().items()
             if name.startswith(("draw_", "plot_")) and not returns_a_figure(function)]
    assert not wrong, f"named as figures but return no Figure: {wrong}"
