"""The Streamlit server process: its process-wide settings, and the services every session's training shares.

- `configure_process`: BLAS at one thread and a short GIL switch interval, once, at start-up (`app.py`).
- `training_server`: the process's `TrainingSlots` (how many runs train at full speed at once) and the
  `SessionRegistry` of every session's runs, with one daemon thread that stops the runs of ended sessions.

Both are per process on purpose: they ration this process's CPU and follow this process's sessions. A module
singleton, not `st.cache_resource`: clearing Streamlit's caches must not fork the slot count or the registry.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass

from streamlit import config
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from threadpoolctl import threadpool_limits

from core.training_run import TERMINAL_STATES, SessionRegistry, TrainingRun, TrainingSlots, slot_capacity, stop_all

SLOTS_ENV = "EXPLORER_TRAINING_SLOTS"  # overrides the number of training slots (default: 2 per core)
# Seconds a Python thread may hold the GIL before another that waits gets it (CPython's default: 0.005).
# The training thread drops the GIL in every NumPy call and must win it back each time; while the live view
# runs Python in the server thread, a shorter interval keeps it from waiting 5 ms each time.
SWITCH_INTERVAL = 0.0005
REAP_EVERY = 1.0  # seconds between two looks at which sessions have ended
STOP_PATIENCE = 10.0  # seconds the reaper waits for an ended session's runs to finish their step

_LOGGER = logging.getLogger(__name__)


@functools.cache
def configure_process() -> None:
    """Limit BLAS to one thread and shorten the GIL switch interval, for the whole process; idempotent.

    Both settings hold for every thread of the process, so they are made once, explicitly, before any session
    trains — not as a side effect of whichever cached function happens to run first. One BLAS thread: each run
    is one thread, and on a small server two runs (or two sessions) then share the cores instead of fighting
    over them (bench/bench_training.py). The switch interval: see `SWITCH_INTERVAL`.
    """
    threadpool_limits(1, "blas")
    sys.setswitchinterval(SWITCH_INTERVAL)


@dataclass(frozen=True, eq=False)
class TrainingServer:
    """The process's training slots and the registry of each session's runs."""

    slots: TrainingSlots
    sessions: SessionRegistry[TrainingRun]


def _session_active(session_id: str) -> bool:
    """Whether the server still has this session connected. True where no server runs (AppTest between two
    script runs, bare mode): there is no session lifecycle to follow there."""
    try:
        return bool(Runtime.instance().is_active_session(session_id))
    except RuntimeError:  # Runtime.instance(): no runtime exists
        return True


def _ended(run: TrainingRun) -> bool:
    return run.state in TERMINAL_STATES


def _reap(sessions: SessionRegistry[TrainingRun]) -> None:
    """Every `REAP_EVERY` seconds: stop (and forget) the runs of the sessions that have ended."""
    while True:
        try:
            stop_all(sessions.sweep(time.monotonic(), _session_active, _ended), STOP_PATIENCE)
        except Exception:  # logged: the reaper must outlive any one bad look
            _LOGGER.exception("stopping the training runs of ended sessions failed")
        time.sleep(REAP_EVERY)


def _capacity() -> int:
    try:
        return slot_capacity(os.environ.get(SLOTS_ENV), os.cpu_count())
    except ValueError as exc:
        default = slot_capacity(None, os.cpu_count())
        _LOGGER.warning("%s=%r ignored (%s): using %d training slots", SLOTS_ENV, os.environ[SLOTS_ENV], exc, default)
        return default


_lock = threading.Lock()
_server: TrainingServer | None = None  # the one instance, once made


def training_server() -> TrainingServer:
    """The process's `TrainingServer`, made (and its reaper thread started) on first use.

    A session ends `server.disconnectedSessionTTL` seconds after its tab closed: Streamlit keeps a disconnected
    session that long for a reconnect, then drops it without a hook. The reaper asks the runtime which sessions
    are still active, and stops the runs of a session that has not been for that long.
    """
    global _server
    with _lock:
        if _server is None:
            ttl = float(config.get_option("server.disconnectedSessionTTL"))
            _server = TrainingServer(TrainingSlots(_capacity()), SessionRegistry(ttl))
            threading.Thread(target=_reap, args=(_server.sessions,), name="TrainingReaper", daemon=True).start()
        return _server


def register(run: TrainingRun) -> None:
    """Record ``run`` as one of the current session's (nothing outside a script run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        training_server().sessions.add(ctx.session_id, run)
