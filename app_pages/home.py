"""Home: the lecture's five-step plan, each step linked to the pages that teach it."""

import streamlit as st

from ui import layout
from ui.navigation import PLAN

layout.header(
    "Classification Explorer",
    "An interactive companion to the first lecture on **classification**: given an image x of a piece of "
    "clothing, predict its class y. Every page turns one idea of the lecture into something to touch, "
    "with the lecture's own examples and numbers. Switch on **Lecture mode** in the sidebar for a projector.",
)

st.latex(r"f(x,\theta) = \operatorname{softmax}(Wx + b), \qquad \theta = (W, b)")

for step, question, pages in PLAN:
    with st.container(border=True):
        st.subheader(step)
        st.markdown(question)
        for page in pages:
            st.page_link(page.path, label=f"**{page.title}** — {page.summary}", icon=page.icon)
        if not pages:
            st.caption("Discussed in the lecture; its interactive page is on the way.")
