"""book.check: feedback names the input, the expected and the actual value."""

import numpy as np
import pytest

from book.check import Case, CheckFailed, check_function, check_value, difference


def square(x):
    return x * x


def test_passing_function_prints_one_line(capsys):
    check_function(square, [Case((2,), expected=4), Case((3,), expected=9)])
    assert capsys.readouterr().out.strip() == "✓ square: all 2 checks passed"


def test_wrong_value_names_input_expected_and_actual():
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda x: x + x, [Case((2,), expected=4), Case((3,), expected=9)],
                       name="square")
    assert str(failure.value) == "square(3) returned 6, expected 9"


def test_expected_value_can_come_from_a_reference():
    with pytest.raises(CheckFailed, match=r"square\(5\) returned 10, expected 25"):
        check_function(lambda x: 2 * x, [Case((5,))], reference=square, name="square")


def test_stub_is_reported_as_not_written():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="stub is not written yet"):
        check_function(stub, [Case((1,), expected=1)])


def test_exception_in_student_code_is_reported_not_raised():
    def broken(x):
        return x / 0

    with pytest.raises(CheckFailed, match=r"broken\(1\) raised ZeroDivisionError"):
        check_function(broken, [Case((1,), expected=1)])


def test_missing_required_error_is_reported():
    with pytest.raises(CheckFailed, match="should raise ValueError"):
        check_function(square, [Case((-1,), raises=ValueError)])


def test_wrong_exception_type_is_reported():
    def picky(x):
        raise TypeError("no")

    with pytest.raises(CheckFailed, match="raised TypeError: no; expected ValueError"):
        check_function(picky, [Case((1,), raises=ValueError)])


def test_not_a_function():
    with pytest.raises(CheckFailed, match="should be a function"):
        check_function(3, [Case((1,), expected=1)], name="f")


def test_shape_error_is_explained():
    assert difference(np.zeros((3, 3)), np.zeros((2, 2))) == (
        "returned an array of shape (3, 3), expected shape (2, 2)")


def test_large_arrays_are_summarised_not_printed():
    expected = np.arange(100.0).reshape(10, 10)
    actual = expected.copy()
    actual[4, 7] = -1
    message = difference(actual, expected)
    assert message == ("wrong values at 1 of 100 positions; first at index (4, 7): "
                       "got -1, expected 47")
    assert "99" not in message


def test_nan_is_named():
    assert difference(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == "returned NaN at index (1,)"
    assert difference(float("nan"), 2.0) == "returned NaN, expected 2.0"


def test_none_and_non_numbers():
    assert "forget `return`" in difference(None, np.zeros(2))
    assert difference("3", 3) == "returned '3', expected the number 3"


def test_torch_tensors_are_compared_as_arrays():
    torch = pytest.importorskip("torch")
    assert difference(torch.ones(2, 2), np.ones((2, 2))) is None
    assert "shape" in difference(torch.ones(2), np.ones((2, 2)))


def test_booleans_are_not_numbers():
    assert difference(np.bool_(True), True) is None
    assert difference(1, True) == "returned 1, expected True"


def test_check_value(capsys):
    check_value(np.array([1, 2]), [1, 2], "kernel")
    assert "✓ kernel is correct" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="kernel: is an array of shape"):
        check_value(np.zeros((5, 5)), np.zeros((3, 3)), "kernel")


def test_an_object_equal_to_everything_does_not_pass():
    class Agreeable:
        def __eq__(self, other):
            return True

    assert difference(Agreeable(), "same") is not None
    assert difference("same", "same") is None
    assert difference(None, None) is None


def test_each_call_gets_its_own_copy_of_the_inputs(capsys):
    """A function that empties its argument harms neither the reference nor the next case."""
    shared = [3, 1, 2]

    def sort_in_place(values):
        values.sort()
        values.clear()
        return 0

    with pytest.raises(CheckFailed, match=r"sort_in_place\(\[3, 1, 2\]\) returned 0, "
                                          r"expected 3"):
        check_function(sort_in_place, [Case((shared,))], reference=lambda v: v[0])
    assert shared == [3, 1, 2]


def test_deep_self_referencing_and_unprintable_answers_fail_in_one_line():
    deep = []
    for _ in range(10_000):
        deep = [deep]
    looped = []
    looped.append(looped)

    class Unprintable:
        def __repr__(self):
            raise RuntimeError("no")

    for answer, shown in ((deep, "a list nested too deeply to show"), (looped, "[[...]]"),
                          (Unprintable(), "<Unprintable whose repr raised RuntimeError>")):
        with pytest.raises(CheckFailed) as failure:
            check_function(lambda n, answer=answer: answer, [Case((2,), expected=4)],
                           name="twice")
        assert str(failure.value) == f"twice(2) returned {shown}, expected the number 4"
