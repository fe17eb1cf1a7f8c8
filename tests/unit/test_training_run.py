"""core.training_run: a trainer in a background thread (start, pause, step, resume, stop, and a finaliser that
takes no lock), the server-wide training slots and their FIFO queue, and the registry that says which sessions
have ended."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from core.trainer import Trainer, TrainingConfig, TrainingData
from core.training_run import SessionRegistry, TrainingRun, TrainingSlots, slot_capacity, stop_all
from tests.unit.training_support import PATIENCE, MakeRun, training_threads, wait_until

pytestmark = pytest.mark.usefixtures("no_thread_left_behind")
LONG = TrainingConfig(epochs=10**6, batch_size=32)  # never finishes by itself


def wait_for_steps(run: TrainingRun, steps: int) -> None:
    wait_until(lambda: run.snapshot().step >= steps)


def test_pause_step_resume_stop(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, LONG)
    assert run.state == "ready"
    run.start()
    wait_for_steps(run, 5)
    run.pause()
    assert run.wait(PATIENCE)
    paused = run.snapshot()
    assert paused.state == "paused"
    time.sleep(0.05)
    assert run.snapshot().step == paused.step
    run.step(3)
    assert run.wait(PATIENCE)
    stepped = run.snapshot()
    assert stepped.state == "paused" and stepped.step == paused.step + 3
    assert len(stepped.step_loss) == stepped.step
    run.resume()
    wait_for_steps(run, stepped.step + 5)
    assert run.state == "running"
    run.stop()
    assert run.state == "stopped" and not training_threads()
    stopped_at = run.snapshot().step
    run.start()
    run.resume()
    run.step()
    assert run.state == "stopped" and run.snapshot().step == stopped_at


def test_step_from_ready_starts_paused(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=100, batch_size=32))
    run.step(2)
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert (shot.state, shot.step) == ("paused", 2)
    run.stop()
    assert run.state == "stopped"


def test_a_run_finishes_and_its_thread_ends(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=2, batch_size=64))
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "finished" and shot.epoch == 2 and len(shot.epoch_test_accuracy) == 2
    wait_until(lambda: not training_threads())
    run.stop()
    assert run.state == "finished"


def test_stop_before_start(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig())
    run.stop()
    run.start()
    assert run.state == "stopped" and not training_threads()


def test_dropping_a_run_stops_its_thread(synthetic: TrainingData) -> None:
    run = TrainingRun(synthetic, LONG)
    run.start()
    wait_for_steps(run, 1)
    assert training_threads()
    del run
    gc.collect()
    wait_until(lambda: not training_threads())


def test_a_paced_run_waits_between_steps_yet_stops_at_once(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, LONG, steps_per_second=0.5)
    run.start()
    wait_for_steps(run, 1)
    started = time.monotonic()
    time.sleep(0.3)
    steps = run.snapshot().step
    # At 0.5 steps/s at most one more step can begin in the time that passed (the first one began at once).
    assert steps <= 2 + int((time.monotonic() - started) * 0.5)
    run.pause()
    assert run.wait(PATIENCE) and run.state == "paused"
    paused_at = run.snapshot().step
    run.step(2)  # single steps are not paced
    assert run.wait(PATIENCE) and run.snapshot().step == paused_at + 2
    run.resume()
    run.stop()
    assert run.state == "stopped" and not training_threads()


def test_pace_must_be_positive(synthetic: TrainingData) -> None:
    with pytest.raises(ValueError, match="steps_per_second"):
        TrainingRun(synthetic, TrainingConfig(), steps_per_second=0)


def test_stop_all_stops_a_sessions_runs(make_run: MakeRun, synthetic: TrainingData) -> None:
    runs = [make_run(synthetic, TrainingConfig(loss=loss, epochs=10**6, batch_size=32)) for loss in ("ce", "mse")]
    for run in runs:
        run.start()
    for run in runs:
        wait_for_steps(run, 1)
    stop_all(runs)
    assert [run.state for run in runs] == ["stopped", "stopped"] and not training_threads()


def test_snapshots_stay_as_they_were_taken(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=3, batch_size=32))
    run.step(4)
    assert run.wait(PATIENCE)
    before = run.snapshot()
    W = before.W.copy()
    assert isinstance(before.step_loss, np.ndarray) and not before.step_loss.flags.writeable
    assert not before.W.flags.writeable
    run.resume()
    assert run.wait(PATIENCE)
    after = run.snapshot()
    assert after.step > before.step and len(before.step_loss) == 4
    np.testing.assert_array_equal(before.W, W)
    assert not np.array_equal(after.W, W)
    assert before.model().W.shape == (10, 784)


def test_an_unexpected_error_is_reported_not_swallowed(
    make_run: MakeRun, synthetic: TrainingData, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Trainer) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(Trainer, "step", boom)
    run = make_run(synthetic, TrainingConfig())
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "failed" and "RuntimeError: boom" in shot.message


def test_a_run_in_a_thread_trains_exactly_like_the_trainer(make_run: MakeRun, synthetic: TrainingData) -> None:
    config = TrainingConfig(epochs=3, batch_size=64, seed=11)
    expected = Trainer(synthetic, config).run()
    runs = [make_run(synthetic, config) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        assert run.wait(PATIENCE)
        shot = run.snapshot()
        np.testing.assert_array_equal(shot.W, expected.W)
        np.testing.assert_array_equal(shot.step_loss, expected.step_loss)


def test_a_run_that_diverges_says_so(make_run: MakeRun, noisy: TrainingData) -> None:
    config = TrainingConfig(optimizer="sgd", learning_rate=100.0, epochs=50, batch_size=32)
    expected = Trainer(noisy, config).run()
    run = make_run(noisy, config)
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "diverged" and shot.message == expected.message and "Lower the learning rate" in shot.message


# ---- the finaliser: no lock, so the garbage collector may run it anywhere -----------------------------------


def _start_in(how: str, run: TrainingRun, slots: TrainingSlots) -> None:
    if how == "queued":
        assert slots.acquire("someone else", lambda: False)  # the only slot is taken: the run waits in line
        run.start()
        wait_until(lambda: run.snapshot().queue_position == 0)
        return
    run.start()
    wait_for_steps(run, 1)
    if how == "paused":
        run.pause()
        assert run.wait(PATIENCE)


@pytest.mark.parametrize("how", ["running", "paused", "paced", "queued"])
def test_the_finaliser_returns_while_the_runs_lock_is_held_and_the_thread_then_ends(
    make_run: MakeRun, synthetic: TrainingData, how: str
) -> None:
    """The collector may free a run in its own thread, in the middle of a step, while that thread holds the run's
    lock: the finaliser must return there (it only sets a flag), and the thread must still end (its waits are
    bounded by POLL), whatever it is doing — training, idle while paused, resting between paced steps, or
    waiting in the slot queue."""
    slots = TrainingSlots(1)
    run = make_run(synthetic, LONG, steps_per_second=0.5 if how == "paced" else None, slots=slots)
    _start_in(how, run, slots)
    returned = threading.Event()

    def collector() -> None:
        with run._worker.changed:  # the lock the run's own thread holds while it records a step
            run.finalizer()
            returned.set()

    thread = threading.Thread(target=collector, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    assert returned.is_set() and not thread.is_alive()
    wait_until(lambda: not training_threads())
    assert run.state == "stopped" and slots.waiting == 0
    slots.release("someone else")
    assert slots.in_use == 0


# ---- training slots -----------------------------------------------------------------------------------------


class Waiter:
    """A thread that waits in ``slots``' queue for a slot for ``ticket``, until it gets one or gives up."""

    def __init__(self, slots: TrainingSlots, ticket: str) -> None:
        self.slots, self.ticket, self.give_up = slots, ticket, False
        self.result: bool | None = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()
        wait_until(lambda: slots.position(ticket) is not None or slots.holds(ticket))

    def _wait(self) -> None:
        self.result = self.slots.acquire(self.ticket, lambda: self.give_up, poll=0.01)

    def outcome(self) -> bool | None:
        self.thread.join(PATIENCE)
        assert not self.thread.is_alive()
        return self.result


