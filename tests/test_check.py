"""book.check: feedback names the input, the expected and the actual value."""

import sys

import numpy as np
import pytest

from book.check import (
    Case,
    CheckFailed,
    check_function,
    check_value,
    check_whole_number,
    difference,
)


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
    assert difference(np.zeros((5, 5)), np.zeros((2, 2))) == (
        "returned an array of shape (5, 5), expected shape (2, 2)")


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
    assert difference("3", 3) == "returned the text '3', expected the number 3"


def test_torch_tensors_are_compared_as_arrays():
    torch = pytest.importorskip("torch")
    assert difference(torch.ones(2, 2), np.ones((2, 2))) is None
    assert "shape" in difference(torch.ones(2), np.ones((2, 2)))


def test_booleans_are_not_numbers():
    assert difference(np.bool_(True), True) is None
    assert difference(1, True) == "returned 1, expected True"


@pytest.mark.parametrize("wrong, words", [
    ([[[["1", "0"]]]], "an array of strings"),      # deeper than not_numbers looks
    (np.array([[[[True, False]]]]), "an array of booleans"),
])
def test_arrays_that_numpy_would_make_numbers_are_named(wrong, words):
    expected = np.array([[[[1.0, 0.0]]]])
    message = difference(wrong, expected)
    assert message.startswith(f"returned {words}")
    assert message.endswith("expected an array of real numbers of shape (1, 1, 1, 2)")
    assert difference(np.array([True, False]), np.array([True, False])) is None


@pytest.mark.parametrize("answer", [3, 3.0, np.int64(3)])
def test_a_whole_number_may_be_written_any_way(answer, capsys):
    check_whole_number(answer, "answer", choices=(1, 2, 3, 4))
    assert "✓ answer is a whole number" in capsys.readouterr().out


@pytest.mark.parametrize("answer, settings, message", [
    (None, {}, "answer is not answered yet (it is None)"),
    (2.5, {}, "answer is 2.5, not a whole number"),
    ("3", {}, "answer is the text '3', not a whole number"),
    (True, {}, "answer is True, not a whole number"),
    (float("nan"), {}, "answer is nan, not a whole number"),
    (7, {"choices": (1, 2, 3, 4)}, "answer is 7, not one of 1, 2, 3 or 4"),
    (10**400, {"choices": (1, 2)}, "answer is an integer of about 400 digits, not one of 1 or 2"),
    (-10**1000, {"minimum": 1}, "answer is an integer of about 1000 digits; the answer is at "
                                "least 1"),
    (np.full((2, 2), 3.0), {}, "answer is ndarray of shape (2, 2), not a whole number"),
    (0, {"minimum": 1}, "answer is 0; the answer is at least 1"),
])
def test_a_wrong_form_is_named(answer, settings, message):
    with pytest.raises(CheckFailed) as failure:
        check_whole_number(answer, "answer", **settings)
    assert str(failure.value) == message


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


def masked(values):
    return np.ma.masked_all(np.shape(values))


@pytest.mark.parametrize("wrong, words", [
    (lambda right: right + 5j, "complex numbers"),
    (lambda right: right.astype(str), "an array of strings"),
    (masked, "a masked array"),
    (lambda right: right.astype(object), "Python objects"),
    (lambda right: right.astype(np.float16), "float16 array"),
    (lambda right: (value for value in right), "a generator"),
    (lambda right: iter(right.tolist()), "an iterator"),
    (lambda right: [complex(v) for v in right], "a list holding the complex number"),
    (lambda right: [10 ** 400] * len(right), "not an array of numbers"),
])
def test_values_that_are_not_real_numbers_are_named_and_never_pass(wrong, words):
    right = np.array([1.0, 2.0, 3.0])
    message = difference(wrong(right), right)
    assert message is not None and words in message, message


@pytest.mark.parametrize("make, words", [
    (lambda torch, n: torch.ones(n, device="meta"), "on the meta device"),
    (lambda torch, n: torch.ones(n).to_sparse(), "a sparse tensor"),
    (lambda torch, n: torch.ones(n, dtype=torch.bfloat16), "a bfloat16 tensor"),
    (lambda torch, n: torch.ones(n, dtype=torch.float16), "a float16 tensor"),
    (lambda torch, n: torch.ones(n) + 0j, "complex numbers"),
])
def test_tensors_without_plain_real_values_are_named(make, words):
    torch = pytest.importorskip("torch")
    assert words in difference(make(torch, 3), np.ones(3))
    assert words in difference(make(torch, 1), 1.0)


