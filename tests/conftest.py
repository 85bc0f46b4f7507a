"""Fixtures shared by several test modules."""

import os

import pytest

from tests.browser import chromium_paths, start_chromium


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
