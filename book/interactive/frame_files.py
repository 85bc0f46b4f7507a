"""The site's frames and live figures' assets as separate, cacheable files instead of
``data:`` URLs in the page.

A static player (``book.interactive.player``) carries its frames inline, so that it works
wherever its HTML goes. The site build moves them out: each frame becomes a file named by
a hash of its bytes (``<sha256 prefix>.png``: a changed frame gets a new name, so a file
can be cached forever), written once however many pages show it, and the player's frame
list holds its URL relative to the page, which works at any depth and under any prefix
the site is served from (a GitHub Pages project site's ``/<repository>/``).

Live figures (a page script that computes, such as the digit canvas) keep their files in
the ``"assets"`` object of a ``<script type="application/json" class="book-live-data">``:
name -> ``data:`` URL of any media type (weights, a photo). They move the same way, named
by their bytes with an extension for their type, and load when their figure needs them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from book.interactive.player import script_json

DATA_URL_PREFIX = "data:image/png;base64,"
HASH_LENGTH = 16  # hex digits of sha256: 64 bits, no collision among a book's frames
PLAYER_DATA = re.compile(
    r'(<script type="application/json" class="book-interactive-data">)(.*?)(</script>)',
    re.S)
LIVE_DATA = re.compile(
    r'(<script type="application/json" class="book-live-data">)(.*?)(</script>)', re.S)
DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+);base64,(.*)", re.S)
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
              "application/octet-stream": ".bin", "application/json": ".json"}


def frame_file_name(png: bytes, extension: str = ".png") -> str:
    """The content-addressed file name of a frame: its sha256 prefix and ``extension``."""
    return hashlib.sha256(png).hexdigest()[:HASH_LENGTH] + extension


def write_frame(png: bytes, folder: Path, extension: str = ".png") -> str:
    """Write ``png`` into ``folder`` under its content-addressed name (once); return it."""
    name = frame_file_name(png, extension)
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return name


def _asset_to_file(url: str, folder: Path, url_prefix: str) -> str:
    match = DATA_URL.fullmatch(url)
    if match is None:
        return url
    media_type, payload = match.groups()
    if media_type not in EXTENSIONS:
        raise ValueError(f"no file extension known for an asset of type {media_type}")
    return url_prefix + write_frame(base64.b64decode(payload), folder,
                                    EXTENSIONS[media_type])


def move_frames_to_files(page_html: str, folder: Path, url_prefix: str) -> str:
    """The page with every player's inline frames and every live figure's inline assets
    written to files in ``folder``.

    page_html: a page's HTML, holding any number of static players and live figures.
    folder: where the frame files go (the site's frames folder).
    url_prefix: the folder's URL relative to the page, ending in "/" ("../_frames/").
    Frames that are already URLs are left as they are.
    """
    def to_files(match: re.Match) -> str:
        data = json.loads(match.group(2))
        data["frames"] = [
            url_prefix + write_frame(base64.b64decode(frame[len(DATA_URL_PREFIX):]), folder)
            if frame.startswith(DATA_URL_PREFIX) else frame
            for frame in data["frames"]
        ]
        return match.group(1) + script_json(data) + match.group(3)

    def assets_to_files(match: re.Match) -> str:
        try:
            data = json.loads(match.group(2))
        except json.JSONDecodeError:
            # The tag's text inside a script (a comment naming it), not a data block.
            return match.group(0)
        data["assets"] = {name: _asset_to_file(url, folder, url_prefix)
                          for name, url in data.get("assets", {}).items()}
        return match.group(1) + script_json(data) + match.group(3)

    return LIVE_DATA.sub(assets_to_files, PLAYER_DATA.sub(to_files, page_html))