def test_slots_go_to_the_queue_first_come_first_served() -> None:
    slots = TrainingSlots(2)
    assert slots.acquire("a", lambda: False) and slots.acquire("b", lambda: False)
    assert slots.acquire("a", lambda: False)  # a holder asking again keeps its one slot
    c, d, e = (Waiter(slots, t) for t in "cde")
    assert [slots.position(t) for t in "abcde"] == [None, None, 0, 1, 2]
    assert (slots.in_use, slots.waiting) == (2, 3)
    slots.release("a")
    assert c.outcome() is True and slots.holds("c") and not slots.holds("a")
    assert [slots.position(t) for t in "de"] == [0, 1]
    e.give_up = True  # leaves the line; whoever is behind moves up
    slots.wake()
    assert e.outcome() is False and slots.position("e") is None
    slots.release("b")
    assert d.outcome() is True
    assert (slots.in_use, slots.waiting) == (2, 0)
    for ticket in "cdz":  # "z" holds nothing: releasing it changes nothing
        slots.release(ticket)
    assert (slots.in_use, slots.waiting) == (0, 0)


def test_a_failing_wait_leaves_no_place_in_the_queue() -> None:
    slots = TrainingSlots(1)
    assert slots.acquire("a", lambda: False)

    def broken() -> bool:
        raise RuntimeError("give_up failed")

    with pytest.raises(RuntimeError, match="give_up failed"):
        slots.acquire("b", broken)
    assert slots.position("b") is None and slots.waiting == 0
    slots.release("a")
    assert slots.in_use == 0


