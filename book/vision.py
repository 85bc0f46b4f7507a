"""Model simple and complex cells of the visual cortex (V1), and the bars they look at.

The visual field is a ``size x size`` grid of pixels with the origin at its centre, x to
the right and y up. Orientations are in degrees, measured from the horizontal,
counter-clockwise: 0 is a horizontal bar, 90 a vertical one; they repeat every 180
degrees. A bar's *position* is how far its long axis lies from the centre, measured
across the bar (for a vertical bar, to the right).

* A **simple cell** weighs the image with an oriented receptive field (an even Gabor
  function: an excitatory stripe flanked by two inhibitory ones) and rectifies the
  result. It responds to a bar of its preferred orientation at its own position, and
  little else.
* A **complex cell** takes the maximum over simple cells of the same orientation at
  several positions, so it keeps responding while the bar moves across its larger field.
  Hubel and Wiesel proposed that complex cells pool simple cells; the maximum as the
  pooling rule is Riesenhuber and Poggio's model (1999). The energy model (Adelson and
  Bergen, 1985), which squares and adds a pair of simple cells offset by a quarter
  period, is the usual alternative.

Both, and the Neocognitron stage built from the same parts, are explained in chapter 1,
"Seeing: from Hubel and Wiesel to the Neocognitron"; figures built from them live in
:mod:`book.figures.vision`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from book.conv import corr2d
from book.pooling import max_pool2d
from book.validation import integer, real_array, real_number

FIELD_SIZE = 41          # pixels per side of the visual field
BAR_WIDTH = 3.0          # pixels
WAVELENGTH = 8.0         # period of the receptive field's stripes, pixels
SIGMA = 3.0              # envelope width across the stripes, pixels
ASPECT = 0.5             # envelope width across / along the stripes (elongated fields)
COMPLEX_POSITIONS = tuple(range(-8, 9))    # positions of a complex cell's simple cells


def _check_size(size) -> int:
    return integer(size, "size", minimum=3)


def field_coordinates(size: int = FIELD_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates of the visual field: (x, y), each (size, size), centred.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    Row 0 is the top of the field (largest y), as in an image.
    """
    size = _check_size(size)
    offsets = np.arange(size) - (size - 1) / 2
    x, y = np.meshgrid(offsets, -offsets)
    return x, y


