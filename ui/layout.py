"""Streamlit glue shared by every page: lecture mode, headers, prose, presets, step-by-step reveals.

Lecture mode (a sidebar toggle bound to the URL as ``?lecture=true``) is for a projector:
larger type and charts, prose folded away, derivations revealed with a big "next step" button.
"""

from __future__ import annotations

import functools
import html
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ui import charts

LECTURE_KEY = "lecture"

_LECTURE_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMetricValue"] p { font-size: inherit; }
.katex { font-size: 1.35em; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-left: 2.5rem; padding-right: 2.5rem; }
</style>
"""

_BASE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: calc(3.75rem + 0.75rem); }  /* below the 3.75rem toolbar */
/* WCAG AA contrast (axe): Streamlit's faded caption grey is 3.9:1 on white; this is 6.5:1. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #5c5e66; opacity: 1; }
button kbd { color: inherit !important; opacity: 1 !important; }
[data-testid="stMarkdownContainer"] blockquote, [data-testid="stMarkdownContainer"] blockquote * { color: #45474f; opacity: 1; }
/* A chart's text alternative: read by screen readers, not drawn, out of the layout's flow (no gap). */
[data-testid="stElementContainer"]:has(.chart-alt) {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2rem 0; }
</style>
"""

# A formula or table wider than its column scrolls sideways; a keyboard user can only scroll what can take focus
# (WCAG 2.1.1, axe "scrollable-region-focusable"), so every such region gets tabindex=0 and a name. Static code.
_SCROLL_FOCUS_JS = """
<script>
if (!window.__explorerScrollFocus) {
  window.__explorerScrollFocus = true;
  let queued = false;
  const mark = () => {
    queued = false;
    document.querySelectorAll('.katex-display, [data-testid="stTable"] > div').forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", el.classList.contains("katex-display") ? "Formula, scrolls sideways"
                                                                                : "Table, scrolls sideways");
      }
    });
  };
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(mark); } };
  new MutationObserver(later).observe(document.body, { subtree: true, childList: true });
  window.addEventListener("resize", later);
  later();
}
</script>
"""

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "responsive": True}


def lecture_in_url() -> bool:
    """Whether the URL asks for lecture mode (``?lecture=true``; anything unrecognised means no)."""
    return str(st.query_params.get(LECTURE_KEY, "")).strip().lower() in ("true", "1", "on")


def lecture_toggle() -> bool:
    """The global lecture-mode switch (sidebar); applies its CSS. It is kept in the URL as ``?lecture=true``.

    Written to the URL here rather than by ``bind="query-params"``, because the lecture path's Next must carry it
    across pages with `st.switch_page`, which refuses bound parameters (see `ui.lecture`).
    """
    on = st.sidebar.toggle(
        "Lecture mode",
        value=lecture_in_url(),
        key=LECTURE_KEY,
        help="For a projector: larger type and charts, prose folded into Notes, the lecture's path with Back / "
        "Next (clicker keys), derivations revealed one step at a time. Off: every step of a derivation is shown "
        "at once.",
    )
    if on:
        st.query_params[LECTURE_KEY] = "true"
    elif LECTURE_KEY in st.query_params:
        del st.query_params[LECTURE_KEY]
    st.html(_BASE_CSS + (_LECTURE_CSS if on else ""))
    st.html(_SCROLL_FOCUS_JS, unsafe_allow_javascript=True)
    return on


def is_lecture() -> bool:
    """Whether lecture mode is on in this session."""
    return bool(st.session_state.get(LECTURE_KEY, False))


def section(draw: Callable[..., None], *args: Any) -> None:
    """Draw a page section that has controls of its own, ``draw(*args)``.

    Normal mode runs it as an `st.fragment`: moving one of its controls reruns only this section, not the whole
    page (a class of students moves controls all the time; bench/bench_class.py). Lecture mode runs it with the
    page, because the lecture strip above must see every control change ("↩ Back to stop k").
    """
    if is_lecture():
        draw(*args)
    else:
        st.fragment(draw)(*args)


def header(title: str, intro: str) -> None:
    """Page title and its short introduction (folded into an expander in lecture mode)."""
    st.title(title)
    prose(intro)


