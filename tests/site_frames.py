"""The frame an interactive figure shows on a built page, as the browser loaded it.

The site build moves frames into files under ``_frames/`` that a player loads once its
figure scrolls into view (``book.interactive.frame_files``, ``player.js``). Shared by
tests/test_site.py and tests/test_site_weight.py.
"""

import urllib.request

WAIT_FOR_FRAME = """
const [image, done] = arguments;
const loaded = () => image.complete && image.naturalWidth > 0;
const wait = () => loaded() ? done() : setTimeout(wait, 20);
wait();
"""


def shown_frame_png(browser, root) -> tuple[str, bytes]:
    """(URL, bytes) of the frame that the player ``root`` shows, scrolled into view and
    loaded first."""
    image = root.find_element("css selector", "img.book-interactive-frame")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
    browser.execute_async_script(WAIT_FOR_FRAME, image)
    url = image.get_attribute("src")
    with urllib.request.urlopen(url) as response:
        return url, response.read()
