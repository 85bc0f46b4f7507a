"""Installing the book on Colab leaves every package Colab preinstalls as it is.

The Colab install cell runs `pip install "cnn-textbook @ git+..."`. pip keeps an
installed package whose version satisfies the requirement, so the install changes
nothing preinstalled exactly when each dependency is preinstalled on Colab in a version
it accepts. Colab's versions come from its published `pip freeze` (a copy in tests/data/),
read offline.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from book.authoring.colab import install_cell_source
from tests.colab_runtime import (
    COLAB_FREEZE,
    COLAB_MARKERS,
    COLAB_PYTHON,
    COLAB_VENV,
    parse_freeze,
)
from tests.project_metadata import ROOT, project, reader_requirements


def what_pip_would_change(requirements, preinstalled):
    """One line for each requirement that Colab's preinstalled packages don't meet."""
    problems = []
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate(COLAB_MARKERS):
            continue
        name = canonicalize_name(requirement.name)
        if name not in preinstalled:
            problems.append(f"{requirement}: not preinstalled on Colab (pip would add "
                            "it and what it needs: not checkable offline)")
        elif preinstalled[name] is None:
            problems.append(f"{requirement}: Colab's {name} has no version to compare")
        elif not requirement.specifier.contains(preinstalled[name], prereleases=True):
            problems.append(f"{requirement}: pip would replace Colab's {name} "
                            f"{preinstalled[name]}")
    return problems


@pytest.fixture(scope="module")
def colab():
    assert COLAB_FREEZE.exists(), f"Colab's pip freeze is missing: {COLAB_FREEZE}"
    return parse_freeze(COLAB_FREEZE.read_text())


def test_the_freeze_is_read_with_colabs_versions(colab):
    assert colab["ipython"] == Version("7.34.0")
    assert colab["ipywidgets"] == Version("7.7.1")
    assert colab["torch"] == Version("2.11.0+cpu"), "read from the wheel's URL"
    assert len(colab) > 500


def test_installing_the_book_on_colab_changes_no_preinstalled_package(colab):
    problems = what_pip_would_change(reader_requirements(), colab)
    assert not problems, "\n".join(problems)


def test_colab_runs_the_python_the_package_asks_for():
    assert project()["requires-python"], "requires-python is declared"
    from packaging.specifiers import SpecifierSet
    assert Version(COLAB_PYTHON) in SpecifierSet(project()["requires-python"])


def test_the_install_cell_installs_the_reader_package_without_an_extra():
    line = install_cell_source("https://github.com/o/r", "main").splitlines()[-1]
    requirement = re.search(r'"([^"]+)"', line).group(1)
    assert requirement.split(" @ ")[0] == "cnn-textbook", "no [instructor] on Colab"


def test_a_requirement_colab_does_not_meet_is_named(colab):
    from packaging.requirements import Requirement
    problems = what_pip_would_change(
        [Requirement(r) for r in ("ipython>=8", "numpy>=1.24", "no-such-pkg")], colab)
    assert len(problems) == 2
    assert "pip would replace Colab's ipython 7.34.0" in problems[0]
    assert "no-such-pkg: not preinstalled on Colab" in problems[1]


@pytest.mark.colab
def test_pip_itself_keeps_colabs_versions_in_the_colab_environment():
    """pip's own resolver, offline, in .venv-colab (Colab's versions, see colab.mk)
    would install the book alone."""
    pip = COLAB_VENV / "bin" / "pip"
    if not pip.exists():
        pytest.skip(".venv-colab is missing: run `make colab` (colab.mk)")
    environment = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_FIND_LINKS="",
                       PIP_NO_INDEX="1")
    result = subprocess.run(
        [str(pip), "install", "--dry-run", "--quiet", "--no-build-isolation",
         "--report", "-", str(ROOT)],
        capture_output=True, text=True, env=environment, cwd=Path("/"), timeout=300)
    assert result.returncode == 0, result.stderr.strip()[-2000:]
    report = json.loads(result.stdout)
    installed = [item["metadata"]["name"] for item in report["install"]]
    assert installed == ["cnn-textbook"], f"pip would also install {installed[1:]}"
