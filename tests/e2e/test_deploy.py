"""deploy/serve.sh in Chromium: two Streamlit processes behind nginx, sticky sessions, a process killed and back.

The stack runs in its own process group with a fresh cache folder. A browser's responses and websocket carry
X-Explorer-Backend (the process nginx used; "a, b" after a failover, b answered): the websocket's comes from
the handshake, seen through the Chrome DevTools Protocol.
"""

from __future__ import annotations

import os
import signal
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, Response, expect

from core.data import load_fashion_mnist
from core.imaging import render_shop_photo
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppPage
from tests.e2e.stack import Stack, serve, wait_until
from ui.navigation import PageInfo, all_pages

PAGES = all_pages()
UPLOAD = ".st-key-cls_upload input[type=file]"
SCORES = ".st-key-cls_scores .js-plotly-plot"
CLOSET = "sample_spaces"
CLOSET_QUERY = "ss_exp=Grab+clothing+from+the+closet"  # one real image per class: st.image, served from /media/
EXCEPTION = '[data-testid="stException"]'


def port_of(backend: str) -> int:
    """The port of the process that answered: the last of X-Explorer-Backend's addresses."""
    return int(backend.rsplit(",", 1)[-1].strip().rsplit(":", 1)[1])


def health(port: int) -> int | None:
    """The status of a Streamlit process's /_stcore/health, asked directly (None if nothing answers)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status
    except OSError:
        return None


@pytest.fixture(scope="module")
def stack(fashion_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`deploy/serve.sh --processes 2 --port <free>` in its own process group, until the module ends."""
    with serve(tmp_path_factory.mktemp("deploy")) as running:
        yield running


@dataclass
class Visit:
    """A fresh browser context on the proxy that records which process served each response and websocket."""

    context: BrowserContext
    app: AppPage
    responses: list[tuple[str, int, int]] = field(default_factory=list)  # (path, status, port of the process)
    sockets: list[int] = field(default_factory=list)  # port of the process of each websocket, in order

    @property
    def cookie(self) -> int:
        """The process the sticky cookie names."""
        return int(next(c["value"] for c in self.context.cookies() if c["name"] == "explorer_backend"))

    def served(self, prefix: str) -> set[int]:
        """The processes that answered the requests whose path starts with ``prefix``."""
        return {port for path, _, port in self.responses if path.startswith(prefix)}


def visit(browser: Browser, url: str) -> Visit:
    """A new context with one tab on ``url``'s home page, its script run finished."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Visit(context, AppPage(page, url))

    def on_response(response: Response) -> None:
        backend = response.headers.get("x-explorer-backend")
        if backend:
            seen.responses.append((urlsplit(response.url).path, response.status, port_of(backend)))

    def on_handshake(event: dict) -> None:
        headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
        seen.sockets.append(port_of(headers["x-explorer-backend"]))

    page.on("response", on_response)
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.on("Network.webSocketHandshakeResponseReceived", on_handshake)
    seen.app.open(wait_for="h1")
    return seen


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, for as many fresh contexts as the tests need."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def visit_until(browser: Browser, url: str, wanted: Callable[[Visit], bool], what: str, tries: int = 12) -> Visit:
    """Fresh contexts until one is ``wanted`` (the others are closed); fail after ``tries``."""
    for _ in range(tries):
        candidate = visit(browser, url)
        if wanted(candidate):
            return candidate
        candidate.context.close()
    pytest.fail(f"none of {tries} fresh browser contexts landed on {what}")


@pytest.fixture(scope="module")
def pair(browser: Browser, stack: Stack) -> Iterator[list[Visit]]:
    """Two browsers whose sessions live in different processes (each open until the module ends)."""
    first = visit(browser, stack.url)
    second = visit_until(browser, stack.url, lambda v: v.sockets[0] != first.sockets[0], "a second process")
    yield [first, second]
    first.context.close()
    second.context.close()


@pytest.fixture(scope="module")
def shop_photo(fashion_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Test image 1 (a Pullover) photographed like a shop photo: a dark item on off-white, as JPEG."""
    path = tmp_path_factory.mktemp("photo") / "pullover.jpg"
    path.write_bytes(render_shop_photo(load_fashion_mnist("test")[0][1], np.random.default_rng(0)))
    return path


