"""The live class in Chromium: a lecturer on a projector-sized screen starts a class, students open the join link
its QR code holds (two laptops and a phone), follow the lecturer across pages, a control and a preset, answer a
question of the room, and see the answers revealed; a student cannot drive the class. Then the same essentials with
the lecturer and a student on different Streamlit processes behind nginx (`deploy/serve.sh`), sharing PostgreSQL.
Two tests check the notices meant for a student reach them: a wrong lecturer link, an answer not taken.

Every wait is bounded (FOLLOW for what a student's one-second poll brings); nothing is timed beyond that bound.
"""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Locator, Playwright, expect

from core.lecture import QUESTIONS, SOFTMAX, STOPS
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppPage
from tests.e2e.stack import serve
from ui.navigation import all_pages

TITLES = {p.path: p.title for p in all_pages()} | {"app_pages/home.py": "Classification Explorer"}
FOLLOW = 15_000  # ms: a student's view follows the lecturer's within this (its poll runs every second)
START = 60_000  # ms: a first page load (a fresh session imports the page's modules)
STRIP = ".st-key-lecture_strip"
BAR = ".st-key-class_bar"
BOX = ".st-key-class_question"
LECTURER_ONLY = ("class_ask", "class_close", "class_reveal", "class_again", "class_room", "class_bar", "class_show",
                 "class_end")  # fmt: skip

# The path: home (stops 1-2) → sample spaces (coin, then weather) by Next; a softmax stop with the logits [2, 1, 0.1]
# by the stop box; the question "T → 0" (its three choices, B right) on the same page.
WEATHER_STOP = next(k for k, s in enumerate(STOPS, 1) if s.values.get("ss_exp") == "weather")
SOFTMAX_STOP = next(k for k, s in enumerate(STOPS, 1) if s.page == SOFTMAX and s.question is None
                    and s.values.get("softmax_T") == 1.0 and s.values.get("softmax_z1") == 2.0)  # fmt: skip
QUESTION_STOP = next(k for k, s in enumerate(STOPS, 1) if s.question == "temperature_to_zero")
QUESTION = QUESTIONS["temperature_to_zero"]
LETTERS = "ABCD"
PRESET = "[1000, 999, 998]"  # the softmax page's preset: n = 3, z = (0, −1, −2), T = 1, c = 1000
WEATHER_TITLE = "Walk outside"  # core.probability.EXPERIMENTS["weather"].title


def choice_label(i: int) -> str:
    return f"{LETTERS[i]}. {QUESTION.choices[i]}"


def key(app: AppPage, name: str) -> Locator:
    return app.page.locator(f".st-key-{name}")


def button(app: AppPage, name: str) -> Locator:
    """The button of the widget with key ``name`` (Streamlit also draws a hidden copy of a button with help text)."""
    return key(app, name).get_by_role("button")


def slider(app: AppPage, name: str) -> Locator:
    return app.page.locator(f'.st-key-{name} input[type="range"]')


def no_exceptions(*apps: AppPage) -> None:
    for app in apps:
        assert app.exceptions() == [], (app.page.url, app.exceptions())


def no_console_errors(*apps: AppPage) -> None:
    for app in apps:
        assert app.errors() == [], (app.page.url, app.errors())


def lecturer_controls(app: AppPage) -> int:
    """How many of the lecturer's own elements (question buttons, counts bar, Show / End) a page holds."""
    return app.page.locator(", ".join(f".st-key-{name}" for name in LECTURER_ONLY)).count()


# ---- the lecturer's side -------------------------------------------------------------------------------------


def start_class(lecturer: AppPage) -> tuple[str, str, str]:
    """Start a class from the sidebar; return (code, the join URL its QR code holds, the private lecturer link).

    The join URL is what the dialog's code block shows, and exactly what its QR code decodes to."""
    lecturer.page.locator('[data-testid="stExpandSidebarButton"]').click()  # a lecture link opens it folded
    button(lecturer, "class_start").click()
    dialog = lecturer.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Join the class", timeout=FOLLOW)
    shown = dialog.locator("code").first.inner_text().strip()
    match = re.fullmatch(re.escape(lecturer.base) + r"/\?class=([0-9A-Z]{6})", shown)
    assert match, shown
    code = match[1]
    expect(key(lecturer, "class_code_big")).to_have_text(code)
    qr = key(lecturer, "class_qr").locator("img")
    expect(qr).to_be_visible()
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))]
    assert decoded == [shown]
    dialog.get_by_text("Your private lecturer link").click()
    private = dialog.locator("code").nth(1)
    expect(private).to_be_visible()
    link = private.inner_text().strip()
    assert re.fullmatch(re.escape(f"{lecturer.base}/?class={code}&teach=") + r"\S+", link), link
    lecturer.page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(lecturer.page.locator('[data-testid="stSidebar"]')).to_contain_text(f"You are teaching class {code}.")
    return code, decoded[0], link


