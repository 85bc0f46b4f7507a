"""Launching on Colab and Binder: one repository URL, followed everywhere."""

import re
from pathlib import Path

import nbformat
import pytest

from book.colab import NOTEBOOK_FOLDERS, TAG, has_install_cell, install_cell_source, repository, sync

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in NOTEBOOK_FOLDERS for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_notebook_starts_with_the_current_install_cell(path):
    url, branch = repository(ROOT / "_config.yml")
    notebook = nbformat.read(path, as_version=4)
    assert has_install_cell(notebook, url, branch), (
        f"{path.name}: run `python -m book colab-cells` to write the Colab install cell")
    assert "remove-cell" in notebook.cells[0].metadata["tags"], "hidden on the website"
    assert sum(TAG in c.metadata.get("tags", []) for c in notebook.cells) == 1


def test_install_cell_installs_only_on_colab_and_never_torch():
    source = install_cell_source("https://github.com/o/r", "main")
    assert 'if "google.colab" in sys.modules:' in source
    assert '%pip install --quiet "cnn-textbook @ git+https://github.com/o/r@main"' in source
    assert "torch" not in source.split("\n", 3)[-1]


def test_sync_follows_the_url_in_config(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/someone/fork/\n  branch: dev\n")
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), path)
    assert sync(tmp_path) == [path]
    assert sync(tmp_path) == [], "a second run changes nothing"
    notebook = nbformat.read(path, as_version=4)
    assert "git+https://github.com/someone/fork@dev" in notebook.cells[0].source
    assert notebook.cells[1].source == "1 + 1"


def pins(path):
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_binder_uses_cpu_torch_and_the_same_pins():
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert "https://download.pytorch.org/whl/cpu" in binder
    book_pins, binder_pins = pins(ROOT / "requirements.txt"), pins(ROOT / "binder" / "requirements.txt")
    assert binder_pins["torch"] == book_pins["torch"] + "+cpu"
    for name, version in binder_pins.items():
        if name != "torch":
            assert book_pins.get(name) == version, f"binder pins {name}=={version}"
    assert "pip install --no-deps ." in (ROOT / "binder" / "postBuild").read_text()


def test_readme_links_follow_the_configured_repository():
    url, branch = repository(ROOT / "_config.yml")
    owner, name = url.rstrip("/").split("/")[-2:]
    readme = (ROOT / "README.md").read_text()
    mentioned = set(re.findall(r"(?:github\.com|/gh)/([\w.-]+)/([\w.-]+)/", readme))
    mentioned |= set(re.findall(r"https://([\w.-]+)\.github\.io/([\w.-]+)/", readme))
    assert mentioned == {(owner, name)}, f"README points at {mentioned}, _config.yml at {url}"
    assert f"/{branch}?urlpath=" in readme and f"/blob/{branch}/" in readme
