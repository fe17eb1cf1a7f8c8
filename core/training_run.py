"""A `Trainer` in a background thread, and the server-wide bookkeeping around such threads.

- `TrainingRun`: start / pause / resume / step / stop from any thread, and a cheap ``snapshot()``.
- `TrainingSlots`: at most k runs train at full speed at once in a process; the others wait in a FIFO queue,
  and each run's snapshot says how many are ahead of it.
- `SessionRegistry`: which runs belong to which browser session, and which sessions have ended, so that the runs
  of a closed tab stop when its session ends rather than when the garbage collector happens to free them.
- `stop_all`: stop several runs at once.

Locks: each run has one lock (its trainer's, shared by the `Condition` its thread waits on); the slots have one
of their own, and so has the registry. A thread may take the slots' lock while holding a run's (a snapshot asks
for its queue position), never the other way round; no run waits for a slot while holding its own lock; the
registry calls out (to a run's state, to the server) with its lock released.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from core.model import SoftmaxRegression
from core.trainer import Snapshot, Trainer, TrainingConfig, TrainingData, require_float, require_int

TERMINAL_STATES = frozenset({"finished", "stopped", "diverged", "failed"})  # a run in these never trains again
POLL = 0.5  # seconds: the longest any wait of a run's thread lasts before it looks at its stop flag again
SLOTS_PER_CPU = 2  # the default number of training slots per core (`slot_capacity`)

T = TypeVar("T", bound=Hashable)


def slot_capacity(setting: str | None, cpu_count: int | None) -> int:
    """How many runs may train at full speed at once: ``setting`` (an environment variable's text) if given,
    else `SLOTS_PER_CPU` per core. A clear ValueError for a setting that is not a whole number ≥ 1."""
    if setting is None or not setting.strip():
        return SLOTS_PER_CPU * (cpu_count or 1)
    try:
        capacity = int(setting)
    except ValueError:
        capacity = 0
    if capacity < 1:
        raise ValueError(f"the number of training slots must be a whole number ≥ 1, got {setting!r}")
    return capacity


class TrainingSlots:
    """At most ``capacity`` holders at once; the others wait in a queue, first come, first served.

    A holder is any hashable ticket (a run's thread uses its worker). ``acquire`` joins the queue and waits;
    ``release`` gives the slot (or the place in the queue) back and hands the slot to the first in line. Thread
    safe; `acquire` calls ``give_up`` while holding the slots' lock, so ``give_up`` must take no other lock.
    """

    def __init__(self, capacity: int) -> None:
        require_int("capacity", capacity)
        self.capacity = capacity
        self._changed = threading.Condition(threading.Lock())
        self._holders: set[Hashable] = set()
        self._queue: list[Hashable] = []

    @property
    def in_use(self) -> int:
        """Slots held now."""
        with self._changed:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        """Tickets in the queue now."""
        with self._changed:
            return len(self._queue)

    def position(self, ticket: Hashable) -> int | None:
        """How many tickets are ahead of ``ticket`` in the queue (0: it is next); None if it is not queued."""
        with self._changed:
            return self._queue.index(ticket) if ticket in self._queue else None

    def holds(self, ticket: Hashable) -> bool:
        """Whether ``ticket`` holds a slot now."""
        with self._changed:
            return ticket in self._holders

    def _promote(self) -> None:
        """Hand free slots to the head of the queue; the caller holds the lock."""
        promoted = False
        while self._queue and len(self._holders) < self.capacity:
            self._holders.add(self._queue.pop(0))
            promoted = True
        if promoted:
            self._changed.notify_all()

    def acquire(self, ticket: Hashable, give_up: Callable[[], bool], poll: float = POLL) -> bool:
        """Wait in the queue until ``ticket`` holds a slot (True), or until ``give_up()`` is true (False, and the
        ticket has left the queue). ``give_up`` is asked at least every ``poll`` seconds, and at once after
        `wake`. True at once if the ticket holds a slot already."""
        with self._changed:
            if ticket in self._holders:
                return True
            if ticket not in self._queue:
                self._queue.append(ticket)
            try:
                self._promote()
                while ticket not in self._holders:
                    if give_up():
                        return False
                    self._changed.wait(poll)
                return True
            finally:
                if ticket in self._queue:  # gave up, or an exception: no place is left behind
                    self._queue.remove(ticket)
                    self._promote()

    def release(self, ticket: Hashable) -> None:
        """Give back ``ticket``'s slot or its place in the queue (nothing if it has neither)."""
        with self._changed:
            self._holders.discard(ticket)
            if ticket in self._queue:
                self._queue.remove(ticket)
            self._promote()

    def wake(self) -> None:
        """Make every waiting `acquire` ask its ``give_up`` now (after a run was paused or stopped)."""
        with self._changed:
            self._changed.notify_all()


class _Worker:
    """The part of a `TrainingRun` its thread uses; it holds no reference back to the run.

    ``pending`` counts the single steps asked for while paused; ``stepping`` is true while a step runs;
    ``holding`` whether this thread holds a training slot (only the thread itself changes it).
    """

    def __init__(self, trainer: Trainer, steps_per_second: float | None, slots: TrainingSlots | None) -> None:
        self.trainer = trainer
        self.interval = 1.0 / steps_per_second if steps_per_second else 0.0
        self.slots = slots
        self.changed = threading.Condition(trainer.lock)
        self.state = "ready"
        self.pending = 0
        self.stepping = False
        self.stop_requested = False
        self.holding = False
        self.error = ""

    @property
    def busy(self) -> bool:
        return self.stepping or self.state == "running" or (self.state == "paused" and self.pending > 0)

    def request_stop(self) -> None:
        """Stop: the thread ends after the step in progress (explicit, from a caller that holds no lock)."""
        with self.changed:
            self.stop_requested = True
            if self.state == "ready":
                self.state = "stopped"
            self.changed.notify_all()
        if self.slots is not None:
            self.slots.wake()

    def abandon(self) -> None:
        """The finaliser of a run nobody references any more: only set the stop flag.

        No lock, no Event: the garbage collector may call this in any thread, even one that holds this run's lock
        or the slots' (the run's own thread in the middle of a step); taking a lock there would hang that thread
        inside the collector. Every wait of the thread is bounded by `POLL`, so it sees the flag soon.
        """
        self.stop_requested = True

    def _slot_needed(self) -> bool:
        """Whether the next step needs a training slot; the caller holds the lock.

        Only a run at full speed takes one. A single step (Step +1) is one batch that the page waits for, so it
        never queues. A paced ("watchable") run takes none either: it sleeps between its steps (about 10 s an
        epoch, at most 2 steps a second) and on Fashion-MNIST computes for 1–6 % of that time (Adam at B = 256:
        0.2 ms a step at 23.5 steps/s; gradient descent: 30 ms a step at 2 steps/s), so dozens of them cost what
        one full-speed run does. Queueing them would ration almost nothing and make a lecture's demonstration
        wait behind a class's full-speed runs.
        """
        return self.slots is not None and self.state == "running" and not self.interval

    def _release(self) -> None:
        if self.holding:
            self.slots.release(self)
            self.holding = False

    def _next_step(self) -> bool:
        """Wait until there is a step to take, and at full speed a slot to take it in: True then, False once
        stopped. An idle (paused) run gives its slot back; a run waiting for one does so without its lock held,
        so pause, stop and snapshots act at once meanwhile."""
        while True:
            with self.changed:
                while not (self.stop_requested or self.busy):
                    self._release()
                    self.changed.wait(POLL)
                if self.stop_requested:
                    return False
                needed = self._slot_needed()
                if not needed:
                    self._release()
                if self.holding or not needed:
                    if self.state == "paused":
                        self.pending -= 1
                    self.stepping = True
                    return True
            self.holding = self.slots.acquire(self, lambda: self.stop_requested or self.state != "running")

    def _rest(self, started: float) -> None:
        """A paced run waits out the rest of its interval after a step, but stops or pauses at once."""
        if not self.interval:
            return
        with self.changed:
            while self.state == "running" and not self.stop_requested:
                left = self.interval - (time.perf_counter() - started)
                if left <= 0:
                    return
                self.changed.wait(min(left, POLL))

    def loop(self) -> None:
        trainer = self.trainer
        state, error = "stopped", ""
        try:
            while self._next_step():
                started = time.perf_counter()
                more = trainer.step()
                with self.changed:
                    self.stepping = False
                    self.changed.notify_all()
                if not more:
                    state = "diverged" if trainer.diverged else "finished"
                    break
                self._rest(started)
        except Exception as exc:  # noqa: BLE001 — shown by snapshot().message instead of dying silently
            state, error = "failed", f"Training stopped by an unexpected error: {type(exc).__name__}: {exc}"
        finally:
            self._release()  # before the state changes: whoever sees the run ended sees its slot free
            with self.changed:
                self.state, self.error, self.stepping = state, error, False
                self.changed.notify_all()


class TrainingRun:
    """A `Trainer` in a daemon thread: ``start``, ``pause``, ``resume``, ``step`` (while paused), ``stop``.

    States: "ready" → "running" ⇄ "paused" → "finished" | "stopped" | "diverged" | "failed".
    Controls that do not apply to the current state do nothing, so a UI may call them freely.
    ``snapshot()`` is cheap (O(1) in the run's length) and thread-safe. ``steps_per_second`` paces a running run so
    that a class can watch it learn (None: full speed); pausing and stopping still act at once. With ``slots``,
    a run at full speed trains only while it holds one of them and waits in their queue meanwhile (still
    "running"; its snapshot's ``queue_position`` says how many runs are ahead).
    Dropping the last reference to a run makes its thread stop soon (``finalizer``); `stop` (or `stop_all`)
    stops and joins explicitly.
    """

    def __init__(
        self,
        data: TrainingData,
        config: TrainingConfig,
        initial: SoftmaxRegression | None = None,
        steps_per_second: float | None = None,
        slots: TrainingSlots | None = None,
    ):
        if steps_per_second is not None:
            require_float("steps_per_second", steps_per_second, positive=True)
        self.config = config
        self.steps_per_second = steps_per_second
        worker = self._worker = _Worker(Trainer(data, config, initial), steps_per_second, slots)
        self._thread = threading.Thread(
            target=worker.loop, name=f"TrainingRun-{config.optimizer}-{config.loss}-{id(worker):x}", daemon=True
        )
        self.finalizer = weakref.finalize(self, worker.abandon)

    @property
    def state(self) -> str:
        with self._worker.changed:
            return self._worker.state

    def start(self) -> None:
        """Begin training in the background (from "ready")."""
        with self._worker.changed:
            if self._worker.state != "ready":
                return
            self._worker.state = "running"
        self._thread.start()

    def pause(self) -> None:
        """Halt after the current step (from "running"); a run waiting for a slot leaves the queue."""
        with self._worker.changed:
            if self._worker.state != "running":
                return
            self._worker.state = "paused"
            self._worker.pending = 0
            self._worker.changed.notify_all()
        if self._worker.slots is not None:
            self._worker.slots.wake()

    def resume(self) -> None:
        """Continue training (from "paused"; from "ready" this starts)."""
        with self._worker.changed:
            if self._worker.state == "paused":
                self._worker.state = "running"
                self._worker.pending = 0
                self._worker.changed.notify_all()
                return
        self.start()

    def step(self, n: int = 1) -> None:
        """Do ``n`` more steps, then stay paused (from "paused", or from "ready")."""
        require_int("n", n)
        with self._worker.changed:
            state = self._worker.state
            if state in ("ready", "paused"):
                self._worker.state = "paused"
                self._worker.pending += n
                self._worker.changed.notify_all()
        if state == "ready":
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop training and join the thread (a step in progress is finished first)."""
        self._worker.request_stop()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is not busy (paused with no steps pending, or ended). False on timeout."""
        with self._worker.changed:
            return self._worker.changed.wait_for(lambda: not self._worker.busy, timeout)

    def snapshot(self) -> Snapshot:
        """The state, history and θ now, immutable; O(1), cheap enough to poll several times a second."""
        worker = self._worker
        with worker.changed:
            position = worker.slots.position(worker) if worker.slots is not None else None
            return worker.trainer.snapshot_as(worker.state, worker.error or worker.trainer.message, position)

    def model(self) -> SoftmaxRegression:
        """The current f(x, θ) as a standalone model."""
        return self._worker.trainer.model()


def stop_all(runs: Iterable[TrainingRun], timeout: float | None = None) -> None:
    """Stop several runs at once (signal all, then join all) — e.g. every run of a session."""
    runs = list(runs)
    for run in runs:
        run._worker.request_stop()
    for run in runs:
        run.stop(timeout)


class SessionRegistry(Generic[T]):
    """Which runs belong to which session, and when a session has ended.

    A session that is not active (its browser tab closed: no connection) may still come back within ``ttl``
    seconds — a server keeps a disconnected session that long for a reconnect; once it has been inactive for
    ``ttl`` seconds it has ended, and `sweep` hands back its runs, to be stopped, and forgets them. A session
    seen active again before that is kept. Pure bookkeeping: the caller passes the clock and what "active"
    means, so it runs the same against a real server and in a test. Thread-safe.
    """

    def __init__(self, ttl: float) -> None:
        require_float("ttl", ttl)
        self.ttl = ttl
        self._lock = threading.Lock()
        self._runs: dict[str, list[T]] = {}
        self._inactive_since: dict[str, float] = {}

    def add(self, session: str, run: T) -> None:
        """Record that ``run`` belongs to ``session`` (called while the session is running a script: active)."""
        with self._lock:
            self._runs.setdefault(session, []).append(run)
            self._inactive_since.pop(session, None)

    def runs(self, session: str | None = None) -> list[T]:
        """The runs recorded for ``session`` (for every session if None), oldest first."""
        with self._lock:
            if session is not None:
                return list(self._runs.get(session, ()))
            return [run for runs in self._runs.values() for run in runs]

    def sweep(self, now: float, is_active: Callable[[str], bool], ended: Callable[[T], bool]) -> list[T]:
        """Forget the runs that have ``ended`` (their thread is over); then take out and return every run of the
        sessions inactive since at least ``ttl`` seconds before ``now``. ``is_active`` and ``ended`` are called
        without the registry's lock held (they may take other locks, or use the registry)."""
        with self._lock:
            recorded = {session: list(runs) for session, runs in self._runs.items()}
        over = {run for runs in recorded.values() for run in runs if ended(run)}
        active = {session: is_active(session) for session in recorded}
        expired: list[T] = []
        with self._lock:
            for session, alive in active.items():
                runs = [run for run in self._runs.get(session, ()) if run not in over]
                if not runs:
                    self._runs.pop(session, None)
                    self._inactive_since.pop(session, None)
                    continue
                self._runs[session] = runs
                if alive:
                    self._inactive_since.pop(session, None)
                    continue
                since = self._inactive_since.setdefault(session, now)
                if now - since >= self.ttl:
                    expired += self._runs.pop(session)
                    del self._inactive_since[session]
        return expired
