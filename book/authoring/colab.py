"""The first cell of every notebook: on Colab, install this book's helper package.

The repository URL lives only in ``_config.yml`` (``repository.url`` and ``branch``),
where the Binder and Colab launch buttons read it too. ``python -m book colab-cells``
writes the cell into every notebook from there, and a test fails if any notebook is out
of date. The cell installs the reader's package only, whose dependencies Colab already
meets (tests/test_colab_resolution.py), so it changes no package Colab preinstalls.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

TAG = "colab-install"
NOTEBOOK_FOLDERS = ("chapters", "solutions", "exercises")


def repository(config: Path) -> tuple[str, str]:
    """(url, branch) of the book's repository, from ``_config.yml``."""
    settings = yaml.safe_load(Path(config).read_text())["repository"]
    return settings["url"].rstrip("/"), settings.get("branch", "main")


def install_cell_source(url: str, branch: str) -> str:
    # `!pip install`, not `%pip`: Colab checks a shell command starting `pip install`
    # and, should it replace a package already imported, shows a restart button;
    # IPython 7's `%pip` runs `python -m pip` and always prints "you may need to
    # restart". Not `--quiet`: it hides the "Successfully installed" line Colab reads.
    return (
        "# On Colab only: install the book's helper package `book` from the "
        "repository.\n"
        "# Colab already has the packages it needs (torch, numpy, matplotlib, "
        "ipywidgets),\n"
        "# so pip adds `book` alone and no restart is needed.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    !pip install "cnn-textbook @ git+{url}@{branch}"'
    )


def install_cell(url: str, branch: str):
    # remove-cell hides it on the website, where the package is already installed.
    return nbformat.v4.new_code_cell(install_cell_source(url, branch),
                                     metadata={"tags": ["remove-cell", TAG]})


def has_install_cell(notebook, url: str, branch: str) -> bool:
    first = notebook.cells[0] if notebook.cells else None
    return (first is not None and TAG in first.metadata.get("tags", [])
            and first.source == install_cell_source(url, branch))


def sync(root: Path) -> list[Path]:
    """Put the current install cell first in every notebook; return those changed."""
    root = Path(root)
    url, branch = repository(root / "_config.yml")
    changed = []
    for folder in NOTEBOOK_FOLDERS:
        for path in sorted((root / folder).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            if has_install_cell(notebook, url, branch):
                continue
            cells = [c for c in notebook.cells if TAG not in c.metadata.get("tags", [])]
            notebook.cells = [install_cell(url, branch)] + cells
            nbformat.write(notebook, path)
            changed.append(path)
    return changed