def test_numbers_that_are_not_real_numbers():
    assert difference(3 + 0j, 3) == "returned the complex number (3+0j), expected the number 3"
    assert difference(10 ** 400, 3) == ("returned an integer of about 400 digits, too large "
                                        "to be a float; expected 3")
    assert difference([10 ** 400], [3]) == f"returned [{10 ** 400}"[:86] + "..., which is " \
        "not an array of numbers"


def test_a_torch_scalar_counts_as_its_number_and_is_shown_as_a_tensor():
    torch = pytest.importorskip("torch")
    assert difference(torch.tensor(40), 40) is None
    assert difference(torch.tensor(40.0, requires_grad=True), 40) is None
    assert difference(torch.tensor(41), 40) == "returned tensor(41), expected 40"
    assert difference(np.float64(41), 40) == "returned 41.0, expected 40"


@pytest.mark.parametrize("stop, words", [
    (lambda: sys.exit(3), "called sys.exit(3)"),
    (lambda: sys.exit(), "called sys.exit()"),
    (lambda: exit(), "called sys.exit()"),
    (lambda: (_ for _ in ()).throw(KeyboardInterrupt()), "was interrupted (KeyboardInterrupt)"),
])
def test_exits_and_interrupts_in_student_code_are_reported_in_one_line(stop, words):
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda x: stop(), [Case((1,), expected=1)], name="f")
    assert str(failure.value).startswith(f"f(1) {words}")


def test_an_authors_listed_mistake_is_the_feedback():
    case = Case((7, 3), expected=2, mistakes={"divide by the stride, then add 1": 3.0})
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda n, s: n // s + 1, [case], name="steps")
    assert str(failure.value) == "steps(7, 3) returned 3: divide by the stride, then add 1"
    with pytest.raises(CheckFailed, match=r"returned 4, expected 2$"):
        check_function(lambda n, s: 4, [case], name="steps")


def corr(image, kernel):
    rows, cols = kernel.shape
    return np.array([[np.sum(image[i:i + rows, j:j + cols] * kernel)
                      for j in range(image.shape[1] - cols + 1)]
                     for i in range(image.shape[0] - rows + 1)])


def test_a_flipped_kernel_is_named():
    image, kernel = np.arange(25.0).reshape(5, 5) % 7, np.array([[1.0, 2.0], [0.0, -1.0]])
    case = Case((image, kernel), expected=corr(image, kernel))
    check_function(corr, [case])
    with pytest.raises(CheckFailed, match="with the kernel turned by 180 degrees your "
                                          "function gives the right result"):
        check_function(lambda x, k: corr(x, k[::-1, ::-1]), [case], name="corr")
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda x, k: corr(x, k) * 2, [case], name="corr")
    assert "flipped" not in str(failure.value)


def test_the_kernel_is_found_by_its_name_after_other_arrays():
    # A backward pass takes (dy, x, w): the flip is tested on w, not on x.
    def gradient_of_input(dy, x, w):
        return corr(np.pad(dy, 1), w[::-1, ::-1])

    dy, x, w = np.arange(16.0).reshape(4, 4) % 5, np.ones((5, 5)), np.array([[1.0, 2.0],
                                                                            [0.0, -1.0]])
    case = Case((dy, x, w), expected=gradient_of_input(dy, x, w))
    with pytest.raises(CheckFailed, match="kernel turned by 180 degrees"):
        check_function(lambda dy, x, w: corr(np.pad(dy, 1), w), [case], name="backward")


def test_a_transposed_square_result_is_named_unless_it_is_symmetric():
    square, symmetric = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [2.0, 1.0]])
    assert difference(square.T, square).endswith("it is the transpose of the right result "
                                                 "(rows and columns swapped)")
    assert "transpose" not in difference(2 * symmetric, symmetric)


@pytest.mark.parametrize("wrong, words", [
    (lambda right: right.T, "the transpose of the right result"),
    (lambda right: right[:, :-1, :-1], "check the stride and the padding"),
    (lambda right: np.stack([right / 2, right / 2]), "the channels should be summed"),
    (lambda right: right[0], "one axis too few"),
    (lambda right: right + np.array([1.0, -2.0])[:, None, None], "check the bias"),
])
def test_the_usual_mistakes_are_diagnosed(wrong, words):
    right = np.arange(32.0).reshape(2, 4, 4) ** 1.5
    if words.startswith("the transpose"):
        right = right[0, :3]
    message = difference(wrong(right), right)
    assert words in message and "\n" not in message, message


def test_a_failed_check_renders_as_its_message_in_a_notebook():
    """IPython shows _render_traceback_'s lines instead of the traceback."""
    lines = CheckFailed("f(1) returned 2, expected 1")._render_traceback_()
    assert len(lines) == 1 and lines[0].endswith("f(1) returned 2, expected 1")
