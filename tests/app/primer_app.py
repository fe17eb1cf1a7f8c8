"""Helpers for the AppTest tests of the probability-primer pages: open a page, read its figures and numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "fashion-mnist"


def open_page(page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """The app with `app_pages/{page}.py` selected; `query` seeds the URL before the first run."""
    if "FASHION_MNIST_DIR" not in os.environ and SHARED_DATA.is_dir():
        os.environ["FASHION_MNIST_DIR"] = str(SHARED_DATA)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    """Every Plotly figure on the page as JSON, by its widget key's suffix (e.g. ``ss_bars``)."""
    return {chart.proto.id.rsplit("-", 1)[-1]: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


def metrics(at: AppTest) -> dict[str, str]:
    """st.metric values by label."""
    return {m.label: m.value for m in at.metric}


def latex(at: AppTest) -> str:
    """All LaTeX on the page, one block per line."""
    return "\n".join(el.value for el in at.latex)


def texts(elements) -> str:
    """The text of a list of elements (errors, infos, captions, markdown) joined by newlines."""
    return "\n".join(str(e.value) for e in elements)
