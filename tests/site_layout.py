"""What a reader of the built site sees of its layout, measured in the browser.

Shared by tests/test_site.py (desktop width) and tests/test_site_phone.py (phone width).
Positions are CSS pixels of the viewport; "on screen" means drawn, inside the viewport
horizontally, and not covered by something else at its centre.
"""

import base64
import io

import numpy as np
from PIL import Image
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import tap

PRIMARY_SIDEBAR = ".bd-sidebar-primary"  # the table of contents
SECONDARY_SIDEBAR = ".bd-sidebar-secondary"  # "On this page"
PRIMARY_TOGGLE = ".primary-toggle"
SECONDARY_TOGGLE = ".secondary-toggle"
SEARCH_ENTRIES = ".search-button__button, input[type=search]"
# How long the theme's sidebar may take to slide in or out.
SETTLE_SECONDS = 5

# Shared by the probes below: whether an element is drawn with a size.
IS_DRAWN_JS = """
const isDrawn = (e) => {
    const box = e.getBoundingClientRect();
    return e.checkVisibility({visibilityProperty: true, opacityProperty: true})
        && box.width > 0 && box.height > 0;
};
"""


def visible(browser, selector: str) -> list:
    """The elements matching selector that are drawn with a size (on screen or not)."""
    return browser.execute_script(IS_DRAWN_JS + """
        return Array.from(document.querySelectorAll(arguments[0])).filter(isDrawn);
    """, selector)


def is_on_screen(browser, selector: str) -> bool:
    """Whether the first element matching selector is drawn inside the viewport, on top."""
    return browser.execute_script(IS_DRAWN_JS + """
        const element = document.querySelector(arguments[0]);
        if (!element || !isDrawn(element)) return false;
        const box = element.getBoundingClientRect();
        const width = document.documentElement.clientWidth;
        if (box.left < -1 || box.right > width + 1) return false;
        const x = box.left + box.width / 2, y = Math.max(box.top, 0) + 10;
        const top = document.elementFromPoint(x, y);
        return top !== null && element.contains(top);
    """, selector)


def wait_until(browser, condition, message: str):
    """Wait for the theme's transitions to end with condition(browser) true; fail with message."""
    WebDriverWait(browser, SETTLE_SECONDS).until(condition, message)


def center(browser, element) -> tuple[float, float]:
    """(x, y) of an element's centre in the viewport."""
    return tuple(browser.execute_script("""
        const box = arguments[0].getBoundingClientRect();
        return [box.left + box.width / 2, box.top + box.height / 2];
    """, element))


def the_visible_toggle(browser, selector: str):
    """The one drawn toggle button matching selector, once it stands still on top.

    Fails if there are none or several. A sidebar sliding in or out moves the header that holds
    the toggle, so a click aimed at where the toggle was lands on the header instead.
    """
    toggles = visible(browser, selector)
    assert len(toggles) == 1, f"{len(toggles)} visible {selector} buttons, expected one"
    toggle = toggles[0]
    last_box = [None]

    def still_on_top(browser):
        box, on_top = browser.execute_script("""
            const box = arguments[0].getBoundingClientRect();
            const top = document.elementFromPoint(box.left + box.width / 2,
                                                  box.top + box.height / 2);
            return [[box.left, box.top, box.width, box.height],
                    top !== null && arguments[0].contains(top)];
        """, toggle)
        still = box == last_box[0]
        last_box[0] = box
        return still and on_top

    wait_until(browser, still_on_top, f"the {selector} button kept moving or stayed covered")
    return toggle


def tap_toggle(browser, selector: str):
    """Tap the visible toggle button matching selector with a finger."""
    tap(browser, *center(browser, the_visible_toggle(browser, selector)))


def tap_beside(browser, selector: str):
    """Tap the page beside the panel matching selector (on the dimmed backdrop)."""
    box = browser.execute_script(
        "return arguments[0].getBoundingClientRect().toJSON()",
        browser.find_element("css selector", selector))
    width, height = browser.execute_script(
        "return [document.documentElement.clientWidth, window.innerHeight]")
    space_left, space_right = box["left"], width - box["right"]
    x = box["left"] / 2 if space_left > space_right else (box["right"] + width) / 2
    tap(browser, x, height / 2)


