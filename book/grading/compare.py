"""The grader's judgement: each student's observations against the solution's, outside the kernel.

Under the grader every check in the kernel records what the student's code gave
(:mod:`book.check.record`); hidden checks do nothing else, so no expected value of a hidden check
ever enters the student's process. :func:`expected_observations` runs the solution's own
answers through the same plan, in the same kind of sandbox, once per class: its records are
the expected ones. :func:`judge` then compares, in the grader's process, every record the
solution produced with the student's record of the same check call, using the solution's
settings (tolerances, thresholds, epochs), never the student's, and the same judging
functions as the notebooks (:mod:`book.check.judge`). A question passes only when every one of
its records matches.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from book.check import judge as judging
from book.check import trained
from book.check.encoding import decode
from book.check.observe import Outcome
from book.check.record import PARTS, REFERENCE_VARIABLE
from book.grading import guard
from book.grading.assignment import Assignment
from book.grading.plan import plan
from book.grading.run import CellStatus, run_steps

HIDDEN_FAILED = "The visible checks passed, but a hidden check failed: "
HIDDEN_PASSED = "✓ the hidden checks passed"


def expected_observations(assignment: Assignment, solution: nbformat.NotebookNode,
                          workdir: Path, cell_timeout: float, notebook_timeout: float,
                          **run_options) -> list[dict]:
    """The records of the solution's own answers run through the plan (a trusted run).

    run_options go to :func:`~book.grading.run.run_steps` (the sandbox's settings). Raises
    ValueError when the solution does not pass its own checks, a question records nothing or
    a record fails the grader's judgement: grading against it would be wrong for every
    student.
    """
    steps = plan(assignment, solution)
    environment = {**guard.environment(assignment.imports, assignment.watched),
                   REFERENCE_VARIABLE: "1"}
    run = run_steps(steps, workdir, cell_timeout, notebook_timeout, environment, **run_options)
    for step, outcome in zip(steps, run.outcomes, strict=True):
        if step.grade_id and step.kind in ("before", "visible", "hidden", "after") \
                and outcome.status is not CellStatus.OK:
            raise ValueError(f"the solution's own answers do not pass {step.grade_id} "
                             f"({step.kind} checks): {outcome.error or outcome.status.value}")
    graded = {q.grade_id for q in assignment.questions if not q.manual}
    records = list(_latest(run.observations).values())
    unrecorded = sorted(graded - {r["grade_id"] for r in records})
    if unrecorded:
        raise ValueError(f"the checks of {', '.join(unrecorded)} recorded no observation "
                         "(they should call book.check's check functions)")
    records = [r for r in records if r["grade_id"] in graded]
    for record in records:
        # Judged as a student's, the solution's own record must pass: a training record,
        # for one, must hold an architecture and test data that the grader can use.
        problem = judge_record(record, record)
        if problem:
            raise ValueError(f"the solution's own records of {record['grade_id']} do not pass "
                             f"the grader's judgement: {problem}")
    return records


def _latest(observations: list) -> dict[tuple, dict]:
    """Records by (question, part, index); a record run again (after a kernel restart
    replayed the cells) replaces the earlier one. Records without a proper key are dropped."""
    keyed = {}
    for record in observations:
        if not isinstance(record, dict):
            continue
        key = (record.get("grade_id"), record.get("part"), record.get("index"))
        if isinstance(key[0], str) and key[1] in PARTS and type(key[2]) is int:
            keyed[key] = record
    return keyed


def _settings(record: dict) -> dict:
    return {key: decode(value) for key, value in record["settings"].items()}


def _judge_function(expected: dict, got: dict) -> str | None:
    atol = _settings(expected)["atol"]
    cases = got["cases"]
    for index, case in enumerate(expected["cases"]):
        if index >= len(cases):
            return f"{case['call']}: no result of this call reached the grader"
        problem = judging.judge_case(expected["name"], case["call"], case["raises"],
                                     Outcome.from_json(case["outcome"]).value,
                                     Outcome.from_json(cases[index]["outcome"]), atol)
        if problem:
            return problem
    return None


def _judge_value(expected: dict, got: dict) -> str | None:
    return judging.judge_value(expected["name"], Outcome.from_json(got["value"]).value,
                               Outcome.from_json(expected["value"]).value,
                               _settings(expected)["atol"])


def _judge_table(expected: dict, got: dict) -> str | None:
    return judging.judge_table(expected["name"], Outcome.from_json(got["outcome"]),
                               Outcome.from_json(expected["outcome"]).value)


def _judge_model(expected: dict, got: dict) -> str | None:
    settings, right = _settings(expected), expected["model"]
    model = {**got["model"], "build": Outcome.from_json(got["model"]["build"])}
    return judging.judge_model(expected["name"], model, tuple(settings["input_shape"]),
                               right["output_shape"],
                               right["parameters"] if settings["parameters"] else None,
                               [shape for _, shape in right["layers"]]
                               if settings["layer_shapes"] else None,
                               decode(right["probe"]) if settings.get("probe") else None)


def _judge_training(expected: dict, got: dict) -> str | None:
    """The student's losses, then the accuracy of their trained weights, measured here in the
    solution run's architecture on its test data: of the student's record, only the losses
    and the weights are used."""
    settings, name = _settings(expected), expected["name"]
    problem = judging.judge_losses(name, Outcome.from_json(got["losses"]),
                                   settings["train_settings"], finite=True)
    if problem:
        return problem
    try:
        model = trained.load(expected["architecture"], decode(got["parameters"]))
    except ValueError as error:
        return f"{name}: {error}"
    inputs, labels = decode(expected["test_inputs"]), decode(expected["test_labels"])
    return judging.judge_accuracy(name, trained.accuracy(model, inputs, labels, threads=1),
                                  len(labels), settings["at_least"], settings["train_settings"])


JUDGES = {"function": _judge_function, "value": _judge_value, "table": _judge_table,
          "model": _judge_model, "training": _judge_training}


def judge_record(expected: dict, got: dict | None) -> str | None:
    """None when the student's record ``got`` matches the solution's ``expected``; else why."""
    name = expected["name"]
    if got is None or got.get("check") != expected["check"]:
        return (f"no result of the check of {name} reached the grader (the check did not "
                "run to its end)")
    try:
        return JUDGES[expected["check"]](expected, got)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError):
        # What the student's process wrote is not what a check writes.
        return f"the grader could not read the result of the check of {name}"


def judge(assignment: Assignment, expected_observations: list[dict],
          student_observations: list) -> dict[str, tuple[bool, str]]:
    """Each automatically graded question's (passed, message) from the two runs' records.

    The message of a question that passed says that the hidden checks passed (if it has
    any); that of one that failed names the first call that went wrong, with the expected
    and the actual value.
    """
    students = _latest(student_observations)
    verdicts = {}
    for question in assignment.questions:
        if question.manual:
            continue
        records = sorted((r for r in expected_observations
                          if r["grade_id"] == question.grade_id),
                         key=lambda r: (PARTS.index(r["part"]), r["index"]))
        verdicts[question.grade_id] = (True, HIDDEN_PASSED if any(
            r["part"] == "hidden" for r in records) else "")
        for record in records:
            key = (record["grade_id"], record["part"], record["index"])
            problem = judge_record(record, students.get(key))
            if problem:
                prefix = HIDDEN_FAILED if record["part"] == "hidden" else ""
                verdicts[question.grade_id] = (False, prefix + problem)
                break
    return verdicts
