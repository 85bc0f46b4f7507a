"""Fixtures shared by several test modules: the built site and a browser.

The markers that sort tests into lanes are put on in ../conftest.py.
"""

import os
from pathlib import Path

import pytest

from tests.browser import chromium_paths, start_chromium
from tests.site_pages import SITE


@pytest.fixture(scope="session")
def site() -> Path:
    """The site that `make html` built: the folder of its pages; fails without one."""
    if not (SITE / "index.html").exists():
        pytest.fail("the site is not built: run `make html` first (`make test` does)")
    return SITE


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's headless Chromium under Selenium, one per test module.

    Without the packages a local run skips; in CI (where `make test` installs them) it fails.
    """
    if chromium_paths() is None:
        message = "Debian's chromium and chromium-driver are needed (make test installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    driver = start_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()
