"""The built site's pages stay light (issue 15): interactive frames are separate,
content-addressed files that load when their figure scrolls into view, and MathJax is
loaded only by pages with math. The load times themselves: benchmarks/page_weight.py.
"""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from book.interactive import InteractiveFigure
from book.interactive.frame_files import frame_file_name
from tests.browser import open_page, serve
from tests.site_frames import shown_frame_png
from tests.site_pages import PAGES

HTML_TARGET_BYTES = 300_000
PLAYER_DATA = re.compile(r'class="book-interactive-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


def page_html(site, page) -> str:
    return (site / f"{page}.html").read_text(encoding="utf-8")


def chapter_pages(site) -> list[str]:
    return [page for page in PAGES if page.startswith("chapters/")]


def test_pages_hold_no_inline_images_and_stay_small(site):
    for page in PAGES:
        assert "data:image" not in page_html(site, page), f"{page} inlines an image"
        size = (site / f"{page}.html").stat().st_size
        assert size <= HTML_TARGET_BYTES, f"{page}.html is {size:,} bytes"


def test_every_frame_is_a_content_addressed_file_of_the_site(site):
    players = [(page, json.loads(data)) for page in chapter_pages(site)
               for data in PLAYER_DATA.findall(page_html(site, page))]
    assert players, "no interactive figure on the chapter pages"
    for page, data in players:
        for url in data["frames"]:
            assert url.startswith("../_frames/"), f"{page}: frame at {url[:40]}"
            path = site / "chapters" / url
            assert path.is_file(), f"{page}: {url} is missing"
            assert frame_file_name(path.read_bytes()) == path.name


def test_mathjax_loads_only_on_pages_with_math(site):
    for page in PAGES:
        text = page_html(site, page)
        has_math = 'class="math' in text
        loads_mathjax = re.search(r'<script[^>]*src="[^"]*mathjax/tex-chtml\.js', text)
        assert bool(loads_mathjax) == has_math, (
            f"{page}: {'no ' if has_math else ''}MathJax on a page "
            f"{'with' if has_math else 'without'} math")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_frames_load_when_their_figure_scrolls_into_view(site, browser, server):
    page = "chapters/04_padding_and_stride"
    open_page(browser, server, page)
    browser.execute_script("window.scrollTo(0, 0)")
    last = browser.find_elements("css selector", ".book-interactive")[-1]
    image = last.find_element("css selector", "img.book-interactive-frame")
    assert image.get_attribute("src") is None, "a frame below the fold loaded at once"
    src, png = shown_frame_png(browser, last)
    assert src.startswith(f"{server}/_frames/"), src
    figure = InteractiveFigure.from_spec(json.loads(last.get_attribute("data-spec")))
    assert np.array_equal(pixels(png), pixels(figure.frame()))
    natural, shown = browser.execute_script(
        "return [arguments[0].naturalWidth, arguments[0].width]", image)
    assert shown == natural // 2  # hi-dpi: twice the pixels it is shown at


def test_no_page_loads_fontawesome_js_and_icons_still_show(site, browser, server):
    for page in PAGES:
        assert "fontawesome.js" not in page_html(site, page), page
    open_page(browser, server, "chapters/04_padding_and_stride")
    icons = browser.execute_script("""
        return Array.from(document.querySelectorAll("i.fa-solid, i.fas, i.fab"))
            .filter(icon => icon.offsetParent !== null)
            .map(icon => [icon.className, getComputedStyle(icon, "::before").fontFamily,
                          icon.getBoundingClientRect().width]);
    """)
    assert icons, "no icon on screen"
    for name, font, width in icons:  # drawn by the theme's CSS with the web font
        assert "Font Awesome" in font and width > 0, f"icon {name}: {font}, {width} px"
