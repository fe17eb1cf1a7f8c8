"""Server time from a Next press to the next stop's finished render, over the whole lecture path, against the
same page's plain rerun in the same run.

Driven through streamlit.testing.AppTest (the real script runner, no browser), in lecture mode: each stop is
reached by pressing Next (a stop with a question takes two presses: reveal, then move on); the time of the press
that lands on the stop is counted, including the page switch when the stop is on another page (Streamlit reruns
the script for the new page). Then the stop's page is rerun unchanged `--reruns` times: its plain rerun time.

Usage: python bench/bench_lecture.py [--reruns N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.lecture import STOPS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    streamlit_logger.set_log_level("error")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=3, help="plain reruns of each stop's page")
    parser.add_argument("--rounds", type=int, default=2, help="walks over the whole path")
    args = parser.parse_args()

    nexts: list[float] = []
    switches: list[float] = []
    plain: list[float] = []
    for _ in range(args.rounds):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lecture"] = "true"
        at.run()
        for k in range(2, len(STOPS) + 1):
            if STOPS[k - 2].question is not None:
                at.button(key="lecture_next").click().run()  # reveal
            t0 = time.perf_counter()
            at.button(key="lecture_next").click().run()
            elapsed = time.perf_counter() - t0
            (switches if STOPS[k - 1].page != STOPS[k - 2].page else nexts).append(elapsed)
            if at.exception:
                raise RuntimeError(f"stop {k}: {at.exception[0].message}")
            for _ in range(args.reruns):
                t0 = time.perf_counter()
                at.run()
                plain.append(time.perf_counter() - t0)

    both = nexts + switches
    base = statistics.median(plain)
    print(f"{len(STOPS)} stops, {args.rounds} walks; server time per Next press (AppTest, no browser)")
    print(f"{'':34s} {'median ms':>10s} {'p95 ms':>8s} {'÷ plain rerun':>14s}")
    for name, values in (("plain rerun of the stop's page", plain), ("Next, same page", nexts),
                         ("Next, to another page", switches), ("Next, all stops", both)):  # fmt: skip
        med, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"{name:34s} {med * 1e3:10.1f} {p95 * 1e3:8.1f} {med / base:14.2f}")


if __name__ == "__main__":
    main()
