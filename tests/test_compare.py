"""book.grading.compare: the grader judges a student's records against the solution's.

The records are made here the way the kernel makes them (book.check under
``BOOK_OBSERVATIONS``), once with the solution's answer and once with a student's; the
judgement uses the solution's records and settings only.
"""

import json

import numpy as np
import pytest
import torch

from book.check import Case, check_function, check_model, check_table, check_training, record
from book.check.encoding import decode, encode
from book.grading import compare
from book.grading.assignment import Assignment, Question
from book.grading.compare import (
    HIDDEN_FAILED,
    HIDDEN_PASSED,
    expected_observations,
    judge,
    judge_record,
)
from book.grading.run import RunRecord

ASSIGNMENT = Assignment("exercise", [], [Question("square_checks", "Squares", 2, "", "",
                                                  ["square"])], {}, [], [], "")


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


def test_models_are_judged_by_their_behaviour(tmp_path, monkeypatch):
    """The same shapes and count with max pooling instead of average: the probe differs."""
    def averaging():
        return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.AvgPool2d(2),
                                   torch.nn.Flatten(), torch.nn.Linear(18, 4))

    expected = one_record(tmp_path, monkeypatch,
                          lambda: check_model(averaging, (3, 1, 8, 8), name="build",
                                              reference=averaging))
    assert judge_record(expected, expected) is None
    got = one_record(tmp_path, monkeypatch, lambda: check_model(two_layer_net, (3, 1, 8, 8)))
    assert judge_record(expected, got).startswith(
        "the model of build() computes a different function")


DATA = (torch.eye(2).repeat(8, 1), torch.tensor([0, 1] * 8))


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


def training(tmp_path, monkeypatch, function, at_least=0.9, reference=False,
             make=lambda: torch.nn.Linear(2, 2)) -> dict:
    """The record of a training check; ``reference``: as the solution's trusted run makes it."""
    if reference:
        monkeypatch.setenv(record.REFERENCE_VARIABLE, "1")
    else:
        monkeypatch.delenv(record.REFERENCE_VARIABLE, raising=False)
    return one_record(tmp_path, monkeypatch, lambda: check_training(
        function, make, DATA, DATA, at_least=at_least, name="fit", epochs=20))


def test_training_is_judged_with_the_solutions_threshold(tmp_path, monkeypatch):
    expected = training(tmp_path, monkeypatch, fit, reference=True)
    assert judge_record(expected, expected) is None
    assert judge_record(expected, training(tmp_path, monkeypatch, fit)) is None
    lazy = training(tmp_path, monkeypatch, lambda model, inputs, labels, epochs: [
        1 / (epoch + 1) for epoch in range(epochs)], at_least=0.0)
    assert judge_record(expected, lazy).endswith("expected at least 90%")
    short = training(tmp_path, monkeypatch, lambda model, inputs, labels, epochs: [0.1],
                     at_least=0.0)
    assert "one average loss per epoch (20 numbers)" in judge_record(expected, short)
    nan = training(tmp_path, monkeypatch, lambda model, inputs, labels, epochs: fit(
        model, inputs, labels, epochs)[:-1] + [float("nan")], at_least=0.0)
    assert "every loss should be a finite number" in judge_record(expected, nan)
    words = training(tmp_path, monkeypatch, lambda model, inputs, labels, epochs: ["0.5"] * 20,
                     at_least=0.0)
    assert "every loss should be a finite number" in judge_record(expected, words)


def test_only_the_trusted_run_records_the_architecture_and_the_test_data(tmp_path,
                                                                          monkeypatch):
    student = training(tmp_path, monkeypatch, fit)
    assert set(student) & {"architecture", "test_inputs", "test_labels", "accuracy"} == set()
    assert sorted(decode(student["parameters"])) == ["bias", "weight"]
    assert {"architecture", "test_inputs", "test_labels"} <= set(
        training(tmp_path, monkeypatch, fit, reference=True))


