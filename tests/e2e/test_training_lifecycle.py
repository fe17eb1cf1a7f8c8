"""Training that survives a class, in a real server and Chromium: the runs of a closed tab stop once its session
has ended (Streamlit keeps a disconnected session `server.disconnectedSessionTTL` seconds for a reconnect, here 3),
as another tab sees on the training page's server-wide count — not when the garbage collector happens to run."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import AppPage, serve

TTL = 3  # seconds a disconnected session is kept for a reconnect (Streamlit's default: 120)
PATIENCE = 60.0  # seconds the other tab watches for the count to drop (a bound, not a speed check)
SERVER = re.compile(r"(\d+) of (\d+) training slots in use .*; (\d+) runs? at the watchable pace")
PROGRESS = '[data-testid="stProgress"]'


@pytest.fixture(scope="module")
def short_ttl_url(tmp_path_factory: pytest.TempPathFactory, fashion_dir) -> Iterator[str]:
    with serve(tmp_path_factory, "--server.disconnectedSessionTTL", str(TTL)) as url:
        yield url


def training_now(app: AppPage) -> tuple[int, int]:
    """(slots in use, runs at the watchable pace), server-wide, as the training page says after a fresh load."""
    app.open("training", wait_for="text=training slots in use")
    text = app.page.get_by_text("training slots in use").first.inner_text()
    match = SERVER.search(text)
    assert match, text
    return int(match.group(1)), int(match.group(3))


def test_the_runs_of_a_closed_tab_stop_when_its_session_ends(
    browser_context: BrowserContext, short_ttl_url: str
) -> None:
    closing = AppPage(browser_context.new_page(), short_ttl_url)
    # A run at the watchable pace: its 30 epochs take minutes, so it still trains long after the session ended.
    closing.open("training", "train_epochs=30", wait_for='button:has-text("Start new run")')
    closing.page.get_by_role("button", name="Start new run").click()
    expect(closing.page.locator(PROGRESS).first).to_contain_text("running", timeout=60_000)
    watcher = AppPage(browser_context.new_page(), short_ttl_url)
    try:
        assert training_now(watcher) == (0, 1)  # the other tab sees the first tab's run
        assert closing.exceptions() == []
        closing.page.close()  # the tab closes: its websocket disconnects, the session waits TTL s for a reconnect
        deadline = time.monotonic() + PATIENCE
        while (now := training_now(watcher)) != (0, 0):
            assert time.monotonic() < deadline, f"the closed tab's run still trains: {now}"
            watcher.page.wait_for_timeout(1000)
        assert watcher.exceptions() == []
    finally:
        watcher.page.close()
