"""Which of the book's own answers a submission's code imports.

A hidden check compares a student's function with the book's implementation of the same
thing (``from book.gradients import conv2d_backward``): those are a question's
*references*. A student's cell that imports one passes without the skill the question
grades, so the grader scores that question 0 as "borrowed" (:mod:`book.grading.scoring`).

The code is read, not run. It counts as borrowing when a cell the student wrote

- imports a reference (``from book.gradients import conv2d_backward``) or the module that
  holds it (``import book.gradients``, ``from book import gradients``, ``from
  book.gradients import *``);
- names one through an imported ``book`` (``import book as b`` ... ``b.gradients.f``);
- holds the module's or the reference's dotted name as a whole string
  (``importlib.import_module("book.gradients")``, ``sys.modules["book.gradients"]``).

A name assembled at run time (``"book." + "gradients"``) is not seen: the instructor guide
says so. Modules that give the checks their inputs (sample images, data) are no answers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from book.grading.imports import imported_names, python_source

INPUT_MODULES = frozenset({"book.samples", "book.data"})


def references(hidden: str) -> list[str]:
    """The dotted names (``"book.gradients.conv2d_backward"``) of the ``book`` functions that
    a question's hidden checks import to compute what they expect, sorted.

    Not references: inputs (:data:`INPUT_MODULES`), and a function the checks only hand to a
    check as one of its inputs (``check_training(train_model, lenet5, ...)`` trains the
    book's LeNet-5 with the student's loop: the model is given, the loop is graded).
    """
    names, _ = imported_names(hidden)
    try:
        tree = ast.parse(python_source(hidden))
    except SyntaxError:
        return []
    given = {id(argument) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id.startswith("check_") for argument in node.args}
    computing = {node.id for node in ast.walk(tree)
                 if isinstance(node, ast.Name) and id(node) not in given}
    return sorted(f"{module}.{attribute}" for name, (module, attribute) in names.items()
                  if attribute and module.split(".")[0] == "book"
                  and module not in INPUT_MODULES and name in computing)


def borrowed(source: str, refs: Iterable[str]) -> list[str]:
    """The references among ``refs`` that the cell ``source`` imports or names, sorted."""
    refs = set(refs)
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return []       # the cell cannot run, so it borrows nothing
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
                    top = alias.asname or "book"
                    bound[top] = alias.name if alias.asname else "book"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name == "*":
                    if node.module != "book":   # the package's top exports no answer
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
    return sorted(found)


def _dotted(node: ast.Attribute) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None when the chain does not start at a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]
