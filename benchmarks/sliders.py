"""How fast do the interactive figures respond, on the website and in a live kernel?

Usage: .venv/bin/python benchmarks/sliders.py   (after `make html`)

* Website: in headless Chromium, for every control of every interactive figure, the time
  from a change of the control to the new frame decoded and painted (target under 50 ms),
  and each page's weight (HTML plus everything it loads; target under 3 MB of HTML).
* Live kernel: the time one widget update takes, i.e. drawing and encoding one frame in
  Python (target under 100 ms). This is also the reference for the website figure: what the
  page would cost per change if it had to ask a kernel.
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
from tests.browser import open_page, serve, start_chromium  # noqa: E402

SITE = ROOT / "_build" / "html"

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

PAGE_WEIGHT = """
const done = arguments[0];
const bytes = performance.getEntriesByType("resource").reduce((s, e) => s + e.encodedBodySize, 0)
    + performance.getEntriesByType("navigation")[0].encodedBodySize;
done(bytes);
"""


def main():
    pages = sorted(p.relative_to(SITE).with_suffix("").as_posix() for p in SITE.rglob("*.html")
                   if "book-interactive" in p.read_text(encoding="utf-8"))
    if not pages:
        sys.exit("no interactive figures found: run `make html` first")
    live_ms, web_ms = [], []
    with serve(SITE) as url, tempfile.TemporaryDirectory() as profile:
        browser = start_chromium(Path(profile))
        try:
            for page in pages:
                open_page(browser, url, page)
                html_mb = (SITE / f"{page}.html").stat().st_size / 1e6
                loaded_mb = browser.execute_async_script(PAGE_WEIGHT) / 1e6
                print(f"\n{page}: HTML {html_mb:.2f} MB, with everything it loads "
                      f"{loaded_mb:.2f} MB")
                for root in browser.find_elements("css selector", ".book-interactive"):
                    spec = json.loads(root.get_attribute("data-spec"))
                    figure = InteractiveFigure.from_spec(spec)
                    for param in spec["params"]:
                        times = [browser.execute_async_script(CHANGE_AND_PAINT, root,
                                                              param["name"])[0]
                                 for _ in range(max(2, len(param["options"])))]
                        web_ms += times
                    draws = []
                    for values in list(_some_values(spec))[:8]:
                        start = time.perf_counter()
                        figure.frame(**values)
                        draws.append((time.perf_counter() - start) * 1000)
                    live_ms += draws
                    print(f"  {spec['title']}: website change-to-paint median "
                          f"{statistics.median(times):.1f} ms; live kernel update median "
                          f"{statistics.median(draws):.1f} ms")
        finally:
            browser.quit()
    print(f"\nall figures: website change-to-paint median {statistics.median(web_ms):.1f} ms, "
          f"max {max(web_ms):.1f} ms (target < 50 ms)")
    print(f"             live kernel update median {statistics.median(live_ms):.1f} ms, "
          f"max {max(live_ms):.1f} ms (target < 100 ms)")
    print(f"             the website is {statistics.median(live_ms) / statistics.median(web_ms):.0f}x "
          "faster per change than redrawing in Python")


def _some_values(spec):
    """A few parameter combinations: the start values, then each option of each control."""
    start = {p["name"]: p["options"][0] for p in spec["params"]}
    yield start
    for param in spec["params"]:
        for option in param["options"][1:]:
            yield {**start, param["name"]: option}


if __name__ == "__main__":
    main()
