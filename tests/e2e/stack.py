"""deploy/serve.sh for the end-to-end tests: the stack started in its own process group, what its output says, and
everything it started stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ROOT
from tests.postgres import free_port


def wait_until(condition: Callable[[], object], timeout: float, what: str, page: Page | None = None) -> None:
    """Poll ``condition`` until it is true; fail saying ``what`` was awaited after ``timeout`` seconds.

    With a ``page``, wait in Playwright, which meanwhile delivers the page's events to their handlers.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")
        if page is None:
            time.sleep(0.2)
        else:
            page.wait_for_timeout(200)


@dataclass
class Stack:
    """A running `deploy/serve.sh` and what its stdout says."""

    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def lines(self, pattern: str) -> list[re.Match[str]]:
        """The matches of ``pattern`` against whole lines of serve.sh's output, in order."""
        return [m for line in self.text().splitlines() if (m := re.fullmatch(pattern, line))]

    def backends(self) -> dict[int, int]:
        """Port → PID of the newest process serve.sh started there."""
        started = self.lines(r"serve\.sh: backend \d+ pid (?P<pid>\d+) port (?P<port>\d+) started")
        return {int(m["port"]): int(m["pid"]) for m in started}

    def nginx_pid(self) -> int:
        return int(self.lines(r"serve\.sh: nginx pid (\d+) listening on .*")[0][1])

    def runtime(self) -> Path:
        """serve.sh's runtime folder (nginx.conf, logs/, temp/), from its ready line."""
        return Path(self.lines(r"serve\.sh: ready: .* logs in (\S+)/logs\)")[0][1])

    def group_alive(self) -> bool:
        """Whether any process of serve.sh's process group is left."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


@contextlib.contextmanager
def serve(folder: Path, env: Mapping[str, str] | None = None, processes: int = 2) -> Iterator[Stack]:
    """`deploy/serve.sh --processes N --port <free>` with a fresh cache folder under ``folder`` (and ``env``), in its
    own process group, until the block ends; then everything of the group is stopped."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.fail("nginx is needed for deploy/serve.sh: apt-get install nginx")
    log = folder / "serve.log"
    full_env = {**os.environ, "PYTHON": sys.executable, "XDG_CACHE_HOME": str(folder / "cache"), **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen([str(ROOT / "deploy" / "serve.sh"), "--processes", str(processes), "--port",
                                    str(free_port())], cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    running = Stack(process, log)
    try:
        wait_until(lambda: "serve.sh: ready: " in running.text() or process.poll() is not None, 240, "serve.sh")
        if process.poll() is not None:
            pytest.fail(f"serve.sh exited with status {process.returncode}:\n{running.text()}")
        running.url = running.lines(r"serve\.sh: ready: (\S+) .*")[0][1]
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if running.group_alive():
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
