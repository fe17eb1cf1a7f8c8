"""Conditional probability: P(A|B) = P(A∩B) / P(B) as areas (zoom into B), as a formula, as Monte-Carlo counts."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import probability as prob
from core.numbers import fmt
from ui import charts, layout, primer

MODES = {"marginals": "P(A), P(B), P(A∩B)", "cells": "The four cells"}
MARGINAL_KEYS = ("cond_pa", "cond_pb", "cond_pab")
CELL_KEYS = (("cond_ab", "cond_anb"), ("cond_nab", "cond_nanb"))
# The lecture: P(Rain ∩ Cloud) = 0.2, P(Cloud) = 0.4. P(Rain) = 0.25 is our choice (it must be ≥ 0.2).
LECTURE = {"a": "Rain", "b": "Cloud", "p_a": 0.25, "p_b": 0.4, "p_ab": 0.2}


def _preset(a: str, b: str, p_a: float, p_b: float, p_ab: float) -> dict[str, object]:
    """Widget values for two named events, in both input modes."""
    cells = prob.joint_from_marginals(p_a, p_b, p_ab)
    values: dict[str, object] = {"cond_a": a, "cond_b": b}
    values |= dict(zip(MARGINAL_KEYS, (p_a, p_b, p_ab), strict=True))
    values |= {key: round(float(cells[i, j]), 12) for i, row in enumerate(CELL_KEYS) for j, key in enumerate(row)}
    return values


PRESETS = {
    "Rain | Cloud": _preset(**LECTURE),
    "Heads | Tails": _preset("Heads", "Tails", 0.5, 0.5, 0.0),
    "H 1st | H 2nd": _preset("H 1st", "H 2nd", 0.5, 0.5, 0.25),
}
DEFAULTS = PRESETS["Rain | Cloud"]
LECTURE_NOTE = (
    f"Rain | Cloud: P(Cloud) = {fmt(LECTURE['p_b'])} and P(Rain ∩ Cloud) = {fmt(LECTURE['p_ab'])} are the "
    f"lecture's; P(Rain) = {fmt(LECTURE['p_a'])} is the app's (the lecture's P(Rain) = {prob.WEATHER.written('rain')} "
    f"cannot hold together with P(Rain ∩ Cloud) = {fmt(LECTURE['p_ab'])}, see below). Heads | Tails: one fair flip, "
    f"P(Heads) = P(Tails) = {prob.COIN.written('heads')}. H 1st | H 2nd: two fair flips."
)


def _number(label: str, key: str, container: DeltaGenerator) -> float:
    """A probability input bound to the URL, starting at the lecture's value."""
    return float(container.number_input(label, value=float(DEFAULTS[key]), step=0.01, format="%g", key=key,
                                        bind="query-params"))  # fmt: skip


def controls() -> prob.Joint:
    """Event names and the joint, entered either as P(A), P(B), P(A∩B) or as the four cells."""
    layout.presets("cond", PRESETS, label="Presets: the lecture's two examples, and two independent coin flips")
    st.caption(LECTURE_NOTE)
    c1, c2 = st.columns(2)
    a = prob.event_name(c1.text_input("Event A", DEFAULTS["cond_a"], key="cond_a", bind="query-params"), "A")
    b = prob.event_name(c2.text_input("Event B", DEFAULTS["cond_b"], key="cond_b", bind="query-params"), "B")
    mode = st.segmented_control(
        "Enter the joint as", list(MODES), format_func=MODES.get, default="marginals", required=True,
        key="cond_mode", bind="query-params",
    )  # fmt: skip
    if mode == "marginals":
        cols = st.columns(3)
        labels = (f"P({a})", f"P({b})", f"P({a} ∩ {b})")
        p_a, p_b, p_ab = (_number(*args) for args in zip(labels, MARGINAL_KEYS, cols, strict=True))
        return prob.Joint.from_marginals(a, b, p_a, p_b, p_ab)
    head = st.columns([1.2, 2, 2])
    head[1].markdown(f"**{b}**")
    head[2].markdown(f"**not {b}**")
    cells = np.zeros((2, 2))
    for i, (row_name, keys) in enumerate(zip((a, f"not {a}"), CELL_KEYS, strict=True)):
        cols = st.columns([1.2, 2, 2], vertical_alignment="bottom")
        cols[0].markdown(f"**{row_name}**")
        for j, key in enumerate(keys):
            cells[i, j] = _number(f"P({row_name} ∩ {(b, f'not {b}')[j]})", key, cols[j + 1])
    return prob.Joint.from_cells(a, b, cells)


def tex(name: str) -> str:
    """An event name as LaTeX text."""
    return rf"\text{{{name}}}"


def joint_table_latex(joint: prob.Joint) -> str:
    """The 2×2 joint table with its margins P(A), P(Ā) (right) and P(B), P(B̄) (bottom)."""
    c = joint.cells
    a, b, f = tex(joint.a), tex(joint.b), fmt
    return (
        rf"\begin{{array}}{{r|cc|c}} & {b} & \text{{not }}{b} & \\ \hline "
        rf"{a} & {f(c[0, 0])} & {f(c[0, 1])} & {f(c[0].sum())} \\ "
        rf"\text{{not }}{a} & {f(c[1, 0])} & {f(c[1, 1])} & {f(c[1].sum())} \\ \hline "
        rf"& {f(c[:, 0].sum())} & {f(c[:, 1].sum())} & {f(c.sum())} \end{{array}}"
    )


