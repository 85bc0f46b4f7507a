"""What pyproject.toml declares, for the packaging and Colab tests."""

import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; pip carries the same parser.
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def reader_requirements() -> list[Requirement]:
    """What `pip install cnn-textbook` brings: the dependencies, no extra."""
    return [Requirement(spec) for spec in project()["dependencies"]]


def extra_requirements(extra: str) -> list[Requirement]:
    return [Requirement(spec) for spec in project()["optional-dependencies"][extra]]
