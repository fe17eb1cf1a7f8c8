"""Probability rules: the axioms, when the sum and product rules hold, and random variables.

Each rule has a tab (bound to the URL): edit a distribution and watch the axioms; give two events an overlap with
P(A∩B) > 0 and watch P(A∪B) = P(A) + P(B) fail; compare one coin flip with two for P(A∩B) = P(A)·P(B); and build the
distribution of a random variable X: Sᵏ → ℝ by enumerating Sᵏ.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import probability as prob
from core.numbers import fmt
from ui import charts, layout, primer

TABS = ["Axioms", "Union", "Product", "Random variables"]
RANDOM_VARIABLES = {
    "heads": "Heads in k coin flips",
    "dice": "Sum of two dice",
    "footwear": "Closet item is footwear",
}
CHECK, CROSS = r"\quad\checkmark", r"\quad\text{✗}"


def _title(key: str) -> str:
    """The experiment's name, as the lecture says it."""
    return prob.EXPERIMENTS[key].title


def axioms() -> None:
    """An editable distribution over S with 0 ≤ P(ω) ≤ 1 and Σ P(ω) = 1 checked live, and a Normalise button."""
    st.latex(r"0 \le P(\omega) \le 1 \ \text{ for every } \omega \in S, \qquad \sum_{\omega \in S} P(\omega) = 1")
    key = st.segmented_control(
        "Experiment", list(prob.EXPERIMENTS), format_func=_title, default="closet", required=True,
        key="rules_exp", bind="query-params",
    )  # fmt: skip
    experiment = prob.EXPERIMENTS[key]
    keys = [f"rules_p_{key}_{i}" for i in range(len(experiment.outcomes))]
    m = len(keys)
    layout.presets(
        "rules_dist",
        {
            "Lecture's + filled-in values": dict(zip(keys, experiment.p, strict=True)),
            "Uniform": dict.fromkeys(keys, 1 / m),
            "Counts from 100 trials": {k: float(round(100 * p)) for k, p in zip(keys, experiment.p, strict=True)},
        },
        label="Start from",
    )
    primer.show_values_note(experiment)
    per_row = 5
    values = []
    for start in range(0, m, per_row):
        cols = st.columns(per_row)
        for col, i in zip(cols, range(start, min(start + per_row, m)), strict=False):
            value = col.number_input(
                f"P({experiment.outcomes[i]})", value=float(experiment.p[i]), step=0.01, format="%g", key=keys[i],
                bind="query-params",
            )  # fmt: skip
            values.append(value)
    p = np.array(values, dtype=np.float64)
    total = float(np.sum(p))
    terms = primer.latex_sum_lines([fmt(v) for v in p], per_line=5)
    problems = prob.distribution_problems(p, experiment.outcomes)
    verdict = CHECK if not problems else CROSS
    st.latex(rf"\begin{{aligned}} \sum_{{\omega \in S}} P(\omega) &= {terms} \\ &= {fmt(total)}{verdict} "
             r"\end{aligned}")  # fmt: skip
    if not problems:
        st.success("Both axioms hold: every P(ω) is between 0 and 1, and together they sum to 1.", icon="✅")
        return
    layout.error("The axioms fail:\n\n" + "\n".join(f"- {problem}" for problem in problems))
    try:
        fixed = prob.normalise(p)
    except ValueError as exc:
        st.caption(f"Normalise is not possible here. {exc}")
        return

    def apply() -> None:
        for k, v in zip(keys, fixed, strict=True):
            st.session_state[k] = float(v)

    st.button(
        f"Normalise: divide every value by the sum {fmt(total)}", key="rules_normalise", on_click=apply,
        type="primary",
    )  # fmt: skip


