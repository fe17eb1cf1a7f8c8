"""ui.class_store against both databases it supports — SQLite (a file, WAL) and a real PostgreSQL server: a live
class from start to end, who may do what, validation, expiry, versions, many writers at once, and databases that
are down or locked (always ClassUnavailable, never another exception)."""

from __future__ import annotations

import multiprocessing
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from core import classroom
from core.classroom import CLOSED, INACTIVE_AFTER, OPEN, PRESENT_WITHIN, REVEALED, View, new_member_id
from core.lecture import QUESTIONS, Question
from ui import class_store
from ui.class_store import (
    TOUCH_EVERY,
    AnswerRejected,
    ClassState,
    ClassStore,
    ClassUnavailable,
    NotLecturer,
    RoundState,
    UnknownClass,
    default_url,
    engine_for,
)

T0 = 1_700_000_000.0
HOUR = 3600.0
TABLES = ("classes", "members", "rounds", "answers")
VIEW = View("app_pages/softmax.py", {"softmax_T": 1.5, "softmax_n": 3, "rules_a": ["Shirt", "Bag"]}, 12)


@dataclass
class Backend:
    name: str
    url: str
    engine: sa.Engine
    store: ClassStore

    def rows(self, table: str, code: str | None = None) -> int:
        """How many rows the table holds (for one class)."""
        where = " WHERE code = :code" if code else ""
        with self.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}{where}"), {"code": code}).scalar_one()

    def sql(self, statement: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(statement), params)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty database (no schema yet): a SQLite file, or a schema of its own on the PostgreSQL server."""
    admin, schema = None, ""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'classroom.sqlite3'}"
    else:
        base = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
    engine = engine_for(url)
    try:
        yield Backend(request.param, url, engine, ClassStore(engine))
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


@pytest.fixture
def backend(fresh: Backend) -> Backend:
    """A migrated database."""
    fresh.store.migrate()
    return fresh


def members_of(store: ClassStore, code: str, n: int, now: float = T0) -> list[str]:
    ids = [new_member_id() for _ in range(n)]
    for member in ids:
        store.join(code, member, now)
    return ids


def widest_question() -> Question:
    return max(QUESTIONS.values(), key=lambda q: len(q.choices))


# -- the lifecycle


def test_a_class_from_start_to_end(backend: Backend) -> None:
    s, q = backend.store, widest_question()
    n = len(q.choices)
    assert n >= 3
    code, secret = s.create(T0)
    assert classroom.normalise_code(code) == code and s.is_lecturer(code, secret)
    assert s.state(code, T0) == ClassState(code, None, 0, 0, None, None)

    a, b, c = members_of(s, code, 3, T0 + 1)
    assert s.state(code, T0 + 2).present == 3
    s.publish(code, secret, VIEW, T0 + 3)
    assert s.state(code, T0 + 4, a).view == VIEW

    assert s.ask(code, secret, q.id, n, T0 + 5) == 1
    assert s.state(code, T0 + 5, a).question == RoundState(q.id, 1, OPEN, 0, (0,) * n)
    s.answer(code, a, q.id, 0, T0 + 6)
    s.answer(code, b, q.id, 2, T0 + 6)
    s.answer(code, c, q.id, 2, T0 + 6)
    s.answer(code, a, q.id, 1, T0 + 7)  # a changes their mind while the round is open
    with pytest.raises(AnswerRejected):
        s.answer(code, b, q.id, n, T0 + 7)  # not a choice: b's answer stays
    now = s.state(code, T0 + 8, a)
    assert now.question == RoundState(q.id, 1, OPEN, 3, (0, 1, 2) + (0,) * (n - 3))
    assert now.my_choice == 1 and s.state(code, T0 + 8, b).my_choice == 2 and s.state(code, T0 + 8).my_choice is None

    s.close(code, secret, q.id, T0 + 9)
    with pytest.raises(AnswerRejected, match="not open"):
        s.answer(code, a, q.id, 0, T0 + 10)
    closed = s.state(code, T0 + 10, a)
    assert (closed.question.state, closed.question.counts, closed.my_choice) == (CLOSED, (0, 1, 2) + (0,) * (n - 3), 1)
    s.reveal(code, secret, q.id, T0 + 11)
    assert s.state(code, T0 + 11).question.state == REVEALED
    with pytest.raises(AnswerRejected):
        s.answer(code, c, q.id, 0, T0 + 11)

    assert s.again(code, secret, q.id, n, T0 + 12) == 2
    again = s.state(code, T0 + 12, a)
    assert again.question == RoundState(q.id, 2, OPEN, 0, (0,) * n) and again.my_choice is None
    s.answer(code, a, q.id, q.answer, T0 + 13)
    s.answer(code, b, q.id, q.answer, T0 + 13)
    first, second = s.rounds(code, q.id)
    assert first == RoundState(q.id, 1, REVEALED, 3, (0, 1, 2) + (0,) * (n - 3))
    assert second.round == 2 and second.state == OPEN and second.answered == 2 and second.counts[q.answer] == 2

    s.end(code, secret)
    assert [backend.rows(t, code) for t in TABLES] == [0, 0, 0, 0]
    with pytest.raises(UnknownClass):
        s.state(code, T0 + 14)
    assert not s.is_lecturer(code, secret)


def test_ending_one_class_leaves_the_others(backend: Backend) -> None:
    s = backend.store
    keep, keep_secret = s.create(T0)
    gone, gone_secret = s.create(T0)
    for code, secret in ((keep, keep_secret), (gone, gone_secret)):
        member = members_of(s, code, 1)[0]
        s.ask(code, secret, "q", 2, T0)
        s.answer(code, member, "q", 1, T0)
    s.end(gone, gone_secret)
    assert [backend.rows(t, keep) for t in TABLES] == [1, 1, 1, 1]
    assert [backend.rows(t, gone) for t in TABLES] == [0, 0, 0, 0]


def test_deleting_a_class_cascades_to_what_it_owns(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    member = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 2, T0)
    s.answer(code, member, "q", 0, T0)
    backend.sql("DELETE FROM classes WHERE code = :code", code=code)  # ON DELETE CASCADE, foreign keys on
    assert [backend.rows(t, code) for t in TABLES] == [0, 0, 0, 0]


# -- who may do what


def lecturer_calls(s: ClassStore, code: str, secret: object) -> list[Callable[[], object]]:
    """Every call only the lecturer may make, with `secret`."""
    return [
        lambda: s.publish(code, secret, VIEW, T0 + 1),  # type: ignore[arg-type]
        lambda: s.ask(code, secret, "q2", 3, T0 + 1),  # type: ignore[arg-type]
        lambda: s.close(code, secret, "q", T0 + 1),  # type: ignore[arg-type]
        lambda: s.reveal(code, secret, "q", T0 + 1),  # type: ignore[arg-type]
        lambda: s.again(code, secret, "q", 3, T0 + 1),  # type: ignore[arg-type]
        lambda: s.end(code, secret),  # type: ignore[arg-type]
    ]


def test_only_the_lecturers_secret_changes_the_class(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    _, other_secret = s.create(T0)
    student = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 3, T0)
    before = (s.state(code, T0 + 2, student), s.rounds(code, "q"))
    for wrong in ("", "x", other_secret, secret + "x", secret[:-1], secret.upper(), student, None, 123, b"x"):
        for call in lecturer_calls(s, code, wrong):
            with pytest.raises(NotLecturer):
                call()
        assert not s.is_lecturer(code, wrong)  # type: ignore[arg-type]
    assert (s.state(code, T0 + 2, student), s.rounds(code, "q")) == before
    with backend.engine.connect() as conn:  # only the hash is stored
        assert conn.execute(sa.text("SELECT lecturer_hash FROM classes WHERE code = :c"), {"c": code}).scalar_one() == (
            classroom.secret_hash(secret))
        dump = " ".join(str(v) for row in conn.execute(sa.text("SELECT * FROM classes")) for v in row)
    assert secret not in dump


def test_a_member_has_one_answer_per_round(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    a, b = members_of(s, code, 2)
    s.ask(code, secret, "q", 3, T0)
    for choice in (0, 2, 2, 1):
        s.answer(code, a, "q", choice, T0 + 1)
    s.answer(code, b, "q", 1, T0 + 1)
    state = s.state(code, T0 + 2, a)
    assert (state.question.answered, state.question.counts, state.my_choice) == (2, (0, 2, 0), 1)
    assert backend.rows("answers", code) == 2


@pytest.mark.parametrize("choice", [-1, 3, 99, True, False, 1.0, 1.5, "1", None, [1]])
def test_answers_must_be_a_choice_of_the_question(backend: Backend, choice: object) -> None:
    s = backend.store
    code, secret = s.create(T0)
    member = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 3, T0)
    with pytest.raises(AnswerRejected):
        s.answer(code, member, "q", choice, T0 + 1)  # type: ignore[arg-type]
    assert s.state(code, T0 + 1).question.answered == 0


def test_answers_come_from_members_of_the_class_to_an_open_round(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    other, _ = s.create(T0)
    outsider = members_of(s, other, 1)[0]
    member = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 2, T0)
    for who in (new_member_id(), outsider, "", "x" * 65, "no spaces", None):
        with pytest.raises(AnswerRejected):
            s.answer(code, who, "q", 0, T0 + 1)  # type: ignore[arg-type]
    for question in ("never_asked", "", None, "x" * 65):
        with pytest.raises(AnswerRejected):
            s.answer(code, member, question, 0, T0 + 1)  # type: ignore[arg-type]
    assert backend.rows("answers") == 0
    for bad in ("", "has space", None, "x" * 65):
        with pytest.raises(ValueError):
            s.join(code, bad, T0)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            s.seen(code, bad, T0)  # type: ignore[arg-type]
    for question, n in (("", 2), ("q q", 2), ("q", 0), ("q", 33), ("q", 2.0), ("q", True)):
        with pytest.raises(ValueError):
            s.ask(code, secret, question, n, T0)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            s.again(code, secret, question, n, T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not asked"):
        s.close(code, secret, "never_asked", T0)
    with pytest.raises(ValueError, match="not asked"):
        s.reveal(code, secret, "never_asked", T0)
    with pytest.raises(TypeError):
        s.publish(code, secret, {"page": "p"}, T0)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["ZZZZZZ", "AB", "abc-de0", "", None, 42])
def test_an_unknown_code_is_an_unknown_class(backend: Backend, code: Any) -> None:
    s = backend.store
    real, secret = s.create(T0)
    if code == "ZZZZZZ" and real == code:  # pragma: no cover - one chance in 887 million
        s.end(real, secret)
    member = new_member_id()
    calls: list[Callable[[], object]] = [
        lambda: s.join(code, member, T0), lambda: s.seen(code, member, T0), lambda: s.state(code, T0),
        lambda: s.state(code, T0, member), lambda: s.answer(code, member, "q", 0, T0), lambda: s.rounds(code, "q"),
        *lecturer_calls(s, code, secret),
    ]
    for call in calls:
        with pytest.raises(UnknownClass):
            call()
    assert not s.is_lecturer(code, secret)


def test_a_typed_code_is_normalised(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    typed = f" {code[:3].lower()}-{code[3:]} "
    s.join(typed, "m1", T0)
    assert s.state(typed, T0).present == 1 and s.is_lecturer(typed, secret)


# -- time: presence and expiry


def test_present_counts_members_seen_within_30_seconds(backend: Backend) -> None:
    s = backend.store
    code, _ = s.create(T0)
    a, _ = members_of(s, code, 2, T0)
    s.seen(code, a, T0 + 20)
    assert s.state(code, T0 + PRESENT_WITHIN).present == 2  # b seen exactly 30 s ago still counts
    assert s.state(code, T0 + PRESENT_WITHIN + 1).present == 1
    assert s.state(code, T0 + 20 + PRESENT_WITHIN + 1).present == 0
    s.seen(code, "late_comer", T0 + 60)  # a heartbeat of a member not yet joined joins it
    assert s.state(code, T0 + 61).present == 1 and backend.rows("members", code) == 3
    s.join(code, a, T0 + 61)  # joining again is harmless
    assert s.state(code, T0 + 61).present == 2 and backend.rows("members", code) == 3


def test_a_class_expires_after_12_hours_without_activity(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    member = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 2, T0)
    s.answer(code, member, "q", 1, T0)
    assert s.state(code, T0 + INACTIVE_AFTER - 1).question.answered == 1  # reading is not activity
    s.publish(code, secret, VIEW, T0 + 10 * HOUR)
    assert s.state(code, T0 + 10 * HOUR + INACTIVE_AFTER - 1).view == VIEW
    s.seen(code, member, T0 + 20 * HOUR)  # a student's heartbeat is activity too
    assert s.state(code, T0 + 20 * HOUR + INACTIVE_AFTER - TOUCH_EVERY - 1).present == 0
    with pytest.raises(UnknownClass, match="expired"):
        s.state(code, T0 + 20 * HOUR + INACTIVE_AFTER + 1)
    assert [backend.rows(t, code) for t in TABLES] == [0, 0, 0, 0]  # deleted, not only hidden
    with pytest.raises(UnknownClass):
        s.state(code, T0)


def test_an_expired_class_is_deleted_by_whoever_finds_it(backend: Backend) -> None:
    s = backend.store
    late = T0 + INACTIVE_AFTER + 1
    for call in (lambda c, k: s.publish(c, k, VIEW, late), lambda c, k: s.join(c, "m", late),
                 lambda c, k: s.answer(c, "m", "q", 0, late), lambda c, k: s.ask(c, k, "q", 2, late)):
        code, secret = s.create(T0)
        s.join(code, "m", T0)
        s.ask(code, secret, "q", 2, T0)
        with pytest.raises(UnknownClass):
            call(code, secret)
        assert [backend.rows(t, code) for t in TABLES] == [0, 0, 0, 0]


def test_purge_deletes_the_inactive_classes_create_and_join_purge(backend: Backend) -> None:
    s = backend.store
    old, old_secret = s.create(T0)
    s.ask(old, old_secret, "q", 2, T0)
    members_of(s, old, 2, T0)
    recent, _ = s.create(T0 + 5 * HOUR)
    assert s.purge(T0 + INACTIVE_AFTER) == 0
    assert s.purge(T0 + INACTIVE_AFTER + 1) == 1
    assert [backend.rows(t, old) for t in TABLES] == [0, 0, 0, 0]
    assert backend.rows("classes", recent) == 1
    s.create(T0 + 5 * HOUR + INACTIVE_AFTER + 1)  # purges `recent`
    assert backend.rows("classes", recent) == 0
    third, _ = s.create(T0 + 30 * HOUR)
    fourth, _ = s.create(T0 + 50 * HOUR)
    s.join(fourth, "m", T0 + 50 * HOUR)  # join purges too
    assert backend.rows("classes", third) == 0 and backend.rows("classes") == 1


# -- the version a student's poll watches


def test_the_version_changes_exactly_when_the_view_or_a_question_does(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    student = new_member_id()
    versions: list[int] = []

    def step(call: Callable[[], object]) -> None:
        call()
        versions.append(s.state(code, T0, student).version)

    step(lambda: s.join(code, student, T0))
    step(lambda: s.seen(code, student, T0))
    step(lambda: s.publish(code, secret, VIEW, T0))
    step(lambda: s.publish(code, secret, View(VIEW.page, dict(VIEW.values), VIEW.stop), T0))  # the same view
    step(lambda: s.publish(code, secret, View("app_pages/home.py", {}), T0))
    step(lambda: s.ask(code, secret, "q", 3, T0))
    step(lambda: s.ask(code, secret, "q", 3, T0))  # already current, round open: nothing changes
    step(lambda: s.answer(code, student, "q", 1, T0))
    step(lambda: s.answer(code, student, "q", 2, T0))
    step(lambda: s.ask(code, secret, "q2", 2, T0))  # another question becomes current
    step(lambda: s.ask(code, secret, "q", 3, T0))  # back to the first one
    step(lambda: s.close(code, secret, "q", T0))
    step(lambda: s.close(code, secret, "q", T0))  # already closed
    step(lambda: s.reveal(code, secret, "q", T0))
    step(lambda: s.reveal(code, secret, "q", T0))  # already revealed
    step(lambda: s.close(code, secret, "q", T0))  # a revealed round stays revealed
    step(lambda: s.again(code, secret, "q", 3, T0))
    step(lambda: s.answer(code, student, "q", 0, T0))
    step(lambda: s.seen(code, student, T0 + 1))
    with pytest.raises(NotLecturer):
        s.publish(code, "wrong", View("x", {}), T0)
    versions.append(s.state(code, T0, student).version)
    assert versions == [0, 0, 1, 1, 2, 3, 3, 3, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8]


# -- the room's state, shared by one process's sessions


def queries_of(engine: sa.Engine) -> list[str]:
    """The statements the engine runs from now on (a list that grows)."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_a_room_polling_at_once_costs_one_read(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    members_of(s, code, 3)
    s.publish(code, secret, VIEW, T0)
    s.ask(code, secret, "q", 3, T0)
    s.room_every = HOUR  # nothing goes stale during the test
    one = queries_of(backend.engine)
    s.state(code, T0)
    per_state = len(one)
    counted = queries_of(backend.engine)
    with ThreadPoolExecutor(16) as pool:  # 40 students' polls at once
        states = list(pool.map(lambda _: s.room_state(code, T0), range(40)))
    assert len(counted) == per_state  # one read for all of them
    assert all(state == s.state(code, T0) for state in states)
    assert states[0].view == VIEW and states[0].present == 3 and states[0].my_choice is None


