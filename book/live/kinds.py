"""The two kinds of self-check question: a number to type, an option to choose.

Text is plain (Unicode such as ×, ², ⌊ ⌋ is welcome) because MathJax has typeset the page
before a reader's answer brings an explanation in: LaTeX there would show as its source.
``data()`` is what ``selfcheck.js`` reads to judge an answer and explain it.
"""

import math
from dataclasses import dataclass, field


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be non-empty text, got {value!r}")
    return value


@dataclass
class Number:
    """A question answered by typing a number.

    answer: a real number, usually computed by the ``book`` function the chapter teaches;
    an answer within ``tolerance`` of it counts as right.
    """
    prompt: str
    answer: float
    explanation: str
    tolerance: float = 0

    def __post_init__(self):
        _text(self.prompt, "prompt")
        _text(self.explanation, "explanation")
        for name in ("answer", "tolerance"):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if isinstance(value, (bool, str)) or not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            # a whole number stays an int so that its JSON and its repr read "12", not "12.0"
            setattr(self, name, int(number) if number.is_integer() else number)
        if self.tolerance < 0:
            raise ValueError(f"tolerance must not be negative, got {self.tolerance}")

    def data(self) -> dict:
        return {"kind": "number", "answer": self.answer, "tolerance": self.tolerance,
                "explanation": self.explanation}


@dataclass
class Choice:
    """A question answered by choosing one of ``options``, of which ``correct`` is right.

    why_not: for every other option, the specific reason it is wrong, shown when a reader
    chooses it (the explanation follows it).
    """
    prompt: str
    options: list[str]
    correct: str
    explanation: str
    why_not: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        _text(self.prompt, "prompt")
        _text(self.explanation, "explanation")
        self.options = [_text(option, "an option") for option in self.options]
        if len(self.options) < 2 or len(set(self.options)) < len(self.options):
            raise ValueError(f"a choice needs two or more different options, got {self.options}")
        if self.correct not in self.options:
            raise ValueError(f"the correct option {self.correct!r} is not among the options")
        wrong = set(self.options) - {self.correct}
        if set(self.why_not) != wrong:
            raise ValueError("why_not must give a reason for each wrong option and no other: "
                             f"missing {sorted(wrong - set(self.why_not))}, "
                             f"extra {sorted(set(self.why_not) - wrong)}")
        for reason in self.why_not.values():
            _text(reason, "a reason in why_not")

    def data(self) -> dict:
        return {"kind": "choice", "correct": self.options.index(self.correct),
                "explanation": self.explanation,
                "why_not": [self.why_not.get(option) for option in self.options]}
