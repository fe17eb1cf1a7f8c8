"""The classify page in real Chromium: a photo uploaded through the browser is classified; a hostile one is refused.

Set CLASSIFY_SHOTS to a folder to also save full-page screenshots of what the tests see.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from core.data import load_fashion_mnist
from core.imaging import render_shop_photo
from tests.e2e.conftest import AppPage

UPLOAD = ".st-key-cls_upload input[type=file]"
SCORES = ".st-key-cls_scores .js-plotly-plot"
ALERT = '[data-testid="stAlert"]'


def shoot(app: AppPage, name: str) -> None:
    """A full-page screenshot into $CLASSIFY_SHOTS, if set (the page scrolls inside, so grow the window)."""
    folder = os.environ.get("CLASSIFY_SHOTS")
    if folder:
        width = app.page.viewport_size["width"]
        app.page.set_viewport_size({"width": width, "height": 3600})
        app.page.wait_for_timeout(1000)
        app.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def upload(app: AppPage, path: Path, wait_for: str) -> None:
    app.page.locator(UPLOAD).set_input_files(str(path))
    app.page.wait_for_selector(wait_for, timeout=60_000)
    app.wait()


@pytest.fixture()
def shop_photo(fashion_dir: Path, tmp_path: Path) -> Path:
    """Test image 1 (a Pullover) photographed like a shop photo: a dark item on off-white, as JPEG."""
    images, _ = load_fashion_mnist("test")
    path = tmp_path / "pullover.jpg"
    path.write_bytes(render_shop_photo(images[1], np.random.default_rng(0)))
    return path


def test_a_good_upload_is_classified(app: AppPage, shop_photo: Path) -> None:
    app.open("classify", wait_for=SCORES)
    upload(app, shop_photo, wait_for='[data-testid="stCaptionContainer"]:has-text("pullover.jpg: JPEG")')
    expect(app.page.locator(SCORES)).to_contain_text("probability f")
    expect(app.page.locator(SCORES)).to_contain_text("Pullover")
    expect(app.page.get_by_text("The model says")).to_be_visible()
    assert app.page.locator(".st-key-cls_steps .js-plotly-plot").inner_text().count("28×28") == 1
    assert app.exceptions() == []
    assert app.errors() == []
    shoot(app, "good_upload")


def test_a_hostile_upload_shows_an_alert_not_an_exception(app: AppPage, fashion_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"these are my lecture notes, not a picture\n")
    app.open("classify", wait_for=SCORES)
    upload(app, notes, wait_for=f'{ALERT}:has-text("notes.png cannot be classified")')
    expect(app.page.locator(ALERT).filter(has_text="This is a text file")).to_be_visible()
    assert app.page.locator(SCORES).count() == 0
    assert app.exceptions() == []
    assert app.errors() == []
    app.page.get_by_text("A test image", exact=True).click()  # the rest of the page keeps working
    app.wait(SCORES)
    assert app.exceptions() == []
    shoot(app, "hostile_upload")
