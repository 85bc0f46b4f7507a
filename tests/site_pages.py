"""The pages of the book: every file of the table of contents (_toc.yml), in reading order,
and where the build under test lies."""

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# BOOK_SITE points the site tests at another build (a helper's or a reviewer's copy).
SITE = Path(os.environ.get("BOOK_SITE") or ROOT / "_build" / "html")
# myst-nb's store of the notebooks that build executed.
EXECUTED_NOTEBOOKS = SITE.parent / ".jupyter_cache"


def toc_files() -> list[str]:
    """The table of contents' files, without suffix: ['intro', 'preface', 'chapters/...']."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return files


PAGES = toc_files()
