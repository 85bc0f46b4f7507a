"""What a cell's code imports, read without running it."""

from __future__ import annotations

import ast


def python_source(source: str) -> str:
    """Cell source as plain Python (IPython magics become function calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def imported_names(source: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Top-level names a cell imports -> (module, attribute), and every module it imports."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return {}, set()
    names, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                if alias.asname:
                    names[alias.asname] = (alias.name, "")
                else:
                    top = alias.name.split(".")[0]
                    names[top] = (top, "")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = (node.module, alias.name)
    return names, modules
