"""How heavy is each chapter page, and how long does a reader's first visit take?

Usage: .venv/bin/python benchmarks/page_weight.py [--site SITE]   (SITE: a built site, by
default _build/html from `make html`; nothing is built here)

The site is served on loopback, text files gzip-compressed as GitHub Pages serves them,
and every chapter page is opened in headless Chromium as a reader's first visit: the
browser cache disabled and the network throttled to 9 Mbit/s down with 40 ms latency
(DevTools' ``Network.emulateNetworkConditions``). For each page: its HTML size on disk
(target at most 300 KB), the bytes transferred before its load event, the cold load
time from navigation start to the load event's end (target at most 2.5 s), and its
three largest transfers; the targets head their columns and a row that misses one says
which. The reference, measured in the same run and under the same
throttle: an empty HTML page's cold load time, the floor any page pays. Exit status 1 when
a page misses a target.
"""

import argparse
import contextlib
import functools
import gzip
import io
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import start_chromium  # noqa: E402

SITE = ROOT / "_build" / "html"
HTML_TARGET_KB = 300
LOAD_TARGET_S = 2.5
DOWNLOAD_BITS_PER_S = 9e6
LATENCY_MS = 40
COMPRESSED_SUFFIXES = {".html", ".js", ".css", ".json", ".svg", ".txt"}
EMPTY_PAGE = "<!DOCTYPE html><html><head><title>empty</title></head><body></body></html>"

LOAD_FIGURES = """
const nav = performance.getEntriesByType("navigation")[0];
const resources = performance.getEntriesByType("resource");
return {
    load_ms: nav.loadEventEnd - nav.startTime,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    largest: resources.sort((a, b) => b.transferSize - a.transferSize).slice(0, 3)
        .map(r => [new URL(r.name).pathname.split("/").pop(), r.transferSize]),
};
"""


class GzipHandler(SimpleHTTPRequestHandler):
    """Serves text files gzip-compressed to a browser that accepts it, as GitHub Pages
    does; images and fonts as they are (already compressed)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (path.suffix not in COMPRESSED_SUFFIXES or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve_gzip(directory: Path):
    """Serve a folder on 127.0.0.1 with ``GzipHandler``; yields the base URL."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def throttle(browser):
    """A cold first visit over a 9 Mbit/s line: no cache, DevTools' network throttle."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    bytes_per_s = DOWNLOAD_BITS_PER_S / 8
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "downloadThroughput": bytes_per_s, "uploadThroughput": bytes_per_s})


def cold_visit(browser, url: str) -> dict:
    """Open ``url`` (waits for its load event) and return load_ms, bytes and largest."""
    browser.get(url)
    return browser.execute_script(LOAD_FIGURES)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SITE,
                        help="a built site (default: _build/html)")
    site = parser.parse_args().site
    pages = sorted(p.relative_to(site).with_suffix("").as_posix()
                   for p in site.glob("chapters/*.html"))
    if not pages:
        sys.exit(f"no chapter pages under {site}/chapters: build the site first "
                 "(make html) or give --site")
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        served = Path(folder) / "served"
        served.mkdir()
        (served / "empty.html").write_text(EMPTY_PAGE)
        (served / "site").symlink_to(site.resolve(), target_is_directory=True)
        with serve_gzip(served) as url:
            browser = start_chromium(Path(folder) / "profile")
            try:
                throttle(browser)
                reference = cold_visit(browser, f"{url}/empty.html")
                print(f"9 Mbit/s, {LATENCY_MS} ms latency, cache disabled. Reference: an "
                      f"empty page loads in {reference['load_ms'] / 1000:.2f} s\n")
                print(f"{'page':<40} {f'HTML <= {HTML_TARGET_KB} KB':>16} {'loaded':>9} "
                      f"{f'cold load <= {LOAD_TARGET_S} s':>20}")
                for page in pages:
                    html_kb = (site / f"{page}.html").stat().st_size / 1000
                    visit = cold_visit(browser, f"{url}/site/{page}.html")
                    load_s = visit["load_ms"] / 1000
                    misses = [target for target, over in (
                        ("HTML", html_kb > HTML_TARGET_KB),
                        ("cold load", load_s > LOAD_TARGET_S)) if over]
                    mark = f"  MISSES {' and '.join(misses)}" if misses else ""
                    print(f"{page:<40} {html_kb:>13.0f} KB {visit['bytes'] / 1e6:>6.2f} MB "
                          f"{load_s:>18.2f} s{mark}")
                    print("    largest: " + ", ".join(f"{name} {size / 1000:.0f} KB"
                                                      for name, size in visit["largest"]))
                    if misses:
                        missed.append(page)
            finally:
                browser.quit()
    if missed:
        print("missed by: " + ", ".join(missed))
        sys.exit(1)
    print("every chapter page is within both targets")


if __name__ == "__main__":
    main()
