"""Every figure builder's output passes Plotly's own validators.

`ui.charts.figure` builds figures from plain dicts without Plotly's per-property validation (it costs most of a
page's rerun); this is where that validation happens instead, for every builder, in normal and lecture size.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from core.data import CLASS_NAMES
from ui import charts

CLASSES = list(CLASS_NAMES)
RNG = np.random.default_rng(0)
F = list(RNG.dirichlet(np.ones(10)))

BUILDERS = {
    "exact_vs_observed": lambda: charts.exact_vs_observed(["H", "T"], [0.5, 0.5], [0.4, 0.6], [True, False],
                                                          title="Coin"),
    "exact_vs_observed with means": lambda: charts.exact_vs_observed([0, 1, 2], [0.25, 0.5, 0.25], [0.2, 0.5, 0.3],
                                                                     means=(1.0, 1.1)),
    "running_estimate": lambda: charts.running_estimate([1, 10, 100], [0.0, 0.4, 0.5], 0.5,
                                                        band=([0.0, 0.2, 0.4], [1.0, 0.8, 0.6]), title="N"),
    "mosaic": lambda: charts.mosaic([[0.2, 0.1], [0.2, 0.5]], "Rain", "Cloud", focus_b=True),
    "mosaic zoomed": lambda: charts.mosaic([[0.2, 0.1], [0.2, 0.5]], "Rain", "Cloud", zoom_b=True),
    "probability_bars": lambda: charts.probability_bars(CLASSES, [("f", F, "softmax"), ("y", [1.0] + [0.0] * 9,
                                                                                        "event")], title="f"),
    "simplex_triangle": lambda: charts.simplex_triangle(["a", "b", "c"], [0.2, 0.3, 0.5],
                                                        path=[[0.3, 0.3, 0.4], [0.2, 0.3, 0.5], [0.1, 0.2, 0.7]],
                                                        path_values=[0.5, 1.0, 2.0]),
    "p_true_curves": lambda: charts.p_true_curves([0.1, 0.5, 0.9], [("CE", [2.3, 0.7, 0.1], "cross_entropy")],
                                                  [("current f", 0.5, 0.7, "cross_entropy")], y_range=(0, 3)),
    "answer_histogram": lambda: charts.answer_histogram(["A. yes", "B. no"], [("round 1", [3, 9]),
                                                                               ("round 2", [10, 2])], correct=0),
    "training_curves": lambda: charts.training_curves([{
        "name": "#1", "colour": charts.RUN_COLOURS[0], "train_x": [0.1, 0.2], "train_loss": [2.0, 1.0],
        "train_accuracy": [0.3, 0.6], "test_x": [0.2], "test_loss": [1.1], "test_accuracy": [0.55]}]),
    "weight_templates": lambda: charts.weight_templates(RNG.normal(size=(10, 784)), CLASSES),
    "confusion_heatmap": lambda: charts.confusion_heatmap(RNG.integers(0, 100, (10, 10)), CLASSES, selected=(6, 0)),
    "image_grid": lambda: charts.image_grid(RNG.integers(0, 256, (3, 28, 28)), ["a", "b", "c"]),
    "preprocessing_steps": lambda: charts.preprocessing_steps(
        [("upload", RNG.integers(0, 256, (300, 200, 3))), ("grey", RNG.integers(0, 256, (28, 28)))],
        RNG.normal(size=(28, 28)), "x"),
    "class_scores": lambda: charts.class_scores(CLASSES, F, list(RNG.normal(size=10)), true=3),
    "contribution_maps": lambda: charts.contribution_maps([("x", RNG.integers(0, 256, (28, 28)), "image"),
                                                          ("W_k", RNG.normal(size=(28, 28)), "weights"),
                                                          ("W_k ⊙ x", RNG.normal(size=(28, 28)), "contribution")]),
}  # fmt: skip


@pytest.mark.parametrize("lecture", [False, True])
@pytest.mark.parametrize("name", BUILDERS)
def test_each_builder_makes_a_figure_plotly_validates(name: str, lecture: bool) -> None:
    fig = charts.scale_for_lecture(BUILDERS[name](), lecture)
    validated = go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value
    # … and changes nothing: a value the validator would have coerced (a colour scale's name, say) reaches
    # plotly.js as it is when the validator is skipped. The empty template is ours: no Plotly default template.
    sent, checked = json.loads(pio.to_json(fig)), json.loads(pio.to_json(validated))
    assert sent["layout"].pop("template") == {}
    checked["layout"].pop("template")
    assert sent == checked
    assert validated.layout.paper_bgcolor == "white"
    assert validated.layout.font.size == (20 if lecture else 14)
    assert len(validated.data) == len(fig.data) > 0


def test_the_shared_look_is_merged_under_a_builders_own_layout() -> None:
    fig = charts.figure([{"type": "bar", "x": [1], "y": [2]}], {"margin": {"r": 45}, "xaxis2": {"domain": [0.5, 1]}},
                        title="T", height=200)  # fmt: skip
    assert (fig.layout.margin.l, fig.layout.margin.r, fig.layout.margin.t) == (10, 45, 50)  # merged, not replaced
    assert fig.layout.xaxis2.gridcolor == fig.layout.xaxis.gridcolor == "#e6e6e6"  # every axis gets the look
    assert fig.layout.xaxis2.domain == (0.5, 1)
    assert (fig.layout.title.text, fig.layout.height) == ("T", 200)
    assert charts.figure([], None).layout.title.text is None
