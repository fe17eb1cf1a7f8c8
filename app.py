"""Classification Explorer: entry point. Builds the navigation and the global sidebar."""

import streamlit as st

from ui import layout, lecture, live_class
from ui.navigation import streamlit_pages
from ui.server import configure_process


def run() -> None:
    """Page config, lecture-mode sidebar, then the selected page; a student's run that follows the lecturer's
    change waits its turn (`live_class.turn`)."""
    configure_process()
    with live_class.turn():
        _run()


def _run() -> None:
    lecture_link = layout.lecture_in_url()
    # A projector has no room for the sidebar: a lecture link opens with it folded (the strip navigates).
    st.set_page_config(page_title="Classification Explorer", page_icon="👕", layout="wide",
                       initial_sidebar_state="collapsed" if lecture_link else "auto")
    pages = streamlit_pages()
    page = st.navigation(list(pages.values()))
    path = next(p for p, candidate in pages.items() if candidate.url_path == page.url_path)
    live_class.seed_from_url()
    with st.sidebar:
        on = layout.lecture_toggle()
        st.caption("Every control is in the URL: copy it to share exactly this view.")
        if st.button("QR code of this view", key="sidebar_qr"):
            lecture.qr_dialog()
        live_class.sidebar()
    lecture.seed_from_url()
    live_class.follow(pages, page)  # a student: the lecturer's page and control values (its turn has come)
    lecture.follow(pages, page)
    if on:
        lecture.strip(path)
    stop = lecture.current() if on else None
    if not (on and live_class.is_lecturer()):  # in lecture mode the strip draws it
        live_class.panel(path, stop)
    live_class.student_question()
    lecture.scroll_to(live_class.followed_stop(), path)
    page.run()
    live_class.publish(path, stop)  # the lecturer: the view students follow
    lecture.questions(path)
    live_class.done()


run()
