"""Self-checks (book.live): the questions, their answers and the HTML block.

Every numeric answer is compared with an independent computation, mostly PyTorch's; the
block must show hostile text as text and keep its data inside its script; every chapter
has three to six questions and a self-check cell before its summary. One test runs a
chapter's cell in a kernel and compares the notebook's HTML with the website's.
"""

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from book.interactive.frame_files import move_frames_to_files
from book.live import questions as questions_module
from book.live.kinds import Choice, Number
from book.live.questions import QUESTIONS
from book.live.selfcheck import SelfCheck, self_check
from book.models import lenet5
from book.receptive_field import empirical_receptive_field
from book.samples import EXAMPLE_INPUT, EXAMPLE_KERNEL, OVERLAP_EXAMPLE, POOLING_EXAMPLE, letter_a
from book.vision import ComplexCell, SimpleCell, position_tuning

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "book" / "live" / "selfcheck.js"
CHAPTER_FILES = {int(path.name[:2]): path for path in sorted((ROOT / "chapters").glob("0*.ipynb"))}


def tensor(array) -> torch.Tensor:
    """(H, W) -> (1, 1, H, W) float64, one image with one channel."""
    return torch.tensor(np.asarray(array), dtype=torch.float64)[None, None]


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def reads(side: int, kernel: int, **settings) -> torch.Tensor:
    """How many kernel positions read each pixel: the gradient of the summed output of an
    all-ones kernel with respect to the input. (side, side)"""
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, kernel, kernel, dtype=torch.float64), **settings).sum().backward()
    return x.grad[0, 0]


def pooled_gradient(pool, matrix, upstream, *args, **settings) -> torch.Tensor:
    x = tensor(matrix).requires_grad_(True)
    pool(x, *args, **settings).backward(tensor(upstream))
    return x.grad[0, 0]


def conv1d_weight_gradient(x, w, dy) -> list[float]:
    """autograd's dw of a 1-D convolution: x (n,), w (k,), dy (n - k + 1,) -> (k,)"""
    weights = torch.tensor([[w]], dtype=torch.float64, requires_grad=True)
    F.conv1d(torch.tensor([[x]], dtype=torch.float64), weights).backward(
        torch.tensor([[dy]], dtype=torch.float64))
    return weights.grad[0, 0].tolist()


def sizes(x, *layers) -> int:
    for layer in layers:
        x = layer(x)
    return x.shape[-1]


def lenet_prefix_side(layers: int) -> int:
    return lenet5()[:layers](torch.zeros(1, 1, 28, 28)).shape[-1]


def lenet_score_positions(side: int) -> int:
    """LeNet's C5 as a convolution slid over S4's map of a side x side image: its positions."""
    s4 = lenet5()[:6](torch.zeros(1, 1, side, side))  # C1, tanh, S2, C3, tanh, S4
    c5 = F.conv2d(s4, torch.zeros(120, 16, 5, 5))
    return c5.shape[-2] * c5.shape[-1]


