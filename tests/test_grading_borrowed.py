"""The grader notices an answer that imports the book's own version of what it is checked
against (book.grading.borrowed), and only that.

The real grade command scoring such a submission "borrowed" is in test_grading_adversarial.py.
"""

from pathlib import Path

import nbformat
import pytest

from book.authoring.exercises import solution_answers
from book.grading.assignment import load_assignment
from book.grading.borrowed import borrowed, references

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
REFS = ["book.gradients.conv2d_backward", "book.gradients.max_pool2d_backward",
        "book.shapes.output_size"]
CONV = ["book.gradients.conv2d_backward"]
GRADIENTS = ["book.gradients.conv2d_backward", "book.gradients.max_pool2d_backward"]
SIZE = ["book.shapes.output_size"]


@pytest.mark.parametrize("source, found", [
    ("from book.gradients import conv2d_backward", CONV),
    ("from book.gradients import conv2d_backward as mine", CONV),
    ("import book.gradients", GRADIENTS),
    ("import book.gradients as g\nf = g.conv2d_backward", GRADIENTS),
    ("from book import gradients", GRADIENTS),
    ("from book.gradients import *", GRADIENTS),
    ("def f():\n    from book.shapes import output_size\n    return output_size", SIZE),
    ("import book\nf = book.gradients.conv2d_backward", CONV),
    ("import book as b\nf = b.shapes.output_size", SIZE),
    ("from book import shapes as s\nf = s.output_size", SIZE),
    ("import importlib\nf = importlib.import_module('book.shapes').output_size", SIZE),
    ("import sys\nf = sys.modules[' book.gradients.conv2d_backward ']", CONV),
    ("%time x = 1\nfrom book.shapes import output_size", SIZE),
])
def test_an_import_of_a_reference_is_found(source, found):
    assert borrowed(source, REFS) == found


@pytest.mark.parametrize("source", [
    "import book",
    "from book import *",
    "from book.samples import photo_gray\nfrom book.check import Case",
    "from book.gradients import numerical_gradient",   # not a reference here
    "def conv2d_backward(dy, x, w):  # unlike book.gradients.conv2d_backward\n    pass",
    "print('no book.gradients here')",
    "shapes = object()\nf = shapes.output_size",      # not bound to the book
    "x = (",                                          # does not parse, so cannot run
])
def test_other_code_borrows_nothing(source):
    assert borrowed(source, REFS) == []


def test_references_are_what_the_hidden_checks_compute_with_not_their_inputs():
    hidden = ("from book.models import lenet5, parameter_count\n"
              "from book.samples import photo_gray\n"
              "check_training(train_model, lenet5, photo_gray(1))\n"
              "check_function(count, [], reference=parameter_count)\n")
    assert references(hidden) == ["book.models.parameter_count"]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_the_solutions_own_answers_borrow_nothing(solution):
    questions = load_assignment(solution).questions
    answers = solution_answers(nbformat.read(solution, as_version=4))
    assert any(q.references for q in questions)
    for question in questions:
        for source in answers.values():
            assert borrowed(source, question.references) == [], question.grade_id


def test_a_model_the_checks_train_is_given_not_borrowed():
    """Chapter 7's training question trains the book's LeNet-5 with the student's loop."""
    questions = {q.grade_id: q
                 for q in load_assignment(ROOT / "solutions" / "07_lenet.ipynb").questions}
    assert questions["train_model_checks"].references == []
    assert questions["build_lenet5_checks"].references == ["book.models.lenet5"]
