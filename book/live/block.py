"""What every live figure's HTML block is built from: its page scripts and its id."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from importlib import resources

# Ids numbered per kind in the order the blocks are made, so two builds write the same HTML.
_block_numbers = defaultdict(lambda: itertools.count(1))


@functools.cache
def page_script(*names: str) -> str:
    """The scripts of this package called ``names``, in that order, joined by newlines."""
    folder = resources.files(__package__)
    return "\n".join(folder.joinpath(name).read_text(encoding="utf-8") for name in names)


def block_id(kind: str) -> str:
    """The next id of a block of this kind: "book-<kind>-1", "book-<kind>-2", ..."""
    return f"book-{kind}-{next(_block_numbers[kind])}"
