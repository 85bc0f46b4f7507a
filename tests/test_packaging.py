"""The reader's package brings what the chapters import; the tools come with an extra.

`pip install cnn-textbook` (the Colab install cell) must bring every module that a
chapter, an exercise or a reader-facing module of `book` imports, and nothing more. The
authoring and instructor tools import more (nbformat, nbclient, ...): they come with
`cnn-textbook[instructor]`.
"""

import ast
import re
import subprocess
import sys
from importlib.metadata import packages_distributions

import nbformat
import pytest

from tests.project_metadata import (
    ROOT,
    extra_requirements,
    pinned_requirements,
    reader_requirements,
)

# What only authors and instructors run (python -m book ...: the authoring and grading
# rooms), and the site build's Sphinx extension; every other module is reader-facing.
TOOLING = ("book.__main__", "book.authoring", "book.grading")
# Sphinx extensions: imported by the site build only, from requirements.txt.
SITE_BUILD_MODULES = {"book.authoring.sphinx", "book.authoring.bibliography"}
NOTEBOOK_FOLDERS = ("chapters", "solutions", "exercises")
# Imported by a reader module only while the site builds (book.glue in static mode): the
# build's environment (requirements.txt) has it, a reader's kernel never imports it.
SITE_BUILD_ONLY = {"myst_nb"}


def top_level_imports(source):
    # IPython magics (%pip, %matplotlib) are not Python: each becomes `pass`.
    code = "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_tooling(name):
    return any(name == t or name.startswith(t + ".") for t in TOOLING)


def book_modules(tooling):
    """{dotted name: path} of the reader's modules, or of the tools'."""
    return {module_name(path): path for path in sorted((ROOT / "book").rglob("*.py"))
            if module_name(path) not in SITE_BUILD_MODULES
            and is_tooling(module_name(path)) == tooling}


def notebook_sources():
    for folder in NOTEBOOK_FOLDERS:
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            yield from (c.source for c in notebook.cells if c.cell_type == "code")


def third_party(sources):
    modules = {name.split(".")[0]
               for source in sources for name in top_level_imports(source)}
    return modules - set(sys.stdlib_module_names) - {"book", "__future__"}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def undeclared(modules, requirements):
    """{module: its distributions} for each module no requirement provides."""
    declared = {normalise(r.name) for r in requirements}
    providers = packages_distributions()
    missing = {}
    for module in sorted(modules):
        names = {normalise(d) for d in providers.get(module, [])}
        assert names, f"{module} is imported but no installed distribution provides it"
        if not names & declared:
            missing[module] = sorted(names)
    return missing


def reader_imports():
    sources = [p.read_text() for p in book_modules(tooling=False).values()]
    sources += notebook_sources()
    return third_party(sources) - SITE_BUILD_ONLY


def test_what_readers_import_comes_with_the_reader_package():
    missing = undeclared(reader_imports(), reader_requirements())
    assert not missing, f"imported for readers but not a dependency: {missing}"


def test_what_the_tools_import_comes_with_the_instructor_extra():
    tooling = third_party(p.read_text() for p in book_modules(tooling=True).values())
    declared = reader_requirements() + extra_requirements("instructor")
    missing = undeclared(tooling, declared)
    assert not missing, f"a tool imports, not declared nor [instructor]: {missing}"


def test_the_reader_package_has_no_tooling_dependency():
    """Each dependency is imported by a chapter or a reader module."""
    providers = packages_distributions()
    provided = {normalise(d)
                for module in reader_imports() for d in providers.get(module, [])}
    unused = {r.name for r in reader_requirements()
              if normalise(r.name) not in provided}
    assert not unused, f"dependencies no reader imports (move to an extra): {unused}"


def test_what_the_site_build_imports_is_pinned_in_requirements_txt():
    pinned = pinned_requirements(ROOT / "requirements.txt")
    sources = [(ROOT / f"{name.replace('.', '/')}.py").read_text()
               for name in SITE_BUILD_MODULES]
    missing = undeclared(third_party(sources) | SITE_BUILD_ONLY, pinned)
    assert not missing, f"the site build imports, not in requirements.txt: {missing}"


@pytest.mark.parametrize("name", sorted(book_modules(tooling=False)))
def test_reader_module_uses_no_tooling_module(name):
    """The arrows run one way: the tools import the reader's library, never the reverse."""
    source = book_modules(tooling=False)[name].read_text()
    used = {module for module in top_level_imports(source)
            if module and module.startswith("book") and is_tooling(module)}
    relative = [node for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.level > 0]
    assert not relative, f"{name}: absolute imports only (from book.x import y)"
    assert not used, f"{name} imports {sorted(used)}"


# The rooms built on the library (the top of book/): figures, figures with controls and
# figures that compute in the page.
ABOVE_THE_LIBRARY = ("book.figures", "book.interactive", "book.live")
LIBRARY_MODULES = sorted(name for name, path in book_modules(tooling=False).items()
                         if path.parent == ROOT / "book")


@pytest.mark.parametrize("name", LIBRARY_MODULES)
def test_library_module_uses_no_figure_module(name):
    """Operations, models and data come first; figures are drawn from them, not the reverse."""
    source = book_modules(tooling=False)[name].read_text()
    used = {module for module in top_level_imports(source) if module
            and any(module == room or module.startswith(room + ".")
                    for room in ABOVE_THE_LIBRARY)}
    assert not used, f"{name} imports {sorted(used)}"


# Runs the code in argv[2] (the rest of argv as sys.argv) as if the modules named in
# argv[1] were not installed.
BLOCKER = """
import importlib.machinery, sys
hidden = set(sys.argv[1].split())
class PathFinder(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] in hidden:
            return None
        return super().find_spec(name, path, target)
sys.meta_path = [PathFinder if finder is importlib.machinery.PathFinder else finder
                 for finder in sys.meta_path]
code, sys.argv = sys.argv[2], sys.argv[3:]
exec(code)
"""


def instructor_only_distributions():
    reader = {normalise(r.name) for r in reader_requirements()}
    return {normalise(r.name) for r in extra_requirements("instructor")} - reader


def instructor_only_modules():
    """Top-level modules that only the [instructor] extra provides."""
    extra = instructor_only_distributions()
    return {module for module, dists in packages_distributions().items()
            if {normalise(d) for d in dists} & extra}


def run_without(modules, code, *args):
    command = [sys.executable, "-c", BLOCKER, " ".join(modules), code, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)


def test_reader_modules_import_without_the_instructor_extra():
    blocked = instructor_only_modules() | SITE_BUILD_ONLY
    assert {"nbformat", "nbclient", "yaml", "markdown_it"} <= blocked
    modules = list(book_modules(tooling=False))
    code = "import book\nfor m in sys.argv: __import__(m)"
    result = run_without(blocked, code, *modules)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]


def test_the_tools_name_the_extra_they_need():
    from book.__main__ import INSTRUCTOR_MODULES

    providers = packages_distributions()
    checked = {normalise(d) for m in INSTRUCTOR_MODULES for d in providers.get(m, [])}
    assert checked == instructor_only_distributions(), "one module per extra package"
    code = "from book.__main__ import main\nsys.exit(main(sys.argv))"
    result = run_without(instructor_only_modules(), code, "exercises")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: `python -m book exercises` needs the instructor tools (nbformat, "
        'nbclient, ipykernel, jupyter_client, markdown_it, yaml missing): '
        'pip install "cnn-textbook[instructor]"')
