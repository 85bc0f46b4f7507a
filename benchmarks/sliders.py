"""How fast do the interactive figures respond, on the website and in a live kernel?

Usage: .venv/bin/python benchmarks/sliders.py [SITE]   (SITE: a built site, by default
_build/html from `make html`)

* Website: in headless Chromium, for every control of every interactive figure, the time
  from a change of the control to the new frame fetched, decoded and painted (target
  < 50 ms), once the figure has scrolled into view and shown its first frame (frames are
  files loaded on demand; benchmarks/page_weight.py measures the pages' weight).
* Live kernel: the time one widget update takes in Python, as the live widget makes it
  (``book.interactive.widget.live_frames``: draw or update the figure, encode the
  PNG), over a walk that moves each control through its options (target under 100
  ms). The message to and from the kernel adds a few milliseconds on loopback. This is
  also the reference for the website figure: what the page would cost per change if it
  asked a kernel.

Each figure's lines show both, with their targets. Timings depend on what else the
machine is doing: run it on an idle machine to compare with earlier runs.
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from book.interactive import InteractiveFigure  # noqa: E402
from book.interactive.widget import live_frames  # noqa: E402
from tests.browser import open_page, serve, start_chromium  # noqa: E402
from tests.site_frames import WAIT_FOR_FRAME  # noqa: E402

SITE = ROOT / "_build" / "html"
WEBSITE_TARGET_MS = 50
LIVE_TARGET_MS = 100

CHANGE_AND_PAINT = """
const [root, name, done] = arguments;
const input = root.querySelector(`[data-param="${name}"]`);
const img = root.querySelector("img.book-interactive-frame");
const before = img.src;
const start = performance.now();
if (input.type === "checkbox") { input.checked = !input.checked; }
else { const last = input.type === "range" ? +input.max : input.options.length - 1;
       input.value = String((+input.value + 1) % (last + 1)); }
input.dispatchEvent(new Event("input"));
img.decode().then(() => requestAnimationFrame(() =>
    done([performance.now() - start, img.src !== before])));
"""

def main():
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else SITE
    pages = sorted(p.relative_to(site).with_suffix("").as_posix()
                   for p in site.rglob("*.html")
                   if "book-interactive" in p.read_text(encoding="utf-8"))
    if not pages:
        sys.exit("no interactive figures found: run `make html` first")
    live_ms, web_ms = [], []
    with serve(site) as url, tempfile.TemporaryDirectory() as profile:
        browser = start_chromium(Path(profile))
        try:
            for page in pages:
                open_page(browser, url, page)
                print(f"\n{page}:")
                for root in browser.find_elements("css selector", ".book-interactive"):
                    switches, updates = time_figure(browser, root)
                    web_ms += switches
                    live_ms += updates
        finally:
            browser.quit()
    print(f"\nall figures: website switch median {statistics.median(web_ms):.1f} ms, "
          f"max {max(web_ms):.1f} ms (target < {WEBSITE_TARGET_MS} ms)")
    print(f"             live update    median {statistics.median(live_ms):.1f} ms, "
          f"max {max(live_ms):.1f} ms (target < {LIVE_TARGET_MS} ms)")
    speedup = statistics.median(live_ms) / statistics.median(web_ms)
    print(f"             the website is {speedup:.0f}x faster per change than "
          "redrawing in Python")


def time_figure(browser, root) -> tuple[list[float], list[float]]:
    """Print and return one figure's website switch and live update times (ms)."""
    spec = json.loads(root.get_attribute("data-spec"))
    switches = website_switch_ms(browser, root, spec)
    try:
        updates = live_update_ms(InteractiveFigure.from_spec(spec), spec)
    except ValueError as error:
        sys.exit(f"{spec['title']}: {error}\n"
                 "the site is older than book/: run `make html` again")
    print(f"  {spec['title']}:")
    print(timing_line("website switch", switches, WEBSITE_TARGET_MS))
    print(timing_line("live update", updates, LIVE_TARGET_MS))
    return switches, updates


def timing_line(name: str, times: list[float], target_ms: float) -> str:
    return (f"    {name:<15} median {statistics.median(times):5.1f} ms, "
            f"max {max(times):5.1f} ms (target < {target_ms} ms)")


def website_switch_ms(browser, root, spec) -> list[float]:
    """Milliseconds from a change of each control to its new frame painted."""
    image = root.find_element("css selector", "img.book-interactive-frame")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
    browser.execute_async_script(WAIT_FOR_FRAME, image)
    return [browser.execute_async_script(CHANGE_AND_PAINT, root, param["name"])[0]
            for param in spec["params"] for _ in range(max(2, len(param["options"])))]


def live_update_ms(figure: InteractiveFigure, spec) -> list[float]:
    """Milliseconds per live update along a walk through every option of each control.

    The first frame (building the figure, as when the cell runs) is not counted.
    """
    live_frame = live_frames(figure)
    values = {p["name"]: p["options"][0] for p in spec["params"]}
    live_frame(**values)
    times = []
    for param in spec["params"]:
        for option in param["options"][1:] + param["options"][:1]:
            values[param["name"]] = option
            start = time.perf_counter()
            live_frame(**values)
            times.append((time.perf_counter() - start) * 1000)
    return times


if __name__ == "__main__":
    main()
