"""Chapter 7's draw-a-digit figure on the built site, in Chromium, against book and torch.

Digits reach the canvas as strokes (the mouse at desktop width, a finger at phone width)
and as images (the figure's test-digit buttons). For each, the canvas's pixels are read back
and ``book.digits.mnist_style`` must give the page's 28x28 input (within 1e-12: both compute
in float64, only the order of some sums differs), torch's LeNet-5 with the weights file the
page loaded must give its logits and its C1 and C3 maps within 1e-4 and the same class;
the 28x28 input and the maps must be drawn with the stated colours, the bars and the sentence
must say what the probabilities are, and the sentence must be rewritten only when a stroke
ends, on Clear or on a test digit. Most test digits must be read as their own label, as
torch reads them with the page's weights (an untrained network fails). The weights file
must not be fetched before the figure comes near the view, and nothing may come from another
host or log an error.
"""

import functools
import json
import re
from urllib.parse import urljoin, urlparse

import numpy as np
import pytest
import torch
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from book.digits import mnist_style
from book.live.digit_canvas import digit_canvas, read_weights, weights_file
from book.models import feature_maps, lenet5
from tests.browser import emulate_screen, open_page, serve

PAGE = "chapters/07_lenet"
INPUT_TOLERANCE = 1e-12
LOGIT_TOLERANCE = 1e-4
# Strokes as polylines in fractions of the canvas's side: (x, y) from its top left corner.
SHAPES = {
    "one": [[(0.55, 0.15), (0.5, 0.5), (0.45, 0.85)]],
    "seven": [[(0.2, 0.2), (0.8, 0.2), (0.6, 0.5), (0.45, 0.85)]],
    "zero": [[(0.5 + 0.25 * np.sin(t), 0.5 - 0.35 * np.cos(t))
              for t in np.linspace(0, 2 * np.pi, 25)]],
    "four": [[(0.35, 0.15), (0.25, 0.55), (0.75, 0.55)], [(0.6, 0.3), (0.6, 0.9)]],
}


def test_the_weights_file_holds_every_parameter_rounded_to_float16():
    torch.manual_seed(0)
    model = lenet5()
    data, layers = weights_file(model)
    assert len(data) == 2 * sum(p.numel() for p in model.parameters())
    read = read_weights(data, layers)
    for name, parameter in model.state_dict().items():
        assert np.array_equal(read[name], parameter.half().double().numpy()), name


@pytest.mark.parametrize("model, message", [
    (lenet5("relu", "max"), "the page computes lenet5() with tanh and average pooling"),
    (torch.nn.Linear(2, 2), "model must be a book.models.lenet5()"),
])
def test_a_model_the_page_cannot_compute_gets_one_line(model, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        weights_file(model)


def test_the_figure_block_carries_its_data_and_scripts():
    images = np.zeros((2, 28, 28), np.uint8)
    block = digit_canvas(lenet5(), 0.1, 0.3, samples=(images, [3, 8]))._repr_html_()
    data = json.loads(block.split('class="book-live-data">')[1].split("</script>")[0])
    assert data["labels"] == [3, 8] and (data["mean"], data["std"]) == (0.1, 0.3)
    assert all(url.startswith("data:application/octet-stream;base64,")
               for url in data["assets"].values())
    assert "__UID__" not in block and 'aria-live="polite"' in block
    assert 'aria-label="test digit 1, a 3"' in block
    assert 'aria-label="test digit 2, an 8"' in block
    with pytest.raises(ValueError, match="sample images must be uint8 of shape"):
        digit_canvas(lenet5(), 0.1, 0.3, samples=(images[:, :20], [3, 8]))


def test_blocks_are_numbered_in_order_so_builds_are_identical():
    images = np.zeros((1, 28, 28), np.uint8)
    torch.manual_seed(0)
    model = lenet5()
    first, second = (digit_canvas(model, 0.1, 0.3, samples=(images, [3]))._repr_html_()
                     for _ in range(2))
    number = int(re.search(r'id="book-digit-canvas-(\d+)"', first)[1])
    assert second == first.replace(f"book-digit-canvas-{number}",
                                   f"book-digit-canvas-{number + 1}")


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


def open_chapter(browser, server, *, phone=False):
    """Chapter 7 freshly loaded (desktop 1280 px, or a 390 px phone with touch)."""
    if phone:
        emulate_screen(browser, 390, 844, phone=True)
    else:
        emulate_screen(browser, 1280, 1000, phone=False)
    browser.get_log("browser")  # drop what an earlier page left
    open_page(browser, server, PAGE)
    return browser.find_element("css selector", ".book-digit-canvas")


def scroll_to(browser, element):
    """Scroll the element to the middle of the window now (the theme scrolls smoothly)."""
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)