class ReadsTheAnswer(torch.nn.Module):
    """Parameters named like torch.nn.Linear(2, 2)'s, a forward that ignores them: right on
    DATA (whose labels are the index of the one in each input) whatever the weights."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(2, 2))
        self.bias = torch.nn.Parameter(torch.zeros(2))

    def forward(self, x):
        return x + 0 * (self.weight.sum() + self.bias.sum())


def test_a_forged_accuracy_and_architecture_change_nothing(tmp_path, monkeypatch):
    """The grader measures the accuracy of the recorded weights itself, in the solution's
    architecture: a record claiming 100% with weights that classify half fails."""
    expected = training(tmp_path, monkeypatch, fit, reference=True)
    forged = training(tmp_path, monkeypatch, fit)
    weights = {"weight": np.zeros((2, 2), np.float32), "bias": np.array([1, 0], np.float32)}
    # ReadsTheAnswer cannot learn: its losses are made up, decreasing as the check requires.
    own_architecture = training(tmp_path, monkeypatch, lambda model, inputs, labels, epochs: [
        1 / (epoch + 1) for epoch in range(epochs)], reference=True, make=ReadsTheAnswer)
    assert judge_record(own_architecture, {**own_architecture,
                                           "parameters": encode(weights)}) is None
    forged.update(accuracy=1.0, parameters=encode(weights),
                  architecture=own_architecture["architecture"],
                  test_inputs=encode(torch.zeros(16, 2)), test_labels=encode(torch.zeros(16)))
    assert judge_record(expected, forged) == (
        "after fit(model, images, labels, epochs=20) the model classifies 50.0% of the 16 "
        "test examples correctly; expected at least 90%")


def test_weights_that_do_not_fit_the_architecture_fail_in_one_line(tmp_path, monkeypatch):
    expected = training(tmp_path, monkeypatch, fit, reference=True)
    wider = training(tmp_path, monkeypatch, fit, make=lambda: torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Linear(3, 2)))
    assert judge_record(expected, wider) == (
        "fit: the trained parameters do not fit the model the check trains (first "
        "difference: '0.bias')")
    for parameters in ({"weight": "heavy", "bias": [1, 2]}, [1, 2], None):
        got = {**expected, "parameters": encode(parameters)}
        assert judge_record(expected, got) == (
            "fit: the trained parameters are not a state_dict of number arrays")


def test_tables_are_judged_entry_by_entry(tmp_path, monkeypatch):
    expected = one_record(tmp_path, monkeypatch, lambda: check_table(
        lambda: {"a": 1, "b": 2}, name="table", reference=lambda: pytest.fail("ran")))
    got = one_record(tmp_path, monkeypatch, lambda: check_table(lambda: {"a": 1, "b": 3},
                                                                name="table"))
    assert judge_record(expected, got) == "table()['b'] is 3, expected 2"


def test_a_record_nested_too_deeply_is_unreadable_not_a_grader_error(tmp_path, monkeypatch):
    expected = recorded(tmp_path, monkeypatch, *square_checks(right))
    deep = 9.0
    for _ in range(500):
        deep = {"$": "list", "items": [deep]}
    forged = [dict(r, cases=[{"call": "square(3)", "raises": "",
                              "outcome": {"kind": "value", "value": deep}}] * 4)
              for r in expected]
    assert judge(ASSIGNMENT, expected, forged)["square_checks"][1] == (
        "the grader could not read the result of the check of square")


def test_a_solution_whose_own_records_fail_the_judgement_is_refused(tmp_path, monkeypatch):
    """A training record of a run that was not the trusted one has no architecture: grading
    against it would fail every student, so the grade command refuses it."""
    student_made = training(tmp_path, monkeypatch, fit)
    trusted = training(tmp_path, monkeypatch, fit, reference=True)
    assignment = Assignment("exercise", [], [Question("square_checks", "Training", 2, "", "",
                                                      ["fit"])], {}, [], [], "")
    for records, refused in (([student_made], True), ([trusted], False)):
        monkeypatch.setattr(compare, "plan", lambda assignment, solution: [])
        monkeypatch.setattr(compare, "run_steps", lambda *args, records=records, **kwargs:
                            RunRecord([], records))
        if refused:
            with pytest.raises(ValueError, match="the solution's own records of square_checks "
                                                 "do not pass the grader's judgement"):
                expected_observations(assignment, None, tmp_path, 60, 600)
        else:
            assert expected_observations(assignment, None, tmp_path, 60, 600) == records