def test_the_room_sees_a_change_made_here_at_once_and_one_made_elsewhere_when_its_copy_is_stale(
        backend: Backend) -> None:  # fmt: skip
    here, elsewhere = backend.store, ClassStore(backend.engine)  # elsewhere: another server process
    code, secret = here.create(T0)
    student = new_member_id()
    here.join(code, student, T0)
    here.room_every = HOUR
    assert here.room_state(code, T0).view is None
    here.publish(code, secret, VIEW, T0)
    assert here.room_state(code, T0).view == VIEW  # this store's writes are seen at once
    here.ask(code, secret, "q", 3, T0)
    assert here.room_state(code, T0).question.answered == 0
    assert here.answer(code, student, "q", 2, T0) == 1  # the round it landed in
    assert here.room_state(code, T0).question.counts == (0, 0, 1)
    elsewhere.close(code, secret, "q", T0)
    assert here.room_state(code, T0).question.state == OPEN  # another process's change: not before the copy is stale
    here.room_every = 0.0
    assert here.room_state(code, T0).question.state == CLOSED
    elsewhere.end(code, secret)
    with pytest.raises(UnknownClass):
        here.room_state(code, T0)
    here.room_every = HOUR
    with pytest.raises(UnknownClass):  # the error is shared too, as a new exception each time
        here.room_state(code, T0)
    with pytest.raises(UnknownClass):
        here.room_state("not a code", T0)


