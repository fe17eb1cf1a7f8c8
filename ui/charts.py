"""Pure Plotly figure builders: numbers in, `go.Figure` out. No Streamlit here.

One colour-blind-safe palette (Okabe–Ito), one colour per concept, used identically on every page.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go
from PIL import Image

from core.numbers import fmt
from core.softmax import SIMPLEX_CORNERS, simplex_xy

# Okabe & Ito (2008), "Color Universal Design": distinguishable under all common colour-vision deficiencies.
PALETTE: dict[str, str] = {
    "probability": "#0072B2",  # blue: P, exact values, the theory
    "frequency": "#E69F00",  # orange: simulated / empirical counts
    "event": "#009E73",  # bluish green: the chosen event A, the true class y
    "condition": "#CC79A7",  # reddish purple: the conditioning event B
    "softmax": "#56B4E9",  # sky blue: softmax outputs f
    "cross_entropy": "#D55E00",  # vermillion: cross-entropy
    "mse": "#8E6C00",  # dark yellow-brown: the squared error Σ_k (f_k − y_k)²
    "highlight": "#F0E442",  # yellow: a highlighted cell or the top class
    "neutral": "#999999",  # grey: everything else
    "ink": "#222222",
}

FONT_FAMILY = "sans-serif"


_AXIS = {"showgrid": True, "gridcolor": "#e6e6e6", "zeroline": False, "automargin": True}


def _merged(base: dict, update: dict) -> dict:
    """``base`` updated by ``update``, nested dicts merged key by key (as Plotly's update_layout does)."""
    out = dict(base)
    for key, value in update.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def figure(traces: list[dict], layout: dict | None = None, title: str | None = None, height: int = 360) -> go.Figure:
    """A figure in the shared look (white background, readable type, tight margins, legend on top) from plain
    trace and layout dicts, in one pass.

    Plotly's per-property validation and update passes cost ~9 ms a figure, most of a page's rerun; every builder
    here makes its figure this way (~0.5 ms), and tests/unit/test_charts.py checks each builder's output against
    Plotly's validators, so nothing invalid is ever skipped silently.
    """
    base = {
        "template": {},  # no Plotly default template: it would cost ~0.25 ms and 6.5 kB of JSON per figure
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        "font": {"family": FONT_FAMILY, "size": 14, "color": PALETTE["ink"]},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        "hoverlabel": {"font": {"size": 14}},
        "xaxis": dict(_AXIS),
        "yaxis": dict(_AXIS),
    }
    if title:
        base["title"] = {"text": title, "x": 0.0, "xanchor": "left"}
    for key in layout or {}:
        if re.fullmatch(r"[xy]axis\d*", key):
            base.setdefault(key, dict(_AXIS))
    return go.Figure({"data": traces, "layout": _merged(base, layout or {})}, _validate=False)


def scale_for_lecture(fig: go.Figure, lecture: bool, height: int | None = None) -> go.Figure:
    """Enlarge type and height for a projector; optionally fix the height."""
    h = height or fig.layout.height or 360
    if lecture:
        fig.update_layout(font={"size": 20}, height=int(h * 1.35), hoverlabel={"font": {"size": 20}})
        fig.update_annotations(font={"size": 20})
    elif height:
        fig.update_layout(height=height)
    return fig


def describe(fig: go.Figure) -> str:
    """A one-line text alternative of a figure: its title, what it plots, and its axes."""
    layout = fig.layout
    def plain(text: object) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", str(text)).split())

    title = plain(layout.title.text or "") if layout.title else ""
    names = list(dict.fromkeys(t.name for t in fig.data if getattr(t, "name", None) and t.showlegend is not False))
    kinds = list(dict.fromkeys(t.type for t in fig.data))
    x = layout.xaxis.title.text if layout.xaxis and layout.xaxis.title else None
    y = layout.yaxis.title.text if layout.yaxis and layout.yaxis.title else None
    parts = [title or {"heatmap": "Image or heatmap", "bar": "Bar chart", "image": "Images"}.get(kinds[0] if kinds else "",
                                                                                     "Plot")]
    if names:
        parts.append("showing " + ", ".join(names))
    labels = [a.text for a in layout.annotations if a.text][:10]
    if not names and labels:
        parts.append("labelled " + ", ".join(plain(t) for t in labels))
    if x or y:
        parts.append(" against ".join(plain(a) for a in (y, x) if a))
    return "Chart: " + "; ".join(parts) + "."


# ---- Probability primer: sample spaces, rules, conditional probability ----------------------------------


def exact_vs_observed(
    x: list,
    exact: list[float],
    observed: list[float] | None = None,
    in_event: list[bool] | None = None,
    means: tuple[float, float] | None = None,
    title: str | None = None,
    x_title: str = "outcome ω",
    y_title: str = "probability",
    exact_name: str = "exact P(ω)",
    observed_name: str = "observed frequency",
    height: int = 360,
) -> go.Figure:
    """Exact probabilities (blue) next to observed frequencies (orange) per outcome or value.

    `in_event` shades the outcomes in the event A (green); `means` = (exact E[X], sample mean) draws both as
    vertical lines, named in the legend, on a numeric x axis.
    """
    labels = [str(v) for v in x] if means is None else list(x)
    traces = [{"type": "bar", "x": labels, "y": list(exact), "name": exact_name,
               "marker": {"color": PALETTE["probability"]},
               "hovertemplate": "%{x}: %{y:.4g}<extra>" + exact_name + "</extra>"}]  # fmt: skip
    layout: dict = {"barmode": "group", "bargap": 0.25, "legend": {"title": {"text": ""}},
                    "xaxis": {"title": {"text": x_title}, "showgrid": False},
                    "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"}}  # fmt: skip
    if observed is not None:
        traces.append({"type": "bar", "x": labels, "y": list(observed), "name": observed_name,
                       "marker": {"color": PALETTE["frequency"]},
                       "hovertemplate": "%{x}: %{y:.4g}<extra>" + observed_name + "</extra>"})  # fmt: skip
    if in_event is not None and any(in_event):
        shade = {"type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1, "fillcolor": PALETTE["event"],
                 "opacity": 0.14, "line": {"width": 0}, "layer": "below"}  # fmt: skip
        layout["shapes"] = [shade | {"x0": i - 0.5, "x1": i + 0.5} for i, inside in enumerate(in_event) if inside]
        traces.append({"type": "bar", "x": [labels[0]], "y": [None], "name": "in the event A",
                       "marker": {"color": PALETTE["event"], "opacity": 0.3}, "hoverinfo": "skip"})  # fmt: skip
    if means is not None:
        top = 1.08 * max(list(exact) + list(observed or []))
        for value, name, colour, dash in ((means[0], "E[X]", "probability", "dash"),
                                          (means[1], "sample mean", "frequency", "dot")):
            traces.append({"type": "scatter", "x": [value, value], "y": [0, top], "mode": "lines",
                           "name": f"{name} = {fmt(value)}", "hoverinfo": "skip",
                           "line": {"color": PALETTE[colour], "dash": dash, "width": 3}})  # fmt: skip
        layout["xaxis"] |= {"tickmode": "array", "tickvals": list(x)}
    return figure(traces, layout, title, height)


