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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _streamlit_client import FRAGMENT_FINISHED, STATEFUL, TRIGGERS, Page, Session, SessionError, Widget, state_value

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

    def __init__(self, command: list[str], cwd: Path, port: int, log: Path, description: str) -> None:
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(command, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip
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


def streamlit_server(script: str, cwd: Path, log: Path) -> Started:
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
               "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    return Started(command, cwd, port, log, f"streamlit run {script} (1 process)")


def make_target(args: argparse.Namespace, tmp: Path) -> Target:
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        if parsed.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("--url must be a loopback address (http://127.0.0.1:PORT)")
        return Target(args.url.rstrip("/"), f"{args.url} (already running)", args.pid)
    if args.processes == 1:
        return streamlit_server("app.py", ROOT, tmp / "server.log")
    port = _free_port()
    command = [str(ROOT / "deploy" / "serve.sh"), "--processes", str(args.processes), "--port", str(port)]
    return Started(command, ROOT, port, tmp / "serve.log", f"deploy/serve.sh --processes {args.processes}")


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


async def amain(args: argparse.Namespace) -> None:
    # SIGTERM cancels the run like Ctrl-C does, so that the servers started here are always stopped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    with tempfile.TemporaryDirectory(prefix="bench_class_") as folder:
        tmp = Path(folder)
        target = make_target(args, tmp)
        try:
            await asyncio.to_thread(target.wait_healthy)
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
    parser.add_argument("--mix", default="browse", help="browse, or page:NAME (one page for everyone)")
    parser.add_argument("--floor", action="store_true", help="also measure the one-slider script's CPU per rerun")
    parser.add_argument("--per-page", action="store_true", help="per-page server CPU per rerun, one client")
    parser.add_argument("--reruns", type=int, default=30, help="sequential reruns per page (--per-page, --floor)")
    parser.add_argument("--processes", type=int, default=1, help="1: streamlit run; N: deploy/serve.sh")
    parser.add_argument("--url", help="a running server, http://127.0.0.1:PORT")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for CPU and memory")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a run may take before it counts as failed")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",") if n.strip()]
    if not args.levels or min(args.levels) < 1:
        parser.error("--levels needs positive class sizes")
    if args.mix != "browse" and not args.mix.startswith("page:"):
        parser.error("--mix is browse or page:NAME")
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