def at_stop(lecturer: AppPage, k: int) -> None:
    expect(lecturer.page.locator(STRIP)).to_contain_text(f"Stop {k} of {len(STOPS)}", timeout=START)
    lecturer.wait()
    expect(lecturer.page.locator("h1").first).to_have_text(TITLES[STOPS[k - 1].page])


def next_stop(lecturer: AppPage, k: int) -> None:
    """Next ▶ (stop k − 1 asks nothing, so the press moves on) to stop k."""
    assert STOPS[k - 2].question is None
    button(lecturer, "lecture_next").click()
    at_stop(lecturer, k)


def jump(lecturer: AppPage, k: int) -> None:
    """Type k in the strip's stop box."""
    box = lecturer.page.locator(f'{STRIP} [data-testid="stNumberInputField"]')
    box.fill(str(k))
    box.press("Enter")
    at_stop(lecturer, k)


def nudge_temperature(lecturer: AppPage, presses: int) -> str:
    """Move the lecturer's T slider right by ``presses`` steps; return its new value as the input shows it."""
    before = slider(lecturer, "softmax_T").input_value()
    slider(lecturer, "softmax_T").focus()
    for _ in range(presses):
        lecturer.page.keyboard.press("ArrowRight")
    expect(slider(lecturer, "softmax_T")).not_to_have_value(before)
    lecturer.wait()
    expect(lecturer.page).to_have_url(re.compile(r"[?&]softmax_T="))
    return slider(lecturer, "softmax_T").input_value()


HISTOGRAM_JS = """(selector) => {
  const plot = document.querySelector(selector);
  if (!plot || !Array.isArray(plot.data) || !plot.data.length) return null;
  return plot.data.map((t) => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}));
}"""


def histogram(app: AppPage) -> list[int]:
    """The room's answers chart as Plotly holds it in the page: its one round's count of each choice, checked to be
    one horizontal bar per choice in the choices' order (labelled by letter), the right one marked ✓."""
    selector = f".st-key-class_hist_{QUESTION.id} .js-plotly-plot"
    traces = app.page.wait_for_function(HISTOGRAM_JS, arg=selector, timeout=FOLLOW).json_value()
    assert len(traces) == 1, traces
    (trace,) = traces
    assert trace["name"] == "the room", trace
    labels = [re.sub(r"<[^>]+>", "", y).strip() for y in trace["y"]]
    assert len(labels) == len(QUESTION.choices), labels
    for i, label in enumerate(labels):
        assert label.startswith(LETTERS[i]) and label.endswith("✓") == (i == QUESTION.answer), labels
    return trace["x"]


def counts(choices: list[int]) -> list[int]:
    return [choices.count(i) for i in range(len(QUESTION.choices))]


# ---- the students' side ---------------------------------------------------------------------------------------


def follows(students: list[AppPage], page: str, values: dict[str, str] | None = None, *,
            segmented: tuple[str, str] | None = None) -> None:  # fmt: skip
    """Each student's page becomes ``page``, its sliders / number inputs take ``values`` (key → the input's value),
    and the segmented control (key, label) selects that label; all within FOLLOW."""
    for s in students:
        expect(s.page.locator("h1").first).to_have_text(TITLES[page], timeout=FOLLOW)
        for name, value in (values or {}).items():
            expect(s.page.locator(f".st-key-{name} input").first).to_have_value(value, timeout=FOLLOW)
        if segmented is not None:
            active = s.page.locator(f'.st-key-{segmented[0]} [role="radio"][aria-checked="true"]')
            expect(active).to_have_text(segmented[1], timeout=FOLLOW)
        assert lecturer_controls(s) == 0


def answer(student: AppPage, choice: int) -> None:
    """Pick ``choice`` in the question box and send it; the box confirms it."""
    box = student.page.locator(BOX)
    expect(box).to_contain_text(QUESTION.prompt, timeout=FOLLOW)
    box.locator('[data-testid="stRadio"] label', has_text=choice_label(choice)).click()
    send = button(student, "class_send")
    expect(send).to_be_enabled(timeout=FOLLOW)
    expect(send).to_have_text("Send my answer")
    send.click()
    expect(box).to_contain_text(f"Sent: {LETTERS[choice]}.", timeout=FOLLOW)
    expect(send).to_have_text("Change my answer")