def union_of_closet_events() -> None:
    """Two events of one closet draw: P(A) + P(B) = P(A∪B) exactly when P(A∩B) = 0, shared outcomes or not."""
    st.markdown("##### One item from the closet (the lecture's closet)")
    closet = prob.LECTURE_CLOSET
    c1, c2 = st.columns(2)
    a = c1.multiselect("Event A", list(closet.outcomes), default=["Shirt"], key="rules_a", bind="query-params")
    b = c2.multiselect("Event B", list(closet.outcomes), default=["Bag"], key="rules_b", bind="query-params")
    layout.presets(
        "rules_union",
        {
            "Shirt, Bag (lecture)": {"rules_a": ["Shirt"], "rules_b": ["Bag"]},
            "Share Dress (never occurs)": {"rules_a": ["Shirt", "Dress"], "rules_b": ["Dress", "Bag"]},
            "Share Shirt": {"rules_a": ["T-shirt/top", "Shirt"], "rules_b": ["Shirt"]},
        },
        label="Try",
    )
    mask_a, mask_b = prob.event_mask(closet.outcomes, a), prob.event_mask(closet.outcomes, b)
    cells = prob.joint_of_events(closet.probabilities, mask_a, mask_b)
    p_a, p_b, p_ab = prob.marginals(cells)
    p_union = prob.event_probability(closet.probabilities, mask_a | mask_b)
    naive = p_a + p_b
    both = [w for w, inside in zip(closet.outcomes, mask_a & mask_b, strict=True) if inside]
    st.latex(rf"A = {primer.latex_set(a, per_line=3)}, \quad B = {primer.latex_set(b, per_line=3)}")
    st.latex(rf"A \cap B = {primer.latex_set(both, per_line=3)}")
    if prob.sum_rule_holds(p_a, p_b, p_ab):
        st.latex(rf"\begin{{aligned}} P(A \cap B) &= 0 \\ P(A \cup B) &= P(A) + P(B) \\ &= {fmt(p_a)} + {fmt(p_b)} "
                 rf"= {fmt(naive)}{CHECK} \end{{aligned}}")  # fmt: skip
        if not both:
            st.caption("A and B share no outcome (A ∩ B = ∅), so P(A ∩ B) = 0: one item cannot be both, and the "
                       "probabilities add.")  # fmt: skip
        else:
            shared = ", ".join(both)
            st.caption(f"A and B overlap in {shared}, but P({shared}) = 0: it never occurs, so P(A ∩ B) = 0 and "
                       "the simple sum still holds. The rule needs P(A ∩ B) = 0, not A ∩ B = ∅.")  # fmt: skip
    else:
        st.latex(rf"\begin{{aligned}} P(A) + P(B) &= {fmt(naive)}{CROSS} \\ P(A \cup B) &= {fmt(p_union)} "
                 rf"\\ &= P(A) + P(B) - P(A \cap B) \\ &= {fmt(p_a)} + {fmt(p_b)} - {fmt(p_ab)} \end{{aligned}}")
        shared = ", ".join(both)
        st.caption(f"A and B share {shared}: its probability {fmt(p_ab)} is counted twice by "
                   "P(A) + P(B). Subtract P(A ∩ B) once and the rule is right again.")  # fmt: skip
    primer.show_values_note(closet)
    layout.plot(charts.mosaic(cells.tolist(), "A", "B"), key="rules_union_closet")


def union_of_overlapping_events() -> None:
    """Rain and Sun recorded on the same walk can co-occur: P(A∪B) = P(A) + P(B) − P(A∩B)."""
    st.markdown("##### Overlapping: rain and sun on one walk (a sun-shower has both)")
    c1, c2, c3 = st.columns(3)
    p_a = c1.number_input("P(Rain)", value=0.05, step=0.01, format="%g", key="rules_rain", bind="query-params")
    p_b = c2.number_input("P(Sun)", value=0.4, step=0.01, format="%g", key="rules_sun", bind="query-params")
    p_ab = c3.number_input("P(Rain ∩ Sun)", value=0.02, step=0.01, format="%g", key="rules_both",
                           bind="query-params")  # fmt: skip
    st.caption("The starting values P(Rain) = 0.05 and P(Sun) = 0.4 are the lecture's; the starting P(Rain ∩ Sun) "
               "= 0.02 (sun-showers) is the app's choice.")  # fmt: skip
    problems = prob.pair_problems(p_a, p_b, p_ab, "Rain", "Sun")
    if problems:
        layout.error(" ".join(problems))
        return
    p_union = prob.union(p_a, p_b, p_ab)
    st.latex(
        rf"\begin{{aligned}} P(\text{{Rain}} \cup \text{{Sun}}) &= P(\text{{Rain}}) + P(\text{{Sun}}) \\ "
        rf"&\quad - P(\text{{Rain}} \cap \text{{Sun}}) \\ &= {fmt(p_a)} + {fmt(p_b)} - {fmt(p_ab)} "
        rf"= {fmt(p_union)} \end{{aligned}}"
    )
    if prob.sum_rule_holds(p_a, p_b, p_ab):
        st.latex(rf"\begin{{aligned}} P(\text{{Rain}}) + P(\text{{Sun}}) &= {fmt(p_a + p_b)} \\ "
                 rf"&= P(\text{{Rain}} \cup \text{{Sun}}){CHECK} \end{{aligned}}")  # fmt: skip
        st.caption("With P(Rain ∩ Sun) = 0 the simple sum is right: P(Rain ∪ Sun) = P(Rain) + P(Sun).")
    else:
        st.latex(rf"\begin{{aligned}} P(\text{{Rain}}) + P(\text{{Sun}}) &= {fmt(p_a + p_b)} \\ "
                 rf"&\ne {fmt(p_union)} = P(\text{{Rain}} \cup \text{{Sun}}){CROSS} \end{{aligned}}")  # fmt: skip
        st.caption(f"The plain sum {fmt(p_a + p_b)} counts the sun-showers twice. Set P(Rain ∩ Sun) = 0 "
                   "and the simple rule holds again.")  # fmt: skip
    cells = prob.joint_from_marginals(p_a, p_b, p_ab)
    layout.plot(charts.mosaic(cells.tolist(), "Rain", "Sun"), key="rules_union_weather")


