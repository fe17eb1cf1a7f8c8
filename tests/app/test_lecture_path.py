"""AppTest: the lecture path — every stop renders on its page with its control values, Back / Next cross pages,
questions stay hidden until revealed, a link opens at its stop, a lecturer can leave the path and return."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.lecture import QUESTIONS, STOPS
from tests.app.primer_app import ROOT, open_page, texts
from ui import lecture
from ui.navigation import all_pages

TITLES = {p.path: p.title for p in all_pages()} | {"app_pages/home.py": "Classification Explorer"}


def widgets(at: AppTest) -> dict[str, Any]:
    """Every widget rendered by the last run: key → value."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        children = list(getattr(node, "children", {}).values())
        if children and type(children[0]).__name__ == "Tab":  # bound st.tabs: its key ends the block's id
            key = node.proto.id.rsplit("-", 1)[-1]
            found[key] = at.session_state[key]
        key = getattr(node, "key", None)
        if key and hasattr(node, "value"):
            try:
                found[key] = node.value
            except Exception:  # noqa: BLE001 — a widget type without a readable value (e.g. a file uploader)
                found[key] = None
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def strip_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Stop "))


def lecture_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lecture"] = "true"
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def check_stop(at: AppTest, k: int) -> None:
    """The app shows stop k: its page's title, its line, every control it sets at its value, no exception."""
    stop = STOPS[k - 1]
    assert not at.exception, (k, at.exception)
    assert at.title[0].value == TITLES[stop.page], k
    assert strip_line(at) == f"**Stop {k} of {len(STOPS)}** — {stop.line}"
    shown = widgets(at)
    for key, value in stop.values.items():
        assert key in shown, f"stop {k}: {key} is not a widget of {stop.page}"
        assert shown[key] == value, f"stop {k}: {key} = {shown[key]!r}, the stop sets {value!r}"
    assert not [b for b in at.button if b.key == "lecture_return"], f"stop {k} shows 'Back to stop'"


def test_next_walks_the_whole_path_and_back_walks_it_back() -> None:
    at = lecture_app()
    check_stop(at, 1)
    for k in range(2, len(STOPS) + 1):
        question = STOPS[k - 2].question
        if question is not None:  # the first press reveals the previous stop's answer
            assert at.button(key="lecture_next").label == "Reveal ▶"
            at.button(key="lecture_next").click().run()
            assert QUESTIONS[question].explanation in texts(at.success)
        at.button(key="lecture_next").click().run()
        check_stop(at, k)
    assert at.button(key="lecture_next").disabled
    for k in range(len(STOPS) - 1, 0, -1):
        at.button(key="lecture_back_left").click().run()  # ← is a second Back
        check_stop(at, k)
    assert at.button(key="lecture_back").disabled


@pytest.mark.parametrize("k", [1, 9, 17, 21, len(STOPS)])
def test_a_link_opens_at_its_stop(k: int) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lecture"] = "true"
    at.query_params["stop"] = str(k)
    at.run()  # the link names the stop, not its page: the app goes there
    check_stop(at, k)


@pytest.mark.parametrize("bad", ["0", "99", "-1", "x", "%ff", "1e9"])
def test_a_malformed_stop_opens_the_first(bad: str) -> None:
    at = lecture_app({"stop": bad})
    check_stop(at, 1)


def test_the_stop_number_jumps() -> None:
    at = lecture_app()
    at.number_input(key="lecture_stop_1").set_value(13).run()
    check_stop(at, 13)


def test_a_stale_stop_input_sent_with_a_second_press_is_no_jump(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clicker pressed twice: the second press comes from a browser that has not yet drawn stop 9, with its
    stop-8 input's value; Streamlit sees a widget it no longer knows and calls its callback. No jump back."""
    state: dict[str, Any] = {"stop": 9, "lecture_stop_8": 8}
    monkeypatch.setattr(lecture.st, "session_state", state)
    lecture._jump("lecture_stop_8", 8)
    assert state == {"stop": 9, "lecture_stop_8": 8}
    state["lecture_stop_9"] = 13  # typed
    lecture._jump("lecture_stop_9", 9)
    assert state["stop"] == 13


def test_leaving_the_path_and_returning_with_one_press() -> None:
    at = lecture_app()
    at.number_input(key="lecture_stop_1").set_value(3).run()  # the coin
    check_stop(at, 3)
    at.segmented_control(key="ss_exp").set_value("weather").run()
    assert at.button(key="lecture_return").label == "↩ Back to stop 3"
    at.button(key="lecture_return").click().run()
    check_stop(at, 3)
    at.switch_page("app_pages/training.py").run()  # another page altogether
    at.button(key="lecture_return").click().run()
    check_stop(at, 3)


def test_a_question_hides_its_answer_until_revealed() -> None:
    k = next(i for i, s in enumerate(STOPS, 1) if s.question == "squared_error")
    at = lecture_app({"stop": str(k)})
    q = QUESTIONS["squared_error"]
    assert f"**Predict:** {q.prompt}" in texts(at.markdown)
    assert q.explanation not in texts(at.success)
    at.button(key="q_squared_error_reveal").click().run()
    assert q.explanation in texts(at.success)
    assert at.button(key="lecture_next").label == "Next ▶"


def test_normal_mode_lets_a_student_answer_and_check() -> None:
    at = open_page("probability_rules")
    assert not [m for m in at.markdown if m.value.startswith("**Stop ")], "no lecture strip in normal mode"
    q = QUESTIONS["heads_and_tails"]
    assert f"**Predict, then check:** {q.prompt}" in texts(at.markdown)
    assert at.button(key="q_heads_and_tails_check").disabled
    at.radio(key="q_heads_and_tails_choice").set_value(0).run()
    at.button(key="q_heads_and_tails_check").click().run()
    assert "Not quite: it is B" in texts(at.warning)
    at.radio(key="q_heads_and_tails_choice").set_value(q.answer).run()
    assert f"**Right.** {q.explanation}" in texts(at.success)


def test_the_model_says_what_the_predict_question_answers() -> None:
    k = next(i for i, s in enumerate(STOPS, 1) if s.question == "predict_image")
    q = QUESTIONS["predict_image"]
    at = lecture_app({"stop": str(k)})
    check_stop(at, k)
    assert f"The model says **{q.choices[q.answer]}**" in texts(at.markdown)


def test_the_qr_link_uses_the_public_address_and_every_control(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPLORER_PUBLIC_URL", "http://192.168.1.20:8501")
    at = open_page("softmax", {"softmax_n": "4", "softmax_T": "2.5"})
    at.button(key="sidebar_qr").click().run()
    links = [c.value for c in at.code if c.value.startswith("http")]
    assert len(links) == 1
    assert links[0].startswith("http://192.168.1.20:8501/") and "softmax_n=4" in links[0] and "softmax_T=2.5" in links[0]
    assert not [w for w in at.warning if "only works on this computer" in w.value]


def test_a_localhost_qr_link_says_students_cannot_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXPLORER_PUBLIC_URL", raising=False)
    at = open_page("softmax")
    at.button(key="sidebar_qr").click().run()
    assert "EXPLORER_PUBLIC_URL" in texts(at.warning)