def bring_into_view(browser, root):
    scroll_to(browser, root)
    WebDriverWait(browser, 30).until(
        lambda b: root.get_attribute("data-status") in ("ready", "error"))
    assert root.get_attribute("data-status") == "ready", root.text


def figure_data(root) -> dict:
    element = root.find_element("css selector", ".book-live-data")
    return json.loads(element.get_attribute("textContent"))


def asset_bytes(site, server, data, name) -> bytes:
    """An asset as the site serves it: the file its URL names, relative to the page."""
    url = urljoin(f"{server}/{PAGE}.html", data["assets"][name])
    assert url.startswith(server), f"the {name} asset is not a file of the site: {url[:80]}"
    return (site / urlparse(url).path.lstrip("/")).read_bytes()


def torch_lenet(site, server, data):
    """torch's LeNet-5 in float64 with the (float16) weights file the page loads."""
    model = lenet5().double()
    weights = read_weights(asset_bytes(site, server, data, "weights"), data["layers"])
    model.load_state_dict({name: torch.from_numpy(values) for name, values in weights.items()})
    return model.eval()


def readings(root) -> int:
    return int(root.get_attribute("data-updates"))


def after(browser, root, action):
    """Do action(), wait for the figure to read the canvas again; return its reading,
    with "announced": how many times the aria-live sentence was rewritten meanwhile."""
    browser.execute_script("""
        const root = arguments[0];
        root.announced = 0;
        if (!root.sentenceObserver) {
            root.sentenceObserver = new MutationObserver((records) => {
                root.announced += records.length; });
            root.sentenceObserver.observe(root.querySelector(".bd-status"),
                                          {childList: true, characterData: true,
                                           subtree: true});
        }
    """, root)
    before = readings(root)
    action()
    WebDriverWait(browser, 10).until(lambda b: readings(root) > before)
    return browser.execute_script(
        "return {...arguments[0].bookDigit, announced: arguments[0].announced}", root)


def canvas_pixels(browser, canvas) -> np.ndarray:
    """A canvas's pixels as drawn, (H, W, 4) RGBA in 0..255."""
    rgba = browser.execute_script("""
        const canvas = arguments[0];
        return Array.from(canvas.getContext("2d").getImageData(
            0, 0, canvas.width, canvas.height).data);
    """, canvas)
    return np.array(rgba, dtype=np.float64).reshape(
        canvas.get_property("height"), canvas.get_property("width"), 4)


def canvas_ink(browser, root) -> np.ndarray:
    """The drawing canvas's ink, (280, 280) in [0, 1]: its alpha channel / 255."""
    return canvas_pixels(browser, root.find_element("css selector", ".bd-canvas"))[..., 3] / 255


def map_colours(values) -> np.ndarray:
    """The figure's colour scale, (..., 3) RGB: blue -1, white 0, red +1, clipped."""
    v = np.clip(values, -1, 1)
    return 255 * np.stack([np.where(v < 0, 1 + v, 1), 1 - np.abs(v),
                           np.where(v > 0, 1 - v, 1)], axis=-1)


def check_drawn(browser, root, page_input, maps):
    """The 28x28 input is drawn white 0 to black 1; a C1 and a C3 map in map_colours."""
    shown = canvas_pixels(browser, root.find_element("css selector", ".bd-input"))
    assert np.abs(shown[..., :3] - 255 * (1 - page_input)[..., None]).max() <= 1
    for stage, index in (("C1", 0), ("C3", 7)):
        canvas = root.find_elements("css selector", f".bd-{stage.lower()} canvas")[index]
        shown = canvas_pixels(browser, canvas)
        assert np.abs(shown[..., :3] - map_colours(maps[stage][index])).max() <= 1, stage


