"""The live class in a session: start one (the lecturer), join it by QR code (students), follow the lecturer's view,
answer the room's questions. What sessions share lives in the database (`ui.class_store`); this module binds it to
one session and draws it.

A session is the lecturer of a class when it holds the class's secret (from "Start a class", or the private lecturer
link ``?class=CODE&teach=SECRET``, whose secret is taken out of the address bar at once). A session that opens
``?class=CODE`` joins as an anonymous student. A student's view polls the class once a second (a light fragment that
reads a copy of the class's state shared by the process's students, `ClassStore.room_state`) and reruns the page
only when the lecturer's view or a question changed (`ClassState.version`); those reruns, a whole room's within the
same second of a Next, take turns (`turn`).

The database is never required: when it cannot be reached every class feature says so and the rest of the app works.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.session_state_proxy import get_session_state

from core.classroom import CLOSED, OPEN, REVEALED, RateLimiter, Turns, View, new_member_id, normalise_code
from core.lecture import QUESTIONS, Question
from ui import charts, layout
from ui.class_store import (
    URL_ENV,
    AnswerRejected,
    ClassStore,
    ClassUnavailable,
    NotLecturer,
    RoundState,
    UnknownClass,
    default_url,
    engine_for,
)
from ui.links import PUBLIC_URL_ENV, app_url, qr_png
from ui.navigation import all_pages

CODE_PARAM = "class"  # ?class=CODE: the join link
TEACH_PARAM = "teach"  # ?teach=SECRET: the lecturer link (removed from the address bar once read)
POLL_SECONDS = 1.0  # how often a student's view and the projector's counts look at the class
SEEN_EVERY = 10.0  # seconds between two "still here" marks of a member (PRESENT_WITHIN is 30 s)
LETTERS = "ABCD"
PAGE_PATHS = frozenset(p.path for p in all_pages())  # the pages a lecturer's view may name

_CODE, _SECRET, _MEMBER = "class_code", "class_secret", "class_member"
_FOLLOW = "class_follow"  # the student's "Follow the lecturer" toggle
_VERSION = "_class_version"  # the ClassState.version this session last acted on
_PENDING = "_class_pending"  # a lecturer's view to apply at the start of the next run
_PUBLISHED = "_class_published"  # the lecturer's view as last published (JSON)
_SEEN = "_class_seen"  # when this member last marked itself present
_MESSAGE = "_class_message"  # a notice for the sidebar (the class ended, a code was wrong, …) until a run completes
_ANSWER_NOTICE = "_class_answer_notice"  # why a student's answer was not taken, for the question box
_MINE = "_class_mine"  # the student's answer the class took: {(question id, round): choice}
_STATE = "_class_state"  # the class's state as the student's poll last read it
_LIMITS = "_class_limits"  # this session's rate limiters
_SCROLL = "_class_scroll"  # the lecturer's stop a student last followed: its section is scrolled into view


# ---- the store ----------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> ClassStore:
    """The process's store on the class database at ``url``, its schema made or upgraded once."""
    store = ClassStore(engine_for(url))
    store.migrate()
    return store


def database_url() -> str:
    """Where classes live: ``EXPLORER_DATABASE_URL``; else ``url`` in .streamlit/secrets.toml's
    ``[connections.classroom]`` (the section `st.connection("classroom", type="sql")` reads); else a SQLite file in
    the user cache folder, which several processes on one machine share."""
    if os.environ.get(URL_ENV, "").strip():
        return default_url()
    return _secrets_url() or default_url()


SECRETS_EVERY = 30.0  # seconds between two readings of the secrets' URL (a new secrets.toml counts within that)
_secrets: tuple[float, str | None] | None = None  # when the secrets' URL was last read, and what it was


def _secrets_url() -> str | None:
    """The secrets' ``[connections.classroom] url``, read at most every `SECRETS_EVERY` seconds: without a secrets
    file Streamlit searches for one, under a lock, on every lookup, and every student's poll looks."""
    global _secrets
    if _secrets is None or time.monotonic() - _secrets[0] >= SECRETS_EVERY:
        try:
            url = st.secrets.get("connections", {}).get("classroom", {}).get("url")
        except (FileNotFoundError, AttributeError):  # no secrets file, or a section that is not a table
            url = None
        _secrets = (time.monotonic(), str(url) if url else None)
    return _secrets[1]


