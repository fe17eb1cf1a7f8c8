"""The live class through AppTest: a lecturer session and student sessions of the real app sharing the class
database (a SQLite file in this module's cache folder): start, join by the link's code, follow the lecturer's page
and control values, answer, close, reveal; what a student cannot do; bad codes; an unreachable database."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.lecture import QUESTIONS, STOPS
from tests.app.primer_app import ROOT, open_page
from ui import live_class

QUESTION_STOP = next(k for k, stop in enumerate(STOPS, start=1) if stop.question)
QUESTION = QUESTIONS[STOPS[QUESTION_STOP - 1].question]


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def student(code: str) -> AppTest:
    """A new session opening the join link ``/?class=CODE``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["class"] = code
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture()
def lecturer() -> AppTest:
    at = open_page("home", {"lecture": "true"})
    at.button(key="class_start").click().run()
    assert not at.exception, at.exception
    return at


def test_a_class_starts_with_a_code_and_a_student_joins_by_the_link(lecturer: AppTest) -> None:
    code = lecturer.session_state["class_code"]
    assert live_class.normalise_code(code) == code
    assert f"You are teaching class **{code}**." in texts(lecturer)
    links = [c.value for c in lecturer.code if c.value.startswith("http")]  # the join dialog opened by itself
    assert links[0].endswith(f"/?class={code}")
    secret = lecturer.session_state["class_secret"]
    assert links[1].endswith(f"/?class={code}&teach={secret}")  # the private lecturer link, in its expander
    s = student(code)
    assert s.session_state["class_code"] == code and "class_secret" not in s.session_state
    assert f"In class **{code}**." in texts(s)
    lecturer.run()
    assert f"Class **{code}** · 👥 **1** present" in texts(lecturer)
    # The lecturer link reopens the class on another device, and its secret leaves the address bar at once.
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.query_params.update({"class": code, "teach": secret, "lecture": "true"})
    other.run()
    assert other.session_state["class_secret"] == secret and "teach" not in other.query_params
    forged = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    forged.query_params.update({"class": code, "teach": "not-the-secret"})
    forged.run()
    assert "class_secret" not in forged.session_state and forged.session_state["class_code"] == code  # a student


def test_students_follow_the_lecturers_page_and_controls(lecturer: AppTest) -> None:
    code = lecturer.session_state["class_code"]
    s = student(code)
    lecturer.switch_page("app_pages/softmax.py").run()
    lecturer.slider(key="softmax_T").set_value(2.5).run()
    lecturer.slider(key="softmax_n").set_value(4).run()
    s.run()
    assert not s.exception, s.exception
    assert s.slider(key="softmax_T").value == 2.5 and s.slider(key="softmax_n").value == 4
    assert s.title[0].value == "Softmax & the simplex"
    # A preset sets several controls at once; the students' sliders follow.
    lecturer.button(key="softmax_preset_0").click().run()
    s.run()
    assert [s.slider(key=f"softmax_z{i}").value for i in range(1, 4)] == [
        lecturer.slider(key=f"softmax_z{i}").value for i in range(1, 4)]  # fmt: skip
    # Following off: the student explores; Catch up brings the lecturer's view back once.
    s.toggle(key="class_follow").set_value(False).run()
    s.slider(key="softmax_T").set_value(0.5).run()
    lecturer.slider(key="softmax_T").set_value(3.0).run()
    s.run()
    assert s.slider(key="softmax_T").value == 0.5
    s.button(key="class_catch_up").click().run()
    assert s.slider(key="softmax_T").value == 3.0


def test_the_room_answers_a_question_and_sees_the_histogram(lecturer: AppTest) -> None:
    code = lecturer.session_state["class_code"]
    students = [student(code) for _ in range(3)]
    lecturer.number_input(key="lecture_stop_1").set_value(QUESTION_STOP).run()
    lecturer.switch_page(STOPS[QUESTION_STOP - 1].page)  # AppTest keeps the page it was told, not st.switch_page's
    assert not lecturer.exception, lecturer.exception
    lecturer.button(key="class_ask").click().run()
    choices = [QUESTION.answer, QUESTION.answer, (QUESTION.answer + 1) % len(QUESTION.choices)]
    for s, choice in zip(students, choices, strict=True):
        s.run()
        assert not [b for b in s.button if b.key in ("class_ask", "class_close", "class_reveal")]  # a student can't
        s.radio(key=f"class_answer_{QUESTION.id}_1").set_value(choice).run()
        s.button(key="class_send").click().run()
        assert "Sent:" in texts(s)
    lecturer.run()
    assert "**3 of 3** so far" in texts(lecturer)
    lecturer.button(key="class_close").click().run()
    lecturer.button(key="class_reveal").click().run()
    spec = json.loads(next(c for c in lecturer.get("plotly_chart") if c.proto.id.endswith(f"class_hist_{QUESTION.id}"))
                      .proto.spec)  # fmt: skip
    counts = spec["data"][0]["x"]
    assert counts[QUESTION.answer] == 2 and sum(counts) == 3
    students[0].run()
    assert any(QUESTION.explanation in x.value for x in students[0].success)
    # Ask again after the demonstration: a second round beside the first.
    lecturer.button(key="class_again").click().run()
    students[2].run()
    students[2].radio(key=f"class_answer_{QUESTION.id}_2").set_value(QUESTION.answer).run()
    students[2].button(key="class_send").click().run()
    lecturer.button(key="class_close").click().run()
    lecturer.button(key="class_reveal").click().run()
    spec = json.loads(next(c for c in lecturer.get("plotly_chart") if c.proto.id.endswith(f"class_hist_{QUESTION.id}"))
                      .proto.spec)  # fmt: skip
    assert [t["name"] for t in spec["data"]] == ["round 1", "round 2"]
    assert spec["data"][1]["x"][QUESTION.answer] == 1


def test_a_wrong_or_ended_code_gets_a_clear_message_and_the_normal_app(lecturer: AppTest) -> None:
    s = student("NOPE<b>")
    assert "class_code" not in s.session_state
    assert any("not a class code" in i.value for i in s.info) and s.title[0].value
    s = student("ZZZZZZ")
    assert any("No class with the code ZZZZZZ" in i.value for i in s.info)
    code = lecturer.session_state["class_code"]
    follower = student(code)
    lecturer.button(key="class_end").click().run()
    assert "class_code" not in lecturer.session_state
    follower.run()
    assert "class_code" not in follower.session_state and not follower.exception


def test_an_unreachable_database_pauses_the_class_and_the_app_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPLORER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.setattr(live_class, "_failed", None)
    at = open_page("softmax", {"lecture": "true"})
    at.button(key="class_start").click().run()
    assert not at.exception, at.exception
    assert any("cannot be reached" in i.value for i in at.info)
    assert at.title[0].value == "Softmax & the simplex"
    monkeypatch.setattr(live_class, "_failed", None)
