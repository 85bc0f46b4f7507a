"""Self-checks on the built site, in headless Chromium, answered as readers answer them.

On every chapter page with a self-check, each question is answered wrong and then right,
once with the mouse and once with the keyboard alone (Tab, Space, arrow keys, Enter), and
the feedback must say which and give the explanation (and, for a wrong option, why it is
wrong); text that is not a number asks for a number. On a 390 px phone with touch input the
block must not make the page scroll sideways and its controls must answer a finger. No
console errors. Every chapter page must have a self-check, showing today's questions.
"""

import json
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from book.live.kinds import Number
from book.live.questions import QUESTIONS
from tests.browser import emulate_screen, open_page, serve, tap
from tests.site_pages import PAGES

SCRIPT = Path(__file__).resolve().parents[1] / "book" / "live" / "selfcheck.js"

CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]
PHONE = (390, 844)
RIGHT, WRONG = "\u2713 Right.", "\u2717 Not quite"
# At once: the theme scrolls smoothly, and a click during the scroll lands elsewhere.
INTO_VIEW = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


def chapter_number(page: str) -> int:
    return int(page.split("/")[1][:2])


def has_self_check(site, page: str) -> bool:
    return 'class="book-selfcheck"' in (site / f"{page}.html").read_text(encoding="utf-8")


@pytest.fixture
def checked_page(site, browser, server, request):
    """(browser on the chapter page, its questions), skipping a page without a block."""
    page = request.param
    if not has_self_check(site, page):
        pytest.skip(f"{page} has no self-check yet (test_every_chapter_page_has_one fails)")
    emulate_screen(browser, 1280, 1000, phone=False)
    open_page(browser, server, page)
    browser.get_log("browser")  # what loading left is test_site.py's business
    return browser, QUESTIONS[chapter_number(page)]()


def forms(browser):
    return browser.find_elements("css selector", "form.book-selfcheck-question")


def feedback(form) -> str:
    return form.find_element("css selector", ".book-selfcheck-feedback").text


def typed(answer) -> str:
    """An answer as a reader types it: thousands separated by commas."""
    return f"{answer:,}" if isinstance(answer, int) else repr(answer)


def wrong_number(question: Number) -> str:
    return typed(question.answer + question.tolerance + 1)


def wrong_option(question) -> int:
    return next(i for i, option in enumerate(question.options) if option != question.correct)


def assert_feedback(form, question, verdict: str, option: int | None = None):
    text = feedback(form)
    assert text.startswith(verdict), f"{question.prompt!r}: {verdict!r} expected, got {text!r}"
    assert question.explanation in text, f"{question.prompt!r}: no explanation in {text!r}"
    if option is not None:
        assert question.why_not[question.options[option]] in text


def console_errors(browser) -> list:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def click(browser, element):
    browser.execute_script(INTO_VIEW, element)
    ActionChains(browser).move_to_element(element).click().perform()


def answer_by_mouse(browser, form, question, right: bool):
    if isinstance(question, Number):
        box = form.find_element("css selector", "input[type=text]")
        click(browser, box)
        box.clear()
        box.send_keys(typed(question.answer) if right else wrong_number(question))
    else:
        index = question.options.index(question.correct) if right else wrong_option(question)
        click(browser, form.find_elements("css selector", "label")[index])
    click(browser, form.find_element("css selector", "button[type=submit]"))


@pytest.mark.parametrize("checked_page", CHAPTERS, indirect=True)
def test_every_question_answered_by_mouse(checked_page):
    browser, questions = checked_page
    assert len(forms(browser)) == len(questions)
    for form, question in zip(forms(browser), questions):
        answer_by_mouse(browser, form, question, right=False)
        option = None if isinstance(question, Number) else wrong_option(question)
        assert_feedback(form, question, WRONG, option)
        answer_by_mouse(browser, form, question, right=True)
        assert_feedback(form, question, RIGHT)
        retry = form.find_element("css selector", ".book-selfcheck-retry")
        click(browser, retry)
        assert feedback(form) == "" and not retry.is_displayed()
        assert not any(control.get_property("checked") for control in
                       form.find_elements("css selector", "input[type=radio]"))
    assert console_errors(browser) == []


def active(browser):
    return browser.switch_to.active_element


def press(browser, *keys):
    ActionChains(browser).send_keys(*keys).perform()


MAX_TABS_TO_THE_BLOCK = 600


def focus_is_in(browser, element) -> bool:
    return browser.execute_script("return arguments[0].contains(document.activeElement)",
                                  element)


def chord(browser, modifier, key):
    ActionChains(browser).key_down(modifier).send_keys(key).key_up(modifier).perform()


def move_among_options(browser, steps: int):
    """Arrow keys within a radio group: each step moves the choice by one option."""
    press(browser, *([Keys.ARROW_DOWN] * steps if steps > 0 else [Keys.ARROW_UP] * -steps))