RETRY_AFTER = 30.0  # seconds a failed connection is not tried again (a connect timeout would slow every run)
_failed: tuple[float, str] | None = None  # when the class database last could not be reached, and why


def store() -> ClassStore:
    """The class store; `ClassUnavailable` when the database cannot be reached (the caller says so, the app goes on)."""
    global _failed
    if _failed is not None and time.monotonic() - _failed[0] < RETRY_AFTER:
        raise ClassUnavailable(_failed[1])
    try:
        result = _store_for(database_url())
    except ClassUnavailable as exc:
        _failed = (time.monotonic(), str(exc))
        raise
    _failed = None
    return result


def unavailable(exc: ClassUnavailable) -> None:
    """The one message when the class database cannot be used: the class pauses, the rest of the app works."""
    st.warning(f"Class features are unavailable right now: the class database cannot be reached ({exc}). The rest of "
               "the app works as usual; your class comes back when the database does.", icon="📡")  # fmt: skip


# ---- this session's part in a class ---------------------------------------------------------------------------


def code() -> str | None:
    """The code of the class this session is in, or None."""
    return st.session_state.get(_CODE)


def is_lecturer() -> bool:
    """Whether this session drives its class (it holds the class's secret)."""
    return code() is not None and st.session_state.get(_SECRET) is not None


def _limit(name: str, capacity: int, per_second: float) -> bool:
    """Whether this session may do ``name`` now (joining, answering): a token bucket per session."""
    limits: dict[str, RateLimiter] = st.session_state.setdefault(_LIMITS, {})
    return limits.setdefault(name, RateLimiter(capacity, per_second)).allow(time.monotonic())


def _leave(message: str | None = None) -> None:
    for key in (_CODE, _SECRET, _MEMBER, _VERSION, _PENDING, _PUBLISHED, _SEEN, _SCROLL, _MINE, _STATE):
        st.session_state.pop(key, None)
    if message:
        st.session_state[_MESSAGE] = message
    if CODE_PARAM in st.query_params:
        del st.query_params[CODE_PARAM]


def start() -> None:
    """Callback of "Start a class": a new class with this session as its lecturer; the join code opens large."""
    try:
        new, secret = store().create(time.time())
    except ClassUnavailable as exc:
        st.session_state[_MESSAGE] = f"A class cannot be started now: the class database cannot be reached ({exc})."
        return
    _leave()
    st.session_state.update({_CODE: new, _SECRET: secret, "_class_show_join": True})
    st.query_params[CODE_PARAM] = new


def end() -> None:
    """Callback of "End the class": the class and every answer are deleted."""
    try:
        store().end(code(), st.session_state[_SECRET])
    except (ClassUnavailable, UnknownClass, NotLecturer):
        pass  # gone already, or not ours: either way this session leaves it
    _leave("The class has ended; its answers are deleted.")


def join(typed: object) -> None:
    """Join the class with this code as a student (the URL's ``?class=``, or a code typed in the sidebar)."""
    normal = normalise_code(typed)
    if normal is None:
        _leave("That is not a class code: a code is 6 letters and digits, like K7MQ2P. Check it with your lecturer.")
        return
    if not _limit("join", 5, 0.2):
        st.session_state[_MESSAGE] = "Too many attempts to join: wait a few seconds, then try again."
        return
    member = st.session_state.get(_MEMBER) if code() == normal else None
    member = member or new_member_id()
    try:
        store().join(normal, member, time.time())
    except UnknownClass:
        _leave(f"No class with the code {normal} is running: it may have ended. Check the code with your lecturer.")
        return
    except ClassUnavailable as exc:
        st.session_state[_MESSAGE] = f"The class cannot be joined now: the class database cannot be reached ({exc})."
        return
    st.session_state.update({_CODE: normal, _MEMBER: member, _SEEN: time.monotonic()})
    st.session_state.setdefault(_FOLLOW, True)
    st.session_state.pop(_SECRET, None)
    st.session_state.pop(_VERSION, None)  # the next poll applies the lecturer's view


def _join_typed() -> None:
    join(st.session_state.get("class_join_code", ""))


def catch_up() -> None:
    """Callback of "Catch up": show the lecturer's current view once, even when not following."""
    st.session_state.pop(_VERSION, None)
    st.session_state["_class_catch_up"] = True


# ---- the address: ?class=CODE (students) and ?teach=SECRET (the lecturer's private link) ------------------------


