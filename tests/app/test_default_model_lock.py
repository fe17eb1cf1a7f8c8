"""The default model across processes (deploy/serve.sh runs several on one cache folder): trained once.

`ui.model.default_model` holds an flock on a lock file beside the model while it loads or trains; a process that
finds the lock taken waits, then loads the file the first one wrote. Each test has its own cache folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.model import SoftmaxRegression
from ui import model as models

ROOT = Path(__file__).resolve().parents[2]

HOLD_THE_LOCK = """
import fcntl, os, sys
from core.model import SoftmaxRegression

path = sys.argv[1]
with open(path + ".lock", "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()
    SoftmaxRegression.initial(0.3, 0.35, seed=7).save(path + ".part")
    os.replace(path + ".part", path)
"""

START_AT_ONCE = """
import sys, time
import numpy as np
from core.trainer import TrainingData
from ui import model as models

def training_data():
    with open(sys.argv[1], "a") as calls:
        print("trained", file=calls)
    time.sleep(0.5)  # long enough for the other process to look for the file meanwhile
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 10
    images = np.clip(rng.normal(40, 20, (300, 28, 28)) + 20 * labels[:, None, None], 0, 255).astype(np.uint8)
    return TrainingData.from_images(images[:200], labels[:200], images[200:], labels[200:]), ""

models.training_data = training_data
print("ready", flush=True)
sys.stdin.readline()
model, _ = models.default_model()
print(models.fingerprint(model), flush=True)
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder, and no default model in this process yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    models._shared.clear()
    yield tmp_path / "cache"
    models._shared.clear()


def python(script: str, *args: str) -> subprocess.Popen[str]:
    """``script`` in another Python process of the repository, talking over pipes."""
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip


def test_a_process_holding_the_lock_is_waited_for_and_its_model_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    path = models.default_model_path()
    path.parent.mkdir(parents=True)
    trained = []
    monkeypatch.setattr(models, "training_data", lambda: trained.append(1) or (None, "not in this test"))
    holder = python(HOLD_THE_LOCK, str(path))
    try:
        assert holder.stdout.readline() == "locked\n"
        result: list[tuple[SoftmaxRegression | None, str]] = []
        waiter = threading.Thread(target=lambda: result.append(models.default_model()), daemon=True)
        waiter.start()
        waiter.join(timeout=1.0)
        assert waiter.is_alive(), "default_model must wait while another process holds the lock"
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
        waiter.join(timeout=60)
    finally:
        holder.kill()
    assert not waiter.is_alive() and trained == []
    model, message = result[0]
    assert model is not None and message == ""
    np.testing.assert_array_equal(model.W, SoftmaxRegression.load(path).W)


def test_processes_starting_at_once_train_the_default_model_once(tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    starters = [python(START_AT_ONCE, str(calls)) for _ in range(3)]
    try:
        for starter in starters:
            assert starter.stdout.readline() == "ready\n"
        for starter in starters:  # all at once
            starter.stdin.write("go\n")
            starter.stdin.flush()
        fingerprints = {starter.communicate(timeout=120)[0].strip() for starter in starters}
    finally:
        for starter in starters:
            starter.kill()
    assert calls.read_text().splitlines() == ["trained"]
    assert [p.returncode for p in starters] == [0, 0, 0]
    assert fingerprints == {models.fingerprint(SoftmaxRegression.load(models.default_model_path()))}
