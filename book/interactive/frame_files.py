"""The site's frames as separate, cacheable files instead of ``data:`` URLs in the page.

A static player (``book.interactive.player``) carries its frames inline, so that it works
wherever its HTML goes. The site build moves them out: each frame becomes a file named by
a hash of its bytes (``<sha256 prefix>.png``: a changed frame gets a new name, so a file
can be cached forever), written once however many pages show it, and the player's frame
list holds its URL relative to the page, which works at any depth and under any prefix
the site is served from (a GitHub Pages project site's ``/<repository>/``).
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


def frame_file_name(png: bytes) -> str:
    """The content-addressed file name of a frame: its sha256 prefix and ``.png``."""
    return hashlib.sha256(png).hexdigest()[:HASH_LENGTH] + ".png"


def write_frame(png: bytes, folder: Path) -> str:
    """Write ``png`` into ``folder`` under its content-addressed name (once); return it."""
    name = frame_file_name(png)
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return name


def move_frames_to_files(page_html: str, folder: Path, url_prefix: str) -> str:
    """The page with every player's inline frames written to files in ``folder``.

    page_html: a page's HTML, holding any number of static players.
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

    return PLAYER_DATA.sub(to_files, page_html)