def seed_from_url() -> None:
    """At the start of each run: join the class in ``?class=`` (as its lecturer with ``?teach=``), once."""
    wanted = st.query_params.get(CODE_PARAM)
    secret = st.query_params.get(TEACH_PARAM)
    if secret is not None:
        del st.query_params[TEACH_PARAM]  # never left in the address bar on a projector
    if wanted is None or (code() is not None and normalise_code(wanted) == code() and secret is None):
        return
    normal = normalise_code(wanted)
    if secret is not None and normal is not None:
        try:
            if store().is_lecturer(normal, secret):
                _leave()
                st.session_state.update({_CODE: normal, _SECRET: secret})
                st.query_params[CODE_PARAM] = normal
                return
        except (ClassUnavailable, UnknownClass):
            pass
        st.session_state[_MESSAGE] = "This lecturer link is not valid (or its class has ended): joined as a student."
    join(wanted)


# ---- following: the lecturer's view is its page, stop and every URL-bound control of the page ---------------------


def _jsonable(value: Any) -> Any:
    """A control's value as JSON data (tuples as lists), or raise TypeError."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    raise TypeError(type(value).__name__)


def current_view(page_path: str, stop: int | None) -> View:
    """The view this session shows: the page, the lecture stop, and the value of each control of the page that is
    bound to the URL (exactly what a shared link carries)."""
    ctx = get_script_run_ctx()
    page_hash = ctx.page_script_hash if ctx is not None else ""
    values: dict[str, Any] = {}
    with get_session_state().query_params() as params:
        for key in list(st.session_state):
            binding = params.get_binding_for_param(key) if isinstance(key, str) else None
            if binding is None or binding.script_hash != page_hash:
                continue
            try:
                values[key] = _jsonable(st.session_state[key])
            except TypeError:
                continue
    return View(page_path, values, stop)


def publish(page_path: str, stop: int | None) -> None:
    """The lecturer's run: publish the view when it changed (students' polls pick it up within a second)."""
    if not is_lecturer():
        return
    try:
        view = current_view(page_path, stop)
    except ValueError:  # more controls than a view holds (View's limits): students keep the last view
        return
    if view.to_json() == st.session_state.get(_PUBLISHED):
        return
    try:
        store().publish(code(), st.session_state[_SECRET], view, time.time())
    except ClassUnavailable:
        return  # the panel says so; the next run tries again
    except (UnknownClass, NotLecturer):
        _leave("Your class has ended (it was ended elsewhere, or inactive for 12 hours).")
        return
    st.session_state[_PUBLISHED] = view.to_json()


TURNS = Turns(2, wait=10.0)  # runs following a lecturer's change that a process runs at once


@contextmanager
def turn() -> Iterator[None]:
    """Around a run: when it applies the lecturer's change (a student's poll found one), wait for one of `TURNS`
    places. A Next makes every student of the room rerun within a second; on one interpreter lock N runs at once
    each end after about N runs' time, while in turn the first end after one, and the polls of the students yet to
    notice the change are not held up by them."""
    if _PENDING not in st.session_state:
        yield
        return
    with TURNS.turn():
        yield


def follow(pages: Mapping[str, st.Page], page: st.Page) -> None:
    """A student's run: apply the lecturer's view the poll found (its controls, then its page)."""
    view: View | None = st.session_state.pop(_PENDING, None)
    if view is None or view.page not in pages:
        return
    for key, value in view.values.items():
        st.session_state[key] = value
    if view.stop is not None:
        st.session_state[_SCROLL] = view.stop
    target = pages[view.page]
    if target.url_path != page.url_path:
        st.switch_page(target, query_params={CODE_PARAM: code()})


def done() -> None:
    """The end of a completed run: its sidebar notice has been seen."""
    st.session_state.pop(_MESSAGE, None)


def followed_stop() -> int | None:
    """The lecturer's stop a student last followed, so that the page brings its section into view (drawn on every
    run: the page scrolls once per stop, and only after the page around the section has rendered)."""
    return st.session_state.get(_SCROLL) if code() is not None and not is_lecturer() else None


# ---- what each side sees ---------------------------------------------------------------------------------------


@st.dialog("Join the class", width="large")
def join_dialog() -> None:
    """The projector's join screen: the code, the join URL and its QR code, large."""
    url, reachable = app_url([(CODE_PARAM, code())], home=True)
    st.html("<style>.st-key-class_qr img { max-height: 60vh; width: auto !important; max-width: 100%; }"
            ".st-key-class_code_big p { font-size: 3.2rem; font-weight: 700; letter-spacing: 0.3rem; }</style>")  # fmt: skip
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left.container(key="class_qr"):
        st.image(qr_png(url), alt=f"QR code to join class {code()}: {url}")
    with right:
        st.markdown("Scan the code, or open")
        st.code(url, language=None, wrap_lines=True)
        st.markdown("and enter the class code")
        with st.container(key="class_code_big"):
            st.markdown(code())
        st.caption("No account and no name: students are anonymous.")
        if not reachable:
            st.warning(f"This address only works on this computer: start the app with {PUBLIC_URL_ENV}=http://"
                       "ADDRESS:PORT (the address students can reach) so that the code points there.")  # fmt: skip
    if is_lecturer():
        with st.expander("Your private lecturer link (to reopen this class on another device)"):
            st.code(app_url([(CODE_PARAM, code()), (TEACH_PARAM, st.session_state[_SECRET])], home=True)[0],
                    language=None, wrap_lines=True)  # fmt: skip
            st.caption("Whoever has this link can drive the class: do not show it on the projector.")


