"""Helpers of the training tests: synthetic images a linear model learns in milliseconds, and bounded waits for
background threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from core.training_run import TrainingRun

PATIENCE = 60.0  # seconds before a wait for a background thread gives up (a hang guard, not a speed check)
MakeRun = Callable[..., TrainingRun]  # the `make_run` fixture: TrainingRun(...) that is stopped after the test


def synthetic_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy images whose class k lights a block at its own place; pixel (0, 0) encodes the label as 20·k."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28), dtype=np.uint8)
    for k in range(10):
        row, col = divmod(k, 5)
        images[labels == k, 4 + 10 * row: 10 + 10 * row, 2 + 5 * col: 6 + 5 * col] = 220
    images[:, 0, 0] = labels * 20
    return images, labels


def training_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("TrainingRun-")]


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds; fail after `PATIENCE` seconds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the background run never got there"
        time.sleep(0.002)
