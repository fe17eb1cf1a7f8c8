"""Fixtures shared by every test folder: the real Fashion-MNIST from FASHION_MNIST_DIR, required in CI, and a real
PostgreSQL server (`postgres_url`, for the live class)."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A `postgresql+psycopg://` URL of a real PostgreSQL server: EXPLORER_TEST_POSTGRES_URL, or one started for the
    session in a temporary folder (tests/postgres.py) and stopped at its end. Missing binaries fail, never skip."""
    from tests import postgres

    failure = ""
    try:
        with postgres.postgres_url() as url:
            yield url
    except postgres.PostgresUnavailable as e:
        failure = str(e)
    if failure:
        pytest.fail(failure, pytrace=False)
