"""Every page on a projector, a phone and a tablet: axe-core finds no serious or critical WCAG 2.1 AA violation
(normal and lecture mode), nothing makes the page scroll sideways on a phone or a tablet in portrait, the page
language is set, and every chart has a text alternative."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import AppPage
from ui.navigation import all_pages

PAGES = all_pages()
IDS = [p.title for p in PAGES]
AXE = Axe()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}  # fmt: skip
OVERFLOW = """() => {
  const root = document.scrollingElement.scrollWidth - window.innerWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  return Math.max(root, main ? main.scrollWidth - main.clientWidth : 0);
}"""


def settle(app: AppPage) -> None:
    app.page.wait_for_timeout(1200)  # charts finish drawing after the script run ends
    app.wait()


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_axe_finds_nothing_serious(app: AppPage, page, lecture: bool) -> None:
    app.page.set_viewport_size({"width": 1280, "height": 720})
    app.open(page.url_path, "lecture=true" if lecture else "", wait_for="h1")
    settle(app)
    violations = AXE.run(app.page, options=WCAG_AA).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations
               if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert serious == []
    assert app.page.evaluate("() => document.documentElement.lang") == "en"


@pytest.mark.parametrize("viewport", [(390, 844), (820, 1180)], ids=["phone", "tablet"])
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_sideways_scrolling_on_a_phone_or_a_tablet(app: AppPage, page, viewport: tuple[int, int]) -> None:
    app.page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    app.open(page.url_path, wait_for="h1")
    settle(app)
    assert app.page.evaluate(OVERFLOW) <= 1
    # The content, not the sidebar, is what a student who scanned the code sees first.
    if viewport[0] < 768:
        # Streamlit folds it after the resize; wait for that (bounded) rather than read it at once.
        expect(app.page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true",
                                                                                timeout=15_000)
    box = app.page.locator("h1").first.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= viewport[0]
    assert app.exceptions() == []


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_chart_has_a_text_alternative(app: AppPage, page) -> None:
    app.open(page.url_path, wait_for="h1")
    settle(app)
    charts = app.page.locator('[data-testid="stPlotlyChart"]')
    described = app.page.locator(".chart-alt")
    assert described.count() >= charts.count()
    for text in described.all_inner_texts():
        assert text.startswith("Chart: ") and len(text) > 15