def sidebar() -> None:
    """The sidebar's "Live class" section: start (lecture mode), join with a code, follow, catch up, leave, end."""
    st.subheader("Live class")
    message = st.session_state.get(_MESSAGE)  # kept until a run completes (`done`): a poll may restart this one
    if message:
        st.info(message)
    if code() is None:
        if layout.is_lecture():
            st.button("Start a class", key="class_start", on_click=start, type="primary",
                      help="Students join by a QR code, follow your view and answer the questions.")  # fmt: skip
        with st.form("class_join", border=False):
            st.text_input("Class code", key="class_join_code", max_chars=12, placeholder="e.g. K7MQ2P")
            st.form_submit_button("Join", on_click=_join_typed)
        return
    if is_lecturer():
        st.markdown(f"You are teaching class **{code()}**.")
        if st.button("Join code and QR", key="class_show"):
            join_dialog()
        st.button("End the class", key="class_end", on_click=end,
                  help="Deletes the class and every answer; students go back to exploring on their own.")  # fmt: skip
        return
    st.markdown(f"In class **{code()}**.")
    st.toggle("Follow the lecturer", key=_FOLLOW, help="Off: explore on your own; Catch up returns to the lecturer.")
    st.button("Catch up", key="class_catch_up", on_click=catch_up, disabled=st.session_state.get(_FOLLOW, True))
    st.button("Leave the class", key="class_leave", on_click=_leave, args=("You left the class.",))


def panel(page_path: str, stop: int | None) -> None:
    """Above the page: the lecturer's counts (students present, answers) or the student's poll; opens the join
    dialog right after "Start a class"."""
    if code() is None:
        return
    if st.session_state.pop("_class_show_join", False):
        join_dialog()
    if is_lecturer():
        _lecturer_bar(page_path, stop)
    else:
        _student_poll(page_path)


@st.fragment(run_every=POLL_SECONDS)
def _lecturer_bar(page_path: str, stop: int | None) -> None:
    publish(page_path, stop)  # also here: a control inside a page's fragment changes the view without a full run
    try:
        state = store().room_state(code(), time.time())
    except ClassUnavailable as exc:
        unavailable(exc)
        return
    except UnknownClass:
        _leave("Your class has ended (it was ended elsewhere, or inactive for 12 hours).")
        st.rerun()
    asked = ""
    if state.question is not None and state.question.state != REVEALED:
        q = state.question
        asked = f" · **{q.answered} of {state.present}** answered" + (" (closed)" if q.state == CLOSED else "")
    with st.container(key="class_bar", horizontal=True, vertical_alignment="center"):
        st.markdown(f"Class **{state.code}** · 👥 **{state.present}** present{asked}")