def test_two_browsers_land_on_different_processes(pair: list[Visit], stack: Stack) -> None:
    assert {v.sockets[0] for v in pair} == set(stack.backends())
    for v in pair:
        (page,) = [port for path, _, port in v.responses if path == "/"]
        assert v.sockets == [page] == [v.cookie]  # the page, its websocket and the cookie: one process


@pytest.mark.parametrize("page", PAGES, ids=[p.title for p in PAGES])
def test_every_page_works_through_the_proxy_on_both_processes(pair: list[Visit], page: PageInfo) -> None:
    heading = "Classification Explorer" if page.path.endswith("home.py") else page.title
    for v in pair:
        v.app.open(page.url_path, CLOSET_QUERY if page.url_path == CLOSET else "", wait_for="h1")
        assert v.app.page.locator("h1").first.inner_text().strip() == heading
        assert v.app.exceptions() == []
        assert v.app.errors() == []
        assert {port for _, _, port in v.responses} == {v.cookie}, "every request of a session on its process"


def test_uploads_media_and_the_websocket_stay_on_the_session_process(pair: list[Visit], shop_photo: Path) -> None:
    for v in pair:
        v.app.open(CLOSET, CLOSET_QUERY, wait_for='[data-testid="stImage"] img')
        v.app.open("classify", wait_for=SCORES)
        v.app.page.locator(UPLOAD).set_input_files(str(shop_photo))
        v.app.wait('[data-testid="stCaptionContainer"]:has-text("pullover.jpg: JPEG")')
        expect(v.app.page.locator(SCORES)).to_contain_text("Pullover")
        assert v.app.exceptions() == []
        uploads = [status for path, status, _ in v.responses if path.startswith("/_stcore/upload_file/")]
        assert uploads and all(200 <= status < 300 for status in uploads)
        assert v.served("/_stcore/upload_file/") == v.served("/media/") == set(v.sockets) == {v.cookie}


def test_a_killed_process_is_restarted_and_the_proxy_recovers(pair: list[Visit], browser: Browser,
                                                              stack: Stack) -> None:  # fmt: skip
    victim, survivor = pair[0].cookie, pair[1].cookie
    old_pid = stack.backends()[victim]
    sockets = len(pair[0].sockets)
    pair[0].app.open("softmax", wait_for="h1")
    os.kill(old_pid, signal.SIGKILL)

    # The open page reconnects, through nginx, to the surviving process and runs there in a fresh session.
    wait_until(lambda: len(pair[0].sockets) > sockets + 1, 60, "the page to reconnect", pair[0].app.page)
    assert pair[0].sockets[-1] == survivor
    pair[0].app.wait("h1")
    pair[0].app.page.locator('[data-testid="stSidebarNav"] a', has_text="Conditional probability").click()
    pair[0].app.wait('h1:has-text("Conditional probability")')
    assert pair[0].app.exceptions() == []

    # serve.sh starts the killed process again on its port.
    wait_until(lambda: stack.backends()[victim] != old_pid, 60, f"serve.sh to restart the process on {victim}")
    wait_until(lambda: health(victim) == 200, 120, f"the restarted process on port {victim} to answer")
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)

    # The moved browser stays on the survivor, where its session now is; the restarted process serves new ones.
    pair[0].app.open("classify", wait_for=SCORES)
    assert pair[0].cookie == survivor and pair[0].sockets[-1] == survivor
    assert pair[0].app.exceptions() == []
    fresh = visit_until(browser, stack.url, lambda v: v.sockets[0] == victim, f"the restarted process on {victim}")
    try:
        fresh.app.open("cross_entropy", wait_for="h1")
        assert fresh.app.exceptions() == []
        assert fresh.app.errors() == []
    finally:
        fresh.context.close()


def test_sigterm_stops_everything_it_started(stack: Stack) -> None:
    started = [*stack.backends().values(), stack.nginx_pid()]
    runtime = stack.runtime()
    assert runtime.is_dir()
    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(timeout=60) == 0
    wait_until(lambda: not stack.group_alive(), 30, "serve.sh's processes to end")
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not runtime.exists()
    assert "serve.sh: stopping" in stack.text()
