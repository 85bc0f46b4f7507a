"""Self-checks: a few short questions at the end of a chapter, answered in the page.

``self_check(4)`` is chapter 4's block: its questions (``book.live.questions``) as native
form controls, their data as ``<script type="application/json" class="book-live-data">``
and ``selfcheck.js`` inline, which judges an answer and shows whether it is right, the
explanation and, for a wrong option, why it is wrong. The same block works on the website
and in a live notebook (JupyterLab, Notebook 7 and Colab run an output's inline script),
offline. The answers are in the page's data: these checks are for learning, not for marks.

A small script of our own rather than jupyterquiz: jupyterquiz 2.9.6.4's 38 KB of
JavaScript has no keyboard handling, no ARIA attribute and no tabindex, its
multiple-choice answers are clickable labels, and it would be embedded again with every quiz.
"""

import html

from book.interactive.player import script_json
from book.live.block import page_script
from book.live.kinds import Choice, Number
from book.live.questions import QUESTIONS

STYLE = """<style>
.book-selfcheck ol { list-style: none; padding-left: 0; counter-reset: question; }
.book-selfcheck li { margin-bottom: 1em; counter-increment: question; }
.book-selfcheck fieldset { border: 1px solid #9e9e9e; border-radius: 4px; margin: 0;
  padding: 0.4em 0.8em 0.6em; min-width: 0; }
.book-selfcheck legend { font-size: 1em; font-weight: 600; line-height: 1.5; width: 100%;
  margin-bottom: 0.4em; padding: 0; white-space: normal; overflow-wrap: anywhere; }
.book-selfcheck legend::before { content: counter(question) ". "; }
.book-selfcheck .book-selfcheck-option { display: flex; gap: 0.5em; align-items: flex-start;
  padding: 0.3em 0; }
.book-selfcheck .book-selfcheck-option input { flex: none; width: 1.2em; height: 1.2em;
  margin: 0.15em 0 0; }
.book-selfcheck input[type=text] { font: inherit; width: 12em; max-width: 100%;
  padding: 0.3em; margin-left: 0.5em; }
.book-selfcheck button { font: inherit; min-height: 2.5em; padding: 0.3em 0.9em;
  margin: 0.5em 0.5em 0 0; cursor: pointer; }
.book-selfcheck :focus-visible { outline: 3px solid #1565c0; outline-offset: 2px; }
.book-selfcheck-feedback { margin: 0.5em 0 0; padding-left: 0.6em; overflow-wrap: anywhere; }
.book-selfcheck-feedback[data-verdict=right] { border-left: 4px solid #2e7d32; }
.book-selfcheck-feedback[data-verdict=wrong] { border-left: 4px solid #c62828; }
</style>"""


# Each input sits inside its label and each question is its own form, whose radio buttons
# are one group by their name: no id is needed, so a notebook that shows a block twice
# has no two labels naming one input.
def _number_controls(question: Number) -> str:
    return ('<label>Your answer <input type="text" name="answer" autocomplete="off" '
            'spellcheck="false"></label>')


def _choice_controls(question: Choice) -> str:
    return "".join(
        f'<label class="book-selfcheck-option"><input type="radio" name="choice" '
        f'value="{i}"><span>{html.escape(option)}</span></label>'
        for i, option in enumerate(question.options))


def _question_html(index: int, question) -> str:
    """One question as a form: its prompt as the legend, its controls, Check, Try again,
    and the aria-live paragraph the feedback is written into (empty, yet rendered: some
    screen readers never announce a region that was hidden when the page loaded)."""
    controls = (_number_controls if isinstance(question, Number) else _choice_controls)(
        question)
    return (f'<li><form class="book-selfcheck-question" data-index="{index}">'
            f'<fieldset><legend>{html.escape(question.prompt)}</legend>{controls}</fieldset>'
            '<button type="submit">Check</button>'
            '<button type="button" class="book-selfcheck-retry" hidden>Try again</button>'
            '<p class="book-selfcheck-feedback" aria-live="polite"></p></form></li>')


class SelfCheck:
    """A chapter's self-check block; a notebook and the website show ``_repr_html_``."""

    def __init__(self, chapter: int, questions: list):
        self.chapter = chapter
        self.questions = questions

    def __repr__(self) -> str:  # a notebook's text/plain: the same on every run
        return f"Self-check: chapter {self.chapter}, {len(self.questions)} questions"

    def _repr_html_(self) -> str:
        items = "".join(_question_html(i, question) for i, question in enumerate(self.questions))
        data = script_json({"questions": [question.data() for question in self.questions]})
        return ('<section class="book-selfcheck" '
                f'aria-label="Check your understanding of chapter {self.chapter}">'
                f'{STYLE}<ol>{items}</ol>'
                f'<script type="application/json" class="book-live-data">{data}</script>'
                f"<script>{page_script('selfcheck.js')}</script></section>")


def self_check(chapter: int) -> SelfCheck:
    """The self-check block of a chapter, by its number (1 to 7)."""
    if chapter not in QUESTIONS:
        raise ValueError(f"no self-check for chapter {chapter!r}; "
                         f"chapters: {', '.join(map(str, QUESTIONS))}")
    return SelfCheck(chapter, QUESTIONS[chapter]())
