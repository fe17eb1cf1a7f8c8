"""core.training, the command line: it rejects bad arguments, trains, prints one line per epoch and the final test
accuracy, and saves a model that loads and scores what it printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.data import load_fashion_mnist
from core.model import SoftmaxRegression

ROOT = Path(__file__).resolve().parents[2]


def test_cli_rejects_bad_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "core.training", "--lr", "0"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "learning_rate must be a positive finite number" in result.stderr


def test_cli_trains_prints_and_saves(fashion_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    result = subprocess.run(
        [sys.executable, "-m", "core.training", "--epochs", "2", "--limit", "3000", "--optimizer", "momentum",
         "--lr", "0.01", "--batch-size", "128", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    epochs = [line for line in lines if re.match(r"\[[#.]{20}\] epoch \d/2  train loss \d\.\d{4} acc", line)]
    assert [line.split()[2] for line in epochs] == ["1/2", "2/2"]
    final = re.search(r"^final test accuracy: (0\.\d{4})$", result.stdout, re.MULTILINE)
    assert final, result.stdout
    images, labels = load_fashion_mnist("test")
    accuracy = np.mean(SoftmaxRegression.load(out).predict(images) == labels)
    assert accuracy == pytest.approx(float(final.group(1)), abs=2e-4)
    assert accuracy > 0.7