def sees_the_answer(student: AppPage, choice: int) -> None:
    box = student.page.locator(BOX)
    expect(box.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text(QUESTION.explanation, timeout=FOLLOW)
    expect(box).to_contain_text(f"{choice_label(QUESTION.answer)} — ")
    verdict = "You were right." if choice == QUESTION.answer else f"You answered {LETTERS[choice]}."
    expect(box).to_contain_text(verdict)
    expect(box.locator('[data-testid="stRadio"]')).to_have_count(0)


# ---- browsers -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, for as many fresh contexts (one per person) as the tests need."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}


@dataclass
class Person:
    """One browser (its own context: cookies, session) with one tab, and the backend of each of its websockets."""

    app: AppPage
    sockets: list[int] = field(default_factory=list)


def person(browser: Browser, base: str, people: contextlib.ExitStack, options: dict) -> Person:
    context = browser.new_context(**options)
    people.callback(context.close)
    page = context.new_page()
    who = Person(AppPage(page, base))

    def on_handshake(event: dict) -> None:  # behind nginx: which process took this websocket
        headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
        if "x-explorer-backend" in headers:
            who.sockets.append(int(headers["x-explorer-backend"].rsplit(",", 1)[-1].strip().rsplit(":", 1)[1]))

    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.on("Network.webSocketHandshakeResponseReceived", on_handshake)
    return who


def scan(student: AppPage, url: str) -> None:
    """Open exactly ``url`` (what the QR code holds), as a student does; the app joins the class."""
    student.page.goto(url)
    student.wait("h1")
    expect(student.page.locator(BOX)).to_have_count(0)


# ---- 1 · one server -------------------------------------------------------------------------------------------


def test_a_class_follows_the_lecturer_answers_and_sees_the_room_revealed(chromium: Browser, server_url: str) -> None:
    with contextlib.ExitStack() as people:
        lecturer = person(chromium, server_url, people, PROJECTOR).app
        lecturer.open("", "lecture=true", wait_for=STRIP)
        code, join_url, private = start_class(lecturer)
        assert join_url == f"{server_url}/?class={code}"

        students = [person(chromium, server_url, people, options).app for options in (LAPTOP, LAPTOP, PHONE)]
        for s in students:
            scan(s, join_url)
            expect(s.page.locator('[data-testid="stSidebar"]')).to_contain_text(f"In class {code}.")
            expect(s.page.locator('.st-key-class_follow input[type="checkbox"]')).to_be_checked()
            assert lecturer_controls(s) == 0
        bar = lecturer.page.locator(BAR)
        expect(bar).to_contain_text(f"Class {code}", timeout=FOLLOW)
        expect(bar).to_contain_text("3 present", timeout=FOLLOW)
        no_exceptions(lecturer, *students)

        # Next ▶ across a page (home → sample spaces), then a stop that sets the page's experiment.
        for k in range(2, WEATHER_STOP + 1):
            next_stop(lecturer, k)
        follows(students, STOPS[WEATHER_STOP - 1].page, segmented=("ss_exp", WEATHER_TITLE))
        # The stop box to another page, whose sliders take the stop's values.
        jump(lecturer, SOFTMAX_STOP)
        follows(students, SOFTMAX, {"softmax_n": "3", "softmax_T": "1", "softmax_z1": "2", "softmax_z2": "1"})
        # A control the lecturer moves by hand, then a preset that sets several at once.
        moved = nudge_temperature(lecturer, 2)
        assert moved == "1.1", moved
        follows(students, SOFTMAX, {"softmax_T": moved})
        lecturer.page.get_by_role("button", name=PRESET, exact=True).click()
        lecturer.wait()
        expect(key(lecturer, "softmax_c").locator("input")).to_have_value("1000.00")
        follows(students, SOFTMAX, {"softmax_T": "1", "softmax_c": "1000.00", "softmax_z1": "0", "softmax_z2": "-1",
                                    "softmax_z3": "-2"})  # fmt: skip
        no_exceptions(lecturer, *students)

        # The question stop: ask the room; two answer right, one wrong (the phone).
        jump(lecturer, QUESTION_STOP)
        follows(students, SOFTMAX, {"softmax_T": "0.05"})
        expect(lecturer.page.locator(STRIP)).to_contain_text(QUESTION.prompt)
        expect(lecturer.page.locator(STRIP)).not_to_contain_text(QUESTION.explanation)
        button(lecturer, "class_ask").click()
        expect(key(lecturer, "class_room")).to_contain_text("The room is answering: 0 of 3 so far.", timeout=FOLLOW)
        expect(bar).to_contain_text("0 of 3 answered", timeout=FOLLOW)
        wrong = (QUESTION.answer + 1) % len(QUESTION.choices)
        choices = [QUESTION.answer, QUESTION.answer, wrong]
        for s, choice in zip(students, choices, strict=True):
            answer(s, choice)
            assert lecturer_controls(s) == 0  # a student cannot close or reveal
        expect(bar).to_contain_text("3 of 3 answered", timeout=FOLLOW)
        expect(key(lecturer, "class_room")).to_contain_text("3 of 3 so far", timeout=FOLLOW)
        no_exceptions(lecturer, *students)

        button(lecturer, "class_close").click()
        expect(key(lecturer, "class_room")).to_contain_text("Answers closed: 3 of 3.", timeout=FOLLOW)
        for s, choice in zip(students, choices, strict=True):
            expect(s.page.locator(BOX)).to_contain_text(f"Answers are closed. Yours: {LETTERS[choice]}.",
                                                        timeout=FOLLOW)  # fmt: skip
            assert lecturer_controls(s) == 0
        button(lecturer, "class_reveal").click()
        expect(button(lecturer, "class_again")).to_be_visible(timeout=FOLLOW)
        expect(lecturer.page.locator(STRIP)).to_contain_text(QUESTION.explanation)
        assert histogram(lecturer) == counts(choices)
        for s, choice in zip(students, choices, strict=True):
            sees_the_answer(s, choice)
            assert lecturer_controls(s) == 0
        assert histogram(students[2]) == counts(choices)  # the phone's chart: the same counts

        # The lecturer link with a wrong secret: the session joins as one more student, nothing more.
        forged = person(chromium, server_url, people, LAPTOP).app
        forged.page.goto(re.sub(r"teach=[^&]+", "teach=not-the-secret", private))
        forged.wait("h1")
        sidebar = forged.page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text(f"In class {code}.", timeout=FOLLOW)
        expect(forged.page).not_to_have_url(re.compile(r"teach="))
        follows([forged], SOFTMAX, {"softmax_T": "0.05"})
        expect(forged.page.locator(BOX)).to_contain_text(QUESTION.explanation, timeout=FOLLOW)  # the room's answer
        assert lecturer_controls(forged) == 0
        expect(bar).to_contain_text("4 present", timeout=FOLLOW)
        no_exceptions(lecturer, *students, forged)
        no_console_errors(lecturer, *students, forged)


def start_with_a_question(chromium: Browser, base: str, people: contextlib.ExitStack,
                          student: dict) -> tuple[AppPage, AppPage, str]:  # fmt: skip
    """A lecturer who started a class, one student in it, the room asked the question; (lecturer, student, link)."""
    lecturer = person(chromium, base, people, PROJECTOR).app
    lecturer.open("", "lecture=true", wait_for=STRIP)
    _, join_url, private = start_class(lecturer)
    s = person(chromium, base, people, student).app
    scan(s, join_url)
    jump(lecturer, QUESTION_STOP)
    button(lecturer, "class_ask").click()
    expect(s.page.locator(BOX)).to_contain_text(QUESTION.prompt, timeout=FOLLOW)
    return lecturer, s, private


def test_a_wrong_lecturer_link_says_so(chromium: Browser, server_url: str) -> None:
    with contextlib.ExitStack() as people:
        lecturer = person(chromium, server_url, people, PROJECTOR).app
        lecturer.open("", "lecture=true", wait_for=STRIP)
        code, _, private = start_class(lecturer)
        forged = person(chromium, server_url, people, LAPTOP).app
        forged.page.goto(re.sub(r"teach=[^&]+", "teach=not-the-secret", private))
        forged.wait("h1")
        sidebar = forged.page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text(f"In class {code}.", timeout=FOLLOW)
        expect(sidebar).to_contain_text("This lecturer link is not valid", timeout=FOLLOW)


def test_a_phone_student_sees_why_an_answer_was_not_taken(chromium: Browser, server_url: str) -> None:
    with contextlib.ExitStack() as people:
        _, phone, _ = start_with_a_question(chromium, server_url, people, PHONE)
        answer(phone, QUESTION.answer)
        notice = phone.page.get_by_text("Too many answers at once")
        send = button(phone, "class_send")
        for _ in range(60):  # the limit: 10 answers at once, one more per second
            if notice.count():
                break
            send.click()
            phone.wait()
        else:
            pytest.fail("60 answers in a row were all taken", pytrace=False)
        expect(notice.filter(visible=True)).to_have_count(1)


# ---- 2 · two processes behind nginx, one PostgreSQL --------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of ``url`` for this test (dropped afterwards); ``url`` itself when the
    server's user may not create databases."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"explorer_live_{uuid.uuid4().hex[:10]}"
    connect = {"host": base.host, "port": base.port, "user": base.username, "password": base.password,
               "dbname": base.database, "autocommit": True, "connect_timeout": 5}  # fmt: skip
    try:
        with psycopg.connect(**connect) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.errors.InsufficientPrivilege:
        yield url
        return
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**connect) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture()
def two_processes(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """Two processes behind nginx, sharing a fresh PostgreSQL database: (the proxy's URL, the processes' ports)."""
    with fresh_database(postgres_url) as url, serve(tmp_path, {"EXPLORER_DATABASE_URL": url}) as stack:
        yield stack.url, list(stack.backends())


def test_a_class_works_across_two_processes_sharing_postgresql(chromium: Browser,
                                                               two_processes: tuple[str, list[int]]) -> None:  # fmt: skip
    url, ports = two_processes
    with contextlib.ExitStack() as people:
        teacher = person(chromium, url, people, PROJECTOR)
        lecturer = teacher.app
        lecturer.open("", "lecture=true", wait_for=STRIP)
        code, join_url, _ = start_class(lecturer)
        assert join_url == f"{url}/?class={code}"
        assert len(teacher.sockets) == 1 and teacher.sockets[0] in ports
        mine = teacher.sockets[0]

        # Students scan the code until one lands on the other process (nginx gives a new browser the least busy one,
        # which the lecturer's open websocket is not): bounded tries, every one of them stays in the class.
        students: list[Person] = []
        for _ in range(6):
            s = person(chromium, url, people, PHONE if len(students) % 2 else LAPTOP)
            scan(s.app, join_url)
            students.append(s)
            if len(students) >= 2 and any(p.sockets[-1] != mine for p in students):
                break
        away = [s for s in students if s.sockets[-1] != mine]
        assert away, f"no student of {len(students)} landed on another process than the lecturer's ({mine})"
        for s in students:
            expect(s.app.page.locator('[data-testid="stSidebar"]')).to_contain_text(f"In class {code}.")
        n = len(students)
        bar = lecturer.page.locator(BAR)
        expect(bar).to_contain_text(f"{n} present", timeout=FOLLOW)
        apps = [s.app for s in students]

        jump(lecturer, SOFTMAX_STOP)
        follows(apps, SOFTMAX, {"softmax_T": "1", "softmax_z1": "2"})
        moved = nudge_temperature(lecturer, 2)
        follows(apps, SOFTMAX, {"softmax_T": moved})

        jump(lecturer, QUESTION_STOP)
        follows(apps, SOFTMAX, {"softmax_T": "0.05"})
        button(lecturer, "class_ask").click()
        expect(bar).to_contain_text(f"0 of {n} answered", timeout=FOLLOW)
        wrong = (QUESTION.answer + 1) % len(QUESTION.choices)
        choices = [wrong if i == 1 else QUESTION.answer for i in range(n)]  # the second student answers wrong
        for s, choice in zip(apps, choices, strict=True):
            answer(s, choice)
        expect(bar).to_contain_text(f"{n} of {n} answered", timeout=FOLLOW)
        # The strip's Reveal ▶ (the clicker's key) reveals to the room too, straight from open answers.
        expect(button(lecturer, "lecture_next")).to_contain_text("Reveal ▶")
        button(lecturer, "lecture_next").click()
        expect(button(lecturer, "class_again")).to_be_visible(timeout=FOLLOW)
        expect(lecturer.page.locator(STRIP)).to_contain_text(QUESTION.explanation)
        expect(button(lecturer, "lecture_next")).to_contain_text("Next ▶")
        assert histogram(lecturer) == counts(choices)
        for s, choice in zip(apps, choices, strict=True):
            sees_the_answer(s, choice)
            assert lecturer_controls(s) == 0
        assert histogram(away[0].app) == counts(choices)  # read on the other process, from PostgreSQL

        # Each browser stayed on its process all along (one websocket each, the lecturer's and a student's apart).
        assert teacher.sockets == [mine]
        assert all(len(set(s.sockets)) == 1 for s in students), [s.sockets for s in students]
        assert away[0].sockets[0] != mine and {mine, away[0].sockets[0]} == set(ports)
        no_exceptions(lecturer, *apps)
        no_console_errors(lecturer, *apps)