def union() -> None:
    """The union rule, for events with P(A∩B) = 0 and in general."""
    st.latex(r"\begin{aligned} &P(A \cup B) = P(A) + P(B) \\ &\text{if and only if } P(A \cap B) = 0 "
             r"\\ &(\text{e.g. when } A \cap B = \varnothing) \end{aligned}")  # fmt: skip
    st.markdown("In general, for any two events:")
    st.latex(r"P(A \cup B) = P(A) + P(B) - P(A \cap B)")
    st.caption("In the pictures S is a unit square and every area is a probability: A is green, B purple, "
               "A ∩ B hatched. Together the coloured areas are A ∪ B.")  # fmt: skip
    union_of_closet_events()
    union_of_overlapping_events()
    layout.prose(
        "On the *Sample spaces* page each walk records only the weather you notice first, so there rain and sun "
        "are different outcomes and disjoint. Here we record every condition on a walk, so both can happen.",
        label="Why the weather behaves differently here",
    )


def product() -> None:
    """The product rule: one flip (heads and tails exclude each other) versus two independent flips."""
    st.latex(r"\begin{aligned} &P(A \cap B) = P(A)\,P(B) \\ &\text{if and only if } A \text{ and } B "
             r"\text{ are independent} \end{aligned}")  # fmt: skip
    st.caption("That is the definition of independent events. The lecture's coin has P(heads) = ½; move the "
               "slider to try a biased coin.")  # fmt: skip
    q = st.slider("P(heads) for this coin", 0.05, 0.95, 0.5, 0.05, key="rules_heads", bind="query-params")
    coin = np.array([q, 1 - q])
    st.markdown("##### One flip: A = heads, B = tails")
    cells = prob.joint_of_events(coin, [True, False], [False, True])
    p_a, p_b, p_ab = prob.marginals(cells)
    st.latex(r"S = \{\text{heads}, \text{tails}\}, \quad A \cap B = \varnothing")
    verdict = CHECK if prob.independent(p_a, p_b, p_ab) else CROSS
    st.latex(
        rf"\begin{{aligned}} P(A \cap B) &= {fmt(p_ab)} \\ P(A)\,P(B) &= {fmt(p_a)} \cdot {fmt(p_b)} "
        rf"= {fmt(p_a * p_b)}{verdict} \end{{aligned}}"
    )
    st.caption("One flip cannot land both ways, so heads ∩ tails has no area at all. Knowing it is heads "
               "tells you it is not tails — the opposite of independent.")  # fmt: skip
    layout.plot(charts.mosaic(cells.tolist(), "heads", "tails"), key="rules_one_flip")

    st.markdown("##### Two flips: A = heads on the 1st, B = tails on the 2nd")
    flips = prob.two_flips(q)
    p_a, p_b, p_ab = prob.marginals(flips.cells)
    st.latex(rf"S^2 = {primer.latex_set(list(flips.outcomes))}, \quad |S^2| = {len(flips.outcomes)}")
    st.latex(rf"A = {primer.latex_set(flips.members(flips.mask_a))}, \quad "
             rf"B = {primer.latex_set(flips.members(flips.mask_b))}")  # fmt: skip
    st.latex(rf"A \cap B = {primer.latex_set(flips.members(flips.mask_a & flips.mask_b))}")
    verdict = CHECK if flips.independent else CROSS
    st.latex(
        rf"\begin{{aligned}} P(A \cap B) &= P(\text{{HT}}) = {fmt(p_ab)} \\ P(A)\,P(B) &= {fmt(p_a)} "
        rf"\cdot {fmt(p_b)} = {fmt(p_a * p_b)}{verdict} \end{{aligned}}"
    )
    st.caption("The flips do not influence each other, so every pair has P(ω₁ω₂) = P(ω₁)·P(ω₂): "
               + ", ".join(f"P({n}) = {fmt(v)}" for n, v in zip(flips.outcomes, flips.p, strict=True))
               + ".")  # fmt: skip
    layout.plot(charts.mosaic(flips.cells.tolist(), "H 1st", "T 2nd"), key="rules_two_flips")
    layout.prose(
        "In the picture, A is the green band at the bottom of each column. For independent events it has the "
        "same height in both columns: knowing whether B happened does not change how likely A is.",
        label="Reading the picture",
    )
    layout.show_code(prob.two_flips, prob.independent)


