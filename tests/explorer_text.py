"""How big a figure's text is on a phone, and whether any of it is cut off.

A frame drawn ``w`` inches wide fills the text column, which on a 390 px phone is
``PHONE_COLUMN_PX`` wide, so a ``size``-point font shows at
``size * PHONE_COLUMN_PX / (72 * w)`` CSS pixels there. A still figure is shown as
the notebook displays it: cropped to its drawing (``bbox_inches="tight"``), at its
natural size (an SVG at 96 CSS px per inch, a photo's JPEG at its figure's dpi) or
shrunk to the column where it is wider.
"""

import re

from IPython.core.pylabtools import print_figure
from matplotlib.figure import Figure
from matplotlib.text import Text

from book.figures.photo import PhotoFigure

# The width a figure gets on a 390 px phone, measured in Chromium on the built site (every
# still and interactive figure of chapters 3 and 4 is 342 px wide there): the theme pads
# the article 16 px on each side (paragraphs are 358 px) and each <figure> 8 px more.
PHONE_COLUMN_PX = 342
READABLE_PX = 9
# mathtext draws sub- and superscripts at this fraction of their text's size (matplotlib's
# SHRINK_FACTOR), so the 12 of 10^12 is the smallest text of its label.
SCRIPT_SCALE = 0.7
SVG_PX_PER_INCH = 96  # CSS pixels per inch: an SVG's width in pt shows at 96 / 72 px per pt


def shown_texts(figure: Figure) -> list[Text]:
    """Every non-empty text the figure draws: its own, and each Axes' titles, texts,
    and (where its axis is on) labels and tick labels."""
    figure.draw_without_rendering()
    texts = list(figure.texts)
    for legend in [*figure.legends, *(ax.get_legend() for ax in figure.axes)]:
        if legend is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    for ax in figure.axes:
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.axison:
            texts += [ax.xaxis.label, ax.yaxis.label]
            texts += _drawn_tick_labels(ax.get_xticklabels(), 0, ax.get_xlim())
            texts += _drawn_tick_labels(ax.get_yticklabels(), 1, ax.get_ylim())
    return [text for text in texts if text.get_visible() and text.get_text().strip()]


def _drawn_tick_labels(labels: list[Text], axis: int, limits) -> list[Text]:
    """The tick labels inside the axis' view limits: matplotlib lists, but does not
    draw, the ticks beyond them."""
    low, high = sorted(limits)
    return [label for label in labels if low <= label.get_position()[axis] <= high]


def smallest_phone_px(figure: Figure) -> float:
    """The smallest text of an interactive figure's frame, in CSS pixels on a 390 px
    phone."""
    return _smallest_text_pt(figure) * PHONE_COLUMN_PX / (72 * figure.get_figwidth())


def smallest_still_phone_px(still: Figure | PhotoFigure) -> float:
    """The smallest text of a still figure, in CSS pixels on a 390 px phone, shown as
    a notebook cell displays it (SVG, or a PhotoFigure's JPEG)."""
    if isinstance(still, PhotoFigure):
        _, metadata = still._repr_jpeg_()
        figure, natural_px = still.figure, metadata["width"]
        inches = natural_px / figure.dpi
    else:
        svg = print_figure(still, fmt="svg", bbox_inches="tight")
        figure, inches = still, _svg_width_pt(svg) / 72
        natural_px = inches * SVG_PX_PER_INCH
    shown_px = min(natural_px, PHONE_COLUMN_PX)
    return _smallest_text_pt(figure) * shown_px / (72 * inches)


def _svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))


def _smallest_text_pt(figure: Figure) -> float:
    return min(_smallest_glyph_pt(text) for text in shown_texts(figure))


def _smallest_glyph_pt(text: Text) -> float:
    """The text's size in points, or its scripts' where its $math$ has any."""
    math = "".join(text.get_text().split("$")[1::2])
    return text.get_fontsize() * (SCRIPT_SCALE if re.search(r"[_^]", math) else 1)


def cut_off_texts(figure: Figure) -> list[str]:
    """The texts that stick out of the figure's edges (a clipped axis label)."""
    edge = figure.bbox
    return [text.get_text() for text in shown_texts(figure)
            if not (edge.x0 - 0.5 <= text.get_window_extent().x0
                    and text.get_window_extent().x1 <= edge.x1 + 0.5
                    and edge.y0 - 0.5 <= text.get_window_extent().y0
                    and text.get_window_extent().y1 <= edge.y1 + 0.5)]
