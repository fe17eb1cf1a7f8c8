"""Classification Explorer: entry point. Builds the navigation and the global sidebar."""

import streamlit as st

from ui import layout
from ui.navigation import all_pages


def run() -> None:
    """Page config, lecture-mode sidebar, then the selected page."""
    st.set_page_config(page_title="Classification Explorer", page_icon="👕", layout="wide")
    pages = [st.Page(p.path, title=p.title, icon=p.icon, default=i == 0) for i, p in enumerate(all_pages())]
    page = st.navigation(pages)
    with st.sidebar:
        layout.lecture_toggle()
        st.caption("Every control is in the URL: copy it to share exactly this view.")
    page.run()


run()
