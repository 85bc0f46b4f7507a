"""Launching on Colab and Binder: one repository URL, followed everywhere."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from book.authoring.colab import (
    NOTEBOOK_FOLDERS,
    TAG,
    has_install_cell,
    install_cell_source,
    repository,
    sync,
)
from tests.colab_runtime import COLAB_FREEZE, COLAB_VENV, parse_freeze
from tests.project_metadata import pinned_versions, reader_requirements

ROOT = Path(__file__).resolve().parents[1]
COLAB_PYTHON = COLAB_VENV / "bin" / "python"
NOTEBOOKS = sorted(p for folder in NOTEBOOK_FOLDERS
                   for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_notebook_starts_with_the_current_install_cell(path):
    url, branch = repository(ROOT / "_config.yml")
    notebook = nbformat.read(path, as_version=4)
    assert has_install_cell(notebook, url, branch), (
        f"{path.name}: run `python -m book colab-cells` to write the install cell")
    assert "remove-cell" in notebook.cells[0].metadata["tags"], "hidden on the website"
    assert sum(TAG in c.metadata.get("tags", []) for c in notebook.cells) == 1


# How Colab recognises a pip install whose output it checks for packages already
# imported (and then offers a restart): googlecolab/colabtools, google/colab/_pip.py.
COLAB_PIP_INSTALL = re.compile(r"^pip[23]?\s+install")
TRANSFORM = """
import sys
from IPython.core.inputtransformer2 import TransformerManager
print(TransformerManager().transform_cell(sys.stdin.read()))
"""


def shell_command(python, source):
    """The shell command IPython (of that `python`) runs for the cell, or None."""
    result = subprocess.run([str(python), "-c", TRANSFORM], input=source,
                            capture_output=True, text=True, check=True)
    match = re.search(r"get_ipython\(\)\.system\((.+)\)\s*$", result.stdout, re.M)
    return ast.literal_eval(match.group(1)) if match else None


def test_install_cell_installs_only_on_colab_and_never_torch():
    source = install_cell_source("https://github.com/o/r", "main")
    assert 'if "google.colab" in sys.modules:' in source
    assert '!pip install "cnn-textbook @ git+https://github.com/o/r@main"' in source
    assert "torch" not in source.split("\n", 3)[-1]


@pytest.mark.parametrize("python", [
    pytest.param(Path(sys.executable), id="this-ipython"),
    pytest.param(COLAB_PYTHON, id="colab-ipython-7.34", marks=pytest.mark.colab)])
def test_colab_sees_the_install_and_its_output(python):
    """IPython runs a shell command that Colab's restart check recognises, and pip says
    what it installed (no --quiet), which that check reads."""
    if not python.exists():
        pytest.skip(".venv-colab is missing: run `make colab` (colab.mk)")
    source = install_cell_source("https://github.com/o/r", "main")
    command = shell_command(python, source)
    assert command == 'pip install "cnn-textbook @ git+https://github.com/o/r@main"'
    assert COLAB_PIP_INSTALL.match(command)
    assert not {"-q", "--quiet"} & set(command.split())


def test_sync_follows_the_url_in_config(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/someone/fork/\n  branch: dev\n")
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "x.ipynb"
    cells = [nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    assert sync(tmp_path) == [path]
    assert sync(tmp_path) == [], "a second run changes nothing"
    notebook = nbformat.read(path, as_version=4)
    assert "git+https://github.com/someone/fork@dev" in notebook.cells[0].source
    assert notebook.cells[1].source == "1 + 1"


def test_binder_installs_the_reader_dependencies_and_nothing_else():
    binder = set(pinned_versions(ROOT / "binder" / "requirements.txt"))
    reader = {canonicalize_name(r.name) for r in reader_requirements()}
    assert binder == reader, (f"missing: {sorted(reader - binder)}, "
                              f"not for readers: {sorted(binder - reader)}")


def test_binder_post_build_leaves_no_build_files_in_the_repository(tmp_path):
    """binder/postBuild, run in a copy of the repository with a fresh environment's
    pip: the package installs, and the learner's file browser shows the same files."""
    repository = tmp_path / "repo"
    shutil.copytree(ROOT, repository, ignore=shutil.ignore_patterns(
        ".*", "_build", "*.egg-info", "__pycache__", "build"))
    before = sorted(p.relative_to(repository) for p in repository.rglob("*"))
    environment = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", environment], check=True)
    path = f"{environment / 'bin'}:{os.environ['PATH']}"
    result = subprocess.run(["bash", "binder/postBuild"], cwd=repository, text=True,
                            capture_output=True, timeout=300,
                            env=dict(os.environ, PATH=path))
    assert result.returncode == 0, result.stderr[-2000:]
    after = sorted(p.relative_to(repository) for p in repository.rglob("*"))
    assert after == before, f"new in the repository: {sorted(set(after) - set(before))}"
    located = subprocess.run(
        [environment / "bin" / "python", "-c", "import book; print(book.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "site-packages" in located, "installed, not read from the repository"


def test_colab_environment_has_colabs_versions():
    """requirements-colab.txt (the notebook run in .venv-colab) pins Colab's version of
    every package Colab preinstalls; torch is the build's own (the local CPU wheel)."""
    colab = parse_freeze(COLAB_FREEZE.read_text())
    pinned = {name: Version(version)
              for name, version in pinned_versions(ROOT / "requirements-colab.txt").items()}
    for name in ("ipython", "ipykernel", "ipywidgets", "traitlets", "numpy",
                 "matplotlib"):
        assert pinned.get(name) == colab[name], f"{name}: Colab has {colab[name]}"
    assert pinned.pop("torch") == Version(pinned_versions(ROOT / "requirements.txt")["torch"])
    differing = {n: str(v) for n, v in pinned.items() if n in colab and colab[n] != v}
    assert not differing, f"pinned unlike Colab: {differing}"
    reader = {canonicalize_name(r.name) for r in reader_requirements()}
    assert reader <= set(pinned) | {"torch"}, "every reader dependency is pinned"


def test_readme_links_follow_the_configured_repository():
    url, branch = repository(ROOT / "_config.yml")
    owner, name = url.rstrip("/").split("/")[-2:]
    readme = (ROOT / "README.md").read_text()
    mentioned = set(re.findall(r"(?:github\.com|/gh)/([\w.-]+)/([\w.-]+)/", readme))
    mentioned |= set(re.findall(r"https://([\w.-]+)\.github\.io/([\w.-]+)/", readme))
    assert mentioned == {(owner, name)}, f"README: {mentioned}, _config.yml: {url}"
    assert f"/{branch}?urlpath=" in readme and f"/blob/{branch}/" in readme
