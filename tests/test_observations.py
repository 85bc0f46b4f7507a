"""book.check.record and .encoding: what a check records under the grader, and how it travels.

Under the grader (``BOOK_OBSERVATIONS`` names a file, the plan's cells call ``record.begin``)
every check call appends one JSON line; in a hidden part the check only observes: it never
calls the reference, compares nothing and prints nothing.
"""

import json

import numpy as np
import pytest
import torch

from book.check import Case, CheckFailed, check_function, check_model, check_training, record
from book.check.encoding import ARRAY_BYTES, DEPTH_LIMIT, Opaque, TooLarge, decode, encode
from book.check.observe import Outcome


@pytest.fixture
def observations(tmp_path, monkeypatch):
    """The observations file the grader would read; recording ends with the test."""
    path = tmp_path / "observations.jsonl"
    monkeypatch.setenv(record.VARIABLE, str(path))
    yield lambda: [json.loads(line) for line in path.read_text().splitlines()] \
        if path.exists() else []
    record.end()


def square(x):
    return x * x


def test_a_visible_check_records_its_calls_and_still_judges(observations, capsys):
    record.begin("square_checks", "visible")
    check_function(square, [Case((2,), expected=4)], name="square")
    with pytest.raises(CheckFailed, match="square\\(3\\) returned 9, expected 10"):
        check_function(square, [Case((3,), expected=10)], name="square")
    assert capsys.readouterr().out == "✓ square: all 1 checks passed\n"
    first, second = observations()
    assert (first["grade_id"], first["part"], first["index"], first["check"]) == (
        "square_checks", "visible", 0, "function")
    assert second["index"] == 1
    assert first["cases"][0]["call"] == "square(2)"
    assert Outcome.from_json(second["cases"][0]["outcome"]).value == 9


def test_a_hidden_check_never_calls_the_reference_nor_compares(observations, capsys):
    def reference(x):
        raise AssertionError("the reference ran in the student's process")

    record.begin("square_checks", "hidden")
    check_function(lambda x: -1, [Case((2,), expected=4), Case((5,))], reference=reference,
                   name="square")
    assert capsys.readouterr().out == ""
    [hidden] = observations()
    assert hidden["part"] == "hidden"
    assert "4" not in json.dumps(hidden["cases"])    # the expected value is nowhere
    assert [Outcome.from_json(c["outcome"]).value for c in hidden["cases"]] == [-1, -1]


def test_the_part_is_read_when_the_check_starts(observations):
    """A student function that switches the part to "visible" cannot make the hidden check
    compute its expected values."""
    def sneaky(x):
        record.begin("square_checks", "visible")
        return 0

    record.begin("square_checks", "hidden")
    check_function(sneaky, [Case((2,))], reference=lambda x: pytest.fail("reference ran"))
    assert observations()[0]["part"] == "hidden"


def test_nothing_is_recorded_outside_the_grader(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(record.VARIABLE, raising=False)
    record.begin("square_checks", "hidden")     # no file: the checks run in full
    with pytest.raises(CheckFailed):
        check_function(lambda x: 0, [Case((2,))], reference=square, name="square")
    record.end()
    assert list(tmp_path.iterdir()) == []


def test_each_case_gets_fresh_inputs(observations):
    shared = [3, 1, 2]

    def consume(values):
        values.clear()      # a student function that empties its argument
        return 0

    record.begin("q", "hidden")
    check_function(consume, [Case((shared,)), Case((shared,))])
    assert shared == [3, 1, 2]


def test_models_and_training_are_recorded_as_numbers(observations):
    def build():
        return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten())

    def train(model, inputs, labels, epochs):
        return [float("nan")] * epochs

    record.begin("q", "hidden")
    check_model(build, (1, 1, 5, 5), reference=lambda: pytest.fail("reference ran"))
    inputs, labels = torch.zeros(4, 18), torch.zeros(4, dtype=torch.long)
    check_training(train, lambda: torch.nn.Linear(18, 2), (inputs, labels), (inputs, labels),
                   at_least=0.5, epochs=2)
    model, training = observations()
    assert (model["model"]["parameters"], model["model"]["layers"]) == (20, [["Conv2d",
                                                                             [2, 3, 3]]])
    assert model["model"]["output_shape"] == [1, 18]
    assert decode(training["settings"]["at_least"]) == 0.5
    assert np.isnan(Outcome.from_json(training["losses"]).value).all()


@pytest.mark.parametrize("value", [
    3, 2.5, True, None, "text", [1, 2.0], (1, "a"), {"a": 1, 2: (3, 4)},
    np.arange(6).reshape(2, 3), np.float32(1.5), np.int64(7), np.bool_(False),
    float("nan"), float("-inf"), torch.tensor([[1.0, 2.0]])])
def test_values_survive_the_trip_as_json(value):
    back = decode(json.loads(json.dumps(encode(value), allow_nan=False)))
    expected = value.numpy() if isinstance(value, torch.Tensor) else value
    if isinstance(expected, np.ndarray):
        assert isinstance(back, np.ndarray)
        np.testing.assert_array_equal(back, expected)
    elif isinstance(expected, float) and np.isnan(expected):
        assert np.isnan(back)
    else:
        assert back == expected and type(back) in (type(expected), bool, int, float)


def test_other_objects_and_huge_values_are_described_not_kept():
    assert decode(encode(object)) == Opaque("type", repr(object))
    huge = decode(encode(np.zeros(ARRAY_BYTES // 8 + 1)))
    assert isinstance(huge, TooLarge) and "too large" in repr(huge)
    assert isinstance(decode(encode("x" * 1_000_000)), TooLarge)


def test_decoding_never_unpickles():
    """An array saved with pickle (what a forged observation could send) is refused."""
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    forged = {"$": "array", "npy": base64.b64encode(buffer.getvalue()).decode()}
    with pytest.raises(ValueError):
        decode(forged)


def nested(depth: int) -> list:
    value = []
    for _ in range(depth):
        value = [value]
    return value


def looped() -> list:
    value = []
    value.append(value)
    return value


@pytest.mark.parametrize("value", [nested(10_000), looped()], ids=["deep", "looped"])
def test_deep_and_self_referencing_values_are_cut_and_travel(value):
    back = decode(json.loads(json.dumps(encode(value), allow_nan=False)))
    for _ in range(DEPTH_LIMIT + 1):
        [back] = back
    assert isinstance(back, TooLarge)


def test_decoding_refuses_data_nested_deeper_than_any_record():
    """A forged record nested past what encode makes is not read (no RecursionError)."""
    forged = 1
    for _ in range(200):
        forged = {"$": "list", "items": [forged]}
    with pytest.raises(ValueError, match="nested deeper than a check records"):
        decode(forged)
