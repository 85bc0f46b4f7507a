"""ruff, configured in pyproject.toml ([tool.ruff]), finds nothing in the repository."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")  # pinned in requirements.txt


def test_ruff_finds_nothing():
    result = subprocess.run([str(RUFF), "check", "--no-cache", "--output-format", "concise",
                             str(ROOT)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("ruff check (`.venv/bin/ruff check --fix` mends those marked [*]):\n"
                    + result.stdout + result.stderr, pytrace=False)
