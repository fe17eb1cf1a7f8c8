"""ui.charts.describe: the one-line text alternative every chart carries."""

from __future__ import annotations

import numpy as np

from ui import charts


def test_a_bar_chart_is_described_by_its_series_and_axes() -> None:
    fig = charts.exact_vs_observed(["heads", "tails"], [0.5, 0.5], [0.49, 0.51])
    assert charts.describe(fig) == "Chart: Bar chart; showing exact P(ω), observed frequency; probability against outcome ω."


def test_an_image_grid_is_described_by_its_labels_without_markup() -> None:
    fig = charts.image_grid(np.zeros((2, 28, 28), np.uint8), ["T-shirt/top", "Bag"], columns=2)
    text = charts.describe(fig)
    assert text.startswith("Chart: ") and "T-shirt/top, Bag" in text and "<" not in text


def test_a_mosaic_names_its_cells_and_their_probabilities() -> None:
    text = charts.describe(charts.mosaic([[0.2, 0.2], [0.2, 0.4]], "Rain", "Cloud"))
    assert "Rain ∩ Cloud 0.2" in text and "not Rain ∩ not Cloud 0.4" in text and "<b>" not in text
