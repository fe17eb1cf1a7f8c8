"""The real Fashion-MNIST for the unit tests (`fashion_dir`, in tests/conftest.py: required in CI, else skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.training import TrainingData


@pytest.fixture(scope="session")
def fashion_data(fashion_dir: Path) -> TrainingData:
    """The standardised features of the whole dataset, built once for the session."""
    return TrainingData.load()
