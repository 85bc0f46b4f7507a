"""book.grading.compare: the grader judges a student's records against the solution's.

The records are made here the way the kernel makes them (book.check under
``BOOK_OBSERVATIONS``), once with the solution's answer and once with a student's; the
judgement uses the solution's records and settings only.
"""

import json

import pytest
import torch

from book.check import Case, check_function, check_model, check_table, check_training, record
from book.grading.assignment import Assignment, Question
from book.grading.compare import HIDDEN_FAILED, HIDDEN_PASSED, judge, judge_record

ASSIGNMENT = Assignment("exercise", [], [Question("square_checks", "Squares", 2, "", "",
                                                  ["square"])], {}, [], [])


def recorded(tmp_path, monkeypatch, *parts) -> list[dict]:
    """The records of ``parts``: (part, function running the checks) pairs, as the kernel
    writes them for question square_checks."""
    path = tmp_path / f"observations-{len(list(tmp_path.iterdir()))}.jsonl"
    monkeypatch.setenv(record.VARIABLE, str(path))
    for part, checks in parts:
        record.begin("square_checks", part)
        try:
            checks()
        except AssertionError:
            pass        # a visible check that failed in the kernel: its record is written
        record.end()
    return [json.loads(line) for line in path.read_text().splitlines()]


def square_checks(square, atol=1e-6):
    """The question: a visible check with expected values, a hidden one with inputs only."""
    return [("visible", lambda: check_function(square, [Case((3,), expected=9)], atol=atol,
                                               name="square")),
            ("hidden", lambda: check_function(square, [Case((x,)) for x in (0.5, 4, -2)]
                                              + [Case(("a",), raises=TypeError)],
                                              reference=lambda x: x * x, atol=atol,
                                              name="square"))]


def right(x):
    return x * x


def verdict(tmp_path, monkeypatch, student, solution=right, **solution_settings):
    expected = recorded(tmp_path, monkeypatch, *square_checks(solution, **solution_settings))
    got = recorded(tmp_path, monkeypatch, *square_checks(student))
    return judge(ASSIGNMENT, expected, got)["square_checks"]


def test_the_right_answer_passes(tmp_path, monkeypatch):
    assert verdict(tmp_path, monkeypatch, lambda x: x ** 2) == (True, HIDDEN_PASSED)


def test_a_wrong_hidden_value_names_the_call_the_expected_and_the_actual(tmp_path,
                                                                          monkeypatch):
    def wrong_on_negatives(x):
        return x * abs(x)

    assert verdict(tmp_path, monkeypatch, wrong_on_negatives) == (
        False, HIDDEN_FAILED + "square(-2) returned -4, expected 4")
    assert verdict(tmp_path, monkeypatch, lambda x: x * 1.0 * x)[0]


def test_a_missing_exception_and_a_stub_are_named(tmp_path, monkeypatch):
    def no_type_check(x):
        return x * x if not isinstance(x, str) else 0

    assert verdict(tmp_path, monkeypatch, no_type_check)[1].endswith(
        "square('a') returned 0, but these settings are impossible: it should raise "
        "TypeError with a message saying why")

    def stub(x):
        raise NotImplementedError()

    assert verdict(tmp_path, monkeypatch, stub) == (
        False, "square is not written yet: replace the line `raise NotImplementedError()` "
               "with your code, run that cell, then run this check again")


def test_the_solutions_tolerance_is_used_not_the_students(tmp_path, monkeypatch):
    expected = recorded(tmp_path, monkeypatch, *square_checks(right))
    loose = recorded(tmp_path, monkeypatch, *square_checks(lambda x: x * x + 0.5, atol=10))
    assert judge(ASSIGNMENT, expected, loose)["square_checks"] == (
        False, "square(3) returned 9.5, expected 9")


def test_records_that_did_not_come_or_were_forged_fail(tmp_path, monkeypatch):
    expected = recorded(tmp_path, monkeypatch, *square_checks(right))
    assert judge(ASSIGNMENT, expected, [])["square_checks"][1] == (
        "no result of the check of square reached the grader (the check did not run to its "
        "end)")
    forged = [dict(r, cases="all right") for r in expected]
    assert judge(ASSIGNMENT, expected, forged)["square_checks"][1] == (
        "the grader could not read the result of the check of square")
    # The solution's own records, handed back as the student's, are the right answers.
    assert judge(ASSIGNMENT, expected, expected)["square_checks"][0]


def test_a_record_run_again_replaces_the_earlier_one(tmp_path, monkeypatch):
    """After a kernel restart the cells are replayed: the latest record of a call counts."""
    expected = recorded(tmp_path, monkeypatch, *square_checks(right))
    wrong = recorded(tmp_path, monkeypatch, *square_checks(lambda x: 0))
    assert judge(ASSIGNMENT, expected, wrong + expected)["square_checks"][0]
    assert not judge(ASSIGNMENT, expected, expected + wrong)["square_checks"][0]


def two_layer_net():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(18, 4))


def one_record(tmp_path, monkeypatch, checks) -> dict:
    [only] = recorded(tmp_path, monkeypatch, ("hidden", checks))
    return only


def test_models_are_judged_by_count_output_and_layer_shapes(tmp_path, monkeypatch):
    expected = one_record(tmp_path, monkeypatch,
                          lambda: check_model(two_layer_net, (3, 1, 8, 8), name="build",
                                              reference=two_layer_net))
    assert judge_record(expected, expected) is None

    def wider():
        return torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.MaxPool2d(2),
                                   torch.nn.Flatten(), torch.nn.Linear(27, 4))

    got = one_record(tmp_path, monkeypatch, lambda: check_model(wider, (3, 1, 8, 8)))
    assert judge_record(expected, got) == (
        "build() makes a model with 142 trainable parameters; expected 96")


def test_training_is_judged_with_the_solutions_threshold(tmp_path, monkeypatch):
    data = (torch.eye(2).repeat(8, 1), torch.tensor([0, 1] * 8))

    def fit(model, inputs, labels, epochs, lr=0.5):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(epochs):
            loss = torch.nn.functional.cross_entropy(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    def training(function, at_least):
        return one_record(tmp_path, monkeypatch, lambda: check_training(
            function, lambda: torch.nn.Linear(2, 2), data, data, at_least=at_least,
            name="fit", epochs=20))

    expected = training(fit, at_least=0.9)
    assert judge_record(expected, expected) is None
    lazy = training(lambda model, inputs, labels, epochs: [0.0] * epochs, at_least=0.0)
    assert judge_record(expected, lazy).endswith("expected at least 90%")
    short = training(lambda model, inputs, labels, epochs: [0.1], at_least=0.0)
    assert "one average loss per epoch (20 numbers)" in judge_record(expected, short)
    nan = training(lambda model, inputs, labels, epochs: fit(model, inputs, labels, epochs)
                   [:-1] + [float("nan")], at_least=0.0)
    assert "every loss should be a finite number" in judge_record(expected, nan)


def test_tables_are_judged_entry_by_entry(tmp_path, monkeypatch):
    expected = one_record(tmp_path, monkeypatch, lambda: check_table(
        lambda: {"a": 1, "b": 2}, name="table", reference=lambda: pytest.fail("ran")))
    got = one_record(tmp_path, monkeypatch, lambda: check_table(lambda: {"a": 1, "b": 3},
                                                                name="table"))
    assert judge_record(expected, got) == "table()['b'] is 3, expected 2"