@pytest.mark.parametrize(
    ("setting", "cpus", "expected"), [(None, 4, 8), ("", 2, 4), (" ", None, 2), ("3", 2, 3), ("1", 64, 1)]
)
def test_slot_capacity(setting: str | None, cpus: int | None, expected: int) -> None:
    assert slot_capacity(setting, cpus) == expected


@pytest.mark.parametrize("setting", ["0", "-2", "2.5", "many"])
def test_slot_capacity_rejects_what_is_not_a_whole_number_from_1(setting: str) -> None:
    with pytest.raises(ValueError, match="whole number ≥ 1"):
        slot_capacity(setting, 4)
    with pytest.raises(ValueError, match="capacity"):
        TrainingSlots(0)


def test_runs_beyond_the_slots_wait_in_line_and_know_their_place(make_run: MakeRun, synthetic: TrainingData) -> None:
    slots = TrainingSlots(1)
    a, b, c = (make_run(synthetic, LONG, slots=slots) for _ in range(3))
    a.start()
    wait_for_steps(a, 1)
    b.start()
    wait_until(lambda: b.snapshot().queue_position == 0)
    c.start()
    wait_until(lambda: c.snapshot().queue_position == 1)
    shot = b.snapshot()
    assert (shot.state, shot.step, a.snapshot().queue_position) == ("running", 0, None)
    assert (slots.in_use, slots.waiting) == (1, 2)

    a.pause()  # a paused run gives its slot to the first in line
    assert a.wait(PATIENCE)
    wait_for_steps(b, 1)
    assert b.snapshot().queue_position is None and c.snapshot().queue_position == 0
    c.stop()  # stopped while waiting: it leaves the line
    assert c.state == "stopped" and slots.waiting == 0
    a.resume()  # back in line, behind nobody: next
    wait_until(lambda: a.snapshot().queue_position == 0)
    paused_at = a.snapshot().step
    b.stop()  # a stopped run gives its slot back
    wait_until(lambda: a.snapshot().step > paused_at)
    assert a.snapshot().queue_position is None and slots.in_use == 1
    a.stop()
    assert (slots.in_use, slots.waiting) == (0, 0)


