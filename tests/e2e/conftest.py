"""End-to-end fixtures: the real Streamlit server on 127.0.0.1 and Debian's Chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROBE_404 = re.compile(r"^http://127\.0\.0\.1:\d+/[^/?]+/_stcore/(health|host-config)$")
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@contextlib.contextmanager
def serve(tmp_path_factory: pytest.TempPathFactory, *options: str) -> Iterator[str]:
    """Run `streamlit run app.py` (with extra command-line ``options``) on a free loopback port, with its own cache
    folder; yield its URL, and stop it afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true", "--server.address", "127.0.0.1",
                "--server.port", str(port), "--browser.gatherUsageStats", "false", *options,
            ],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache"))},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"streamlit server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app's server for the test session."""
    with serve(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The one Playwright driver of the test session (a second sync driver cannot start inside the first)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser_context(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """A persistent headless Chromium context (Debian's binary; never a downloaded browser)."""
    ctx = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium")),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )
    yield ctx
    ctx.close()


class AppPage:
    """A browser tab on the app that records console errors and page exceptions."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("response", lambda r: self.failed_requests.append(r.url) if r.status >= 400 else None)

    def open(self, path: str = "", query: str = "", wait_for: str | None = None) -> Page:
        """Go to a page of the app and wait until its script run has finished."""
        self.page.goto(f"{self.base}/{path}{'?' + query if query else ''}")
        self.wait(wait_for)
        return self.page

    def wait(self, wait_for: str | None = None, timeout: float = 60_000) -> None:
        """Wait for the current script run to end (and optionally for a page-specific element)."""
        self.page.wait_for_timeout(150)
        self.page.wait_for_selector(FINISHED, timeout=timeout)
        if wait_for:
            self.page.wait_for_selector(wait_for, timeout=timeout)
        self.page.wait_for_selector(FINISHED, timeout=timeout)

    def errors(self) -> list[str]:
        """Console errors, less the 404s of Streamlit's own base-path probe on a deep link.

        Opened at /page, Streamlit's frontend first asks /page/_stcore/health and /page/_stcore/host-config
        (in case the app is served under that prefix), logs the 404s, then uses the root. Any other failed
        request or console error is kept.
        """
        probes = [u for u in self.failed_requests if PROBE_404.search(u)]
        errors = list(self.console_errors)
        for _ in probes:
            if "Failed to load resource: the server responded with a status of 404 (Not Found)" in errors:
                errors.remove("Failed to load resource: the server responded with a status of 404 (Not Found)")
        return errors

    def full_page_screenshot(self, path: str) -> None:
        """Screenshot the whole page: Streamlit scrolls inside its own container, so grow the viewport to fit."""
        width = self.page.viewport_size["width"] if self.page.viewport_size else 1280
        height = self.page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
            "[data-testid=\"stAppViewContainer\"]')].map(e => e.scrollHeight), window.innerHeight)"
        )
        self.page.set_viewport_size({"width": width, "height": int(height) + 40})
        self.page.wait_for_timeout(600)
        self.page.screenshot(path=path, full_page=True)

    def exceptions(self) -> list[str]:
        """Texts of any Streamlit exception elements on the page."""
        return self.page.locator('[data-testid="stException"]').all_inner_texts()


@pytest.fixture()
def app(browser_context: BrowserContext, server_url: str) -> Iterator[AppPage]:
    """A fresh tab on the running app."""
    page = browser_context.new_page()
    yield AppPage(page, server_url)
    page.close()
