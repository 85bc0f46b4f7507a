"""`pip install` of the package (the Colab install cell) brings everything the book imports."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def top_level_imports(source):
    # IPython magics (%pip, %matplotlib) are not Python: each becomes `pass`.
    code = "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def imported_modules():
    sources = [p.read_text() for p in (ROOT / "book").glob("*.py")]
    for folder in ("chapters", "solutions"):
        for path in (ROOT / folder).glob("*.ipynb"):
            sources += [c.source for c in nbformat.read(path, as_version=4).cells
                        if c.cell_type == "code"]
    return {m for source in sources for m in top_level_imports(source)}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {normalise(re.split(r"[<>=!~ \[]", d)[0]) for d in project["dependencies"]}
    distributions = packages_distributions()
    missing = {}
    for module in imported_modules() - set(sys.stdlib_module_names) - {"book", "__future__"}:
        names = {normalise(d) for d in distributions.get(module, [])}
        assert names, f"{module} is imported but no installed distribution provides it"
        if not names & declared:
            missing[module] = sorted(names)
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"
