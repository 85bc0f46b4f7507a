"""Draw a digit, and the LeNet-5 the chapter trained reads it, live in the page.

``digit_canvas(model, mean, std, samples)`` is an HTML block: a canvas to draw on (mouse,
finger or pen), a "Clear" button, buttons that put one of the chapter's test digits on the
canvas, the 28x28 input the network sees, the ten class probabilities as bars, the feature
maps of C1 and C3, and a sentence that says what the network reads. Its scripts
(``digits.js``: the MNIST preprocessing of ``book.digits``; ``lenet.js``: the forward pass
of ``book.models.lenet5``; ``digit_canvas.js``: the figure) compute everything in the page.

The weights travel as float16, half the bytes of float32 (61,706 parameters: 123,412
bytes): :func:`weights_file` rounds them, :func:`read_weights` reads them back, and the
chapter measures what the rounding changes. They and the test digits are assets of the
figure (``data:`` URLs that the site build moves into files), fetched only when the figure
comes near the view.

For tests, the figure's root element (class ``book-digit-canvas``) carries
``data-status`` ("waiting" until the figure is near the view, then "loading", "ready" or
"error") and ``data-updates`` (how many times it has read the canvas), and its property
``bookDigit`` holds the last reading: ``input`` (784 numbers in [0, 1], the 28x28 digit
row by row, or null for an empty canvas), ``logits`` and ``probabilities`` (10 each),
``C1`` (6 * 28 * 28 numbers) and ``C3`` (16 * 10 * 10), the maps after tanh, row by row
(null with the input).
"""

from __future__ import annotations

import base64

import numpy as np
from torch import nn

from book.interactive.player import script_json
from book.live.block import block_id, page_script
from book.validation import real_array, real_number

LENET_PARAMETERS = ("C1.weight", "C1.bias", "C3.weight", "C3.bias", "C5.weight",
                    "C5.bias", "F6.weight", "F6.bias", "output.weight", "output.bias")
WEIGHT_TYPE = np.dtype("<f2")  # float16, little-endian, as the page's Uint16Array reads it
CANVAS = 280  # the drawing canvas's side in its own pixels, whatever its size on screen
SCRIPTS = ("digits.js", "lenet.js", "digit_canvas.js")
# Scoped to the figure's id; wraps into one column on a phone (342 px) with no sideways scroll.
STYLE = """
#__UID__ { max-width: 100%; margin: 1em 0; text-align: left; }
#__UID__ p { margin: 0.3em 0; }
#__UID__ .bd-row { display: flex; flex-wrap: wrap; gap: 1em 1.5em; }
#__UID__ .bd-draw { flex: 0 1 280px; min-width: 0; }
#__UID__ .bd-canvas { display: block; width: 100%; max-width: 280px; aspect-ratio: 1;
  background: #fff; border: 1px solid #888; touch-action: none; cursor: crosshair; }
#__UID__ .bd-controls { margin-top: 0.4em; line-height: 2.2; }
#__UID__ button { min-width: 2.2em; min-height: 2em; margin: 0 0.15em 0 0; }
#__UID__ button:focus-visible { outline: 3px solid #1a73e8; outline-offset: 1px; }
#__UID__ .bd-read { flex: 1 1 240px; min-width: 0; }
#__UID__ .bd-input { width: 112px; height: 112px; image-rendering: pixelated;
  background: #fff; border: 1px solid #888; }
#__UID__ .bd-bars { max-width: 320px; }
#__UID__ .bd-status { display: block; min-height: 3em; }  /* shown even when empty */
#__UID__ .bd-bar-row { display: flex; align-items: center; gap: 0.4em; }
#__UID__ .bd-bar { flex: 1 1 auto; max-width: 200px; height: 0.8em; background: #eee; }
#__UID__ .bd-fill { display: block; height: 100%; width: 0; background: #1f77b4; }
#__UID__ .bd-value { width: 3em; text-align: right; font-variant-numeric: tabular-nums; }
#__UID__ .bd-c1, #__UID__ .bd-c3 { display: flex; flex-wrap: wrap; gap: 4px; }
#__UID__ .bd-c1 canvas { width: 52px; height: 52px; image-rendering: pixelated; }
#__UID__ .bd-c3 canvas { width: 36px; height: 36px; image-rendering: pixelated; }
#__UID__ .bd-gradient { display: inline-block; width: 80px; height: 0.8em;
  vertical-align: middle; background: linear-gradient(to right, #00f, #fff, #f00); }
"""


