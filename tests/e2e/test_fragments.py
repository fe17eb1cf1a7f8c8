"""A section with controls of its own reruns alone (an `st.fragment`) in normal mode, and with its page in
lecture mode, as `ui.layout.section` says. Read from what the browser really sends: the BackMsg protobufs on
Streamlit's websocket."""

from __future__ import annotations

import pytest
from playwright.sync_api import WebSocket
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.e2e.conftest import AppPage


def _reruns_sent(app: AppPage) -> list[BackMsg]:
    """Every rerun request the tab sends from now on (collected as it sends them)."""
    sent: list[BackMsg] = []

    def watch(ws: WebSocket) -> None:
        def frame(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                msg = BackMsg()
                msg.ParseFromString(payload)
                if msg.WhichOneof("type") == "rerun_script":
                    sent.append(msg)

        ws.on("framesent", frame)

    app.page.on("websocket", watch)
    return sent


@pytest.mark.parametrize(("query", "alone"), [("", True), ("lecture=true", False)], ids=["normal", "lecture"])
def test_moving_the_simulations_n_reruns_only_the_simulation_in_normal_mode(app: AppPage, query: str,
                                                                           alone: bool) -> None:  # fmt: skip
    sent = _reruns_sent(app)
    app.open("sample_spaces", query, wait_for=".st-key-ss_n")
    before = len(sent)
    app.page.locator('.st-key-ss_n input[type="range"]').focus()
    app.page.keyboard.press("ArrowLeft")  # N: 10 000 → the next smaller choice
    app.page.wait_for_function("() => window.location.search.includes('ss_n=')", timeout=20_000)
    app.wait()
    moved = [m for m in sent[before:] if m.rerun_script.widget_states.widgets]
    assert moved, "moving N sent no rerun"
    fragment_ids = {m.rerun_script.fragment_id for m in moved}
    if alone:
        assert "" not in fragment_ids  # a fragment rerun: the rest of the page is not run again
    else:
        assert fragment_ids == {""}  # the whole page, so that the lecture strip sees the change
    assert app.exceptions() == []
