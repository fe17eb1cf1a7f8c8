"""The lecture path in the app: the lecture-mode strip, Back / Next across pages (clicker keys), predict-then-reveal
questions and the QR code of the current view. The path itself is data in `core.lecture`.

The stop number lives in the URL (``?stop=k``) like every control, but it is written there by this module rather
than by ``bind="query-params"``: Streamlit 1.67's `st.switch_page` cannot carry a bound parameter to the next page
("Cannot directly set query parameter … bound to a widget"), and Next must cross pages. `ui.layout` does the same
for ``?lecture=``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st

from core.lecture import PLAN, QUESTIONS, STOPS, Question, on_stop, questions_of, stop_number
from ui import layout, live_class
from ui.links import PUBLIC_URL_ENV, app_url, qr_png

STOP_KEY = "stop"
_GOTO_KEY = "_lecture_goto"  # set by Back / Next; the next run switches to the stop's page


def current() -> int:
    """The stop k (1…N) this session is at or last was at."""
    return int(st.session_state.get(STOP_KEY, 1))


def _revealed_key(question: Question) -> str:
    return f"q_{question.id}_revealed"


def revealed(question: Question) -> bool:
    """Whether the answer of `question` has been revealed in this session."""
    return bool(st.session_state.get(_revealed_key(question), False))


def _reveal(question: Question) -> None:
    """Callback: reveal ``question``'s answer here and, in a class, to the room."""
    st.session_state[_revealed_key(question)] = True
    live_class.reveal_to_room(question)


def _apply(k: int) -> None:
    """Callback: go to stop k: its number, its control values, and (next run) its page."""
    stop = STOPS[k - 1]
    st.session_state[STOP_KEY] = k
    for key, value in stop.values.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state[_GOTO_KEY] = k


def _step(delta: int) -> None:
    """Callback of Back / Next: a question that is still hidden is revealed first, then the path moves on."""
    stop = STOPS[current() - 1]
    if delta > 0 and stop.question is not None and not revealed(QUESTIONS[stop.question]):
        _reveal(QUESTIONS[stop.question])
        return
    _apply(min(len(STOPS), max(1, current() + delta)))


def _jump(widget_key: str, drawn_at: int) -> None:
    """Callback of the stop number input drawn at stop `drawn_at`: go to the stop typed there. Its own stop is no
    jump: a browser that has not yet drawn the next stop sends the old input's value with its next click (a
    clicker pressed twice), which must not take the lecture back."""
    typed = int(st.session_state[widget_key])
    if typed != drawn_at:
        _apply(typed)


def seed_from_url() -> None:
    """On a session's first run, take the stop from ``?stop=k``: its page, and its controls' values except those the
    URL sets itself (a shared link carries both). A malformed or out-of-range k is ignored."""
    if STOP_KEY in st.session_state:
        return
    k = stop_number(st.query_params.get(STOP_KEY, ""))
    st.session_state[STOP_KEY] = k or 1
    if k is not None:
        for key, value in STOPS[k - 1].values.items():
            if key not in st.query_params:
                st.session_state[key] = value
        st.session_state[_GOTO_KEY] = k


def follow(pages: Mapping[str, st.Page], page: st.Page) -> None:
    """After Back / Next: switch to the stop's page if it is not the one running (keeps lecture mode and the stop)."""
    k = st.session_state.pop(_GOTO_KEY, None)
    if k is None:
        return
    target = pages[STOPS[k - 1].page]
    if target.url_path != page.url_path:
        query = {STOP_KEY: str(k)} | ({layout.LECTURE_KEY: "true"} if layout.is_lecture() else {})
        st.switch_page(target, query_params=query)


