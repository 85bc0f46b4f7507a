// Self-checks: judge a reader's answer and explain it, in the page.
//
// Mirrors book/live/kinds.py (Number, Choice and their data()) and reads the markup that
// book/live/selfcheck.py writes: one <form class="book-selfcheck-question"> per question,
// its data in the block's JSON script element of class book-live-data (the site build
// reads that element's tag by its exact text, so it is not written out here):
//   {"questions": [{"kind": "number", "answer": a, "tolerance": t, "explanation": text}
//                | {"kind": "choice", "correct": i, "explanation": text,
//                   "why_not": [text or null, one per option]}]}
// A typed number is right when |typed - a| <= t; an option when its index is i.
// Feedback is written with textContent into the question's aria-live region, so no text
// from the data can become markup. Runs once per block, however often the script is pasted.
// bookLive.selfCheck.judgeNumber(question, typed text) -> [verdict, text] is the decision
// for a typed answer, also run by tests/test_selfcheck_js.py under Node.
(function (bookLive) {
  "use strict";

  // "1,234.5", "1 234", "0,5" and "0,444" (decimal commas), "−2" (a Unicode minus), "1e3"
  // -> a number; anything else -> null. A comma before groups of three digits separates
  // thousands, unless the number starts with 0.
  function parseNumber(text) {
    let t = text.trim().replace(/[\s_]/g, "").replace(/^[\u2212\u2013]/, "-");
    if (/^[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$/.test(t)) {
      t = t.replace(/,/g, "");          // thousands separators
    } else if (/^[-+]?\d*,\d+$/.test(t)) {
      t = t.replace(",", ".");          // a decimal comma
    }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
      return null;
    }
    return Number(t);
  }

  function isRight(question, value) {
    // Rounding of the typed decimal must not turn an exact answer wrong.
    const slack = 1e-9 * Math.max(1, Math.abs(question.answer));
    return Math.abs(value - question.answer) <= question.tolerance + slack;
  }

  // -> [verdict: "right" | "wrong" | null (no answer to judge), text to show]
  function judgeNumber(question, typed) {
    const value = parseNumber(typed);
    if (value === null) {
      return [null, typed.trim() === "" ? "Type a number, then press Check."
                                        : "Type a number, such as 12 or 0.5."];
    }
    return isRight(question, value)
      ? ["right", "\u2713 Right. " + question.explanation]
      : ["wrong", "\u2717 Not quite: " + typed.trim() + " is not the answer. "
                  + question.explanation];
  }

  function judge(form, question) {
    if (question.kind === "number") {
      return judgeNumber(question, form.querySelector("input[type=text]").value);
    }
    const chosen = form.querySelector("input[type=radio]:checked");
    if (chosen === null) {
      return [null, "Choose one of the options, then press Check."];
    }
    const index = Number(chosen.value);
    return index === question.correct
      ? ["right", "\u2713 Right. " + question.explanation]
      : ["wrong", "\u2717 Not quite. " + question.why_not[index] + " "
                  + question.explanation];
  }

  function wire(form, question) {
    const feedback = form.querySelector(".book-selfcheck-feedback");
    const retry = form.querySelector(".book-selfcheck-retry");
    form.addEventListener("submit", function (event) {
      event.preventDefault();              // Enter in the text box lands here too
      const [verdict, text] = judge(form, question);
      feedback.textContent = text;
      feedback.dataset.verdict = verdict || "none";
      retry.hidden = verdict === null;
    });
    retry.addEventListener("click", function () {
      form.reset();
      feedback.textContent = "";
      feedback.dataset.verdict = "none";
      retry.hidden = true;
      form.querySelector("input").focus();
    });
  }

  bookLive.selfCheck = {judgeNumber: judgeNumber};

  document.querySelectorAll(".book-selfcheck:not([data-ready])").forEach(function (block) {
    block.dataset.ready = "true";
    // In a notebook, Enter, Space and the arrow keys are also the notebook's shortcuts; the
    // notebook must not take them from the questions (JupyterLab listens as they bubble).
    block.addEventListener("keydown", function (event) { event.stopPropagation(); });
    const data = JSON.parse(block.querySelector("script.book-live-data").textContent);
    block.querySelectorAll("form.book-selfcheck-question").forEach(function (form) {
      wire(form, data.questions[Number(form.dataset.index)]);
    });
  });
})(window.bookLive = window.bookLive || {});
