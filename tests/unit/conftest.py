"""Fixtures of the unit tests: the real Fashion-MNIST (`fashion_dir`, in tests/conftest.py: required in CI, else
skipped), small synthetic data sets that train in milliseconds, and background runs that are always stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.trainer import TrainingData
from core.training_run import TrainingRun, stop_all
from tests.unit.training_support import MakeRun, synthetic_images, training_threads, wait_until


@pytest.fixture(scope="session")
def fashion_data(fashion_dir: Path) -> TrainingData:
    """The standardised features of the whole dataset, built once for the session."""
    return TrainingData.load()


@pytest.fixture(scope="session")
def synthetic() -> TrainingData:
    """512 training and 256 test images of `synthetic_images`: a linear model learns them in a few epochs."""
    return TrainingData.from_images(*synthetic_images(512, 0), *synthetic_images(256, 1))


@pytest.fixture(scope="session")
def noisy() -> TrainingData:
    """Like `synthetic` but with random labels: no θ fits them, so a huge step makes the loss explode."""
    images, _ = synthetic_images(512, 0)
    return TrainingData.from_images(images, np.random.default_rng(99).integers(0, 10, 512), *synthetic_images(256, 1))


@pytest.fixture
def no_thread_left_behind() -> Iterator[None]:
    """After the test, every training thread has ended."""
    yield
    wait_until(lambda: not training_threads())


@pytest.fixture
def make_run() -> Iterator[MakeRun]:
    """TrainingRuns that are stopped after the test, even a failed one."""
    runs: list[TrainingRun] = []

    def make(*args: object, **kwargs: object) -> TrainingRun:
        runs.append(TrainingRun(*args, **kwargs))
        return runs[-1]

    yield make
    stop_all(runs)