A, C = POOLING_EXAMPLE, OVERLAP_EXAMPLE
zeros = torch.zeros
# (chapter, question index) -> the answer, computed another way than the question does.
INDEPENDENT = {
    (1, 0): lambda: F.conv2d(tensor(letter_a()), zeros(1, 1, 9, 9, dtype=torch.float64)
                             ).shape[-1],
    (1, 1): lambda: F.max_pool2d(F.conv2d(tensor(letter_a()),
                                          zeros(1, 1, 9, 9, dtype=torch.float64)),
                                 3, 2).shape[-1],
    (2, 0): lambda: count(torch.nn.Sequential(
        torch.nn.Linear(640 * 480, 100, bias=False, device="meta"),
        torch.nn.Linear(100, 100, bias=False), torch.nn.Linear(100, 2, bias=False))),
    # every unit's own window: one weight per entry of the unfolded (window, position) matrix
    (2, 1): lambda: F.unfold(F.pad(zeros(1, 1, 200, 200), (4, 5, 4, 5)), 10).numel(),
    (2, 2): lambda: count(torch.nn.Conv2d(1, 20, 10)),
    (2, 3): lambda: count(torch.nn.Linear(9, 4)),
    (3, 0): lambda: F.conv2d(tensor(EXAMPLE_INPUT), tensor(EXAMPLE_KERNEL))[0, 0, 1, 0].item(),
    (3, 1): lambda: count(torch.nn.Conv2d(3, 1, 5)),
    (3, 2): lambda: F.unfold(zeros(1, 3, 32, 32), 5).shape[1],
    (3, 3): lambda: empirical_receptive_field([5, 5]),
    (4, 0): lambda: sizes(zeros(1, 1, 32, 32), torch.nn.Conv2d(1, 1, 5), torch.nn.Conv2d(1, 1, 5)),
    (4, 1): lambda: next(p for p in range(5)
                         if sizes(zeros(1, 1, 28, 28), torch.nn.Conv2d(1, 1, 5, padding=p)) == 28),
    (4, 2): lambda: sizes(zeros(1, 1, 227, 227), torch.nn.Conv2d(1, 1, 11, stride=4)),
    (4, 3): lambda: reads(7, 3, stride=3)[0, -1].item(),
    (4, 4): lambda: reads(5, 3, padding=1)[0, 0].item(),
    (5, 0): lambda: F.avg_pool2d(tensor(A), 2)[0, 0, 0, 1].item(),
    (5, 1): lambda: (F.max_pool2d(tensor(np.where(A == 5, 6, A)), 2)
                     != F.max_pool2d(tensor(A), 2)).sum().item(),
    (5, 2): lambda: sizes(zeros(1, 96, 55, 55), torch.nn.MaxPool2d(3, stride=2)),
    (5, 3): lambda: F.avg_pool2d(tensor(np.ones((2, 2))), 3, stride=1,
                                 padding=1)[0, 0, 0, 0].item(),
    (6, 0): lambda: conv1d_weight_gradient([0, 1, -1, 1, 1], [-1, 1], [1, 2, 0, -1])[1],
    (6, 1): lambda: pooled_gradient(
        lambda x: F.conv2d(x, tensor(EXAMPLE_KERNEL)), EXAMPLE_INPUT, np.ones((3, 3)))[2, 2].item(),
    (6, 2): lambda: pooled_gradient(F.max_pool2d, A, [[4, 8], [-4, 12]], 2)[1, 0].item(),
    (6, 4): lambda: pooled_gradient(F.max_pool2d, C, np.ones((3, 3)), 3, stride=1).max().item(),
    (7, 0): lambda: count(lenet5()),
    (7, 1): lambda: lenet_score_positions(56),
    (7, 2): lambda: lenet_prefix_side(4),  # C1, its tanh, S2, C3
    (7, 3): lambda: count(lenet5().C5),
}


def numbers() -> list[tuple[int, int]]:
    return [(chapter, index) for chapter, build in QUESTIONS.items()
            for index, question in enumerate(build()) if isinstance(question, Number)]


def test_every_chapter_has_three_to_six_questions():
    assert sorted(QUESTIONS) == sorted(CHAPTER_FILES)
    counts = {chapter: len(build()) for chapter, build in QUESTIONS.items()}
    assert all(3 <= n <= 6 for n in counts.values()), counts


def test_every_numeric_answer_has_an_independent_check():
    assert sorted(numbers()) == sorted(INDEPENDENT)


@pytest.mark.parametrize("key", sorted(INDEPENDENT), ids=lambda key: f"ch{key[0]}-q{key[1]}")
def test_numeric_answer_agrees_with_an_independent_computation(key):
    chapter, index = key
    question = QUESTIONS[chapter]()[index]
    assert question.answer == pytest.approx(INDEPENDENT[key](), abs=1e-12)