def prose(text: str, label: str = "Notes") -> None:
    """Explanatory text: shown in full normally, folded away in lecture mode (the lecturer talks)."""
    if is_lecture():
        with st.expander(label):
            st.markdown(text)
    else:
        st.markdown(text)


def chart_alt(fig: go.Figure) -> None:
    """The figure's text alternative for screen readers (visually hidden): `charts.describe`."""
    st.html(f'<p class="chart-alt">{html.escape(charts.describe(fig))}</p>')


def plot(fig: go.Figure, key: str | None = None, height: int | None = None) -> None:
    """Draw a figure from ui.charts, enlarged in lecture mode, with the offline-safe Plotly config and a text
    alternative."""
    charts.scale_for_lecture(fig, is_lecture(), height)
    chart_alt(fig)
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, theme=None)


def presets(key: str, options: Mapping[str, Mapping[str, Any]], label: str = "Lecture presets") -> None:
    """Named presets: buttons that set several widget values at once (via session state)."""

    def apply(values: Mapping[str, Any]) -> None:
        for widget_key, value in values.items():
            st.session_state[widget_key] = value

    st.caption(label)
    row = st.container(horizontal=True, gap="small")  # wraps onto a new line rather than cutting labels
    for i, (name, values) in enumerate(options.items()):
        row.button(name, key=f"{key}_preset_{i}", on_click=apply, args=(values,), width="content")


def stepper(key: str, steps: Sequence[tuple[str, str]], render: Callable[[int, str, str], None] | None = None) -> int:
    """A derivation, each step (explanation, LaTeX). Returns how many steps are shown.

    Normal mode shows every step at once, to read. Lecture mode reveals them one at a time: the step number is a
    URL-bound slider (``?{key}=k``, so a shared link opens at the same step) with a big "Next step" button.
    """
    n = len(steps)
    lecture = is_lecture()
    if lecture:
        step = st.session_state.get(key)
        if step is not None and not 1 <= step <= n:  # set from elsewhere (the lecture path), past this derivation
            st.session_state[key] = min(n, max(1, int(step)))
        shown = st.slider("Steps shown", 1, n, 1, key=key, bind="query-params")
    else:
        shown = n
        st.caption(f"All {n} steps. Lecture mode reveals them one at a time.")
    for i, (text, latex) in enumerate(steps[:shown]):
        if render is not None:
            render(i, text, latex)
        else:
            st.markdown(f"**Step {i + 1}.** {text}")
            if latex:
                st.latex(latex)
    if not lecture:
        return shown

    def move(delta: int) -> None:
        st.session_state[key] = min(n, max(1, int(st.session_state.get(key, 1)) + delta))

    def show_all() -> None:
        st.session_state[key] = n

    c1, c2, c3 = st.columns([2, 1, 1])
    c1.button(
        "Next step ▶",
        key=f"{key}_next",
        on_click=move,
        args=(1,),
        disabled=shown >= n,
        type="primary",
        width="stretch",
    )
    c2.button("◀ Back", key=f"{key}_back", on_click=move, args=(-1,), disabled=shown <= 1, width="stretch")
    c3.button("Show all", key=f"{key}_all", on_click=show_all, disabled=shown >= n, width="stretch")
    return shown


@functools.cache
def _source(fn: Callable[..., Any]) -> str:
    """A function's source, read once per process (tokenising the module on every rerun costs ~1 ms)."""
    return inspect.getsource(fn)


def show_code(*functions: Callable[..., Any], label: str = "Show the NumPy behind this") -> None:
    """An expander with the source of the core functions that computed what the page shows."""
    with st.expander(label):
        for fn in functions:
            st.code(_source(fn), language="python")


def error(message: str) -> None:
    """A clear, actionable message for impossible input; the page carries on."""
    st.error(message, icon="⚠️")


_LECTURE_TABLE_CSS = "<style>[data-testid='stTable'] th, [data-testid='stTable'] td { font-size: 0.95rem; }</style>"


def table(data: Any) -> None:
    """A static table (st.table) whose type grows in lecture mode like the rest of the page."""
    if is_lecture():
        st.html(_LECTURE_TABLE_CSS)
    st.table(data)