@st.fragment(run_every=POLL_SECONDS)
def _student_poll(page_path: str) -> None:
    """Every second: mark the student present (every `SEEN_EVERY` s) and read the class's state (shared by the
    process's students, `ClassStore.room_state`); when the lecturer changed something, rerun the page with the
    lecturer's view, starting on the lecturer's page if it is another one (one run, not a run and a switch)."""
    now = time.time()
    try:
        s = store()
        if time.monotonic() - st.session_state.get(_SEEN, 0.0) > SEEN_EVERY:
            s.seen(code(), st.session_state.get(_MEMBER), now)
            st.session_state[_SEEN] = time.monotonic()
        state = s.room_state(code(), now)
    except ClassUnavailable as exc:
        unavailable(exc)
        return
    except UnknownClass:
        _leave("The class has ended: explore on your own.")
        st.rerun()
    following = st.session_state.get(_FOLLOW, True) or st.session_state.pop("_class_catch_up", False)
    st.session_state[_STATE] = state
    if state.version != st.session_state.get(_VERSION):
        st.session_state[_VERSION] = state.version
        if following and state.view is not None:
            st.session_state[_PENDING] = state.view
            if state.view.page != page_path and state.view.page in PAGE_PATHS:
                st.switch_page(state.view.page, query_params={CODE_PARAM: code()})
        st.rerun(scope="app")
    where = f" · stop {state.view.stop}" if state.view and state.view.stop else ""
    st.caption(f"Class {state.code}{where} · " + ("following the lecturer" if st.session_state.get(_FOLLOW, True)
                                                   else "exploring on your own"))  # fmt: skip


# Static code; the round's name is passed as JSON.
_QUESTION_JS = """<script>
(() => {
  const round = %s;
  if (window.__explorerRound === round) return;
  const go = (tries) => {
    const box = document.querySelector(".st-key-class_question");
    if (box) {  // just below Streamlit's header
      window.__explorerRound = round;
      const scroller = box.closest('[data-testid="stMain"]') || document.scrollingElement;
      scroller.scrollBy({top: box.getBoundingClientRect().top - 70});
    }
    else if (tries < 30) setTimeout(() => go(tries + 1), 100);
  };
  go(0);
})();
</script>"""


# ---- the room's questions ----------------------------------------------------------------------------------------


def _rounds_figure(question: Question, rounds: list[RoundState]) -> None:
    """The room's answers of each revealed round side by side, the right answer marked."""
    shown = [r for r in rounds if r.state == REVEALED]
    if not shown:
        return
    series = [(f"round {r.round}" if len(shown) > 1 else "the room", list(r.counts)) for r in shown]
    st.caption(" · ".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(question.choices)))
    labels = list(LETTERS[: len(question.choices)])  # letters: the bars keep their width on a phone
    layout.plot(charts.answer_histogram(labels, series, question.answer), key=f"class_hist_{question.id}")
    st.caption(" · ".join(f"{name}: {sum(counts)} answer{'s' * (sum(counts) != 1)}" for name, counts in series))


def _act(action: str, question_id: str, n_choices: int) -> None:
    """Callback of the lecturer's question buttons."""
    s, now, secret = store(), time.time(), st.session_state[_SECRET]
    try:
        if action == "ask":
            s.ask(code(), secret, question_id, n_choices, now)
        elif action == "again":
            s.again(code(), secret, question_id, n_choices, now)
        elif action == "close":
            s.close(code(), secret, question_id, now)
        else:
            s.reveal(code(), secret, question_id, now)
    except ClassUnavailable as exc:
        st.session_state[_MESSAGE] = f"The class database cannot be reached ({exc}): try again in a moment."
    except (UnknownClass, NotLecturer):
        _leave("Your class has ended (it was ended elsewhere, or inactive for 12 hours).")


def reveal_to_room(question: Question) -> None:
    """The lecture's Next revealed ``question`` on the projector: reveal it to the room too, if it was asked."""
    if not is_lecturer():
        return
    try:
        rounds = store().rounds(code(), question.id)
    except (ClassUnavailable, UnknownClass):
        return
    if rounds and rounds[-1].state in (OPEN, CLOSED):
        _act("reveal", question.id, len(question.choices))


def room(question: Question, on_reveal: Callable[[], None]) -> None:
    """In lecture mode, for the class's lecturer: ask the room ``question``, close the answers, reveal them (with
    ``on_reveal``, the projector's own reveal), ask again; the histogram of every revealed round. Redrawn every
    second, so the count of answers climbs as students send them."""
    if is_lecturer():
        _room(question, on_reveal)


