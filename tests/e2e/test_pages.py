"""Every page in real Chromium: renders, no exception element, no console error, URL state, lecture mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AppPage
from ui.navigation import all_pages

PAGES = all_pages()


@pytest.mark.parametrize("page", PAGES, ids=[p.title for p in PAGES])
@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_page_renders_cleanly(app: AppPage, page, lecture: bool) -> None:
    heading = "Classification Explorer" if page.path.endswith("home.py") else page.title
    app.open(page.url_path, "lecture=true" if lecture else "", wait_for="h1")
    assert app.page.locator("h1").first.inner_text().strip() == heading
    assert app.exceptions() == []
    assert app.errors() == []
    expect(app.page.locator('[data-testid="stSidebar"]').get_by_text("Lecture mode")).to_be_visible()


@pytest.mark.parametrize("page", PAGES[1:], ids=[p.title for p in PAGES[1:]])
def test_malformed_query_string_is_ignored(app: AppPage, page) -> None:
    hostile = "lecture=maybe&n=%00%ff&<script>=1&" + "&".join(f"k{i}=NaN" for i in range(20))
    app.open(page.url_path, hostile, wait_for="h1")
    assert app.page.locator("h1").first.inner_text().strip() == page.title
    assert app.exceptions() == []


def test_lecture_mode_survives_navigation(app: AppPage) -> None:
    app.open("", "lecture=true", wait_for="h1")
    # A lecture link opens with the sidebar folded (a projector has no room for it): unfold it first.
    assert app.page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    app.page.locator('[data-testid="stExpandSidebarButton"]').click()
    app.page.locator('[data-testid="stSidebarNav"] a', has_text="Softmax").click()
    app.wait('h1:has-text("Softmax")')
    assert "lecture=true" in app.page.url
    assert app.page.locator('[data-testid="stSidebar"] input[type="checkbox"]').first.is_checked()


def test_home_links_reach_every_page(app: AppPage) -> None:
    app.open("", wait_for='[data-testid="stPageLink"]')
    links = app.page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a')
    assert links.count() == len(PAGES) - 1
    links.nth(2).click()
    app.wait("h1")
    assert app.page.locator("h1").first.inner_text().strip() == PAGES[3].title
