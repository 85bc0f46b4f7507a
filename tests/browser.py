"""Serving a built site or a live Jupyter server on loopback; driving Debian's Chromium.

Shared by tests/test_site.py, tests/test_site_phone.py, tests/test_live_widgets.py and
benchmarks/sliders.py.
"""

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from book.build_mode import STATIC_ENV_VAR

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve a folder over HTTP on 127.0.0.1; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def chromium_paths():
    """(chromium, chromedriver) executables, or None without Debian's packages."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def start_chromium(profile_dir: Path):
    from selenium import webdriver

    chromium, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile_dir}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    return driver


def open_page(browser, base_url: str, page: str):
    """Load a page and wait until its scripts, MathJax included, have finished."""
    browser.get(f"{base_url}/{page}.html")
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const typeset = () =>
            (window.MathJax && MathJax.startup && MathJax.startup.promise)
            ? MathJax.startup.promise.then(() => done(true), () => done(false))
            : done(true);
        if (document.readyState === "complete") { typeset(); }
        else { window.addEventListener("load", typeset); }
    """)
    return browser


def emulate_screen(browser, width: int, height: int, *, phone: bool):
    """Show pages as on a screen of width x height CSS pixels, until changed again.

    phone: a mobile viewport (the page's viewport meta tag applies), three device pixels per
    CSS pixel and touch input, as on a phone; otherwise a desktop window with a mouse.
    """
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 3 if phone else 1,
        "mobile": phone})
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                            {"enabled": phone, "maxTouchPoints": 5})


def tap(browser, x: float, y: float):
    """A finger's tap at viewport point (x, y) in CSS pixels (needs touch emulation)."""
    point = [{"x": x, "y": y}]
    browser.execute_cdp_cmd("Input.dispatchTouchEvent",
                            {"type": "touchStart", "touchPoints": point})
    browser.execute_cdp_cmd("Input.dispatchTouchEvent",
                            {"type": "touchEnd", "touchPoints": []})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(app: str, root: Path, state: Path, token: str = "book-test"):
    """Run ``jupyter lab`` or ``jupyter notebook`` on 127.0.0.1 serving the folder root.

    state: an empty folder for Jupyter's configuration, data and runtime files, so that
    the reader's own settings play no part. Yields (base URL, server log path); the log
    holds the kernels' stderr too.
    """
    env = {key: value for key, value in os.environ.items()
           if key not in (STATIC_ENV_VAR, "JUPYTERLAB_SETTINGS_DIR")}
    for name in ("config", "data", "runtime"):
        env[f"JUPYTER_{name.upper()}_DIR"] = str(state / name)
    env["IPYTHONDIR"] = str(state / "ipython")
    # No "get Jupyter news?" prompt over the page, and every cell kept in the page (not
    # only those scrolled into view), as a learner scrolling through sees them.
    settings = state / "config/lab/user-settings/@jupyterlab"
    for plugin, value in (("apputils-extension/notification", '{"fetchNews": "false"}'),
                          ("notebook-extension/tracker", '{"windowingMode": "none"}')):
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    app_class = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    port = free_port()
    log_path = state / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyter")), app, "--no-browser",
             "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--allow-root",
             f"--{app_class}.expose_app_in_browser=True",
             "--LabApp.extension_manager=readonly"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(  # the log says why, not the refused connection
                        f"jupyter {app} did not start:\n{log_path.read_text()}") from None
                time.sleep(0.5)
        yield url, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