@st.fragment(run_every=POLL_SECONDS)
def _room(question: Question, on_reveal: Callable[[], None]) -> None:
    try:
        s = store()
        state, rounds = s.room_state(code(), time.time()), s.rounds(code(), question.id)
    except ClassUnavailable as exc:
        unavailable(exc)
        return
    except UnknownClass:
        return
    n = len(question.choices)
    last = rounds[-1] if rounds else None
    current = state.question is not None and state.question.question_id == question.id
    action = None
    row = st.container(horizontal=True, key="class_room", vertical_alignment="center")
    if last is None or not current:
        if row.button("Ask the room", key="class_ask", type="primary",
                      help="Students answer on their phones; the projector shows only how many have answered."):  # fmt: skip
            action = "ask"
    elif last.state == OPEN:
        row.markdown(f"The room is answering: **{last.answered} of {state.present}** so far.")
        if row.button("Close the answers", key="class_close"):
            action = "close"
    elif last.state == CLOSED:
        row.markdown(f"Answers closed: **{last.answered}** of {state.present}.")
        if row.button("Reveal to the room", key="class_reveal", type="primary"):
            action = "reveal"
    elif row.button("Ask again", key="class_again",
                    help="After the demonstration: did it change the room's mind? A new round, beside the first."):  # fmt: skip
        action = "again"
    if action is not None:
        _act(action, question.id, n)
        if action == "reveal":
            on_reveal()
        st.rerun()  # the whole page: the strip shows the answer, the students' polls see the change
    if last is not None and current and last.state == REVEALED:
        on_reveal()
    _rounds_figure(question, rounds)


def _answer(question_id: str, round_: int) -> None:
    """Callback of a student's "Send my answer"."""
    choice = st.session_state.get(f"class_answer_{question_id}_{round_}")
    if choice is None:
        return
    if not _limit("answer", 10, 1.0):
        st.session_state[_ANSWER_NOTICE] = "Too many answers at once: wait a second, then send it again."
        return
    try:
        taken = store().answer(code(), st.session_state[_MEMBER], question_id, int(choice), time.time())
        st.session_state[_MINE] = {(question_id, taken): int(choice)}
    except AnswerRejected:
        st.session_state[_ANSWER_NOTICE] = "That answer was not taken: the question is closed."
    except ClassUnavailable as exc:
        st.session_state[_ANSWER_NOTICE] = f"Your answer could not be sent ({exc}): send it again in a moment."
    except UnknownClass:
        _leave("The class has ended: explore on your own.")


def student_question() -> None:
    """A student's view of the question the lecturer asked: answer it (changeable until closed), then the room's
    answers beside the right one once revealed."""
    state = st.session_state.get(_STATE)
    if code() is None or is_lecturer() or state is None or state.question is None:
        return
    r = state.question
    question = QUESTIONS.get(r.question_id)
    if question is None:
        return
    message = st.session_state.pop(_ANSWER_NOTICE, None)
    if r.state == OPEN:  # a student following the lecturer is further down the page: bring the question up, once
        st.html(_QUESTION_JS % json.dumps(f"{question.id}-{r.round}"), unsafe_allow_javascript=True)
    with st.container(border=True, key="class_question"):
        st.markdown(f"**Your lecturer asks:** {question.prompt}")
        if message:
            st.warning(message)
        mine = st.session_state.get(_MINE, {}).get((r.question_id, r.round))
        if r.state == OPEN:
            picked = st.radio("Your answer", range(len(question.choices)), index=mine,
                              key=f"class_answer_{question.id}_{r.round}",
                              format_func=lambda i: f"{LETTERS[i]}. {question.choices[i]}")  # fmt: skip
            st.button("Send my answer" if mine is None else "Change my answer", key="class_send", type="primary",
                      on_click=_answer, args=(question.id, r.round), disabled=picked is None)  # fmt: skip
            if mine is not None:
                st.caption(f"Sent: {LETTERS[mine]}. You can change it until your lecturer closes the question.")
        elif r.state == CLOSED:
            st.info(f"Answers are closed. Yours: {LETTERS[mine]}." if mine is not None else "Answers are closed.")
        else:
            right = f"**{LETTERS[question.answer]}. {question.choices[question.answer]}**"
            verdict = "" if mine is None else (" You were right." if mine == question.answer else
                                              f" You answered {LETTERS[mine]}.")  # fmt: skip
            st.success(f"{right} — {question.explanation}{verdict}", icon="✅")
            try:
                _rounds_figure(question, store().rounds(code(), question.id))
            except (ClassUnavailable, UnknownClass):
                pass
