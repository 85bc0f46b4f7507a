"""Every page of the built site on a phone: 390 x 844 CSS pixels, touch input, in Chromium.

A reader on a phone must be able to open and close the table of contents and the page's
own contents with a finger, read every page without it scrolling sideways, see that a
display equation too wide for the screen continues, and find exactly one search entry.
"""

import pytest

from tests import site_layout as layout
from tests.browser import emulate_screen, open_page, serve
from tests.site_pages import PAGES

PHONE = (390, 844)  # an iPhone 12 to 15, the commonest phone width


@pytest.fixture(scope="module")
def phone(browser, site):
    """(browser showing pages as a phone does, base URL of the site served on loopback)."""
    emulate_screen(browser, *PHONE, phone=True)
    with serve(site) as url:
        yield browser, url


def open_on_phone(phone, page):
    browser, url = phone
    return open_page(browser, url, page)


def assert_panel_opens_and_closes(browser, toggle, panel, name):
    assert not layout.is_on_screen(browser, panel), f"the {name} is open before any tap"
    layout.tap_toggle(browser, toggle)
    layout.wait_until(browser, lambda b: layout.is_on_screen(b, panel),
                      f"tapping {toggle} did not bring the {name} on screen")
    layout.tap_beside(browser, panel)
    layout.wait_until(browser, lambda b: not layout.is_on_screen(b, panel),
                      f"tapping beside the {name} did not close it")


@pytest.mark.parametrize("page", PAGES)
def test_table_of_contents_opens_and_closes(phone, page):
    browser = open_on_phone(phone, page)
    assert_panel_opens_and_closes(browser, layout.PRIMARY_TOGGLE, layout.PRIMARY_SIDEBAR,
                                  "table of contents")


@pytest.mark.parametrize("page", PAGES)
def test_page_contents_open_and_close(phone, page):
    browser = open_on_phone(phone, page)
    if not browser.find_elements("css selector", "article h2"):
        pytest.skip("a page without sections has no page contents")
    assert_panel_opens_and_closes(browser, layout.SECONDARY_TOGGLE, layout.SECONDARY_SIDEBAR,
                                  "page contents")


@pytest.mark.parametrize("page", PAGES)
def test_page_does_not_scroll_sideways(phone, page):
    browser = open_on_phone(phone, page)
    culprits = layout.elements_past_the_right_edge(browser)
    overflow = layout.horizontal_overflow(browser)
    assert overflow == 0 and not culprits, (
        f"the page scrolls {overflow} px sideways at {PHONE[0]} px; past the edge:\n"
        + "\n".join(culprits))


@pytest.mark.parametrize("page", PAGES)
def test_wide_display_math_scrolls_in_its_box_and_shows_it(phone, page):
    browser = open_on_phone(phone, page)
    for equation in layout.display_math_boxes(browser):
        if not equation["wider"]:
            continue
        assert equation["overflow_x"] in ("auto", "scroll"), (
            f"display math cut off (overflow-x: {equation['overflow_x']}): {equation['text']}")
        assert layout.shows_more_to_the_right(browser, equation["box"]), (
            f"nothing shows that this equation continues to the right: {equation['text']}")


@pytest.mark.parametrize("page", PAGES)
def test_one_search_entry(phone, page):
    entries = layout.search_entries_shown(open_on_phone(phone, page))
    assert len(entries) == 1, f"{len(entries)} search entries on screen:\n" + "\n".join(entries)
