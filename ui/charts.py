"""Pure Plotly figure builders: numbers in, `go.Figure` out. No Streamlit here.

One colour-blind-safe palette (Okabe–Ito), one colour per concept, used identically on every page.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": distinguishable under all common colour-vision deficiencies.
PALETTE: dict[str, str] = {
    "probability": "#0072B2",  # blue: P, exact values, the theory
    "frequency": "#E69F00",  # orange: simulated / empirical counts
    "event": "#009E73",  # bluish green: the chosen event A, the true class y
    "condition": "#CC79A7",  # reddish purple: the conditioning event B
    "softmax": "#56B4E9",  # sky blue: softmax outputs f
    "cross_entropy": "#D55E00",  # vermillion: cross-entropy
    "mse": "#8E6C00",  # dark yellow-brown: mean squared error
    "highlight": "#F0E442",  # yellow: a highlighted cell or the top class
    "neutral": "#999999",  # grey: everything else
    "ink": "#222222",
}

FONT_FAMILY = "sans-serif"


def base_layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    """The shared look: white background, readable type, tight margins, legend on top."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        font={"family": FONT_FAMILY, "size": 14, "color": PALETTE["ink"]},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        hoverlabel={"font_size": 14},
    )
    fig.update_xaxes(showgrid=True, gridcolor="#e6e6e6", zeroline=False, automargin=True)
    fig.update_yaxes(showgrid=True, gridcolor="#e6e6e6", zeroline=False, automargin=True)
    return fig


def scale_for_lecture(fig: go.Figure, lecture: bool, height: int | None = None) -> go.Figure:
    """Enlarge type and height for a projector; optionally fix the height."""
    h = height or fig.layout.height or 360
    if lecture:
        fig.update_layout(font={"size": 20}, height=int(h * 1.35), hoverlabel={"font_size": 20})
        fig.update_annotations(font_size=20)
    elif height:
        fig.update_layout(height=height)
    return fig
