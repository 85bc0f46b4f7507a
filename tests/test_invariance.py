"""Translation invariance measured (book.invariance) and the chapter 5 figures."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from book.figures.pooling import (
    draw_pooling_invariance,
    explorer_input,
    explorer_maps,
    plot_eye_detector,
    plot_pooling_example,
)
from book.invariance import (
    detector_map,
    eye_detector,
    eye_template,
    measure_shift_invariance,
    place,
    shift_change,
    shifted_pair,
)
from book.samples import EYE, SOBEL, photo_gray


def photo():
    """The portrait chapter 5 measures: 150 x 128 grey levels, as floats."""
    return photo_gray(4).astype(float)


def test_shifted_pair_moves_the_content_right():
    image = np.arange(20).reshape(4, 5)
    before, after = shifted_pair(image, 2)
    assert before.shape == after.shape == (4, 3)
    np.testing.assert_array_equal(after[:, 2:], before[:, :1])


@pytest.mark.parametrize("pixels, message", [(-1, "at least 0"), (5, "at most the image"),
                                             (1.0, "an integer"), (True, "an integer")])
def test_shifted_pair_rejects_impossible_shifts(pixels, message):
    with pytest.raises(ValueError, match=f"pixels must be {message}"):
        shifted_pair(np.zeros((4, 5)), pixels)


def test_shift_change_counts_positions_that_differ():
    change = shift_change("layer", [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.5], [3.0, 0.0]])
    assert (change.outputs, change.changed) == (4, 2)
    assert change.fraction == 0.5
    assert change.relative_size == pytest.approx(np.hypot(0.5, 4) / np.sqrt(30))


def test_the_detector_is_sobel_and_finds_vertical_edges():
    np.testing.assert_array_equal(SOBEL, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    step = np.zeros((6, 6))
    step[:, 3:] = 1  # dark on the left, bright on the right
    response = detector_map(step)
    assert response.max() == 4 and (response[:, [1, 2]] == 4).all()
    assert not detector_map(step.T).any()  # a horizontal edge is not its business


def test_convolution_is_equivariant_on_the_photo():
    before, after = shifted_pair(photo(), 1)
    kernel = torch.tensor(SOBEL, dtype=torch.float64)[None, None]
    conv = [F.conv2d(torch.tensor(v, dtype=torch.float64)[None, None],
                     kernel)[0, 0].numpy()
            for v in (before, after)]
    np.testing.assert_allclose(conv[1][:, 1:], conv[0][:, :-1])  # the map moves along


def test_max_pooling_changes_about_half_as_many_outputs_as_convolution():
    rows = {row.layer: row for row in measure_shift_invariance(photo())}
    conv = rows["convolution"]
    # equivariance: almost every value at a fixed place changes
    assert conv.fraction > 0.95
    for name in ("max pooling 3x3, stride 2 (AlexNet)", "max pooling 3x3, stride 1"):
        assert 0.4 < rows[name].fraction < 0.6  # "about half" (syllabus)
        assert rows[name].relative_size < rows["convolution + ReLU"].relative_size
    detector = rows["convolution + ReLU"]
    assert rows["max pooling 2x2, stride 2"].fraction < detector.fraction
    # Averages move with every input value: most change, but by less than the conv map.
    average = rows["average pooling 2x2, stride 2"]
    assert average.fraction > 0.8
    assert average.fraction > rows["max pooling 2x2, stride 2"].fraction
    assert average.relative_size < rows["convolution + ReLU"].relative_size


@pytest.mark.parametrize("row, col", [(0, 0), (3, 7), (7, 2), (9, 9)])
def test_eye_detector_fires_equally_wherever_the_eye_is(row, col):
    scores, best = eye_detector(place(EYE, (14, 14), row, col))
    template = eye_template()
    assert best == pytest.approx((template ** 2).sum())  # a perfect match
    assert np.unravel_index(np.argmax(scores), scores.shape) == (row, col)
    image = torch.tensor(place(EYE, (14, 14), row, col), dtype=torch.float64)
    expected = F.conv2d(image[None, None], torch.tensor(template)[None, None])
    expected = expected[0, 0].numpy()
    np.testing.assert_allclose(scores, expected)


def test_eye_detector_fires_less_without_an_eye():
    _, with_eye = eye_detector(place(EYE, (14, 14), 4, 4))
    _, blob = eye_detector(place(np.ones((3, 3)), (14, 14), 4, 4))
    _, empty = eye_detector(np.zeros((14, 14)))
    assert blob < with_eye / 2
    assert empty == 0


def test_place_rejects_patterns_that_do_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        place(EYE, (6, 6), 2, 0)
    with pytest.raises(ValueError, match="row must be an integer"):
        place(EYE, (6, 6), 0.5, 0)


def test_explorer_input_pans_over_one_scene():
    for shift in range(1, 9):
        np.testing.assert_array_equal(explorer_input(shift)[:, 1:],
                                      explorer_input(shift - 1)[:, :-1])
    with pytest.raises(ValueError, match="shift must be at most 8"):
        explorer_input(9)


def test_explorer_pooled_peak_stays_put_while_the_detector_peak_moves():
    peak_values = set()
    for shift in range(9):
        _, detections, pooled = explorer_maps(shift, "max", 2)
        detector_peak = np.unravel_index(np.argmax(detections), detections.shape)
        pooled_peak = np.unravel_index(np.argmax(pooled), pooled.shape)
        assert detector_peak == (3, 1 + shift)  # equivariance: moves with every pixel
        assert pooled_peak == (1, (1 + shift) // 2)  # moves only every second pixel
        peak_values.add(round(float(pooled.max()), 12))
    assert len(peak_values) == 1  # the strongest detection itself is unchanged


def test_explorer_rejects_unknown_pooling():
    with pytest.raises(ValueError, match="'max' or 'average'"):
        explorer_maps(0, "median")


@pytest.mark.parametrize("kwargs, window", [({"shift": 0}, 2),
                                            ({"shift": 3, "pool": "average",
                                              "overlapping": True}, 3),
                                            ({"shift": 8, "pool": "max",
                                              "overlapping": True}, 3)])
def test_explorer_frames_number_every_pooled_value(kwargs, window):
    figure = draw_pooling_invariance(**kwargs)
    assert len(figure.axes) == 3
    _, _, pooled = explorer_maps(kwargs["shift"], kwargs.get("pool", "max"), window)
    assert [t.get_text() for t in figure.axes[2].texts] == [f"{v:.1f}" for v in pooled.flat]
    assert f"{window}x{window}" in figure.axes[2].get_title()


def test_explorer_frame_has_no_empty_band_above_its_titles():
    figure = draw_pooling_invariance(shift=3)
    figure.draw_without_rendering()
    highest = max(ax.title.get_window_extent().y1 for ax in figure.axes)
    # At most a tenth of the frame above the tallest title (the old frame had a third).
    assert figure.bbox.height - highest < 0.1 * figure.bbox.height


def test_static_figures_are_figures():
    assert isinstance(plot_eye_detector(), Figure)
    assert isinstance(plot_pooling_example([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0],
                                            [1, 2, 3, 4]]), Figure)
    assert isinstance(plot_pooling_example(np.arange(25).reshape(5, 5), 3, 1), Figure)