_STRIP_CSS = """<style>
.st-key-lecture_strip { background: #eef5fb; border-radius: 0.6rem; padding: 0.5rem 0.9rem 0.6rem; gap: 0.4rem;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.12); }
[data-testid="stLayoutWrapper"]:has(> .st-key-lecture_strip) { position: sticky; top: 60px; z-index: 99; }
/* the room's answers drawn in the strip make it tall: then it scrolls with the page, not over it */
[data-testid="stLayoutWrapper"]:has(> .st-key-lecture_strip [data-testid="stPlotlyChart"]) { position: static; }
@media (max-width: 767px), (max-height: 500px) {  /* a phone: the strip scrolls away with the page */
  [data-testid="stLayoutWrapper"]:has(> .st-key-lecture_strip) { position: static; }
  .st-key-lecture_strip .stNumberInput, .st-key-lecture_strip .st-key-lecture_qr { display: none; }
}
.st-key-lecture_strip > div:first-child [data-testid="stMarkdownContainer"] p { font-size: 0.8rem; }
.st-key-lecture_strip kbd { display: none; }
.st-key-lecture_strip button { min-height: 2.3rem; padding: 0.1rem 0.6rem; }
.st-key-lecture_keys { display: none; }
/* a narrower strip (the sidebar open beside it on a projector): Back and Next keep their labels whole */
.st-key-lecture_strip { container-type: inline-size; }
@container (max-width: 950px) { .st-key-lecture_strip [data-testid="stColumn"] button { padding: 0.1rem 0.25rem; }
  .st-key-lecture_strip [data-testid="stColumn"] button p { font-size: 1.05rem; } }
</style>"""  # the keys-only buttons are neither drawn nor announced


def _plan_line(step: int) -> str:
    """The five-step plan with the current step highlighted."""
    parts = [f":blue-background[**{i + 1} · {name}**]" if i == step else f"{i + 1} · {name}"
             for i, name in enumerate(PLAN)]  # fmt: skip
    return " → ".join(parts)


def strip(page_path: str) -> None:
    """Lecture mode's header: the plan, "stop k of N" with the slide's line, Back / Next (clicker keys), the QR code.

    Next and Space / → / PageDown go on (revealing a stop's hidden answer first); Back and ← / PageUp go back. When
    the lecturer has left the path (another page, or a control moved), one press returns to the stop.
    """
    k = current()
    stop = STOPS[k - 1]
    question = QUESTIONS.get(stop.question) if stop.question else None
    hidden = question is not None and not revealed(question)
    st.html(_STRIP_CSS)
    with st.container(key="lecture_strip"):
        st.markdown(_plan_line(stop.plan_step))
        back, nxt, line, jump, qr = st.columns([1.6, 1.8, 7, 1.1, 0.9], vertical_alignment="center", gap="small")
        back.button("◀ Back", key="lecture_back", on_click=_step, args=(-1,), shortcut="PageUp", disabled=k <= 1,
                    width="stretch", help="Previous stop: PageUp or ←")  # fmt: skip
        nxt.button("Reveal ▶" if hidden else "Next ▶", key="lecture_next", on_click=_step, args=(1,), type="primary",
                   shortcut="PageDown", disabled=k >= len(STOPS) and not hidden, width="stretch",
                   help="Next stop (a hidden answer is revealed first): PageDown, → or Space")  # fmt: skip
        line.markdown(f"**Stop {k} of {len(STOPS)}** — {stop.line}")
        if not on_stop(stop, page_path, st.session_state):
            line.button(f"↩ Back to stop {k}", key="lecture_return", on_click=_apply, args=(k,),
                        help="You left the path: return to this stop's page and control values.")  # fmt: skip
        jump_key = f"lecture_stop_{k}"  # a new input per stop, so it always starts at the current one
        jump.number_input("Go to stop", 1, len(STOPS), k, key=jump_key, on_change=_jump, args=(jump_key, k),
                          label_visibility="collapsed")  # fmt: skip
        if qr.button("QR", key="lecture_qr", help="A QR code of this exact view, to scan", width="stretch"):
            qr_dialog()
        with st.container(key="lecture_keys"):  # more clicker / keyboard keys, each needs a button of its own
            st.button("next (→)", key="lecture_next_right", on_click=_step, args=(1,), shortcut="Right")
            st.button("next (space)", key="lecture_next_space", on_click=_step, args=(1,), shortcut="Space")
            st.button("back (←)", key="lecture_back_left", on_click=_step, args=(-1,), shortcut="Left")
        if live_class.is_lecturer():
            live_class.panel(page_path, k)  # the class's counts stay on the projector with the strip
        if question is not None and stop.page == page_path:
            ask(question, lecture=True)
    if stop.section and stop.page == page_path:
        show_section(k, stop.section)
    st.query_params[STOP_KEY] = str(k)