def _along_and_across(orientation: float, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of every pixel along and across an orientation, each (size, size)."""
    theta = np.deg2rad(orientation)
    x, y = field_coordinates(size)
    along = x * np.cos(theta) + y * np.sin(theta)
    # Signed so that "across" points to the right for a vertical bar.
    across = x * np.sin(theta) - y * np.cos(theta)
    return along, across


def bar_stimulus(orientation: float, position: float = 0.0, size: int = FIELD_SIZE,
                 width: float = BAR_WIDTH) -> np.ndarray:
    """A bright bar on a dark field, crossing the whole field.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron"
    (the bars Hubel and Wiesel showed their cells).
    orientation: degrees from the horizontal; position: signed distance of the bar's
    axis from the centre, across the bar, in pixels; width: in pixels.
    -> (size, size) array in [0, 1]; edges are anti-aliased so that responses change
    smoothly.
    """
    orientation = real_number(orientation, "orientation")
    position = real_number(position, "position")
    width = real_number(width, "width")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    _, across = _along_and_across(orientation, _check_size(size))
    return np.clip(width / 2 + 0.5 - np.abs(across - position), 0.0, 1.0)


def gabor_receptive_field(orientation: float, position: float = 0.0,
                          size: int = FIELD_SIZE, wavelength: float = WAVELENGTH,
                          sigma: float = SIGMA, aspect: float = ASPECT) -> np.ndarray:
    """The receptive field of a simple cell: an even Gabor function with zero mean.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    Its stripes run along ``orientation``; the excitatory (positive) stripe lies at
    ``position`` across them. The envelope is a Gaussian of width ``sigma`` across the
    stripes and ``sigma / aspect`` along them. The mean is removed (a uniform field
    gives no response) and the result scaled to unit length.
    -> (size, size)
    """
    positive = (("wavelength", wavelength), ("sigma", sigma), ("aspect", aspect))
    for name, value in positive:
        if real_number(value, name) <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    orientation = real_number(orientation, "orientation")
    position = real_number(position, "position")
    along, across = _along_and_across(orientation, _check_size(size))
    across = across - position
    envelope = np.exp(-(across ** 2) / (2 * sigma ** 2)
                      - (along * aspect) ** 2 / (2 * sigma ** 2))
    field = envelope * np.cos(2 * np.pi * across / wavelength)
    # Zero mean, by removing a multiple of the envelope (nothing leaks outside it).
    field -= envelope * field.sum() / envelope.sum()
    return field / np.linalg.norm(field)


def _as_stimuli(stimuli, size: int) -> np.ndarray:
    stimuli = np.asarray(stimuli, dtype=float)
    if stimuli.ndim < 2 or stimuli.shape[-2:] != (size, size):
        raise ValueError(f"stimuli must have shape (..., {size}, {size}), "
                         f"got {stimuli.shape}")
    return stimuli


@dataclass(frozen=True)
class SimpleCell:
    """A model simple cell: a rectified Gabor receptive field.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron" ("A model simple cell").
    orientation: the bar orientation it prefers (degrees); position: where across that
    orientation its excitatory stripe lies (pixels); size: side of the visual field.
    """

    orientation: float = 90.0
    position: float = 0.0
    size: int = FIELD_SIZE

    @property
    def receptive_field(self) -> np.ndarray:
        """(size, size) weights the cell applies to the image."""
        return gabor_receptive_field(self.orientation, self.position, self.size)

    def respond(self, stimuli) -> np.ndarray:
        """Firing rate for each image: rectified weighted sum, 1 for its best bar.

        stimuli: (..., size, size) -> (...); the best bar is one of width BAR_WIDTH at
        the cell's orientation and position.
        """
        stimuli = _as_stimuli(stimuli, self.size)
        field = self.receptive_field
        best = np.sum(field * bar_stimulus(self.orientation, self.position, self.size))
        drive = np.tensordot(stimuli, field, axes=([-2, -1], [0, 1]))
        return np.maximum(drive / best, 0.0)


@dataclass(frozen=True)
class ComplexCell:
    """A model complex cell: the maximum over simple cells of one orientation (MAX).

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron" ("A model complex cell").
    orientation: preferred orientation of all its simple cells (degrees); positions:
    where its simple cells sit across that orientation (pixels); size: side of the
    visual field.
    """

    orientation: float = 90.0
    positions: tuple = COMPLEX_POSITIONS
    size: int = FIELD_SIZE

    def __post_init__(self):
        if len(self.positions) == 0:
            raise ValueError("a complex cell needs at least one simple cell position")

    @property
    def simple_cells(self) -> list[SimpleCell]:
        return [SimpleCell(self.orientation, p, self.size) for p in self.positions]

    def respond(self, stimuli) -> np.ndarray:
        """Firing rate for each image: the largest response among its simple cells.

        stimuli: (..., size, size) -> (...)
        """
        stimuli = _as_stimuli(stimuli, self.size)
        return np.max([cell.respond(stimuli) for cell in self.simple_cells], axis=0)


def orientation_tuning(cell, orientations, position: float = 0.0) -> np.ndarray:
    """The cell's orientation tuning curve: its response to a bar at each orientation.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    cell: a SimpleCell or ComplexCell; orientations: (N,) degrees; position: where the
    bars lie across their own orientation. -> (N,)
    """
    stimuli = np.stack([bar_stimulus(o, position, cell.size) for o in orientations])
    return cell.respond(stimuli)


def position_tuning(cell, positions, orientation: float) -> np.ndarray:
    """The cell's response to a bar of one orientation at each position.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    positions: (N,) pixels across the bar -> (N,)
    """
    stimuli = np.stack([bar_stimulus(orientation, p, cell.size) for p in positions])
    return cell.respond(stimuli)


def preferred_orientation(orientations, responses) -> float:
    """The orientation at which a measured tuning curve peaks (the first of any ties).

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron".
    orientations: (N,) degrees; responses: (N,) -> a float from ``orientations``
    """
    orientations = np.asarray(orientations, float)
    responses = np.asarray(responses, float)
    if (orientations.ndim != 1 or orientations.shape != responses.shape
            or not orientations.size):
        raise ValueError(f"orientations and responses must be 1-D of the same nonzero "
                         f"length, got shapes {orientations.shape} and "
                         f"{responses.shape}")
    return float(orientations[np.argmax(responses)])


def neocognitron_stage(image,
                       orientations=(0, 45, 90, 135)) -> tuple[np.ndarray, np.ndarray]:
    """One S-layer and one C-layer of Fukushima's Neocognitron, as today's networks do it.

    Chapter 1, "Seeing: from Hubel and Wiesel to the Neocognitron" ("Fukushima's Neocognitron").
    S1: one plane per orientation; every S-cell of a plane applies the same 9x9 Gabor
    receptive field at its own place and is rectified (a convolution, then ReLU). C1:
    each C-cell takes the maximum of a 3x3 block of S-cells of its plane, every 2 pixels
    (max pooling, a modern stand-in for Fukushima's saturating sum).
    image: (H, W); orientations: P angles in degrees
    -> s1: (P, H - 8, W - 8), c1: (P, (H - 11) // 2 + 1, (W - 11) // 2 + 1)
    """
    image = real_array(image, "image", ndim=2, layout="(H, W)")
    s1 = np.stack([np.maximum(corr2d(image, _s_cell_field(orientation)), 0)
                   for orientation in orientations])
    c1 = max_pool2d(s1[None], 3, stride=2)[0]  # (1, P, ...) is one image, P channels
    return s1, c1


def _s_cell_field(orientation: float) -> np.ndarray:
    """An S1 cell's 9x9 receptive field: a Gabor with stripes 6 pixels apart."""
    return gabor_receptive_field(orientation, size=9, wavelength=6, sigma=1.5)
