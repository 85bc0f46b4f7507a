"""How big an explorer frame's text is on a phone, and whether any of it is cut off.

A frame drawn ``w`` inches wide fills the text column, which on a 390 px phone is
``PHONE_COLUMN_PX`` wide, so a ``size``-point font shows at
``size * PHONE_COLUMN_PX / (72 * w)`` CSS pixels there.
"""

from matplotlib.figure import Figure
from matplotlib.text import Text

# The width a figure gets on a 390 px phone, measured in Chromium on the built site (every
# figure image of chapters 3 and 4 is 342 px wide there): the theme's page margins leave
# paragraphs 358 px, and book.css's figure margins take 8 px more on each side.
PHONE_COLUMN_PX = 342
READABLE_PX = 9


def shown_texts(figure: Figure) -> list[Text]:
    """Every non-empty text the figure draws: its own, and each Axes' titles, texts,
    and (where its axis is on) labels and tick labels."""
    figure.draw_without_rendering()
    texts = list(figure.texts)
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
    """The smallest text of the figure, in CSS pixels on a 390 px phone."""
    scale = PHONE_COLUMN_PX / (72 * figure.get_figwidth())
    return min(text.get_fontsize() for text in shown_texts(figure)) * scale


def cut_off_texts(figure: Figure) -> list[str]:
    """The texts that stick out of the figure's edges (a clipped axis label)."""
    edge = figure.bbox
    return [text.get_text() for text in shown_texts(figure)
            if not (edge.x0 - 0.5 <= text.get_window_extent().x0
                    and text.get_window_extent().x1 <= edge.x1 + 0.5
                    and edge.y0 - 0.5 <= text.get_window_extent().y0
                    and text.get_window_extent().y1 <= edge.y1 + 0.5)]