@pytest.mark.parametrize("checked_page", CHAPTERS, indirect=True)
def test_every_question_answered_by_keyboard_alone(checked_page):
    browser, questions = checked_page
    for _ in range(MAX_TABS_TO_THE_BLOCK):  # from the top of the page, as a reader would
        press(browser, Keys.TAB)
        if focus_is_in(browser, forms(browser)[0]):
            break
    for form, question in zip(forms(browser), questions):
        if form != forms(browser)[0]:
            press(browser, Keys.TAB)  # from the last question's Try again
        assert focus_is_in(browser, form), f"Tab did not reach {question.prompt!r}"
        if isinstance(question, Number):
            press(browser, wrong_number(question), Keys.ENTER)
            assert_feedback(form, question, WRONG)
            chord(browser, Keys.CONTROL, "a")  # select the wrong answer, to type over it
            press(browser, typed(question.answer), Keys.ENTER)
            assert_feedback(form, question, RIGHT)
            press(browser, Keys.TAB)  # to Check
        else:
            wrong, right = wrong_option(question), question.options.index(question.correct)
            press(browser, Keys.SPACE)  # Tab lands on the first option; Space chooses it
            move_among_options(browser, wrong)
            press(browser, Keys.TAB, Keys.ENTER)  # Check
            assert_feedback(form, question, WRONG, wrong)
            chord(browser, Keys.SHIFT, Keys.TAB)  # back to the chosen option
            move_among_options(browser, right - wrong)
            press(browser, Keys.TAB, Keys.SPACE)  # Check, pressed with Space this time
            assert_feedback(form, question, RIGHT)
        assert active(browser).text == "Check"
        press(browser, Keys.TAB)  # to Try again, which the answer brought up
        assert active(browser).text == "Try again"
    assert console_errors(browser) == []


@pytest.mark.parametrize("checked_page", CHAPTERS, indirect=True)
def test_text_that_is_not_a_number_asks_for_a_number(checked_page):
    browser, questions = checked_page
    numbers = [(form, q) for form, q in zip(forms(browser), questions) if isinstance(q, Number)]
    if not numbers:
        pytest.skip("no question asks for a number")
    form, question = numbers[0]
    for text, reply in [("twelve", "Type a number, such as 12 or 0.5."),
                        ("", "Type a number, then press Check.")]:
        box = form.find_element("css selector", "input[type=text]")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        assert feedback(form) == reply
        assert not form.find_element("css selector", ".book-selfcheck-retry").is_displayed()


@pytest.mark.parametrize("checked_page", CHAPTERS, indirect=True)
def test_an_answer_at_the_edge_of_the_tolerance(checked_page):
    """Just inside the tolerance is right, typed with a decimal comma; just outside, wrong."""
    browser, questions = checked_page
    loose = [(form, q) for form, q in zip(forms(browser), questions)
             if isinstance(q, Number) and q.tolerance > 0]
    if not loose:
        pytest.skip("no question accepts a range of answers")
    form, question = loose[0]
    inside = f"{question.answer - 0.9 * question.tolerance:.6f}".replace(".", ",")
    outside = f"{question.answer + 1.1 * question.tolerance:.6f}"
    for text, verdict in [(outside, WRONG), (inside, RIGHT)]:
        box = form.find_element("css selector", "input[type=text]")
        click(browser, box)
        box.clear()
        box.send_keys(text, Keys.ENTER)
        assert_feedback(form, question, verdict)


BLOCK = re.compile(r'<section class="book-selfcheck".*?'
                   r'<script type="application/json" class="book-live-data">(.*?)</script>'
                   r"<script>(.*?)</script></section>", re.S)


@pytest.mark.parametrize("page", CHAPTERS)
def test_the_page_shows_todays_questions_and_script(site, page):
    """The build reuses a chapter's executed copy while its code cells are unchanged, so
    a page can keep a block made by an older book.live."""
    if not has_self_check(site, page):
        pytest.skip(f"{page} has no self-check yet (test_every_chapter_page_has_one fails)")
    (data, script), = BLOCK.findall((site / f"{page}.html").read_text(encoding="utf-8"))
    questions = [q.data() for q in QUESTIONS[chapter_number(page)]()]
    stale = "the site shows an older self-check: rebuild it without the cached executed copy"
    assert json.loads(data)["questions"] == questions, stale
    assert script == SCRIPT.read_text(), stale


def test_every_chapter_page_has_one(site):
    missing = [page for page in CHAPTERS if not has_self_check(site, page)]
    assert not missing, f"no self-check on {missing}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_on_a_phone_the_block_fits_and_answers_a_finger(site, browser, server, page):
    if not has_self_check(site, page):
        pytest.skip(f"{page} has no self-check yet (test_every_chapter_page_has_one fails)")
    emulate_screen(browser, *PHONE, phone=True)
    try:
        open_page(browser, server, page)
        browser.get_log("browser")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls {overflow} px sideways at {PHONE[0]} px"
        controls = browser.find_elements(
            "css selector", ".book-selfcheck input, .book-selfcheck label, .book-selfcheck button")
        for control in controls:
            if not control.is_displayed():
                continue
            right = browser.execute_script(
                "return arguments[0].getBoundingClientRect().right", control)
            assert right <= PHONE[0], f"{control.tag_name} {control.text!r} ends at {right} px"
        for form, question in zip(forms(browser), QUESTIONS[chapter_number(page)]()):
            finger(browser, form, question)
            assert_feedback(form, question, RIGHT)
        assert console_errors(browser) == []
    finally:
        emulate_screen(browser, 1280, 1000, phone=False)


def tap_on(browser, element):
    browser.execute_script(INTO_VIEW, element)
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect();"
                                 "return [r.left + r.width / 2, r.top + r.height / 2]", element)
    tap(browser, *box)


def finger(browser, form, question):
    """Answer right by touch: tap the box and type, or tap the right option's label."""
    if isinstance(question, Number):
        box = form.find_element("css selector", "input[type=text]")
        tap_on(browser, box)
        assert active(browser) == box, "tapping the box did not focus it"
        press(browser, typed(question.answer))
    else:
        index = question.options.index(question.correct)
        tap_on(browser, form.find_elements("css selector", "label")[index])
        assert form.find_elements("css selector", "input[type=radio]")[index].is_selected()
    tap_on(browser, form.find_element("css selector", "button[type=submit]"))
