"""book/live/selfcheck.js under Node: how a typed answer is read and judged right or wrong.

The page's own script runs, with a document that holds no block; its
``bookLive.selfCheck.judgeNumber(question, typed)`` is the decision the page makes when a
reader presses Check.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from book.live.kinds import Number

SCRIPT = Path(__file__).resolve().parents[1] / "book" / "live" / "selfcheck.js"

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js runs the page's script")


def run_after_page_script(code: str, folder, *args) -> object:
    """The JSON that ``code`` writes to stdout, run after selfcheck.js has defined
    ``judge = window.bookLive.selfCheck.judgeNumber`` in a page with no block."""
    runner = folder / "run.js"
    runner.write_text("global.window = {};\nglobal.document = {querySelectorAll: () => []};\n"
                      + SCRIPT.read_text(encoding="utf-8")
                      + "\nconst judge = window.bookLive.selfCheck.judgeNumber;\n" + code)
    return json.loads(subprocess.run([NODE, str(runner), *map(str, args)], capture_output=True,
                                     text=True, check=True).stdout)


def verdicts(question: Number, answers: list[str], folder) -> list[str | None]:
    """The page's verdict on each typed answer: "right", "wrong" or None (not a number)."""
    inputs = folder / "answers.json"
    inputs.write_text(json.dumps({"question": question.data(), "answers": answers}))
    return run_after_page_script("""
const {question, answers} = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const judged = answers.map((typed) => judge(question, typed));
process.stdout.write(JSON.stringify(judged.map(([verdict]) => verdict)));
""", folder, inputs)


def judged(question: Number, cases: dict[str, str | None], folder) -> dict:
    return dict(zip(cases, verdicts(question, list(cases), folder), strict=True))


def test_a_tolerance_counts_up_to_its_boundary(tmp_path):
    question = Number("q", 4 / 9, "e", tolerance=0.005)  # 0.4444..., right from 0.4394...
    cases = {"0.44": "right", "0.4444": "right", "0.449": "right", "0.4494": "right",
             "0.4395": "right", "0.45": "wrong", "0.439": "wrong", "4/9": None,
             "0,44": "right", "0,45": "wrong", ".44": "right", " 0.44 ": "right"}
    assert judged(question, cases, tmp_path) == cases


def test_an_exact_answer_allows_only_rounding_of_the_typed_decimal(tmp_path):
    question = Number("q", 0.1 + 0.2, "e")  # 0.30000000000000004
    cases = {"0.3": "right", "0.3000001": "wrong", "0.2999999": "wrong", "0.31": "wrong"}
    assert judged(question, cases, tmp_path) == cases


@pytest.mark.parametrize("answer, cases", [
    (1000, {"1000": "right", "1e3": "right", "1E3": "right", "1,000": "right",
            "1 000": "right", "1_000": "right", "1000.0": "right", "+1000": "right",
            "1001": "wrong", "1.000,5": None, "1000x": None,
            "1,0000": "wrong"}),  # not groups of three: a decimal comma, 1.0
    (-2, {"-2": "right", "\u22122": "right", "\u20132": "right", " \u2212 2": "right",
          "2": "wrong", "--2": None, "-": None}),
    (0.5, {"0,5": "right", "0.5": "right", "-0,5": "wrong", "0,50": "right"}),
    (0.444, {"0,444": "right", "444": "wrong"}),  # a leading 0 is no thousands group
    (1234, {"1,234": "right"}),  # a comma before three digits separates thousands
    (12, {"": None, "   ": None, "twelve": None, "12 apples": None, "0x0C": None}),
])
def test_typed_text_is_read_as_a_reader_means_it(answer, cases, tmp_path):
    assert judged(Number("q", answer, "e"), cases, tmp_path) == cases


def test_no_answer_asks_for_a_number_and_a_wrong_one_repeats_it(tmp_path):
    output = run_after_page_script("""
const question = {kind: "number", answer: 12, tolerance: 0, explanation: "Why."};
process.stdout.write(JSON.stringify([judge(question, ""), judge(question, "abc"),
                                     judge(question, " 13 "), judge(question, "12")]));
""", tmp_path)
    assert output == [[None, "Type a number, then press Check."],
                      [None, "Type a number, such as 12 or 0.5."],
                      ["wrong", "\u2717 Not quite: 13 is not the answer. Why."],
                      ["right", "\u2713 Right. Why."]]
