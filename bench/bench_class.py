"""Serve a whole class: simulated students on the real server, speaking Streamlit's own websocket protocol.

No browsers: each student is a `bench/_streamlit_client.Session` (the frontend's side of the protocol: the
xsrf cookie from /_stcore/health, every cookie of the first GET kept for the websocket (a proxy's stickiness
cookie too), all widget states sent with every rerun, the ForwardMsg cache with ``ref_hash`` replies, the
auto-rerun timers of ``st.fragment(run_every=…)``). One asyncio event loop hosts the whole class.

Class mode (default). For each level (students in the room, ``--levels``) a fresh class joins over the first
``--ramp`` seconds and works for ``--seconds``:

* every student opens the home page, then a few pages in a seeded random order (think time 1–3 s between
  actions); on a page it moves sliders and number inputs, picks options, flips toggles and clicks presets
  (buttons, sent as trigger values); the training page's run buttons and full-speed toggle, the camera and the
  sidebar (lecture mode) are left alone.
* ``--trainers`` of them (default 10 % of a level) train: on "Live training" they click "Start new run" (a
  paced run, as a class watches it) and then keep the live view open; its fragment reruns every 0.25 s on the
  client's timer, as the browser does. Live updates per second per trainer = fragment runs finished ÷ time
  with the timer running. At the end of a level trainers press Reset (not timed), so that their training
  threads do not run on into the next level (a closed tab's session is kept for 120 s).
* Isolation: each student types a name derived from its own id (``Iso00042z``) as event A on the conditional
  page; the name is echoed in that page's labels and formulas. Every received message is scanned for such
  names: its own must come back, another student's never.

Per level: rerun time (BackMsg sent → ``script_finished``) after a control change, page-open time, p50/p95/max
and p95 ÷ p95 at 1 student (or at the first level); errors (failed connects, timeouts, disconnects);
exception elements; isolation; trainers' live updates/s; server CPU (utime + stime of every process of the
server, in cores) and CPU ms per script run (full and fragment runs; trainers' training threads included);
peak VmRSS and VmHWM (sum and max over the server processes); the client's own CPU and event-loop lag (is the
client the bottleneck?), and data received. Then the largest class with rerun p95 ≤ 1 s.

``--mix page:<name>`` (url path or title, e.g. page:softmax) keeps every student on one page. ``--floor``
also measures a one-slider script's server CPU per rerun on its own server process, for a "÷ floor" column.

Live class (``--mix class``, issue 10). For each level a fresh class: one lecturer session opens the walk's first
stop in lecture mode (``?lecture=true&stop=7``: the first stop from which 10 Next presses pass 3 questions of
core/lecture.py) and clicks "Start a class" (the code is read from the sidebar's text); the students join over
``--ramp`` s by the link ``?class=CODE``; the lecturer clicks Next 10 times, and after each waits until every student
shows the new stop (at most ``--bound`` s) and ``--pause`` s; at a question stop it clicks Ask the room, the students
answer after 2–6 s (a seeded choice: the radio's formatted option, then Send), the lecturer waits until its page counts
every answer (bounded), then Close and Reveal; then it ends the class. A click that changed nothing (the next stop, the
next button, "Sent:" do not appear within 2 s) is counted as lost and made again, as a person would (at most 3 times).

* Next → student view: the Next click sent → the end of the student's first run whose poll caption ("· stop k ·")
  names the new stop. The student's poll fragment (``run_every`` 1 s, ``auto_rerun``) calls ``st.rerun(scope="app")``
  when the class's version changed: on the wire a fragment run that ends FINISHED_EARLY_FOR_RERUN, then a full run
  the server starts by itself (a ``new_session`` without fragment ids, which also restarts the poll's timer), and
  when the page changes one more (``st.switch_page``). The caption is drawn by that full run; under load it reached
  the client only with the poll's next fragment run, in the same burst of messages, so a run of either scope counts.
  Up to 1 s of the time is the poll's interval.
* Answer → projector count: the end of a student's Send run → the first count on the lecturer's page (its bar or the
  room's row under the question, each a fragment rerun every 1 s: up to 1 s of the time is that interval) that
  includes it: answers ordered by when their runs ended, the r-th is in every count ≥ r.
* CPU windows of ``--quiet`` s: nobody connected, the lecturer alone, the class joined and idle (poll CPU per
  student = CPU s ÷ (students × s), less the lecturer-alone rate), and the same students after the class ended.
* A started server gets a temporary user cache folder (XDG_CACHE_HOME; with ``--processes N`` every process shares
  the class database there, the default SQLite file) with a copy of the user's default model, and no
  EXPLORER_DATABASE_URL; every session is closed at the end of its level. Also: Ask → question shown, join time,
  the lecturer's own Next run, and the students' full runs per lecturer action (1.0: one rerun per change).

Per-page mode (``--per-page``): one client, for each page ``--reruns`` sequential reruns moving its first
slider (else number input) between two neighbouring values; server CPU ms per rerun, wall ms, and the ratio to
the one-slider floor script's CPU per rerun, measured in the same run on its own server process.

Targets: ``--processes 1`` (default) starts ``streamlit run app.py`` on a free loopback port (the user cache
folder, so the default model is not retrained; every page is opened once before measuring), ``--processes N``
starts ``deploy/serve.sh --processes N --port P`` (CPU and memory of every process in its process group),
``--url http://127.0.0.1:P`` uses a running server (CPU and memory only with ``--pid``, for that process and
its descendants). Only loopback addresses; only processes started here are stopped, by process group.

A benchmark, never part of the test run: no assertion on a time; every loop and wait is bounded.

Usage: FASHION_MNIST_DIR=... python bench/bench_class.py [--levels 1,10,25,50,100] [--seconds 40] [--ramp 5]
           [--trainers 10%|N] [--mix browse|page:NAME] [--floor] [--processes N | --url URL [--pid PID]]
           [--timeout 30] [--seed 0]
       FASHION_MNIST_DIR=... python bench/bench_class.py --mix class [--levels 1,10,25,50,100] [--ramp 5]
           [--pause 3] [--quiet 10] [--bound 15] [--processes N | --url URL [--pid PID]] [--timeout 30] [--seed 0]
       FASHION_MNIST_DIR=... python bench/bench_class.py --per-page [--reruns 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the app's core: the lecture's stops, the cache folder

from _streamlit_client import (
    EARLY_FOR_RERUN,
    FRAGMENT_FINISHED,
    STATEFUL,
    TRIGGERS,
    Page,
    Session,
    SessionError,
    Widget,
    state_value,
)

from core.data import cache_dir
from core.lecture import QUESTIONS, STOPS

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
MIB = 1024  # /proc/<pid>/status gives kB
TOKEN = re.compile(rb"Iso(\d{5})z")
THINK = (1.0, 3.0)
START_LABEL = "Start new run"
RESET_KEY = "train_reset"
# Page controls no simulated student touches at random: the camera, and the training page's run buttons and
# full-speed toggle (trainers click "Start new run" on purpose; paced runs only). The sidebar's (lecture mode,
# QR code) are never candidates: students only change the page's own controls.
LEFT_ALONE = {"cls_camera", "train_start", "train_pause", "train_resume", "train_step", "train_reset", "train_fast"}
FLOOR_SCRIPT = 'import streamlit as st\nx = st.slider("x", 0, 10, 5, key="x")\nst.write(x)\n'
MAX_ACTIONS = 10_000  # bound of every student's loop (the level's deadline ends it long before)


# ------------------------------------------------------------------------------------------------- processes


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid → (ppid, process group) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                table[int(entry.name)] = (int(fields[1]), int(fields[2]))
            except (OSError, IndexError, ValueError):
                continue
    return table


def _tree(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    """``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in out:
            out.add(pid)
            todo.extend(children.get(pid, []))
    return out


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _status_kib(pid: int, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_ok(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Target:
    """A server to measure: its base URL, the pids whose CPU and memory count, and how to stop it."""

    def __init__(self, url: str, description: str, pid: int | None = None) -> None:
        self.url, self.description, self.pid = url, description, pid

    def pids(self) -> set[int]:
        return _tree(self.pid, _proc_table()) if self.pid else set()

    def wait_healthy(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _http_ok(f"{self.url}/_stcore/health"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.url} is not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        """A server started elsewhere is left running."""


class Started(Target):
    """A server this benchmark starts in its own session (process group), stopped by SIGTERM to the group."""

    def __init__(self, command: list[str], cwd: Path, port: int, log: Path, description: str,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(command, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=env)  # fmt: skip
        super().__init__(f"http://127.0.0.1:{port}", f"{description}, pid {self.proc.pid}", self.proc.pid)

    def pids(self) -> set[int]:
        table = _proc_table()
        return {p for p, (_, group) in table.items() if group == self.proc.pid} | _tree(self.proc.pid, table)

    def wait_healthy(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if _http_ok(f"{self.url}/_stcore/health"):
                return
            time.sleep(0.3)
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the server did not become healthy ({self.description}):\n{tail}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._log.close()


def streamlit_server(script: str, cwd: Path, log: Path, env: dict[str, str] | None = None) -> Started:
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
               "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    return Started(command, cwd, port, log, f"streamlit run {script} (1 process)", env)


def make_target(args: argparse.Namespace, tmp: Path, env: dict[str, str] | None = None) -> Target:
    """The server to measure: ``--url``'s, or one started here (with ``env``, else this process's environment)."""
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        if parsed.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("--url must be a loopback address (http://127.0.0.1:PORT)")
        return Target(args.url.rstrip("/"), f"{args.url} (already running)", args.pid)
    if args.processes == 1:
        return streamlit_server("app.py", ROOT, tmp / "server.log", env)
    port = _free_port()
    command = [str(ROOT / "deploy" / "serve.sh"), "--processes", str(args.processes), "--port", str(port)]
    return Started(command, ROOT, port, tmp / "serve.log", f"deploy/serve.sh --processes {args.processes}", env)


class Meter:
    """Server CPU (utime + stime summed over the target's processes, also those that start or exit meanwhile)
    and memory (VmRSS sampled, VmHWM at the end; sum and max over the processes), over a window."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def start(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.rss_sum = self.rss_max = 0
        self.t0, self.busy0 = time.monotonic(), _machine_busy()
        self.sample(initial=True)

    def sample(self, initial: bool = False) -> None:
        rss = []
        for pid in self.target.pids():
            cpu = _cpu_seconds(pid)
            if cpu is None:
                continue
            self.first.setdefault(pid, cpu if initial else 0.0)
            self.last[pid] = cpu
            rss.append(_status_kib(pid, "VmRSS"))
        if rss:
            self.rss_sum, self.rss_max = max(self.rss_sum, sum(rss)), max(self.rss_max, max(rss))

    def cpu(self) -> float:
        """CPU seconds since start()."""
        return sum(self.last[p] - self.first[p] for p in self.last)

    def stop(self) -> dict[str, float]:
        self.sample()
        wall = time.monotonic() - self.t0
        hwm = [_status_kib(p, "VmHWM") for p in self.last if _cpu_seconds(p) is not None]
        return {"cpu": self.cpu(), "cores": self.cpu() / wall, "rss_sum": self.rss_sum / MIB,
                "rss_max": self.rss_max / MIB, "hwm_sum": sum(hwm) / MIB, "hwm_max": max(hwm, default=0) / MIB,
                "wall": wall, "measured": bool(self.last),
                "machine": (_machine_busy() - self.busy0) / wall}  # fmt: skip

    async def watch(self, until: float) -> None:
        """Sample every 0.5 s until the monotonic time ``until``."""
        while time.monotonic() < until:
            await asyncio.sleep(min(0.5, max(0.0, until - time.monotonic())))
            self.sample()


async def settle(target: Target, limit: float = 60.0) -> float:
    """Wait (at most ``limit`` s) until the server is idle: under 0.05 cores over a second. Seconds waited."""
    started = time.monotonic()
    if not target.pids():
        await asyncio.sleep(3)
        return 3.0
    meter = Meter(target)
    while time.monotonic() - started < limit:
        meter.start()
        await asyncio.sleep(1.0)
        if meter.stop()["cores"] < 0.05:
            break
    return time.monotonic() - started


# -------------------------------------------------------------------------------------------------- controls


def _grid(lo: float, hi: float, step: float, k: int, integer: bool) -> float:
    v = min(hi, lo + k * step)
    return round(v) if integer else round(v, 10)


def random_value(w: Widget, current: Any, rng: random.Random) -> Any:
    """A random new value for a widget, within its bounds and options (a click for a button)."""
    p = w.proto
    if w.kind in TRIGGERS:
        return True
    if w.kind == "slider" and w.is_select_slider:
        picks = sorted(rng.sample(range(len(p.options)), k=min(len(p.default), len(p.options))))
        return [p.options[i] for i in picks]
    if w.kind == "slider":
        n = max(1, round((p.max - p.min) / (p.step or 1)))
        ks = sorted(rng.sample(range(n + 1), k=min(len(p.default), n + 1)))
        return [_grid(p.min, p.max, p.step or 1, k, p.data_type == 0) for k in ks]
    if w.kind == "number_input":
        return _number(w, current, rng.choice([-3, -2, -1, 1, 2, 3]), rng)
    if w.kind == "checkbox":
        return not current
    if w.kind in ("button_group", "multiselect"):
        options = [o.content for o in p.options] if w.kind == "button_group" else list(p.options)
        chosen = set(current or [])
        single = w.kind == "button_group" and p.click_mode == 0
        if single:
            return [rng.choice([o for o in options if o not in chosen] or options)]
        chosen ^= {rng.choice(options)}
        limit = getattr(p, "max_selections", 0)
        return [o for o in options if o in chosen][: limit or None] or options[:1]
    return rng.choice([o for o in p.options if o != current] or list(p.options))  # selectbox, radio


def _number(w: Widget, current: Any, steps: int, rng: random.Random | None) -> float:
    """A number input's value ``steps`` steps from the current one (a random grid value when bounded, with
    ``rng``), clamped to its bounds."""
    p = w.proto
    step = p.step or 1
    base = current if current is not None else (p.default if p.HasField("default") else (p.min if p.has_min else 0))
    if rng is not None and p.has_min and p.has_max and (p.max - p.min) / step <= 10_000:
        return _grid(p.min, p.max, step, rng.randrange(round((p.max - p.min) / step) + 1), p.data_type == 0)
    value = base + steps * step
    if (p.has_max and value > p.max) or (p.has_min and value < p.min):
        value = base - steps * step
    value = min(p.max, value) if p.has_max else value
    value = max(p.min, value) if p.has_min else value
    return round(value) if p.data_type == 0 else round(value, 10)


def neighbour(w: Widget, current: Any) -> Any:
    """A slider's or number input's value one step up from ``current`` (down at the top)."""
    p = w.proto
    if w.kind == "number_input":
        return _number(w, current, 1, None)
    values, step = list(current), p.step or 1
    values[0] += step if values[0] + step <= p.max + 1e-12 else -step
    return [round(v) if p.data_type == 0 else round(v, 10) for v in values]


def touchable(s: Session) -> list[Widget]:
    """The current page's controls a student may change."""
    return [w for w in s.page_widgets() if w.key not in LEFT_ALONE and not getattr(w.proto, "disabled", False)
            and (w.kind in TRIGGERS or w.kind in STATEFUL - {"text_input", "text_area"})]  # fmt: skip


def pick_change(s: Session, rng: random.Random) -> Any:
    """A random control change on the current page (60 % a slider or number input, 20 % a button, 20 % any
    other control), as a widget state; None if the page has no control."""
    widgets = touchable(s)
    if not widgets:
        return None
    moves = [w for w in widgets if w.kind in ("slider", "number_input")]
    buttons = [w for w in widgets if w.kind in TRIGGERS]
    others = [w for w in widgets if w not in moves and w not in buttons]
    r = rng.random()
    group = (moves if r < 0.6 else buttons if r < 0.8 else others) or widgets
    w = rng.choice(group)
    return w.state(random_value(w, state_value(s.states.get(w.id)), rng))


def first_slider(s: Session) -> Widget | None:
    """The page's first slider (not a select slider), else its first number input (as bench_pages.py does)."""
    widgets = s.page_widgets()
    sliders = [w for w in widgets if w.kind == "slider" and not w.is_select_slider]
    return (sliders or [w for w in widgets if w.kind == "number_input"] or [None])[0]


def resolve_page(pages: dict[str, Page], name: str) -> str:
    """A page's url path from ``name``: a url path, "home", or part of a title."""
    lowered = name.lower()
    if lowered in ("", "home"):
        return ""
    for path, page in pages.items():
        if lowered == path.lower() or lowered in page.title.lower():
            return path
    raise SystemExit(f"no page {name!r}; pages: {', '.join(p or 'home' for p in pages)}")


# ---------------------------------------------------------------------------------------------------- class


@dataclass
class Level:
    """One level's class: settings, and what its students measured."""

    students: int
    trainers: int
    url: str
    deadline: float
    timeout: float
    seed: int
    page: str | None  # --mix page:NAME, its url path; None: browse
    first_id: int
    reruns: list[float] = field(default_factory=list)
    fragment_reruns: int = 0  # of those, reruns of a section's fragment only
    opens: list[float] = field(default_factory=list)
    connects: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    echoed: int = 0
    token_set: int = 0
    sessions: list[tuple[Session, int, bool]] = field(default_factory=list)

    def left(self) -> float:
        return self.deadline - time.monotonic()


class Student:
    """One simulated student of a level: its session, seeded choices, and the browse or one-page mix."""

    def __init__(self, level: Level, index: int, trainer: bool, start: float) -> None:
        self.level, self.trainer, self.start = level, trainer, start
        self.sid = level.first_id + index
        self.rng = random.Random(f"{level.seed}/{level.students}/{index}")
        self.session = Session(level.url, timeout=level.timeout, token_pattern=TOKEN)
        self.token = f"Iso{self.sid:05d}z"
        self.named = False
        level.sessions.append((self.session, self.sid, trainer))

    async def think(self) -> bool:
        """Think for 1–3 s (cut at the deadline); False once the level is over."""
        await asyncio.sleep(max(0.0, min(self.rng.uniform(*THINK), self.level.left())))
        return self.level.left() > 0

    async def open(self, path: str) -> None:
        self.level.opens.append((await self.session.goto(path)).seconds)

    async def change(self, changes: Sequence[Any]) -> None:
        run = await self.session.rerun(changes)
        self.level.reruns.append(run.seconds)
        self.level.fragment_reruns += run.status == FRAGMENT_FINISHED

    async def run(self) -> None:
        await asyncio.sleep(max(0.0, self.start - time.monotonic()))
        s = self.session
        try:
            self.level.connects.append(await s.connect())
            self.level.opens.append((await s.load()).seconds)
            if self.level.page is not None:
                await self.one_page(self.level.page)
            elif self.trainer:
                await self.train()
            else:
                await self.browse()
        except SessionError as e:
            self.level.errors[e.kind] += 1
        finally:
            await self.leave()

    async def leave(self) -> None:
        """A trainer stops its runs (Reset, not timed) so that they do not outlive the level; then close."""
        s = self.session
        reset = next((w for w in s.page_widgets() if w.key == RESET_KEY and not w.proto.disabled), None)
        if self.trainer and reset is not None:
            try:
                await s.rerun([reset.state(True)])
            except SessionError:
                pass
        await s.close()

    async def set_token(self) -> None:
        """Type this student's name as event A on the conditional page; its echo is checked."""
        a = next((w for w in self.session.page_widgets() if w.key == "cond_a"), None)
        if a is None:
            return
        await self.change([a.state(self.token)])
        self.named = True
        self.level.token_set += 1
        self.level.echoed += self.session.tokens[self.token[3:-1].encode()] > 0

    async def act(self) -> None:
        change = pick_change(self.session, self.rng)
        if change is not None:
            await self.change([change])

    async def browse(self) -> None:
        """A few pages in a random order (the conditional page among the first two, for the name), each with
        2–5 control changes, and again."""
        s, rng = self.session, self.rng
        for _ in range(MAX_ACTIONS):
            order = rng.sample([p for p in s.pages if p != s.path], k=min(len(s.pages) - 1, rng.randint(3, 5)))
            if not self.named and "conditional" in s.pages:
                order = [p for p in order if p != "conditional"]
                order.insert(rng.randint(0, 1), "conditional")
            for path in order:
                if not await self.think():
                    return
                await self.open(path)
                for _ in range(rng.randint(2, 5)):
                    if not await self.think():
                        return
                    if path == "conditional" and not self.named:
                        await self.set_token()
                    else:
                        await self.act()

    async def train(self) -> None:
        """Give the conditional page its name, open Live training, start a run and watch the live view;
        start another when it ends, now and then change a setting."""
        s, rng = self.session, self.rng
        if "conditional" in s.pages and await self.think():
            await self.open("conditional")
            if await self.think():
                await self.set_token()
        if "training" not in s.pages or not await self.think():
            return
        await self.open("training")
        for _ in range(MAX_ACTIONS):
            start = next((w for w in s.page_widgets() if START_LABEL in w.label and w.kind in TRIGGERS), None)
            if start is not None and not s.live:
                await self.change([start.state(True)])
            elif rng.random() < 0.15:
                await self.act()
            if not await self.think():
                return

    async def one_page(self, path: str) -> None:
        """``--mix page:``: that page only; trainers start runs there if it is Live training."""
        if path:
            await self.open(path)
        for _ in range(MAX_ACTIONS):
            if not await self.think():
                return
            start = next((w for w in self.session.page_widgets() if START_LABEL in w.label), None)
            if self.trainer and start is not None and not self.session.live:
                await self.change([start.state(True)])
            elif path == "conditional" and not self.named:
                await self.set_token()
            else:
                await self.act()


def trainers_for(students: int, spec: str) -> int:
    """``--trainers``: a share ("10%") of the level, rounded, or a count; at most the level."""
    count = round(students * float(spec[:-1]) / 100) if spec.endswith("%") else int(spec)
    return max(0, min(students, count))


async def loop_lag(until: float, lags: list[float]) -> None:
    """How late a 50 ms sleep wakes up, until ``until``: the client's event loop is saturated when this grows."""
    while time.monotonic() < until:
        t0 = time.monotonic()
        await asyncio.sleep(0.05)
        lags.append(time.monotonic() - t0 - 0.05)


async def run_level(students: int, args: argparse.Namespace, target: Target, first_id: int) -> dict[str, Any]:
    """One level: the class joins over the ramp, works until the deadline, leaves; its figures."""
    t0 = time.monotonic()
    level = Level(students, trainers_for(students, args.trainers), target.url, t0 + args.seconds, args.timeout,
                  args.seed, args.page, first_id)  # fmt: skip
    ramp = min(args.ramp, args.seconds / 2)
    meter = Meter(target)
    meter.start()
    cpu0, lags = os.times(), []
    crowd = [Student(level, i, i < level.trainers, t0 + ramp * i / students) for i in range(students)]
    tasks = [asyncio.create_task(st.run()) for st in crowd]
    watchers = [asyncio.create_task(meter.watch(level.deadline)), asyncio.create_task(loop_lag(level.deadline, lags))]
    await asyncio.sleep(max(0.0, level.left()))
    await asyncio.gather(*watchers)
    server, cpu1 = meter.stop(), os.times()
    sessions = [s for s, _, _ in level.sessions]
    snapshot = {
        "runs": sum(s.full_runs + s.fragment_runs for s in sessions),
        "bytes": sum(s.bytes_received for s in sessions),
        "live": [s.fragment_runs / s.live_time() for s, _, trainer in level.sessions if trainer and s.live_time() > 1],
        "violations": sum(n for s, sid, _ in level.sessions for tok, n in s.tokens.items() if int(tok) != sid),
        "exceptions": Counter(e for s in sessions for e in s.exceptions),
        "ref_hits": sum(s.ref_hits for s in sessions),
        "cache_misses": sum(s.cache_misses for s in sessions),
    }
    done, pending = await asyncio.wait(tasks, timeout=2 * args.timeout + 15)  # the last action, Reset, close
    for task in pending:
        task.cancel()
    level.errors["timeout"] += len(pending)
    await asyncio.gather(*pending, return_exceptions=True)
    failures = [task.exception() for task in done if task.exception() is not None]
    if failures:  # a bug of this client, not of the server
        raise RuntimeError(f"{len(failures)} simulated students failed") from failures[0]
    wall = server["wall"]
    client = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall
    lag = (pct(lags, 0.99), max(lags, default=0.0))
    return {"level": level, "server": server, "client": client, "lag": lag, "wall": wall,
            **snapshot}  # fmt: skip


async def warm_up(target: Target, clients: int, timeout: float) -> tuple[list[tuple[str, float]], dict[str, Page]]:
    """Open every page once, with one client per server process at the same time (a proxy sends concurrent new
    clients to different processes): cold caches, the dataset, the default model and the feature matrix are
    built here, not in the first level. The page-open times of the slowest client, and the app's pages."""
    pages: dict[str, Page] = {}

    async def visit() -> list[tuple[str, float]]:
        s = Session(target.url, timeout=max(timeout, 300.0))
        try:
            await s.connect()
            times = [("Home", (await s.load()).seconds)]
            pages.update(s.pages)
            for path, page in list(s.pages.items()):
                if path:
                    times.append((page.title, (await s.goto(path)).seconds))
            return times
        finally:
            await s.close()

    visits = await asyncio.gather(*(visit() for _ in range(clients)))
    return max(visits, key=lambda times: sum(t for _, t in times)), pages


async def sequential(url: str, target: Target, path: str | None, reruns: int, timeout: float) -> dict[str, Any]:
    """One client on one page: ``reruns`` reruns in a row moving its first slider or number input (plain
    reruns if it has none); wall seconds of each and the server's CPU seconds over them."""
    s = Session(url, timeout=timeout)
    try:
        await s.connect()
        await s.load()
        if path:
            await s.goto(path)
        widget = first_slider(s)
        values = []
        if widget is not None:
            start = state_value(s.states.get(widget.id))
            values = [neighbour(widget, start), start]

        async def move(i: int) -> float:
            w = s.widgets.get(widget.id) if widget is not None else None
            return (await s.rerun([w.state(values[i % 2])] if w is not None else [])).seconds

        for i in range(2):  # unmeasured
            await move(i)
        meter = Meter(target)
        meter.start()
        walls = [await move(i) for i in range(reruns)]
        label = "(no control: plain reruns)" if widget is None else widget.label
        return {"walls": walls, "cpu": meter.stop()["cpu"], "exceptions": len(s.exceptions),
                "widget": f"{label} (fragment)" if widget is not None and widget.fragment_id else label}  # fmt: skip
    finally:
        await s.close()


async def floor_run(reruns: int, timeout: float, tmp: Path) -> dict[str, Any]:
    """The one-slider script on its own server process (the project's .streamlit/config.toml too)."""
    folder = tmp / "floor"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / "floor.py").write_text(FLOOR_SCRIPT)
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    server = streamlit_server("floor.py", folder, tmp / "floor.log")
    try:
        await asyncio.to_thread(server.wait_healthy)
        return await sequential(server.url, server, None, reruns, timeout)
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------- report


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _times(values: Sequence[float], base: float | None) -> str:
    if not values:
        return f"{0:>5d} {'-':>6s} {'-':>6s} {'-':>6s} {'-':>6s}"
    p95 = pct(values, 0.95)
    ratio = f"{p95 / base:6.1f}" if base else f"{'-':>6s}"
    return f"{len(values):5d} {pct(values, 0.5):6.2f} {p95:6.2f} {max(values):6.2f} {ratio}"


def report(results: list[dict[str, Any]], floor: dict[str, Any] | None) -> None:
    """The latency table, the resources table, exceptions, and the largest class at rerun p95 ≤ 1 s."""
    base_result = next((r for r in results if r["level"].students == 1), results[0])
    base_rerun = pct(base_result["level"].reruns, 0.95) if base_result["level"].reruns else None
    base_open = pct(base_result["level"].opens, 0.95) if base_result["level"].opens else None
    floor_ms = 1e3 * floor["cpu"] / len(floor["walls"]) if floor else None
    print(f"\nTimes in s; ÷1 = p95 ÷ p95 at {base_result['level'].students} student(s) of this run. Join: the "
          "page GET, health, host-config and websocket handshake. Errors: failed connects / timeouts / "
          "disconnects.")  # fmt: skip
    print(f"{'':18s}|{'rerun after a control change':^35s}|{'page open':^35s}|")
    print(f"{'':18s}|{'(page, or its section fragment)':^35s}|{'':35s}|")
    print(f"{'students trainers':18s}|{'n':>5s} {'p50':>6s} {'p95':>6s} {'max':>6s} {'÷1':>6s} |"
          f"{'n':>5s} {'p50':>6s} {'p95':>6s} {'max':>6s} {'÷1':>6s} | {'join p95':>8s} {'errors':>8s} {'exc':>5s} "
          f"{'isolation':>11s} {'live/s (min)':>12s}")  # fmt: skip
    for r in results:
        lv = r["level"]
        errors = f"{lv.errors['connect']}/{lv.errors['timeout']}/{lv.errors['disconnect']}"
        iso = f"{lv.echoed}/{lv.token_set} {r['violations']}✗"
        live = f"{statistics.mean(r['live']):5.2f} ({min(r['live']):4.2f})" if r["live"] else "-"
        exceptions = sum(r["exceptions"].values())
        print(f"{lv.students:8d} {lv.trainers:8d} |{_times(lv.reruns, base_rerun)} |{_times(lv.opens, base_open)} | "
              f"{pct(lv.connects, 0.95):8.2f} {errors:>8s} {exceptions:5d} {iso:>11s} {live:>12s}")  # fmt: skip
    print("isolation: students whose own name came back / students who typed it, then other students' names seen.")
    print(f"\nServer: CPU in cores (of {os.cpu_count()}), CPU ms per script run (full + fragment runs, training "
          "threads included), peak VmRSS and VmHWM in MiB (sum / max over its processes). Client: its own CPU, "
          "event-loop lag p99 / max, data received, cached elements resolved from ref_hash. Others: the rest of "
          "the machine's CPU (a shared machine).")  # fmt: skip
    floor_head = f" {'÷ floor':>7s}" if floor_ms else ""
    print(f"{'students':>8s} {'CPU':>5s} {'runs':>6s} {'ms/run':>7s}{floor_head} {'RSS sum/max':>12s} "
          f"{'HWM sum/max':>12s} | {'client CPU':>10s} {'lag ms':>9s} {'MB/s in':>8s} {'ref hits':>8s} | "
          f"{'others':>6s}")  # fmt: skip
    for r in results:
        lv, srv = r["level"], r["server"]
        if srv["measured"]:
            per_run = 1e3 * srv["cpu"] / r["runs"] if r["runs"] else float("nan")
            ratio = f" {per_run / floor_ms:7.1f}" if floor_ms else ""
            memory = f"{srv['rss_sum']:>6.0f}/{srv['rss_max']:<5.0f} {srv['hwm_sum']:>6.0f}/{srv['hwm_max']:<5.0f}"
            server = f"{srv['cores']:5.2f} {r['runs']:6d} {per_run:7.1f}{ratio} {memory}"
        else:
            server = f"{'-':>5s} {r['runs']:6d} {'(no --pid: server not measured)':>{34 + len(floor_head)}s}"
        others = max(0.0, srv["machine"] - (srv["cores"] if srv["measured"] else 0.0) - r["client"])
        lag = f"{1e3 * r['lag'][0]:.0f}/{1e3 * r['lag'][1]:.0f}"
        print(f"{lv.students:8d} {server} | {r['client']:10.2f} {lag:>9s} {r['bytes'] / r['wall'] / 1e6:8.2f} "
              f"{r['ref_hits']:8d} | {others:6.2f}")  # fmt: skip
    clients = sum(r["level"].errors["client"] for r in results)
    if clients:
        print(f"{clients} sessions failed on a message this client could not handle (a bug of the client)")
    if floor:
        wall_ms = 1e3 * statistics.median(floor["walls"])
        print(f"floor: a one-slider script on its own server: {floor_ms:.1f} ms server CPU per rerun, "
              f"wall median {wall_ms:.1f} ms ({len(floor['walls'])} reruns)")  # fmt: skip
    exceptions = sum((r["exceptions"] for r in results), Counter())
    for message, n in exceptions.most_common(5):
        print(f"exception ×{n}: {message[:200]}")
    misses = sum(r["cache_misses"] for r in results)
    if misses:
        print(f"ForwardMsg cache: {misses} ref_hash messages without a cached message (a protocol mismatch)")
    fitting = [r["level"].students for r in results if r["level"].reruns and pct(r["level"].reruns, 0.95) <= 1.0
               and not r["level"].errors["connect"]]  # fmt: skip
    print(
        f"\nlargest class at p95 ≤ 1 s (rerun after a control change): "
        f"{max(fitting) if fitting else 'none of the levels'}" + (" students" if fitting else "")
    )


async def per_page(args: argparse.Namespace, target: Target, pages: dict[str, Page], tmp: Path) -> None:
    floor = await floor_run(args.reruns, args.timeout, tmp)
    floor_ms = 1e3 * floor["cpu"] / len(floor["walls"])
    print(f"\n{args.reruns} sequential reruns per page, one client, moving the page's first slider (else number "
          "input); server CPU per rerun ÷ the one-slider script's on its own server (same run).")  # fmt: skip
    print(f"floor (one-slider script): {floor_ms:.1f} ms CPU per rerun, wall median "
          f"{1e3 * statistics.median(floor['walls']):.1f} ms")  # fmt: skip
    print(f"{'page':38s} {'control':36s} {'wall p50':>8s} {'p95':>7s} {'CPU ms':>7s} {'÷ floor':>8s} {'exc':>4s}")
    for path, page in pages.items():
        r = await sequential(target.url, target, path, args.reruns, args.timeout)
        cpu_ms = 1e3 * r["cpu"] / len(r["walls"])
        print(f"{page.title[:38]:38s} {r['widget'][:36]:36s} {1e3 * statistics.median(r['walls']):8.1f} "
              f"{1e3 * pct(r['walls'], 0.95):7.1f} {cpu_ms:7.1f} {cpu_ms / floor_ms:8.1f} "
              f"{r['exceptions']:4d}")  # fmt: skip


async def class_run(args: argparse.Namespace, target: Target, tmp: Path) -> None:
    floor = await floor_run(args.reruns, args.timeout, tmp) if args.floor else None
    results = []
    for i, students in enumerate(args.levels):
        result = await run_level(students, args, target, first_id=1000 * (i + 1))
        lv = result["level"]
        print(f"level {students:3d}: {len(lv.reruns)} reruns ({lv.fragment_reruns} of a section's fragment only), "
              f"rerun p95 {pct(lv.reruns, 0.95):.2f} s, "
              f"{sum(lv.errors.values())} errors; settled in {await settle(target):.0f} s", flush=True)  # fmt: skip
        results.append(result)
    report(results, floor)


# ------------------------------------------------------------------------------------- live class (--mix class)

PRESSES = 10  # Next presses of a level's walk
WALK_QUESTIONS = 3  # question stops among the stops they visit
ANSWER_THINK = (2.0, 6.0)  # seconds a student thinks before it picks an answer
RIGHT_SHARE = 0.6  # seeded: this share of the answers picks the right choice, the others a wrong one at random
ANSWER_PREFIX = "class_answer_"  # a student's radio: class_answer_{question id}_{round}
ACTIONS = {"lecture_next": "Next", "class_ask": "Ask", "class_close": "Close", "class_reveal": "Reveal"}
STOP_CAPTION = re.compile(rb"\xc2\xb7 stop (\d+) \xc2\xb7")  # a student's poll caption: "Class K7MQ2P · stop 9 · …"
TEACHING = re.compile(rb"You are teaching class \*\*([A-Z0-9]{6})\*\*")  # the lecturer's sidebar
SENT = re.compile(rb"Sent: [A-D]\.")  # a student's caption once its answer is in
UNREACHABLE = re.compile(rb"class database cannot be reached \(([^)]{0,160})")  # the app's "class unavailable" text
CLICK_TRIES = 3  # a click that changed nothing is made again, at most this many times in all
CLICK_CHECK = 3.0  # seconds after a click's run (and a later run of the session) for what it should change
BAR_PRESENT = re.compile("👥 \\*\\*(\\d+)\\*\\* present".encode())  # the lecturer's bar
# The lecturer's counts while a question is open: its bar ("· **k of n** answered") and the room's row under the
# question ("The room is answering: **k of n** so far."), each a fragment rerun every second.
ANSWERED = re.compile(rb"\*\*(\d+) of \d+\*\* (?:answered|so far)")
DATABASE_ENV = "EXPLORER_DATABASE_URL"  # ui.class_store.URL_ENV
DEFAULT_MODEL = "default_model.npz"  # ui.model.default_model_path(): beside core.data.cache_dir()


class WalkError(Exception):
    """The lecturer's page did not offer what the walk needs (a button, the class code, the next stop)."""


def walk_start(presses: int = PRESSES, questions: int = WALK_QUESTIONS) -> int:
    """The first stop k from which ``presses`` Next presses visit (stops k+1 … k+presses) ``questions`` questions."""
    for k in range(1, len(STOPS) - presses + 1):
        if sum(STOPS[j].question is not None for j in range(k, k + presses)) >= questions:
            return k
    raise SystemExit(f"no {presses} stops in a row of core/lecture.py hold {questions} questions")


def question_of(radio_key: str) -> str:
    """The question id in a student's radio key (class_answer_{question id}_{round})."""
    return radio_key[len(ANSWER_PREFIX) :].rsplit("_", 1)[0]


async def until(predicate: Callable[[], Any], timeout: float, every: float = 0.05) -> Any:
    """Poll ``predicate`` every ``every`` s until it is truthy or ``timeout`` s passed; its last value."""
    deadline = time.monotonic() + max(0.0, timeout)
    for _ in range(int(max(0.0, timeout) / every) + 2):
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(every)
    return predicate()


async def window(target: Target, seconds: float) -> dict[str, float]:
    """The server's CPU over ``seconds`` s of a quiet moment, nobody clicking (`Meter.stop`'s figures)."""
    meter = Meter(target)
    meter.start()
    await meter.watch(time.monotonic() + seconds)
    return meter.stop()


def class_env(tmp: Path) -> dict[str, str]:
    """The started server's environment for ``--mix class``: a temporary user cache folder (XDG_CACHE_HOME), so that
    the class database (the default SQLite file there, WAL, shared by every process of serve.sh) and whatever else
    the app caches stay out of the user's; the user's default model is copied in (read only) so that it is not
    retrained. A database URL in the environment is dropped for the same reason."""
    user_model = cache_dir().parent / DEFAULT_MODEL
    cache = tmp / "cache"
    folder = cache_dir().parent.name  # classification-explorer
    (cache / folder).mkdir(parents=True)
    if user_model.is_file():
        shutil.copy2(user_model, cache / folder / DEFAULT_MODEL)
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    env.pop(DATABASE_ENV, None)
    secrets = ROOT / ".streamlit" / "secrets.toml"
    if secrets.is_file() and "classroom" in secrets.read_text(errors="replace"):
        print(f"note: {secrets} names a classroom database: the server keeps its classes there", flush=True)
    return env


@dataclass
class ClassLevel:
    """One level of the live class: its settings, and what its sessions measured (times from time.perf_counter(),
    one clock for every session of the level)."""

    students: int
    url: str
    timeout: float
    bound: float  # seconds the lecturer waits for every student's view, or every answer, before going on
    pause: float  # seconds between the lecturer's actions
    quiet: float  # seconds of each CPU window (nobody, the lecturer alone, the class polling, no class)
    think: tuple[float, float]
    seed: int
    start: int  # the walk's first stop
    deadline: float  # time.monotonic() by which the whole level is over
    over: bool = False
    presses: dict[int, float] = field(default_factory=dict)  # stop → when the Next press that went there was sent
    asked: dict[str, float] = field(default_factory=dict)  # question id → when "Ask the room" was sent
    sends: dict[str, list[float]] = field(default_factory=dict)  # question id → when the students' sends finished
    actions: list[tuple[float, str]] = field(default_factory=list)  # (when sent, button key) of the lecturer's clicks
    joins: list[float] = field(default_factory=list)  # connect + first run, per student
    next_runs: list[float] = field(default_factory=list)  # the lecturer's own Next runs
    errors: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)  # widget key → changes that changed nothing (made again)
    unreachable: Counter[str] = field(default_factory=Counter)  # why → messages saying the class database is not there
    walk_errors: list[str] = field(default_factory=list)
    walk_notes: list[str] = field(default_factory=list)

    def left(self) -> float:
        return self.deadline - time.monotonic()


def settled(s: Session, runs: int, since: float) -> bool:
    """Whether a run of ``s`` has ended after its first ``runs`` ones and CLICK_CHECK s have passed since ``since``."""
    return s.full_runs + s.fragment_runs > runs and time.monotonic() - since >= CLICK_CHECK


async def press(s: Session, key: str, level: ClassLevel, done: Callable[[], Any],
                value: Callable[[Widget], Any] = lambda w: True) -> tuple[float, float]:  # fmt: skip
    """Set the widget ``key`` to ``value(widget)`` (a click by default), waiting (bounded) for it to be drawn and
    enabled, until ``done()`` holds. A change after whose run ``done()`` still fails once a later run of the session
    has ended and CLICK_CHECK s have passed changed nothing: it counts as lost (``level.lost``) and is made again, as
    a person would, at most CLICK_TRIES times. When the effective one was sent, and its run's seconds; WalkError if
    none was."""

    def find() -> Widget | None:
        return next((w for w in s.widgets.values() if w.key == key and not getattr(w.proto, "disabled", False)), None)

    last: tuple[float, float] | None = None
    for _ in range(CLICK_TRIES):
        await until(lambda: done() or find(), level.bound)
        if last is not None and done():
            return last  # the last change did work, late: it counts, and is not made again
        level.lost[key] += last is not None
        widget = find()
        if widget is None:
            raise WalkError(f"the page has no enabled {key}")
        sent = time.perf_counter()
        run = await s.rerun([widget.state(value(widget))])
        last = sent, run.seconds
        runs, since = s.full_runs + s.fragment_runs, time.monotonic()
        await until(lambda r=runs, t=since: done() or settled(s, r, t), level.bound)
        if done():
            return last
    level.lost[key] += 1
    raise WalkError(f"{CLICK_TRIES} changes of {key} in a row changed nothing")


class ClassStudent:
    """A student who opens the join link and follows: what it shows is read from its messages (the poll caption's
    stop, the question's radio, "Sent:"), each full run's end time-stamped; it answers each question once."""

    def __init__(self, level: ClassLevel, index: int, start: float) -> None:
        self.level, self.start = level, start
        self.rng = random.Random(f"{level.seed}/class/{level.students}/{index}")
        self.session = Session(level.url, timeout=level.timeout, on_message=self.on_message,
                               on_finished=self.on_finished)  # fmt: skip
        self.caption: int | None = None  # the stop in the last poll caption received
        self.shown_at: dict[int, float] = {}  # stop → when the first run that showed it ended
        self.question_at: dict[str, float] = {}  # question id → when the first full run with its radio finished
        self.question: str | None = None  # the radio key of the question on its page, if one is open
        self.answered: set[str] = set()
        self.sent = False  # "Sent: X." seen since the last answer began
        self.busy = False  # while its own runs (choose, send) are on
        self.poll_runs: list[float] = []  # when each full run it did not ask for (its poll's) ended
        self.joined = False
        self.failed = False

    @property
    def alive(self) -> bool:
        return self.joined and not self.failed and self.session.closed is None

    def on_message(self, data: bytes) -> None:
        found = STOP_CAPTION.search(data)
        if found:
            self.caption = int(found.group(1))
        if SENT.search(data):
            self.sent = True
        if found := UNREACHABLE.search(data):
            self.level.unreachable[found.group(1).decode(errors="replace")] += 1

    def on_finished(self, status: int) -> None:
        """A run ended: the stop its caption shows (a caption names a new stop only once the poll's full rerun has
        drawn it; under load that caption can come with the poll's next fragment run, in the same burst of
        messages, so a run of either scope counts); for a full run, the question on the page."""
        if status == EARLY_FOR_RERUN:
            return
        now = time.perf_counter()
        if self.caption is not None:
            self.shown_at.setdefault(self.caption, now)
        if status == FRAGMENT_FINISHED:
            return
        if not self.busy and self.joined:
            self.poll_runs.append(now)
        self.question = next((w.key for w in self.session.widgets.values()
                              if w.kind == "radio" and w.key.startswith(ANSWER_PREFIX)), None)  # fmt: skip
        if self.question is not None:
            self.question_at.setdefault(question_of(self.question), now)

    def open_question(self) -> str | None:
        return self.question if self.question is not None and self.question not in self.answered else None

    def can_send(self) -> bool:
        """Whether the Send button is enabled (it is once the server has the radio's choice)."""
        return any(w.key == "class_send" and not w.proto.disabled for w in self.session.widgets.values())

    async def run(self, code: str) -> None:
        await asyncio.sleep(max(0.0, self.start - time.monotonic()))
        s, level = self.session, self.level
        try:
            connected = await s.connect("", f"class={code}")
            level.joins.append(connected + (await s.load()).seconds)
            self.joined = True
            for _ in range(MAX_ACTIONS):
                await until(lambda: level.over or self.open_question(), level.left(), every=0.1)
                key = self.open_question()
                if level.over or key is None:
                    return
                try:
                    await self.answer(key)
                except WalkError:
                    level.errors["answer not taken"] += 1  # it goes on following
        except SessionError as e:
            self.failed = True
            level.errors[e.kind] += 1

    async def answer(self, key: str) -> None:
        """Think, pick a choice (seeded; a radio's value is its formatted option), then Send: the radio's run and the
        button's, as a browser sends them."""
        self.answered.add(key)
        await asyncio.sleep(self.rng.uniform(*self.level.think))
        s, qid = self.session, question_of(key)
        radio = next((w for w in s.widgets.values() if w.key == key), None)
        if radio is None:
            return  # closed meanwhile
        right = QUESTIONS[qid].answer
        wrong = [i for i in range(len(radio.proto.options)) if i != right]
        choice = right if self.rng.random() < RIGHT_SHARE or not wrong else self.rng.choice(wrong)
        self.busy, self.sent = True, False
        try:
            await press(s, key, self.level, self.can_send, lambda w: w.proto.options[choice])
            await asyncio.sleep(self.rng.uniform(0.3, 1.0))
            await press(s, "class_send", self.level, lambda: self.sent)
        finally:
            self.busy = False
        self.level.sends.setdefault(qid, []).append(time.perf_counter())


class Lecturer:
    """The lecturer's session, in lecture mode: starts the class, walks the stops with Next, asks the room, closes
    and reveals, ends the class; reads the class code and its bar's counts from the messages it receives."""

    def __init__(self, level: ClassLevel) -> None:
        self.level = level
        self.session = Session(level.url, timeout=level.timeout, on_message=self.on_message)
        self.code: str | None = None
        self.present = 0
        self.counting: str | None = None  # the question whose answered count the bar shows
        self.counts: dict[str, list[tuple[float, int]]] = {}  # question id → (when, answered) as the bar showed it

    def on_message(self, data: bytes) -> None:
        if found := TEACHING.search(data):
            self.code = found.group(1).decode()
        if found := BAR_PRESENT.search(data):
            self.present = int(found.group(1))
        if self.counting is not None and (found := ANSWERED.search(data)):
            self.counts[self.counting].append((time.perf_counter(), int(found.group(1))))
        if found := UNREACHABLE.search(data):
            self.level.unreachable[found.group(1).decode(errors="replace")] += 1

    def answered(self, qid: str) -> int:
        counts = self.counts.get(qid)
        return counts[-1][1] if counts else 0

    def drawn(self, key: str) -> bool:
        return any(w.key == key for w in self.session.widgets.values())

    async def press(self, key: str, done: Callable[[], Any]) -> float:
        """`press` on the lecturer's page, recorded among its actions (Next runs too); when it was sent."""
        sent, seconds = await press(self.session, key, self.level, done)
        self.level.actions.append((sent, key))
        if key == "lecture_next":
            self.level.next_runs.append(seconds)
        return sent

    async def start_class(self) -> str:
        """Open the walk's first stop in lecture mode, press "Start a class"; the code, from the sidebar's text."""
        await self.session.connect("", f"lecture=true&stop={self.level.start}")
        await self.session.load()
        await self.press("class_start", lambda: self.code)
        assert self.code is not None
        return self.code

    def stop(self) -> int:
        """The stop in the lecturer's URL (``?stop=k``), 0 if none."""
        values = urllib.parse.parse_qs(self.session.query).get("stop", [""])
        return int(values[0]) if values[0].isdigit() else 0

    async def walk(self, crowd: list[ClassStudent]) -> None:
        """Next through the stops: after each, wait (bounded) until every student shows it, pause; at a question,
        ask the room, wait for every answer (bounded), close, reveal. A stop skipped (a click that seemed lost took
        effect late, and the second one too) is noted."""
        level, end = self.level, self.level.start + PRESSES
        for _ in range(PRESSES):
            before = self.stop()
            sent = await self.press("lecture_next", lambda k=before: self.stop() > k)
            stop = self.stop()
            level.presses[stop] = sent
            if stop != before + 1:
                level.walk_notes.append(f"Next went from stop {before} to {stop}")
            await until(lambda k=stop: all(k in st.shown_at for st in crowd if st.alive), level.bound)
            await asyncio.sleep(level.pause)
            qid = STOPS[stop - 1].question
            if qid is not None:
                try:
                    await self.ask(qid, crowd)
                except WalkError as e:  # the question is left; the walk goes on (Next reveals it first)
                    level.walk_notes.append(f"stop {stop}: {e}")
                    self.counting = None
            if stop >= end:
                break

    async def ask(self, qid: str, crowd: list[ClassStudent]) -> None:
        level = self.level
        self.counts[qid], self.counting = [], qid
        level.asked[qid] = await self.press("class_ask", lambda: self.drawn("class_close"))
        everyone = level.think[1] + 1.0 + level.bound
        await until(lambda: self.answered(qid) >= sum(st.alive for st in crowd), everyone)
        await asyncio.sleep(level.pause / 2)
        await self.press("class_close", lambda: self.drawn("class_reveal"))
        await asyncio.sleep(level.pause / 2)
        self.counting = None  # the bar shows the closed count until the reveal
        await self.press("class_reveal", lambda: self.drawn("class_again"))
        await asyncio.sleep(level.pause)

    async def end_class(self) -> None:
        """End the class (the sidebar offers "Start a class" again)."""
        await self.press("class_end", lambda: self.drawn("class_start"))


def answer_times(sends: Sequence[float], counts: Sequence[tuple[float, int]]) -> tuple[list[float], int]:
    """Each answer's time from its send run's end to the first count the bar showed at or after it that includes it
    (answers ordered by when their runs ended: the r-th is in any count ≥ r); and how many no count included."""
    times, missed = [], 0
    for rank, sent in enumerate(sorted(sends), start=1):
        shown = next((t for t, answered in counts if t >= sent and answered >= rank), None)
        if shown is None:
            missed += 1
        else:
            times.append(shown - sent)
    return times, missed


@dataclass
class ClassRun:
    """A level's sessions and what was measured around them: the CPU windows (`window`) and the walk's server
    figures (`Meter.stop`), the client's CPU and the data received."""

    level: ClassLevel
    lecturer: Lecturer
    crowd: list[ClassStudent] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    windows: dict[str, dict[str, float]] = field(default_factory=dict)
    walk: dict[str, Any] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)

    def alive(self) -> list[ClassStudent]:
        return [st for st in self.crowd if st.alive]


def level_settings(students: int, args: argparse.Namespace, url: str, warm: bool) -> ClassLevel:
    """A level's settings; a warm-up's are short (no CPU windows, no ramp, short pauses and thinking) but wait
    longer for the first renders. The level's deadline bounds all of it."""
    quiet, pause, think = (0.0, 0.2, (0.2, 0.4)) if warm else (args.quiet, args.pause, ANSWER_THINK)
    bound = max(args.bound, 120.0) if warm else args.bound
    ramp = 0.0 if warm else args.ramp
    limit = (60 + ramp + 4 * quiet + PRESSES * (bound + pause) + WALK_QUESTIONS * (think[1] + 3 * bound + 2 * pause)
             + 6 * args.timeout)  # fmt: skip
    return ClassLevel(students, url, args.timeout, bound, pause, quiet, think, args.seed, walk_start(),
                      time.monotonic() + limit)  # fmt: skip


async def join(run: ClassRun, code: str, ramp: float) -> None:
    """The students open the join link over ``ramp`` s; wait (bounded) until each has joined (or failed), shows the
    walk's first stop, and the lecturer's bar counts them present."""
    level = run.level
    t0 = time.monotonic()
    run.crowd = [ClassStudent(level, i, t0 + ramp * i / level.students) for i in range(level.students)]
    run.tasks = [asyncio.create_task(st.run(code)) for st in run.crowd]

    def ready() -> bool:
        alive = run.alive()
        return (all(st.joined or st.failed for st in run.crowd) and all(level.start in st.shown_at for st in alive)
                and run.lecturer.present >= len(alive))  # fmt: skip

    await until(ready, ramp + level.bound + level.timeout)


async def measured_walk(run: ClassRun, target: Target) -> None:
    """The lecturer's walk, with the server's CPU, the client's CPU and event-loop lag and the data the students
    received over it."""
    level, crowd = run.level, run.crowd
    meter, cpu0, bytes0 = Meter(target), os.times(), sum(st.session.bytes_received for st in crowd)
    meter.start()
    watchers = [asyncio.create_task(loop_lag(level.deadline, run.lags)),
                asyncio.create_task(meter.watch(level.deadline))]  # fmt: skip
    try:
        await run.lecturer.walk(crowd)
    finally:
        for task in watchers:
            task.cancel()
        server, cpu1 = meter.stop(), os.times()
        run.walk = {"server": server, "client": (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / server["wall"],
                    "bytes": sum(st.session.bytes_received for st in crowd) - bytes0, "alive": len(run.alive())}  # fmt: skip


async def class_level(students: int, args: argparse.Namespace, target: Target, warm: bool = False) -> ClassRun:
    """One level, with a CPU window at each quiet moment: nobody connected ("idle"); the lecturer has started a
    class ("lecturer"); the class has joined ("poll"); then the walk; then the lecturer ends the class ("none": the
    students still connected). Every session is closed at the end."""
    level = level_settings(students, args, target.url, warm)
    run = ClassRun(level, Lecturer(level))
    try:
        async with asyncio.timeout(level.left()):
            run.windows["idle"] = await window(target, level.quiet)
            code = await run.lecturer.start_class()
            run.windows["lecturer"] = await window(target, level.quiet)
            await join(run, code, 0.0 if warm else args.ramp)
            run.windows["poll"] = await window(target, level.quiet)
            await measured_walk(run, target)
            await run.lecturer.end_class()
            level.over = True
            await until(lambda: not any(st.session.live for st in run.alive()), level.bound)
            run.windows["none"] = await window(target, level.quiet)
    except TimeoutError:
        level.walk_errors.append("the level did not end by its deadline")
    except WalkError as e:
        level.walk_errors.append(str(e))
    except SessionError as e:
        level.walk_errors.append(f"the lecturer's session: {e}")
    finally:
        level.over = True
        await end_students(run)
    return run


async def end_students(run: ClassRun) -> None:
    """Let the students' tasks end (bounded; then cancel them), close every session; raise if a task failed on
    something else than a session error (a bug of this client)."""
    failures = []
    if run.tasks:
        done, pending = await asyncio.wait(run.tasks, timeout=run.level.timeout + 5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        failures = [t.exception() for t in done if not t.cancelled() and t.exception() is not None]
    await asyncio.gather(run.lecturer.session.close(), *(st.session.close() for st in run.crowd))
    if failures:
        raise RuntimeError(f"{len(failures)} simulated students failed") from failures[0]


def reruns_per_action(run: ClassRun) -> dict[str, float]:
    """The students' full runs their polls started, per student, from each click of the lecturer until its next
    click, averaged over the clicks of each kind (Next, Ask, Close, Reveal): 1.0 is one rerun per change."""
    actions = sorted(run.level.actions)
    students = [st for st in run.crowd if st.joined and not st.failed]
    per: dict[str, list[float]] = {}
    for i, (sent, key) in enumerate(actions):
        if key not in ACTIONS or not students:
            continue
        end = actions[i + 1][0] if i + 1 < len(actions) else float("inf")
        runs = sum(sent <= t < end for st in students for t in st.poll_runs)
        per.setdefault(ACTIONS[key], []).append(runs / len(students))
    return {name: statistics.mean(values) for name, values in per.items()}


def class_figures(run: ClassRun) -> dict[str, Any]:
    """A level's latencies: Next → student view (and the pairs never shown), answer → projector count (and the
    answers never counted), Ask → question shown; errors and exceptions."""
    level, lecturer = run.level, run.lecturer
    views, late = [], 0
    for st in run.crowd:
        if not st.joined:
            continue
        for stop, pressed in level.presses.items():
            if stop in st.shown_at and st.shown_at[stop] >= pressed:
                views.append(st.shown_at[stop] - pressed)
            else:
                late += 1
    answers, uncounted = [], 0
    for qid, sends in level.sends.items():
        times, missed = answer_times(sends, lecturer.counts.get(qid, []))
        answers += times
        uncounted += missed
    asks = [st.question_at[q] - t for q, t in level.asked.items() for st in run.crowd if q in st.question_at]
    exceptions = Counter(e for s in [lecturer.session, *(st.session for st in run.crowd)] for e in s.exceptions)
    return {"views": views, "late": late, "answers": answers, "uncounted": uncounted, "asks": asks,
            "exceptions": exceptions, "errors": sum(level.errors.values()) + len(level.walk_errors)}  # fmt: skip


def _rate_ms(w: dict[str, float] | None, minus: dict[str, float] | None, students: int) -> float | None:
    """Server CPU ms per second over a window, less ``minus``'s rate, per student; None if not measured."""
    if not w or not w["measured"] or not students:
        return None
    return 1e3 * (w["cores"] - (minus["cores"] if minus else 0.0)) / students


def _cell(value: float | None, spec: str, width: int) -> str:
    return f"{'-':>{width}s}" if value is None else f"{value:{width}{spec}}"


def latency_table(runs: list[ClassRun], figures: list[dict[str, Any]], base: int) -> None:
    """Next → student view and answer → projector count per level, p95 ÷ the base level's p95."""
    base_view = pct(figures[base]["views"], 0.95) if figures[base]["views"] else None
    base_answer = pct(figures[base]["answers"], 0.95) if figures[base]["answers"] else None
    start = runs[0].level.start
    questions = ", ".join(str(k) for k in range(start + 1, start + PRESSES + 1) if STOPS[k - 1].question)
    print(f"\nThe walk: {PRESSES} Next presses from stop {start} (stops {start + 1}–{start + PRESSES}, questions at "
          f"{questions}). Times in s; ÷1 = p95 ÷ p95 at {runs[base].level.students} student(s) of this "
          "run.")  # fmt: skip
    print("Next → view: the lecturer's Next click sent → the end of a student's first run showing the new stop "
          "(its poll, every 1 s, finds the new view and reruns the page: up to 1 s of it is the wait for the next "
          "poll). late: (press, student) pairs the student never showed (skipped, or gone).")  # fmt: skip
    print("answer → count: a student's Send run ended → the lecturer's page first showing a count that includes it "
          "(its bar, or the room's row under the question: fragments rerun every 1 s, so up to 1 s of it, ≈ 0.5 s "
          "median, is that interval). uncounted: "
          "answers no count included. ask → q: Ask the room sent → a student's run showing the question ended. "
          "Next run: the lecturer's own Next run, median. lost: clicks (any session's) that changed nothing and were "
          "made again; times run from the click that worked. db✗: messages saying the class database cannot be "
          "reached.")  # fmt: skip
    head = f"{'n':>5s} {'p50':>6s} {'p95':>6s} {'max':>6s} {'÷1':>6s}"
    print(f"{'':8s}|{'Next → student view':^42s}|{'answer → projector count':^42s}|")
    print(f"{'students':8s}|{head} {'late':>8s} |{head} {'uncount.':>8s} | {'ask→q p95':>9s} {'join p95':>8s} "
          f"{'Next run':>8s} {'lost':>4s} {'db✗':>5s} {'errors':>6s} {'exc':>4s}")  # fmt: skip
    for run, f in zip(runs, figures, strict=True):
        lv = run.level
        ask = _cell(pct(f["asks"], 0.95) if f["asks"] else None, ".2f", 9)
        join_p95 = _cell(pct(lv.joins, 0.95) if lv.joins else None, ".2f", 8)
        next_run = _cell(statistics.median(lv.next_runs) if lv.next_runs else None, ".2f", 8)
        print(f"{lv.students:8d}|{_times(f['views'], base_view)} {f['late']:8d} |{_times(f['answers'], base_answer)} "
              f"{f['uncounted']:8d} | {ask} {join_p95} {next_run} {sum(lv.lost.values()):4d} {sum(lv.unreachable.values()):5d} {f['errors']:6d} "
              f"{sum(f['exceptions'].values()):4d}")  # fmt: skip


def cpu_table(runs: list[ClassRun], base: int, quiet: float) -> None:
    """Server CPU over the walk, the poll's CPU per student (÷ the base level's) against no class, the idle and
    lecturer-alone rates, students' full runs per lecturer action, the client, the rest of the machine."""
    print(f"\nServer CPU in cores (of {os.cpu_count()}) over the walk. Poll: server CPU ms per student per second with "
          "the class joined and idle (CPU s ÷ (students × s), less the rate with the lecturer alone), ÷1 against 1 "
          "student; no class: the same students connected after the class ended (less the rate with nobody "
          f"connected; CPU comes in {1e3 / TICK:.0f} ms ticks: ±{1e3 / TICK / max(quiet, 1):.1f} ms/s over a window, "
          "÷ the students). Idle/lecturer: the server's CPU ms per second with nobody connected, and with the lecturer "
          "alone (its bar's fragment, every 1 s). Reruns after Next/Ask/Close/Reveal: the full runs the students' polls "
          "started, per student, after each such click of the lecturer (1.0: one per change). Client: its own CPU, "
          "event-loop lag p99 / max, data received. "
          "Others: the rest of the machine's CPU (a shared machine).")  # fmt: skip
    print(f"{'students':>8s} {'CPU':>5s} | {'poll ms/s':>9s} {'÷1':>5s} {'no class':>8s} | {'idle/lecturer':>13s} | "
          f"{'reruns N/A/C/R':>19s} | {'client CPU':>10s} {'lag ms':>9s} {'MB/s in':>8s} | {'others':>6s}")  # fmt: skip
    b = runs[base]
    base_poll = _rate_ms(b.windows.get("poll"), b.windows.get("lecturer"), b.walk.get("alive", b.level.students))
    for run in runs:
        lv, walk, w = run.level, run.walk, run.windows
        if not walk:
            print(f"{lv.students:8d} (the walk did not run)")
            continue
        srv, alive = walk["server"], walk["alive"]
        poll = _rate_ms(w.get("poll"), w.get("lecturer"), alive)
        ratio = poll / base_poll if poll is not None and base_poll else None
        none = _rate_ms(w.get("none"), w.get("idle"), alive)
        rates = "/".join(_cell(_rate_ms(w.get(name), None, 1), ".1f", 1) for name in ("idle", "lecturer"))
        per = reruns_per_action(run)
        reruns = "/".join(_cell(per.get(name), ".2f", 1) for name in ACTIONS.values())
        others = max(0.0, srv["machine"] - (srv["cores"] if srv["measured"] else 0.0) - walk["client"])
        lag = f"{1e3 * pct(run.lags, 0.99):.0f}/{1e3 * max(run.lags, default=0.0):.0f}"
        cores = srv["cores"] if srv["measured"] else None
        print(f"{lv.students:8d} {_cell(cores, '.2f', 5)} | {_cell(poll, '.2f', 9)} "
              f"{_cell(ratio, '.1f', 5)} {_cell(none, '.2f', 8)} | {rates:>13s} | {reruns:>19s} | "
              f"{walk['client']:10.2f} {lag:>9s} {walk['bytes'] / srv['wall'] / 1e6:8.2f} | {others:6.2f}")  # fmt: skip


def class_report(runs: list[ClassRun]) -> None:
    """The latency table, the CPU table, errors and exceptions, the largest class at Next → view p95 ≤ 2 s."""
    figures = [class_figures(run) for run in runs]
    base = next((i for i, run in enumerate(runs) if run.level.students == 1), 0)
    latency_table(runs, figures, base)
    cpu_table(runs, base, runs[base].level.quiet)
    for run in runs:
        lv = run.level
        for message in lv.walk_errors + lv.walk_notes:
            print(f"level {lv.students}: {message}")
        if lv.errors:
            print(f"level {lv.students}: student errors " + ", ".join(f"{k} ×{n}" for k, n in lv.errors.items()))
        if sum(lv.lost.values()):
            print(f"level {lv.students}: clicks that changed nothing, made again: "
                  + ", ".join(f"{k} ×{n}" for k, n in lv.lost.most_common() if n))  # fmt: skip
        for why, n in lv.unreachable.most_common(3):
            print(f"level {lv.students}: \"the class database cannot be reached\" ×{n} ({why})")
    for message, n in sum((f["exceptions"] for f in figures), Counter()).most_common(5):
        print(f"exception ×{n}: {message[:200]}")
    fitting = [run.level.students for run, f in zip(runs, figures, strict=True)
               if f["views"] and pct(f["views"], 0.95) <= 2.0 and not f["late"] and not run.level.walk_errors
               and len(run.level.presses) == PRESSES
               and not sum(run.level.errors[k] for k in ("connect", "timeout", "disconnect"))]  # fmt: skip
    print(f"\nlargest class at p95 ≤ 2 s (Next → student view; every stop shown to every student, the walk complete, "
          "no session failed): "
          f"{max(fitting) if fitting else 'none of the levels'}" + (" students" if fitting else ""))  # fmt: skip


async def live_class_run(args: argparse.Namespace, target: Target) -> None:
    """``--mix class``: a warm-up walk per server process (unmeasured: pages, caches, the class database), then each
    level, the server settling in between."""
    started = time.monotonic()
    warm = await asyncio.gather(*(class_level(1, args, target, warm=True) for _ in range(max(1, args.processes))))
    problems = [m for run in warm for m in run.level.walk_errors]
    problems += [f"student {k} ×{n}" for run in warm for k, n in run.level.errors.items()]
    print(f"warm-up: {len(warm)} walk(s) with one student each in {time.monotonic() - started:.0f} s"
          + (f"; problems: {'; '.join(problems)}" if problems else ""), flush=True)  # fmt: skip
    await settle(target)
    runs = []
    for students in args.levels:
        run = await class_level(students, args, target)
        f = class_figures(run)
        view = f"{pct(f['views'], 0.95):.2f} s" if f["views"] else "-"
        answer = f"{pct(f['answers'], 0.95):.2f} s" if f["answers"] else "-"
        print(f"level {students:3d}: Next → view p95 {view} ({f['late']} late), answer → count p95 {answer}, "
              f"{f['errors']} errors; settled in {await settle(target):.0f} s", flush=True)  # fmt: skip
        runs.append(run)
    class_report(runs)


async def amain(args: argparse.Namespace) -> None:
    # SIGTERM cancels the run like Ctrl-C does, so that the servers started here are always stopped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    with tempfile.TemporaryDirectory(prefix="bench_class_") as folder:
        tmp = Path(folder)
        live = args.mix == "class"
        target = make_target(args, tmp, class_env(tmp) if live and not args.url else None)
        try:
            await asyncio.to_thread(target.wait_healthy)
            if live:
                cache = "" if args.url else f", cache folder (class database) {tmp / 'cache'}"
                print(f"target: {target.description}, {target.url}; {os.cpu_count()} cores; mix class; ramp "
                      f"{args.ramp:.0f} s, pause {args.pause:.0f} s, answers after {ANSWER_THINK[0]:.0f}–"
                      f"{ANSWER_THINK[1]:.0f} s, CPU windows {args.quiet:.0f} s, bound {args.bound:.0f} s, seed "
                      f"{args.seed}{cache}", flush=True)  # fmt: skip
                await live_class_run(args, target)
                return
            print(f"target: {target.description}, {target.url}; {os.cpu_count()} cores; mix {args.mix}; "
                  f"{args.seconds:.0f} s a level, ramp {args.ramp:.0f} s, think {THINK[0]:.0f}–{THINK[1]:.0f} s, "
                  f"seed {args.seed}", flush=True)  # fmt: skip
            warm, pages = await warm_up(target, max(1, args.processes), args.timeout)
            print("warm-up page opens (s): " + ", ".join(f"{name} {t:.2f}" for name, t in warm), flush=True)
            args.page = resolve_page(pages, args.mix[5:]) if args.mix.startswith("page:") else None
            await (per_page(args, target, pages, tmp) if args.per_page else class_run(args, target, tmp))
        finally:
            target.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,25,50,100", help="class sizes, comma-separated")
    parser.add_argument("--seconds", type=float, default=40.0, help="duration of each level")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which a level's class joins")
    parser.add_argument("--trainers", default="10%", help="students who train: a share of the level or a count")
    parser.add_argument("--mix", default="browse", help="browse, page:NAME (one page for everyone), or class "
                        "(a live class following a lecturer)")
    parser.add_argument("--floor", action="store_true", help="also measure the one-slider script's CPU per rerun")
    parser.add_argument("--per-page", action="store_true", help="per-page server CPU per rerun, one client")
    parser.add_argument("--reruns", type=int, default=30, help="sequential reruns per page (--per-page, --floor)")
    parser.add_argument("--processes", type=int, default=1, help="1: streamlit run; N: deploy/serve.sh")
    parser.add_argument("--url", help="a running server, http://127.0.0.1:PORT")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for CPU and memory")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a run may take before it counts as failed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pause", type=float, default=3.0, help="--mix class: seconds between the lecturer's steps")
    parser.add_argument("--quiet", type=float, default=10.0, help="--mix class: seconds of each idle CPU window")
    parser.add_argument("--bound", type=float, default=15.0,
                        help="--mix class: seconds the lecturer waits for every view or answer before going on")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",") if n.strip()]
    if not args.levels or min(args.levels) < 1:
        parser.error("--levels needs positive class sizes")
    if args.mix not in ("browse", "class") and not args.mix.startswith("page:"):
        parser.error("--mix is browse, page:NAME or class")
    if args.mix == "class" and args.per_page:
        parser.error("--per-page measures pages one by one: not with --mix class")
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