def test_ask_keeps_the_current_round_and_again_opens_a_new_one(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    a, b = members_of(s, code, 2)
    assert s.ask(code, secret, "q", 2, T0) == 1
    s.answer(code, a, "q", 0, T0)
    s.close(code, secret, "q", T0)
    assert s.ask(code, secret, "q", 4, T0) == 1  # asked again by going back: round 1 stays closed, 2 choices
    assert s.state(code, T0).question == RoundState("q", 1, CLOSED, 1, (1, 0))
    assert s.again(code, secret, "q", 4, T0) == 2  # a new round may have other choices
    s.answer(code, b, "q", 3, T0)
    assert s.again(code, secret, "q", 4, T0) == 3  # round 2 was open: it is closed, and kept
    assert s.rounds(code, "q") == [RoundState("q", 1, CLOSED, 1, (1, 0)), RoundState("q", 2, CLOSED, 1, (0, 0, 0, 1)),
                                   RoundState("q", 3, OPEN, 0, (0, 0, 0, 0))]
    assert s.again(code, secret, "fresh", 2, T0) == 1  # again on a question never asked: its round 1
    assert s.state(code, T0).question == RoundState("fresh", 1, OPEN, 0, (0, 0))
    assert s.rounds(code, "nothing") == []


def test_a_round_can_be_revealed_straight_from_open(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    member = members_of(s, code, 1)[0]
    s.ask(code, secret, "q", 2, T0)
    s.answer(code, member, "q", 1, T0)
    s.reveal(code, secret, "q", T0)
    assert s.state(code, T0, member).question == RoundState("q", 1, REVEALED, 1, (0, 1))


def test_a_view_the_app_did_not_write_is_shown_as_none(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    s.publish(code, secret, VIEW, T0)
    backend.sql("UPDATE classes SET view_json = :v WHERE code = :c", v='{"page": ["hostile"]}', c=code)
    assert s.state(code, T0).view is None


# -- many writers


def test_forty_students_answer_at_once(backend: Backend) -> None:
    s = backend.store
    code, secret = s.create(T0)
    s.ask(code, secret, "q", 4, T0)

    def student(i: int) -> int | None:
        member = new_member_id()
        s.join(code, member, T0)
        s.answer(code, member, "q", i % 4, T0)
        s.answer(code, member, "q", (i + 1) % 4, T0)
        return s.state(code, T0, member).my_choice

    with ThreadPoolExecutor(max_workers=12) as pool:
        mine = list(pool.map(student, range(40)))
    assert mine == [(i + 1) % 4 for i in range(40)]
    assert s.state(code, T0).question.counts == (10, 10, 10, 10)


def test_students_answer_while_the_lecturer_closes_and_asks_again(backend: Backend) -> None:
    """No deadlock, and no answer lands in a round after it closed."""
    s = backend.store
    code, secret = s.create(T0)
    students = members_of(s, code, 8)
    s.ask(code, secret, "q", 3, T0)
    done = threading.Event()
    accepted: list[int] = []
    at_close: list[int] = []  # how many had answered each round when it closed

    def student(member: str) -> None:
        i = 0
        while not done.is_set():
            try:
                s.answer(code, member, "q", i % 3, T0 + i)  # later and later: the touch of last_active runs too
                accepted.append(1)
            except AnswerRejected:
                pass  # the round was closed or revealed just then
            i += 1
            time.sleep(0.005)  # a keen student, not a tight loop: a saturated SQLite starves writers (busy timeout)

    with ThreadPoolExecutor(len(students)) as pool:
        running = [pool.submit(student, m) for m in students]
        try:
            for round_number in range(2, 12):
                s.close(code, secret, "q", T0)
                at_close.append(s.rounds(code, "q")[-1].answered)
                s.reveal(code, secret, "q", T0)
                assert s.again(code, secret, "q", 3, T0) == round_number
                s.publish(code, secret, View("p", {"round": round_number}), T0)
        finally:
            done.set()
        for future in running:
            future.result()  # re-raises a ClassUnavailable (a deadlock, a lock timeout) of a student
    history = s.rounds(code, "q")
    assert [r.round for r in history] == list(range(1, 12))
    assert [r.answered for r in history[:-1]] == at_close  # nothing landed in a round after it closed
    assert all(r.answered <= len(students) for r in history)
    assert accepted and backend.rows("answers", code) == sum(r.answered for r in history)


def test_a_code_collision_is_retried(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(classroom, "new_code", lambda: next(codes))
    s = backend.store
    assert s.create(T0)[0] == "AAAAAA"
    assert s.create(T0)[0] == "BBBBBB"
    monkeypatch.setattr(classroom, "new_code", lambda: "AAAAAA")
    with pytest.raises(ClassUnavailable, match="no free class code"):
        s.create(T0)


# -- the schema


def test_migrate_makes_the_schema_once(fresh: Backend) -> None:
    assert fresh.store.schema_version() == 0
    fresh.store.migrate()
    fresh.store.migrate()
    assert fresh.store.schema_version() == len(class_store.MIGRATIONS) == 1
    assert fresh.rows("schema_version") == 1
    inspector = sa.inspect(fresh.engine)
    for table in (class_store.classes, class_store.members, class_store.rounds, class_store.answers):
        assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
        assert inspector.get_pk_constraint(table.name)["constrained_columns"] == [c.name for c in table.primary_key]
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("answers")} == {"rounds", "members"}
    assert any(ix["name"] == "ix_classes_last_active" for ix in inspector.get_indexes("classes"))


def test_migrate_upgrades_an_older_schema_and_keeps_the_data(fresh: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh.store.migrate()
    code, _ = fresh.store.create(T0)
    step = ("CREATE INDEX ix_members_seen ON members (code, last_seen)",)
    monkeypatch.setattr(class_store, "MIGRATIONS", (*class_store.MIGRATIONS, step))
    fresh.store.migrate()
    fresh.store.migrate()
    assert fresh.store.schema_version() == 2 and fresh.rows("schema_version") == 2
    assert any(ix["name"] == "ix_members_seen" for ix in sa.inspect(fresh.engine).get_indexes("members"))
    assert fresh.store.state(code, T0).code == code


def test_a_schema_newer_than_the_app_is_unavailable(backend: Backend) -> None:
    backend.sql("INSERT INTO schema_version (version, applied) VALUES (99, 0)")
    with pytest.raises(ClassUnavailable, match="schema version 99"):
        backend.store.migrate()


def test_migrations_at_once_from_many_connections(fresh: Backend) -> None:
    engines = [engine_for(fresh.url, busy_timeout=30) for _ in range(6)]
    barrier = threading.Barrier(len(engines))

    def migrate(engine: sa.Engine) -> int:
        store = ClassStore(engine)
        barrier.wait(timeout=30)
        store.migrate()
        return store.schema_version()

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            assert list(pool.map(migrate, engines)) == [1] * len(engines)
    finally:
        for engine in engines:
            engine.dispose()
    assert fresh.rows("schema_version") == 1


def test_a_database_without_the_schema_is_unavailable(fresh: Backend) -> None:
    with pytest.raises(ClassUnavailable, match="unavailable"):
        fresh.store.create(T0)
    with pytest.raises(ClassUnavailable):
        fresh.store.state("ABCDEF", T0)


# -- SQLite: WAL, pragmas on any engine, several processes


def sqlite_url(tmp_path: Path, name: str = "classroom.sqlite3") -> str:
    return f"sqlite:///{tmp_path / name}"


def pragmas(conn: sa.Connection) -> tuple[str, int, int]:
    return tuple(conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "foreign_keys", "busy_timeout"))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = engine_for(sqlite_url(tmp_path), busy_timeout=2.5)
    try:
        ClassStore(engine).migrate()
        with engine.connect() as conn:
            assert pragmas(conn) == ("wal", 1, 2500)
        assert (tmp_path / "classroom.sqlite3-wal").exists()
    finally:
        engine.dispose()


def test_an_engine_made_elsewhere_gets_the_pragmas(tmp_path: Path) -> None:
    engine = sa.create_engine(sqlite_url(tmp_path))  # as st.connection makes it: no listeners of ours
    with engine.connect() as conn:  # a connection now in the pool, made without the pragmas
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    held = engine.connect()  # and one checked out while the store is made
    try:
        listeners = len(engine.pool.dispatch.connect)  # SQLAlchemy's own
        store = ClassStore(engine)
        ClassStore(engine)  # a second store (a rerun) adds nothing
        assert len(engine.pool.dispatch.connect) == listeners + 1
        store.migrate()
        with engine.connect() as conn:
            assert pragmas(conn)[:2] == ("wal", 1)
        code, _ = store.create(T0)
        assert store.state(code, T0).code == code
    finally:
        held.close()
    with engine.connect() as conn:  # the connection held across the change was not put back in the pool
        assert pragmas(conn)[:2] == ("wal", 1)
    engine.dispose()


def test_streamlits_sql_connection_engine_works(tmp_path: Path) -> None:
    from streamlit.connections import SQLConnection

    connection = SQLConnection("classroom", url=sqlite_url(tmp_path))
    store = ClassStore(connection.engine)
    store.migrate()
    code, secret = store.create(T0)
    store.join(code, "m", T0)
    store.ask(code, secret, "q", 2, T0)
    store.answer(code, "m", "q", 1, T0)
    assert store.state(code, T0, "m").my_choice == 1
    with connection.engine.connect() as conn:
        assert pragmas(conn)[:2] == ("wal", 1)
    connection.engine.dispose()


def _process_migrates_and_writes(url: str, barrier: Any, results: Any) -> None:
    """In a spawned process: migrate the (new) file together with the others, then make a class and fill it."""
    try:
        store = ClassStore(engine_for(url, busy_timeout=30))
        barrier.wait(timeout=60)
        store.migrate()
        code, secret = store.create(T0)
        store.ask(code, secret, "q", 4, T0)
        for i in range(20):
            member = new_member_id()
            store.join(code, member, T0)
            store.answer(code, member, "q", i % 4, T0)
        results.put(("ok", code))
    except Exception as e:  # noqa: BLE001 - reported to the parent, which fails the test with it
        results.put(("error", repr(e)))


def _process_answers(url: str, barrier: Any, results: Any, code: str) -> None:
    """In a spawned process: 20 students join the shared class and answer, together with the other processes."""
    try:
        store = ClassStore(engine_for(url, busy_timeout=30))
        barrier.wait(timeout=60)
        for i in range(20):
            member = new_member_id()
            store.join(code, member, T0)
            store.answer(code, member, "q", i % 2, T0)
            store.state(code, T0, member)
        results.put(("ok", code))
    except Exception as e:  # noqa: BLE001 - as above
        results.put(("error", repr(e)))


def run_processes(target: Callable[..., None], n: int, *args: Any) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(n), context.Queue()
    processes = [context.Process(target=target, args=(*args[:1], barrier, results, *args[1:])) for _ in range(n)]
    for p in processes:
        p.start()
    try:
        outcomes = [results.get(timeout=180) for _ in processes]
    finally:
        for p in processes:
            p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * n
    assert [kind for kind, _ in outcomes] == ["ok"] * n, outcomes
    return [value for _, value in outcomes]


def test_processes_migrate_and_write_the_same_sqlite_file_at_once(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    codes = run_processes(_process_migrates_and_writes, 6, url)  # six processes open a new file at once
    engine = engine_for(url)
    store = ClassStore(engine)
    try:
        assert store.schema_version() == 1 and len(set(codes)) == 6
        for code in codes:
            assert store.state(code, T0).question.counts == (5, 5, 5, 5)
        code, secret = store.create(T0)
        store.ask(code, secret, "q", 2, T0)
        run_processes(_process_answers, 4, url, code)
        state = store.state(code, T0)
        assert (state.present, state.question.counts) == (80, (40, 40))
    finally:
        engine.dispose()


# -- databases that are down, locked or misconfigured


def every_public_call(s: ClassStore) -> dict[str, Callable[[], object]]:
    code = "ABCDEF"
    return {
        "migrate": s.migrate, "create": lambda: s.create(T0), "is_lecturer": lambda: s.is_lecturer(code, "secret"),
        "join": lambda: s.join(code, "m", T0), "seen": lambda: s.seen(code, "m", T0),
        "state": lambda: s.state(code, T0, "m"), "room_state": lambda: s.room_state(code, T0), "publish": lambda: s.publish(code, "secret", VIEW, T0),
        "ask": lambda: s.ask(code, "secret", "q", 2, T0), "close": lambda: s.close(code, "secret", "q", T0),
        "reveal": lambda: s.reveal(code, "secret", "q", T0), "again": lambda: s.again(code, "secret", "q", 2, T0),
        "answer": lambda: s.answer(code, "m", "q", 0, T0), "rounds": lambda: s.rounds(code, "q"),
        "end": lambda: s.end(code, "secret"), "purge": lambda: s.purge(T0),
        "schema_version": s.schema_version,
    }


def assert_all_unavailable(store: ClassStore, within: float) -> None:
    for name, call in every_public_call(store).items():
        start = time.monotonic()
        with pytest.raises(ClassUnavailable) as caught:
            call()
        message = str(caught.value)
        assert message.startswith("the class database is unavailable") and "Traceback" not in message, name
        assert len(message) < 400, name
        assert time.monotonic() - start < within, name


def test_an_unreachable_postgresql_server_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    engine = engine_for(f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing")
    assert engine.pool._pre_ping  # type: ignore[attr-defined]
    assert_all_unavailable(ClassStore(engine), within=5)
    engine.dispose()


def test_a_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    engine = engine_for(sqlite_url(tmp_path / "no" / "such" / "folder"))
    assert_all_unavailable(ClassStore(engine), within=5)
    engine.dispose()


def test_a_locked_sqlite_database_is_unavailable_to_writers_but_readable(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    engine = engine_for(url, busy_timeout=0.2)
    store = ClassStore(engine)
    store.migrate()
    code, secret = store.create(T0)
    store.join(code, "m", T0)
    store.ask(code, secret, "q", 2, T0)
    locker = sqlite3.connect(tmp_path / "classroom.sqlite3", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock and does not let go
    try:
        writes = {"create": lambda: store.create(T0), "join": lambda: store.join(code, "n", T0),
                  "answer": lambda: store.answer(code, "m", "q", 1, T0),
                  "publish": lambda: store.publish(code, secret, VIEW, T0),
                  "close": lambda: store.close(code, secret, "q", T0), "end": lambda: store.end(code, secret)}
        for name, call in writes.items():
            start = time.monotonic()
            with pytest.raises(ClassUnavailable, match="locked"):
                call()
            assert 0.15 < time.monotonic() - start < 3, name  # waited for the busy timeout, then gave up
        assert store.state(code, T0, "m").question.state == OPEN  # WAL: reading goes on under the lock
        assert store.is_lecturer(code, secret)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    store.answer(code, "m", "q", 1, T0)  # and all is well once the lock is gone
    assert store.state(code, T0, "m").my_choice == 1
    engine.dispose()


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x", "postgresql+nosuchdriver://x/y"])
def test_an_unusable_url_is_unavailable(url: str) -> None:
    with pytest.raises(ClassUnavailable, match="no class database"):
        engine_for(url)


def test_postgresql_engines_have_short_timeouts_and_keep_the_urls_options(postgres_url: str) -> None:
    url = sa.make_url(postgres_url).update_query_dict({"options": "-capplication_name=explorer-test"})
    engine = engine_for(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "15s"
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "explorer-test"
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EXPLORER_DATABASE_URL", "postgresql+psycopg://db.example/classroom")
    assert default_url() == "postgresql+psycopg://db.example/classroom"
    monkeypatch.delenv("EXPLORER_DATABASE_URL")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    url = default_url()
    assert url == f"sqlite:///{tmp_path / 'cache' / 'classification-explorer' / 'classroom.sqlite3'}"
    assert (tmp_path / "cache" / "classification-explorer").is_dir()
    engine = engine_for(url)
    ClassStore(engine).migrate()
    engine.dispose()
