"""Colab's CPU runtime as the tests know it, offline: its published ``pip freeze`` (a copy
in tests/data/), its Python, and .venv-colab, the environment with its versions (colab.mk).
"""

import re

from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.project_metadata import ROOT

COLAB_FREEZE = ROOT / "tests" / "data" / "colab-pip-freeze-2026-08-19.txt"
COLAB_PYTHON = "3.13"
# Where Colab runs the cell: the environment markers of a requirement are judged for it.
COLAB_MARKERS = {"python_version": COLAB_PYTHON,
                 "python_full_version": COLAB_PYTHON + ".0",
                 "sys_platform": "linux", "platform_system": "Linux",
                 "os_name": "posix",
                 "platform_machine": "x86_64", "implementation_name": "cpython",
                 "platform_python_implementation": "CPython", "extra": ""}
COLAB_VENV = ROOT / ".venv-colab"


def version_in_url(url):
    """The version in a wheel's or sdist's name (torch-2.11.0%2Bcpu-cp313-...whl)."""
    name = url.rsplit("/", 1)[-1].replace("%2B", "+")
    match = re.match(r"[^-]+-([^-]+?)(?:-|\.tar\.gz$|\.zip$)", name)
    return Version(match.group(1)) if match else None


def parse_freeze(text):
    """{canonical name: Version, or None where the line names no version}."""
    versions = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if " @ " in line:
            name, url = line.split(" @ ", 1)
            versions[canonicalize_name(name)] = version_in_url(url)
        else:
            name, version = line.split("==", 1)
            versions[canonicalize_name(name)] = Version(version)
    return versions