def running_estimate(
    ns: list[int],
    estimate: list[float],
    exact: float,
    band: tuple[list[float], list[float]] | None = None,
    title: str | None = None,
    estimate_name: str = "running frequency",
    exact_name: str = "exact P(A)",
    y_title: str = "frequency",
    height: int = 360,
) -> go.Figure:
    """A running Monte-Carlo estimate against the number of trials N (log x) with the exact value as a line.

    `band` = (low, high): the ±1.96·√(p(1−p)/N) funnel where about 95 % of such runs lie.
    """
    traces = []
    if band is not None:
        low, high = band
        traces.append({"type": "scatter", "x": ns, "y": high, "mode": "lines", "line": {"width": 0},
                       "hoverinfo": "skip", "showlegend": False})  # fmt: skip
        traces.append({"type": "scatter", "x": ns, "y": low, "mode": "lines", "line": {"width": 0},
                       "fill": "tonexty", "fillcolor": "rgba(0,114,178,0.12)", "name": "95 % of runs",
                       "hoverinfo": "skip"})  # fmt: skip
    traces.append({"type": "scatter", "x": ns, "y": estimate, "mode": "lines", "name": estimate_name,
                   "line": {"color": PALETTE["frequency"], "width": 3},
                   "hovertemplate": "N = %{x}: %{y:.4f}<extra></extra>"})  # fmt: skip
    traces.append({"type": "scatter", "x": [ns[0], ns[-1]], "y": [exact, exact], "mode": "lines",
                   "name": f"{exact_name} = {fmt(exact)}",
                   "line": {"color": PALETTE["probability"], "width": 3, "dash": "dash"},
                   "hovertemplate": f"{exact_name} = {fmt(exact)}<extra></extra>"})  # fmt: skip
    layout = {"xaxis": {"type": "log", "title": {"text": "trials N (log scale)"}},
              "yaxis": {"title": {"text": y_title}, "range": [-0.02, 1.02]}}  # fmt: skip
    return figure(traces, layout, title, height)