def random_variable() -> prob.RandomVariable:
    """The chosen random variable X."""
    choice = st.segmented_control(
        "Random variable X", list(RANDOM_VARIABLES), format_func=RANDOM_VARIABLES.get, default="heads",
        required=True, key="rules_rv", bind="query-params",
    )  # fmt: skip
    if choice == "heads":
        k = st.slider("Number of flips k", 1, 10, 3, key="rules_k", bind="query-params")
        return prob.heads_in_flips(int(k))
    if choice == "dice":
        return prob.sum_of_two_dice()
    return prob.is_footwear()


def domain_latex(rv: prob.RandomVariable) -> list[str]:
    """The enumerated domain of X, one line each: S, and for k repeats Sᵏ and |Sᵏ| = |S|ᵏ."""
    space = primer.latex_set_preview(rv.domain_names())
    if rv.k == 1:
        return [rf"S = {space}, \quad |S| = {rv.domain_size}"]
    size = f"{rv.domain_size:,}".replace(",", "{,}")
    return [
        rf"S = {primer.latex_set(list(rv.experiment.outcomes), per_line=6)}",
        rf"{rv.domain_tex} = {space}",
        rf"|{rv.domain_tex}| = |S|^{{{rv.k}}} = {len(rv.experiment.outcomes)}^{{{rv.k}}} = {size}",
    ]


def random_variables() -> None:
    """The lecture's TODO: a random variable X: Sᵏ → ℝ, its distribution P(X = x) by enumeration, and E[X]."""
    rv = random_variable()
    d = rv.domain_tex
    st.latex(rf"X : {d} \to \mathbb{{R}}")
    st.latex(rf"P(X = x) = \sum_{{\omega \in {d} \,:\, X(\omega) = x}} P(\omega)")
    st.latex(r"E[X] = \sum_x x\, P(X = x)")
    for line in domain_latex(rv):
        st.latex(line)
    if rv.experiment is prob.LECTURE_CLOSET:
        primer.show_values_note(rv.experiment)
    values, pmf = rv.distribution()
    mean = prob.expectation(values, pmf)
    st.latex(rv.definition)
    if len(values) <= 4:
        terms = [rf"{fmt(x)} \cdot {fmt(q)}" for x, q in zip(values, pmf, strict=True)]
        st.latex(rf"\begin{{aligned}} E[X] &= {primer.latex_sum_lines(terms, per_line=2)} \\ &= {fmt(mean)} "
                 r"\end{aligned}")  # fmt: skip
    else:
        st.latex(rf"E[X] = \sum_x x\, P(X = x) = {fmt(mean)}")
    n, seed = primer.simulation_controls("rules_rv", default_n=1_000)
    observed, sample_mean = rv.observed(n, seed)
    st.markdown(f"**{rv.name}: the exact distribution of X and the frequencies in {n:,} samples**")
    fig = charts.exact_vs_observed(
        values.tolist(), pmf.tolist(), observed.tolist(), means=(mean, sample_mean), x_title="x", y_title="P(X = x)",
        exact_name="exact P(X = x)", observed_name="sampled frequency",
    )  # fmt: skip
    layout.plot(fig, key="rules_rv_chart")
    m1, m2 = st.columns(2)
    m1.metric("E[X] (exact)", fmt(mean))
    m2.metric(f"Mean of {n:,} samples", fmt(sample_mean))
    layout.prose(
        "A **random variable** turns each outcome into a number: for k repeats of an experiment with sample "
        "space S an outcome is a sequence ω = (ω₁, …, ω_k) ∈ Sᵏ, so X: Sᵏ → ℝ. Its **distribution** lists how likely each "
        "value is, found by adding up P(ω) over the outcomes that give that value — here by enumerating every "
        "ω ∈ Sᵏ. For an indicator (1 if an event happens, else 0), E[X] is the probability of the event. "
        "The classifier of this lecture outputs exactly such a distribution: P(Y = y | x) over the 10 classes.",
        label="What a random variable is",
    )
    layout.show_code(prob.enumerate_product, prob.RandomVariable.distribution)


def main() -> None:
    """The page: one URL-bound tab per rule."""
    layout.header(
        "Probability rules",
        "Probabilities follow a few rules. Two always hold (the **axioms**); two more — adding and multiplying "
        "— hold only under conditions that are easy to forget. Break each rule here and see exactly why.",
    )
    tabs = st.tabs(TABS, key="rules_tab", bind="query-params")
    for tab, draw in zip(tabs, (axioms, union, product, random_variables), strict=True):
        if tab.open:
            with tab:
                layout.section(draw)


main()