def check_reading(browser, root, reading, model, data) -> int:
    """The page's reading agrees with book and torch; returns the class it predicts."""
    ink = canvas_ink(browser, root)
    assert ink.max() > 0, "nothing reached the canvas"
    page_input = np.array(reading["input"]).reshape(28, 28)
    assert np.abs(page_input - mnist_style(ink)).max() <= INPUT_TOLERANCE
    x = (torch.from_numpy(page_input) - data["mean"]) / data["std"]
    with torch.no_grad():
        logits = model(x[None, None])[0].numpy()
        maps = feature_maps(model, x[None])
    page_logits = np.array(reading["logits"])
    assert np.abs(page_logits - logits).max() <= LOGIT_TOLERANCE
    for stage in ("C1", "C3"):
        page_map = np.array(reading[stage]).reshape(maps[stage].shape)
        assert np.abs(page_map - maps[stage]).max() <= LOGIT_TOLERANCE, stage
    check_drawn(browser, root, page_input, maps)
    predicted = int(np.argmax(logits))
    assert int(np.argmax(page_logits)) == predicted
    probabilities = np.array(reading["probabilities"])
    assert np.allclose(probabilities, torch.softmax(torch.from_numpy(logits), 0), atol=1e-9)
    bars = browser.execute_script("""
        return Array.from(arguments[0].querySelectorAll(".bd-bar-row")).map((row) => [
            row.querySelector(".bd-value").textContent,
            row.querySelector(".bd-fill").getBoundingClientRect().width /
            row.querySelector(".bd-bar").getBoundingClientRect().width]);
    """, root)
    assert [text for text, _ in bars] == [f"{p:.2f}" for p in probabilities]
    assert np.allclose([fraction for _, fraction in bars], probabilities, atol=0.01)
    first, second = np.argsort(-probabilities)[:2]
    article = "an" if first == 8 else "a"
    assert root.find_element("css selector", ".bd-status").text == (
        f"LeNet-5 reads {article} {first} with probability {probabilities[first]:.2f}; "
        f"next: {second}, {probabilities[second]:.2f}.")
    return predicted


def press(browser, button):
    scroll_to(browser, button)
    button.click()


def clear(browser, root):
    button = root.find_element("css selector", ".bd-clear")
    reading = after(browser, root, functools.partial(press, browser, button))
    assert reading["input"] is None and canvas_ink(browser, root).max() == 0
    assert reading["C1"] is None and reading["C3"] is None
    assert root.find_element("css selector", ".bd-status").text == "Draw a digit."
    assert reading["announced"] == 1


def assert_only_the_site_and_no_errors(browser, server):
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => entry.name)")
    elsewhere = [url for url in urls
                 if urlparse(url).scheme != "data" and not url.startswith(server + "/")]
    assert not elsewhere, elsewhere
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, "\n".join(errors)


def requested(browser) -> list[str]:
    return browser.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => entry.name)")


def test_the_weights_load_only_when_the_figure_comes_near(browser, server, site):
    root = open_chapter(browser, server)
    weights_url = urljoin(f"{server}/{PAGE}.html", figure_data(root)["assets"]["weights"])
    assert root.get_attribute("data-status") == "waiting"
    assert weights_url not in requested(browser)
    bring_into_view(browser, root)
    assert weights_url in requested(browser)
    assert_only_the_site_and_no_errors(browser, server)


def mouse_strokes(browser, canvas, strokes):
    """Draw strokes with the mouse, pressed down along each polyline."""
    side = canvas.size["width"]
    scroll_to(browser, canvas)
    actions = ActionChains(browser, duration=10)
    for stroke in strokes:
        (x, y), *rest = [(round((u - 0.5) * side), round((v - 0.5) * side))
                         for u, v in stroke]
        actions.move_to_element_with_offset(canvas, x, y)  # from the canvas's centre
        actions.click_and_hold()
        for next_x, next_y in rest:
            actions.move_by_offset(next_x - x, next_y - y)
            x, y = next_x, next_y
        actions.release()
    actions.perform()


def test_strokes_drawn_with_the_mouse(browser, server, site):
    root = open_chapter(browser, server)
    bring_into_view(browser, root)
    data = figure_data(root)
    model = torch_lenet(site, server, data)
    canvas = root.find_element("css selector", ".bd-canvas")
    for strokes in SHAPES.values():
        clear(browser, root)
        draw = functools.partial(mouse_strokes, browser, canvas, strokes)
        reading = after(browser, root, draw)
        check_reading(browser, root, reading, model, data)
        assert reading["announced"] == len(strokes), "the sentence changed while drawing"
    assert_only_the_site_and_no_errors(browser, server)


