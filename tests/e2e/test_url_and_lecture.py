"""Shareable state and lecture mode in Chromium: a slider's value travels in the URL and comes back from it,
and a derivation is revealed one step at a time with the big "Next step" button."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import AppPage

SLIDER = '[data-testid="stSlider"] input[type="range"]'


def test_a_slider_change_is_carried_by_the_url_and_restored_from_it(app: AppPage) -> None:
    app.open("softmax", wait_for='[data-testid="stSlider"]')
    n_slider = app.page.locator(SLIDER).first
    expect(n_slider).to_have_value("3")
    n_slider.focus()
    n_slider.press("ArrowRight")
    app.wait()
    expect(app.page).to_have_url(re.compile(r"[?&]softmax_n=4(&|$)"))
    shared = app.page.url
    # A new tab opened on the shared link shows the same state.
    other = AppPage(app.page.context.new_page(), app.base)
    try:
        other.page.goto(shared)
        other.wait('[data-testid="stSlider"]')
        expect(other.page.locator(SLIDER).first).to_have_value("4")
        expect(other.page.locator('[data-testid="stMain"]')).to_contain_text("4 · Dress")
        assert other.exceptions() == []
    finally:
        other.page.close()


def test_lecture_mode_reveals_the_derivation_step_by_step(app: AppPage) -> None:
    app.open("cross_entropy", "lecture=true", wait_for='button:has-text("Next step")')
    main = app.page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Step 1.")
    expect(main).not_to_contain_text("Step 2.")
    next_button = app.page.get_by_role("button", name="Next step ▶")
    for k in (2, 3):
        next_button.click()
        app.wait()
        expect(main).to_contain_text(f"Step {k}.")
        expect(app.page).to_have_url(re.compile(rf"[?&]ce_step={k}(&|$)"))
    expect(main).not_to_contain_text("Step 4.")
    app.page.get_by_role("button", name="Show all").click()
    app.wait()
    expect(next_button).to_be_disabled()
    expect(main).to_contain_text("cross-entropy")
    # Lecture mode: prose folded into "Notes", larger type than normal mode.
    expect(main.get_by_text("Notes").first).to_be_visible()
    big = app.page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert big > 18
    assert app.exceptions() == [] and app.errors() == []
