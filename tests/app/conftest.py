"""Fixtures of the AppTest tests: a fresh cache folder for the default model in every module; the test split."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.data import load_fashion_mnist
from ui import model as ui_model


@pytest.fixture(scope="module", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default model is trained into, and read from, a fresh cache folder rather than the user's; the model
    trained there serves no other module's pages."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("xdg")
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder
    ui_model._shared.clear()


@pytest.fixture(scope="module")
def test_set(fashion_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The real Fashion-MNIST test split (images, labels)."""
    return load_fashion_mnist("test")
