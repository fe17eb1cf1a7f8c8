"""Fixtures shared by every test folder: the real Fashion-MNIST from FASHION_MNIST_DIR, required in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.data import SHA256


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    """The folder named by FASHION_MNIST_DIR holding the four official files."""
    folder = os.environ.get("FASHION_MNIST_DIR", "")
    if folder and all((Path(folder) / name).is_file() for name in SHA256):
        return Path(folder)
    reason = f"needs the real Fashion-MNIST: FASHION_MNIST_DIR={folder!r} does not hold {', '.join(SHA256)}"
    if os.environ.get("CI"):
        pytest.fail(reason + " (required when CI is set)")
    pytest.skip(reason)
