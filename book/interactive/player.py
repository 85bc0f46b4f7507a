"""The static player: an interactive figure as a self-contained HTML block for the site.

With no kernel behind a web page, every frame of the figure's grid is drawn at build
time. The block holds labelled HTML controls, an empty frame image sized to the frames,
the frames as ``data:`` URLs (identical ones stored once), an alt text per point of the
grid, the figure's spec (``data-spec``, see ``book.interactive.spec``) and ``player.js``
inline, which shows the frame for the controls' positions once the figure scrolls into
view. Nothing is loaded from elsewhere; the site build then moves the frames into
cacheable files (``book.interactive.frame_files``).

A point of the grid is keyed by its option indices joined with "|" ("2|1|1"): a slider
or menu contributes its position, a switch 0 or 1. ``player.js`` builds the same key
from the inputs (those with ``data-param``, in page order).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import uuid
from importlib import resources
from typing import TYPE_CHECKING

from book.interactive import frames
from book.interactive.controls import Control

if TYPE_CHECKING:
    from book.interactive import InteractiveFigure


@functools.cache
def player_script() -> str:
    """The player's JavaScript; ``__UID__`` stands for its block's id."""
    script = resources.files(__package__).joinpath("player.js")
    return script.read_text(encoding="utf-8")


def player_html(figure: InteractiveFigure) -> str:
    """The figure as an HTML block: labelled controls, all frames, inline script."""
    uid = "bi-" + uuid.uuid4().hex[:10]
    frame_list: list[bytes] = []
    frame_of_png: dict[bytes, int] = {}
    index: dict[str, int] = {}
    alts: dict[str, str] = {}
    for indices in frames.grid(figure.controls):
        values = frames.values_at(figure.controls, indices)
        png = figure.frame(**values)
        if png not in frame_of_png:
            frame_of_png[png] = len(frame_list)
            frame_list.append(png)
        key = _key(indices)
        index[key] = frame_of_png[png]
        alts[key] = figure.alt_text(**values)

    start_key = _key(c.start_index for c in figure.controls.values())
    controls_html = "\n".join(_control_html(uid, name, control)
                              for name, control in figure.controls.items())
    data = script_json({"frames": [_data_url(png) for png in frame_list],
                        "index": index, "alts": alts, "scale": frames.HIDPI_SCALE})
    spec_attribute = html.escape(json.dumps(figure.spec()))
    width, height = frames.display_size(frame_list[index[start_key]])
    return "\n".join([
        f'<div class="book-interactive" id="{uid}" data-spec="{spec_attribute}">',
        '<div class="book-interactive-controls" role="group" '
        f'aria-label="{html.escape(figure.title)} controls">',
        controls_html,
        "</div>",
        # No src: player.js sets it when the figure scrolls into view.
        f'<img class="book-interactive-frame" width="{width}" height="{height}" '
        f'style="max-width: 100%; height: auto" alt="{html.escape(alts[start_key])}">',
        '<script type="application/json" class="book-interactive-data">'
        f"{data}</script>",
        f'<script>{player_script().replace("__UID__", uid)}</script>',
        "</div>",
    ])


def script_json(value) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">``.

    The HTML parser ends a script at the first ``</script`` whatever the JSON around it,
    and ``<!--<script`` makes it run on past the real end, so a title holding either would
    cut the data short or swallow the page after it. Every ``<`` is written ``\\u003c``,
    the same string to JSON, so no tag can start inside the data.
    """
    return json.dumps(value).replace("<", "\\u003c")


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _key(indices) -> str:
    return "|".join(map(str, indices))


def _control_html(uid: str, name: str, control: Control) -> str:
    """A control as a labelled HTML input that ``player.js`` reads by ``data-param``."""
    cid = f"{uid}-{name}"
    start = control.start_index
    label = f'<label for="{cid}">{html.escape(control.label)}</label>'
    if control.kind == "slider":
        shown = html.escape(str(control.value))
        labels = html.escape(json.dumps([str(o) for o in control.options]))
        widget = (
            f'<input type="range" id="{cid}" data-param="{name}" min="0" '
            f'max="{len(control.options) - 1}" step="1" value="{start}" '
            f'data-labels="{labels}" aria-valuetext="{shown}">'
            f'<output for="{cid}">{shown}</output>'
        )
    elif control.kind == "dropdown":
        options = "".join(
            f'<option value="{i}"{" selected" if i == start else ""}>'
            f"{html.escape(str(o))}</option>"
            for i, o in enumerate(control.options)
        )
        widget = f'<select id="{cid}" data-param="{name}">{options}</select>'
    else:
        checked = " checked" if control.value else ""
        widget = f'<input type="checkbox" id="{cid}" data-param="{name}"{checked}>'
    return f'<span class="book-interactive-control">{label}{widget}</span>'
