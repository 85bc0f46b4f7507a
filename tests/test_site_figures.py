"""Every figure of every chapter page, on a phone (390 CSS px wide, 3 device pixels per
CSS pixel) in Chromium: numbered, captioned, described, referred to, sharp and readable.

A figure is a notebook cell's image output or an interactive figure's player. It must sit
in a numbered ``<figure>`` ("Figure 12" in its caption), carry an alt text that describes
it (not the file path Sphinx writes by default), and be referred to by number in the
page's text. Its text must be readable where the page is 390 px wide: an SVG figure's
smallest text, drawn at its font size times the scale the figure is shown at, at least
MIN_TEXT_PX; a raster figure must have at least RASTER_DENSITY image pixels per CSS pixel
it is shown at, so that high-density screens do not blur it.
"""

import re
import urllib.parse
from pathlib import Path

import pytest

from tests.browser import emulate_screen, open_page, serve
from tests.site_pages import PAGES

PHONE = (390, 844)
MIN_TEXT_PX = 9.0
RASTER_DENSITY = 2
CHAPTER_PAGES = [page for page in PAGES if page.startswith("chapters/")]
FIGURE_NUMBER = re.compile(r"^Figure \d+(\.\d+)*\s*$")
# matplotlib draws each piece of text as glyph paths scaled by font size / 100
# (matplotlib.textpath.TextToPath.FONT_SCALE), in the SVG's viewBox units.
GLYPH_SCALE = re.compile(r"scale\(([0-9.]+) -\1\)")
FONT_SCALE = 100

# One entry per figure of the page: an interactive figure's player, or an image output
# of a cell (the players' frames are outputs too, counted once with their player). Each
# is scrolled into view in turn: players load their frame only then.
COLLECT_FIGURES = """
const done = arguments[arguments.length - 1];
const article = document.querySelector("article") || document.body;
const items = [...article.querySelectorAll(
    ".book-interactive, div.cell_output img:not(.book-interactive-frame)")];
const imageOf = item => item.tagName === "IMG"
    ? item : item.querySelector("img.book-interactive-frame");
const loaded = img => img && img.complete && img.naturalWidth > 0;
const report = () => items.map(item => {
    const img = imageOf(item);
    const figure = item.closest("figure");
    const number = figure && figure.querySelector("figcaption .caption-number");
    const text = figure && figure.querySelector("figcaption .caption-text");
    return {
        what: item.tagName === "IMG" ? "image" : "interactive figure",
        src: img ? img.currentSrc || img.src : null,
        alt: img ? img.getAttribute("alt") : null,
        number: number ? number.textContent : null,
        caption: text ? text.textContent.trim() : "",
        id: figure ? figure.id : "",
        referred: figure && figure.id
            ? article.querySelectorAll(`a[href="#${figure.id}"]`).length : 0,
        shown_width: img ? img.getBoundingClientRect().width : 0,
        natural_width: img ? img.naturalWidth : 0,
    };
});
// One figure at a time, until its image has loaded (or 10 s have passed).
const visit = (index, deadline) => {
    if (index === items.length) { done(report()); return; }
    if (deadline === undefined) { items[index].scrollIntoView(); }
    const until = deadline ?? Date.now() + 10000;
    if (loaded(imageOf(items[index])) || Date.now() > until) { visit(index + 1); }
    else { setTimeout(() => visit(index, until), 50); }
};
visit(0);
"""


@pytest.fixture(scope="module")
def figures_of(browser, site):
    """page -> the figures of that chapter page, as COLLECT_FIGURES reports them."""
    emulate_screen(browser, *PHONE, phone=True)
    collected = {}
    with serve(site) as url:
        for page in CHAPTER_PAGES:
            open_page(browser, url, page)
            collected[page] = browser.execute_async_script(COLLECT_FIGURES)
    return collected


def site_file(site: Path, src: str) -> Path | None:
    """The file of the site that an image's URL names; None for data: URLs."""
    if src.startswith("data:"):
        return None
    return site / urllib.parse.unquote(urllib.parse.urlparse(src).path).lstrip("/")


def smallest_text_in_viewbox_units(svg: str) -> float | None:
    """The smallest font size of a matplotlib SVG in its viewBox units; None without text."""
    sizes = [float(scale) * FONT_SCALE for scale in GLYPH_SCALE.findall(svg)]
    return min(sizes, default=None)


def viewbox_width(svg: str) -> float:
    return float(re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) ', svg).group(1))


def describe(figure: dict) -> str:
    """'image Figure 3' once numbered; before, the image's file name."""
    src = figure["src"] or ""
    name = "inline frame" if src.startswith("data:") else src.rsplit("/", 1)[-1][:16]
    return f"{figure['what']} {(figure['number'] or name).strip()!r}"


def test_the_svg_text_sizes_are_read_from_matplotlibs_glyph_scales():
    svg = ('<svg viewBox="0 0 504 216"><g transform="translate(1 2) scale(0.1 -0.1)"/>'
           '<g transform="translate(3 4) scale(0.08 -0.08)"/></svg>')
    assert smallest_text_in_viewbox_units(svg) == pytest.approx(8)
    assert viewbox_width(svg) == 504
    assert smallest_text_in_viewbox_units('<svg viewBox="0 0 5 5"></svg>') is None


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_every_figure_is_numbered_captioned_and_described(figures_of, page):
    problems = []
    for figure in figures_of[page]:
        if not FIGURE_NUMBER.match(figure["number"] or ""):
            problems.append(f"{describe(figure)}: no 'Figure N' caption number")
        if len(figure["caption"]) < 10:
            problems.append(f"{describe(figure)}: caption {figure['caption']!r}")
        alt = (figure["alt"] or "").strip()
        if len(alt) < 10 or re.search(r"_images/|\.(png|svg|jpe?g)$", alt):
            problems.append(f"{describe(figure)}: alt text {alt!r}")
    assert not problems, f"{page}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_every_figure_is_referred_to_by_number(figures_of, page):
    unreferred = [describe(f) for f in figures_of[page] if not f["referred"]]
    assert not unreferred, f"{page}: no {{numref}} in the text for " + ", ".join(unreferred)


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_figures_are_sharp_and_readable_at_phone_width(figures_of, site, page):
    problems = []
    for figure in figures_of[page]:
        path = site_file(site, figure["src"] or "")
        shown = figure["shown_width"]
        if path is not None and path.suffix == ".svg":
            svg = path.read_text(encoding="utf-8")
            smallest = smallest_text_in_viewbox_units(svg)
            if smallest is not None:
                px = smallest * shown / viewbox_width(svg)
                if px < MIN_TEXT_PX:
                    problems.append(f"{describe(figure)}: text {px:.1f} px at {shown:.0f} px "
                                    f"wide (below {MIN_TEXT_PX:g} px)")
        elif figure["natural_width"] < RASTER_DENSITY * shown - 1:
            problems.append(f"{describe(figure)}: {figure['natural_width']} image pixels "
                            f"shown {shown:.0f} px wide (below {RASTER_DENSITY}x)")
    assert not problems, f"{page} at {PHONE[0]} px:\n" + "\n".join(problems)