def mosaic(
    cells: list[list[float]],
    a: str = "A",
    b: str = "B",
    focus_b: bool = False,
    zoom_b: bool = False,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """The area-true picture of two events: the unit square S cut into the 2×2 joint table's four cells.

    `cells` = [[P(A∩B), P(A∩B̄)], [P(Ā∩B), P(Ā∩B̄)]]. B is the left column (width P(B)); inside each
    column A is the bottom part, so every rectangle's area is exactly its probability. A is green, B purple,
    A∩B green hatched purple. `focus_b` fades everything outside B; `zoom_b` draws only B, rescaled to area 1,
    so A∩B's area becomes P(A|B).
    """
    (ab, a_nb), (na_b, na_nb) = cells
    p_b = ab + na_b
    if zoom_b:
        columns = [(0.0, 1.0, ab / p_b, na_b / p_b, True)]
    else:
        columns = [(0.0, p_b, ab, na_b, True), (p_b, 1.0, a_nb, na_nb, False)]
    traces, notes = [], []
    for x0, x1, p_a_part, p_na_part, is_b in columns:
        width = x1 - x0
        if width <= 0:
            continue
        h_a = p_a_part / width
        bar = " | " if zoom_b else " ∩ "
        col = b if is_b else f"not {b}"
        pieces = [(a, p_a_part, 0.0, h_a, True), (f"not {a}", p_na_part, h_a, 1.0 - h_a, False)]
        for row, value, y0, h, is_a in pieces:
            name = f"{row}{bar}{col}"
            faded = focus_b and not is_b
            colour = PALETTE["event"] if is_a else (PALETTE["condition"] if is_b else PALETTE["neutral"])
            marker = {"color": colour, "opacity": 0.25 if faded else (0.85 if is_a or is_b else 0.35),
                      "line": {"color": "white", "width": 2}}  # fmt: skip
            if is_a and is_b:
                marker["pattern"] = {"shape": "/", "fgcolor": PALETTE["condition"], "solidity": 0.3,
                                     "fillmode": "overlay"}  # fmt: skip
            traces.append({"type": "bar", "x": [(x0 + x1) / 2], "y": [h], "base": [y0], "width": [width],
                           "name": name, "marker": marker, "showlegend": False,
                           "hovertemplate": f"P({name}) = {fmt(value)}<extra></extra>"})  # fmt: skip
            if width >= 0.15 and h >= 0.2:
                label = f"{row}<br>{bar.strip()} {col}<br><b>{fmt(value)}</b>"
            elif width >= 0.45 and h >= 0.08:
                label = f"{name}: <b>{fmt(value)}</b>"
            else:
                label = None
            if label:
                notes.append({"x": (x0 + x1) / 2, "y": y0 + h / 2, "text": label, "showarrow": False,
                              "font": {"size": 13, "color": PALETTE["ink"]},
                              "bgcolor": "rgba(255,255,255,0.75)"})  # fmt: skip
    shapes = []
    if focus_b and not zoom_b and p_b > 0:
        shapes.append({"type": "rect", "x0": 0, "x1": p_b, "y0": 0, "y1": 1,
                       "line": {"color": PALETTE["condition"], "width": 4}})  # fmt: skip
    if zoom_b:
        ticks = [(0.5, f"{b} ({fmt(p_b)}) stretched to 1")]
    else:
        ticks = [(x0 + x1) / 2 for x0, x1, *_ in columns if x1 > x0]
        ticks = [(c, f"{b} ({fmt(p_b)})" if c < p_b else f"not {b} ({fmt(1 - p_b)})") for c in ticks]
    layout = {
        "barmode": "overlay", "bargap": 0, "annotations": notes, **({"shapes": shapes} if shapes else {}),
        "xaxis": {"range": [0, 1], "tickmode": "array", "tickvals": [t[0] for t in ticks],
                  "ticktext": [t[1] for t in ticks], "showgrid": False, "fixedrange": True},
        "yaxis": {"range": [0, 1], "showgrid": False, "showticklabels": False, "fixedrange": True,
                  "scaleanchor": "x", "constrain": "domain"},
    }  # fmt: skip
    return figure(traces, layout, title, height)


# ---- Softmax & cross-entropy ------------------------------------------------------------------------------


def probability_bars(
    labels: list[str],
    series: list[tuple[str, list[float], str]],
    title: str | None = None,
    x_title: str = "probability",
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars, one row per class (top to bottom in lecture order), one bar per (name, values, colour).

    Each bar carries its value as text (zeros unlabelled when bars are compared), so the numbers are readable
    without hovering; the x axis is [0, 1].
    """
    traces = [{"type": "bar", "y": labels, "x": list(values), "name": name, "orientation": "h",
               "marker": {"color": PALETTE[colour]}, "textposition": "outside", "cliponaxis": False,
               "text": [f"{v:.3f}" if v or len(series) == 1 else "" for v in values],
               "hovertemplate": "%{y}: %{x:.6f}<extra>" + name + "</extra>"}
              for name, values, colour in series]  # fmt: skip
    rows = len(labels) * max(1, len(series))
    layout = {"barmode": "group", "bargap": 0.22, "bargroupgap": 0.05, "showlegend": len(series) > 1,
              "margin": {"r": 45},  # room for the text of a bar at 1
              "xaxis": {"title": {"text": x_title}, "range": [0, 1.22], "tickvals": [0, 0.5, 1.0]},
              "yaxis": {"autorange": "reversed", "showgrid": False, "ticksuffix": " "}}  # fmt: skip
    return figure(traces, layout, title, height or 90 + 26 * rows + 10 * len(labels))


def simplex_triangle(
    labels: list[str],
    f: list[float],
    path: list[list[float]] | None = None,
    path_values: list[float] | None = None,
    path_name: str = "path",
    sweep_symbol: str = "T",
    title: str | None = None,
    height: int = 420,
) -> go.Figure:
    """The simplex Δ² as an equilateral triangle: a corner per class (one-hot), the uniform centre,
    the current f, and optionally the path f traces as one quantity (`sweep_symbol`) takes `path_values`.

    Arrowheads along the path point the way the swept value grows.
    """

    corners = SIMPLEX_CORNERS
    outline = corners[[0, 1, 2, 0]]
    traces = [{"type": "scatter", "x": outline[:, 0].tolist(), "y": outline[:, 1].tolist(), "mode": "lines",
               "fill": "toself", "fillcolor": "rgba(86,180,233,0.06)", "line": {"color": PALETTE["ink"], "width": 2},
               "hoverinfo": "skip", "showlegend": False}]  # fmt: skip
    if path is not None and len(path) > 1:
        xy = simplex_xy(path)
        probs = [", ".join(f"{v:.3f}" for v in row) for row in path]
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))])
        at = {int(k) for k in np.searchsorted(arc, arc[-1] * np.arange(1, 6) / 6)} if arc[-1] > 0.05 else set()
        arrows = ["arrow" if i in at else "circle" for i in range(len(xy))]  # five arrows, evenly spaced
        sizes = [13 if s == "arrow" else 0 for s in arrows]
        traces.append({"type": "scatter", "x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "mode": "lines+markers",
                       "name": path_name, "line": {"color": PALETTE["softmax"], "width": 4},
                       "marker": {"symbol": arrows, "size": sizes, "angleref": "previous",
                                  "color": PALETTE["probability"]},
                       "customdata": [list(c) for c in zip(path_values or [], probs, strict=False)],
                       "hovertemplate": sweep_symbol + " = %{customdata[0]:.3g}<br>f = (%{customdata[1]})"
                       "<extra></extra>"})  # fmt: skip
    centre = simplex_xy([1 / 3, 1 / 3, 1 / 3])
    traces.append({"type": "scatter", "x": [float(centre[0])], "y": [float(centre[1])], "mode": "markers",
                   "name": "uniform",
                   "marker": {"symbol": "x-thin", "size": 16, "line": {"width": 3, "color": PALETTE["neutral"]}},
                   "hovertemplate": "uniform: f = (1/3, 1/3, 1/3)<extra></extra>"})  # fmt: skip
    point = simplex_xy(f)
    traces.append({"type": "scatter", "x": [float(point[0])], "y": [float(point[1])], "mode": "markers",
                   "name": "current f",
                   "marker": {"size": 20, "color": PALETTE["highlight"], "line": {"width": 2.5, "color": PALETTE["ink"]}},
                   "hovertemplate": "f = (" + ", ".join(f"{v:.4f}" for v in f) + ")<extra></extra>"})  # fmt: skip
    one_hot = ["1, 0, 0", "0, 1, 0", "0, 0, 1"]
    anchors = [("center", "top", 0, -8), ("center", "top", 0, -8), ("center", "bottom", 0, 8)]
    notes = [{"x": float(x), "y": float(y), "text": f"<b>{label}</b><br>f = ({hot})", "showarrow": False,
              "xanchor": xa, "yanchor": ya, "xshift": dx, "yshift": dy, "align": "center", "font": {"size": 14}}
             for (x, y), label, hot, (xa, ya, dx, dy) in zip(corners, labels, one_hot, anchors, strict=True)]  # fmt: skip
    layout = {"annotations": notes, "legend": {"x": 0.0, "xanchor": "left"},
              "xaxis": {"visible": False, "range": [-0.3, 1.3], "fixedrange": True},
              "yaxis": {"visible": False, "range": [-0.24, 1.06], "scaleanchor": "x", "scaleratio": 1,
                        "fixedrange": True}}  # fmt: skip
    return figure(traces, layout, title, height)


def p_true_curves(
    p_true: list[float],
    lines: list[tuple[str, list[float], str]],
    marks: list[tuple[str, float, float, str]] | None = None,
    y_title: str = "loss 𝓛",
    y_range: tuple[float, float] | None = None,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Curves against f_true, the predicted probability of the true class (lines: name, values, colour), and
    marked points (name, f_true, value, colour) such as the current f."""
    traces = [{"type": "scatter", "x": list(map(float, p_true)), "y": list(map(float, values)), "mode": "lines",
               "name": name, "line": {"color": PALETTE[colour], "width": 3.5},
               "hovertemplate": "f_true = %{x:.3f}: %{y:.4f}<extra>" + name + "</extra>"}
              for name, values, colour in lines]  # fmt: skip
    traces += [{"type": "scatter", "x": [x], "y": [y], "mode": "markers", "name": name, "showlegend": False,
                "marker": {"size": 15, "color": PALETTE[colour], "line": {"width": 2, "color": PALETTE["ink"]}},
                "hovertemplate": "f_true = %{x:.3f}: %{y:.4f}<extra>" + name + "</extra>"}
               for name, x, y, colour in marks or []]  # fmt: skip
    y_axis = {"title": {"text": y_title}, "zeroline": True, "zerolinecolor": PALETTE["neutral"], "zerolinewidth": 1.5}
    if y_range:
        y_axis["range"] = list(y_range)
    return figure(traces, {"xaxis": {"title": {"text": "f_true"}, "range": [0, 1]}, "yaxis": y_axis}, title, height)


def answer_histogram(choices: list[str], rounds: list[tuple[str, list[int]]], correct: int,
                     height: int | None = None) -> go.Figure:
    """A room's answers to a question: one row per choice (the right one marked ✓ in green), one bar per round
    (name, count per choice), each bar labelled with its count and its share of that round's answers."""
    colours = [PALETTE["probability"], PALETTE["frequency"], PALETTE["condition"], PALETTE["neutral"]]
    names = [f"<b>{c} ✓</b>" if i == correct else c for i, c in enumerate(choices)]
    traces = []
    for k, (name, counts) in enumerate(rounds):
        total = sum(counts) or 1
        traces.append({"type": "bar", "y": names, "x": list(counts), "name": name, "orientation": "h",
                       "marker": {"color": colours[k % len(colours)],
                                  "line": {"color": [PALETTE["event"] if i == correct else "rgba(0,0,0,0)"
                                                     for i in range(len(choices))], "width": 3}},
                       "text": [f"{n} ({n / total:.0%})" for n in counts], "textposition": "outside",
                       "cliponaxis": False, "hovertemplate": "%{y}: %{x} answers<extra>" + name + "</extra>"})  # fmt: skip
    top = max([1] + [max(counts, default=0) for _, counts in rounds])
    # Compact (it sits in the lecture strip): the bars carry their counts, so no x axis is drawn.
    layout = {"barmode": "group", "bargap": 0.2, "showlegend": len(rounds) > 1, "margin": {"r": 60, "t": 30, "b": 0},
              "xaxis": {"visible": False, "range": [0, top * 1.35]},
              "yaxis": {"autorange": "reversed", "showgrid": False, "ticksuffix": " "}}  # fmt: skip
    return figure(traces, layout, None, height or 40 + 24 * len(choices) * max(1, len(rounds)))


# ---- Live training: curves, the rows of W as templates, confusion matrix, image grids --------------------

RUN_COLOURS = ["#D55E00", "#0072B2", "#8E6C00", "#009E73", "#CC79A7", "#56B4E9"]
# Diverging and colour-blind-safe: negative weights purple, positive orange, 0 white.
WEIGHT_SCALE = "PuOr_r"
# The scales as explicit [[position, colour], …] lists: Plotly's validator resolves a scale's name, and `figure`
# skips the validator (plotly.js knows neither name).
WEIGHT_COLOURSCALE = pc.get_colorscale(WEIGHT_SCALE)
GREY_COLOURSCALE = pc.get_colorscale("gray")


def training_curves(runs: list[dict], height: int = 380) -> go.Figure:
    """Loss 𝓛 and accuracy against epochs for several runs, train (solid, smoothed per step) and test (dashed).

    Each run: ``name``, ``colour``, ``train_x``, ``train_loss``, ``train_accuracy``, ``test_x``, ``test_loss``,
    ``test_accuracy`` (lists of floats; empty lists are fine). Built in one go (this is redrawn 4× a second).
    """
    traces = []
    for run in runs:
        for panel, metric in enumerate(("loss", "accuracy")):
            for split, dash in (("train", "solid"), ("test", "dash")):
                traces.append({
                    "type": "scatter", "x": run[f"{split}_x"], "y": run[f"{split}_{metric}"], **_axes(panel),
                    "mode": "lines" if split == "train" else "lines+markers",
                    "name": f"{run['name']} · {split}", "legendgroup": f"{run['name']}{split}",
                    "showlegend": panel == 0, "marker": {"size": 6},
                    "line": {"color": run["colour"], "dash": dash, "width": 2.5 if split == "test" else 2},
                    "hovertemplate": f"{split} {metric} %{{y:.4f}}<br>epoch %{{x:.2f}}<extra>{run['name']}</extra>",
                })  # fmt: skip
    layout = {
        "xaxis": {"domain": [0.0, 0.45], "title": {"text": "epoch"}, "rangemode": "tozero"},
        "yaxis": {"rangemode": "tozero"},
        "xaxis2": {"domain": [0.55, 1.0], "anchor": "y2", "title": {"text": "epoch"}, "rangemode": "tozero"},
        "yaxis2": {"anchor": "x2", "range": [0, 1]},
        "annotations": [_title("loss 𝓛", 0.225, 1.0), _title("accuracy", 0.775, 1.0)],
    }
    return figure(traces, layout | {"margin": {"t": 70}, "legend": {"y": 1.1}}, None, height)

def _mosaic(tiles: object, captions: list[str], columns: int, gap: int = 3) -> tuple[object, list[dict]]:
    """Equal-sized tiles laid out in rows of `columns` as ONE array (NaN between tiles, drawn blank), and a
    caption annotation above each tile. One heatmap trace draws far faster than one panel per tile."""
    t = np.asarray(tiles, dtype=np.float64)
    n, h, w = t.shape
    rows = max(1, -(-n // columns))
    top = 7  # rows of blank space above each tile for its caption
    z = np.full((rows * (h + top + gap), columns * (w + gap) - gap), np.nan)
    notes = []
    for k in range(n):
        r, c = divmod(k, columns)
        y0, x0 = r * (h + top + gap) + top, c * (w + gap)
        z[y0 : y0 + h, x0 : x0 + w] = t[k]
        notes.append({"text": captions[k], "x": x0 + (w - 1) / 2, "y": y0 - 1, "xref": "x", "yref": "y",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})  # fmt: skip
    return z, notes


def _mosaic_figure(z: object, notes: list[dict], height: int, **heatmap: object) -> go.Figure:
    layout = {"annotations": notes, "margin": {"t": 10, "b": 0, "l": 0, "r": 0},
              "xaxis": {"visible": False, "constrain": "domain", "scaleanchor": "y"},
              "yaxis": {"visible": False, "autorange": "reversed", "constrain": "domain"}}  # fmt: skip
    return figure([{"type": "heatmap", "z": z, "hoverongaps": False, **heatmap}], layout, None, height)

def weight_templates(W: list | object, class_names: list[str], height: int = 330) -> go.Figure:
    """The 10 rows W_k of W drawn as 28×28 images: what the model has learned to look for in each class.

    One shared, symmetric colour scale: orange pixels raise z_k, purple ones lower it.
    """
    w = np.asarray(W, dtype=np.float64).reshape(len(class_names), 28, 28)
    limit = float(np.abs(w).max()) or 1.0
    z, notes = _mosaic(w, class_names, columns=5)
    return _mosaic_figure(
        z, notes, height, zmin=-limit, zmax=limit, colorscale=WEIGHT_COLOURSCALE, hovertemplate="w = %{z:.3f}<extra></extra>",
        colorbar={"title": {"text": "w", "side": "right"}, "thickness": 12, "len": 0.9},
    )  # fmt: skip


def confusion_heatmap(matrix: list | object, class_names: list[str], selected: tuple[int, int] | None = None,
                      height: int = 560) -> go.Figure:
    """Confusion matrix: rows true class, columns predicted class, each cell's count written in it and shaded
    by the share of its row (√-scaled, so that small confusions still show).

    An invisible marker on each cell makes it clickable (Plotly cannot select heatmap cells);
    `selected` = (true, predicted) is outlined.
    """
    c = np.asarray(matrix, dtype=np.int64)
    n = len(class_names)
    share = c / np.maximum(c.sum(axis=1, keepdims=True), 1)
    traces = [{
        "type": "heatmap", "z": np.sqrt(share), "x": class_names, "y": class_names, "text": c,
        "texttemplate": "%{text}", "textfont": {"size": 13},
        "colorscale": [[0.0, "#ffffff"], [1.0, PALETTE["probability"]]], "zmin": 0, "zmax": 1, "showscale": False,
        "xgap": 1, "ygap": 1, "hoverinfo": "skip",
    }]  # fmt: skip
    # The hover label and the click both belong to the markers: Plotly sends no click for a trace that skips hover.
    ii, jj = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    traces.append({
        "type": "scatter", "x": [class_names[j] for j in jj], "y": [class_names[i] for i in ii],
        "mode": "markers", "marker": {"symbol": "square", "size": 30, "opacity": 0.001}, "showlegend": False,
        "customdata": [[int(c[i, j]), float(share[i, j])] for i, j in zip(ii, jj, strict=True)],
        "hovertemplate": "true %{y}, predicted %{x}: %{customdata[0]} images (%{customdata[1]:.1%} of the row)"
                         "<extra></extra>",
    })  # fmt: skip
    if selected is not None:
        i, j = selected
        traces.append({"type": "scatter", "x": [class_names[j]], "y": [class_names[i]], "mode": "markers",
                       "hoverinfo": "skip", "showlegend": False,
                       "marker": {"symbol": "square-open", "size": 40,
                                  "line": {"width": 3, "color": PALETTE["cross_entropy"]}}})  # fmt: skip
    layout = {"xaxis": {"title": {"text": "predicted class"}, "side": "top", "tickangle": -30, "showgrid": False},
              "yaxis": {"title": {"text": "true class"}, "autorange": "reversed", "showgrid": False}}  # fmt: skip
    return figure(traces, layout, None, height)

def image_grid(images: list | object, captions: list[str], columns: int = 8, height: int | None = None) -> go.Figure:
    """Small 28×28 grey images in rows of `columns`, each with a short caption above it."""
    rows = max(1, -(-len(captions) // columns))
    z, notes = _mosaic(images, captions, columns)
    return _mosaic_figure(z, notes, height or 30 + 120 * rows, zmin=0, zmax=255, colorscale=GREY_COLOURSCALE,
                          showscale=False, hoverinfo="skip")  # fmt: skip


# ---- Classify an upload: the preprocessing steps, f and z per class, contribution maps --------------------

STEP_PIXELS = 240  # steps larger than this are shown downscaled (they are drawn a few hundred pixels wide)
# The colours WEIGHT_SCALE gives to (positive, negative) values, for the words beside the maps.
WEIGHT_COLOURS: tuple[str, str] = {"PuOr_r": ("orange", "purple"), "PuOr": ("purple", "orange")}[WEIGHT_SCALE]


def _png_uri(array: object) -> str:
    """A uint8 grey or RGB array as an inline PNG (a data: URI, so it works offline), at most STEP_PIXELS wide."""
    picture = Image.fromarray(np.asarray(array, dtype=np.uint8))
    picture.thumbnail((STEP_PIXELS, STEP_PIXELS), Image.Resampling.BOX)
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _axes(i: int) -> dict:
    """The axis pair of the i-th panel (0-based) for a trace: x/y, x2/y2, …"""
    n = "" if i == 0 else str(i + 1)
    return {"xaxis": f"x{n}", "yaxis": f"y{n}"}


def _title(text: str, x: float, y: float) -> dict:
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": "center",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 14}}  # fmt: skip


def _picture_grid(titles: list[str], columns: int, hspace: float, vspace: float = 0.14) -> dict:
    """Layout for pictures in rows of ``columns``: axis pairs with square pixels, row 0 at the top, no axes
    drawn, and each title centred above its panel."""
    rows = -(-len(titles) // columns)
    width = (1 - hspace * (columns - 1)) / columns
    height = (1 - vspace * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        row, col = divmod(i, columns)
        n = "" if i == 0 else str(i + 1)
        left, top = col * (width + hspace), 1 - row * (height + vspace)
        layout[f"xaxis{n}"] = {"domain": [left, min(1.0, left + width)], "anchor": f"y{n}", "visible": False,
                               "scaleanchor": f"y{n}", "constrain": "domain"}  # fmt: skip
        layout[f"yaxis{n}"] = {"domain": [max(0.0, top - height), top], "anchor": f"x{n}", "visible": False,
                               "autorange": "reversed", "constrain": "domain"}  # fmt: skip
        layout["annotations"].append(_title(title, left + width / 2, top))
    return layout


def preprocessing_steps(steps: list[tuple[str, object]], x: object, x_title: str, height: int = 250) -> go.Figure:
    """The steps from an upload to the model's input, side by side, each titled with its name.

    ``steps``: (name, uint8 array (h, w) or (h, w, 3)) in order; small grey ones are drawn pixel by pixel with
    their values on hover, larger ones as pictures. ``x``: the model's input as (28, 28), drawn last with a
    colour bar of its values.
    """
    titles = [name if len(name) < 10 else name.replace(" ", "<br>", 1) for name, _ in steps] + [x_title]
    traces = []
    for i, (_, array) in enumerate(steps):
        a = np.asarray(array)
        if a.ndim == 2 and max(a.shape) <= 64:
            traces.append({"type": "heatmap", "z": a, "zmin": 0, "zmax": 255, "colorscale": GREY_COLOURSCALE,
                           "showscale": False, "hovertemplate": "row %{y}, column %{x}: %{z}<extra></extra>",
                           **_axes(i)})  # fmt: skip
        else:
            traces.append({"type": "image", "source": _png_uri(a), "hoverinfo": "skip", **_axes(i)})
    traces.append({"type": "heatmap", "z": np.asarray(x, dtype=np.float64), "colorscale": GREY_COLOURSCALE,
                   "colorbar": {"title": {"text": "x", "side": "right"}, "thickness": 10, "len": 0.7},
                   "hovertemplate": "row %{y}, column %{x}: x = %{z:.3f}<extra></extra>", **_axes(len(steps))})  # fmt: skip
    layout = _picture_grid(titles, len(titles), hspace=0.03) | {"margin": {"t": 60, "b": 0, "l": 0, "r": 0}}
    return figure(traces, layout, None, height)

def _short(v: float) -> str:
    return f"{v:.3f}" if v >= 0.0005 or v == 0 else f"{v:.0e}"


def class_scores(
    labels: list[str], f: list[float], z: list[float], true: int | None = None, height: int = 400
) -> go.Figure:
    """The answer per class, top to bottom in lecture order: probabilities f (left, top class highlighted in
    yellow, the true class outlined in green) and the logits z they come from (right)."""
    top = max(range(len(f)), key=lambda k: f[k])
    names = [f"<b>{name} ✓</b>" if k == true else name for k, name in enumerate(labels)]
    outline = {"color": [PALETTE["event"] if k == true else PALETTE["ink"] if k == top else "rgba(0,0,0,0)"
                         for k in range(len(f))],
               "width": [4 if k == true else 1.5 for k in range(len(f))]}  # fmt: skip
    bars = {"type": "bar", "y": names, "orientation": "h", "textposition": "outside", "cliponaxis": False}
    low, high = min(0.0, *z), max(0.0, *z)
    pad = 0.3 * (high - low or 1.0)
    traces = [
        bars | {"x": list(f), "name": "f", "text": [_short(v) for v in f],
                "marker": {"color": [PALETTE["highlight"] if k == top else PALETTE["softmax"]
                                     for k in range(len(f))], "line": outline},
                "hovertemplate": "%{y}: f = %{x:.6f}<extra></extra>"},
        bars | {"x": list(z), "name": "z", "text": [f"{v:.2f}" for v in z], "xaxis": "x2", "yaxis": "y2",
                "marker": {"color": [PALETTE["highlight"] if k == top else PALETTE["neutral"]
                                     for k in range(len(z))], "line": outline},
                "hovertemplate": "%{y}: z = %{x:.4f}<extra></extra>"},
    ]  # fmt: skip
    layout = {
        "showlegend": False, "bargap": 0.25, "margin": {"t": 40, "r": 30},
        "xaxis": {"domain": [0, 0.52], "anchor": "y", "range": [0, 1.25], "tickvals": [0, 0.5, 1]},
        "xaxis2": {"domain": [0.62, 1], "anchor": "y2", "range": [low - (pad if low < 0 else 0), high + pad],
                   "zeroline": True, "zerolinewidth": 1.5, "zerolinecolor": PALETTE["ink"]},
        "yaxis": {"anchor": "x", "autorange": "reversed", "showgrid": False, "ticksuffix": " "},
        "yaxis2": {"anchor": "x2", "matches": "y", "showticklabels": False, "showgrid": False, "ticksuffix": " "},
        "annotations": [_title("probability f", 0.26, 1.0), _title("logit z = Wx + b", 0.81, 1.0)],
    }  # fmt: skip
    return figure(traces, layout, None, height)

def contribution_maps(panels: list[tuple[str, object, str]], columns: int = 3, height: int = 540) -> go.Figure:
    """28×28 maps in rows of ``columns``, each (title, array, kind): kind "image" (grey 0–255), "weights"
    (templates W_k) or "contribution" (maps W ⊙ x). The maps of each of the two kinds share one symmetric colour
    scale, clipped at the 99.5th percentile of |value| so that a few extreme pixels do not wash the rest out
    (hover shows the exact values); the contributions get the colour bar. `WEIGHT_COLOURS` names the colours of
    the positive and negative values."""
    arrays = [np.asarray(a, dtype=np.float64) for _, a, _ in panels]

    def limit(kind: str) -> float:
        values = [np.abs(a).ravel() for a, (_, _, k) in zip(arrays, panels, strict=True) if k == kind]
        return (float(np.percentile(np.concatenate(values), 99.5)) if values else 0.0) or 1.0

    limits = {"weights": limit("weights"), "contribution": limit("contribution")}
    first = next((i for i, (_, _, kind) in enumerate(panels) if kind == "contribution"), None)
    traces = []
    for i, (a, (title, _, kind)) in enumerate(zip(arrays, panels, strict=True)):
        if kind == "image":
            traces.append({"type": "heatmap", "z": a, "zmin": 0, "zmax": 255, "colorscale": GREY_COLOURSCALE,
                           "showscale": False, "hovertemplate": "row %{y}, column %{x}: %{z}<extra></extra>",
                           **_axes(i)})  # fmt: skip
            continue
        traces.append({"type": "heatmap", "z": a, "zmin": -limits[kind], "zmax": limits[kind],
                       "colorscale": WEIGHT_COLOURSCALE, "showscale": i == first,
                       "colorbar": {"title": {"text": "W ⊙ x", "side": "right"}, "thickness": 12, "len": 0.8},
                       "hovertemplate": "row %{y}, column %{x}: %{z:.4f}<extra>" + title.replace("<br>", " ")
                       + "</extra>", **_axes(i)})  # fmt: skip
    layout = _picture_grid([t for t, _, _ in panels], columns, hspace=0.04) | {"margin": {"t": 50, "b": 0, "l": 0, "r": 0}}
    return figure(traces, layout, None, height)

# ---- Light live views: drawn 4× a second while a run trains, where a Plotly re-plot would cost the browser
# ~0.2 s a chart and the training thread its CPU (bench/bench_live.py). Same data, same colours.

_WEIGHT_LUT = np.array(
    [[int(v) for v in c[4:-1].split(",")] for c in pc.sample_colorscale(WEIGHT_SCALE, list(np.linspace(0, 1, 256)))],
    dtype=np.uint8,
)


def weights_svg(W: object, class_names: list[str], columns: int = 5, gap: int = 3) -> str:
    """`weight_templates` as a static SVG: the rows W_k as one embedded PNG on the same colour scale, with the
    class names above the tiles."""
    w = np.asarray(W, dtype=np.float64).reshape(len(class_names), 28, 28)
    limit = float(np.abs(w).max()) or 1.0
    z, notes = _mosaic(w, class_names, columns, gap)
    index = np.clip(np.round((np.nan_to_num(z) / limit + 1.0) * 127.5), 0, 255).astype(np.uint8)
    rgb = _WEIGHT_LUT[index]
    rgb[np.isnan(z)] = 255
    png = io.BytesIO()
    Image.fromarray(rgb).save(png, "PNG", compress_level=1)
    uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
    h, w_ = rgb.shape[:2]
    labels = "".join(f'<text x="{n["x"] + 0.5}" y="{n["y"]}" text-anchor="middle">{n["text"]}</text>' for n in notes)
    return (f'<svg viewBox="0 0 {w_} {h}" width="100%" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
            f'font-size="3.4" fill="{PALETTE["ink"]}"><image href="{uri}" width="{w_}" height="{h}" '
            f'style="image-rendering: pixelated"/>{labels}</svg>')  # fmt: skip


def _svg_panel(left: float, runs: list[dict], metric: str, x_max: float, y_max: float, size: tuple[int, int]) -> str:
    """One panel of `curves_svg`: title, horizontal grid with y ticks, epoch ticks, a polyline per run and split."""
    width, height = size
    x0, x1, y0, y1 = left + 48, left + width - 10, height - 40, 34  # plot area: x0..x1 left→right, y0..y1 up

    def px(x: float, y: float) -> tuple[float, float]:
        return x0 + (x1 - x0) * x / x_max, y0 - (y0 - y1) * min(y, y_max) / y_max

    parts = [f'<text x="{left + width / 2}" y="20" text-anchor="middle" font-weight="600">{metric}</text>']
    for k in range(6):
        _, y = px(0, y_max * k / 5)
        parts.append(f'<line x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>'
                     f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{y_max * k / 5:.2g}</text>')  # fmt: skip
    step = max(1, int(x_max) // 10)
    for k in range(0, int(x_max) + 1, step):
        x, _ = px(k, 0)
        parts.append(f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle">{k}</text>')
    parts.append(f'<text x="{(x0 + x1) / 2}" y="{height - 4}" text-anchor="middle">epoch</text>')
    for run in runs:
        for split, dash in (("train", ""), ("test", ' stroke-dasharray="7 4"')):
            xs, ys = run[f"{split}_x"], run[f"{split}_{metric}"]
            points = " ".join("{:.1f},{:.1f}".format(*px(x, y)) for x, y in zip(xs, ys, strict=True))
            if points:
                parts.append(f'<polyline points="{points}" fill="none" stroke="{run["colour"]}" stroke-width="2.5"'
                             f"{dash}/>")  # fmt: skip
    return "".join(parts)


def curves_svg(runs: list[dict], width: int = 1000, height: int = 300) -> str:
    """`training_curves` as a static SVG (loss | accuracy against epochs; train solid, test dashed) with a legend.

    Each run also gives ``epochs``, its planned length: the epoch axis spans the longest run from the start.
    """
    x_max = float(max([1] + [r["epochs"] for r in runs]))
    highest = max([0.5] + [max(r["train_loss"] + r["test_loss"], default=0.0) for r in runs])
    tick = min(t * 10.0 ** np.floor(np.log10(highest / 5)) for t in (1, 1.5, 2, 2.5, 3, 4, 5, 10)
               if t * 10.0 ** np.floor(np.log10(highest / 5)) * 5 >= highest)  # fmt: skip
    loss_max = 5 * tick  # five round steps (…, 0.2, 0.3, 0.4, 0.5, 1, …)
    half = width // 2
    legend = "".join(
        f'<tspan fill="{r["colour"]}" font-weight="600">━ </tspan><tspan>{r["name"]}   </tspan>' for r in runs
    )
    body = (
        _svg_panel(0, runs, "loss", x_max, loss_max, (half, height))
        + _svg_panel(half, runs, "accuracy", x_max, 1.0, (half, height))
        + f'<text x="{width / 2}" y="{height + 22}" text-anchor="middle">{legend}'
        "<tspan>(solid: train, dashed: test)</tspan></text>"
    )
    return (f'<svg viewBox="0 0 {width} {height + 30}" width="100%" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="sans-serif" font-size="14" fill="{PALETTE["ink"]}">{body}</svg>')  # fmt: skip
