"""Home, step 1 of the lecture ("define the problem"): regression or classification, the problem and the approach
f(x, θ) = P(y | x); then the lecture's five-step plan, each step linked to the pages that teach it."""

import streamlit as st

from core.data import CLASS_NAMES
from ui import charts, layout
from ui.data import first_image_per_class
from ui.navigation import PLAN

# The lecture's opening: its examples, word for word.
REGRESSION = ("How much money will I make?", "How much rain tomorrow?", "How far away is this object?")
CLASSIFICATION = ("Dog or muffin?", "Will it rain tomorrow, yes or no?", "What colour is this object?")


def show_opening() -> None:
    """The lecture's opening, "many problems in ML can be reduced to regression or classification", and its examples."""
    st.subheader("Regression or classification?")
    st.markdown("> *Many problems in ML can be reduced to regression or classification.* — the lecture")
    left, right = st.columns(2, gap="medium")
    for column, (name, asks, examples) in zip(
        (left, right),
        (("Regression", "how many?", REGRESSION), ("Classification", "which one?", CLASSIFICATION)),
        strict=True,
    ):
        with column.container(border=True):
            st.markdown(f"**{name}** asks *{asks}*\n" + "".join(f"\n- {q}" for q in examples))
    layout.prose(
        "The same thing can be asked either way: *how much* rain tomorrow is regression (a number), *will it rain "
        "tomorrow, yes or no* is classification (one of two classes). This lecture is about classification."
    )


def show_problem() -> None:
    """Step 1's content: x and Y with one real image per class, and the approach f(x, θ) = P(y | x)."""
    st.markdown(f"Y = {{{', '.join(CLASS_NAMES)}}}")
    examples = first_image_per_class()
    if examples is not None:
        layout.plot(charts.image_grid(examples, list(CLASS_NAMES), columns=5), key="home_examples")
        st.caption("x: one real Fashion-MNIST image per class, with its label y (the 10 classes, in label order).")
    st.markdown(
        "**The approach:** learn parameters θ so that the model gives the probability of every class — "
        "class probabilities, not a single answer:"
    )
    st.latex(r"f(x, \theta) = P(y \mid x)")
    st.latex(r"\text{e.g. } P(\text{boot} \mid \text{image of a boot})")
    layout.prose(
        "f(x, θ) is a vector with one entry P(y | x) for each class y ∈ Y; the entries are probabilities, so "
        "they are non-negative and sum to 1. The rest of the plan: the language of probability, the model f, "
        "a loss 𝓛 that says how wrong f is, and learning θ."
    )


def main() -> None:
    layout.header(
        "Classification Explorer",
        "An interactive companion to the first lecture on **classification**: given an image x of a piece of "
        "clothing, predict its class y. Every page turns one idea of the lecture into something to touch, "
        "with the lecture's own examples and numbers. Switch on **Lecture mode** in the sidebar for a projector.",
    )
    show_opening()
    st.subheader("The plan")
    for i, (step, question, pages) in enumerate(PLAN):
        with st.container(border=True):
            st.markdown(f"#### {step}")
            st.markdown(question)
            if i == 0:  # "define the problem": this page
                show_problem()
            if i == 2:  # "the model f"
                st.latex(r"f(x,\theta) = \operatorname{softmax}(Wx + b),\ \ \theta = (W, b)")
            for page in pages:  # the summary below the link: a page link's label does not wrap on a phone
                st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
                st.caption(page.summary)


main()