def derivation(joint: prob.Joint, p_cond: float) -> None:
    """P(A|B) = P(A∩B)/P(B) step by step with the live numbers."""
    a, b, f = tex(joint.a), tex(joint.b), fmt
    given = rf"P({a} \mid {b})"
    if prob.independent(joint.p_a, joint.p_b, joint.p_ab):
        compare = (rf"{given} = P({a}) = {f(joint.p_a)}: \text{{knowing }} {b} \text{{ changes nothing (independent)}}")
    else:
        verb = "raises" if p_cond > joint.p_a else "lowers"
        compare = rf"{given} = {f(p_cond)} \ne P({a}) = {f(joint.p_a)}: \text{{knowing }} {b} \text{{ {verb} it}}"
    steps = [
        (f"Only the trials where **{joint.b}** happened count; of those, the share where **{joint.a}** happened too.",
         rf"{given} = \frac{{P({a} \cap {b})}}{{P({b})}}"),
        ("Put in the numbers from the joint table.",
         rf"{given} = \frac{{{f(joint.p_ab)}}}{{{f(joint.p_b)}}}"),
        ("Divide.", rf"{given} = {f(p_cond)}"),
        (f"Compare with P({joint.a}) before knowing anything.", compare),
    ]  # fmt: skip
    layout.stepper("cond_step", steps)


def pictures(joint: prob.Joint, p_cond: float) -> None:
    """S as a unit square with B outlined, next to B alone rescaled to area 1: A∩B's share is P(A|B)."""
    c1, c2 = st.columns(2)
    with c1:
        fig = charts.mosaic(joint.cells.tolist(), joint.a, joint.b, focus_b=True, title="All of S")
        layout.plot(fig, key="cond_mosaic")
    with c2:
        fig = charts.mosaic(joint.cells.tolist(), joint.a, joint.b, zoom_b=True, title=f"Zoom into {joint.b}")
        layout.plot(fig, key="cond_zoom")
    layout.prose(
        f"Left: every rectangle's area is its probability. Conditioning on {joint.b} throws away everything "
        f"outside {joint.b} (faded) and stretches what is left to area 1 (right). The hatched part, "
        f"{joint.a} ∩ {joint.b}, then covers {fmt(joint.p_ab)} / {fmt(joint.p_b)} = {fmt(p_cond)} "
        "of it.",
        label="Reading the picture",
    )


def monte_carlo(joint: prob.Joint, p_cond: float) -> None:
    """Simulate N trials from the joint table; #(A∩B)/#B settles on P(A|B)."""
    n, seed = primer.simulation_controls("cond")
    happened_a, happened_b = prob.sample_joint(joint.cells, n, seed)
    ns, estimate = prob.running_frequency(happened_a, given=happened_b)
    band = prob.binomial_band(p_cond, np.maximum(ns * joint.p_b, 1))
    st.markdown(f"**Running estimate #({joint.a} ∩ {joint.b}) / #{joint.b} after N trials**")
    fig = charts.running_estimate(
        ns.tolist(), estimate.tolist(), p_cond, band=(band[0].tolist(), band[1].tolist()),
        estimate_name="#(A∩B) / #B", exact_name="P(A|B)", y_title="#(A∩B) / #B",
    )  # fmt: skip
    layout.plot(fig, key="cond_mc")
    count_b = int(happened_b.sum())
    count_ab = int((happened_a & happened_b).sum())
    m1, m2, m3 = st.columns(3)
    m1.metric(f"#{joint.b} (of {n:,})", f"{count_b:,}")
    m2.metric(f"#({joint.a} ∩ {joint.b})", f"{count_ab:,}")
    ratio = fmt(count_ab / count_b) if count_b else "no B yet"
    m3.metric(f"#({joint.a} ∩ {joint.b}) / #{joint.b}", ratio, delta=f"exact {fmt(p_cond)}", delta_color="off",
              delta_arrow="off")  # fmt: skip
    layout.show_code(prob.sample_joint, prob.running_frequency, prob.conditional)


def main() -> None:
    """The page: inputs, the joint table, the formula, the picture, the simulation."""
    layout.header(
        "Conditional probability",
        "How likely is A **if we already know** that B happened? Keep only the part of S where B happened and "
        "ask what share of it also belongs to A. The lecture's example: on a cloudy walk, how likely is rain?",
    )
    st.latex(r"P(A \mid B) = \frac{P(A \cap B)}{P(B)}")
    joint = controls()
    st.latex(joint_table_latex(joint))
    layout.prose(
        f"The lecture uses P(Rain) = {prob.WEATHER.written('rain')} in its union example and P(Rain ∩ Cloud) = "
        f"{fmt(LECTURE['p_ab'])} here. Both cannot hold at once, because P(Rain ∩ Cloud) ≤ P(Rain); so this page "
        f"takes P(Rain) = {fmt(LECTURE['p_a'])}, the app's choice, which leaves P(Rain ∩ not Cloud) = "
        f"{fmt(LECTURE['p_a'] - LECTURE['p_ab'])} for rain on walks without clouds.",
        label=f"Why P(Rain) = {fmt(LECTURE['p_a'])} here",
    )
    for problem in joint.problems:
        layout.error(problem)
    if joint.problems:
        st.info(f"P({joint.a} | {joint.b}), the formula with numbers, the picture and the simulation need a possible "
                "joint table: fix the inputs above.", icon="ℹ️")  # fmt: skip
        return
    try:
        p_cond = prob.conditional(joint.p_ab, joint.p_b)
    except ValueError as exc:
        layout.error(f"{exc} Here B = {joint.b}.")
        return
    st.metric(f"P({joint.a} | {joint.b})", fmt(p_cond))
    st.subheader("The formula, step by step")
    derivation(joint, p_cond)
    st.subheader("Conditioning zooms into B")
    pictures(joint, p_cond)
    st.subheader("Count it: Monte Carlo")
    layout.section(monte_carlo, joint, p_cond)


main()
