"""The chapter notebooks as the site build executed them (``make html``).

myst-nb keeps each executed notebook in ``_build/.jupyter_cache`` (beside the site, so
BOOK_SITE moves it too), matched to its source by the code of its cells; these are the
outputs the website shows.
"""

from pathlib import Path

import nbformat
import pytest

from tests.site_pages import EXECUTED_NOTEBOOKS, PAGES, ROOT

CHAPTERS = [ROOT / f"{page}.ipynb" for page in PAGES if page.startswith("chapters/")]


def built(path: Path):
    """The executed copy of ``path`` from the last site build; fails without one."""
    if not EXECUTED_NOTEBOOKS.exists():
        pytest.fail("the site is not built: run `make html` first (`make test` does)")
    from jupyter_cache import get_cache  # SQLAlchemy and more: only for the site tests

    try:
        _, executed = get_cache(EXECUTED_NOTEBOOKS).merge_match_into_notebook(
            nbformat.read(path, as_version=4))
    except KeyError:
        pytest.fail(f"{path.name} changed since the site was built: run `make html`")
    return executed
