"""The frames of an interactive figure: the grid of parameter values, and each frame
drawn the same way everywhere (style, size, palette PNG) with its alt text.

The website stores one frame per point of the grid and the live widget sends one per
change; both encode here, so a page, a widget and a test compare equal pixels.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
from collections.abc import Iterator
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from book.interactive.controls import Control

DISPLAY_DPI = 90  # shown at this density: about the text column's width for a 7-inch figure
HIDPI_SCALE = 2  # drawn at twice the shown density, so high-density screens see it sharp
FRAME_DPI = DISPLAY_DPI * HIDPI_SCALE
PALETTE_COLORS = 128  # frames are stored as palette PNGs: a third of the bytes of RGBA
MAX_FRAMES = 400


def grid(controls: dict[str, Control]) -> Iterator[tuple[int, ...]]:
    """Every combination of option indices (one index per control), in a fixed order."""
    return itertools.product(*(range(len(c.options)) for c in controls.values()))


def values_at(controls: dict[str, Control], indices: tuple[int, ...]) -> dict[str, Any]:
    """The parameter values at one point of the grid."""
    return {name: control.options[i]
            for (name, control), i in zip(controls.items(), indices, strict=True)}


def check_grid_size(controls: dict[str, Control], title: str):
    """Refuse a grid too large for the website to store every frame of."""
    frame_count = math.prod(len(c.options) for c in controls.values())
    if frame_count > MAX_FRAMES:
        raise ValueError(
            f"{title!r} has {frame_count} parameter combinations; the website "
            f"precomputes every frame, so keep the grid under {MAX_FRAMES} "
            "(fewer options per control)"
        )


def alt_text(title: str, controls: dict[str, Control], values: dict[str, Any]) -> str:
    """What a frame shows, for a screen reader: the title and every setting.

    A toggle reads "on" or "off", as its switch does, rather than Python's True/False.
    """
    settings = ", ".join(f"{control.label} = {_spoken(values[name])}"
                         for name, control in controls.items())
    return f"{title}: {settings}"


def _spoken(value: Any) -> str:
    """A setting as a reader says it: booleans as "on"/"off", others as written."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@contextlib.contextmanager
def figure_style():
    """The style every frame is drawn in, whatever the reader's matplotlib settings."""
    with plt.style.context("default"), plt.rc_context({"font.size": 10}):
        yield


def render_png(figure: Figure) -> bytes:
    """Encode a figure as a small, deterministic palette PNG and close it."""
    png = encode_png(figure, optimize=True)
    plt.close(figure)
    return png


def display_size(png: bytes) -> tuple[int, int]:
    """(width, height) in CSS pixels at which a frame is shown: its pixels / HIDPI_SCALE."""
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    return width // HIDPI_SCALE, height // HIDPI_SCALE


def encode_png(figure: Figure, optimize: bool) -> bytes:
    """The figure's frame as a palette PNG; the figure stays open.

    optimize: compress harder (about 8% smaller, 8 ms slower): worth it for the
    website's stored frames, not for a live update that is sent once.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # Rendering straight from Agg's pixel buffer skips an RGBA PNG round trip.
    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(FRAME_DPI)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    palette = image.convert("RGB").quantize(colors=PALETTE_COLORS,
                                            method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=optimize)
    return out.getvalue()
