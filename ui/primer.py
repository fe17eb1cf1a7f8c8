"""Widgets and LaTeX shared by the probability-primer pages (sample spaces, rules, conditional probability)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.probability import Experiment

N_CHOICES = [10, 100, 1_000, 10_000, 100_000]


def simulation_controls(prefix: str, default_n: int = 10_000) -> tuple[int, int]:
    """Number of trials N (``{prefix}_n``), the seed (``{prefix}_seed``) and a "New run" button (next seed)."""
    seed_key = f"{prefix}_seed"

    def next_seed() -> None:
        st.session_state[seed_key] = int(st.session_state.get(seed_key, 0)) + 1

    c1, c2, c3 = st.columns([2.4, 1.2, 1.2], vertical_alignment="bottom")
    n = c1.select_slider(
        "Number of trials N", N_CHOICES, value=default_n, format_func="{:,}".format, key=f"{prefix}_n",
        bind="query-params",
    )  # fmt: skip
    seed = c2.number_input("Seed", 0, 2**31 - 1, 0, step=1, key=seed_key, bind="query-params")
    c3.button("New run 🎲", key=f"{prefix}_rerun", on_click=next_seed, width="stretch", help="Same N, next seed.")
    return int(n), int(seed)


def latex_set(items: Sequence[str], per_line: int = 5) -> str:
    """{ω₁, ω₂, …} in LaTeX (∅ when empty), broken over lines of at most `per_line` elements."""
    if not items:
        return r"\varnothing"
    rows = [", ".join(rf"\text{{{w}}}" for w in items[i : i + per_line]) for i in range(0, len(items), per_line)]
    if len(rows) == 1:
        return rf"\{{{rows[0]}\}}"
    return r"\left\{\begin{array}{l}" + r",\\ ".join(rows) + r"\end{array}\right\}"


def latex_sum_lines(terms: Sequence[str], per_line: int = 4) -> str:
    """t₁ + t₂ + … for an ``aligned`` block, continued on a new line every `per_line` terms."""
    return r" \\ &\quad + ".join(" + ".join(terms[i : i + per_line]) for i in range(0, len(terms), per_line))


def latex_set_preview(items: Sequence[str], limit: int = 16, head: int = 4) -> str:
    """{ω₁, …} in LaTeX, every element when there are at most `limit`, else the first `head`, …, the last."""
    if len(items) <= limit:
        return latex_set(items, per_line=4 if max(map(len, items), default=0) <= 4 else 3)
    shown = ", ".join(rf"\text{{{w}}}" for w in items[:head])
    return rf"\{{{shown}, \dots, \text{{{items[-1]}}}\}}"


def _p_list(experiment: Experiment, outcomes: Sequence[str]) -> str:
    """P(ω₁) = p₁, P(ω₂) = p₂, … as the lecture writes them, "never occurs" marked."""
    return ", ".join(
        f"P({w}) = {experiment.written(w)}" + (" (never occurs)" if w in experiment.never else "") for w in outcomes
    )


def values_note(experiment: Experiment) -> str:
    """Markdown: which P(ω) are the lecture's and which the app filled in (and how), to show on the page."""
    parts = []
    if experiment.from_lecture:
        lecture = [w for w in experiment.outcomes if w in experiment.from_lecture]
        parts.append(f"**The lecture's values:** {_p_list(experiment, lecture)}.")
    filled = experiment.filled_in
    if filled and experiment.from_lecture:
        parts.append(f"**Filled in by the app** so that Σ P(ω) = 1: {_p_list(experiment, filled)}. "
                     f"{experiment.filled_note}".rstrip())  # fmt: skip
    elif filled:
        parts.append(experiment.filled_note)
    return " ".join(parts)


def show_values_note(experiment: Experiment) -> None:
    """The lecture's-versus-filled-in note, always visible (also in lecture mode, where prose is folded)."""
    st.info(values_note(experiment), icon="📖")
