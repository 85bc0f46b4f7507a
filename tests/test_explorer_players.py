"""A switch drives the static player as it drives the widget: in Chromium, at phone and
desktop width, clicking the pooling explorer's "overlapping" switch shows the frame that
the draw function makes with it on, and clicking again the one with it off."""

import base64

import pytest

from book.figures.pooling import draw_pooling_invariance
from book.interactive import Dropdown, Slider, Toggle, interactive_figure
from tests.browser import emulate_screen, serve

EXPLORER = interactive_figure(
    draw_pooling_invariance, title="Pooling invariance explorer",
    shift=Slider("shift (pixels)", range(0, 3)), pool=Dropdown("pooling", ["max"]),
    overlapping=Toggle("overlapping 3x3 windows"))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("player")
    (folder / "explorer.html").write_text(
        "<!DOCTYPE html><html><head><meta name='viewport' "
        "content='width=device-width, initial-scale=1'></head><body>"
        f"{EXPLORER.to_html()}</body></html>", encoding="utf-8")
    with serve(folder) as base_url:
        yield f"{base_url}/explorer.html"


def shown_png(browser) -> bytes:
    source = browser.find_element("css selector", ".book-interactive-frame") \
        .get_attribute("src")
    return base64.b64decode(source.split(",", 1)[1])


@pytest.mark.parametrize("width, phone", [(390, True), (1400, False)])
def test_the_switch_shows_the_frame_drawn_with_it(browser, page, width, phone):
    emulate_screen(browser, width, 900, phone=phone)
    browser.get(page)
    switch = browser.find_element("css selector", "input[type=checkbox]")
    assert not switch.is_selected()
    assert shown_png(browser) == EXPLORER.frame(shift=0, pool="max", overlapping=False)
    for overlapping in (True, False):
        switch.click()
        assert shown_png(browser) == EXPLORER.frame(shift=0, pool="max",
                                                    overlapping=overlapping)
    frame = browser.find_element("css selector", ".book-interactive-frame")
    assert frame.rect["width"] <= width
