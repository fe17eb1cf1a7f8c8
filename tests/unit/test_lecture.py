"""core.lecture: the lecture's path and questions as data, checked for consistency (the pages are checked by
tests/app/test_lecture_path.py)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
import zxingcpp
from PIL import Image

from core import lecture
from core.lecture import PLAN, QUESTIONS, STOPS, Question, Stop, on_stop, stop_number
from ui.links import qr_png
from ui.navigation import all_pages


def test_the_plan_is_the_lectures_five_steps() -> None:
    assert PLAN == ("Define the problem", "Probability primer", "Model f", "Loss 𝓛", "Learn θ")


def test_the_path_has_30_to_50_stops_in_the_lectures_page_order() -> None:
    assert 30 <= len(STOPS) <= 50
    order = [p.path for p in all_pages()]
    positions = [order.index(s.page) for s in STOPS]
    assert positions == sorted(positions), "stops leave a page and come back to it"
    assert set(positions) == set(range(len(order))), "a page of the lecture has no stop"
    assert [s.plan_step for s in STOPS] == sorted(s.plan_step for s in STOPS)


def test_every_stop_has_a_line_and_known_question() -> None:
    for stop in STOPS:
        assert stop.line and len(stop.line) <= 120, stop
        assert stop.question is None or stop.question in QUESTIONS


def test_every_question_is_asked_exactly_once() -> None:
    asked = Counter(s.question for s in STOPS if s.question)
    assert asked == Counter(list(QUESTIONS))


def test_the_issues_questions_are_there() -> None:
    prompts = " ".join(q.prompt for q in QUESTIONS.values())
    for phrase in ("instead of a one-hot vector", "P(Rain ∪ Sun)", "P(Heads ∩ Tails)", "T → 0",
                   "(0.6 − 1)² + (0.4 − 0)²", "confidently wrong start", "What will the default model say"):
        assert phrase in prompts


def test_the_squared_error_question_has_the_lectures_answer() -> None:
    q = QUESTIONS["squared_error"]
    assert float(q.choices[q.answer]) == pytest.approx((0.6 - 1) ** 2 + (0.4 - 0) ** 2)


@pytest.mark.parametrize(("choices", "answer"), [(("a",), 0), (("a", "b", "c", "d", "e"), 0), (("a", "b"), 2),
                                                 (("a", "a"), 0)])  # fmt: skip
def test_a_malformed_question_is_refused(choices: tuple[str, ...], answer: int) -> None:
    with pytest.raises(ValueError, match="question 'q'"):
        Question("q", "?", choices, answer, "")


def test_a_stop_on_an_unknown_page_is_refused() -> None:
    with pytest.raises(ValueError, match="not a page of the lecture"):
        Stop("app_pages/nope.py", "x")


@pytest.mark.parametrize(("text", "k"), [("1", 1), (" 3 ", 3), (str(len(STOPS)), len(STOPS)), ("0", None),
                                         (str(len(STOPS) + 1), None), ("-2", None), ("x", None), ("", None),
                                         ("1.5", None), ("%00", None)])  # fmt: skip
def test_stop_number_accepts_only_a_stop_of_the_path(text: str, k: int | None) -> None:
    assert stop_number(text) == k


def test_on_stop_needs_the_page_and_every_value() -> None:
    stop = STOPS[2]  # the coin
    state = dict(stop.values)
    assert on_stop(stop, stop.page, state)
    assert not on_stop(stop, lecture.RULES, state)
    assert not on_stop(stop, stop.page, {**state, "ss_exp": "weather"})
    assert not on_stop(stop, stop.page, {})


def test_the_qr_png_decodes_to_the_url() -> None:
    url = "http://192.168.1.20:8501/cross_entropy?lecture=true&stop=22&ce_f1=0.6&ce_f2=0.4"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))] == [url]


def test_questions_of_a_page_are_its_stops_questions_in_order() -> None:
    assert [q.id for q in lecture.questions_of(lecture.RULES)] == ["union_rain_sun", "heads_and_tails"]
    assert lecture.questions_of(lecture.HOME) == []
