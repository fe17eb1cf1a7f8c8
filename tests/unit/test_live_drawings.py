"""The light drawings of the live training view: the same numbers and colours as the Plotly charts."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
from PIL import Image

from core.data import CLASS_NAMES
from ui import charts


def test_weights_svg_draws_each_template_on_the_shared_colour_scale() -> None:
    W = np.zeros((10, 784))
    W[3, 0] = 2.0  # the largest |w|: full orange
    W[3, 1] = -2.0  # full purple
    svg = charts.weights_svg(W, list(CLASS_NAMES))
    png = base64.b64decode(re.search(r'href="data:image/png;base64,([^"]+)"', svg).group(1))
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    z, notes = charts._mosaic(W.reshape(10, 28, 28), list(CLASS_NAMES), columns=5)
    assert rgb.shape[:2] == z.shape
    y, x = np.argwhere(z == 2.0)[0]
    np.testing.assert_array_equal(rgb[y, x], charts._WEIGHT_LUT[255])
    np.testing.assert_array_equal(rgb[y, x + 1], charts._WEIGHT_LUT[0])
    np.testing.assert_array_equal(rgb[np.isnan(z)][0], [255, 255, 255])
    assert [t for t in re.findall(r">([^<>]+)</text>", svg)] == list(CLASS_NAMES)
    assert len(notes) == 10


def test_curves_svg_has_a_line_per_run_and_split_within_its_panel() -> None:
    runs = [
        {"name": f"run {k}", "colour": colour, "epochs": 3, "train_x": [0.5, 1.0, 2.0], "train_loss": [2.0, 1.0, 0.5],
         "train_accuracy": [0.5, 0.7, 0.8], "test_x": [1.0], "test_loss": [1.1], "test_accuracy": [0.72]}
        for k, colour in enumerate(charts.RUN_COLOURS[:2])
    ]  # fmt: skip
    svg = charts.curves_svg(runs, width=1000, height=300)
    lines = re.findall(r'<polyline points="([^"]*)" fill="none" stroke="([^"]+)"', svg)
    assert len(lines) == 2 * 2 * 2  # runs × (loss, accuracy) × (train, test)
    assert {colour for _, colour in lines} == set(charts.RUN_COLOURS[:2])
    for points, _ in lines:
        xs = [float(p.split(",")[0]) for p in points.split()]
        assert all(0 <= x <= 1000 for x in xs) and xs == sorted(xs)
    assert "run 0" in svg and "run 1" in svg
