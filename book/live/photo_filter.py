"""Your own photo through chapter 3's filters, computed in the page.

``photo_filter()`` is the block of chapter 3's "Your own photo": a file chooser, a menu of
the chapter's filters (:data:`book.samples.FILTERS`), nine boxes for the weights of a 3x3
kernel and one for their divisor, and the photo's grey input beside its feature map, with
the map's value range and colour scale. The page does the work with ``conv.js`` (the
mirror of :func:`book.samples.photo_gray` and :func:`book.conv.filter_image`) and
``photo_filter.js``; the reader's photo is read in the browser and never uploaded. The
chapter's portrait is the photo shown first: a JPEG in the data's ``"assets"``, which the
site build moves into a file that the page fetches when the figure comes near the view.

For tests: the block's element (class ``book-photo-filter``) has ``readFigure()``, which
returns the grey input (H, W) and feature map (H - 2, W - 2) as arrays, the kernel (3, 3)
and the source shown ("the portrait" or "your photo"), or null before the first picture;
its ``data-renders`` attribute counts the pictures drawn.
"""

import base64
import html

import matplotlib.cbook
import numpy as np

from book.interactive.player import script_json
from book.live.block import block_id, page_script
from book.samples import BT601_LUMA, FILTERS

SCRIPTS = ("conv.js", "photo_filter.js")  # conv.js defines bookConv, which the other uses
MAX_SIDE = 256  # the grey input's longer side at most, in pixels
FIRST_FILTER = "Sobel (vertical edges)"
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}

STYLE = """<style>
.book-photo-filter { max-width: 100%; }
.book-photo-filter p { margin: 0.4em 0; overflow-wrap: anywhere; }
.book-photo-filter label { margin-right: 0.4em; }
.book-photo-filter select, .book-photo-filter input { font: inherit; max-width: 100%; }
.book-photo-filter select { min-height: 2.5em; }
.book-photo-kernel { display: flex; flex-wrap: wrap; gap: 0.6em 1.2em; align-items: center;
  border: 1px solid #9e9e9e; border-radius: 4px; margin: 0.4em 0; padding: 0.4em 0.8em 0.6em;
  min-width: 0; }
.book-photo-kernel legend { padding: 0 0.3em; }
.book-photo-grid { display: grid; grid-template-columns: repeat(3, 4.2em); gap: 0.3em; }
.book-photo-kernel input[type=number] { width: 100%; min-height: 2.2em; padding: 0.2em;
  box-sizing: border-box; text-align: right; }
.book-photo-divisor-field input[type=number] { width: 4.2em; }
.book-photo-filter :focus-visible { outline: 3px solid #1565c0; outline-offset: 2px; }
.book-photo-message { color: #b71c1c; }
.book-photo-views { display: flex; flex-wrap: wrap; gap: 0.8em; }
.book-photo-view { flex: 1 1 150px; min-width: 0; max-width: 512px; margin: 0; }
.book-photo-view canvas { display: block; width: 100%; height: auto;
  border: 1px solid #bdbdbd; }
.book-photo-view div { font-size: 0.9em; }
.book-photo-scale { display: flex; align-items: center; gap: 0.5em; max-width: 520px;
  margin-top: 0.6em; font-size: 0.9em; }
.book-photo-scale .book-photo-bar { flex: 1; height: 0.9em; border: 1px solid #bdbdbd;
  background: linear-gradient(to right, #000, #fff); }
.book-photo-scale[data-kind=diverging] .book-photo-bar {
  background: linear-gradient(to right, #00f, #fff, #f00); }
</style>"""


def portrait_jpeg() -> bytes:
    """The chapter's portrait (Grace Hopper, shipped with matplotlib) as its JPEG file:
    600 x 512 pixels, the photo of :func:`book.samples.photo_rgb`. Chapter 3, "Convolution".
    """
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        return file.read()


def _data_url(photo: bytes) -> str:
    media_type = next((kind for magic, kind in IMAGE_TYPES.items()
                       if photo.startswith(magic)), None)
    if media_type is None:
        raise ValueError("photo must be the bytes of a JPEG or PNG file")
    return f"data:{media_type};base64," + base64.b64encode(photo).decode("ascii")