# Scroll the stop's section to just below the sticky strip, once per stop (the page renders after the strip, so
# wait for the heading). Static code; the heading text is passed as JSON.
_SCROLL_JS = """<script>
(() => {
  const stop = %s, heading = %s;
  if (window.__explorerStop === stop) return;
  const find = () => [...document.querySelectorAll('[data-testid="stMain"] :is(h1, h2, h3, h4, h5, p)')]
    .find((h) => h.textContent.trim().startsWith(heading));
  const align = () => {  // the heading just below the sticky strip
    const target = find(), strip = document.querySelector(".st-key-lecture_strip");  // no strip: a student
    if (!target) return false;
    const scroller = target.closest('[data-testid="stMain"]') || document.scrollingElement;
    const sticky = strip !== null && getComputedStyle(strip.parentElement).position === "sticky";
    const below = sticky ? strip.getBoundingClientRect().bottom : 60;  // a phone's strip scrolls away
    scroller.scrollBy({ top: target.getBoundingClientRect().top - below - 12 });
    return true;
  };
  const go = (tries) => {
    if (align()) {
      window.__explorerStop = stop;
      [400, 1200, 2500].forEach((ms) => setTimeout(align, ms));  // again once the charts above have their size
    } else if (tries < 50) {
      setTimeout(() => go(tries + 1), 100);
    }
  };
  go(0);
})();
</script>"""


def scroll_to(k: int | None, page_path: str) -> None:
    """Bring stop k's section into view if this page is its page (a student following the lecturer)."""
    if k is not None and 1 <= k <= len(STOPS) and STOPS[k - 1].section and STOPS[k - 1].page == page_path:
        show_section(k, STOPS[k - 1].section)


def show_section(k: int, heading: str) -> None:
    """Bring the section the stop is about into view, below the strip (a slide shows its demonstration)."""
    st.html(_SCROLL_JS % (k, json.dumps(heading)), unsafe_allow_javascript=True)


def ask(question: Question, lecture: bool) -> None:
    """A predict-then-reveal question. Lecture mode: the choices, and the answer once revealed (Next reveals it).
    Normal mode: the student picks a choice and checks it."""
    letters = "ABCD"
    if lecture:
        st.markdown(f"**Predict:** {question.prompt}")
        st.markdown(" &emsp; ".join(f"**{letters[i]}.** {c}" for i, c in enumerate(question.choices)))
        live_class.room(question, on_reveal=lambda: st.session_state.update({_revealed_key(question): True}))
        if revealed(question):
            st.success(f"**{letters[question.answer]}. {question.choices[question.answer]}** — "
                       f"{question.explanation}", icon="✅")  # fmt: skip
        elif not live_class.is_lecturer():  # in a class the room's buttons (and Next) reveal it
            st.button("Reveal the answer", key=f"q_{question.id}_reveal", on_click=_reveal, args=(question,))
        return
    with st.container(border=True, key=f"q_{question.id}"):
        st.markdown(f"**Predict, then check:** {question.prompt}")
        choice = st.radio("Your answer", range(len(question.choices)), index=None, key=f"q_{question.id}_choice",
                          format_func=lambda i: f"{letters[i]}. {question.choices[i]}")  # fmt: skip
        if st.button("Check", key=f"q_{question.id}_check", disabled=choice is None):
            st.session_state[_revealed_key(question)] = True
        if choice is not None and revealed(question):
            verdict = "Right" if question.is_right(choice) else f"Not quite: it is {letters[question.answer]}"
            (st.success if question.is_right(choice) else st.warning)(f"**{verdict}.** {question.explanation}")


def questions(page_path: str) -> None:
    """Normal mode: the page's predict-then-check questions, at the end of the page."""
    asked = questions_of(page_path)
    if not asked or layout.is_lecture():
        return
    st.subheader("Check yourself")
    for question in asked:
        ask(question, lecture=False)


@st.dialog("Scan to open this view", width="large")
def qr_dialog() -> None:
    """A large QR code of the exact current view and the URL in text."""
    url, reachable = app_url()
    st.html("<style>.st-key-qr_code img { max-height: 62vh; width: auto !important; max-width: 100%; }</style>")
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left.container(key="qr_code"):
        st.image(qr_png(url), caption="Every control of this view is in the link.", alt=f"QR code of {url}")
    right.code(url, language=None, wrap_lines=True)
    if not reachable:
        right.warning(f"This address only works on this computer. Open the app by its network address, or start it "
                   f"with {PUBLIC_URL_ENV}=http://ADDRESS:PORT so the code points where students can reach it.")