def literal_answers(source: str) -> list[str]:
    """The answers of ``Number(...)`` calls in ``source`` that are typed-in numbers."""
    calls = [node for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Number"]
    answers = [call.args[1] if len(call.args) > 1 else
               next(k.value for k in call.keywords if k.arg == "answer") for call in calls]
    return [ast.unparse(answer) for answer in answers
            if isinstance(answer, ast.Constant) or (isinstance(answer, ast.UnaryOp)
                                                    and isinstance(answer.operand, ast.Constant))]


def test_no_answer_is_typed_in():
    source = Path(questions_module.__file__).read_text()
    assert source.count("Number(") == len(numbers())  # every question is a call the AST sees
    assert literal_answers(source) == []
    assert literal_answers("Number('q', -2, 'e')\nNumber('q', answer=2.5, explanation='e')"
                           ) == ["-2", "2.5"]


def test_the_simple_cell_is_silent_and_the_complex_cell_responds_where_chapter_1_says():
    question = QUESTIONS[1]()[2]
    offset = int(re.search(r"lies (\d+) pixels", question.prompt).group(1))
    simple, complex_ = (position_tuning(cell(orientation=90), [offset], orientation=90)[0]
                        for cell in (SimpleCell, ComplexCell))
    assert question.correct == "only the complex cell" and simple < 0.05 < 0.5 < complex_


class Parsed(HTMLParser):
    """The text, the attributes and the scripts of a block, as a browser's parser reads
    them (a script ends at the first ``</script``)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.scripts, self._script = [], [], [], None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = []

    def handle_endtag(self, tag):
        if tag == "script":
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        (self._script if self._script is not None else self.text).append(data)


HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)> & \u2028"


def hostile_block() -> SelfCheck:
    return SelfCheck(9, [
        Number(HOSTILE, 1, HOSTILE),
        Choice(HOSTILE, [HOSTILE, "b"], "b", HOSTILE, why_not={HOSTILE: HOSTILE})])


def test_hostile_text_is_shown_as_text():
    parsed = Parsed(hostile_block()._repr_html_())
    assert [tag for tag, _ in parsed.tags].count("img") == 0
    assert [tag for tag, _ in parsed.tags].count("script") == 2  # the data and selfcheck.js
    assert "".join(parsed.text).count(HOSTILE) == 3  # two legends, one option label


def test_the_data_cannot_end_its_script():
    parsed = Parsed(hostile_block()._repr_html_())
    data = json.loads(parsed.scripts[0])
    assert data["questions"][0]["explanation"] == HOSTILE
    assert data["questions"][1]["why_not"] == [HOSTILE, None]
    assert parsed.scripts[1] == SCRIPT.read_text()


@pytest.mark.parametrize("chapter", sorted(QUESTIONS))
def test_the_site_build_finds_the_data_and_leaves_the_block_working(chapter, tmp_path):
    """The build rewrites every live figure's data script it finds by its tag's text; a
    script mentioning that tag would be taken for data (it was, once: the build failed)."""
    block = self_check(chapter)._repr_html_()
    built = move_frames_to_files(block, tmp_path, "../_frames/")
    parsed = Parsed(built)
    assert json.loads(parsed.scripts[0])["questions"] == [
        q.data() for q in self_check(chapter).questions]
    assert parsed.scripts[1] == SCRIPT.read_text() and "<script" not in SCRIPT.read_text()


def test_the_block_carries_each_questions_data_for_the_script():
    block = self_check(5)
    parsed = Parsed(block._repr_html_())
    assert ("script", {"type": "application/json", "class": "book-live-data"}) in parsed.tags
    forms = [attrs for tag, attrs in parsed.tags if tag == "form"]
    assert [int(form["data-index"]) for form in forms] == list(range(len(block.questions)))
    assert json.loads(parsed.scripts[0])["questions"] == [q.data() for q in block.questions]
    live = [attrs for tag, attrs in parsed.tags if attrs.get("aria-live") == "polite"]
    assert len(live) == len(block.questions)


class Labels(HTMLParser):
    """For each label, the inputs inside it; and the ids of the markup."""

    def __init__(self, markup: str):
        super().__init__()
        self.inputs, self.ids, self.outside = [], [], 0
        self._open = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name in ("id", "for")]
        if tag == "label":
            self._open = True
            self.inputs.append(0)
        elif tag == "input":
            if self._open:
                self.inputs[-1] += 1
            else:
                self.outside += 1

    def handle_endtag(self, tag):
        if tag == "label":
            self._open = False


@pytest.mark.parametrize("chapter", [2, 5])
def test_every_input_sits_in_its_own_label_and_no_id_can_collide(chapter):
    """A notebook may show a block twice: an id or a label's for would then name two
    elements, and a label could pick the other block's radio button."""
    labels = Labels(self_check(chapter)._repr_html_() * 2)
    assert labels.inputs and set(labels.inputs) == {1} and labels.outside == 0
    assert labels.ids == []


def test_the_feedback_region_is_rendered_while_empty():
    """Some screen readers never announce a live region that was display: none."""
    block = self_check(1)._repr_html_()
    assert "book-selfcheck-feedback:empty" not in block and "display: none" not in block


def test_the_right_option_moves_and_is_not_always_the_longest():
    choices = [question for build in QUESTIONS.values() for question in build()
               if isinstance(question, Choice)]
    correct = [question.options.index(question.correct) for question in choices]
    longest = [question.correct == max(question.options, key=len) for question in choices]
    assert len(set(correct)) >= 3, correct
    assert max(correct.count(index) for index in set(correct)) <= len(choices) / 2, correct
    assert sum(longest) <= len(choices) / 2, longest


@pytest.mark.parametrize("make, message", [
    (lambda: Number("q", "12", "e"), "answer must be a finite number"),
    (lambda: Number("q", float("nan"), "e"), "answer must be a finite number"),
    (lambda: Number("q", 1, "e", tolerance=-1), "tolerance must not be negative"),
    (lambda: Number(" ", 1, "e"), "prompt must be non-empty text"),
    (lambda: Choice("q", ["a"], "a", "e"), "two or more different options"),
    (lambda: Choice("q", ["a", "b"], "c", "e", why_not={"b": "r"}), "not among the options"),
    (lambda: Choice("q", ["a", "b", "c"], "a", "e", why_not={"b": "r"}), "missing ['c']"),
    (lambda: Choice("q", ["a", "b"], "a", "e", why_not={"b": "r", "z": "r"}), "extra ['z']"),
])
def test_a_malformed_question_gets_one_line(make, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        make()
    assert "\n" not in str(error.value)


def test_an_unknown_chapter_gets_one_line():
    with pytest.raises(ValueError, match="no self-check for chapter 8") as error:
        self_check(8)
    assert "\n" not in str(error.value)


def self_check_cells(path: Path) -> list[int]:
    return [i for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
            if cell.cell_type == "code" and "self_check(" in cell.source]


@pytest.mark.parametrize("chapter", sorted(CHAPTER_FILES))
def test_each_chapter_asks_its_questions_before_its_summary(chapter):
    path = CHAPTER_FILES[chapter]
    cells = nbformat.read(path, as_version=4).cells
    found = self_check_cells(path)
    assert len(found) == 1, f"{path.name}: {len(found)} self-check cells, want 1"
    code = cells[found[0]]
    assert f"self_check({chapter})" in code.source
    assert "remove-input" in code.metadata.get("tags", [])
    assert cells[found[0] - 1].source.startswith("## Check your understanding")
    summary = [i for i, cell in enumerate(cells) if "## Summary" in cell.source]
    assert summary == [found[0] + 1] and cells[summary[0]].source.startswith("## Summary"), (
        f"{path.name}: the self-check is not just before the summary")


@pytest.mark.notebook
def test_a_kernel_shows_the_same_block_as_the_site():
    """The chapter's own cell, run by a Jupyter kernel, gives the block as text/html."""
    from nbclient import NotebookClient

    path = CHAPTER_FILES[4]
    cell = nbformat.read(path, as_version=4).cells[self_check_cells(path)[0]]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source)])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    (output,) = notebook.cells[0].outputs
    assert output["data"]["text/html"] == self_check(4)._repr_html_()
    assert output["data"]["text/plain"] == repr(self_check(4))
