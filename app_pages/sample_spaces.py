"""Sample spaces & events: experiment → outcomes ω → sample space S → events A ⊆ S, P(A) = Σ_{ω∈A} P(ω).

Simulating the experiment N times shows the observed frequencies settling on the probabilities.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import probability as prob
from core.numbers import fmt
from ui import charts, layout, primer
from ui.data import first_image_per_class, get_data_panel

CLOSETS = {"lecture": prob.LECTURE_CLOSET, "uniform": prob.UNIFORM_CLOSET}
CLOSET_LABELS = {"lecture": "The lecture's closet", "uniform": "A random Fashion-MNIST image"}
# The lecture's events: {heads}, {rain, cloud, wind} (a walk without sun), {Sneaker}.
DEFAULT_EVENTS = {"coin": ["heads"], "weather": ["rain", "cloud", "wind"], "closet": ["Sneaker"]}
NOTES = {
    "coin": "A fair coin: both sides are equally likely, so each has probability ½.",
    "weather": "Each walk records **the weather you notice first**, so exactly one outcome happens per walk "
    "and the outcomes are disjoint. (The *Probability rules* page also records sun-showers, rain and sun on "
    "the same walk; then Rain and Sun are events that can overlap.)",
    "closet": "**The lecture's closet** has the lecture's P(Shirt), P(Bag) and P(Dress) = 0: a class can be in S "
    "and still never occur. **A random Fashion-MNIST image** is uniform: the training set holds 6 000 images of "
    "each class, so P(ω) = 0.1 for every ω.",
}


def experiment_controls() -> tuple[str, prob.Experiment]:
    """The experiment picker (and, for the closet, which closet)."""
    key = st.segmented_control(
        "Experiment",
        list(prob.EXPERIMENTS),
        format_func=lambda k: prob.EXPERIMENTS[k].title,
        default="coin",
        required=True,
        key="ss_exp",
        bind="query-params",
    )
    if key != "closet":
        return key, prob.EXPERIMENTS[key]
    closet = st.radio(
        "Which closet?",
        list(CLOSETS),
        format_func=CLOSET_LABELS.get,
        horizontal=True,
        key="ss_closet",
        bind="query-params",
    )
    return key, CLOSETS[closet]


def event_control(key: str, experiment: prob.Experiment) -> list[str]:
    """The event A ⊆ S, chosen outcome by outcome, with one-click presets (the lecture's event, S, ∅)."""
    widget = f"ss_event_{key}"
    lecture = DEFAULT_EVENTS[key]
    layout.presets(
        f"ss_event_{key}",
        {
            f"The lecture's A = {{{', '.join(lecture)}}}": {widget: list(lecture)},
            "A = S (certain)": {widget: list(experiment.outcomes)},
            "A = ∅ (empty)": {widget: []},
        },
        label="Events",
    )
    return st.multiselect(
        "Event A: pick the outcomes that make up A",
        list(experiment.outcomes),
        default=lecture,
        key=widget,
        bind="query-params",
    )


def sum_latex(experiment: prob.Experiment, event: list[str], p_a: float) -> str:
    """P(A) = Σ_{ω∈A} P(ω) = P(ω₁) + … = p₁ + … = P(A), P(ω) as the lecture writes it (½), terms per line."""
    if not event:
        return r"P(\varnothing) = 0 \quad\text{(the empty event never happens)}"
    names = primer.latex_sum_lines([rf"P(\text{{{w}}})" for w in event], per_line=3)
    terms = [experiment.written(w, tex=True) for w in event]
    values = primer.latex_sum_lines(terms)
    total = rf" \\ &= {fmt(p_a, tex=True)}" if len(event) > 1 or terms[0] != fmt(p_a, tex=True) else ""
    body = rf"P(A) &= \sum_{{\omega \in A}} P(\omega) \\ &= {names} \\ &= {values}{total}"
    return rf"\begin{{aligned}} {body} \end{{aligned}}"


def complement_latex(experiment: prob.Experiment, mask: np.ndarray) -> list[str]:
    """The check P(A) = 1 − P(Ā), Ā = S ∖ A the outcomes not in A: two lines of LaTeX."""
    p_not = prob.event_probability(experiment.probabilities, ~mask)
    rest = [w for w, inside in zip(experiment.outcomes, mask, strict=True) if not inside]
    return [rf"\bar A = S \setminus A = {primer.latex_set(rest, per_line=3)}",
            rf"P(A) = 1 - P(\bar A) = 1 - {fmt(p_not, tex=True)} = {fmt(1 - p_not, tex=True)}"]  # fmt: skip


def show_closet_images(experiment: prob.Experiment, mask: np.ndarray) -> None:
    """One real Fashion-MNIST image per class, outcomes in A framed green; a note if the data is missing."""
    images = first_image_per_class()
    if images is None:
        get_data_panel("ss", "Showing a real image of each class")
        return
    green = np.array([int(charts.PALETTE["event"][i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    grey = np.full(3, 225, dtype=np.uint8)
    scale = 4 if layout.is_lecture() else 3
    side = 28 * scale + 12
    tiles = []
    for image, inside in zip(images, mask, strict=True):
        big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
        frame = np.broadcast_to(green if inside else grey, (side, side, 3)).copy()
        frame[6:-6, 6:-6] = big[..., None]
        tiles.append(frame)
    captions = [f"{w} · {fmt(p)}" + (" · never occurs" if p == 0 else "")
                for w, p in zip(experiment.outcomes, experiment.p, strict=True)]  # fmt: skip
    st.image(tiles, caption=captions, width=side,
             alt=[f"A real Fashion-MNIST {w}" + (", in A" if inside else "") for w, inside in
                  zip(experiment.outcomes, mask, strict=True)])  # fmt: skip
    never = "".join(f" {w} is in S but never occurs: P({w}) = 0." for w in experiment.never)
    st.caption(f"One real training image per class, with its P(ω); the classes in A are framed green.{never}")


def simulate(experiment: prob.Experiment, mask: np.ndarray, p_a: float) -> None:
    """Run the experiment N times (N and the seed set here): observed vs exact per outcome, and the running
    frequency of A."""
    n, seed = primer.simulation_controls("ss")
    outcomes = prob.sample(experiment.probabilities, n, seed)[:, 0]
    observed = prob.frequencies(outcomes, len(experiment.outcomes))
    hits = mask[outcomes]
    ns, running = prob.running_frequency(hits)
    st.markdown(f"**Each outcome: P(ω) and its frequency in {n:,} trials**")
    fig = charts.exact_vs_observed(list(experiment.outcomes), list(experiment.p), observed.tolist(),
                                   in_event=mask.tolist())  # fmt: skip
    layout.plot(fig, key="ss_bars", height=320)
    st.markdown("**The event A: its running frequency #A / N settles on P(A)**")
    band = prob.binomial_band(p_a, ns)
    fig = charts.running_estimate(
        ns.tolist(), running.tolist(), p_a, band=(band[0].tolist(), band[1].tolist()), y_title="#A / N"
    )
    layout.plot(fig, key="ss_lln", height=320)
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Trials in A (of {n:,})", f"{int(hits.sum()):,}")
    m2.metric("Frequency #A / N", fmt(hits.mean()))
    m3.metric("Exact P(A)", fmt(p_a), delta=f"off by {fmt(abs(hits.mean() - p_a))}", delta_color="off",
              delta_arrow="off")  # fmt: skip
    layout.prose(
        "The shaded funnel is where about 95 % of such runs lie, p ± 1.96·√(p(1−p)/N): it narrows like "
        "1/√N, so 100× more trials make the frequency about 10× closer to P(A) — the **law of large numbers**. "
        "Press *New run* to see another run with the same N.",
        label="Why it settles",
    )
    layout.show_code(prob.sample, prob.frequencies, prob.running_frequency)


def main() -> None:
    """The page: experiment and S, the event A and P(A), then the simulation."""
    layout.header(
        "Sample spaces & events",
        "An **experiment** has **outcomes** ω; together they form the **sample space** S. An **event** A is a "
        "subset of S, and its probability is the sum of the probabilities of its outcomes. Pick an experiment, "
        "build an event, then repeat the experiment many times: the frequencies settle on the probabilities.",
    )
    key, experiment = experiment_controls()
    st.subheader(f"1 · The sample space of “{experiment.title}”")
    st.latex(rf"S = {primer.latex_set(list(experiment.outcomes))}, \qquad |S| = {len(experiment.outcomes)}")
    primer.show_values_note(experiment)
    layout.prose(NOTES[key], label="Where these probabilities come from")

    st.subheader("2 · An event is a subset A ⊆ S")
    event = event_control(key, experiment)
    mask = prob.event_mask(experiment.outcomes, event)
    p_a = prob.event_probability(experiment.probabilities, mask)
    if key == "closet":
        show_closet_images(experiment, mask)
    st.latex(rf"A = {primer.latex_set(event, per_line=3)} \subseteq S")
    st.latex(sum_latex(experiment, event, p_a))
    st.metric("P(A)", fmt(p_a))
    if event:
        for line in complement_latex(experiment, mask):
            st.latex(line)

    st.subheader("3 · Repeat the experiment N times")
    layout.section(simulate, experiment, mask, p_a)


main()
