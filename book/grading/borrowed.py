"""Which of the book's own functions that the hidden checks use a submission's code imports.

A hidden check computes what it expects with the book's implementation
(``from book.gradients import conv2d_backward``): those, the same objects under other names
in the library's modules, and their plain-loop versions (``conv2d_backward_loop``) are a
question's *references*. A student's code that imports one may pass without the skill the
question grades, or may only use it to test an answer of its own: reading the code cannot
tell. So the grader names what it found in a note for the instructor to read
(:mod:`book.grading.scoring`) and leaves the score alone.

The code is read, not run. It counts when a cell the student wrote

- imports a reference (``from book.gradients import conv2d_backward``) or the module that
  holds it (``import book.gradients``, ``from book import gradients``, ``from
  book.gradients import *``);
- names one through an imported ``book`` (``import book as b`` ... ``b.gradients.f``, or
  ``gradients.f`` after ``from book import *``);
- holds the module's or the reference's dotted name as a whole string
  (``importlib.import_module("book.gradients")``, ``sys.modules["book.gradients"]``);
- does any of this in code given as text to ``exec``, ``eval``, a cell or a line magic.

A name assembled at run time (``"book." + "gradients"``, ``getattr(book, name)``) is not
seen. Modules that give the checks their inputs (sample images, data) hold no references.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
from collections.abc import Iterable

from book.grading.imports import imported_names, python_source

INPUT_MODULES = frozenset({"book.samples", "book.data"})
# Calls whose text argument is code: it is read as code too.
CODE_RUNNERS = frozenset({"exec", "eval", "run_cell", "run_cell_magic", "run_line_magic"})


def references(hidden: str) -> list[str]:
    """The dotted names (``"book.gradients.conv2d_backward"``) of the ``book`` functions that
    a question's hidden checks import and use, with their other names and loop versions,
    sorted.

    A function the checks only hand to a check as an input is not a reference
    (``check_training(train_model, lenet5, ...)`` trains the book's LeNet-5 with the
    student's loop: the model is given, the loop is graded).
    """
    tree = _parse(hidden)
    if tree is None:
        return []
    names, _ = imported_names(hidden)
    given = {id(argument) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id.startswith("check_") for argument in node.args}
    used = {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and id(node) not in given}
    found = set()
    for name, (module, attribute) in names.items():
        if attribute and module.split(".")[0] == "book" and module not in INPUT_MODULES \
                and name in used:
            found |= _other_names(f"{module}.{attribute}")
    return sorted(found)


@functools.cache
def _other_names(dotted: str) -> frozenset[str]:
    """``dotted`` and every name of the same object in the library's top-level modules,
    with its ``_loop`` version where one exists."""
    module_name, attribute = dotted.rsplit(".", 1)
    target = getattr(importlib.import_module(module_name), attribute, None)
    names = {dotted}
    if target is None:
        return frozenset(names)
    for module_name, module in _library_modules().items():
        for name, value in vars(module).items():
            if value is target:
                names.add(f"{module_name}.{name}")
                if callable(getattr(module, f"{name}_loop", None)):
                    names.add(f"{module_name}.{name}_loop")
    return frozenset(names)


@functools.cache
def _library_modules() -> dict:
    """The library's top-level modules by dotted name (book.conv, book.shapes, ...)."""
    import book

    return {f"book.{info.name}": importlib.import_module(f"book.{info.name}")
            for info in pkgutil.iter_modules(book.__path__)
            if not info.ispkg and not info.name.startswith("_")}


def borrowed(source: str, refs: Iterable[str]) -> list[str]:
    """The references among ``refs`` that the cell ``source`` imports or names, sorted."""
    refs = set(refs)
    found: set[str] = set()
    for tree in _code_in(source):
        found |= _named(tree, refs)
    return sorted(found)


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return None         # a cell that cannot run borrows nothing


def _code_in(source: str, depth: int = 0) -> list[ast.Module]:
    """The cell's syntax tree, and those of the code it passes as text to a code runner."""
    tree = _parse(source)
    if tree is None:
        return []
    trees = [tree]
    if depth < 3:       # exec("exec('...')") nests; three levels are more than enough
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in CODE_RUNNERS:
                for argument in node.args:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        trees += _code_in(argument.value, depth + 1)
    return trees


def _called_name(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else ""


def _named(tree: ast.Module, refs: set[str]) -> set[str]:
    found: set[str] = set()

    def reached(dotted: str) -> None:
        """A reference, or a module holding references, named in full."""
        found.update(ref for ref in refs if ref == dotted or ref.startswith(dotted + "."))

    bound: dict[str, str] = {}      # a name in the cell -> the book module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "book":
                    if alias.name != "book":
                        reached(alias.name)
                    bound[alias.asname or "book"] = alias.name if alias.asname else "book"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name == "*" and node.module == "book":
                    # The package's names are its submodules loaded so far.
                    bound.update({module.split(".")[1]: module for module in _library_modules()})
                elif alias.name == "*":
                    reached(node.module)
                else:
                    reached(f"{node.module}.{alias.name}")
                    if node.module.split(".")[0] == "book":
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.strip().startswith("book."):
            reached(node.value.strip())
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:  # whole chains only
            dotted = _dotted(node)
            if dotted is not None and dotted[0] in bound:
                reached(".".join([bound[dotted[0]], *dotted[1:]]))
    return found


def _dotted(node: ast.Attribute) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None when the chain does not start at a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]
