"""Home: the lecture's five-step plan, each step linked to the pages that teach it."""

import streamlit as st

from core.data import CLASS_NAMES
from ui import charts, layout
from ui.data import first_image_per_class
from ui.navigation import PLAN

layout.header(
    "Classification Explorer",
    "An interactive companion to the first lecture on **classification**: given an image x of a piece of "
    "clothing, predict its class y. Every page turns one idea of the lecture into something to touch, "
    "with the lecture's own examples and numbers. Switch on **Lecture mode** in the sidebar for a projector.",
)

st.latex(r"f(x,\theta) = \operatorname{softmax}(Wx + b), \qquad \theta = (W, b)")

for i, (step, question, pages) in enumerate(PLAN):
    with st.container(border=True):
        st.subheader(step)
        st.markdown(question)
        for page in pages:
            st.page_link(page.path, label=f"**{page.title}** — {page.summary}", icon=page.icon)
        if i == 0:  # "define the problem": show what x and y are
            examples = first_image_per_class()
            if examples is not None:
                layout.plot(charts.image_grid(examples, list(CLASS_NAMES), columns=5), key="home_examples")
                st.caption("x: one real Fashion-MNIST image per class, with its label y (the 10 classes, in label order).")
