"""Every explorer's frames stay readable on a 390 px phone and cut no text off."""

import pytest

from book.figures.conv import draw_conv_step, draw_filter_gallery
from book.figures.gradients import draw_backward_step
from book.figures.lenet import draw_lenet_layers
from book.figures.padding import draw_padding_stride
from book.figures.pooling import draw_pooling_invariance
from book.figures.vision import draw_cell_simulator
from book.interactive.frames import figure_style
from tests.explorer_text import READABLE_PX, cut_off_texts, smallest_phone_px

FRAMES = [
    (draw_cell_simulator, {"orientation": 90, "position": 0}),
    (draw_conv_step, {"row": 1, "col": 2}),
    (draw_backward_step, {"row": 2, "col": 0, "every": False}),
    (draw_backward_step, {"row": 0, "col": 0, "every": True}),
    (draw_filter_gallery, {}),
    (draw_padding_stride, {"n": 7, "f": 5, "p": 2, "s": 1}),
    (draw_padding_stride, {"n": 7, "f": 3, "p": 0, "s": 3}),
    (draw_padding_stride, {"n": 4, "f": 5, "p": 0, "s": 1, "dilated": True}),
    (draw_pooling_invariance, {"shift": 3, "pool": "average", "overlapping": True}),
    (draw_lenet_layers, {"digit": 3, "layer": "output"}),
    (draw_lenet_layers, {"digit": 3, "layer": "C3"}),
]


@pytest.mark.parametrize("draw, settings", FRAMES,
                         ids=[f"{draw.__name__}-{'-'.join(map(str, s.values()))}"
                              for draw, s in FRAMES])
def test_explorer_text_is_readable_on_a_phone_and_inside_the_frame(draw, settings):
    with figure_style():
        figure = draw(**settings)
    assert smallest_phone_px(figure) >= READABLE_PX
    assert cut_off_texts(figure) == []
