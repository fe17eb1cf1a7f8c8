"""The live training page under load: refresh rate, training speed with the page open, server memory.

Figures from one run on this machine, each against a floor or baseline measured in the same run:

1. Live refresh rate: the real server (`streamlit run app.py`) and Debian's Chromium on
   /training?train_fast=true&train_epochs=N (full speed is then confirmed on the page, and switched on by
   clicking the control if the URL's value was not taken: the page has had a "Pace" segmented control and a
   "Full speed" toggle; the URL that the click produces is printed and reused); after "Start new run", a
   MutationObserver counts how often the live fragment redraws the status line ([data-testid="stProgress"]),
   Plotly's "plotly_afterplot" events are counted per chart, a wrapped WebSocket.send counts the reruns the
   browser asks for, and Chromium's own counters give the tab's main-thread load. Target ≥ 4 redraws/s (the
   fragment's run_every is 0.25 s). Baseline: the same page with a paced (≈10 s/epoch) run, whose training
   thread is mostly asleep.
2. Training speed with the page open: seconds per epoch of the same config (Adam, batch 256, full speed) in
   the server while the browser polls, against `Trainer(data, config).run()` headless in this process with
   BLAS limited to 1 thread (as the app does), measured before and after the server part. Also headless with
   the fragment's server-side work (snapshot → curves and W as SVG, every 0.25 s) in a second
   thread, which separates the fragment's own cost from the browser's. Target: training keeps ≥ 70 %.
3. Server memory: VmRSS/VmHWM of the server process right after start, with the dataset loaded, and with two
   browser sessions (two contexts) training at once, next to the dataset's own size. Target ≤ 700 MB.

A benchmark, never part of the test run: no assertion on a time; every wait is bounded; the server and the
browser are always stopped at the end.

CPU use of the server (per thread), of the browser and of the rest of the machine is printed next to each
figure: on a small shared machine the browser and other tenants compete with the training thread.
--profile samples the server with py-spy during the full-speed run (where the script thread's time goes);
--server-arg passes an option to `streamlit run` (e.g. --server-arg=--runner.postScriptGC=false) to try a
configuration change without editing the app.

Usage: FASHION_MNIST_DIR=... python bench/bench_live.py [--epochs 30] [--memory-epochs 6] [--profile]
       [--server-arg=--runner.postScriptGC=false] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.model import N_PIXELS
from core.trainer import Trainer, TrainingConfig, TrainingData

MB = 1 << 20
TICK = os.sysconf("SC_CLK_TCK")
TARGET_RATE = 4.0
TARGET_KEEP = 0.70
TARGET_MB = 700
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PROGRESS = '[data-testid="stProgress"]'
START = 'button:has-text("Start new run")'
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
STATUS = re.compile(r"(\w+): epoch (\d+)/(\d+), step (\d+)/(\d+), ([\d.]+) s")

# Installed before any page script runs: time-stamps every message the browser sends on the WebSocket
# (a fragment rerun request every run_every, widget clicks), in the page's performance.now() clock.
WS_HOOK = """(() => {
  window.__benchSent = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { window.__benchSent.push(performance.now()); return send.call(this, data); };
})();"""

# Installed after the page has loaded: every change of the first status line's text, and every Plotly redraw
# of the curves (scatter) and W (heatmap) charts, time-stamped.
RECORDER = """() => {
  window.__bench = {progress: [], curves: [], templates: [], last: null};
  if (!window.__benchObserver) {
    const hook = () => {
      for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        if (gd.__benchHooked || !gd.on) continue;
        gd.__benchHooked = true;
        gd.on('plotly_afterplot', () => {
          const heat = gd.data && gd.data.length && gd.data[0].type === 'heatmap';
          (heat ? window.__bench.templates : window.__bench.curves).push(performance.now());
        });
      }
    };
    const read = () => {
      const log = window.__bench;
      const el = document.querySelector('[data-testid="stProgress"]');
      const text = el ? el.innerText : null;
      if (text !== null && text !== log.last) { log.last = text; log.progress.push([performance.now(), text]); }
      hook();
    };
    window.__benchObserver = new MutationObserver(read);
    window.__benchObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
  }
  return performance.now();
}"""


# ----------------------------------------------------------------------------------------------- processes


def _status_kib(pid: int | str, field: str) -> int:
    """VmRSS/VmHWM of a process from /proc (kB); 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(stat_path: str) -> float:
    """utime + stime of a process or thread, from its /proc stat file."""
    try:
        fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int, exclude: int | None = None) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child != exclude:
                out.append(child)
                todo.append(child)
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CpuMeter:
    """CPU over a window, in cores: the server (whole process, and its busiest threads, sampled every 0.2 s so a
    training thread that has exited by the end still counts), the browser's process tree, the whole machine."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self._stop = threading.Event()

    def _threads(self) -> dict[str, float]:
        return {t.name: _cpu_seconds(f"{t}/stat") for t in Path(f"/proc/{self.server_pid}/task").glob("*")}

    def _sample(self) -> dict:
        browser = sum(_cpu_seconds(f"/proc/{p}/stat") for p in _descendants(os.getpid(), self.server_pid))
        return {"server": _cpu_seconds(f"/proc/{self.server_pid}/stat"), "browser": browser,
                "machine": _machine_busy()[0], "t": time.monotonic()}  # fmt: skip

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for tid, v in self._threads().items():
                self.last[tid] = v

    def start(self) -> None:
        self._stop.clear()
        self.first = self._threads()
        self.last = dict(self.first)
        self.before = self._sample()
        self._sampler = threading.Thread(target=self._watch, daemon=True)
        self._sampler.start()

    def stop(self) -> dict:
        after, before = self._sample(), self.before
        self._stop.set()
        self._sampler.join(timeout=5)
        for tid, v in self._threads().items():
            self.last[tid] = v
        wall = after["t"] - before["t"]
        threads = sorted(((v - self.first.get(k, 0.0)) / wall for k, v in self.last.items()), reverse=True)
        server = (after["server"] - before["server"]) / wall
        browser = (after["browser"] - before["browser"]) / wall
        machine = (after["machine"] - before["machine"]) / wall
        return {"wall": wall, "threads": threads, "server": server, "browser": browser,
                "others": max(0.0, machine - server - browser), "machine": machine}  # fmt: skip


def cpu_line(c: dict) -> str:
    top = ", ".join(f"{v:.2f}" for v in c["threads"][:3])
    return (
        f"CPU over {c['wall']:.1f} s, in cores: server {c['server']:.2f} (busiest threads {top}), "
        f"browser (Chromium + driver) {c['browser']:.2f}, rest of the machine {c['others']:.2f} (of {os.cpu_count()} cores)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on a free loopback port, with its own cache folder."""

    def __init__(self, workdir: Path, extra: list[str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "streamlit.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 — closed in stop()
        cache = workdir / "cache"
        cache.mkdir()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", *(extra or [])],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, "XDG_CACHE_HOME": str(cache)},
            start_new_session=True,
        )  # fmt: skip
        self.pid = self.proc.pid

    def wait_healthy(self, timeout: float = 120.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def rss_mib(self, field: str = "VmRSS") -> float:
        return _status_kib(self.pid, field) / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._log.close()


# ---------------------------------------------------------------------------------------------- headless


def headless(data: TrainingData, epochs: int, label: str, fragment: bool = False) -> dict:
    """Trainer(data, config).run() with BLAS at 1 thread: trainer seconds per epoch and wall seconds per epoch
    between the ends of the first and last epochs. With ``fragment``, a second thread meanwhile does the live
    fragment's server-side work every 0.25 s (snapshot, curve series, both Plotly figures, JSON)."""
    from threadpoolctl import threadpool_limits

    config = TrainingConfig(optimizer="adam", batch_size=256, epochs=epochs)
    trainer = Trainer(data, config)
    ends: list[float] = []
    stop = threading.Event()
    redraws: list[float] = []

    def fragment_loop() -> None:
        from core.curves import SmoothedCurve
        from core.data import CLASS_NAMES
        from ui import charts
        from ui.training import curve_series, smoothing_span

        curve = SmoothedCurve(smoothing_span(trainer.steps_per_epoch))
        while not stop.is_set():  # what the live view draws while a run trains (app_pages/training.py)
            started = time.perf_counter()
            s = trainer.snapshot()
            charts.curves_svg([curve_series("#1", charts.RUN_COLOURS[0], s, curve)])
            charts.weights_svg(s.W, list(CLASS_NAMES))
            redraws.append(time.perf_counter() - started)
            stop.wait(max(0.0, 0.25 - (time.perf_counter() - started)))

    with threadpool_limits(1, "blas"):
        helper = threading.Thread(target=fragment_loop, daemon=True) if fragment else None
        if helper:
            helper.start()
        machine, own = _machine_busy()[0], _cpu_seconds("/proc/self/stat")
        started = time.perf_counter()
        result = trainer.run(on_epoch=lambda _s: ends.append(time.perf_counter()))
        wall = time.perf_counter() - started
        others = (_machine_busy()[0] - machine - (_cpu_seconds("/proc/self/stat") - own)) / wall
        stop.set()
        if helper:
            helper.join(timeout=30)
    out = {
        "label": label,
        "trainer": result.elapsed / epochs,
        "wall": wall / epochs,
        "slope": (ends[-1] - ends[0]) / (len(ends) - 1) if len(ends) > 1 else wall,
        "accuracy": result.epoch_test_accuracy[-1] if result.epoch_test_accuracy else float("nan"),
        "others": max(0.0, others),
    }
    if redraws:
        out["redraw"] = statistics.median(redraws)
        out["redraws"] = len(redraws) / wall
    return out


def headless_line(h: dict) -> str:
    extra = ""
    if "redraw" in h:
        extra = f"; fragment work {h['redraws']:.2f}/s, median {h['redraw'] * 1000:.0f} ms each"
    return (
        f"{h['label']}: {h['slope']:.3f} s/epoch wall (epoch 1→N), {h['trainer']:.3f} s/epoch trainer time, "
        f"test acc {h['accuracy']:.4f}{extra}; other processes used {h['others']:.2f} cores meanwhile"
    )


# ----------------------------------------------------------------------------------------------- browser


class LivePage:
    """One browser context (one Streamlit session) on the training page, with the recorders installed."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WS_HOOK)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")

    def perf(self) -> dict[str, float]:
        """Chromium's counters for this tab's main thread (seconds): TaskDuration, ScriptDuration, LayoutDuration…"""
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def wait(self, timeout: float = 90_000) -> None:
        self.page.wait_for_timeout(150)
        self.page.wait_for_selector(FINISHED, timeout=timeout)

    def open(self, query: str) -> None:
        self.page.goto(f"{self.base}/training?{query}", timeout=90_000)
        self.page.wait_for_selector(START, timeout=180_000)
        self.wait()

    def checked(self, group: str) -> str:
        """The displayed label of the selected option of a segmented control."""
        radio = self.page.get_by_role("radiogroup", name=group).locator('[role="radio"][aria-checked="true"]')
        return radio.inner_text(timeout=10_000).strip() if radio.count() else ""

    def slider(self, label: str) -> str:
        slider = self.page.locator('[data-testid="stSlider"]', has_text=label).first
        return slider.locator('[data-testid="stSliderThumbValue"]').first.inner_text(timeout=10_000).strip()

    def choose(self, group: str, option: str) -> None:
        if self.checked(group) != option:
            radio = self.page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True)
            radio.click(timeout=10_000)
            self.wait()

    def full_speed(self) -> bool | None:
        """Whether the page is set to train at full speed: a "Full speed" toggle, or the "Pace" control's
        "full speed" option (the page has had both); None if neither is found."""
        switch = self.page.get_by_role("switch", name="Full speed")
        if switch.count():
            return switch.is_checked(timeout=10_000)
        if self.page.get_by_role("radiogroup", name="Pace").count():
            return self.checked("Pace") == "full speed"
        return None

    def set_full_speed(self, on: bool) -> None:
        if self.full_speed() in (on, None):
            return
        if self.page.get_by_role("switch", name="Full speed").count():
            toggle = self.page.locator('[data-testid="stCheckbox"]', has_text="Full speed").locator("label").first
            toggle.click(timeout=10_000)
        else:
            self.choose("Pace", "full speed" if on else "≈10 s / epoch")
        self.wait()
        self.page.wait_for_timeout(300)

    def click(self, name: str, exact: bool = False) -> None:
        self.page.get_by_role("button", name=name, exact=exact).click(timeout=30_000)

    def record(self) -> None:
        """(Re)start the redraw recorder; the times it keeps are relative to this call."""
        self.t0 = self.page.evaluate(RECORDER)
        self.page.evaluate("() => { window.__benchSent = []; }")

    def log(self) -> dict:
        raw = self.page.evaluate("() => ({...window.__bench, sent: window.__benchSent})")
        progress = []
        for t, text in raw["progress"]:
            m = STATUS.search(text)
            if m:
                state, epoch, epochs, step, _steps, elapsed = m.groups()
                progress.append(((t - self.t0) / 1000, state, int(epoch), int(epochs), int(step), float(elapsed)))
        rel = lambda ts: [(t - self.t0) / 1000 for t in ts]
        return {"progress": progress, "curves": rel(raw["curves"]), "templates": rel(raw["templates"]),
                "sent": rel(raw["sent"])}  # fmt: skip

    def status(self) -> tuple[str, int, float] | None:
        loc = self.page.locator(PROGRESS).first
        if not loc.count():
            return None
        m = STATUS.search(loc.inner_text(timeout=10_000))
        return (m.group(1), int(m.group(2)), float(m.group(6))) if m else None

    def wait_state(self, states: set[str], timeout: float) -> tuple[str, int, float] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.status()
            if s and s[0] in states:
                return s
            self.page.wait_for_timeout(200)
        return self.status()

    def close(self) -> None:
        self.context.close()


def _count(times: list[float], lo: float, hi: float) -> int:
    return sum(lo <= t <= hi for t in times)


def analyse(log: dict) -> dict:
    """Redraw rate and in-server epoch timing from a recorder log of one run."""
    running = [p for p in log["progress"] if p[1] == "running"]
    out: dict = {"redraws": len(running)}
    if len(running) < 2:
        return out
    lo, hi = running[0][0], running[-1][0]
    span = hi - lo
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(running)]
    out.update(
        span=span, rate=(len(running) - 1) / span if span else 0.0,
        gap_median=statistics.median(gaps), gap_max=max(gaps),
        curves=_count(log["curves"], lo, hi) / span if span else 0.0,
        templates=_count(log["templates"], lo, hi) / span if span else 0.0,
        sent=_count(log["sent"], lo, hi) / span if span else 0.0,
    )  # fmt: skip
    first_seen: dict[int, float] = {}
    for t, _state, epoch, *_rest in log["progress"]:
        first_seen.setdefault(epoch, t)
    done = [p for p in log["progress"] if p[1] == "finished"]
    if done:
        t_end, _, epochs, _, _, elapsed = done[0][:6]
        first_seen.setdefault(epochs, t_end)
        out["trainer"] = elapsed / epochs
        out["finished_at"] = t_end
        after = [t for t in log["sent"] if t > t_end + 1.0]
        out["sent_after"] = len(after)
    marks = sorted((e, t) for e, t in first_seen.items() if e >= 1)
    if len(marks) >= 2:
        (e0, t0), (e1, t1) = marks[0], marks[-1]
        out["slope"] = (t1 - t0) / (e1 - e0)
    return out


def rate_line(label: str, a: dict) -> str:
    if "rate" not in a:
        return f"{label}: only {a['redraws']} redraws seen while running"
    return (
        f"{label}: {a['rate']:.2f} status redraws/s ({a['rate'] / TARGET_RATE:.0%} of the 4/s target) over "
        f"{a['span']:.1f} s; interval median {a['gap_median'] * 1000:.0f} ms, max {a['gap_max'] * 1000:.0f} ms; "
        f"plotly_afterplot events: curves {a['curves']:.2f}/s, W {a['templates']:.2f}/s; "
        f"browser→server messages {a['sent']:.2f}/s"
    )


# -------------------------------------------------------------------------------------------------- main


def main_thread_line(before: dict, after: dict) -> str:
    wall = after["Timestamp"] - before["Timestamp"]
    busy = {k: (after.get(k, 0.0) - before.get(k, 0.0)) / wall for k in
            ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}  # fmt: skip
    return (
        f"browser tab main thread busy {busy['TaskDuration']:.0%} of the time (script "
        f"{busy['ScriptDuration']:.0%}, layout {busy['LayoutDuration']:.0%}, style "
        f"{busy['RecalcStyleDuration']:.0%})"
    )


def py_spy_start(path: str | None, pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    if not path:
        return None
    return subprocess.Popen([path, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
                             "--rate", "100", "--format", "raw", "--output", str(out), "--nonblocking",
                             "--threads"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def py_spy_report(proc: subprocess.Popen | None, out: Path) -> None:
    """Where the server's CPU went while the page polled a full-speed run: by thread, then by function."""
    if proc is None:
        return
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    if not out.exists():
        print("  py-spy: no profile written (ptrace not permitted?)")
        return
    by_thread: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    leaf: dict[str, int] = {}
    total = 0
    for line in out.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        name = frames[0].split(": ", 1)[-1]
        kind = ("training thread" if name.startswith("TrainingRun") else "script thread (fragment reruns)"
                if name.startswith("ScriptRunner") else f"other ({name[:20]})")  # fmt: skip
        by_thread[kind] = by_thread.get(kind, 0) + n
        total += n
        if kind.startswith("script"):
            for f in {
                f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")" for f in frames[1:]
            }:
                inclusive[f] = inclusive.get(f, 0) + n
            leaf_f = (
                frames[-1].split(" (")[0] + " (" + frames[-1].split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
            )
            leaf[leaf_f] = leaf.get(leaf_f, 0) + n
    if not total:
        print("  py-spy: no samples")
        return
    print(
        f"  py-spy, {total} samples of the server's on-CPU Python threads (100 Hz): "
        + ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(by_thread.items(), key=lambda kv: -kv[1]))
    )
    script = by_thread.get("script thread (fragment reruns)", 0) or 1
    wanted = ["view (training.py)", "curve_series (training.py)", "snapshots (training.py)", "plot (layout.py)",
              "curves_svg (charts.py)", "weights_svg (charts.py)", "image (image.py)", "enqueue (script_run_context.py)",
              "_enqueue_forward_msg (script_runner.py)"]  # fmt: skip
    print("    script thread, inclusive: " + ", ".join(f"{w} {inclusive.get(w, 0) / script:.0%}" for w in wanted
                                                     if inclusive.get(w)))  # fmt: skip
    top = sorted(leaf.items(), key=lambda kv: -kv[1])[:8]
    print("    script thread, self time: " + ", ".join(f"{k} {v / script:.0%}" for k, v in top))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the timed run (headless and live; ≤ 30)")
    parser.add_argument("--memory-epochs", type=int, default=6, help="epochs of each of the two concurrent runs")
    parser.add_argument("--baseline-seconds", type=float, default=6.0, help="window of the paced baseline")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--profile", action="store_true", help="py-spy the server during the full-speed run")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="extra `streamlit run` option, e.g. --server-arg=--runner.postScriptGC=false")  # fmt: skip
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    shared = ROOT.parent / "shared" / "fashion-mnist"
    if "FASHION_MNIST_DIR" not in os.environ and shared.is_dir():
        os.environ["FASHION_MNIST_DIR"] = str(shared)
    spy = None
    if args.profile:
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        spy = spy if Path(spy).exists() else None
        if spy is None:
            print("--profile: py-spy not found (pip install py-spy)")
    say = lambda *a: print(*a, flush=True)
    say(
        f"# bench_live: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
        f"FASHION_MNIST_DIR={os.environ.get('FASHION_MNIST_DIR', '(unset)')}"
    )
    started = time.perf_counter()
    data = TrainingData.load()
    images_mib = (len(data.y_train) + len(data.y_test)) * N_PIXELS / MB
    features_mib = (data.X_train.nbytes + data.X_test.nbytes) / MB
    say(f"TrainingData.load() in this process: {time.perf_counter() - started:.2f} s")

    say(f"\n## Headless baseline: Trainer(data, adam, batch 256, {args.epochs} epochs).run(), BLAS 1 thread")
    heads = [headless(data, args.epochs, "headless, before the server")]
    say("  " + headless_line(heads[0]))

    workdir = Path(tempfile.mkdtemp(prefix="bench_live_"))
    server = Server(workdir, args.server_arg)
    live: dict = {}
    paced: dict = {}
    memory: dict = {}
    frag: dict = {}
    pages: list[LivePage] = []
    try:
        up = server.wait_healthy()
        time.sleep(1.0)
        rss_start = server.rss_mib()
        say(
            f"\n## Server: pid {server.pid}, port {server.port}, healthy after {up:.1f} s; "
            f"VmRSS {rss_start:.1f} MiB before any page load"
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            try:
                query = f"train_fast=true&train_epochs={args.epochs}"
                one = LivePage(browser, server.url)
                pages.append(one)
                t = time.monotonic()
                one.open(query)
                rss_loaded = server.rss_mib()
                fast, epochs_shown = one.full_speed(), one.slider("Epochs")
                say(
                    f"  opened /training?{query} in {time.monotonic() - t:.1f} s (dataset read, features built); "
                    f"VmRSS now {rss_loaded:.1f} MiB"
                )
                say(f"  page.url = {one.page.url}; the page shows full speed = {fast}, Epochs = {epochs_shown}")
                if fast is None:
                    raise RuntimeError("neither a 'Full speed' toggle nor a 'Pace' control on the page")
                if not fast or epochs_shown != str(args.epochs):
                    say("  !! the URL's values were not all taken: setting full speed by clicking the control")
                    one.set_full_speed(True)
                    say(f"  after the click: page.url = {one.page.url}; full speed = {one.full_speed()}")
                fast_url = urllib.parse.urlsplit(one.page.url)
                fast_params = dict(urllib.parse.parse_qsl(fast_url.query))

                # Baseline for 1: a paced run (its training thread mostly asleep), same page, same fragment.
                one.set_full_speed(False)
                say(f"  paced (full speed off): page.url = {one.page.url}")
                one.record()
                one.click("Start new run")
                one.wait_state({"running"}, 60)
                meter = CpuMeter(server.pid)
                meter.start()
                perf0 = one.perf()
                one.page.wait_for_timeout(args.baseline_seconds * 1000)
                paced["main"] = main_thread_line(perf0, one.perf())
                paced["cpu"] = meter.stop()
                paced.update(analyse(one.log()))
                one.click("Reset", exact=True)
                one.wait()
                one.set_full_speed(True)
                say(f"  full speed again: page.url = {one.page.url}")
                if not one.full_speed() or one.slider("Epochs") != str(args.epochs):
                    raise RuntimeError("could not restore the full-speed settings")
                say(
                    f"\n## 1. Live refresh rate (target ≥ {TARGET_RATE:g} redraws/s; the fragment's run_every is 0.25 s)"
                )
                say("  baseline " + rate_line(f"paced run (≈10 s/epoch), {args.baseline_seconds:g} s window", paced))
                say(f"    {paced['main']}\n    {cpu_line(paced['cpu'])}")

                # 1 and 2: a full-speed run with the page open and polling.
                one.record()
                one.click("Start new run")
                first = one.wait_state({"running", "finished"}, 60)
                profiler = py_spy_start(spy, server.pid, 0.5 * args.epochs * heads[0]["slope"] + 1, workdir / "spy.txt")
                meter.start()
                perf0 = one.perf()
                end = one.wait_state({"finished", "diverged", "failed", "stopped"}, 30 + 20 * args.epochs)
                live["main"] = main_thread_line(perf0, one.perf())
                live["cpu"] = meter.stop()
                one.page.wait_for_timeout(4000)  # does polling stop once the run has finished?
                live.update(analyse(one.log()))
                live["first"], live["end"] = first, end
                one.wait()
                live["confusion"] = one.page.get_by_text("Confusion matrix on the 10 000 test images").count() > 0
                say("  " + rate_line(f"FULL-SPEED run, {args.epochs} epochs", live))
                say(f"    {live['main']}\n    {cpu_line(live['cpu'])}")
                if "sent_after" in live:
                    say(
                        f"  after the run finished: {live['sent_after']} browser→server messages in the 3 s from 1 s "
                        f"after 'finished' ({'polling stopped' if live['sent_after'] <= 1 else 'STILL POLLING'}); "
                        f"confusion matrix shown: {live['confusion']}"
                    )
                py_spy_report(profiler, workdir / "spy.txt")
                one.close()
                pages.remove(one)

                # 2, headless again right after (server idle, no page open), and with the fragment's work added.
                heads.append(headless(data, args.epochs, "headless, right after (server idle)"))
                frag = headless(data, args.epochs, "headless + the fragment's server work in a 2nd thread",
                                fragment=True)  # fmt: skip
                say(f"\n## 2. Training speed with the page open vs headless (target ≥ {TARGET_KEEP:.0%} kept)")
                for h in [*heads, frag]:
                    say("  " + headless_line(h))
                base = statistics.fmean(h["slope"] for h in heads)
                if "slope" in live and "trainer" in live:
                    live["keep"] = base / live["slope"]
                    keeps = sorted(h["slope"] / live["slope"] for h in heads)
                    keep_trainer = statistics.fmean(h["trainer"] for h in heads) / live["trainer"]
                    say(
                        f"  in the server, page open: {live['slope']:.3f} s/epoch wall (each epoch's first sight in "
                        f"the page), {live['trainer']:.3f} s/epoch trainer time (status line at 'finished')"
                    )
                    say(
                        f"  => training keeps {live['keep']:.0%} of its headless speed (wall; {keeps[0]:.0%}–"
                        f"{keeps[-1]:.0%} against each headless run; {keep_trainer:.0%} by the trainer's clock) "
                        f"[{'OK' if live['keep'] >= TARGET_KEEP else 'MISSED'}]"
                    )
                else:
                    say(f"  in the server: no finished run seen in time (last status {end})")
                say(f"  headless with only the fragment's server-side work added keeps {base / frag['slope']:.0%}")

                # 3: two sessions training at once.
                say(f"\n## 3. Server memory (target ≤ {TARGET_MB} MB, VmHWM of the server process)")
                rss_before_two = server.rss_mib()
                two = [LivePage(browser, server.url) for _ in range(2)]
                pages.extend(two)
                mem_query = urllib.parse.urlencode({**fast_params, "train_epochs": args.memory_epochs})
                for p in two:
                    p.open(mem_query)
                    if not p.full_speed():
                        say(f"  !! /training?{mem_query} opened without full speed: clicking it on")
                        p.set_full_speed(True)
                    p.record()
                say(f"  two sessions on /training?{mem_query}: full speed = {[p.full_speed() for p in two]}")
                rss_two_open = server.rss_mib()
                for p in two:
                    p.click("Start new run")
                samples = []
                deadline = time.monotonic() + 60 + 30 * args.memory_epochs
                meter.start()
                while time.monotonic() < deadline:
                    samples.append(server.rss_mib())
                    states = [p.status() for p in two]
                    if all(s and s[0] in ("finished", "diverged", "failed", "stopped") for s in states):
                        break
                    two[0].page.wait_for_timeout(250)
                memory = {
                    "start": rss_start, "loaded": rss_loaded, "before_two": rss_before_two,
                    "two_open": rss_two_open, "peak_sampled": max(samples) if samples else 0.0,
                    "hwm": server.rss_mib("VmHWM"), "end": server.rss_mib(), "states": [p.status() for p in two],
                    "cpu": meter.stop(),
                }  # fmt: skip
                memory["rates"] = [analyse(p.log()) for p in two]
                errors = [e for p in pages for e in p.errors]
                if errors:
                    say(f"  page errors: {errors[:3]}")
            finally:
                for p in pages:
                    with contextlib.suppress(Exception):  # closing what is left; the browser goes next
                        p.close()
                browser.close()
    finally:
        server.stop()

    say(
        f"  dataset: {images_mib:.1f} MiB uint8 images + {features_mib:.1f} MiB float32 features "
        f"= {images_mib + features_mib:.1f} MiB"
    )
    m = memory
    say(
        f"  VmRSS: {m['start']:.1f} MiB after start (no page); {m['loaded']:.1f} MiB with the dataset loaded "
        f"(+{m['loaded'] - m['start']:.1f} = {(m['loaded'] - m['start']) / (images_mib + features_mib):.2f}× the "
        f"dataset); {m['before_two']:.1f} MiB after the first session; {m['two_open']:.1f} MiB with two sessions "
        f"open; peak sampled {m['peak_sampled']:.1f} MiB while both train; {m['end']:.1f} MiB at the end"
    )
    hwm_mb = m["hwm"] * MB / 1e6
    say(
        f"  VmHWM (process peak): {m['hwm']:.1f} MiB = {hwm_mb:.0f} MB [{'OK' if hwm_mb <= TARGET_MB else 'MISSED'}]; "
        f"two concurrent sessions added {m['peak_sampled'] - m['before_two']:.1f} MiB"
    )
    say(f"  two sessions' final status: {[s[0] if s else None for s in m['states']]}")
    for i, a in enumerate(m["rates"]):
        say("  " + rate_line(f"two at once, session {i + 1}", a))
    say("    " + cpu_line(m["cpu"]))

    say("\n## Summary (this run)")
    if "rate" in live:
        say(
            f"  1. refresh rate {live['rate']:.2f}/s (target ≥ {TARGET_RATE:g}; paced baseline "
            f"{paced.get('rate', float('nan')):.2f}/s) [{'OK' if live['rate'] >= TARGET_RATE else 'MISSED'}]"
        )
    if "keep" in live:
        say(
            f"  2. training keeps {live['keep']:.0%} of its headless speed ({live['slope']:.3f} vs "
            f"{statistics.fmean(h['slope'] for h in heads):.3f} s/epoch; target ≥ {TARGET_KEEP:.0%}) "
            f"[{'OK' if live['keep'] >= TARGET_KEEP else 'MISSED'}]"
        )
    say(
        f"  3. server peak {hwm_mb:.0f} MB (VmHWM; {m['start'] * MB / 1e6:.0f} MB at start, dataset "
        f"{(images_mib + features_mib) * MB / 1e6:.0f} MB; target ≤ {TARGET_MB} MB) "
        f"[{'OK' if hwm_mb <= TARGET_MB else 'MISSED'}]"
    )
    say(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