def search_entries_shown(browser) -> list[str]:
    """Descriptions of the search boxes and search buttons drawn inside the viewport."""
    return browser.execute_script(IS_DRAWN_JS + """
        const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll(arguments[0])).filter((e) => {
            const box = e.getBoundingClientRect();
            return isDrawn(e) && box.right > 0 && box.left < width;
        }).map((e) => `${e.tagName.toLowerCase()}.${e.className} at x=${
            Math.round(e.getBoundingClientRect().left)}`);
    """, SEARCH_ENTRIES)


def horizontal_overflow(browser) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits the screen)."""
    return browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def elements_past_the_right_edge(browser) -> list[str]:
    """Article elements reaching past the viewport's right edge outside any scrolling box.

    Each is described by its tag, classes and a bit of its text, so that a failure names it.
    """
    return browser.execute_script("""
        const width = document.documentElement.clientWidth;
        const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
        const insideScroller = (e) => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                if (scrolls(a)) return true;
            }
            return false;
        };
        const culprits = [];
        for (const e of document.querySelectorAll("article *")) {
            if (e.closest("mjx-assistive-mml")) continue;  // screen-reader copy, clipped
            const box = e.getBoundingClientRect();
            if (box.width === 0 || box.right <= width + 0.5 || insideScroller(e)) continue;
            if (culprits.some((c) => c.element.contains(e))) continue;
            culprits.push({element: e, text: `${e.tagName.toLowerCase()}.${e.className} ` +
                `(right edge ${Math.round(box.right)} px): ` +
                `${(e.textContent || "").trim().slice(0, 60)}`});
        }
        return culprits.map((c) => c.text);
    """)


def display_math_boxes(browser) -> list[dict]:
    """Every display equation with the box that bounds it sideways.

    Returns dicts with: math (the mjx-container), box (the equation itself or its nearest
    ancestor that is not overflow-x: visible, or null), overflow_x (that box's overflow-x),
    wider (whether the equation is wider than that box, or than the viewport when there is
    none), text (a bit of the equation's text, for messages).
    """
    return browser.execute_script("""
        const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('mjx-container[display="true"]'))
            .map((math) => {
                let box = math;
                while (box && box !== document.body &&
                       getComputedStyle(box).overflowX === "visible") {
                    box = box.parentElement;
                }
                if (box === document.body) box = null;
                const edge = box ? box.getBoundingClientRect().right : width;
                const mathWidth = math.scrollWidth;
                return {
                    math, box,
                    overflow_x: box ? getComputedStyle(box).overflowX : "visible",
                    wider: box ? box.scrollWidth > box.clientWidth + 0.5
                               : math.getBoundingClientRect().left + mathWidth > edge + 0.5,
                    text: (math.querySelector("mjx-assistive-mml") || math)
                        .textContent.trim().slice(0, 60),
                };
            });
    """)


def screenshot(browser, element) -> bytes:
    """PNG of what the screen shows where element is, after scrolling it into view."""
    clip = browser.execute_script("""
        arguments[0].scrollIntoView({block: "center", behavior: "instant"});
        const box = arguments[0].getBoundingClientRect();
        return {x: box.left + scrollX, y: box.top + scrollY,
                width: box.width, height: box.height, scale: 1};
    """, element)
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip})
    return base64.b64decode(shot["data"])


def shows_more_to_the_right(browser, box) -> bool:
    """Whether a sideways-scrolling box, scrolled to its start, shows a cue at its right edge.

    A cue is a fade or shadow: anything drawn in the box's rightmost strip, above its
    scrollbar, when the content itself is hidden. The scrollbar does not count: phones draw
    it only while a finger scrolls.
    """
    client_height, height = browser.execute_script("""
        const box = arguments[0];
        box.scrollLeft = 0;
        box.classList.add("layout-probe-hide-content");
        const style = document.createElement("style");
        style.id = "layout-probe-style";
        style.textContent = ".layout-probe-hide-content * { visibility: hidden !important; }";
        document.head.appendChild(style);
        return [box.clientHeight, box.getBoundingClientRect().height];
    """, box)
    try:
        pixels = np.asarray(Image.open(io.BytesIO(screenshot(browser, box))).convert("L"),
                            dtype=float)
    finally:
        browser.execute_script("""
            arguments[0].classList.remove("layout-probe-hide-content");
            document.getElementById("layout-probe-style").remove();
        """, box)
    above_scrollbar = pixels[:int(pixels.shape[0] * client_height / height)]
    strip = above_scrollbar[:, -max(2, pixels.shape[1] // 40):]
    return bool(np.abs(strip - np.median(above_scrollbar)).max() > 8)