def test_test_digits_put_on_the_canvas_as_images(browser, server, site):
    root = open_chapter(browser, server)
    bring_into_view(browser, root)
    data = figure_data(root)
    model = torch_lenet(site, server, data)
    samples = np.frombuffer(asset_bytes(site, server, data, "samples"), np.uint8)
    samples = samples.reshape(-1, 28, 28)
    buttons = root.find_elements("css selector", "[data-sample]")
    assert [b.text for b in buttons] == [str(label) for label in data["labels"]]
    read_as_their_label = 0
    for index, button in enumerate(buttons):
        if index == 0:  # by keyboard: focus the button, press Enter
            reading = after(browser, root, functools.partial(button.send_keys, Keys.ENTER))
        else:
            reading = after(browser, root, functools.partial(press, browser, button))
        predicted = check_reading(browser, root, reading, model, data)
        # an MNIST digit comes back from the preprocessing as it was (up to rounding:
        # each of its pixels became a 10x10 square, averaged back into one)
        page_input = np.array(reading["input"]).reshape(28, 28)
        assert np.abs(page_input - samples[index] / 255.0).max() <= INPUT_TOLERANCE
        with torch.no_grad():
            alone = model((torch.from_numpy(samples[index] / 255.0)[None, None]
                           - data["mean"]) / data["std"])
        assert predicted == int(alone.argmax())
        assert reading["announced"] == 1
        read_as_their_label += predicted == data["labels"][index]
    # torch's count with the same weights: the page reads just these; "most" fails an
    # untrained network, which reads about one in ten.
    with torch.no_grad():
        torch_reads = model((torch.from_numpy(samples / 255.0)[:, None] - data["mean"])
                            / data["std"]).argmax(1).numpy()
    expected = int((torch_reads == np.array(data["labels"])).sum())
    assert read_as_their_label == expected
    assert expected > len(buttons) / 2, (
        f"only {expected} of the {len(buttons)} test digits are read as their label")
    assert_only_the_site_and_no_errors(browser, server)


def test_an_empty_sentence_stays_in_the_page(browser, server):
    root = open_chapter(browser, server)
    bring_into_view(browser, root)
    height, display = browser.execute_script("""
        const status = arguments[0].querySelector(".bd-status");
        status.textContent = "";
        return [status.getBoundingClientRect().height, getComputedStyle(status).display];
    """, root)
    assert display != "none" and height > 0


def finger_strokes(browser, box, strokes):
    """Draw strokes with a finger (CDP touch events) on a canvas at box (left, top, side)."""
    left, top, side = box
    for stroke in strokes:
        points = [{"x": left + u * side, "y": top + v * side} for u, v in stroke]
        browser.execute_cdp_cmd("Input.dispatchTouchEvent",
                                {"type": "touchStart", "touchPoints": points[:1]})
        for point in points[1:]:
            browser.execute_cdp_cmd("Input.dispatchTouchEvent",
                                    {"type": "touchMove", "touchPoints": [point]})
        browser.execute_cdp_cmd("Input.dispatchTouchEvent",
                                {"type": "touchEnd", "touchPoints": []})


def test_strokes_drawn_with_a_finger_on_a_phone(browser, server, site):
    root = open_chapter(browser, server, phone=True)
    try:
        bring_into_view(browser, root)
        data = figure_data(root)
        model = torch_lenet(site, server, data)
        canvas = root.find_element("css selector", ".bd-canvas")
        for name in ("seven", "four"):
            clear(browser, root)
            scroll_to(browser, canvas)
            box = browser.execute_script(
                "const b = arguments[0].getBoundingClientRect(); "
                "return [b.left, b.top, b.width]", canvas)
            left, top, side = box
            assert left >= 0 and left + side <= 390, "the canvas does not fit a phone's width"
            assert top >= 0 and top + side <= 844, "the canvas is not all in view"
            scrolled = browser.execute_script("return window.scrollY")
            draw = functools.partial(finger_strokes, browser, box, SHAPES[name])
            reading = after(browser, root, draw)
            check_reading(browser, root, reading, model, data)
            assert reading["announced"] == len(SHAPES[name])
            assert browser.execute_script("return window.scrollY") == scrolled, (
                "drawing scrolled the page")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - "
            "document.documentElement.clientWidth") <= 0, "the page scrolls sideways"
        assert_only_the_site_and_no_errors(browser, server)
    finally:
        emulate_screen(browser, 1280, 1000, phone=False)
