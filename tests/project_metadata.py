"""What pyproject.toml and the requirements files declare, for the packaging, Colab and
pin tests."""

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # requirements.txt pins tomli, the same parser, for Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def reader_requirements() -> list[Requirement]:
    """What `pip install cnn-textbook` brings: the dependencies, no extra."""
    return [Requirement(spec) for spec in project()["dependencies"]]


def extra_requirements(extra: str) -> list[Requirement]:
    return [Requirement(spec) for spec in project()["optional-dependencies"][extra]]


def pinned_requirements(path: Path) -> list[Requirement]:
    """The requirements of a pip requirements file, one a line; comments and pip's
    options (``--extra-index-url ...``) left out."""
    lines = (line.split(" #")[0].strip() for line in Path(path).read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def pinned_versions(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line of a requirements file, the name
    normalised as pip compares names (``PyYAML`` and ``pyyaml`` are one package)."""
    versions = {}
    for requirement in pinned_requirements(path):
        pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if pins:
            versions[canonicalize_name(requirement.name)] = pins[0]
    return versions
