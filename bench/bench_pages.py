"""Server time of a page rerun after a control change, per page, against a trivial page's floor.

Each page is driven through streamlit.testing.AppTest (the real script runner, no browser): its first
slider (or number input) is moved back and forth and every rerun is timed. The floor is a rerun of a
one-line script measured in the same run, so the ratio is what our page costs beyond Streamlit itself.

Usage: python bench/bench_pages.py [--reruns N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.navigation import all_pages


def _timed_reruns(at: AppTest, reruns: int) -> list[float]:
    """Seconds per rerun, moving the page's first slider or number input between two values."""
    widgets = list(at.slider) or list(at.number_input)
    times = []
    for i in range(reruns):
        if widgets:
            w = widgets[0]
            lo, hi = w.min, w.max
            w.set_value(lo if i % 2 else (hi if w.type != "number_input" or hi is not None else lo))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"exception during bench: {at.exception[0].message}")
        widgets = list(at.slider) or list(at.number_input)
    return times


def main() -> None:
    streamlit_logger.set_log_level("error")  # AppTest outside a server warns on every run; not our figure
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text('import streamlit as st\nx = st.slider("x", 0, 10, 5, key="x")\nst.write(x)\n')
        floor_at = AppTest.from_file(str(floor_script), default_timeout=60).run()
        floor = statistics.median(_timed_reruns(floor_at, args.reruns))

    print(f"floor: one-slider script rerun, median of {args.reruns}: {floor * 1e3:.1f} ms")
    print(f"{'page':32s} {'median ms':>10s} {'p90 ms':>8s} {'÷ floor':>8s}")
    for page in all_pages():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.switch_page(page.path).run()
        times = sorted(_timed_reruns(at, args.reruns))
        med, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
        print(f"{page.title:32s} {med * 1e3:10.1f} {p90 * 1e3:8.1f} {med / floor:8.1f}")


if __name__ == "__main__":
    main()
