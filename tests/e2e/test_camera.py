"""The camera input for real: Chromium's fake capture device plays a generated product photo of a test image
(a .y4m video), the page takes the picture and classifies it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, Playwright, expect

from core.data import load_fashion_mnist
from core.imaging import render_shop_photo
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppPage

W, H = 640, 480
SCORES = ".st-key-cls_scores .js-plotly-plot"


def y4m(frame_rgb: np.ndarray, frames: int = 30) -> bytes:
    """A YUV4MPEG2 (4:2:0) video of one still frame, the format Chromium's fake capture device reads."""
    rgb = frame_rgb.astype(np.float64)
    y = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    u = 128 - 0.168736 * rgb[..., 0] - 0.331264 * rgb[..., 1] + 0.5 * rgb[..., 2]
    v = 128 + 0.5 * rgb[..., 0] - 0.418688 * rgb[..., 1] - 0.081312 * rgb[..., 2]
    planes = [np.clip(np.rint(p), 0, 255).astype(np.uint8) for p in (y, u[::2, ::2], v[::2, ::2])]
    body = b"FRAME\n" + b"".join(p.tobytes() for p in planes)
    return f"YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C420jpeg\n".encode() + body * frames


@pytest.fixture()
def camera_video(fashion_dir: Path, tmp_path: Path) -> Path:
    """Test image 1 (a Pullover) as a shop photo, letterboxed onto the camera's 640×480 frame. (The page opens on
    test image 0, an ankle boot, so "Pullover" can only come from the camera.)"""
    images, labels = load_fashion_mnist("test")
    assert int(labels[1]) == 2 and int(labels[0]) != 2  # Pullover
    photo = Image.open(io.BytesIO(render_shop_photo(images[1], np.random.default_rng(0)))).convert("RGB")
    photo.thumbnail((W - 80, H - 80))
    frame = Image.new("RGB", (W, H), photo.getpixel((0, 0)))
    frame.paste(photo, ((W - photo.width) // 2, (H - photo.height) // 2))
    path = tmp_path / "pullover.y4m"
    path.write_bytes(y4m(np.asarray(frame)))
    return path


@pytest.fixture()
def camera_page(playwright: Playwright, camera_video: Path, tmp_path: Path) -> Iterator[Page]:
    """A Chromium whose camera is the fake device playing `camera_video`, permission granted."""
    fake = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}"]  # fmt: skip
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake,
        viewport={"width": 1280, "height": 900},
    )  # fmt: skip
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_photo_taken_with_the_camera_is_classified(camera_page: Page, server_url: str) -> None:
    app = AppPage(camera_page, server_url)
    app.open("classify", wait_for=SCORES)
    expect(app.page.get_by_text("The model says")).to_contain_text("Ankle boot")  # test image 0, before the camera
    app.page.get_by_text("📷 Use the camera").click()
    app.wait('[data-testid="stCameraInput"]')
    take = app.page.get_by_role("button", name="Take Photo")
    expect(take).to_be_enabled(timeout=30_000)
    app.page.wait_for_timeout(1500)  # let the fake device deliver frames
    take.click()
    app.page.wait_for_selector('[data-testid="stCaptionContainer"]:has-text("JPEG")', timeout=60_000)
    app.wait(SCORES)
    expect(app.page.get_by_text("The model says")).to_contain_text("Pullover")
    assert app.exceptions() == []