def weights_file(model: nn.Sequential) -> tuple[bytes, list[dict]]:
    """A ``book.models.lenet5()`` model's parameters as one float16 file and its layout.

    Returns (bytes, layers): the parameters of LENET_PARAMETERS one after the other, each
    rounded to float16 and flattened row by row; layers: [{"name", "shape", "offset"}] with
    offset counted in values from the start.
    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """
    state = model.state_dict()
    if set(state) != set(LENET_PARAMETERS):
        raise ValueError("model must be a book.models.lenet5(), got parameters "
                         f"{sorted(state)}")
    if not (isinstance(model.C1_act, nn.Tanh) and isinstance(model.S2, nn.AvgPool2d)):
        raise ValueError("the page computes lenet5() with tanh and average pooling, got "
                         f"{type(model.C1_act).__name__} and {type(model.S2).__name__}")
    layers, chunks, offset = [], [], 0
    for name in LENET_PARAMETERS:
        values = state[name].detach().cpu().numpy()
        layers.append({"name": name, "shape": list(values.shape), "offset": offset})
        chunks.append(values.astype(WEIGHT_TYPE).tobytes())
        offset += values.size
    return b"".join(chunks), layers


def read_weights(data: bytes, layers: list[dict]) -> dict[str, np.ndarray]:
    """The file of :func:`weights_file` read back: {name: float64 array of its shape}.

    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """
    values = np.frombuffer(data, dtype=WEIGHT_TYPE).astype(np.float64)
    return {layer["name"]: values[layer["offset"]:layer["offset"] + int(np.prod(
        layer["shape"]))].reshape(layer["shape"]) for layer in layers}


def _data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode("ascii")


def _article(digit: int) -> str:
    return "an" if digit == 8 else "a"


class DigitCanvas:
    """The figure as an HTML block for a notebook or the site (``_repr_html_``).

    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """

    def __init__(self, html_block: str):
        self.html = html_block

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self):
        return "<live figure: draw a digit for LeNet-5 (shown in a browser)>"


def digit_canvas(model: nn.Sequential, mean: float, std: float, samples) -> DigitCanvas:
    """The draw-a-digit figure for a trained ``book.models.lenet5()``.

    model: the trained LeNet-5 (tanh, average pooling); mean, std: the pixel
    standardisation it was trained with (pixels in [0, 1], x = (pixel - mean) / std).
    samples: (images, labels): test digits the reader can put on the canvas, images
    (n, 28, 28) uint8 in 0..255, labels (n,) their digits.
    Chapter 7, "LeNet: a convolutional network that reads digits" (Draw a digit).
    """
    mean, std = real_number(mean, "mean"), real_number(std, "std")
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}")
    images, labels = samples
    images = real_array(images, "sample images", ndim=3, layout="(n, 28, 28)")
    if images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise ValueError("sample images must be uint8 of shape (n, 28, 28), got "
                         f"{images.dtype} {images.shape}")
    labels = [int(label) for label in labels]
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} sample images but {len(labels)} labels")
    weights, layers = weights_file(model)
    uid = block_id("digit-canvas")
    data = script_json({
        "layers": layers, "mean": mean, "std": std, "canvas": CANVAS, "labels": labels,
        "assets": {"weights": _data_url(weights), "samples": _data_url(images.tobytes())}})
    sample_buttons = "".join(
        f'<button type="button" data-sample="{index}" disabled '
        f'aria-label="test digit {index + 1}, {_article(label)} {label}">{label}</button>'
        for index, label in enumerate(labels))
    bars = "".join(
        f'<div class="bd-bar-row"><span>{digit}</span><span class="bd-bar">'
        '<span class="bd-fill"></span></span><span class="bd-value">&ndash;</span></div>'
        for digit in range(10))
    script = page_script(*SCRIPTS).replace("__UID__", uid)
    return DigitCanvas("\n".join([
        f'<div class="book-live book-digit-canvas" id="{uid}" data-status="waiting" '
        'data-updates="0">',
        f"<style>{STYLE.replace('__UID__', uid)}</style>",
        '<div class="bd-row"><div class="bd-draw">',
        f'<canvas class="bd-canvas" width="{CANVAS}" height="{CANVAS}" role="img" '
        'aria-label="Drawing area: draw one digit with the mouse, a finger or a pen">'
        "</canvas>",
        '<div class="bd-controls"><button type="button" class="bd-clear">Clear</button>',
        '<span role="group" aria-label="Try a test digit">Try a test digit: '
        f"{sample_buttons}</span></div>",
        '<p class="bd-status" aria-live="polite">Draw a digit.</p></div>',
        '<div class="bd-read"><p>What LeNet-5 sees: the drawing boxed to 20x20 and '
        "centred in 28x28</p>",
        '<canvas class="bd-input" width="28" height="28" role="img" '
        'aria-label="The 28x28 input"></canvas>',
        f'<p>Class probabilities</p><div class="bd-bars" aria-hidden="true">{bars}</div>'
        "</div></div>",
        '<div class="bd-maps"><p>C1: 6 maps of 28x28 (after tanh)</p>'
        '<div class="bd-c1"></div>',
        '<p>C3: 16 maps of 10x10 (after tanh)</p><div class="bd-c3"></div>',
        '<p class="bd-scale">Colour scale: <span class="bd-gradient"></span> blue &minus;1, '
        "white 0, red +1</p></div>",
        f'<script type="application/json" class="book-live-data">{data}</script>',
        f"<script>{script}</script>",
        "</div>",
    ]))
