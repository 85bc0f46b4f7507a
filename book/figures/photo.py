"""Still figures made of photographs, shown as a JPEG at twice their pixel density.

Line and grid figures display as SVG (the chapters' hidden first cell sets that), which
stays sharp at any zoom. A photograph inside an SVG is stored as a lossless PNG, several
times larger than a JPEG of the whole figure, so the photo figures display as JPEG
instead, drawn at twice their size so that high-density screens get one image pixel per
device pixel.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from PIL import Image

# Device pixels per CSS pixel on a high-density screen (phones: 2 to 3).
PIXEL_DENSITY = 2
JPEG_QUALITY = 80


class PhotoFigure:
    """A figure of photographs that a notebook or the site displays as a JPEG.

    figure: the matplotlib Figure, drawn at PIXEL_DENSITY times its dpi when displayed;
    the JPEG's metadata asks for its CSS width, so it shows at the figure's own size.
    Chapter 3, "Convolution" (the portrait and its filtered versions).
    """

    def __init__(self, figure: Figure):
        self.figure = figure

    def _repr_jpeg_(self) -> tuple[bytes, dict[str, int]]:
        """The JPEG bytes and {"width": CSS pixels}: IPython's display protocol."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="jpeg", dpi=PIXEL_DENSITY * self.figure.dpi,
                            bbox_inches="tight", pil_kwargs={"quality": JPEG_QUALITY})
        jpeg = buffer.getvalue()
        with Image.open(io.BytesIO(jpeg)) as image:
            width = image.width // PIXEL_DENSITY
        return jpeg, {"width": width}
