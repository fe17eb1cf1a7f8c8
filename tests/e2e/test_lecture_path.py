"""The lecture path in Chromium: the whole path walked with a clicker's keys (PageDown to the end, PageUp back),
a reload keeps the stop, a hidden answer is revealed by the next press, and the QR code decodes to the view's URL."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from core.lecture import QUESTIONS, STOPS
from tests.e2e.conftest import AppPage
from ui.navigation import all_pages

TITLES = {p.path: p.title for p in all_pages()} | {"app_pages/home.py": "Classification Explorer"}
STRIP = ".st-key-lecture_strip"


def at_stop(app: AppPage, k: int) -> None:
    """The browser shows stop k: its page's title, "Stop k of N" and its line, ?stop=k, no exception."""
    stop = STOPS[k - 1]
    expect(app.page.locator(STRIP)).to_contain_text(f"Stop {k} of {len(STOPS)}", timeout=60_000)
    app.wait()
    expect(app.page.locator("h1").first).to_have_text(TITLES[stop.page])
    expect(app.page.locator(STRIP)).to_contain_text(stop.line)
    expect(app.page).to_have_url(re.compile(rf"[?&]stop={k}(&|#|$)"))
    assert app.exceptions() == [], (k, app.exceptions())


def press(app: AppPage, key: str) -> None:
    app.page.locator("h1").first.click()  # focus on the page, not on a control (as after a clicker press)
    app.page.keyboard.press(key)
    app.page.wait_for_timeout(200)
    app.wait()


def test_pagedown_walks_the_whole_path_and_pageup_walks_back(app: AppPage) -> None:
    app.open("", "lecture=true", wait_for=STRIP)
    at_stop(app, 1)
    for k in range(2, len(STOPS) + 1):
        question = STOPS[k - 2].question
        if question is not None:  # the first press reveals the answer
            press(app, "PageDown")
            expect(app.page.locator(STRIP)).to_contain_text(QUESTIONS[question].explanation)
        press(app, "PageDown")
        at_stop(app, k)
    for k in range(len(STOPS) - 1, 0, -1):
        press(app, "PageUp")
        at_stop(app, k)
    assert app.errors() == []


def test_arrow_keys_and_space_move_too_and_a_reload_keeps_the_stop(app: AppPage) -> None:
    app.open("", "lecture=true&stop=3", wait_for=STRIP)
    at_stop(app, 3)
    press(app, "ArrowRight")
    at_stop(app, 4)
    press(app, "Space")
    at_stop(app, 5)
    press(app, "ArrowLeft")
    at_stop(app, 4)
    app.page.reload()
    app.wait(STRIP)
    at_stop(app, 4)


def test_a_question_is_hidden_until_the_lecturer_reveals_it(app: AppPage) -> None:
    k = next(i for i, s in enumerate(STOPS, 1) if s.question == "temperature_to_zero")
    q = QUESTIONS["temperature_to_zero"]
    app.open("softmax", f"lecture=true&stop={k}", wait_for=STRIP)
    strip = app.page.locator(STRIP)
    expect(strip).to_contain_text(q.prompt)
    expect(strip).not_to_contain_text(q.explanation)
    expect(app.page.get_by_role("button", name="Reveal ▶")).to_be_visible()
    press(app, "PageDown")
    expect(strip).to_contain_text(q.explanation)
    at_stop(app, k)


def test_the_qr_code_decodes_to_the_url_of_this_exact_view(app: AppPage) -> None:
    app.open("softmax", "softmax_n=4&softmax_T=2.5", wait_for="h1")
    app.page.get_by_role("button", name="QR code of this view").click()
    dialog = app.page.get_by_role("dialog")
    image = dialog.locator("img").first
    expect(image).to_be_visible()
    url = dialog.locator("code").first.inner_text().strip()
    assert url.startswith(f"{app.base}/softmax?") and "softmax_n=4" in url and "softmax_T=2.5" in url, url
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert [r.text for r in decoded] == [url]
    # The link opens the same view in a fresh tab.
    other = AppPage(app.page.context.new_page(), app.base)
    try:
        other.page.goto(url)
        other.wait("h1")
        expect(other.page.locator('[data-testid="stSlider"]').first).to_contain_text("4")
        assert other.exceptions() == []
    finally:
        other.page.close()


def test_a_stop_brings_its_section_into_view_below_the_sticky_strip(app: AppPage) -> None:
    k = next(i for i, s in enumerate(STOPS, 1) if s.section == "Why probabilities, not one-hot?")
    app.page.set_viewport_size({"width": 1280, "height": 720})
    app.open("softmax", f"lecture=true&stop={k}", wait_for=STRIP)
    in_view = """() => {
      const h = [...document.querySelectorAll('[data-testid="stMain"] h2, [data-testid="stMain"] h3')]
        .find((e) => e.textContent.trim().startsWith("Why probabilities, not one-hot?"));
      const strip = document.querySelector(".st-key-lecture_strip").getBoundingClientRect();
      const top = h.getBoundingClientRect().top;
      return strip.top >= 0 && top >= strip.bottom && top < window.innerHeight - 100;
    }"""
    app.page.wait_for_function(in_view, timeout=15_000)
    press(app, "PageDown")  # reveal: the view stays on the section
    app.page.wait_for_function(in_view, timeout=15_000)
