"""Model simple and complex cells (book.vision) and chapter 1's figures."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from book.figures import vision as vision_figures
from book.samples import letter_a
from book.vision import (
    FIELD_SIZE,
    ComplexCell,
    SimpleCell,
    bar_stimulus,
    gabor_receptive_field,
    neocognitron_stage,
    orientation_tuning,
    position_tuning,
    preferred_orientation,
)

CENTRE = FIELD_SIZE // 2
ORIENTATIONS = np.arange(0, 180, 5)


def test_vertical_bar_lights_the_centre_columns():
    bar = bar_stimulus(90, 0)
    np.testing.assert_allclose(bar[:, CENTRE - 1:CENTRE + 2], 1)
    np.testing.assert_allclose(bar[:, :CENTRE - 2], 0, atol=1e-12)
    np.testing.assert_allclose(bar[:, CENTRE + 3:], 0, atol=1e-12)


def test_horizontal_bar_lights_the_centre_rows():
    bar = bar_stimulus(0, 0)
    np.testing.assert_allclose(bar[CENTRE - 1:CENTRE + 2, :], 1)
    np.testing.assert_allclose(bar[:CENTRE - 2, :], 0, atol=1e-12)
    np.testing.assert_allclose(bar[CENTRE + 3:, :], 0, atol=1e-12)


def test_position_moves_a_vertical_bar_to_the_right():
    for shift in (1, 3, -4):
        moved = np.roll(bar_stimulus(90, 0), shift, axis=1)
        np.testing.assert_allclose(bar_stimulus(90, shift), moved, atol=1e-12)


def test_orientation_repeats_every_180_degrees():
    for orientation in (0, 30, 75, 120):
        np.testing.assert_allclose(bar_stimulus(orientation),
                                   bar_stimulus(orientation + 180), atol=1e-12)


def test_receptive_field_is_zero_mean_unit_length_and_rotates():
    field = gabor_receptive_field(90)
    assert abs(field.sum()) < 1e-9
    assert np.linalg.norm(field) == pytest.approx(1.0)
    np.testing.assert_allclose(np.rot90(gabor_receptive_field(90)),
                               gabor_receptive_field(0), atol=1e-12)
    # Excitatory centre, inhibitory flanks, for a vertical preference.
    assert field[CENTRE, CENTRE] > 0 and field[CENTRE, CENTRE + 4] < 0


def test_simple_cell_response_is_a_rectified_weighted_sum():
    cell = SimpleCell(60, 2)
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (5, FIELD_SIZE, FIELD_SIZE))
    best = np.sum(cell.receptive_field * bar_stimulus(60, 2))
    expected = [max(np.sum(cell.receptive_field * image) / best, 0.0)
                for image in images]
    np.testing.assert_allclose(cell.respond(images), expected)
    assert cell.respond(bar_stimulus(60, 2)) == pytest.approx(1.0)
    uniform = np.ones((FIELD_SIZE, FIELD_SIZE))
    assert cell.respond(uniform) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("preferred", [0, 30, 60, 90, 120, 150])
def test_simple_cell_preferred_orientation_is_where_its_tuning_curve_peaks(preferred):
    curve = orientation_tuning(SimpleCell(preferred), ORIENTATIONS)
    assert preferred_orientation(ORIENTATIONS, curve) == preferred
    assert curve.max() == pytest.approx(1.0)
    # Orthogonal bars leave the cell silent.
    assert curve[ORIENTATIONS == (preferred + 90) % 180][0] < 0.02


def test_tuning_curve_falls_off_symmetrically():
    curve = orientation_tuning(SimpleCell(90), np.array([60, 75, 90, 105, 120]))
    assert curve[0] < curve[1] < curve[2] and curve[4] < curve[3] < curve[2]
    assert curve[1] == pytest.approx(curve[3]) and curve[0] == pytest.approx(curve[4])


def test_complex_cell_is_the_max_over_its_simple_cells():
    cell = ComplexCell(45, positions=(-3, 0, 5))
    stimuli = np.stack([bar_stimulus(o, p)
                        for o in (30, 45, 60) for p in (-4, 0, 2, 5)])
    by_hand = [max(float(SimpleCell(45, p).respond(s)) for p in (-3, 0, 5))
               for s in stimuli]
    np.testing.assert_allclose(cell.respond(stimuli), by_hand)


def test_complex_cell_stays_active_where_a_simple_cell_drops():
    positions = np.arange(-8, 9)
    simple = position_tuning(SimpleCell(90), positions, 90)
    complex_ = position_tuning(ComplexCell(90), positions, 90)
    assert np.all(complex_ > 0.95)
    assert np.all(simple[np.abs(positions) >= 3] < 0.05)
    assert simple[positions == 0][0] == pytest.approx(1.0)
    # Its field is larger, not infinite: far bars leave it silent.
    assert np.all(position_tuning(ComplexCell(90), [-15, 15], 90) < 0.05)


def test_complex_cell_keeps_its_orientation_preference_everywhere():
    for position in (-6, 0, 4):
        curve = orientation_tuning(ComplexCell(90), ORIENTATIONS, position)
        assert preferred_orientation(ORIENTATIONS, curve) == 90
        assert curve[ORIENTATIONS == 0][0] < 0.02


def test_preferred_orientation_takes_the_argmax():
    assert preferred_orientation([0, 45, 90, 135], [0.1, 0.9, 0.3, 0.2]) == 45.0


@pytest.mark.parametrize("call", [
    lambda: bar_stimulus(90, 0, width=0),
    lambda: bar_stimulus(float("nan")),
    lambda: bar_stimulus(90, "left"),
    lambda: bar_stimulus(90, size=2),
    lambda: gabor_receptive_field(90, sigma=0),
    lambda: SimpleCell().respond(np.zeros((5, 5))),
    lambda: ComplexCell(positions=()),
    lambda: preferred_orientation([0, 90], [1.0]),
    lambda: preferred_orientation([], []),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_neocognitron_stage_is_conv_relu_then_max_pooling_as_in_torch():
    image = letter_a()
    orientations = (0, 60, 120)
    s1, c1 = neocognitron_stage(image, orientations)
    assert s1.shape == (3, 21, 21) and c1.shape == (3, 10, 10)
    fields = np.stack([gabor_receptive_field(o, size=9, wavelength=6, sigma=1.5)
                       for o in orientations])
    conv = torch.nn.functional.conv2d(torch.tensor(image)[None, None],
                                      torch.tensor(fields)[:, None])
    expected_s1 = torch.relu(conv)
    expected_c1 = torch.nn.functional.max_pool2d(expected_s1, 3, 2)
    np.testing.assert_allclose(s1, expected_s1[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(c1, expected_c1[0].numpy(), atol=1e-12)
    # Each plane answers to strokes of its own orientation: the planes differ.
    assert not np.allclose(s1[0], s1[1])


def test_bad_number_is_refused_with_its_name():
    with pytest.raises(ValueError, match=r"orientation must be a real number, got \[90, 0\]"):
        bar_stimulus([90, 0])
    with pytest.raises(ValueError, match="position must be a finite number"):
        bar_stimulus(90, float("inf"))
    with pytest.raises(ValueError, match="size must be at least 3"):
        bar_stimulus(90, size=2)


@pytest.mark.parametrize("orientation,position",
                         [(0, -12), (90, 0), (165, 12), (45, 3)])
def test_simulator_frames_show_the_cells_responses(orientation, position):
    figure = vision_figures.draw_cell_simulator(orientation=orientation,
                                                position=position)
    assert isinstance(figure, Figure)
    texts = " ".join(t.get_text() for t in figure.texts)
    bar = bar_stimulus(orientation, position)
    assert f"simple cell: {float(SimpleCell(90).respond(bar)):.2f}" in texts
    assert f"complex cell: {float(ComplexCell(90).respond(bar)):.2f}" in texts


def test_static_figures_are_figures():
    for draw in (vision_figures.plot_receptive_fields,
                 vision_figures.plot_featural_hierarchy,
                 vision_figures.plot_neocognitron_cascade,
                 vision_figures.plot_timeline):
        figure = draw()
        assert isinstance(figure, Figure) and figure.axes


def test_timeline_holds_the_syllabus_years_in_order():
    years = [event[0] for event in vision_figures.TIMELINE]
    assert years == sorted(years)
    assert {1959, 1980, 1989, 1998, 2012, 2014, 2015} <= set(years)
