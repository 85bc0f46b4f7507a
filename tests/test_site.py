"""The built website (_build/html, made by `make html`) in a real headless Chromium.

Every page of the table of contents is opened from a local HTTP server: no console errors,
no resource fetched from another host, internal links that resolve, launch buttons that
point at this repository, on a 1400 px desktop a menu button that hides and shows the
table of contents and a single search box, and every interactive figure's controls change
the figure to the exact frame its Python drawing function makes for those values.
The same site on a phone: tests/test_site_phone.py.
"""

import functools
import html
import html.parser
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
from PIL import Image

from book.authoring.colab import repository
from book.interactive import InteractiveFigure
from tests import site_layout as layout
from tests.browser import emulate_screen, open_page, serve
from tests.site_frames import shown_frame_png
from tests.site_pages import PAGES

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = (1400, 900)


# Pages Sphinx adds beside the table of contents; index.html redirects to the first page.
EXTRA_PAGES = ["index", "search", "genindex"]


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


class LinkCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.resources = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") != "canonical":
            self.resources.append(attrs["href"])


@functools.cache
def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def built_pages(site):
    return sorted(p for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_the_table_of_contents_is_built(site, page):
    assert (site / f"{page}.html").exists()


def test_internal_links_resolve(site):
    broken = []
    for page in built_pages(site):
        for link in parse(page).links + parse(page).resources:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith(("//", "mailto:", "data:")):
                continue
            target = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif parsed.fragment and target.suffix == ".html" and \
                    parsed.fragment not in parse(target).ids:
                broken.append(f"{page.relative_to(site)} -> {link} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_pages_load_nothing_from_other_hosts(site):
    remote = [f"{p.relative_to(site)}: {src}" for p in built_pages(site)
              for src in parse(p).resources
              if urlparse(src).scheme in ("http", "https") or src.startswith("//")]
    assert not remote, "the site must work offline:\n" + "\n".join(remote)


def bibliography_labels(site) -> dict[str, str]:
    """{entry id: label text} of the bibliography page, e.g. {'id2': 'Hubel and Wiesel, 1959'}."""
    page = (site / "bibliography.html").read_text(encoding="utf-8")
    return {match["id"]: html.unescape(re.sub(r"<[^>]+>", "", match["label"])).strip("[]")
            for match in re.finditer(r'<div class="citation" id="(?P<id>[^"]+)"[^>]*>\s*'
                                     r'<span class="label">(?P<label>.*?)</span></span>',
                                     page)}


def test_bibliography_labels_read_as_the_citations(site):
    labels = bibliography_labels(site)
    assert labels, "no bibliography entries found"
    citations = [(page, match["id"], html.unescape(re.sub(r"<[^>]+>", "", match["text"])))
                 for page in built_pages(site)
                 for match in re.finditer(r'href="(?:\.\./)?bibliography\.html#(?P<id>[^"]+)"'
                                          r'[^>]*>(?P<text>.*?)</a>',
                                          page.read_text(encoding="utf-8"))]
    assert citations, "no citations found"
    wrong = [f"{page.relative_to(site)}: cites {text!r}, the entry says {labels.get(id_)!r}"
             for page, id_, text in citations if labels.get(id_) != text]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES + EXTRA_PAGES)
def test_page_has_no_console_errors(browser, server, page):
    browser.get_log("browser")  # drop what an earlier page left
    open_page(browser, server, page)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, "\n".join(e["message"] for e in errors)
    assert browser.execute_script("return document.querySelectorAll('h1').length") >= 1


def test_launch_buttons_point_at_this_repository(browser, server):
    url, branch = repository(ROOT / "_config.yml")
    owner_repo = urlparse(url).path.strip("/")
    page = "chapters/04_padding_and_stride"
    open_page(browser, server, page)
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert (f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{page}.ipynb"
            in hrefs)
    assert (f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{page}.ipynb"
            in hrefs)
    assert url in hrefs


@pytest.fixture
def desktop(browser, server):
    """(browser showing pages on a 1400 x 900 desktop screen, base URL of the site)."""
    emulate_screen(browser, *DESKTOP, phone=False)
    yield browser, server
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("page", PAGES)
def test_menu_button_hides_and_shows_the_table_of_contents(desktop, page):
    browser = open_page(*desktop, page)
    assert layout.is_on_screen(browser, layout.PRIMARY_SIDEBAR)
    for shown in (False, True):
        layout.the_visible_toggle(browser, layout.PRIMARY_TOGGLE).click()
        layout.wait_until(
            browser, lambda b, shown=shown: layout.is_on_screen(b, layout.PRIMARY_SIDEBAR) == shown,
            f"the menu button did not {'show' if shown else 'hide'} the table of contents")


@pytest.mark.parametrize("page", PAGES)
def test_one_search_box_on_a_desktop(desktop, page):
    entries = layout.search_entries_shown(open_page(*desktop, page))
    assert len(entries) == 1, f"{len(entries)} search entries on screen:\n" + "\n".join(entries)


def frame_pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def figures_on(browser):
    return browser.find_elements("css selector", ".book-interactive")


def current_values(root, spec):
    values = {}
    for param in spec["params"]:
        control = root.find_element("css selector", f'[data-param="{param["name"]}"]')
        if param["kind"] == "toggle":
            index = 1 if control.is_selected() else 0
        else:
            index = int(control.get_attribute("value"))
        values[param["name"]] = param["options"][index]
    return values


def press(browser, root, param, key_name):
    """Press a key on one control, as a keyboard user would."""
    from selenium.webdriver.common.keys import Keys

    control = root.find_element("css selector", f'[data-param="{param["name"]}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
    control.send_keys(getattr(Keys, key_name))


def step(browser, root, param):
    key = {"toggle": "SPACE", "slider": "ARROW_RIGHT", "dropdown": "ARROW_DOWN"}[param["kind"]]
    press(browser, root, param, key)


def assert_shows(browser, root, figure, values):
    image = root.find_element("css selector", "img.book-interactive-frame")
    _, png = shown_frame_png(browser, root)
    shown = frame_pixels(png)
    expected = frame_pixels(figure.frame(**values))
    assert shown.shape == expected.shape and np.array_equal(shown, expected), (
        f"{figure.title}: the page shows a different frame than Python draws for {values}")
    assert image.get_attribute("alt") == figure.alt_text(**values)
    return shown


def has_interactive_figures(site, page) -> bool:
    return "book-interactive" in (site / f"{page}.html").read_text()


def test_the_book_has_interactive_figures(site):
    assert has_interactive_figures(site, "chapters/04_padding_and_stride")


@pytest.mark.parametrize("page", PAGES)
def test_every_control_changes_the_figure_to_the_right_frame(site, browser, server, page):
    if not has_interactive_figures(site, page):
        pytest.skip("no interactive figure on this page")
    open_page(browser, server, page)
    for root in figures_on(browser):
        spec = json.loads(root.get_attribute("data-spec"))
        figure = InteractiveFigure.from_spec(spec)
        for param in spec["params"]:
            label = root.find_element(
                "css selector",
                f'label[for="{root.get_attribute("id")}-{param["name"]}"]')
            assert label.is_displayed() and label.text == param["label"]
        shown = assert_shows(browser, root, figure, current_values(root, spec))
        for param in spec["params"]:
            if param["kind"] != "toggle":
                press(browser, root, param, "HOME")  # to the first option
                shown = assert_shows(browser, root, figure, current_values(root, spec))
            changed = False
            for _ in range(len(param["options"]) - 1):
                before = current_values(root, spec)
                step(browser, root, param)
                after = current_values(root, spec)
                assert after[param["name"]] != before[param["name"]], (
                    f"{spec['title']}: the keyboard did not move {param['label']!r}")
                previous, shown = shown, assert_shows(browser, root, figure, after)
                changed |= not np.array_equal(previous, shown)
            assert changed, f"{spec['title']}: moving {param['label']!r} never changed the figure"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, "\n".join(e["message"] for e in errors)