def test_a_finished_or_failed_run_gives_its_slot_back(
    make_run: MakeRun, synthetic: TrainingData, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots = TrainingSlots(1)
    short = make_run(synthetic, TrainingConfig(epochs=1, batch_size=64), slots=slots)
    short.start()
    assert short.wait(PATIENCE) and short.state == "finished"
    assert slots.in_use == 0  # already when the run is seen to have ended

    def boom(self: Trainer) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(Trainer, "step", boom)
    failing = make_run(synthetic, LONG, slots=slots)
    failing.start()
    assert failing.wait(PATIENCE) and failing.state == "failed"
    assert (slots.in_use, slots.waiting) == (0, 0)


def test_paced_runs_and_single_steps_take_no_slot(make_run: MakeRun, synthetic: TrainingData) -> None:
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", lambda: False)
    paced = make_run(synthetic, LONG, steps_per_second=200.0, slots=slots)
    paced.start()
    wait_for_steps(paced, 2)
    stepped = make_run(synthetic, LONG, slots=slots)
    stepped.step(3)
    assert stepped.wait(PATIENCE) and stepped.snapshot().step == 3
    assert paced.snapshot().queue_position is None and slots.waiting == 0
    stop_all([paced, stepped])
    slots.release("someone else")


# ---- which sessions have ended -------------------------------------------------------------------------------


def sweeper(registry: SessionRegistry[str], active: set[str]) -> Callable[[float], list[str]]:
    """``registry.sweep`` at a given time, with ``active`` the sessions connected then; no run has ended."""
    return lambda now: registry.sweep(now, active.__contains__, lambda run: False)


def test_a_session_ends_once_inactive_for_the_ttl() -> None:
    registry: SessionRegistry[str] = SessionRegistry(ttl=120.0)
    active = {"tab 1", "tab 2"}
    sweep = sweeper(registry, active)
    for run, session in (("r1", "tab 1"), ("r2", "tab 1"), ("r3", "tab 2")):
        registry.add(session, run)
    assert sweep(0.0) == []
    active.discard("tab 1")  # the tab is closed at t ≈ 10 s
    assert sweep(10.0) == [] and sweep(129.9) == []
    assert sweep(130.0) == ["r1", "r2"]  # 120 s without a connection: the server has dropped the session
    assert registry.runs() == ["r3"] and registry.runs("tab 1") == []
    assert sweep(10_000.0) == []


def test_a_session_that_reconnects_is_kept() -> None:
    registry: SessionRegistry[str] = SessionRegistry(ttl=3.0)
    active: set[str] = set()
    sweep = sweeper(registry, active)
    registry.add("tab", "r1")
    assert sweep(0.0) == [] and sweep(2.5) == []  # disconnected since 0 s
    active.add("tab")  # reconnected at 2.9 s
    assert sweep(2.9) == [] and sweep(50.0) == []
    active.clear()  # disconnected again at 60 s: the clock starts again
    assert sweep(60.0) == [] and sweep(62.9) == []
    registry.add("tab", "r2")  # a script run of the session: it is active
    assert sweep(63.0) == [] and sweep(65.9) == []
    assert sweep(66.0) == ["r1", "r2"]


def test_runs_that_have_ended_are_forgotten() -> None:
    registry: SessionRegistry[str] = SessionRegistry(ttl=1.0)
    for run in ("r1", "r2"):
        registry.add("tab", run)
    ended = {"r1"}
    assert registry.sweep(0.0, lambda session: True, ended.__contains__) == []
    assert registry.runs("tab") == ["r2"]
    ended.add("r2")
    assert registry.sweep(1.0, lambda session: True, ended.__contains__) == [] and registry.runs() == []


def test_is_active_is_asked_without_the_registrys_lock() -> None:
    registry: SessionRegistry[str] = SessionRegistry(ttl=0.0)
    registry.add("tab", "r1")

    def is_active(session: str) -> bool:  # a callable that itself uses the registry must not hang the sweep
        registry.add("another tab", "r2")
        return False

    result: list[list[str]] = []
    thread = threading.Thread(target=lambda: result.append(registry.sweep(5.0, is_active, lambda run: False)),
                              daemon=True)  # fmt: skip
    thread.start()
    thread.join(PATIENCE)
    assert result == [["r1"]] and registry.runs("another tab") == ["r2"]
    with pytest.raises(ValueError, match="ttl"):
        SessionRegistry(ttl=-1.0)