def filter_data(filters: dict) -> list:
    """The filters as the page reads them: name -> (weights (3, 3), divisor) ->
    [{"name", "weights", "divisor"}], numbers checked to be finite, the divisor not 0.
    Chapter 3, "Convolution".
    """
    rows = []
    for name, (weights, divisor) in filters.items():
        weights = np.asarray(weights)
        if (weights.shape != (3, 3) or weights.dtype.kind not in "iuf"
                or not np.all(np.isfinite(weights)) or not np.isfinite(divisor)
                or divisor == 0):
            raise ValueError(f"filter {name!r} must be (3x3 finite weights, a divisor that "
                             f"is not 0), got {weights.tolist()!r} / {divisor!r}")
        rows.append({"name": str(name), "weights": weights.tolist(), "divisor": divisor})
    return rows


def _kernel_fieldset(uid: str) -> str:
    boxes = "".join(
        f'<input type="number" step="any" class="book-photo-weight" '
        f'aria-label="weight in row {row + 1}, column {column + 1}">'
        for row in range(3) for column in range(3))
    return (f'<fieldset class="book-photo-kernel"><legend>Your own kernel</legend>'
            f'<div class="book-photo-grid">{boxes}</div>'
            f'<span class="book-photo-divisor-field"><label for="{uid}-divisor">'
            f'divided by</label><input type="number" step="any" class="book-photo-divisor" '
            f'id="{uid}-divisor"></span>'
            '<p class="book-photo-message" aria-live="polite"></p></fieldset>')


def _view(kind: str, title: str) -> str:
    return (f'<div class="book-photo-view"><canvas class="book-photo-{kind}" role="img" '
            f'aria-label="{title}" width="1" height="1"></canvas><div>{title}</div></div>')


class PhotoFilter:
    """The block of chapter 3, "Convolution"; a notebook and the website show
    ``_repr_html_``.

    filters: name -> (weights (3, 3), divisor), as :data:`book.samples.FILTERS`.
    photo: the JPEG or PNG file shown first, as bytes.
    """

    def __init__(self, filters: dict, photo: bytes):
        self.filters = filter_data(filters)
        if not self.filters:
            raise ValueError("photo_filter needs at least one filter")
        self.photo_url = _data_url(photo)

    def __repr__(self) -> str:  # what a notebook without HTML shows; no memory address
        return "Your own photo through chapter 3's filters (a live figure: open it in a browser)"

    def _repr_html_(self) -> str:
        uid = block_id("photo-filter")
        names = [f["name"] for f in self.filters]
        first = FIRST_FILTER if FIRST_FILTER in names else names[0]
        options = "".join(
            f'<option value="{html.escape(name)}"{" selected" if name == first else ""}>'
            f"{html.escape(name)}</option>" for name in names)
        data = script_json({"filters": self.filters, "luma": BT601_LUMA.tolist(),
                            "max_side": MAX_SIDE, "assets": {"portrait": self.photo_url}})
        return (
            f'<div class="book-photo-filter" id="{uid}">{STYLE}'
            f'<p><label for="{uid}-file">Your photo</label>'
            f'<input type="file" accept="image/*" id="{uid}-file"></p>'
            "<p>It stays in this browser: the page reads it here and uploads nothing.</p>"
            f'<p><label for="{uid}-filter">Filter</label><select id="{uid}-filter">{options}'
            '<option value="">your own kernel</option></select></p>'
            f"{_kernel_fieldset(uid)}"
            f'<div class="book-photo-views">{_view("grey", "Grey input")}'
            f'{_view("map", "Feature map")}</div>'
            '<div class="book-photo-scale" data-kind="grey"><span></span>'
            '<span class="book-photo-bar"></span><span></span></div>'
            '<p class="book-photo-legend"></p><p class="book-photo-range"></p>'
            '<p class="book-photo-status" aria-live="polite">The portrait loads when this '
            "figure comes into view.</p>"
            f'<script type="application/json" class="book-live-data">{data}</script>'
            f"<script>(function () {{\n{page_script(*SCRIPTS)}\n}})();</script></div>")


def photo_filter(filters: dict = FILTERS, photo: bytes | None = None) -> PhotoFilter:
    """The "Your own photo" block of chapter 3, "Convolution": the chapter's filters on the
    reader's photo.

    filters: name -> (weights (3, 3), divisor), as :data:`book.samples.FILTERS`.
    photo: the bytes of the JPEG or PNG shown before the reader chooses one; the
    portrait (:func:`portrait_jpeg`) if None.
    """
    return PhotoFilter(filters, portrait_jpeg() if photo is None else photo)
